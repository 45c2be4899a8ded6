"""Design of the next trial for a binary course outcome (dropout and the others of
:data:`fittrial.inputs.dataset.BINARY_OUTCOMES`): analytic and simulated power for a target odds ratio.

**Parameters** (:func:`binary_trial_parameters`), estimated from the observed trial or set in the config's
``design.binary.parameters`` (each with its source):

* ``prevalence``: the proportion with the outcome in the control arm (citizens with it recorded);
* ``icc``: the caseworker ICC on the proportion scale, the one-way ANOVA estimator for binary data
  (Fleiss 1981; Donner & Klar 2000, eq. 3.3) with unequal cluster sizes, computed within arm x stratum so that
  neither the arm nor the stratum counts as caseworker variation, truncated at 0. (The report's ICC table gives
  the latent-scale ICC of a logistic model instead; the design effect below needs the proportion scale.);
* ``citizens_per_caseworker`` and ``cv`` of citizens enrolled per randomised caseworker;
* ``missing``: the share of enrolled citizens without the outcome recorded.

**Target**: an odds ratio FIT vs control, so the FIT arm's proportion is p1 = OR p0 / (1 - p0 + OR p0).

**Analytic power** (:func:`binary_power`) of the comparison of the two proportions with k caseworkers per arm
and m citizens enrolled per caseworker, of whom m' = m (1 - missing) have the outcome:

    Var(p1 - p0) = (p0 (1 - p0) + p1 (1 - p1)) DE / (k m'),   DE = 1 + ((cv^2 + 1) m' - 1) icc

and power = P(|T| > t_{1-alpha/2, 2k-2}) for T noncentral t with noncentrality (p1 - p0) / sqrt(Var). With
equal cluster sizes and the normal in place of the t this is Donner & Klar's formula, which R's ``CRTSize``
(``n4props``) implements (checked against it: tests/fixtures/r_crtsize.csv).

**Simulated power** (:func:`simulated_binary_power`) of the pre-specified analysis of a binary outcome
(:func:`fittrial.models.effects.fit_binary_gee`: exchangeable logit GEE with the configured small-sample sandwich
and t on caseworkers - parameters df). The trials are drawn from a model the GEE does not assume: each
caseworker's proportion is Beta-distributed around its arm's proportion with the given ICC (a beta-binomial
model, whose ICC on the proportion scale is 1 / (a + b + 1)); cluster sizes are Poisson (at least 1);
outcomes are missing completely at random. Every trial has its own seed, derived from (seed, "binary", cell,
trial).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from fittrial.design.power import noncentral_t_power, smallest_k, with_overrides

BINARY_PARAMETERS = ("prevalence", "icc", "citizens_per_caseworker", "cv", "missing")


@dataclass
class BinaryParameters:
    """Design parameters of one binary outcome, with the source of each ("trial" or "config")."""

    outcome: str
    prevalence: float
    icc: float
    citizens_per_caseworker: float
    cv: float
    missing: float
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("sources", "outcome")}


def anova_icc(y: np.ndarray, cluster: np.ndarray, group: np.ndarray) -> float:
    """One-way ANOVA ICC of a 0/1 outcome with clusters nested in groups (arm x stratum), unequal sizes:
    (MSB - MSW) / (MSB + (n0 - 1) MSW), with the between-cluster mean square about each group's mean and
    n0 = (N - sum_g sum_i n_i^2 / N_g) / (K - G); truncated at 0; NaN when there are no two clusters in a group
    or no citizen-level df."""
    frame = pd.DataFrame({"y": np.asarray(y, float), "c": cluster, "g": group})
    by = frame.groupby(["g", "c"], sort=True)["y"].agg(["size", "mean"]).reset_index()
    n_total, k, g = len(frame), len(by), by["g"].nunique()
    if k - g < 1 or n_total - k < 1:
        return float("nan")
    group_mean = frame.groupby("g")["y"].mean()
    group_n = frame.groupby("g").size()
    by["gm"] = by["g"].map(group_mean)
    by["gn"] = by["g"].map(group_n)
    msb = float((by["size"] * (by["mean"] - by["gm"]) ** 2).sum() / (k - g))
    msw = float((by["size"] * by["mean"] * (1 - by["mean"])).sum() / (n_total - k))
    n0 = float((n_total - (by["size"] ** 2 / by["gn"]).sum()) / (k - g))
    denominator = msb + (n0 - 1) * msw
    if denominator <= 0:
        return float("nan")
    return max(0.0, (msb - msw) / denominator)


def binary_trial_parameters(citizens: pd.DataFrame, randomisation: pd.DataFrame, outcome: str,
                            overrides: dict | None = None) -> BinaryParameters:
    """The parameters of ``outcome`` estimated from the trial (see the module docstring); a value in ``overrides``
    (config ``design.binary.parameters[outcome]``) replaces the estimate."""
    if outcome in citizens:
        recorded = citizens[citizens[outcome].notna()]
        y = recorded[outcome].astype(float)
        control = y[recorded["fit"].astype(int) == 0]
        prevalence = float(control.mean()) if len(control) else float("nan")
        groups = recorded["fit"].astype(str) + "|" + recorded["stratum"].astype(str)
        icc = anova_icc(y.to_numpy(), recorded["caseworker_id"].to_numpy(), groups.to_numpy())
        missing = float(citizens[outcome].isna().mean()) if len(citizens) else float("nan")
    else:
        prevalence = icc = missing = float("nan")
    sizes = citizens.groupby("caseworker_id").size().reindex(randomisation["caseworker_id"], fill_value=0)
    mean = float(sizes.mean()) if len(sizes) else float("nan")
    estimated = {"prevalence": prevalence, "icc": icc, "citizens_per_caseworker": mean,
                 "cv": float(sizes.std(ddof=1) / mean) if len(sizes) > 1 and mean > 0 else 0.0, "missing": missing}
    values, sources = with_overrides(estimated, overrides)
    return BinaryParameters(outcome, **values, sources=sources)


def treated_proportion(p0: float, odds_ratio: float) -> float:
    """The FIT arm's proportion when the control arm has ``p0`` and the odds ratio is ``odds_ratio``."""
    return odds_ratio * p0 / (1.0 - p0 + odds_ratio * p0)


