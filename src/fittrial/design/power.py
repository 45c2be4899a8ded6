"""Design of the next trial from this one: analytic and simulated power of a two-arm cluster trial.

**Design parameters** (:func:`trial_parameters`), estimated from the observed trial or set in the config's
``design:`` section (each with its source):

* ``sd``: SD of WHO-5 at the primary visit (observed, citizens with a form);
* ``icc``: caseworker ICC of WHO-5 at the primary visit, not adjusted for baseline (the ICC published trials
  report; :func:`design_components`), with a parametric-bootstrap 95% CI;
* ``cluster_autocorrelation``: the correlation of a caseworker's true baseline and primary-visit means
  (Teerenstra et al.'s rho_c), and ``subject_autocorrelation``: the correlation of a citizen's baseline and
  primary-visit deviations from them (rho_s), from a model of WHO-5 at both visits, each with its CI;
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
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("sources", "intervals")}


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


def trial_parameters(citizens: pd.DataFrame, randomisation: pd.DataFrame, primary_visit: int,
                     overrides: dict | None = None, n_boot: int = 200, seed: int = 0) -> DesignParameters:
    """The design parameters estimated from the trial (see the module docstring); a value in ``overrides``
    (config ``design.parameters``) replaces the estimate. ``sources`` says "trial" or "config" for each;
    ``intervals`` holds the 95% CIs of the estimated correlations (:func:`design_components`)."""
    from fittrial.models.estimable import NotEstimable

    follow = citizens[f"who5_m{primary_visit}"].astype(float)
    sizes = citizens.groupby("caseworker_id").size().reindex(randomisation["caseworker_id"], fill_value=0)
    strata = sorted(randomisation["stratum"].astype(str).unique()) if "stratum" in randomisation else []
    try:
        components = design_components(citizens, strata, primary_visit, n_boot, seed)
    except NotEstimable:
        components = {"icc": (np.nan,) * 3, "cluster_autocorrelation": (0.0,) * 3,
                      "subject_autocorrelation": (0.0,) * 3}
    estimated = {
        "sd": float(follow.std(ddof=1)),
        **{name: value[0] for name, value in components.items()},
        "citizens_per_caseworker": float(sizes.mean()),
        "cv": float(sizes.std(ddof=1) / sizes.mean()) if sizes.mean() > 0 else 0.0,
        "attrition": float(follow.isna().mean()),
    }
    values, sources = with_overrides(estimated, overrides)
    intervals = {name: (value[1], value[2]) for name, value in components.items() if sources[name] == "trial"}
    return DesignParameters(**values, sources=sources, intervals=intervals)


def _variance_ratios(citizens: pd.DataFrame, strata: list[str], visits: list[int], n_boot: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The variance ratios (s2_c, s2_b, s2_cv) / s2_e of ``who5 ~ [follow_up + arm x follow_up +] arm + stratum``
    with caseworker, citizen [and caseworker x visit] intercepts, fitted by REML to WHO-5 at ``visits`` (one or
    two), on the arm coding that does not depend on which arm is which; and the same for ``n_boot``
    parametric-bootstrap refits (rows). Raises NotEstimable without a caseworker variance."""
    from fittrial.analyses.icc import bootstrap_responses
    from fittrial.models.batch import ManyREML
    from fittrial.models.effects import fit_lmm
    from fittrial.models.estimable import NotEstimable

    data = pd.concat([citizens.assign(visit=v, who5=citizens[f"who5_m{v}"].astype(float)) for v in visits],
                     ignore_index=True)
    data = data[data["who5"].notna()].sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort")
    data = data.reset_index(drop=True)
    X = pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float)}, index=data.index)
    for s in [s for s in strata if s in set(data["stratum"])][1:]:
        X[f"stratum[{s}]"] = (data["stratum"] == s).astype(float)
    if len(visits) > 1:
        X["follow_up"] = (data["visit"] == visits[-1]).astype(float)
        X["fit:follow_up"] = X["fit"] * X["follow_up"]
    else:
        data = data.drop(columns="visit")
    X = X[[c for c in X if c == "intercept" or X[c].nunique() > 1]]
    if data["caseworker_id"].nunique() < 3 or len(data) <= X.shape[1] + 2:
        raise NotEstimable("too few caseworkers with WHO-5")
    result = fit_lmm(data, X, ["intercept"], canonical=True)
    model, fit = result.canonical
    if not fit.free[0] or not fit.var_residual > 0:
        raise NotEstimable("no caseworker variance")
    point = np.array([fit.var_caseworker, fit.var_citizen, fit.var_cw_visit]) / fit.var_residual
    Y, start = bootstrap_responses(result, n_boot, seed)
    return point, ManyREML(model).fit(Y, starts=(start, (0.0, start[1], start[2]))).g


