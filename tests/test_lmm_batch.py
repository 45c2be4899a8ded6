"""Many REML fits at once (fittrial.models.batch) against L-BFGS-B one at a time (NestedREML.fit_lbfgsb).

The data sets are not drawn by the trial simulator nor from the fitted model: other visit schedules (one visit,
four visits), caseworkers of 1 to 80 citizens, citizens with a single row, no caseworker variance, and
responses with AR(1) citizen errors, heavy-tailed (t, 3 df) residuals and caseworker slopes over visits, which
the model leaves out.

What is checked, for every replicate:
* the REML criterion is never worse than the one-at-a-time fit's, beyond the criterion's rounding (1e-13
  relative, under 1e-9 here: an optimiser that compares criterion values, as L-BFGS-B does, ends where the
  rounding happens to be in its favour, by up to about 3e-14 relative on these sets);
* the solution is a stationary point: the criterion's gradient in each free variance ratio is below 1e-6 in
  absolute value, or (on the boundary) not negative;
* the variance ratios agree with the one-at-a-time fit to 1e-5 (its L-BFGS-B stops with gradients up to about
  1e-4, so it is the less precise of the two), the coefficients to 1e-5;
* the GLS coefficients of extra responses equal NestedREML.at's to 1e-8;
* splitting the replicates into batches changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

import fittrial.models.batch as lmm_batch
from fittrial.models.batch import ManyREML
from fittrial.models.lmm import NestedREML


def _trial(rng: np.random.Generator, n_cw: int, visits: list[int], sizes: tuple[int, int], p_missing: float,
           sd_cw: float, one_row: bool = False):
    """Rows (caseworker, citizen, visit) and a design: intercept, arm, visit dummies, arm x visit, a baseline."""
    cw, cit, vis = [], [], []
    for j in range(n_cw):
        for i in range(int(rng.integers(sizes[0], sizes[1] + 1))):
            seen = [v for v in visits if rng.random() > p_missing] or [visits[int(rng.integers(len(visits)))]]
            if one_row:
                seen = seen[:1]
            for v in seen:
                cw.append(f"w{j}")
                cit.append(f"c{j}_{i}")
                vis.append(v)
    cw, cit, vis = np.array(cw), np.array(cit), np.array(vis)
    arm_of = {f"w{j}": float(j % 2) for j in range(n_cw)}
    arm = np.array([arm_of[c] for c in cw])
    cols = [np.ones(len(cw)), arm]
    for v in visits[1:]:
        cols += [(vis == v).astype(float), arm * (vis == v)]
    base = {c: rng.normal(50, 15) for c in np.unique(cit)}
    cols.append(np.array([base[c] for c in cit]))
    X = np.column_stack(cols)

    def response(rng: np.random.Generator) -> np.ndarray:
        """A response the model does not generate: caseworker slopes, AR(1) citizen errors, t(3) residuals."""
        u = {c: rng.normal(0, sd_cw) for c in np.unique(cw)}
        slope = {c: rng.normal(0, 0.3 * sd_cw) for c in np.unique(cw)}
        ar = {}
        e = np.empty(len(cw))
        for k, (c, v) in enumerate(zip(cit, vis)):
            prev = ar.get(c, rng.normal(0, 8))
            ar[c] = 0.6 * prev + rng.normal(0, 8 * np.sqrt(1 - 0.36))
            e[k] = ar[c]
        return (X @ np.r_[40, 2, np.zeros(X.shape[1] - 3), 0.3] + np.array([u[c] + slope[c] * v / 12
                                                                            for c, v in zip(cw, vis)])
                + e + 5 * rng.standard_t(3, len(cw)))

    return cw, cit, vis, X, response


CASES = {
    "four_visits_unequal": dict(n_cw=30, visits=[3, 6, 12, 24], sizes=(1, 20), p_missing=0.3, sd_cw=4.0),
    "one_visit": dict(n_cw=25, visits=[12], sizes=(2, 15), p_missing=0.0, sd_cw=3.0),
    "one_row_per_citizen": dict(n_cw=20, visits=[6, 12], sizes=(3, 12), p_missing=0.2, sd_cw=3.0, one_row=True),
    "no_caseworker_variance": dict(n_cw=24, visits=[6, 12], sizes=(4, 10), p_missing=0.25, sd_cw=0.0),
    "extreme_clusters": dict(n_cw=12, visits=[6, 12], sizes=(1, 80), p_missing=0.4, sd_cw=6.0),
}


def _compare(model: NestedREML, Y: np.ndarray, many, starts=((0.3, 0.7, 0.3), (0.0, 0.7, 0.0)), Xs=None):
    for r in range(len(Y)):
        single_model = model.with_response(Y[r]) if Xs is None else NestedREML(
            Y[r], Xs[r], model.caseworker, model.citizen, model.visit)
        single = single_model.fit_lbfgsb(starts)
        g_single = np.array([single.var_caseworker, single.var_citizen, single.var_cw_visit]) / single.var_residual
        crit = many.criterion[r]
        assert crit <= single.reml_criterion + 1e-13 * abs(single.reml_criterion), r
        f, grad = single_model.criterion_and_gradient(many.g[r])
        assert f == pytest.approx(crit, rel=1e-12)
        for k in np.flatnonzero(model.free):
            if many.g[r, k] > 0:
                assert abs(grad[k]) < 1e-6, (r, k, grad)
            else:
                assert grad[k] > -1e-6, (r, k, grad)
        assert np.all(many.g[r, ~np.array(model.free)] == 0)
        np.testing.assert_allclose(many.g[r], g_single, atol=1e-5, rtol=1e-4)
        np.testing.assert_allclose(many.beta[r], single.beta, atol=1e-5 * max(1.0, np.abs(single.beta).max()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_many_fits_reach_the_one_at_a_time_optimum(case):
    rng = np.random.default_rng(sorted(CASES).index(case) + 10)
    cw, cit, vis, X, response = _trial(rng, **CASES[case])
    Y = np.array([response(rng) for _ in range(12)])
    model = NestedREML(Y[0], X, cw, cit, None if len(CASES[case]["visits"]) == 1 else vis)
    many = ManyREML(model).fit(Y)
    _compare(model, Y, many)


def test_each_replicate_with_its_own_design_and_extra_responses():
    """As the multiple imputation uses it: the design differs by replicate (an imputed baseline), and the GLS
    responses to shifts of some cells come back at each fit's variance ratios."""
    rng = np.random.default_rng(3)
    cw, cit, vis, X, response = _trial(rng, **CASES["four_visits_unequal"])
    R = 6
    Xs = np.repeat(X[None], R, axis=0)
    Xs[:, :, -1] += rng.normal(0, 5, (R, len(cw)))  # the baseline column differs by replicate
    Y = np.array([response(rng) for _ in range(R)])
    extra = (rng.random((R, len(cw), 2)) < 0.3).astype(float)
    model = NestedREML(Y[0], Xs[0], cw, cit, vis)
    many = ManyREML(model).fit(Y, Xs, extra=extra)
    _compare(model, Y, many, Xs=Xs)
    for r in range(R):
        m = NestedREML(Y[r], Xs[r], cw, cit, vis)
        ratios = np.sqrt(many.g[r])
        for k in range(2):
            np.testing.assert_allclose(many.extra_beta[r, k], m.with_response(extra[r, :, k]).at(ratios).beta,
                                       atol=1e-8)
        fit_r = m.at(ratios)
        np.testing.assert_allclose(many.cov_beta[r], fit_r.cov_beta, rtol=1e-8)
        assert many.var_residual[r] == pytest.approx(fit_r.var_residual, rel=1e-10)