def binary_variance(p: BinaryParameters, k: int, m: float, odds_ratio: float) -> float:
    """Var of the difference in proportions with k caseworkers per arm and m enrolled per caseworker."""
    p0 = p.prevalence
    p1 = treated_proportion(p0, odds_ratio)
    m_eff = max(m * (1.0 - p.missing), 1e-9)
    de = 1.0 + ((p.cv ** 2 + 1.0) * m_eff - 1.0) * p.icc
    return (p0 * (1 - p0) + p1 * (1 - p1)) * de / (k * m_eff)


def binary_power(p: BinaryParameters, k: int, m: float, odds_ratio: float, alpha: float = 0.05) -> float:
    """Analytic power for the odds ratio ``odds_ratio`` (two-sided, noncentral t on 2k - 2 df)."""
    diff = treated_proportion(p.prevalence, odds_ratio) - p.prevalence
    return noncentral_t_power(diff / math.sqrt(binary_variance(p, k, m, odds_ratio)), 2 * k - 2, alpha)


def usable(p: BinaryParameters) -> bool:
    """Whether the parameters of a binary outcome allow a power calculation (a proportion strictly between 0 and
    1, an ICC and a missing share)."""
    return all(math.isfinite(v) for v in (p.prevalence, p.icc, p.missing)) and 0 < p.prevalence < 1


def binary_table(parameters: list[BinaryParameters], sizes: list[float], odds_ratios: list[float],
                 power: float = 0.8, alpha: float = 0.05) -> pd.DataFrame:
    """Caseworkers per arm needed for each (outcome, citizens per caseworker, odds ratio)."""
    rows = []
    for p in parameters:
        ok = usable(p)
        for m in sizes:
            for o in odds_ratios:
                k = smallest_k(lambda k: binary_power(p, k, m, o, alpha), power) if ok else None
                rows.append({"outcome": p.outcome, "citizens_per_caseworker": m, "odds_ratio": o,
                             "control_proportion": p.prevalence,
                             "fit_proportion": treated_proportion(p.prevalence, o) if ok else float("nan"),
                             "caseworkers_per_arm": k, "citizens_total": None if k is None else int(round(2 * k * m)),
                             "power": None if k is None else binary_power(p, k, m, o, alpha)})
    return pd.DataFrame(rows)