def design_components(citizens: pd.DataFrame, strata: list[str], primary_visit: int, n_boot: int, seed: int,
                      level: float = 0.95) -> dict[str, tuple[float, float, float]]:
    """The three correlations of Teerenstra et al.'s (2012) ANCOVA design formula, each as (estimate, CI low,
    CI high), none adjusted for baseline WHO-5 (the formula does that itself, through r):

    * ``icc``: the share of the WHO-5 variance at the primary visit that lies between caseworkers, from
      ``who5 ~ arm + stratum + (1 | caseworker)`` on the primary visit (REML): the ICC published trials report;
    * ``cluster_autocorrelation`` (rho_c): the correlation of a caseworker's true baseline and follow-up means,
      s2_c / (s2_c + s2_cv), and ``subject_autocorrelation`` (rho_s): the correlation of a citizen's baseline and
      follow-up deviations from the caseworker's means, s2_b / (s2_b + s2_e), both from the model of WHO-5 at
      baseline and the primary visit, ``who5 ~ follow_up + arm x follow_up + stratum + (1 | caseworker) +
      (1 | caseworker:visit) + (1 | citizen)`` (REML; variances s2_c, s2_cv, s2_b, s2_e).

    CIs: parametric-bootstrap percentiles (``n_boot`` replicates of each model simulated from its estimates and
    refitted by REML, seeded by ``seed``), as the report's ICC table. Both fits are on the arm coding that does
    not depend on which arm is which. Without baseline WHO-5 (nothing to adjust for), or without caseworker
    variance over the two visits, the correlations the data cannot give are 0: no adjustment is credited.
    Raises :class:`fittrial.models.estimable.NotEstimable` when the primary visit shows no caseworker variance.
    """
    from fittrial.models.estimable import NotEstimable

    def interval(point: float, boots: np.ndarray) -> tuple[float, float, float]:
        lo, hi = np.quantile(boots, [(1 - level) / 2, (1 + level) / 2])
        return float(point), float(lo), float(hi)

    point, g = _variance_ratios(citizens, strata, [primary_visit], n_boot, seed)
    out = {"icc": interval(point[0] / (point[0] + point[1] + 1.0), g[:, 0] / (g[:, 0] + g[:, 1] + 1.0))}
    out["cluster_autocorrelation"] = out["subject_autocorrelation"] = (0.0, 0.0, 0.0)
    if "who5_m0" in citizens and citizens["who5_m0"].notna().any():
        try:
            point, g = _variance_ratios(citizens, strata, [0, primary_visit], n_boot, seed)
        except NotEstimable:
            return out  # no caseworker variance over the two visits: rho_c 0 credits no cluster-level adjustment
        between, b_between = point[0] + point[2], g[:, 0] + g[:, 2]
        out["cluster_autocorrelation"] = interval(point[0] / between if between > 0 else 0.0,
                                                  np.where(b_between > 0, g[:, 0] / np.where(b_between > 0,
                                                                                            b_between, 1), 0.0))
        out["subject_autocorrelation"] = interval(point[1] / (point[1] + 1.0), g[:, 1] / (g[:, 1] + 1.0))
    return out


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


SENSITIVITY = {"sd": 0.15, "attrition": 0.10, "cv": 0.5}  # plausible ranges of the parameters without a CI


