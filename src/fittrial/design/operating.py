"""Operating characteristics by simulation: bias, empirical and model SE, coverage, type-I error, power.

Trials are generated from :class:`fittrial.design.simulate.SimulationParameters` by
the data-generating model of :func:`fittrial.design.simulate.simulate_trial` (WHO-5
as 4 x a 0-25 item sum; follow-up and items missing completely at random;
dropout with a caseworker random effect on the logit scale), directly as
analysis data sets (no files, no visit windows), with optional
:class:`Departures` from that model that the analyses do not assume:
caseworkers that differ in their change after baseline, caseworker effects
that differ by visit, within-citizen correlation that decays over time
(AR(1)), a larger residual SD in the FIT arm, and follow-up missing not at
random in the FIT arm. Each trial is analysed by:

* ``primary``: the primary mixed model (caseworker, caseworker x visit and
  citizen intercepts), contrast at the primary visit, Kenward-Roger SE and df
  as pbkrtest (the default of the workflow);
* ``primary_satterthwaite``: the same with Satterthwaite df (lmerTest);
* ``clda``: the constrained longitudinal analysis;
* ``cluster_level``: the unweighted two-stage cluster-level analysis;
* ``naive``: complete-case ANCOVA by OLS with the classical SE and n - p df,
  ignoring clustering (shows what clustering costs);
* ``multiple_imputation``: MI (``mi_m`` imputations) + primary model + Rubin,
  on every ``mi_every``-th trial only (its cost);
* ``dropout_gee``: GEE for dropout, Mancl-DeRouen covariance, t with K - p df
  (log odds ratio scale);
* ``dropout_cox``: cause-specific Cox model of time to dropout, clustered
  robust SE, t with K - 1 - S df (log hazard ratio; only its rejection rate
  under no effect is judged: the simulation defines no true hazard ratio
  otherwise);
* ``subgroup_interaction``: the F-test of equal effects across the levels of
  a citizen characteristic with no true effect modification (rejection rate
  only).

The estimand of ``dropout_gee`` is the marginal (population-averaged) log odds
ratio, computed from the conditional model by Gauss-Hermite integration over
the caseworker effect.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from fittrial.analyses.sensitivity import clda, cluster_level, subgroup
from fittrial.design.simulate import Departures, SimulationParameters
from fittrial.models.effects import fit_binary_gee, fit_primary_lmm, t_inference

METHODS = ("primary", "primary_satterthwaite", "clda", "cluster_level", "multiple_imputation", "naive", "dropout_gee",
           "dropout_cox", "subgroup_interaction")


def simulate_analysis_data(params: SimulationParameters, rng: np.random.Generator,
                           departures: Departures | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One simulated trial as (citizens, who5_long) analysis data sets (see :class:`Departures`)."""
    dep = departures or Departures()
    strata: list[str] = []
    arms: list[np.ndarray] = []
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
    visits = sorted(params.who5_mean)
    g = rng.normal(0, dep.sd_caseworker_followup, n_cw) if dep.sd_caseworker_followup else np.zeros(n_cw)
    resid_sd = params.sd_residual * np.where(fit == 1, dep.residual_sd_ratio_fit, 1.0)
    if dep.ar1_rho > 0:  # citizen intercept + residual replaced by AR(1)-correlated errors of the same variance
        lag = np.abs(np.subtract.outer(visits, visits)) / 6.0
        corr = dep.ar1_rho ** lag
        sd_total = np.sqrt(params.sd_citizen ** 2 + params.sd_residual ** 2)
        errors = rng.multivariate_normal(np.zeros(len(visits)), corr * sd_total ** 2, n)
        errors *= np.where(fit == 1, dep.residual_sd_ratio_fit, 1.0)[:, None]
    scores = {}
    for k, visit in enumerate(visits):
        mu = params.who5_mean[visit]
        noise = errors[:, k] if dep.ar1_rho > 0 else v + rng.normal(0, 1, n) * resid_sd
        latent = mu + params.effect.get(visit, 0.0) * fit + u[cw_idx] + noise
        if visit != 0:
            latent = latent + g[cw_idx]
            if dep.sd_caseworker_visit:
                latent = latent + rng.normal(0, dep.sd_caseworker_visit, n_cw)[cw_idx]
        score = 4.0 * np.clip(np.round(latent / 4), 0, 25)
        p_miss = params.missing_baseline if visit == 0 else params.missing_followup
        p_form = np.full(n, 1 - (1 - p_miss) * (1 - p_item_missing))
        if visit != 0 and dep.mnar_slope:
            z = (latent - latent.mean()) / latent.std()
            shifted = special.expit(special.logit(p_form) + dep.mnar_slope * z)
            p_form = np.where(fit == 1, shifted, p_form)
        missing = rng.random(n) < p_form
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
        "dropout": dropout,
        # time to dropout: a dropout ends within the year (uniform), everyone else is followed for 365 days
        "time_days": np.where(dropout == 1, rng.integers(1, 366, n), 365).astype(float),
        "event_dropout": dropout.astype(int),
        "sex": np.where(rng.random(n) < 0.5, "F", "M"), "age": rng.integers(18, 80, n).astype(float)})
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


