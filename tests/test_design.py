"""Design of the next trial (fittrial.design): analytic power against statsmodels and the textbook formula,
and simulated power of the primary analysis against the analytic power where its assumptions hold."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from fittrial.design import DesignParameters, analytic_power, caseworkers_needed, power_summary, simulated_power


def params(**kw) -> DesignParameters:
    base = dict(sd=20.0, icc=0.05, cluster_autocorrelation=1.0, subject_autocorrelation=0.0,
                citizens_per_caseworker=10.0, cv=0.0, attrition=0.0)
    return DesignParameters(**{**base, **kw})


@pytest.mark.parametrize("k,effect", [(10, 10.0), (20, 10.0), (64, 10.0), (30, 5.0), (200, 5.0)])
def test_one_citizen_per_caseworker_is_the_two_sample_t_test(k, effect):
    """With m = 1 the design is individually randomised: the power equals statsmodels' TTestIndPower (the same
    noncentral-t power as R's power.t.test) to rounding."""
    from statsmodels.stats.power import TTestIndPower

    p = params(icc=0.0)
    expected = TTestIndPower().power(effect / p.sd, nobs1=k, alpha=0.05, ratio=1.0)
    assert analytic_power(p, k, 1, effect) == pytest.approx(expected, abs=1e-12)


def test_caseworkers_needed_agrees_with_the_textbook_formula():
    """Donner & Klar: clusters per arm = 2 (z_a + z_b)^2 sd^2 (1 + (m - 1) icc) / (m d^2) for large trials; the
    t-based answer is that, rounded up, plus the small-sample correction (at most a few caseworkers). No baseline
    adjustment (both autocorrelations 0), as in the textbook's post-test comparison."""
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    for icc, m, d in [(0.05, 20, 5.0), (0.02, 10, 3.0), (0.1, 30, 6.0), (0.0, 15, 4.0)]:
        p = params(icc=icc, cluster_autocorrelation=0.0)
        textbook = 2 * z ** 2 * p.sd ** 2 * (1 + (m - 1) * icc) / (m * d ** 2)
        k = caseworkers_needed(p, m, d)
        assert math.ceil(textbook) <= k <= math.ceil(textbook) + 3, (icc, m, d, textbook, k)
        assert analytic_power(p, k, m, d) >= 0.8 > analytic_power(p, k - 1, m, d)


def test_design_effects_move_the_right_way():
    base = params()
    k, m, d = 20, 15, 5.0
    assert analytic_power(params(cv=0.6), k, m, d) < analytic_power(base, k, m, d)  # unequal sizes cost
    assert analytic_power(params(attrition=0.3), k, m, d) < analytic_power(base, k, m, d)
    assert analytic_power(params(subject_autocorrelation=0.6), k, m, d) > analytic_power(base, k, m, d)  # ANCOVA


@pytest.mark.slow
def test_simulated_power_of_the_primary_analysis_agrees_where_the_assumptions_hold():
    """Equal-variance normal data, no caseworker x visit variance, complete baseline: the share of simulated trials
    in which the pre-specified primary analysis rejects lies within 3.5 Monte Carlo SEs of the analytic power
    (the KR df capped at the between-caseworker df make the analysis slightly conservative)."""
    import yaml

    from conftest import ROOT

    base = {**yaml.safe_load((ROOT / "config" / "example_trial.yaml").read_text(encoding="utf-8")),
            "missing_item": 0.0}
    p = params(sd=20.0, icc=0.05, subject_autocorrelation=0.5, attrition=0.2)
    trials = simulated_power(p, 12, 12, 6.0, 160, 2026, 0, base=base)
    row = power_summary(trials, p).iloc[0]
    assert row["n_not_estimated"] == 0
    assert abs(row["simulated_power"] - row["analytic_power"]) < 3.5 * row["simulated_power_mcse"], row.to_dict()
    again = simulated_power(p, 12, 12, 6.0, 40, 2026, 0, base=base, first_trial=120)  # seeds per trial, not per job
    assert again["estimate"].tolist() == trials["estimate"].iloc[120:].tolist()