def sensitivity_settings(p: DesignParameters) -> list[tuple[str, str, float]]:
    """The one-at-a-time settings of :func:`sensitivity_table` as (parameter, end, value): the correlations at
    the ends of their 95% CIs (or, when set in the config, over a plausible range: ICC halved and doubled, the
    autocorrelations 0.2 either side), the SD 15% either side, attrition 10 points either side, and the CV of
    cluster size 50% either side."""
    values = p.as_dict()
    out = []
    for name in ("icc", "cluster_autocorrelation", "subject_autocorrelation", "sd", "attrition", "cv"):
        v = values[name]
        if not math.isfinite(v):
            continue
        if name in p.intervals:
            lo, hi = p.intervals[name]
        elif name == "icc":
            lo, hi = v / 2, min(2 * v, 0.99)
        elif name in ("cluster_autocorrelation", "subject_autocorrelation"):
            lo, hi = max(0.0, v - 0.2), min(1.0, v + 0.2)
        elif name == "attrition":
            lo, hi = max(0.0, v - SENSITIVITY[name]), min(0.95, v + SENSITIVITY[name])
        else:
            lo, hi = v * (1 - SENSITIVITY[name]), v * (1 + SENSITIVITY[name])
        # an end equal to the value itself (a CV of 0, a CI at a bound) changes nothing: left out
        out += [(name, end, float(x)) for end, x in (("low", lo), ("high", hi)) if x != v]
    return out


def sensitivity_table(p: DesignParameters, m: float, effects: list[float], power: float = 0.8,
                      alpha: float = 0.05) -> pd.DataFrame:
    """Caseworkers per arm needed at ``m`` citizens per caseworker for each effect, with every parameter at its
    estimate (``parameter`` "all", ``end`` "estimate") and with one parameter at a time at either end of its range
    (:func:`sensitivity_settings`)."""
    rows = []
    for name, end, value in [("all", "estimate", float("nan")), *sensitivity_settings(p)]:
        q = p if name == "all" else DesignParameters(**{**p.as_dict(), name: value})
        for d in effects:
            k = caseworkers_needed(q, m, d, power, alpha)
            rows.append({"parameter": name, "end": end, "value": value, "citizens_per_caseworker": m, "effect": d,
                         "caseworkers_per_arm": k, "citizens_total": None if k is None else int(round(2 * k * m))})
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
    """Simulated power per cell with its Monte Carlo SE, beside the analytic power of the same cell (``headline``:
    the cell is a headline sample size of the summary, when ``trials`` says so)."""
    rows = []
    for (cell, k, m, d), g in trials.groupby(["cell", "caseworkers_per_arm", "citizens_per_caseworker", "effect"]):
        ok = g[g["p_value"].notna()]
        pw = float(ok["rejected"].mean()) if len(ok) else float("nan")
        mcse = math.sqrt(pw * (1 - pw) / len(ok)) if len(ok) else float("nan")
        poisson = DesignParameters(**{**p.as_dict(), "cv": 1 / math.sqrt(m)})  # the simulation's Poisson sizes
        rows.append({"cell": int(cell), "caseworkers_per_arm": int(k), "citizens_per_caseworker": m, "effect": d,
                     "n_trials": len(g), "n_not_estimated": len(g) - len(ok), "simulated_power": pw,
                     "simulated_power_mcse": mcse, "analytic_power": analytic_power(poisson, int(k), m, d, alpha),
                     "headline": bool(g["headline"].any()) if "headline" in g else False})
    return pd.DataFrame(rows, columns=["cell", "caseworkers_per_arm", "citizens_per_caseworker", "effect", "n_trials",
                                       "n_not_estimated", "simulated_power", "simulated_power_mcse", "analytic_power",
                                       "headline"])


__all__ = ["DesignParameters", "trial_parameters", "analytic_power", "caseworkers_needed", "analytic_table",
           "noncentral_t_power", "smallest_k", "with_overrides",
           "simulated_power", "power_summary", "variance_of_difference", "design_components", "sensitivity_table",
           "sensitivity_settings"]