def _row(c) -> tuple[float, float, float, float, float, float]:
    return (c.estimate, c.se, c.df, c.ci_low, c.ci_high, c.p_value)


NAN6 = (float("nan"),) * 6


def analyse_trial(citizens: pd.DataFrame, long: pd.DataFrame, visit: int = 12, mi_m: int = 0, mi_seed: int = 0
                  ) -> dict[str, tuple[float, float, float, float, float, float]]:
    """(estimate, se, df, ci_low, ci_high, p) per method at ``visit`` (all NaN where not estimable).

    ``mi_m`` > 0 adds the multiple imputation with that many imputations.
    """
    from fittrial.analyses.imputation import multiple_imputation
    from fittrial.analyses.survival import cox_dropout
    from fittrial.models.estimable import NotEstimable

    out = {}
    visits = tuple(sorted(int(c.removeprefix("who5_m")) for c in citizens.columns if c.startswith("who5_m")))
    try:
        result = fit_primary_lmm(long, None, "kenward_roger")
        primary = next(c for c in result.contrasts if c.timepoint_months == visit)
        out["primary"] = _row(primary)
        sat = result.infer(result.arm_contrast(visit), "satterthwaite")
        lo, hi, p = t_inference(sat.estimate, sat.se, sat.df)
        out["primary_satterthwaite"] = (sat.estimate, sat.se, sat.df, lo, hi, p)
    except NotEstimable:
        out["primary"] = out["primary_satterthwaite"] = NAN6
    rows = [c for c in clda(citizens, None, "kenward_roger", visits) if c.timepoint_months == visit]
    out["clda"] = _row(rows[0]) if rows else NAN6
    est, se, df = naive_ancova(citizens, visit)
    lo, hi, p = t_inference(est, se, df)
    out["naive"] = (est, se, df, lo, hi, p)
    cl = cluster_level(citizens, None, visit)[0]
    out["cluster_level"] = _row(cl)
    g = fit_binary_gee(citizens, "dropout")
    b, se = float(g.params["fit"]), float(np.sqrt(g.cov.loc["fit", "fit"]))
    lo, hi, p = t_inference(b, se, g.df)
    out["dropout_gee"] = (b, se, g.df, lo, hi, p)
    # the report's rule: its p-value by re-randomising the caseworkers (999 allocations, the trial's seed)
    cox = cox_dropout(citizens.assign(event=citizens["event_dropout"]), None, visit, 365, 999, mi_seed)
    out["dropout_cox"] = (np.log(cox.estimate), np.nan, cox.df, np.nan, np.nan, cox.p_value) \
        if np.isfinite(cox.estimate) else NAN6
    sub = [c for c in subgroup(long, citizens, "sex", [30, 50], None, "kenward_roger", visit)
           if np.isfinite(c.p_interaction)]
    out["subgroup_interaction"] = (np.nan, np.nan, np.nan, np.nan, np.nan, sub[0].p_interaction) if sub else NAN6
    if mi_m:
        mi = multiple_imputation(citizens, mi_m, mi_seed, None, np.array([0.0]), visit, visits)
        row = next(c for c in mi.rows if c.timepoint_months == visit)
        out["multiple_imputation"] = _row(row)
    return out


