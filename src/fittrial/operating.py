"""Operating characteristics by simulation: bias, empirical and model SE, coverage, type-I error, power.

Trials are generated from :class:`fittrial.simulate.SimulationParameters` by
the same data-generating model as :func:`fittrial.simulate.simulate_trial`
(WHO-5 as 4 x a 0-25 item sum; follow-up and items missing completely at
random; dropout with a caseworker random effect on the logit scale), but
directly as analysis data sets: no files, no visit windows. Each trial is
analysed by:

* ``primary``: the primary mixed model, 12-month contrast, Satterthwaite df;
* ``naive``: complete-case ANCOVA at 12 months by OLS with the classical
  (model-based) SE and n - p df, ignoring clustering;
* ``cluster_level``: the unweighted two-stage cluster-level analysis;
* ``dropout_gee``: GEE for dropout, Mancl-DeRouen covariance, t with K - p df
  (log odds ratio scale).

The estimand of ``dropout_gee`` is the marginal (population-averaged) log odds
ratio, computed from the conditional model by Gauss-Hermite integration over
the caseworker effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from .models import fit_binary_gee, fit_primary_lmm, t_inference
from .sensitivity import cluster_level
from .simulate import SimulationParameters

METHODS = ("primary", "naive", "cluster_level", "dropout_gee")


def simulate_analysis_data(params: SimulationParameters, rng: np.random.Generator
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One simulated trial as (citizens, who5_long) analysis data sets."""
    cws, strata = [], []
    arms = []
    for stratum, n_cw in params.strata.items():
        a = np.array([1] * (n_cw // 2) + [0] * (n_cw // 2) + ([int(rng.integers(0, 2))] if n_cw % 2 else []))
        arms.append(rng.permutation(a))
        strata += [stratum] * n_cw
    arm_cw = np.concatenate(arms)
    n_cw = len(arm_cw)
    cws = np.array([f"CW{k:03d}" for k in range(n_cw)])
    u = rng.normal(0, params.sd_caseworker, n_cw)
    w = rng.normal(0, params.sd_caseworker_logit, n_cw)
    n_per = np.maximum(1, rng.poisson(params.citizens_per_caseworker, n_cw))
    cw_idx = np.repeat(np.arange(n_cw), n_per)
    n = len(cw_idx)
    fit = arm_cw[cw_idx]
    v = rng.normal(0, params.sd_citizen, n)
    p_item_missing = 1 - (1 - params.missing_item) ** 5
    scores = {}
    for visit, mu in sorted(params.who5_mean.items()):
        latent = mu + params.effect.get(visit, 0.0) * fit + u[cw_idx] + v + rng.normal(0, params.sd_residual, n)
        score = 4.0 * np.clip(np.round(latent / 4), 0, 25)
        p_miss = params.missing_baseline if visit == 0 else params.missing_followup
        missing = rng.random(n) < 1 - (1 - p_miss) * (1 - p_item_missing)
        scores[visit] = np.where(missing, np.nan, score)
    p0 = params.prevalence["dropout"]
    lin = np.log(p0 / (1 - p0)) + np.log(params.odds_ratio["dropout"]) * fit + w[cw_idx]
    dropout = (rng.random(n) < special.expit(lin)).astype(float)
    base = scores.get(0, np.full(n, np.nan))
    base_mean = float(np.nanmean(base)) if np.isfinite(base).any() else 0.0
    citizens = pd.DataFrame({
        "citizen_id": [f"B{i:05d}" for i in range(n)], "caseworker_id": cws[cw_idx],
        "stratum": np.array(strata)[cw_idx], "fit": fit, **{f"who5_m{vis}": sc for vis, sc in scores.items()},
        "baseline_missing": np.isnan(base).astype(int), "baseline_who5": np.where(np.isnan(base), base_mean, base),
        "dropout": dropout})
    follow = sorted(vis for vis in scores if vis != 0)
    long = pd.concat([citizens.assign(visit=vis, who5=citizens[f"who5_m{vis}"]) for vis in follow])
    long = long[long["who5"].notna()][["citizen_id", "caseworker_id", "stratum", "fit", "visit", "who5",
                                        "baseline_who5", "baseline_missing"]]
    long = long.sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
    return citizens, long


def marginal_log_or(params: SimulationParameters) -> float:
    """Population-averaged log OR of dropout implied by the conditional simulation model."""
    x, wts = np.polynomial.hermite.hermgauss(40)
    u = np.sqrt(2) * params.sd_caseworker_logit * x
    p0 = params.prevalence["dropout"]
    base = np.log(p0 / (1 - p0))
    m0 = float(np.sum(wts * special.expit(base + u)) / np.sqrt(np.pi))
    m1 = float(np.sum(wts * special.expit(base + np.log(params.odds_ratio["dropout"]) + u)) / np.sqrt(np.pi))
    return float(special.logit(m1) - special.logit(m0))


def primary_visit_of(params: SimulationParameters) -> int:
    """The primary visit of a simulated schedule: 12 months if it has one, else its last visit."""
    visits = sorted(v for v in params.who5_mean if v != 0)
    return 12 if 12 in visits else visits[-1]


def naive_ancova(citizens: pd.DataFrame, visit: int = 12) -> tuple[float, float, float]:
    """OLS ANCOVA at ``visit`` ignoring clustering: (estimate, classical SE, residual df)."""
    col = f"who5_m{visit}"
    d = citizens[citizens[col].notna()]
    X = pd.get_dummies(d["stratum"], drop_first=True, dtype=float)
    X.insert(0, "baseline_who5", d["baseline_who5"])
    if d["baseline_missing"].nunique() > 1:
        X.insert(0, "baseline_missing", d["baseline_missing"].astype(float))
    X.insert(0, "fit", d["fit"].astype(float))
    res = sm.OLS(d[col].to_numpy(), sm.add_constant(X)).fit()
    return float(res.params["fit"]), float(res.bse["fit"]), float(res.df_resid)


def analyse_trial(citizens: pd.DataFrame, long: pd.DataFrame, visit: int = 12
                  ) -> dict[str, tuple[float, float, float, float, float, float]]:
    """(estimate, se, df, ci_low, ci_high, p) per method at ``visit`` (all NaN where not estimable)."""
    from .estimable import NotEstimable

    out = {}
    nan6 = (float("nan"),) * 6
    try:
        primary = next(c for c in fit_primary_lmm(long).contrasts if c.timepoint_months == visit)
        out["primary"] = (primary.estimate, primary.se, primary.df, primary.ci_low, primary.ci_high, primary.p_value)
    except NotEstimable:
        out["primary"] = nan6
    est, se, df = naive_ancova(citizens, visit)
    lo, hi, p = t_inference(est, se, df)
    out["naive"] = (est, se, df, lo, hi, p)
    cl = cluster_level(citizens, None, visit)[0]
    out["cluster_level"] = (cl.estimate, cl.se, cl.df, cl.ci_low, cl.ci_high, cl.p_value)
    g = fit_binary_gee(citizens, "dropout")
    b, se = float(g.params["fit"]), float(np.sqrt(g.cov.loc["fit", "fit"]))
    lo, hi, p = t_inference(b, se, g.df)
    out["dropout_gee"] = (b, se, g.df, lo, hi, p)
    return out


def run_chunk(params: SimulationParameters, n_trials: int, seed: int, scenario: str) -> pd.DataFrame:
    """Simulate and analyse ``n_trials`` trials; one row per trial and method."""
    rng = np.random.default_rng(seed)
    visit = primary_visit_of(params)
    effect = params.effect.get(visit, 0.0)
    truth = {"primary": effect, "naive": effect, "cluster_level": effect, "dropout_gee": marginal_log_or(params)}
    rows = []
    for t in range(n_trials):
        citizens, long = simulate_analysis_data(params, rng)
        for method, (est, se, df, lo, hi, p) in analyse_trial(citizens, long, visit).items():
            rows.append({"scenario": scenario, "seed": seed, "trial": t, "method": method, "truth": truth[method],
                         "estimate": est, "se": se, "df": df, "ci_low": lo, "ci_high": hi, "p_value": p})
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Operating characteristics per scenario and method, each with its Monte Carlo standard error.

    Coverage and rejection rates are proportions (MCSE sqrt(p(1-p)/n)); the
    MCSE of the bias is empirical SE / sqrt(n); of the empirical SE,
    empirical SE / sqrt(2(n-1)) (Morris, White & Crowther 2019).
    """
    rows = []
    for (scenario, method), g in results.groupby(["scenario", "method"], sort=True):
        g = g[np.isfinite(g["estimate"]) & np.isfinite(g["se"])]
        n = len(g)
        emp_se = float(g["estimate"].std(ddof=1))
        cover = float(((g["ci_low"] <= g["truth"]) & (g["truth"] <= g["ci_high"])).mean())
        reject = float((g["p_value"] < 0.05).mean())
        rows.append({
            "scenario": scenario, "method": method, "n_trials": n, "truth": float(g["truth"].iloc[0]),
            "bias": float(g["estimate"].mean() - g["truth"].iloc[0]), "bias_mcse": emp_se / np.sqrt(n),
            "empirical_se": emp_se, "empirical_se_mcse": emp_se / np.sqrt(2 * (n - 1)),
            "mean_model_se": float(g["se"].mean()), "mean_model_se_mcse": float(g["se"].std(ddof=1) / np.sqrt(n)),
            "coverage": cover, "coverage_mcse": float(np.sqrt(cover * (1 - cover) / n)),
            "rejection_rate": reject, "rejection_rate_mcse": float(np.sqrt(reject * (1 - reject) / n)),
            "rejection_is": "type_I_error" if g["truth"].iloc[0] == 0 else "power",
        })
    return pd.DataFrame(rows)


def oc_figure(summary: pd.DataFrame, png: str, svg: str | None = None) -> None:
    """Coverage and rejection rate (with 95% Monte Carlo intervals) by method and scenario."""
    from .figures import _save, plt

    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
        scenarios = list(dict.fromkeys(summary["scenario"]))
        methods = [m for m in METHODS if m in set(summary["method"])]
        for ax, (col, label, ref) in zip(axes, (("coverage", "Coverage of the 95% CI", 0.95),
                                                ("rejection_rate", "Rejection rate at 5%", 0.05))):
            for k, scen in enumerate(scenarios):
                s = summary[summary["scenario"] == scen].set_index("method").reindex(methods)
                y = np.arange(len(methods)) + (k - (len(scenarios) - 1) / 2) * 0.2
                ax.errorbar(s[col], y, xerr=1.96 * s[f"{col}_mcse"], fmt="o", capsize=2, label=scen)
            ax.axvline(ref, color="grey", ls=":")
            ax.set_yticks(np.arange(len(methods)), methods)
            ax.set_xlabel(label)
        axes[0].legend(frameon=False, fontsize=8, title="scenario")
        axes[1].set_title("type-I error under no effect, power otherwise", fontsize=8)
        fig.tight_layout()
        _save(fig, png, svg)


def scenario_parameters(base: dict, overrides: dict) -> SimulationParameters:
    """SimulationParameters from a base dict (the example trial's YAML) updated by a scenario's overrides."""
    data = {**base, **overrides}
    for key in ("who5_mean", "effect"):
        if key in data:
            data[key] = {int(k): float(v) for k, v in data[key].items()}
    for key in ("prevalence", "odds_ratio"):
        data[key] = {**base.get(key, {}), **overrides.get(key, {})} if key in base else data.get(key)
    return SimulationParameters(**{k: v for k, v in data.items() if v is not None})


__all__ = ["METHODS", "simulate_analysis_data", "analyse_trial", "run_chunk", "summarise", "oc_figure",
           "marginal_log_or", "scenario_parameters"]
