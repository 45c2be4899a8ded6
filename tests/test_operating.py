"""The operating-characteristics simulator: departures from the analysis model, every analysis, the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml
from conftest import ROOT

from fittrial.design.operating import Departures, run_chunk, scenario_parameters, simulate_analysis_data, summarise
from fittrial.language.i18n import Translator
from fittrial.report.context import oc_appendix

BASE = yaml.safe_load((ROOT / "config" / "example_trial.yaml").read_text(encoding="utf-8"))
NULL = {"effect": {6: 0.0, 12: 0.0}, "odds_ratio": {"dropout": 1.0}}


def test_scenario_keys_split_into_parameters_and_departures():
    params, dep = scenario_parameters(BASE, {**NULL, "strata": {"A": 4, "B": 4}, "ar1_rho": 0.5, "mi_every": 3})
    assert params.strata == {"A": 4, "B": 4} and params.effect == {6: 0.0, 12: 0.0}
    assert dep == Departures(ar1_rho=0.5, mi_every=3)


def _wide(params, dep, seed=1):
    many = scenario_parameters(BASE, {**NULL, "missing_followup": 0.0, "missing_baseline": 0.0, "missing_item": 0.0,
                                      "citizens_per_caseworker": 60})[0]
    return simulate_analysis_data(many, np.random.default_rng(seed), dep)[0]


def test_ar1_correlation_decays_with_time_apart():
    cit = _wide(None, Departures(ar1_rho=0.6))
    c = cit[["who5_m0", "who5_m6", "who5_m12"]].corr()
    assert c.loc["who5_m0", "who5_m6"] > c.loc["who5_m0", "who5_m12"] + 0.1  # 0.6 vs 0.36 (plus caseworker)
    flat = _wide(None, Departures())
    f = flat[["who5_m0", "who5_m6", "who5_m12"]].corr()
    assert abs(f.loc["who5_m0", "who5_m6"] - f.loc["who5_m0", "who5_m12"]) < 0.05  # exchangeable by default


def test_caseworker_followup_effect_moves_follow_up_means_of_a_caseworker_together():
    cit = _wide(None, Departures(sd_caseworker_followup=6.0))
    means = cit.groupby("caseworker_id")[["who5_m0", "who5_m6", "who5_m12"]].mean()
    change6, change12 = means["who5_m6"] - means["who5_m0"], means["who5_m12"] - means["who5_m0"]
    assert np.corrcoef(change6, change12)[0, 1] > 0.5  # a caseworker's change is shared by both follow-ups


def test_mnar_makes_low_scorers_in_the_fit_arm_go_missing():
    params, _ = scenario_parameters(BASE, {**NULL, "citizens_per_caseworker": 60})
    full = simulate_analysis_data(params, np.random.default_rng(5), Departures())[0]
    mnar = simulate_analysis_data(params, np.random.default_rng(5), Departures(mnar_slope=-1.5))[0]
    gap = lambda c, arm: c.loc[c.fit == arm, "who5_m12"].mean()  # noqa: E731
    assert gap(mnar, 1) - gap(full, 1) > 2.0  # observed FIT-arm mean inflated: the worse-off are missing
    assert abs(gap(mnar, 0) - gap(full, 0)) < 1.0


def test_a_study_gives_the_same_trials_however_it_is_split_into_chunks():
    """Seeds are per trial (seed, scenario, trial number), not per chunk: 4 trials in one chunk equal 2 + 2, and
    another scenario's name does not change them."""
    params, dep = scenario_parameters(BASE, {**NULL, "strata": {"A": 4, "B": 4}, "mi_every": 0})
    whole = run_chunk(params, 4, 11, "split", dep)
    parts = pd.concat([run_chunk(params, 2, 11, "split", dep, 0), run_chunk(params, 2, 11, "split", dep, 2)],
                      ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)
    assert sorted(set(whole["trial"])) == [0, 1, 2, 3]
    other = run_chunk(params, 1, 11, "other_name", dep)
    assert not np.isclose(other["estimate"].iloc[0], whole["estimate"].iloc[0])


def test_every_analysis_on_a_small_trial_with_departures():
    params, dep = scenario_parameters(BASE, {**NULL, "strata": {"A": 4, "B": 4}, "sd_caseworker_visit": 3.0,
                                             "mi_every": 1, "mi_m": 2})
    rows = run_chunk(params, 2, 3, "tiny", dep)
    assert set(rows["method"]) == {"primary", "primary_satterthwaite", "clda", "cluster_level", "naive",
                                   "dropout_gee", "dropout_cox", "subgroup_interaction", "multiple_imputation"}
    assert rows.groupby("method").size().eq(2).all()
    primary = rows[rows.method == "primary"]
    assert (primary["df"] > 0).all()  # Kenward-Roger df as pbkrtest (no longer capped at 8 - 2, issue 24)
    summary = summarise(rows).set_index("method")
    assert np.isnan(summary.loc["subgroup_interaction", "coverage"])
    assert summary.loc["primary", "rejection_is"] == "type_I_error"


