"""fittrial.models.gee (statsmodels' logit GEE algorithm over whole arrays) against statsmodels itself.

Data sets the trial simulator does not draw: clusters of 1 to 60 rows, a few or many clusters, unsorted
group labels, rare and common outcomes, cluster effects from a beta-binomial model (so the exchangeable
correlation is positive, near zero or negative), continuous and binary covariates.

Tolerances: coefficients and working correlation 1e-8 absolute (both iterations stop when the score's norm is
below 1e-6 and then take one more Newton step, so they agree to far better than that); the convergence flag and
the fallback to independence exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fittrial.models.gee import fit_gee, logistic_start, solve_exchangeable_gee


def _trial(rng: np.random.Generator, n_clusters: int, sizes: tuple[int, int], base: float, rho: float,
           shuffle: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = rng.integers(sizes[0], sizes[1] + 1, n_clusters)
    groups = np.repeat(np.arange(n_clusters), size)
    arm = np.repeat(rng.integers(0, 2, n_clusters), size).astype(float)
    x = rng.normal(0, 1, len(groups))
    if rho > 0:  # beta-binomial clusters: correlation rho within a caseworker
        a = base * (1 - rho) / rho
        p = np.repeat(rng.beta(a, a * (1 - base) / base, n_clusters), size)
    else:
        p = np.full(len(groups), base)
    logit = np.log(p / (1 - p)) + 0.4 * arm + 0.3 * x
    y = (rng.random(len(groups)) < 1 / (1 + np.exp(-logit))).astype(float)
    X = np.column_stack([np.ones(len(groups)), arm, x])
    if shuffle:
        order = rng.permutation(len(groups))
        y, X, groups = y[order], X[order], groups[order] * 7 + 3  # labels neither sorted nor 0..K-1
    return y, X, groups


def _statsmodels(y, X, groups, exchangeable: bool):
    import statsmodels.api as sm
    from statsmodels.genmod.cov_struct import Exchangeable, Independence
    from statsmodels.genmod.generalized_estimating_equations import GEE

    model = GEE(y, X, groups=groups, family=sm.families.Binomial(),
                cov_struct=Exchangeable() if exchangeable else Independence())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=200, ddof_scale=0)
    alpha = float(model.cov_struct.dep_params) if exchangeable else 0.0
    return np.asarray(res.params), alpha, bool(res.converged), float(res.scale)


SHAPES = [  # clusters, size range, base risk, within-cluster correlation, shuffled rows
    (60, (10, 25), 0.25, 0.02, False),
    (8, (5, 40), 0.2, 0.0, False),
    (30, (1, 3), 0.4, 0.1, True),
    (12, (40, 60), 0.08, 0.05, True),
    (100, (1, 1), 0.3, 0.0, False),  # one row per cluster: no pairs
    (20, (2, 30), 0.5, 0.3, True),
]


@pytest.mark.parametrize("shape", range(len(SHAPES)))
@pytest.mark.parametrize("exchangeable", [True, False])
def test_gee_solver_equals_statsmodels(shape, exchangeable):
    rng = np.random.default_rng(100 + shape)
    for _ in range(4):
        y, X, groups = _trial(rng, *SHAPES[shape])
        if y.min() == y.max():
            continue
        beta, alpha, converged = fit_gee(y, X, groups, exchangeable)
        ref_beta, ref_alpha, ref_converged, ref_scale = _statsmodels(y, X, groups, exchangeable)
        assert converged == ref_converged
        assert ref_scale == 1.0
        if converged:
            np.testing.assert_allclose(beta, ref_beta, atol=1e-8, rtol=0)
            assert alpha == pytest.approx(ref_alpha, abs=1e-8)


def test_logistic_start_equals_statsmodels_glm():
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    for _ in range(5):
        y, X, _ = _trial(rng, 40, (3, 20), 0.3, 0.05, True)
        ref = sm.GLM(y, X, family=sm.families.Binomial()).fit().params
        np.testing.assert_allclose(logistic_start(y, X), ref, atol=1e-10, rtol=0)


def test_solve_exchangeable_gee_falls_back_as_before():
    """A negative working correlation below -1/(n_max - 1) is not admissible: the independence GEE is used."""
    rng = np.random.default_rng(3)
    size = 20
    groups = np.repeat(np.arange(15), size)
    # within each caseworker exactly a quarter of the citizens has the outcome: strongly negative correlation
    y = np.concatenate([rng.permutation(np.r_[np.ones(5), np.zeros(size - 5)]) for _ in range(15)])
    X = np.column_stack([np.ones(len(y)), np.repeat(rng.integers(0, 2, 15), size).astype(float)])
    beta, alpha, scale, note = solve_exchangeable_gee(y, X, groups)
    ref_beta, ref_alpha, ref_converged, _ = _statsmodels(y, X, groups, True)
    if ref_converged and ref_alpha > -1 / (size - 1):
        np.testing.assert_allclose(beta, ref_beta, atol=1e-8)
        assert alpha == pytest.approx(ref_alpha, abs=1e-8) and note == ""
    else:
        assert alpha == 0.0 and "independence" in note
    assert scale == 1.0


def test_gee_is_unchanged_by_the_order_of_rows():
    rng = np.random.default_rng(11)
    y, X, groups = _trial(rng, 25, (3, 30), 0.3, 0.05, False)
    a = fit_gee(y, X, groups)
    order = rng.permutation(len(y))
    b = fit_gee(y[order], X[order], groups[order])
    np.testing.assert_allclose(a[0], b[0], atol=1e-10)
    assert a[1] == pytest.approx(b[1], abs=1e-12)


def test_gee_on_the_reference_sets_matches_statsmodels():
    """The three reference trials of tests/fixtures/reference, every course outcome."""
    from conftest import ROOT

    from fittrial.models.effects import binary_design

    ids = {"citizen_id": str, "caseworker_id": str, "stratum": str, "sex": str}
    for case in ("trial_like", "four_strata", "small_clustered"):
        citizens = pd.read_csv(ROOT / "tests" / "fixtures" / "reference" / case / "citizens.csv", dtype=ids)
        for outcome in ("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"):
            data, X, reason = binary_design(citizens, outcome)
            if reason:
                continue
            y = data[outcome].astype(float).to_numpy()
            groups = pd.factorize(data["caseworker_id"])[0]
            beta, alpha, converged = fit_gee(y, X.to_numpy(), groups)
            ref_beta, ref_alpha, ref_converged, _ = _statsmodels(y, X.to_numpy(), groups, True)
            assert converged == ref_converged, (case, outcome)
            np.testing.assert_allclose(beta, ref_beta, atol=1e-8, rtol=0, err_msg=f"{case} {outcome}")
            assert alpha == pytest.approx(ref_alpha, abs=1e-8), (case, outcome)
