"""The models against R reference values (tests/reference/make_reference.R, outputs committed).

Tolerances:
* Satterthwaite df (lmerTest): 0.1% relative; Kenward-Roger (pbkrtest): SE 1e-5, df 0.1% relative;
  estimated marginal means (emmeans): 1e-3 points, SE 0.1%, df 1%.
* The primary model has random intercepts for caseworker, caseworker x visit and citizen
  (lme4: (1 | caseworker_id) + (1 | caseworker_id:visit) + (1 | caseworker_id:citizen_id)).
* LMM fixed effects and FIT-control contrasts: 1e-4 WHO-5 points absolute (issue 9's bar);
  REML optimisers stop at slightly different points, seen ~1e-6.
* LMM standard errors (conditional on the variance parameters, as lme4): 1e-4 relative.
* Variance components: 1e-3 relative, or 1e-3 absolute near the boundary (zero).
* GEE log odds ratio: 1e-5 absolute (so OR to ~1e-5 relative); working
  correlation 1e-5; sandwich and Mancl-DeRouen SEs: 1e-5 relative.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import stats

from fittrial.models.effects import fit_binary_gee, fit_primary_lmm
from fittrial.models.smallsample import kenward_roger

CASES = sorted(p.name for p in (ROOT / "tests" / "fixtures" / "reference").iterdir() if p.is_dir())
IDS = {"citizen_id": str, "caseworker_id": str, "stratum": str}


def load(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    d = ROOT / "tests" / "fixtures" / "reference" / case
    refs = {n: pd.read_csv(d / f"r_{n}.csv") for n in ("lmm_fixef", "lmm_vc", "lmm_contrast", "gee", "emmeans")}
    return pd.read_csv(d / "long.csv", dtype=IDS), pd.read_csv(d / "citizens.csv", dtype=IDS), refs


R_TERMS = {"(Intercept)": "intercept", "fit": "fit", "visit12": "visit[12]", "fit:visit12": "fit:visit[12]",
           "baseline_who5": "baseline_who5", "baseline_missing": "baseline_missing"}


@pytest.fixture(scope="module", params=CASES)
def lmm_case(request):
    long, _, refs = load(request.param)
    return fit_primary_lmm(long), refs


def test_reference_cases_exist():
    assert len(CASES) >= 3


def test_lmm_contrasts_match_lme4(lmm_case):
    result, refs = lmm_case
    ref = refs["lmm_contrast"].set_index("timepoint_months")
    for c in result.contrasts:  # Kenward-Roger (the default): the adjusted SE, as pbkrtest
        assert c.estimate == pytest.approx(ref.loc[c.timepoint_months, "estimate"], abs=1e-4)
        assert c.se == pytest.approx(ref.loc[c.timepoint_months, "se_kr"], rel=1e-4)
        L = result.arm_contrast(c.timepoint_months)
        conditional = float(np.sqrt(L @ result.cov @ L))  # lme4's SE, conditional on the variance parameters
        assert conditional == pytest.approx(ref.loc[c.timepoint_months, "se"], rel=1e-4)


def test_lmm_fixed_effects_match_lme4(lmm_case):
    result, refs = lmm_case
    for _, r in refs["lmm_fixef"].iterrows():
        name = R_TERMS.get(r["term"]) or r["term"].replace("stratum", "stratum[") + "]"
        assert result.params[name] == pytest.approx(r["estimate"], abs=1e-4), name
        assert np.sqrt(result.cov.loc[name, name]) == pytest.approx(r["se"], rel=1e-4), name


def test_lmm_variance_components_match_lme4(lmm_case):
    result, refs = lmm_case
    vc = refs["lmm_vc"].set_index("component")["variance"]
    assert result.fit.free == (True, True, True)
    for ours, theirs in ((result.var_caseworker, "caseworker_id"), (result.var_citizen, "caseworker_id:citizen_id"),
                         (result.var_cw_visit, "caseworker_id:visit"), (result.var_residual, "Residual")):
        assert ours == pytest.approx(vc[theirs], rel=1e-3, abs=1e-3), theirs
    assert result.reml_criterion == pytest.approx(refs["lmm_vc"]["reml_criterion"].iloc[0], abs=1e-6)


def test_lmm_between_within_df(lmm_case):
    result, _ = lmm_case
    n_between = 2 + sum(1 for k in result.params.index if k.startswith("stratum["))
    for v in (6, 12):
        assert result.infer(result.arm_contrast(v), "between_within").df == result.n_clusters - n_between


def test_lmm_satterthwaite_df_match_lmertest(lmm_case):
    """Tolerance: 1% (the issue's bar); seen ~3e-6 relative."""
    result, refs = lmm_case
    ref = refs["lmm_contrast"].set_index("timepoint_months")
    for v in (6, 12):
        df = result.infer(result.arm_contrast(v), "satterthwaite").df  # as lmerTest: not capped
        assert df == pytest.approx(ref.loc[v, "df_satterthwaite"], rel=1e-3)


def test_lmm_kenward_roger_matches_pbkrtest(lmm_case):
    """Adjusted SE: 1e-5 relative; df: 1e-3 relative (seen ~1e-6 for both). The reported SE and df are
    pbkrtest's (the default rule since issue 24); kenward_roger_capped caps the df at the between-within df."""
    result, refs = lmm_case
    ref = refs["lmm_contrast"].set_index("timepoint_months")
    for v in (6, 12):
        L = result.arm_contrast(v).to_numpy()
        raw = kenward_roger(result.model, result.fit, L)
        assert raw.se == pytest.approx(ref.loc[v, "se_kr"], rel=1e-5)
        assert raw.df == pytest.approx(ref.loc[v, "df_kr"], rel=1e-3)
        reported = result.infer(result.arm_contrast(v), "kenward_roger")
        assert reported.se == raw.se and reported.df == raw.df
        capped = result.infer(result.arm_contrast(v), "kenward_roger_capped")
        assert capped.se == raw.se and capped.df == min(raw.df, result.df)
        # the published p-value: the t-test on pbkrtest's SE and df (KRmodcomp's F(1, ddf) of one contrast)
        row = next(c for c in result.contrasts if c.timepoint_months == v)
        p_r = 2 * stats.t.sf(abs(ref.loc[v, "estimate"] / ref.loc[v, "se_kr"]), ref.loc[v, "df_kr"])
        assert row.p_value == pytest.approx(p_r, rel=1e-4) and row.df == pytest.approx(ref.loc[v, "df_kr"], rel=1e-3)


def test_emmeans_match_r(lmm_case):
    result, refs = lmm_case
    ref = refs["emmeans"]  # emmeans with lmer.df = "satterthwaite"
    ours = dataclasses.replace(result, df_method="satterthwaite").emmeans([6, 12])
    for _, r in ref.iterrows():
        row = ours[(ours.arm == ("FIT" if r["fit"] == 1 else "control")) & (ours.visit_months == r["visit"])].iloc[0]
        assert row["emmean"] == pytest.approx(r["emmean"], abs=1e-3)
        assert row["se"] == pytest.approx(r["se"], rel=1e-3)
        assert row["df"] == pytest.approx(r["df"], rel=1e-2)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("covariance,column", [("robust", "se_sandwich"), ("mancl_derouen", "se_mancl_derouen"),
                                               ("kauermann_carroll", "se_kauermann_carroll")])
def test_gee_matches_geepack(case, covariance, column):
    _, citizens, refs = load(case)
    for _, r in refs["gee"].iterrows():
        res = fit_binary_gee(citizens, r["outcome"], covariance)
        assert res.params["fit"] == pytest.approx(r["log_or"], abs=1e-5), r["outcome"]
        odds = next(c for c in res.contrasts if c.scale == "odds_ratio")
        assert odds.estimate == pytest.approx(np.exp(r["log_or"]), rel=1e-5)
        assert res.working_correlation == pytest.approx(r["alpha"], abs=1e-5)
        assert np.sqrt(res.cov.loc["fit", "fit"]) == pytest.approx(r[column], rel=1e-5), r["outcome"]
        assert res.n_citizens == r["n"] and res.n_clusters == r["clusters"]


def test_gee_inference_is_t_based_with_clusters_minus_parameters_df():
    _, citizens, _ = load("small_clustered")
    res = fit_binary_gee(citizens, "dropout")
    odds, rd, rr = res.contrasts
    assert odds.df == res.n_clusters - 3  # intercept, fit, one stratum dummy
    from scipy import stats
    t = np.log(odds.estimate) / odds.se
    assert odds.p_value == pytest.approx(2 * stats.t.sf(abs(t), odds.df))
    half = stats.t.ppf(0.975, odds.df) * odds.se
    assert odds.ci_low == pytest.approx(np.exp(np.log(odds.estimate) - half))
    assert rd.ci_low < rd.estimate < rd.ci_high
    assert rd.estimate == pytest.approx(res.risk_fit - res.risk_control)
    assert rr.estimate == pytest.approx(res.risk_fit / res.risk_control)
    assert rr.ci_low < rr.estimate < rr.ci_high


def test_own_sandwich_matches_statsmodels():
    """gee_sandwich reproduces statsmodels' robust and bias-reduced (Mancl-DeRouen) covariances."""
    import statsmodels.api as sm
    from statsmodels.genmod.cov_struct import Exchangeable
    from statsmodels.genmod.generalized_estimating_equations import GEE

    from fittrial.models.effects import gee_sandwich

    _, citizens, _ = load("four_strata")
    d = citizens[citizens["stable_income_12m"].notna()].sort_values(["caseworker_id", "citizen_id"])
    X = np.column_stack([np.ones(len(d)), d["fit"], pd.get_dummies(d["stratum"], drop_first=True, dtype=float)])
    y = d["stable_income_12m"].to_numpy(float)
    groups = pd.factorize(d["caseworker_id"])[0]
    for cov_type, kind in (("robust", "robust"), ("bias_reduced", "mancl_derouen")):
        model = GEE(y, X, groups=groups, family=sm.families.Binomial(), cov_struct=Exchangeable())
        res = model.fit(ddof_scale=0, cov_type=cov_type)
        ours = gee_sandwich(X, y, groups, res.params, float(model.cov_struct.dep_params), res.scale, kind)
        np.testing.assert_allclose(ours, res.cov_params(), rtol=1e-8)


def test_lmm_reml_criterion_not_worse_than_lme4(lmm_case):
    """Our optimum is at least as good as lme4's (lower criterion = higher restricted likelihood)."""
    result, refs = lmm_case
    assert result.reml_criterion <= refs["lmm_vc"]["reml_criterion"].iloc[0] + 1e-6


def test_lmm_agrees_with_statsmodels_mixedlm_in_the_interior():
    """Away from the boundary, statsmodels' MixedLM finds the same REML fit."""
    import statsmodels.formula.api as smf

    from fittrial.models.effects import fit_lmm, prepare_lmm

    long, _, _ = load("trial_like")
    data, X, between, _ = prepare_lmm(long, None, None, "follow-up WHO-5")
    ours = fit_lmm(data, X, between, cw_visit=False)  # the nested model: statsmodels does not converge with
    # the caseworker x visit term on this set (lme4 does; see the tests above)
    model = smf.mixedlm("who5 ~ fit * C(visit) + baseline_who5 + baseline_missing + C(stratum)", long,
                        groups="caseworker_id", re_formula="1", vc_formula={"citizen": "0 + C(citizen_id)"})
    sm_fit = model.fit(reml=True)
    assert ours.params["fit"] == pytest.approx(sm_fit.fe_params["fit"], abs=1e-3)
    assert ours.var_residual == pytest.approx(sm_fit.scale, rel=1e-3)


def test_separated_outcome_is_reported_as_not_estimable():
    _, citizens, _ = load("small_clustered")
    citizens = citizens.copy()
    citizens.loc[citizens["fit"] == 1, "dropout"] = 0
    res = fit_binary_gee(citizens, "dropout")
    assert all(np.isnan(c.estimate) for c in res.contrasts)
    assert all("complete separation" in c.not_estimated for c in res.contrasts)


def test_lmm_without_any_baseline_drops_the_adjustment():
    long, _, _ = load("small_clustered")
    long = long.assign(baseline_who5=0.0, baseline_missing=1)
    res = fit_primary_lmm(long)
    assert "baseline_who5" not in res.params and "baseline_missing" not in res.params
    assert all(np.isfinite(c.estimate) and c.se > 0 for c in res.contrasts)


def test_gee_falls_back_to_independence_when_exchangeable_is_inadmissible():
    """A trial found by tools/compare_with_r.py: 21 caseworkers (up to 28 citizens), eviction in 7%.
    statsmodels' exchangeable iteration oscillates and geepack stops at alpha = -0.039, below the
    -1/27 at which the largest caseworker's working correlation stops being positive definite. The
    fallback is the independence working correlation, stated in the method."""
    import tempfile

    import statsmodels.api as sm
    from conftest import SCHEMA_DIR, VISITS

    from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
    from fittrial.inputs.dataset import build_analysis_data
    from fittrial.inputs.read import read_table
    from fittrial.inputs.scoring import windows_from_config
    from fittrial.inputs.validation import load_schema, validate_inputs

    params = SimulationParameters(
        seed=100005, strata={"S0": 21}, citizens_per_caseworker=16.489329957659315,
        effect={6: -0.30635365174878626, 12: -5.016746647894523}, sd_caseworker=8.0,
        sd_citizen=13.024537777168682,
        odds_ratio={"dropout": 1.1522772919531794, "completed": 1.1812280457115343,
                    "kept_housing_12m": 0.8952782749259871, "eviction_or_risk_12m": 0.7588980549917532,
                    "stable_income_12m": 1.4285534033846348},
        sd_caseworker_logit=0.0102648748243106, missing_baseline=0.06798781900774101,
        missing_followup=0.36006221171685576)
    schemas = {n: load_schema(SCHEMA_DIR / f"{n}.schema.yaml") for n in ("randomisation", "citizens", "who5",
                                                                          "fit_sessions")}
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_trial(simulate_trial(params), tmp)
        trial = validate_inputs({n: read_table(q, n) for n, q in paths.items()}, schemas)
    citizens, _, _ = build_analysis_data(trial, windows_from_config(VISITS))
    res = fit_binary_gee(citizens, "eviction_or_risk_12m")
    assert res.working_correlation == 0.0
    assert all("independence" in c.method for c in res.contrasts)
    # the independence GEE point estimate is ordinary logistic regression
    d = citizens[citizens["eviction_or_risk_12m"].notna()]
    glm = sm.GLM(d["eviction_or_risk_12m"].astype(float), sm.add_constant(d["fit"].astype(float)),
                 family=sm.families.Binomial()).fit()
    assert res.params["fit"] == pytest.approx(glm.params["fit"], abs=1e-6)
    # other outcomes of the same trial keep the exchangeable correlation
    assert fit_binary_gee(citizens, "dropout").working_correlation != 0.0
