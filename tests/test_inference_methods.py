"""Randomisation test, multiple imputation, ICCs: against brute force and R.

Tolerances: batched re-randomisation statistic vs a direct GLS refit: 1e-8.
Rubin's rules vs mice::pool.scalar: 1e-10 (estimate, variance), 1e-8 (df).
GLMM vs lme4::glmer(nAGQ = 25): s_u 1e-3 absolute, arm log-odds 1e-3 absolute; on data with clusters without
events (tests/fixtures/glmm_zero_clusters): log-likelihood never below lme4's by more than 2e-6, s_u 1e-3 relative,
profile CI limits 1e-3 relative (lme4's profile CI interpolates a spline through its profile).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from fittrial.analyses.icc import design_effects, icc_binary, icc_who5
from fittrial.analyses.imputation import multiple_imputation, rubin
from fittrial.analyses.randomisation import allocation_statistics, randomisation_test
from fittrial.models.effects import _design, fit_primary_lmm
from fittrial.models.lmm import NestedREML

CASES = sorted(p.name for p in (ROOT / "tests" / "fixtures" / "reference").iterdir() if p.is_dir())
IDS = {"citizen_id": str, "caseworker_id": str, "stratum": str, "sex": str}


def load(case: str):
    d = ROOT / "tests" / "fixtures" / "reference" / case
    return pd.read_csv(d / "long.csv", dtype=IDS), pd.read_csv(d / "citizens.csv", dtype=IDS), d


@pytest.fixture(scope="module")
def primary():
    long, citizens, _ = load("trial_like")
    return long, citizens, fit_primary_lmm(long)


def test_batched_statistic_equals_direct_gls_refit(primary):
    long, _, result = primary
    labels = pd.unique(result.model.caseworker)
    rng = np.random.default_rng(3)
    A = rng.integers(0, 2, size=(3, len(labels))).astype(float)
    Ty, Ts = allocation_statistics(result, A)
    s = np.sqrt(result.var_residual)
    ratios = np.array([np.sqrt(result.var_caseworker) / s, np.sqrt(result.var_citizen) / s,
                       np.sqrt(result.var_cw_visit) / s])
    assert ratios[2] > 0  # the caseworker x visit term is in the model
    for b in range(3):
        arm = pd.Series(A[b], index=labels)
        data = long.assign(fit=long["caseworker_id"].map(arm)).sort_values(
            ["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
        X, _ = _design(data, sorted(data["stratum"].unique()))
        f = NestedREML(data["who5"].to_numpy(float), X.to_numpy(), data["caseworker_id"].to_numpy(),
                       data["citizen_id"].to_numpy(), data["visit"].to_numpy()).at(ratios)
        direct = f.beta[list(X.columns).index("fit")] + f.beta[list(X.columns).index("fit:visit[12]")]
        assert Ty[b] == pytest.approx(direct, abs=1e-8)
    # the shift vector s has, under the observed allocation, a 12-month contrast of exactly 1
    obs = pd.Series(long.groupby("caseworker_id")["fit"].first()).reindex(labels).to_numpy(float)
    assert allocation_statistics(result, obs[None, :])[1][0] == pytest.approx(1.0)


def test_randomisation_test_is_seeded_and_sensible(primary):
    long, _, result = primary
    cw = long.groupby("caseworker_id").agg(stratum=("stratum", "first"), fit=("fit", "first"))
    a = randomisation_test(result, cw["stratum"], cw["fit"], 2000, seed=11)
    b = randomisation_test(result, cw["stratum"], cw["fit"], 2000, seed=11)
    assert a == b
    assert a.estimate == pytest.approx(result.contrasts[1].estimate)
    assert a.ci_low < a.estimate < a.ci_high
    # close to the model-based inference when the model is right
    assert a.p_value == pytest.approx(result.contrasts[1].p_value, abs=0.1)
    assert a.ci_high - a.ci_low == pytest.approx(result.contrasts[1].ci_high - result.contrasts[1].ci_low, rel=0.25)


def test_rubin_matches_mice_pool_scalar():
    ref = pd.read_csv(ROOT / "tests" / "fixtures" / "r_pool_scalar.csv")
    for _, r in ref.iterrows():
        Q = np.array([float(x) for x in r["Q"].split()])
        U = np.array([float(x) for x in r["U"].split()])
        pooled = rubin(Q, U, r["dfcom"])
        assert pooled.estimate == pytest.approx(r["qbar"], abs=1e-10)
        assert pooled.se**2 == pytest.approx(r["t"], abs=1e-10)
        assert pooled.df == pytest.approx(r["df"], rel=1e-8)


def test_multiple_imputation_is_seeded_and_close_to_the_likelihood_analysis(primary):
    _, citizens, result = primary
    a = multiple_imputation(citizens, m=10, seed=5)
    b = multiple_imputation(citizens, m=10, seed=5)
    assert [r.estimate for r in a.rows] == [r.estimate for r in b.rows]
    twelve = next(r for r in a.rows if r.timepoint_months == 12)
    assert twelve.analysis == "multiple_imputation"
    assert twelve.estimate == pytest.approx(result.contrasts[1].estimate, abs=1.0)  # same data, MAR both
    assert 0.8 < twelve.se / result.contrasts[1].se < 1.5
    tip = a.tipping.set_index("delta")
    assert tip.loc[0.0, "estimate"] == pytest.approx(twelve.estimate)
    assert tip["estimate"].is_monotonic_increasing  # shifting FIT imputations up raises the effect


@pytest.mark.parametrize("case", CASES)
def test_glmm_matches_glmer(case):
    _, citizens, d = load(case)
    ref = pd.read_csv(d / "r_glmer.csv").set_index("outcome")
    for outcome in ref.index:
        ours = icc_binary(citizens, outcome)
        assert ours["sigma_u"] == pytest.approx(ref.loc[outcome, "sigma_u"], abs=1e-3)
        assert ours["beta_fit"] == pytest.approx(ref.loc[outcome, "beta_fit"], abs=1e-3)
        assert ours["ci_low"] <= ours["icc"] <= ours["ci_high"]


ZERO = ROOT / "tests" / "fixtures" / "glmm_zero_clusters"


@pytest.mark.parametrize("name", sorted(pd.read_csv(ZERO / "reference.csv")["file"]))
def test_glmm_reaches_glmers_maximum_with_clusters_without_events(name):
    """Rare outcomes, a large cluster variance and clusters with 0% events (issue 20: the fit stopped short of the
    maximum and the profile CI failed to bracket, "f(a) and f(b) must have different signs"): the log-likelihood
    reaches lme4::glmer(nAGQ = 25)'s, and the profile CI is found and equals lme4's profile CI."""
    from fittrial.analyses.icc import RandomInterceptLogit

    ref = pd.read_csv(ZERO / "reference.csv").set_index("file").loc[name]
    d = pd.read_csv(ZERO / name)
    strata = sorted(d["stratum"].unique())
    X = np.column_stack([np.ones(len(d)), d["fit"]] + [(d["stratum"] == s).astype(float) for s in strata[1:]])
    model = RandomInterceptLogit(d["y"].to_numpy(float), X, d["cluster"].to_numpy())
    beta, sigma, ll = model.fit()
    lo, hi, beta, sigma, ll = model.sigma_ci(beta, sigma, ll)
    assert ll >= ref["loglik"] - 2e-6
    assert sigma == pytest.approx(ref["sigma"], rel=1e-3, abs=1e-6)
    assert beta[1] == pytest.approx(ref["beta_fit"], abs=2e-3)
    assert lo == pytest.approx(ref["ci_low"], rel=1e-3, abs=1e-6) and hi == pytest.approx(ref["ci_high"], rel=1e-3)


def test_glmm_likelihood_on_patterns_is_the_likelihood_of_the_rows():
    """The binary ICCs' likelihood is evaluated on the rows' patterns (cluster, covariates) as binomial counts: with
    a citizen-level covariate (patterns smaller than clusters) and with cluster-level ones only, it equals the
    Bernoulli likelihood of the rows by adaptive quadrature written row by row (value and gradient)."""
    from scipy import special

    from fittrial.analyses.icc import NODES, WEIGHTS, RandomInterceptLogit

    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(30), rng.integers(1, 25, 30))
    arm = (g % 2).astype(float)
    for X in (np.column_stack([np.ones(len(g)), arm]),
              np.column_stack([np.ones(len(g)), arm, rng.integers(0, 3, len(g))])):
        y = (rng.random(len(g)) < special.expit(-0.5 + 0.4 * arm + rng.normal(0, 0.8, 30)[g])).astype(float)
        model = RandomInterceptLogit(y, X, g)
        assert len(model.g) <= len(y) and (X.shape[1] > 2 or len(model.g) == 30)
        beta, sigma = np.array([-0.4, 0.3] + [0.1] * (X.shape[1] - 2)), 0.7
        ll, grad, _ = model.loglik_and_gradient(beta, sigma)
        # the rows' likelihood at the same modes and nodes, written out row by row
        eta = X @ beta
        u = model._mode
        p = special.expit(eta + u[g])
        scale = 1 / np.sqrt(np.bincount(g, p * (1 - p)) + 1 / sigma**2)
        nodes = u[:, None] + np.sqrt(2) * scale[:, None] * NODES[None, :]
        eta_q = eta[:, None] + nodes[g]
        h = np.zeros(nodes.shape)
        np.add.at(h, g, y[:, None] * eta_q - np.logaddexp(0, eta_q))
        lw = np.log(WEIGHTS)[None, :] + h - nodes**2 / (2 * sigma**2) + NODES[None, :] ** 2
        lse = special.logsumexp(lw, axis=1)
        rows_ll = float((lse + np.log(np.sqrt(2) * scale) - 0.5 * np.log(2 * np.pi * sigma**2)).sum())
        share = np.exp(lw - lse[:, None])
        rows_grad = X.T @ (y - (share[g] * special.expit(eta_q)).sum(axis=1))
        assert ll == pytest.approx(rows_ll, rel=1e-13)
        np.testing.assert_allclose(grad, rows_grad, rtol=1e-10, atol=1e-10)


def test_two_seeds_agree_within_the_stated_monte_carlo_error(primary):
    """Issue 20: with the two-stage rule (a pilot of 5 imputations, then as many as a Monte Carlo SE of at most 10%
    of the SE needs) the MI estimate reports its Monte Carlo SE, and two seeds agree within it."""
    _, citizens, _ = primary
    runs = [multiple_imputation(citizens, m=5, seed=seed, deltas=np.array([0.0]), max_mc_error=0.1)
            for seed in (1, 7)]
    for run in runs:
        for row in run.rows:
            assert np.isfinite(row.mc_se) and row.mc_se <= 0.1 * row.se + 1e-12
            assert "two-stage rule: 5 first, then" in row.method and "split R-hat" in row.method
    for a, b in zip(runs[0].rows, runs[1].rows):
        assert abs(a.estimate - b.estimate) <= 3 * np.hypot(a.mc_se, b.mc_se), (a.estimate, b.estimate)
    fixed = multiple_imputation(citizens, m=5, seed=1, deltas=np.array([0.0]))  # no second stage: exactly 5
    assert "(5 imputations)" in fixed.rows[0].method


def test_imputations_needed_and_split_rhat():
    from fittrial.analyses.imputation import imputations_needed, split_rhat

    rng = np.random.default_rng(3)
    # between-imputation variance 0.04 about a total variance near 1: m >= B / (0.01 T) = 4, more with the upper limit
    pairs = {12: [(float(e), 1.0) for e in rng.normal(0, 0.2, 20)]}
    needed = imputations_needed(pairs, 30.0, 0.1)
    assert 4 <= needed <= 20
    assert imputations_needed(pairs, 30.0, 0.05) > 3 * needed  # a tighter target needs (about 4 x) more
    settled = {"x": rng.normal(size=(4000, 3))}
    drifting = {"x": np.cumsum(rng.normal(size=(4000, 3)), axis=0)}
    assert split_rhat(settled) < 1.01 and split_rhat(drifting) > 1.1


def test_icc_who5_bootstrap(primary):
    _, _, result = primary
    a = icc_who5(result, n_boot=30, seed=2)
    assert a == icc_who5(result, n_boot=30, seed=2)
    assert a["icc"] == pytest.approx(result.icc_caseworker)
    assert 0 <= a["ci_low"] <= a["icc"] <= a["ci_high"] < 1


def test_refit_with_another_response_equals_a_new_model(primary):
    """NestedREML.with_response (the bootstrap's and the tipping point's refits) gives the same floats as a model
    built from scratch on the new response."""
    _, _, result = primary
    model = result.model
    y = model.y + np.random.default_rng(5).normal(0, 3, len(model.y))
    fresh = NestedREML(y, model.X, model.caseworker, model.citizen, model.visit)
    reused = model.with_response(y)
    for name in ("S", "T", "AtA", "NS", "NN", "Czz", "N", "m"):
        assert np.array_equal(getattr(fresh, name), getattr(reused, name)), name
    a, b = fresh.fit(), reused.fit()
    assert np.array_equal(a.beta, b.beta) and a.reml_criterion == b.reml_criterion and a.free == b.free
    assert np.array_equal(model.y, result.model.y)  # the fitted model is left as it was


def test_logsumexp_rows_gives_scipys_floats():
    from scipy import special

    from fittrial.analyses.icc import logsumexp_rows

    rng = np.random.default_rng(1)
    for i in range(500):
        a = rng.normal(0, 10 ** rng.uniform(-3, 3), (int(rng.integers(1, 70)), int(rng.integers(1, 30))))
        if i % 3 == 0:
            a[:, 0] = a[:, -1]  # ties at the maximum
        assert np.array_equal(logsumexp_rows(a), special.logsumexp(a, axis=1))
    edge = np.array([[-np.inf, -np.inf], [1.0, np.inf], [0.0, 1e308]])
    assert np.array_equal(logsumexp_rows(edge), special.logsumexp(edge, axis=1))


def test_holm_gives_statsmodels_floats():
    from statsmodels.stats.multitest import multipletests

    from fittrial.report.tables import holm

    rng = np.random.default_rng(2)
    for n in (1, 2, 3, 7, 40):
        for _ in range(8):  # multipletests takes about 50 ms a call
            p = rng.uniform(0, 1, n) ** 3
            if n > 2:
                p[1] = p[0]  # a tie
            ours = holm(pd.Series(p))
            assert np.array_equal(ours.to_numpy(), multipletests(p, method="holm")[1])
    p = pd.Series([0.01, np.nan, 0.04, 0.03], index=list("abcd"))
    out = holm(p)
    assert np.isnan(out["b"]) and out[["a", "c", "d"]].tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm(pd.Series([np.nan, np.nan])).isna().all()


def test_design_effects():
    m, cv, deff, deff_cv = design_effects(np.array([10, 10, 10]), 0.05)
    assert (m, cv, deff, deff_cv) == (10.0, 0.0, pytest.approx(1.45), pytest.approx(1.45))
    assert design_effects(np.array([5, 15]), 0.05)[3] > design_effects(np.array([5, 15]), 0.05)[2]


def test_exchangeable_gee_that_runs_off_falls_back_to_independence():
    """A simulated trial with 8 caseworkers (OC study, scenario no_effect_8_caseworkers) on which the exchangeable
    iteration converges to fitted risks of 0 and 1 (intercept +64, stratum -66; geepack diverges on it too) although
    both strata have about 20% dropout: the GEE uses the independence working correlation and says so."""
    from fittrial.models.effects import INDEPENDENCE_NOTE, fit_binary_gee

    citizens = pd.read_csv(Path(__file__).parent / "fixtures" / "gee_runaway.csv")
    res = fit_binary_gee(citizens, "dropout")
    row = next(c for c in res.contrasts if c.scale == "odds_ratio")
    assert 0.5 < row.estimate < 3 and row.ci_low < row.estimate < row.ci_high
    assert INDEPENDENCE_NOTE.strip("; ") in row.method


def test_t_quantiles_and_tails_equal_scipy_stats_to_the_bit():
    """fittrial.base.tdist (which spares every workflow step the import of scipy.stats) gives exactly scipy.stats.t's
    numbers, including its conventions for df <= 0, NaN and the ends of the quantile range."""
    import numpy as np
    from scipy import stats

    from fittrial.base.tdist import t_ppf, t_sf

    dfs = [0.5, 1, 2.7, 5, 30, 63, 1e3, 1e7, 0, -1, float("nan")]
    qs = [0.0, 1e-12, 0.025, 0.5, 0.975, 0.999999, 1.0, float("nan"), 1.5, -0.1]
    xs = [-np.inf, -40, -1.96, 0.0, 1e-9, 2.5, 300, np.inf, float("nan")]
    for df in dfs:
        for q in qs:
            a, b = t_ppf(q, df), stats.t.ppf(q, df)
            assert (np.isnan(a) and np.isnan(b)) or a == b, (q, df, a, b)
        for x in xs:
            a, b = t_sf(x, df), stats.t.sf(x, df)
            assert (np.isnan(a) and np.isnan(b)) or a == b, (x, df, a, b)
    grid = np.array([0.9, 0.95, 0.975])
    assert np.array_equal(t_ppf(grid, 12.5), stats.t.ppf(grid, 12.5))


def test_f_tail_equals_scipy_stats_to_the_bit():
    """fittrial.base.tdist.f_sf (the multi-df F-test's p-value without importing scipy.stats) is scipy.stats.f.sf, its
    conventions below the support and for invalid df included."""
    from scipy import stats

    from fittrial.base.tdist import f_sf

    for dfn in [1, 1.5, 2, 3, 7, 0, -1, float("nan")]:
        for dfd in [0.5, 2, 10, 57.3, 1e4, np.inf, 0, float("nan")]:
            for x in [-1.0, 0.0, 1e-9, 0.7, 2.5, 40.0, np.inf, float("nan")]:
                a, b = f_sf(x, dfn, dfd), stats.f.sf(x, dfn, dfd)
                assert (np.isnan(a) and np.isnan(b)) or a == b, (x, dfn, dfd, a, b)
