"""Design of the next trial (fittrial.design.power): analytic power against statsmodels and the textbook formula,
and simulated power of the primary analysis against the analytic power where its assumptions hold."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from fittrial.design.power import DesignParameters, analytic_power, caseworkers_needed, power_summary, simulated_power


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


# --- against R (CRTSize) -----------------------------------------------------------------------------------------

def crtsize_rows():
    import pandas as pd
    from conftest import ROOT

    return list(pd.read_csv(ROOT / "tests" / "fixtures" / "r_crtsize.csv").itertuples())


@pytest.mark.parametrize("r", crtsize_rows(), ids=lambda r: f"{r.kind}-m{r.m}-icc{r.icc}-n{r.n:.1f}")
def test_clusters_per_arm_agree_with_crtsize(r):
    """R's CRTSize (n4means, n4props; tests/reference/make_design_reference.R) with equal cluster sizes, no baseline
    adjustment, no attrition. Where it uses the normal approximation (n >= 30 clusters per arm) the same formula
    from our variance gives its unrounded n to 1e-9 (relative), and our noncentral-t answer is its rounded n or
    one more (the t correction it leaves out). Where it iterates with t quantiles (n < 30) our answer equals its
    rounded n."""
    from fittrial.design.binary import BinaryParameters, binary_table, binary_variance
    from fittrial.design.power import variance_of_difference

    z2 = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2
    if r.kind == "means":
        p = params(sd=r.sigma, icc=r.icc, cluster_autocorrelation=0.0, citizens_per_caseworker=r.m)
        n_normal = z2 * variance_of_difference(p, 1, r.m) / r.delta ** 2
        k = caseworkers_needed(p, r.m, r.delta)
    else:
        ratio = r.pe * (1 - r.pc) / (r.pc * (1 - r.pe))
        b = BinaryParameters("dropout", r.pc, r.icc, r.m, 0.0, 0.0)
        n_normal = z2 * binary_variance(b, 1, r.m, ratio) / (r.pe - r.pc) ** 2
        k = int(binary_table([b], [r.m], [ratio])["caseworkers_per_arm"].iloc[0])
    if r.n >= 30:
        assert n_normal == pytest.approx(r.n, rel=1e-9)
        assert r.n_clusters <= k <= r.n_clusters + 1
    else:
        assert k == r.n_clusters


# --- binary outcomes ---------------------------------------------------------------------------------------------

def test_odds_ratio_gives_the_treated_proportion():
    from fittrial.design.binary import treated_proportion

    p1 = treated_proportion(0.3, 0.5)
    assert (p1 / (1 - p1)) / (0.3 / 0.7) == pytest.approx(0.5)
    assert treated_proportion(0.3, 1.0) == pytest.approx(0.3)


def test_anova_icc_recovers_the_beta_binomial_icc_and_ignores_the_arm():
    """Beta-binomial clusters with ICC 0.05 (1,000 per arm, 30 citizens each, a large arm difference): the ANOVA
    estimator within arm recovers 0.05; without clustering it is about 0."""
    import numpy as np

    from fittrial.design.binary import BinaryParameters, anova_icc, simulate_binary_trial

    rng = np.random.default_rng(7)
    d = simulate_binary_trial(BinaryParameters("x", 0.3, 0.05, 30, 0.0, 0.0), 1000, 30, 0.3, rng)
    assert anova_icc(d["outcome"].to_numpy(), d["caseworker_id"].to_numpy(), d["fit"].to_numpy()) == \
        pytest.approx(0.05, abs=0.01)
    d0 = simulate_binary_trial(BinaryParameters("x", 0.3, 0.0, 30, 0.0, 0.0), 1000, 30, 0.3, rng)
    assert anova_icc(d0["outcome"].to_numpy(), d0["caseworker_id"].to_numpy(), d0["fit"].to_numpy()) < 0.01
    assert np.isnan(anova_icc(np.array([0.0, 1.0]), np.array(["a", "a"]), np.array(["g", "g"])))


def test_binary_parameters_from_a_trial_and_from_the_config():
    import pandas as pd

    from fittrial.design.binary import binary_trial_parameters

    citizens = pd.DataFrame({"caseworker_id": list("aabbccdd"), "fit": [1, 1, 1, 1, 0, 0, 0, 0],
                             "stratum": "S", "dropout": [1, 0, 0, None, 1, 1, 0, 0]})
    rand = pd.DataFrame({"caseworker_id": list("abcde")})
    b = binary_trial_parameters(citizens, rand, "dropout")
    assert b.prevalence == 0.5 and b.missing == pytest.approx(1 / 8)
    assert b.citizens_per_caseworker == pytest.approx(8 / 5) and b.sources["icc"] == "trial"
    b = binary_trial_parameters(citizens, rand, "dropout", {"prevalence": 0.2, "icc": None})
    assert b.prevalence == 0.2 and b.sources == {**b.sources, "prevalence": "config", "icc": "trial"}
    absent = binary_trial_parameters(citizens.drop(columns="dropout"), rand, "dropout")
    assert math.isnan(absent.prevalence)


def test_simulated_power_of_the_gee_is_near_the_analytic_power():
    """Beta-binomial clusters (a model the GEE does not assume), 15 caseworkers per arm of Poisson(15) citizens,
    control proportion 0.3, OR 0.5: the pre-specified GEE (Mancl-DeRouen, t on K - 2 df) rejects in a share within
    3.5 Monte Carlo SEs of the analytic power for Poisson cluster sizes; seeds per trial, not per job."""
    from fittrial.design.binary import BinaryParameters, binary_power_summary, simulated_binary_power

    b = BinaryParameters("dropout", 0.3, 0.02, 15, 0.0, 0.1)
    trials = simulated_binary_power(b, 15, 15, 0.5, 120, 11, 3)
    row = binary_power_summary(trials, {"dropout": b}).iloc[0]
    assert row["n_not_estimated"] == 0
    assert abs(row["simulated_power"] - row["analytic_power"]) < 3.5 * row["simulated_power_mcse"], row.to_dict()
    again = simulated_binary_power(b, 15, 15, 0.5, 20, 11, 3, first_trial=100)
    assert again["log_odds_ratio"].tolist() == trials["log_odds_ratio"].iloc[100:].tolist()


def test_unusable_binary_parameters_give_no_sample_size():
    from fittrial.design.binary import BinaryParameters, binary_table

    table = binary_table([BinaryParameters("eviction_or_risk_12m", 0.0, float("nan"), 10, 0.3, 0.1)], [10], [0.5])
    assert table["caseworkers_per_arm"].isna().all()


def test_the_danish_design_report_has_no_english_text():
    """The design page in Danish: every label, source and note from the Danish texts (numbers with a decimal
    comma); none of the English design texts appears."""
    import matplotlib
    import pandas as pd

    from fittrial.design.binary import BinaryParameters, binary_power_summary, binary_table
    from fittrial.design.power import analytic_table, power_summary, sensitivity_table
    from fittrial.language.i18n import Translator
    from fittrial.language.messages import messages
    from fittrial.steps.design import design_html
    matplotlib.use("Agg")
    import tempfile

    from fittrial.steps.design import power_figure

    p = params(sources={k: "trial" for k in ("sd", "icc", "cv")}, intervals={"icc": (0.01, 0.09)})
    b = BinaryParameters("dropout", 0.3, 0.02, 15, 0.3, 0.1, {"prevalence": "config", "icc": "trial"})
    analytic = analytic_table(p, [10.0], [5.0])
    k = int(analytic["caseworkers_per_arm"].iloc[0])
    power = power_summary(pd.DataFrame({"cell": [0, 0, 1, 1], "caseworkers_per_arm": [10, 10, k, k],
                                        "citizens_per_caseworker": [10.0] * 4, "effect": [5.0] * 4,
                                        "p_value": [0.01, 0.2, 0.01, 0.3], "rejected": [True, False, True, False],
                                        "headline": [False, False, True, True]}), p)
    sensitivity = sensitivity_table(p, 10.0, [5.0])
    b_analytic = binary_table([b], [10.0], [0.5])
    b_power = binary_power_summary(pd.DataFrame({"cell": [0], "outcome": ["dropout"], "caseworkers_per_arm": [10],
                                                 "citizens_per_caseworker": [10.0], "odds_ratio": [0.5],
                                                 "p_value": [0.01], "rejected": [True]}), {"dropout": b})
    t = Translator("da")
    with tempfile.TemporaryDirectory() as tmp:
        png = f"{tmp}/p.png"
        power_figure(p, power, {"dropout": b}, b_power, 0.05, t, png, f"{tmp}/p.svg")
        page = design_html(p, pd.DataFrame(), analytic, power, 12, 0.8, t, png, {"dropout": b}, b_analytic, b_power,
                           sensitivity, [(k, 10.0, 5.0)], "kenward_roger", 2)
    en, da = messages()["en"], messages()["da"]
    english = [v.split("{")[0] for k, v in en.items() if k.startswith(("ds_", "dp_", "dsrc_")) and v != da[k]
               and len(v) > 12]
    found = [e for e in english if e and e in page]
    assert not found, found
    assert "estimeret fra dette forsøg" in page and "sat i konfigurationen (design.binary.parameters)" in page
    assert "oddsratio på 0,50 for frafald" in page
    # the summary: the simulated power of the pre-specified analysis at the headline size (1 of 2 trials; its
    # Monte Carlo SE too large to call it below 80%) and the size needed at the ICC's upper CI end, in Danish
    assert "50% styrke (Monte Carlo-usikkerhed ±35,4 procentpoint)" in page and "Kenward-Roger-justeret SE" in page and "øvre ende af sit 95%-KI (0,090)" in page
    assert "Hvordan svaret afhænger af parametrene" in page and "0,010 &ndash; 0,090" in page