def test_batches_do_not_change_the_fits(monkeypatch):
    rng = np.random.default_rng(5)
    cw, cit, vis, X, response = _trial(rng, **CASES["extreme_clusters"])
    Y = np.array([response(rng) for _ in range(9)])
    model = NestedREML(Y[0], X, cw, cit, vis)
    whole = ManyREML(model).fit(Y)
    monkeypatch.setattr(lmm_batch, "BATCH_ELEMENTS", 1)  # one replicate per batch
    one_by_one = ManyREML(model).fit(Y)
    np.testing.assert_allclose(one_by_one.g, whole.g, atol=1e-9)
    np.testing.assert_allclose(one_by_one.criterion, whole.criterion, rtol=1e-13)


def test_the_icc_bootstrap_equals_refits_one_at_a_time():
    """icc_who5's percentile CI from the batched refits is the CI of the same replicates refitted one by one (by
    L-BFGS-B)."""
    import pandas as pd
    from conftest import ROOT

    from fittrial.analyses.icc import bootstrap_responses, icc_who5
    from fittrial.models.effects import fit_primary_lmm

    long = pd.read_csv(ROOT / "tests" / "fixtures" / "reference" / "small_clustered" / "long.csv",
                       dtype={"citizen_id": str, "caseworker_id": str, "stratum": str})
    result = fit_primary_lmm(long)
    ours = icc_who5(result, n_boot=40, seed=9)
    Y, start = bootstrap_responses(result, 40, 9)
    shares = []
    for y in Y:
        f = result.model.with_response(y).fit_lbfgsb(starts=(start, (0.0, start[1], start[2])))
        between = f.var_caseworker + f.var_cw_visit
        shares.append(between / (between + f.var_citizen + f.var_residual))
    lo, hi = np.quantile(shares, [0.025, 0.975])
    assert ours["ci_low"] == pytest.approx(0.0 if lo < 1e-8 else lo, abs=1e-6)
    assert ours["ci_high"] == pytest.approx(hi, abs=1e-6)


