"""The imputation model against R's jomo (reference values from tests/reference/make_mi_reference.R).

Both sides are Markov chain Monte Carlo, so the tolerances are Monte Carlo
ones, stated per test: a parameter's posterior mean agrees with jomo's when
the difference is within 4.5 combined batch-means Monte Carlo SEs (about 60
parameters per case: a correct sampler fails this about once in a thousand
runs, and the seed is fixed); the pooled MI estimate agrees when the
difference is within 4 Monte Carlo SDs of the two pooled means
(sqrt(B/m_R + B/m_py), B the between-imputation variance), and the pooled SE
within 12%. With the level-1 degrees of freedom of an inverse Wishart
full conditional other than jomo's (n + T instead of n - 1) the first test
fails on ``small_clustered`` (|z| up to 14).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fittrial.analyses.imputation import multiple_imputation
from fittrial.models.jointmodel import sample_joint_model

REF = Path(__file__).parent / "fixtures" / "reference"
CASES = ["trial_like", "small_clustered", "four_strata"]


def _batch_means(x: np.ndarray, batches: int = 50) -> tuple[float, float]:
    b = x[: len(x) // batches * batches].reshape(batches, -1).mean(axis=1)
    return float(x.mean()), float(b.std(ddof=1) / np.sqrt(batches))


@cache
def _chain(case: str):
    d = pd.read_csv(REF / case / "mi_design.csv")
    ycols = [c for c in d if c.startswith("y_")]
    xcols = [c for c in d if c.startswith("x_")]
    draws = sample_joint_model(d[ycols].to_numpy(float), d[xcols].to_numpy(float),
                               pd.factorize(d["caseworker_id"])[0], 1, 7, burn_in=1000, between=6000,
                               keep_chain=True)
    return d, ycols, xcols, draws


@pytest.mark.parametrize("case", CASES)
def test_joint_model_posterior_agrees_with_jomo(case):
    r = pd.read_csv(REF / case / "r_jomo_chain.csv")
    d, ycols, xcols, draws = _chain(case)
    z = []
    for _, row in r.iterrows():
        if row["parameter"] == "beta":
            x = draws.chain_beta[:, xcols.index("x_" + row["row"]), ycols.index("y_" + row["col"])]
        else:
            chain = draws.chain_omega_e if row["parameter"] == "omega_e" else draws.chain_omega_u
            x = chain[:, ycols.index("y_" + row["row"]), ycols.index("y_" + row["col"])]
        mean, mcse = _batch_means(x)
        z.append((mean - row["mean"]) / np.hypot(mcse, row["mcse"]))
    z = np.abs(np.array(z))
    assert len(z) == len(xcols) * len(ycols) + len(ycols) * (len(ycols) + 1)
    assert z.max() < 4.5, f"largest |z| {z.max():.2f}"


@pytest.mark.parametrize("case", CASES)
def test_pooled_mi_effect_agrees_with_jomo_and_lme4(case):
    citizens = pd.read_csv(REF / case / "citizens.csv")
    r = pd.read_csv(REF / case / "r_jomo_mi.csv").set_index("visit")
    m = 30
    res = multiple_imputation(citizens, m, 11, None, np.array([0.0]), 12, (0, 6, 12))
    assert {row.timepoint_months for row in res.rows} == set(r.index)
    for row in res.rows:
        ref = r.loc[row.timepoint_months]
        mc_sd = np.sqrt(ref["between"] * (1 / ref["m"] + 1 / m))
        assert abs(row.estimate - ref["estimate"]) < 4 * mc_sd, (row.timepoint_months, row.estimate,
                                                                  ref["estimate"], mc_sd)
        assert row.se == pytest.approx(np.sqrt(ref["total_variance"]), rel=0.12)
        assert "jomo1rancon" in row.method and "auxiliary age, sex" in row.method


def test_caseworker_variance_draws_stay_sane_near_zero():
    """four_strata has caseworker variances of 1.6-4.2 (SD about 1.5 on a WHO-5 SD of 19): the imputation model's
    draws of them stay far below the total variance of WHO-5 (the previous normal-approximation draws reached
    1,970 for a variance of 1.2)."""
    d, ycols, _, draws = _chain("four_strata")
    caseworker_var = np.diagonal(draws.chain_omega_u, axis1=1, axis2=2)
    total = np.nanvar(d[ycols].to_numpy(float), axis=0)
    assert np.all(caseworker_var.mean(axis=0) < 5)
    assert np.all(caseworker_var.max(axis=0) < total / 4), caseworker_var.max(axis=0)


def test_sampler_keeps_its_random_stream():
    """The Gibbs sampler draws, for a seed, the imputations it drew before its steps were batched (commit 4381cc9:
    one generator call per missingness pattern and per step; now one block of normals per iteration, taken in the
    same order): tests/fixtures/gibbs_stream.csv holds that sampler's imputed cells on two reference designs
    (m = 3, 50 iterations burn-in, 10 between, seed 7). The arithmetic differs (the conditional normals through
    the precision matrix, LAPACK for the inverse Wishart), so the values agree to rounding (1e-9), not to the bit;
    a change to the order of the draws moves them by whole standard deviations."""
    ref = pd.read_csv(Path(__file__).parent / "fixtures" / "gibbs_stream.csv")
    for case, cells in ref.groupby("case"):
        d = pd.read_csv(REF / case / "mi_design.csv")
        ycols = [c for c in d if c.startswith("y_")]
        xcols = [c for c in d if c.startswith("x_")]
        draws = sample_joint_model(d[ycols].to_numpy(float), d[xcols].to_numpy(float),
                                   pd.factorize(d["caseworker_id"])[0], 3, 7, burn_in=50, between=10)
        ours = [draws.completed[k - 1][r, ycols.index(c)] for k, r, c in
                zip(cells["imputation"], cells["row"], cells["column"])]
        np.testing.assert_allclose(ours, cells["value"].to_numpy(float), atol=1e-9, rtol=0)