def scenario_key(scenario: str) -> int:
    """A number that names a scenario (from its name, so adding or removing other scenarios changes nothing)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(scenario.encode("utf-8")).digest()[:4], "big")


def run_chunk(params: SimulationParameters, n_trials: int, seed: int, scenario: str,
              departures: Departures | None = None, first_trial: int = 0) -> pd.DataFrame:
    """Simulate and analyse trials ``first_trial`` .. ``first_trial + n_trials - 1`` of a scenario; one row per
    trial and method. Every trial draws from its own generator, seeded by (seed, scenario, trial number), so a
    study gives the same results however it is split into chunks (jobs)."""
    dep = departures or Departures()
    visit = primary_visit_of(params)
    effect = params.effect.get(visit, 0.0)
    null_dropout = params.odds_ratio["dropout"] == 1.0
    truth = {"primary": effect, "primary_satterthwaite": effect, "clda": effect, "naive": effect,
             "cluster_level": effect, "multiple_imputation": effect, "dropout_gee": marginal_log_or(params),
             "dropout_cox": 0.0 if null_dropout else float("nan"), "subgroup_interaction": 0.0}
    rows = []
    key = scenario_key(scenario)
    for t in range(first_trial, first_trial + n_trials):
        rng = np.random.default_rng([seed, key, t])
        citizens, long = simulate_analysis_data(params, rng, dep)
        mi_m = dep.mi_m if dep.mi_every and t % dep.mi_every == 0 else 0
        analysed = analyse_trial(citizens, long, visit, mi_m, int(rng.integers(2**31)))
        for method, (est, se, df, lo, hi, p) in analysed.items():
            rows.append({"scenario": scenario, "seed": seed, "trial": t, "method": method, "truth": truth[method],
                         "estimate": est, "se": se, "df": df, "ci_low": lo, "ci_high": hi, "p_value": p})
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Operating characteristics per scenario and method, each with its Monte Carlo standard error.

    Coverage and rejection rates are proportions (MCSE sqrt(p(1-p)/n)); the
    MCSE of the bias is empirical SE / sqrt(n); of the empirical SE,
    empirical SE / sqrt(2(n-1)) (Morris, White & Crowther 2019). A method
    that reports only a p-value (``subgroup_interaction``) or has no defined
    truth (``dropout_cox`` under an effect) has only its rejection rate.
    ``model_se_ratio`` is the mean model SE over the empirical SE. A trial
    whose analysis was not estimable counts in ``n_not_estimated``.
    """
    rows = []
    for (scenario, method), g in results.groupby(["scenario", "method"], sort=True):
        tested = g[np.isfinite(g["p_value"])]
        est = g[np.isfinite(g["estimate"])]
        with_ci = g[np.isfinite(g["ci_low"]) & np.isfinite(g["ci_high"]) & np.isfinite(g["truth"])]
        truth = float(g["truth"].iloc[0])
        n, n_est = len(tested), len(est)
        emp_se = float(est["estimate"].std(ddof=1)) if n_est > 1 else float("nan")
        model_se = float(est["se"].mean()) if n_est and est["se"].notna().any() else float("nan")
        cover = float(((with_ci["ci_low"] <= with_ci["truth"]) & (with_ci["truth"] <= with_ci["ci_high"])).mean()) \
            if len(with_ci) else float("nan")
        reject = float((tested["p_value"] < 0.05).mean()) if n else float("nan")
        rows.append({
            "scenario": scenario, "method": method, "n_trials": n, "n_not_estimated": int(len(g) - n),
            "truth": truth,
            "bias": float(est["estimate"].mean() - truth) if n_est and np.isfinite(truth) else float("nan"),
            "bias_mcse": emp_se / np.sqrt(n_est) if n_est and np.isfinite(truth) else float("nan"),
            "empirical_se": emp_se, "empirical_se_mcse": emp_se / np.sqrt(2 * (n_est - 1)) if n_est > 1 else
            float("nan"),
            "mean_model_se": model_se, "model_se_ratio": model_se / emp_se if emp_se else float("nan"),
            "coverage": cover,
            "coverage_mcse": float(np.sqrt(cover * (1 - cover) / len(with_ci))) if len(with_ci) else float("nan"),
            "rejection_rate": reject, "rejection_rate_mcse": float(np.sqrt(reject * (1 - reject) / n)) if n else
            float("nan"),
            "rejection_is": "type_I_error" if truth == 0 else ("power" if np.isfinite(truth) else "rejection"),
        })
    return pd.DataFrame(rows)