def test_appendix_names_analyses_outside_the_targets():
    oc = pd.DataFrame([
        {"scenario": "no_effect", "method": "primary", "n_trials": 1000, "rejection_rate": 0.05,
         "rejection_rate_mcse": 0.007, "coverage": 0.95, "coverage_mcse": 0.007},
        {"scenario": "no_effect_cw_visit", "method": "clda", "n_trials": 1000, "rejection_rate": 0.097,
         "rejection_rate_mcse": 0.009, "coverage": 0.90, "coverage_mcse": 0.009},
        {"scenario": "plausible_effect", "method": "primary", "n_trials": 1000, "rejection_rate": 0.41,
         "rejection_rate_mcse": 0.015, "coverage": 0.95, "coverage_mcse": 0.007}])
    out = oc_appendix(oc, Translator("en"))
    assert out["header"] == ["Primary", "CLDA"]
    assert [r["scenario"] for r in out["rows"]] == ["No effect: the analysis model",
                                                    "No effect: caseworkers differ by visit",
                                                    "Plausible effect (4 points at 12 months; dropout OR 0.7)"]
    assert out["rows"][1]["values"] == ["", "9.7% (90.0%)"]
    assert 'CLDA in "No effect: caseworkers differ by visit" (rejection 9.7%, coverage 90.0%)' in out["outside"]
    assert "Primary in" not in out["outside"]
    assert oc_appendix(None, Translator("en"))["missing"].startswith("Not computed for this trial")


def test_appendix_is_shown_only_for_a_study_of_this_trials_design():
    """A study that simulated another number of caseworkers (the bundled 65 beside a trial of 12) is not shown; the
    appendix says why and how to make one of this design; a study that does not say what it simulated is not shown
    either."""
    oc = pd.DataFrame([{"scenario": "no_effect", "method": "primary", "n_trials": 100, "rejection_rate": 0.05,
                        "rejection_rate_mcse": 0.02, "coverage": 0.95, "coverage_mcse": 0.02, "n_caseworkers": 65}])
    assert oc_appendix(oc, Translator("en"), 65)["missing"] == ""
    other = oc_appendix(oc, Translator("da"), 12)
    assert set(other) == {"missing"} and "65 medarbejdere" in other["missing"] and "lodtrak 12" in other["missing"]
    unknown = oc_appendix(oc.drop(columns="n_caseworkers"), Translator("en"), 12)
    assert "does not say how many" in unknown["missing"]


def test_validate_studies_the_users_design_estimated_from_the_data(schemas, tmp_path):
    """With validation.parameters empty (the default) the simulation study's base trial is estimated from this
    trial: its strata, caseworkers and cluster size, control means per visit, ICC and missingness."""
    from test_estimability import analysis_data

    from fittrial.design.operating import simulated_caseworkers, trial_simulation_parameters
    from fittrial.design.simulate import SimulationParameters
    from fittrial.models.effects import fit_primary_lmm

    cit, long, _ = analysis_data(SimulationParameters(seed=5, strata={"X": 6, "Y": 8}, citizens_per_caseworker=9),
                                 schemas, tmp_path)
    result = fit_primary_lmm(long)
    rand = cit.groupby("caseworker_id", as_index=False).agg(stratum=("stratum", "first"))
    base = trial_simulation_parameters(cit, rand, result.variance_table(), [0, 6, 12], 12, 7)
    assert base["strata"] == {"X": 6, "Y": 8} and simulated_caseworkers(base) == 14
    assert abs(base["citizens_per_caseworker"] - len(cit) / 14) < 1e-3
    assert set(base["who5_mean"]) == {0, 6, 12} and set(base["effect"]) == {6, 12}
    assert 0 <= base["missing_followup"] < 1 and base["sd_residual"] > 0
    params, dep = scenario_parameters(base, {"effect": {"all": 0.0}, "strata": {"A": 4, "B": 4}})
    assert params.effect == {6: 0.0, 12: 0.0} and simulated_caseworkers(base, {"strata": {"A": 4, "B": 4}}) == 8
    rows = run_chunk(params, 1, 3, "mine", dep)
    assert np.isfinite(rows.loc[rows["method"] == "primary", "estimate"]).all()
