"""Sensitivity analyses against R reference values (tests/reference/make_reference.R).

Tolerances: CLDA and subgroup contrasts (lmerTest on the same design): estimate
1e-3 points, SE 1e-3 relative, Satterthwaite df 1% relative; interaction
F-test p-value 1e-3 absolute. CR2 SE (clubSandwich): 1e-6 relative; its
Bell-McCaffrey df 1e-6 relative. Cox log hazard ratio (survival): 1e-4
absolute, robust SE 1e-4 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from fittrial.analyses.sensitivity import ancova_cr2, clda_design, cluster_level, cr2, subgroup_design
from fittrial.analyses.survival import cox_dropout
from fittrial.models.effects import fit_lmm
from fittrial.models.smallsample import satterthwaite_f

CASES = sorted(p.name for p in (ROOT / "tests" / "fixtures" / "reference").iterdir() if p.is_dir())
IDS = {"citizen_id": str, "caseworker_id": str, "stratum": str, "sex": str}


def load(case: str):
    d = ROOT / "tests" / "fixtures" / "reference" / case
    return (pd.read_csv(d / "long.csv", dtype=IDS), pd.read_csv(d / "citizens.csv", dtype=IDS), d)


@pytest.mark.parametrize("case", CASES)
def test_clda_matches_lmertest(case):
    _, citizens, d = load(case)
    data, X, between, contrasts = clda_design(citizens)
    result = fit_lmm(data, X, between)
    ref = pd.read_csv(d / "r_design_clda.csv", dtype={"contrast": str}).set_index("contrast")
    assert result.fit.free == (True, True, True)  # caseworker, citizen and caseworker x visit (visits 0, 6, 12)
    for v, L in contrasts.items():
        inf = result.infer(L, "satterthwaite")  # the reference is lmerTest's
        r = ref.loc[str(v)]
        assert inf.estimate == pytest.approx(r["estimate"], abs=1e-3)
        assert inf.se == pytest.approx(r["se"], rel=1e-3)
        assert inf.df == pytest.approx(r["df"], rel=1e-2)


@pytest.mark.parametrize("case", CASES)
def test_subgroup_effects_and_interaction_match_lmertest(case):
    long, citizens, d = load(case)
    citizens = citizens.assign(sex=citizens["sex"].where(citizens["sex"].notna(), None))
    data, X, between, effects = subgroup_design(long, citizens, "sex", [30, 50])
    result = fit_lmm(data, X, between)
    ref = pd.read_csv(d / "r_design_subgroup_sex.csv").set_index("contrast")
    for lev, L in effects.items():
        inf = result.infer(L, "satterthwaite")  # the reference is lmerTest's
        assert inf.estimate == pytest.approx(ref.loc[lev, "estimate"], abs=1e-3)
        assert inf.se == pytest.approx(ref.loc[lev, "se"], rel=1e-3)
        assert inf.df == pytest.approx(ref.loc[lev, "df"], rel=1e-2)
    first = next(iter(effects.values()))
    Lmat = np.array([(L - first).to_numpy() for L in list(effects.values())[1:]])
    F, q, ddf, p = satterthwaite_f(result.model, result.fit, Lmat)
    assert F == pytest.approx(ref.loc["joint", "F"], rel=1e-3)
    assert ddf == pytest.approx(ref.loc["joint", "ddf"], rel=1e-2)
    assert p == pytest.approx(ref.loc["joint", "p_joint"], abs=1e-3)


@pytest.mark.parametrize("case", CASES)
def test_cr2_matches_clubsandwich(case):
    _, citizens, d = load(case)
    row, _ = ancova_cr2(citizens)
    ref = pd.read_csv(d / "r_ancova_cr2.csv").iloc[0]
    assert row.estimate == pytest.approx(ref["estimate"], abs=1e-8)
    assert row.se == pytest.approx(ref["se_cr2"], rel=1e-6)
    assert row.df == pytest.approx(ref["df_bm"], rel=1e-6)


def test_cr0_from_the_cr2_code_path_equals_linearmodels():
    """With A_j = I the CR2 sandwich is CR0: check the shared meat against linearmodels."""
    from linearmodels.iv import IV2SLS

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 5)
    X = np.column_stack([np.ones(60), rng.normal(size=60), groups % 2])
    y = X @ [1.0, 0.5, 0.2] + rng.normal(size=12)[groups] + rng.normal(size=60)
    res = IV2SLS(y, X, None, None).fit(cov_type="clustered", clusters=groups, debiased=False)
    M = np.linalg.inv(X.T @ X)
    meat = sum(np.outer(X[groups == g].T @ res.resids[groups == g], X[groups == g].T @ res.resids[groups == g])
               for g in range(12))
    np.testing.assert_allclose(M @ meat @ M, np.asarray(res.cov), rtol=1e-10)
    V, df = cr2(X, np.asarray(res.resids), groups, np.array([0.0, 1.0, 0.0]))
    assert V[1, 1] > np.asarray(res.cov)[1, 1] and 0 < df < 12


@pytest.mark.parametrize("case", CASES)
def test_cox_matches_survival(case):
    _, citizens, d = load(case)
    times = citizens[citizens["time_days"].notna()].rename(columns={"event_dropout": "event"})
    row = cox_dropout(times)
    ref = pd.read_csv(d / "r_cox.csv").iloc[0]
    assert np.log(row.estimate) == pytest.approx(ref["log_hr"], abs=1e-4)
    assert row.se == pytest.approx(ref["robust_se"], rel=1e-4)
    assert row.n_citizens == ref["n"]


def test_cluster_level_unweighted_equals_a_two_sample_t_test_on_cluster_means():
    _, citizens, _ = load("trial_like")
    unweighted, weighted = cluster_level(citizens)
    assert unweighted.analysis == "cluster_level" and weighted.analysis == "cluster_level_weighted"
    assert unweighted.df == unweighted.n_clusters - 1 - citizens["stratum"].nunique()
    # the unweighted estimate is the difference of the arms' mean caseworker residual
    assert unweighted.ci_low < unweighted.estimate < unweighted.ci_high


def test_cluster_level_variance_counts_the_strata_removed_in_stage_one():
    """With equal caseworker sizes, strata balanced between the arms and no baseline, the two-stage analysis is the
    regression of the caseworker means on arm and stratum: the same estimate, and its classical SE on
    K - 1 - S residual df (statsmodels' OLS, 1e-10). Before issue 24 stage 2 divided by K - 2 instead, which made the
    test liberal with few caseworkers and several strata (8-12% at 8-10 caseworkers in 4 strata)."""
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    rows = []
    for s in range(4):
        for j, arm in enumerate((1, 1, 0, 0)):
            u = rng.normal(0, 6)
            for i in range(5):
                rows.append({"citizen_id": f"C{s}{j}{i}", "caseworker_id": f"W{s}{j}", "stratum": f"S{s}",
                             "fit": arm, "who5_m12": 50 + 3 * s + u + rng.normal(0, 15), "baseline_who5": 50.0,
                             "baseline_missing": 0})
    citizens = pd.DataFrame(rows)
    unweighted, weighted = cluster_level(citizens)
    means = citizens.groupby("caseworker_id").agg(y=("who5_m12", "mean"), fit=("fit", "first"),
                                                  stratum=("stratum", "first"))
    X = pd.get_dummies(means["stratum"], drop_first=True, dtype=float).assign(fit=means["fit"].astype(float))
    ref = sm.OLS(means["y"], sm.add_constant(X)).fit()
    assert unweighted.estimate == pytest.approx(ref.params["fit"], rel=1e-10)
    assert unweighted.se == pytest.approx(ref.bse["fit"], rel=1e-10) and unweighted.df == ref.df_resid == 11
    assert weighted.se == pytest.approx(unweighted.se, rel=1e-10)  # equal sizes: equal weights


def test_ols_and_wls_equal_statsmodels():
    """The two stages of the cluster-level analysis without statsmodels (fittrial.analyses.sensitivity.ols_residuals, wls)
    give statsmodels' OLS residuals and WLS coefficients and SEs, to 1e-12 relative."""
    import statsmodels.api as sm

    from fittrial.analyses.sensitivity import ols_residuals, wls

    rng = np.random.default_rng(4)
    for n, p in ((30, 2), (200, 6), (9, 3)):
        X = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
        y = X @ rng.normal(size=p) + rng.standard_t(3, n)
        w = rng.integers(1, 40, n).astype(float)
        np.testing.assert_allclose(ols_residuals(y, X), sm.OLS(y, X).fit().resid, rtol=1e-12, atol=1e-12)
        ref = sm.WLS(y, X, weights=w).fit()
        params, bse = wls(y, X, w)
        np.testing.assert_allclose(params, ref.params, rtol=1e-12)
        np.testing.assert_allclose(bse, ref.bse, rtol=1e-12)