def oc_figure(summary: pd.DataFrame, png: str, svg: str | None = None) -> None:
    """Rejection rate at 5% (with 95% Monte Carlo intervals) by scenario, one panel per method.

    Under a no-effect scenario the rate is the type-I error (the band marks
    the 4-6% target); under an effect, the power.
    """
    from fittrial.report.figures import _save, plt

    methods = [m for m in METHODS if m in set(summary["method"])]
    scenarios = sorted(set(summary["scenario"]), key=lambda x: (not x.startswith("no_effect"), x))
    ncol = 3
    nrow = int(np.ceil(len(methods) / ncol))
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 8}):
        fig, axes = plt.subplots(nrow, ncol, figsize=(11, 1.0 + 0.22 * len(scenarios) * nrow), sharey=True,
                                 squeeze=False)
        y = np.arange(len(scenarios))
        for ax, method in zip(axes.flat, methods):
            s = summary[summary["method"] == method].set_index("scenario").reindex(scenarios)
            ax.axvspan(0.04, 0.06, color="#dddddd", zorder=0)
            ax.errorbar(s["rejection_rate"], y, xerr=1.96 * s["rejection_rate_mcse"], fmt="o", ms=3, capsize=2,
                        color="#1b6ca8")
            ax.set_title(method, fontsize=8)
            ax.set_xlim(0, max(0.3, float(np.nanmax(s["rejection_rate"].to_numpy(float), initial=0)) + 0.05))
            ax.set_yticks(y, scenarios)
            ax.invert_yaxis()
        for ax in list(axes.flat)[len(methods):]:
            ax.axis("off")
        fig.supxlabel("Rejection rate at the 5% level (type-I error under no effect, power otherwise); "
                      "grey band: 4-6%", fontsize=8)
        fig.tight_layout()
        _save(fig, png, svg)


def trial_simulation_parameters(citizens: pd.DataFrame, randomisation: pd.DataFrame, variance: pd.DataFrame,
                                visits: list[int], primary_visit: int, seed: int = 0) -> dict:
    """The base trial of a simulation study (:class:`SimulationParameters` as a plain dict) estimated from this
    trial's analysis data, so that ``snakemake validate`` studies the user's own design, not the bundled one.

    * ``strata``: the caseworkers randomised in each stratum; ``citizens_per_caseworker``: the mean number
      enrolled per randomised caseworker (the simulator draws Poisson sizes around it, at least one);
    * ``who5_mean``: the control arm's observed mean at each visit of the schedule (a visit without data takes
      the mean over visits; without a baseline visit, a baseline with ``missing_baseline`` 1 is simulated, so
      the analyses see no baseline, as in the trial); ``effect``: 0 at every follow-up;
    * ``sd_caseworker``, ``sd_citizen``, ``sd_residual``: the total variance of the outcome at the primary visit
      split by the primary model's ICC (caseworker and caseworker x visit components over all four) and the
      correlation of a citizen's baseline and primary-visit values (0 without a baseline);
    * ``prevalence`` of dropout in the control arm (0.25 when not recorded); ``missing_baseline`` and
      ``missing_followup``: the shares of enrolled citizens without a baseline and without a primary-visit
      value; ``missing_item`` 0 (forms here are scored or missing).
    """
    sizes = citizens.groupby("caseworker_id").size().reindex(randomisation["caseworker_id"], fill_value=0)
    control = citizens[citizens["fit"] == 0]
    columns = {v: f"who5_m{v}" for v in visits}
    means = {v: float(control[c].mean()) for v, c in columns.items() if c in control and control[c].notna().any()}
    overall = float(np.mean(list(means.values()))) if means else 50.0
    who5_mean = {int(v): round(means.get(v, overall), 4) for v in visits}
    has_baseline = 0 in visits and "who5_m0" in citizens and citizens["who5_m0"].notna().any()
    if 0 not in who5_mean:
        who5_mean[0] = round(overall, 4)
    primary = citizens.get(f"who5_m{primary_visit}", pd.Series(dtype=float)).astype(float)
    total = float(primary.var(ddof=1)) if primary.notna().sum() > 2 else 400.0
    comp = dict(zip(variance["component"], pd.to_numeric(variance["variance"], errors="coerce")))
    parts = [0.0 if pd.isna(comp.get(k)) else float(comp[k]) for k in
             ("caseworker (cluster)", "caseworker x visit", "citizen within caseworker", "residual")]
    icc = (parts[0] + parts[1]) / sum(parts) if sum(parts) > 0 else 0.0
    rho = 0.0
    if has_baseline:
        pairs = citizens[["who5_m0", f"who5_m{primary_visit}"]].dropna()
        rho = float(max(pairs.corr().iloc[0, 1], 0.0)) if len(pairs) > 2 else 0.0
    dropout = control["dropout"].astype(float) if "dropout" in control else pd.Series(dtype=float)
    p0 = float(dropout.mean()) if dropout.notna().any() else 0.25
    p0 = min(max(p0, 0.01), 0.99)
    cps = float(sizes.mean()) if len(sizes) else 1.0
    strata = {str(k): int(v) for k, v in randomisation.groupby("stratum").size().items()}
    timing = {int(v): (int(round(30.4375 * v)), 0) for v in who5_mean}
    return {
        "seed": int(seed), "strata": strata, "citizens_per_caseworker": round(max(cps, 1.0), 4),
        "who5_mean": who5_mean, "effect": {int(v): 0.0 for v in who5_mean if v != 0},
        "sd_caseworker": round(float(np.sqrt(icc * total)), 4),
        "sd_citizen": round(float(np.sqrt((1 - icc) * total * rho)), 4),
        "sd_residual": round(float(np.sqrt((1 - icc) * total * (1 - rho))), 4),
        "prevalence": {"dropout": round(p0, 4)}, "odds_ratio": {"dropout": 1.0},
        "missing_baseline": round(float(citizens["who5_m0"].isna().mean()), 4) if has_baseline else 1.0,
        "missing_followup": round(float(primary.isna().mean()), 4) if len(primary) else 0.0,
        "missing_item": 0.0, "visit_timing": timing,
    }