def simulate_binary_trial(p: BinaryParameters, k: int, m: float, odds_ratio: float,
                          rng: np.random.Generator) -> pd.DataFrame:
    """One simulated trial of 2k caseworkers (k FIT) with beta-binomial outcomes (see the module docstring):
    columns caseworker_id, citizen_id, fit, stratum and ``outcome`` (0/1, NaN when missing)."""
    fit = np.repeat([1, 0], k)
    sizes = np.maximum(1, rng.poisson(m, 2 * k))
    mean = np.where(fit == 1, treated_proportion(p.prevalence, odds_ratio), p.prevalence)
    if p.icc > 0:
        scale = (1 - p.icc) / p.icc
        prob = rng.beta(mean * scale, (1 - mean) * scale)
    else:
        prob = mean
    cluster = np.repeat(np.arange(2 * k), sizes)
    y = (rng.random(cluster.size) < prob[cluster]).astype(float)
    y[rng.random(cluster.size) < p.missing] = np.nan
    return pd.DataFrame({"caseworker_id": [f"cw{c:04d}" for c in cluster],
                         "citizen_id": [f"c{i:06d}" for i in range(cluster.size)],
                         "fit": fit[cluster], "stratum": "S", "outcome": y})


def simulated_binary_power(p: BinaryParameters, k: int, m: float, odds_ratio: float, n_trials: int, seed: int,
                           cell: int, covariance: str = "mancl_derouen", alpha: float = 0.05,
                           first_trial: int = 0) -> pd.DataFrame:
    """Trials ``first_trial`` .. ``first_trial + n_trials - 1`` of one cell, each analysed by the pre-specified GEE:
    one row per trial (log odds ratio, its SE and df, p-value, rejected; NaN when the GEE is not estimable)."""
    from fittrial.models.effects import fit_binary_gee

    rows = []
    for trial in range(first_trial, first_trial + n_trials):
        rng = np.random.default_rng([seed, 2, cell, trial])  # 2: the binary grid, apart from the WHO-5 grid's seeds
        data = simulate_binary_trial(p, k, m, odds_ratio, rng)
        result = fit_binary_gee(data, "outcome", covariance, ["S"])
        c = next(c for c in result.contrasts if c.scale == "odds_ratio")
        est = math.log(c.estimate) if c.estimate > 0 else float("nan")
        rows.append({"cell": cell, "outcome": p.outcome, "caseworkers_per_arm": k, "citizens_per_caseworker": m,
                     "odds_ratio": odds_ratio, "trial": trial, "log_odds_ratio": est, "se": c.se, "df": c.df,
                     "p_value": c.p_value, "rejected": bool(pd.notna(c.p_value) and c.p_value < alpha)})
    return pd.DataFrame(rows)


def binary_power_summary(trials: pd.DataFrame, parameters: dict[str, BinaryParameters],
                         alpha: float = 0.05) -> pd.DataFrame:
    """Simulated power per cell with its Monte Carlo SE, beside the analytic power of the same cell (for the
    simulation's Poisson cluster sizes, cv = 1 / sqrt(m))."""
    rows = []
    keys = ["cell", "outcome", "caseworkers_per_arm", "citizens_per_caseworker", "odds_ratio"]
    for (cell, outcome, k, m, o), g in trials.groupby(keys, sort=True):
        ok = g[g["p_value"].notna()]
        pw = float(ok["rejected"].mean()) if len(ok) else float("nan")
        mcse = math.sqrt(pw * (1 - pw) / len(ok)) if len(ok) else float("nan")
        poisson = BinaryParameters(outcome, **{**parameters[outcome].as_dict(), "cv": 1 / math.sqrt(m)})
        rows.append({"cell": int(cell), "outcome": outcome, "caseworkers_per_arm": int(k),
                     "citizens_per_caseworker": m, "odds_ratio": o, "n_trials": len(g),
                     "n_not_estimated": len(g) - len(ok), "simulated_power": pw, "simulated_power_mcse": mcse,
                     "analytic_power": binary_power(poisson, int(k), m, o, alpha)})
    return pd.DataFrame(rows, columns=[*keys, "n_trials", "n_not_estimated", "simulated_power",
                                       "simulated_power_mcse", "analytic_power"])


__all__ = ["BinaryParameters", "anova_icc", "binary_trial_parameters", "treated_proportion", "binary_variance",
           "binary_power", "binary_table", "simulate_binary_trial", "simulated_binary_power", "binary_power_summary",
           "usable"]
