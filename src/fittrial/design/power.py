"""Design of the next trial from this one: analytic and simulated power of a two-arm cluster trial.

**Design parameters** (:func:`trial_parameters`), estimated from the observed trial or set in the config's
``design:`` section (each with its source):

* ``sd``: SD of WHO-5 at the primary visit (observed, citizens with a form);
* ``icc``: caseworker ICC of WHO-5 at the primary visit, from the primary mixed model's variance components
  (caseworker + caseworker x visit) / (all four components);
* ``cluster_autocorrelation``: the share of the caseworker variance that persists across visits,
  caseworker / (caseworker + caseworker x visit) (Teerenstra et al.'s rho_c);
* ``subject_autocorrelation``: correlation of a citizen's baseline and primary-visit WHO-5 (rho_s);
* ``citizens_per_caseworker`` (m) and ``cv``: mean and coefficient of variation of the citizens enrolled per
  randomised caseworker (caseworkers who enrolled no one count as 0);
* ``attrition``: share of enrolled citizens without WHO-5 at the primary visit.

**Analytic power** (:func:`analytic_power`) of the baseline-adjusted comparison of the arms' means at the
primary visit with k caseworkers per arm and m citizens enrolled per caseworker, of whom m(1 - attrition) are
analysed:

    Var(difference) = 2 sd^2 DE (1 - r^2) / (k m')
    DE = 1 + ((cv^2 + 1) m' - 1) icc                        (unequal cluster sizes; Eldridge et al. 2006)
    r  = (m' icc rho_c + (1 - icc) rho_s) / (1 + (m' - 1) icc)   (ANCOVA; Teerenstra et al. 2012)

and power = P(|T| > t_{1-alpha/2, df}) for T noncentral t with df = 2k - 2 and noncentrality
difference / sqrt(Var) (the small-sample correction: the t distribution on the between-caseworker df).
With one citizen per caseworker (m = 1, icc irrelevant) it is exactly the two-sample t-test's power
(checked against statsmodels' ``TTestIndPower``, as R's ``power.t.test``).

**Simulated power** (:func:`simulated_power`): trials simulated from the same parameters
(:func:`fittrial.design.operating.simulate_analysis_data`, Poisson cluster sizes) and analysed by the pre-specified
primary analysis (:func:`fittrial.models.effects.fit_primary_lmm`, its df rule); the share with p < alpha, with its
Monte Carlo SE. Every trial has its own seed, derived from (seed, cell, trial), so a cell gives the same
result however the study is split into jobs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

PARAMETERS = ("sd", "icc", "cluster_autocorrelation", "subject_autocorrelation", "citizens_per_caseworker",
              "cv", "attrition")


@dataclass
class DesignParameters:
    """The parameters of :mod:`fittrial.design.power` with the source of each."""

    sd: float
    icc: float
    cluster_autocorrelation: float
    subject_autocorrelation: float
    citizens_per_caseworker: float
    cv: float
    attrition: float
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "sources"}


def with_overrides(estimated: dict[str, float], overrides: dict | None) -> tuple[dict[str, float], dict[str, str]]:
    """The estimates with every value set in the config (not None) in their place, and the source of each value
    ("config" or "trial")."""
    values, sources = {}, {}
    for key, value in estimated.items():
        if overrides and overrides.get(key) is not None:
            values[key], sources[key] = float(overrides[key]), "config"
        else:
            values[key], sources[key] = value, "trial"
    return values, sources


def trial_parameters(citizens: pd.DataFrame, randomisation: pd.DataFrame, variance: pd.DataFrame,
                     primary_visit: int, overrides: dict | None = None) -> DesignParameters:
    """The design parameters estimated from the trial (see the module docstring); a value in ``overrides``
    (config ``design.parameters``) replaces the estimate. ``sources`` says "trial" or "config" for each."""
    follow = citizens[f"who5_m{primary_visit}"].astype(float)
    comp = dict(zip(variance["component"], pd.to_numeric(variance["variance"], errors="coerce")))
    cw = comp.get("caseworker (cluster)", np.nan)
    cwv = comp.get("caseworker x visit", 0.0)
    cwv = 0.0 if pd.isna(cwv) else cwv
    total = sum(0.0 if pd.isna(v) else v for v in comp.values())
    sizes = citizens.groupby("caseworker_id").size().reindex(randomisation["caseworker_id"], fill_value=0)
    pairs = citizens[["who5_m0", f"who5_m{primary_visit}"]].dropna() if "who5_m0" in citizens else pd.DataFrame()
    estimated = {
        "sd": float(follow.std(ddof=1)),
        "icc": (cw + cwv) / total if total > 0 and pd.notna(cw) else np.nan,
        "cluster_autocorrelation": cw / (cw + cwv) if pd.notna(cw) and cw + cwv > 0 else 1.0,
        "subject_autocorrelation": float(pairs.corr().iloc[0, 1]) if len(pairs) > 2 else 0.0,
        "citizens_per_caseworker": float(sizes.mean()),
        "cv": float(sizes.std(ddof=1) / sizes.mean()) if sizes.mean() > 0 else 0.0,
        "attrition": float(follow.isna().mean()),
    }
    values, sources = with_overrides(estimated, overrides)
    return DesignParameters(**values, sources=sources)


def variance_of_difference(p: DesignParameters, k: int, m: float) -> float:
    """Var of the baseline-adjusted difference in means with k caseworkers per arm, m enrolled per caseworker."""
    m_eff = max(m * (1.0 - p.attrition), 1e-9)
    de = 1.0 + ((p.cv ** 2 + 1.0) * m_eff - 1.0) * p.icc
    r = (m_eff * p.icc * p.cluster_autocorrelation + (1.0 - p.icc) * p.subject_autocorrelation) / \
        (1.0 + (m_eff - 1.0) * p.icc)
    return 2.0 * p.sd ** 2 * de * (1.0 - r ** 2) / (k * m_eff)


def noncentral_t_power(ncp: float, df: float, alpha: float) -> float:
    """P(|T| > t_{1 - alpha/2, df}) for T noncentral t with noncentrality ``ncp``."""
    from scipy import stats

    if not df >= 1 or not math.isfinite(ncp):
        return float("nan")
    crit = stats.t.ppf(1 - alpha / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


def smallest_k(power_of: Callable[[int], float], power: float, k_max: int = 2000) -> int | None:
    """The smallest k >= 2 with ``power_of(k) >= power`` for a power increasing in k (None beyond ``k_max``)."""
    lo, hi = 2, 2
    while not power_of(hi) >= power:
        lo, hi = hi, hi * 2
        if hi > k_max:
            return None
    while lo < hi:
        mid = (lo + hi) // 2
        if power_of(mid) >= power:
            hi = mid
        else:
            lo = mid + 1
    return hi


def analytic_power(p: DesignParameters, k: int, m: float, effect: float, alpha: float = 0.05) -> float:
    """Power of the two-sided t-test on 2k - 2 df (noncentral t) for a difference ``effect``."""
    return noncentral_t_power(effect / math.sqrt(variance_of_difference(p, k, m)), 2 * k - 2, alpha)


def caseworkers_needed(p: DesignParameters, m: float, effect: float, power: float = 0.8, alpha: float = 0.05,
                       k_max: int = 2000) -> int | None:
    """The smallest number of caseworkers per arm with at least ``power`` (None if more than ``k_max``)."""
    return smallest_k(lambda k: analytic_power(p, k, m, effect, alpha), power, k_max)


def analytic_table(p: DesignParameters, sizes: list[float], effects: list[float], power: float = 0.8,
                   alpha: float = 0.05) -> pd.DataFrame:
    """Caseworkers per arm needed for each (citizens per caseworker, effect)."""
    rows = []
    for m in sizes:
        for d in effects:
            k = caseworkers_needed(p, m, d, power, alpha)
            rows.append({"citizens_per_caseworker": m, "effect": d, "caseworkers_per_arm": k,
                         "citizens_total": None if k is None else int(round(2 * k * m)),
                         "power": None if k is None else analytic_power(p, k, m, d, alpha)})
    return pd.DataFrame(rows)


def simulation_parameters(p: DesignParameters, k: int, m: float, effect: float, primary_visit: int = 12,
                          base: dict | None = None):
    """SimulationParameters of a trial with these design parameters (one stratum of 2k caseworkers)."""
    from fittrial.design.simulate import SimulationParameters

    var_between = p.icc * p.sd ** 2
    var_within = (1 - p.icc) * p.sd ** 2
    visits = [0, primary_visit]  # one follow-up, as the analytic formula assumes
    mean = {int(v): 45.0 for v in visits}
    params = SimulationParameters(**{**(base or {}),
                                     "strata": {"S": 2 * k}, "citizens_per_caseworker": float(m),
                                     "who5_mean": mean, "effect": {v: float(effect) for v in visits if v != 0},
                                     "sd_caseworker": math.sqrt(var_between * p.cluster_autocorrelation),
                                     "sd_citizen": math.sqrt(var_within * p.subject_autocorrelation),
                                     "sd_residual": math.sqrt(var_within * (1 - p.subject_autocorrelation)),
                                     "missing_followup": p.attrition, "missing_baseline": 0.0})
    from fittrial.design.simulate import Departures

    return params, Departures(sd_caseworker_visit=math.sqrt(var_between * (1 - p.cluster_autocorrelation)))


def simulated_power(p: DesignParameters, k: int, m: float, effect: float, n_trials: int, seed: int, cell: int,
                    df_method: str = "kenward_roger", primary_visit: int = 12, alpha: float = 0.05,
                    base: dict | None = None, first_trial: int = 0) -> pd.DataFrame:
    """Trials ``first_trial`` .. ``first_trial + n_trials - 1`` of one cell, each analysed by the primary model:
    one row per trial (estimate, p-value, rejected)."""
    from fittrial.design.operating import simulate_analysis_data
    from fittrial.models.effects import fit_primary_lmm
    from fittrial.models.estimable import NotEstimable

    params, dep = simulation_parameters(p, k, m, effect, primary_visit, base)
    rows = []
    for trial in range(first_trial, first_trial + n_trials):
        rng = np.random.default_rng([seed, cell, trial])
        citizens, long = simulate_analysis_data(params, rng, dep)
        try:
            result = fit_primary_lmm(long, ["S"], df_method, sorted(v for v in params.who5_mean if v != 0))
            c = next(c for c in result.contrasts if c.timepoint_months == primary_visit)
            est, se, df, pval = c.estimate, c.se, c.df, c.p_value
        except (NotEstimable, StopIteration):
            est = se = df = pval = float("nan")
        rows.append({"cell": cell, "caseworkers_per_arm": k, "citizens_per_caseworker": m, "effect": effect,
                     "trial": trial, "estimate": est, "se": se, "df": df, "p_value": pval,
                     "rejected": bool(pd.notna(pval) and pval < alpha)})
    return pd.DataFrame(rows)


def power_summary(trials: pd.DataFrame, p: DesignParameters, alpha: float = 0.05) -> pd.DataFrame:
    """Simulated power per cell with its Monte Carlo SE, beside the analytic power of the same cell."""
    rows = []
    for (cell, k, m, d), g in trials.groupby(["cell", "caseworkers_per_arm", "citizens_per_caseworker", "effect"]):
        ok = g[g["p_value"].notna()]
        pw = float(ok["rejected"].mean()) if len(ok) else float("nan")
        mcse = math.sqrt(pw * (1 - pw) / len(ok)) if len(ok) else float("nan")
        poisson = DesignParameters(**{**p.as_dict(), "cv": 1 / math.sqrt(m)})  # the simulation's Poisson sizes
        rows.append({"cell": int(cell), "caseworkers_per_arm": int(k), "citizens_per_caseworker": m, "effect": d,
                     "n_trials": len(g), "n_not_estimated": len(g) - len(ok), "simulated_power": pw,
                     "simulated_power_mcse": mcse, "analytic_power": analytic_power(poisson, int(k), m, d, alpha)})
    return pd.DataFrame(rows)


__all__ = ["DesignParameters", "trial_parameters", "analytic_power", "caseworkers_needed", "analytic_table",
           "noncentral_t_power", "smallest_k", "with_overrides",
           "simulated_power", "power_summary", "variance_of_difference"]