def test_single_fit_is_newton_and_falls_back_to_lbfgsb(monkeypatch):
    """NestedREML.fit is the batched Newton with one replicate; when Newton does not settle within its iterations
    (forced here), the fit is L-BFGS-B's."""
    rng = np.random.default_rng(8)
    cw, cit, vis, X, response = _trial(rng, **CASES["four_visits_unequal"])
    model = NestedREML(response(rng), X, cw, cit, vis)
    newton = model.fit()
    g = ManyREML(model).fit(model.y[None]).g[0]
    np.testing.assert_array_equal(newton.beta, model.at(np.sqrt(g)).beta)
    monkeypatch.setattr(lmm_batch, "MAX_ITER", 1)
    assert ManyREML(model).fit(model.y[None]).converged[0] is np.False_
    fallback = model.fit()
    reference = model.fit_lbfgsb()
    np.testing.assert_array_equal(fallback.beta, reference.beta)
    assert fallback.reml_criterion == reference.reml_criterion


def test_batched_deviances_and_covariances_equal_the_single_ones():
    """Satterthwaite's stencil is evaluated all at once (NestedREML.deviances, .vcovs: the citizen sums taken
    once): the same deviance and Cov(beta) as one point at a time, to the rounding of sums taken in another
    order, on a model with every intercept and on one without the caseworker x visit term."""
    rng = np.random.default_rng(5)
    for case in ("four_visits_unequal", "one_visit"):
        cw, cit, vis, X, response = _trial(rng, **CASES[case])
        model = NestedREML(response(rng), X, cw, cit, None if case == "one_visit" else vis)
        points = np.abs(rng.normal(0.5, 0.3, (9, 4))) + 0.05
        points[:, 3] *= 10
        if not model.free[2]:
            points[:, 2] = 0.0
        single = np.array([model.deviance(vp) for vp in points])
        np.testing.assert_allclose(model.deviances(points), single, rtol=1e-12)
        np.testing.assert_allclose(model.vcovs(points), np.array([model.vcov(vp) for vp in points]), rtol=1e-9,
                                   atol=1e-12)


def test_stack_inverse_is_numpy_inverse():
    """The criterion's 3 x 3 (and q x q) inverses entry by entry: numpy's inverse and log-determinant."""
    rng = np.random.default_rng(2)
    for q in (1, 2, 3, 4):
        A = rng.normal(size=(5, 40, q, q))
        K = np.eye(q) + np.einsum("...ij,...kj->...ik", A, A)
        inv, logdet = lmm_batch._spd_inverse(K)
        np.testing.assert_allclose(inv, np.linalg.inv(K), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(logdet, np.linalg.slogdet(K)[1], rtol=1e-13, atol=1e-13)