def simulated_caseworkers(base: dict, overrides: dict | None = None) -> int:
    """The caseworkers of a scenario's simulated trials (its ``strata``, else the base's)."""
    strata = (overrides or {}).get("strata") or base.get("strata") or SimulationParameters().strata
    return int(sum(int(v) for v in strata.values()))


def scenario_parameters(base: dict, overrides: dict) -> tuple[SimulationParameters, Departures]:
    """SimulationParameters from a base dict (the example trial's YAML) updated by a scenario's overrides, and
    the scenario's :class:`Departures` (its keys of that class)."""
    departure_keys = {f.name for f in fields(Departures)}
    departures = Departures(**{k: v for k, v in overrides.items() if k in departure_keys})
    overrides = {k: v for k, v in overrides.items() if k not in departure_keys}
    data = {**base, **overrides}
    effect = data.get("effect")
    if isinstance(effect, (int, float)):
        effect = {"all": effect}
    if isinstance(effect, dict) and "all" in effect:  # one effect at every follow-up; a visit named overrides it
        visits = base.get("who5_mean") or SimulationParameters().who5_mean
        every = {int(v): float(effect["all"]) for v in visits if int(v) != 0}
        data["effect"] = {**every, **{int(k): float(v) for k, v in effect.items() if k != "all"}}
    for key in ("who5_mean", "effect"):
        if key in data:
            data[key] = {int(k): float(v) for k, v in data[key].items()}
    if "visit_timing" in data:
        data["visit_timing"] = {int(k): (int(v[0]), int(v[1])) for k, v in data["visit_timing"].items()}
    for key in ("prevalence", "odds_ratio"):
        data[key] = {**base.get(key, {}), **overrides.get(key, {})} if key in base else data.get(key)
    known = {f.name for f in fields(SimulationParameters)}
    return SimulationParameters(**{k: v for k, v in data.items() if v is not None and k in known}), departures


__all__ = ["METHODS", "Departures", "simulate_analysis_data", "analyse_trial", "run_chunk", "summarise",
           "oc_figure", "marginal_log_or", "scenario_parameters", "trial_simulation_parameters", "simulated_caseworkers"]
