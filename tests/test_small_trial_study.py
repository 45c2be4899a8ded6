"""The small-trial calibration study (tools/small_trial_study.py, issue 24): the randomisation test of the hazard
ratios (the report's rule since issue 24) uses the right score, and the study runs end to end on a tiny grid."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("small_trial_study", ROOT / "tools" / "small_trial_study.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _breslow_loglik(b: np.ndarray, time: np.ndarray, status: np.ndarray, X: np.ndarray) -> float:
    """The Breslow partial log-likelihood, written out directly (no weights, no competing events)."""
    eta = X @ b
    out = 0.0
    for t in np.unique(time[status == 1]):
        dead = (time == t) & (status == 1)
        out += eta[dead].sum() - dead.sum() * np.log(np.exp(eta[time >= t]).sum())
    return float(out)


def test_the_randomisation_statistic_is_the_arms_score_at_no_effect(study):
    """fittrial.analyses.survival.arm_scores (the report's randomisation test of the hazard ratios since issue 24):
    sum_i a_i M_i (martingale residuals of the model without the arm) equals the derivative of the partial
    log-likelihood in the arm's coefficient at 0, the other coefficients at their estimates without the arm: the
    score test the re-randomisation refers to its randomisation distribution (Gail et al. 1996)."""
    from fittrial.analyses.hazards import arm_scores, fine_gray_weights, weighted_breslow_cox

    citizens, _ = study.independent(12, 2, np.random.default_rng(3), 0.0, "base")
    time = citizens["time_days"].to_numpy(float)
    status = citizens["event_dropout"].to_numpy(int)
    strat = (citizens["stratum"] == "S1").to_numpy(float)[:, None]
    arm = citizens["fit"].to_numpy(float)
    event_times, W = fine_gray_weights(time, status, 1)
    M = arm_scores(time, status, strat - strat.mean(), np.zeros(len(time)), W, event_times)
    b_null, *_ = weighted_breslow_cox(time, status, strat, citizens["caseworker_id"].to_numpy())
    X = np.column_stack([arm, strat[:, 0]])
    h = 1e-6
    numeric = (_breslow_loglik(np.array([h, b_null[0]]), time, status, X)
               - _breslow_loglik(np.array([-h, b_null[0]]), time, status, X)) / (2 * h)
    assert float(arm @ M) == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert abs(float(M[strat[:, 0] == 1].sum())) < 1e-8 and abs(float(M.sum())) < 1e-8  # strata balance


def test_the_study_runs_every_analysis_and_rule_on_a_tiny_grid(study, tmp_path):
    out = tmp_path / "study.csv"
    study.run(out, "independent", 2, 1, 8.0, (10,), ("base",), 2, randomisations=19)
    rows = pd.read_csv(out)
    expected = {(m, r) for m, rules in study.RULES.items() for r in rules}
    expected |= {("primary", "randomisation"), ("dropout_cox", "randomisation"),
                 ("dropout_fine_gray", "randomisation")}
    assert set(zip(rows["method"], rows["rule"])) == expected
    assert len(rows) == 2 * 2 * len(expected)  # 2 trials x (no effect, effect) x every analysis and rule
    table = study.summary([out])
    assert table["reject"].between(0, 1).all() and set(table["effect"]) == {0.0, 8.0}
    assert "| dropout_cox | robust_t |" in study.markdown(table)
