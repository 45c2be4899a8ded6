"""Every analysis decides from the data whether it is estimable, and says why not in words.

These tests use small hand-made or simulated analysis data sets of shapes the
default simulator does not draw (pilot trials, no events, constant outcomes,
one follow-up per citizen); the end-to-end versions are in test_shapes.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import VISITS, small_params

from fittrial.analyses.randomisation import allocations, randomisation_test
from fittrial.analyses.sensitivity import clda, cluster_level, subgroup
from fittrial.analyses.survival import cox_dropout, dropout_times
from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.inputs.dataset import build_analysis_data, course_outcomes
from fittrial.inputs.read import read_table
from fittrial.inputs.scoring import windows_from_config
from fittrial.inputs.validation import validate_inputs
from fittrial.models.effects import fit_binary_gee, fit_primary_lmm
from fittrial.models.estimable import NotEstimable
from fittrial.steps.config import check_config


def analysis_data(params: SimulationParameters, schemas, folder, visits=VISITS):
    paths = write_trial(simulate_trial(params), folder)
    trial = validate_inputs({n: read_table(p, n) for n, p in paths.items()}, schemas)
    return build_analysis_data(trial, windows_from_config(visits))


@pytest.fixture(scope="module")
def small(schemas, tmp_path_factory):
    citizens, long, _ = analysis_data(small_params(5), schemas, tmp_path_factory.mktemp("small"))
    return citizens, long


def test_one_followup_per_citizen_drops_the_citizen_intercept(small):
    citizens, long = small
    one = long[long["visit"] == 12]
    res = fit_primary_lmm(one, None, "satterthwaite", [12])
    assert res.fit.free == (True, False, False) and res.var_citizen == 0
    table = res.variance_table().set_index("component")
    assert np.isnan(table.loc["citizen within caseworker", "variance"])
    assert "cannot be told apart" in table.loc["citizen within caseworker", "not_estimated"]
    assert np.isnan(table.loc["caseworker x visit", "variance"])  # one visit: no caseworker x visit term
    assert "no citizen intercept" in res.contrasts[0].method
    both = fit_primary_lmm(long, None, "satterthwaite", [6, 12])
    assert both.fit.free == (True, True, True)


def test_a_visit_missing_in_one_arm_is_left_out_with_its_reason(small):
    _, long = small
    cut = long[~((long["visit"] == 6) & (long["fit"] == 0))]
    res = fit_primary_lmm(cut, None, "satterthwaite", [6, 12])
    rows = {c.timepoint_months: c for c in res.contrasts}
    assert np.isnan(rows[6].estimate) and rows[6].not_estimated == "No WHO-5 at 6 months in the control arm"
    assert np.isfinite(rows[12].estimate) and res.model_visits == [12]
    with pytest.raises(NotEstimable, match="control arm"):
        fit_primary_lmm(long[long["fit"] == 1], None, "satterthwaite", [6, 12])


def test_gee_constant_in_both_arms_and_separation_are_named(small):
    citizens, _ = small
    c = citizens.assign(eviction_or_risk_12m=0)
    row = fit_binary_gee(c, "eviction_or_risk_12m").contrasts[0]
    assert np.isnan(row.estimate) and "is 0 for every analysed citizen in both arms" in row.not_estimated
    c = citizens.assign(dropout=np.where(citizens["fit"] == 1, 0, citizens["dropout"]))
    row = fit_binary_gee(c, "dropout").contrasts[0]
    assert "every analysed FIT citizen" in row.not_estimated and "complete separation" in row.not_estimated


def _strata_trial(cells: dict[tuple[str, int], tuple[int, int]]) -> pd.DataFrame:
    """Citizens of one caseworker per (stratum, arm) cell with (events, citizens) of dropout."""
    rows = []
    for (stratum, arm), (events, n) in cells.items():
        for i in range(n):
            rows.append({"citizen_id": f"{stratum}{arm}{i:02d}", "caseworker_id": f"CW{stratum}{arm}",
                         "stratum": stratum, "fit": arm, "dropout": float(i < events)})
    return pd.DataFrame(rows)


def test_gee_names_quasi_separation_across_strata():
    """A small trial in strata with a rare outcome: no FIT dropout in S1, every control dropping out in S2 and S3.
    No single group is constant, but no finite odds ratio fits (the likelihood rises without end as the FIT
    coefficient falls and those of S2 and S3 rise): the GEE had published an odds ratio of 2e-11 with p = 0.003.
    Now it is not estimated, with the reason; one FIT dropout in S1 makes it estimable again."""
    from fittrial.models.estimable import arm_separated

    cells = {("S1", 1): (0, 8), ("S1", 0): (2, 6), ("S2", 1): (3, 12), ("S2", 0): (3, 3), ("S3", 1): (4, 10),
             ("S3", 0): (2, 2)}
    result = fit_binary_gee(_strata_trial(cells), "dropout")
    assert all(np.isnan(c.estimate) for c in result.contrasts)
    assert "quasi-complete separation" in result.contrasts[0].not_estimated
    fixed = fit_binary_gee(_strata_trial({**cells, ("S1", 1): (1, 8)}), "dropout")
    assert fixed.contrasts[0].not_estimated == "" and np.isfinite(fixed.contrasts[0].se)
    # the linear programme itself: separated along the arm, and not when the arm is not involved
    X = np.array([[1, 1], [1, 1], [1, 0], [1, 0]], float)
    assert arm_separated(np.array([0, 0, 1, 1.0]), X, 1)  # the arm predicts the outcome perfectly
    assert not arm_separated(np.array([0, 1, 0, 1.0]), X, 1)


def test_time_to_dropout_without_events(small):
    citizens, _ = small
    times = dropout_times(citizens).assign(event=0)
    row = cox_dropout(times)
    assert np.isnan(row.estimate) and row.not_estimated == "No dropout events in either arm"
    times.loc[times.index[times["fit"].to_numpy() == 1][:3], "event"] = 1
    assert cox_dropout(times).not_estimated.startswith("No dropout events in the control arm")


def test_clda_without_baseline_in_the_schedule(small):
    citizens, _ = small
    rows = clda(citizens, None, "satterthwaite", (6, 12))
    assert [r.timepoint_months for r in rows] == [6, 12]
    assert all(r.not_estimated == "The visit schedule has no baseline (visit 0)" for r in rows)


def test_cluster_level_needs_caseworker_df():
    cit = pd.DataFrame({"citizen_id": list("abcd"), "caseworker_id": ["w1", "w2", "w3", "w4"],
                        "stratum": ["A", "A", "B", "B"], "fit": [1, 0, 0, 0], "who5_m12": [40.0, 50, 60, 44],
                        "baseline_who5": [40.0, 41, 42, 43], "baseline_missing": 0})
    rows = cluster_level(cit, None, 12)
    assert rows[0].not_estimated.startswith("Only 1 caseworker in the FIT arm has WHO-5 at 12 months")
    assert np.isnan(rows[1].estimate) and rows[1].analysis == "cluster_level_weighted"


def test_subgroup_without_the_variable_recorded(small):
    citizens, long = small
    rows = subgroup(long, citizens.assign(sex=None), "sex", [30, 50])
    assert len(rows) == 1 and rows[0].analysis == "subgroup:sex"
    assert rows[0].not_estimated == "Sex is not recorded for any citizen with follow-up WHO-5"


def test_pilot_randomisation_test_is_exact_and_terminates(schemas, tmp_path):
    params = SimulationParameters(seed=8, strata={"A": 4, "B": 4}, citizens_per_caseworker=5)
    _, long, _ = analysis_data(params, schemas, tmp_path)
    res = fit_primary_lmm(long, None, "satterthwaite", [6, 12])
    cw = long.groupby("caseworker_id").agg(stratum=("stratum", "first"), fit=("fit", "first"))
    test = randomisation_test(res, cw["stratum"], cw["fit"], 10_000, 1)
    assert test.exact and test.n_randomisations == 36  # C(4,2) x C(4,2)
    assert 1 / 36 <= test.p_value <= 1
    if np.isnan(test.ci_low):
        assert "not attainable" in test.ci_note and "36 possible allocations" in test.ci_note
    A, exact = allocations(cw["stratum"].to_numpy(), cw["fit"].to_numpy(float), 10, np.random.default_rng(0))
    assert not exact and A.shape == (11, 8)


def test_course_outcomes_have_a_window():
    enrolled = pd.Timestamp("2020-01-01")
    cit = pd.DataFrame({
        "enrolled_on": [enrolled] * 6,
        "ended_on": pd.to_datetime(["2020-03-01", "2021-06-01", None, None, "2020-05-01", "2020-04-01"]),
        "end_reason": ["dropout", "dropout", None, None, "moved", None]})
    censor = {2: pd.Timestamp("2021-06-01"), 3: pd.Timestamp("2020-06-01")}
    out = pd.concat([course_outcomes(cit.iloc[[k]], censor.get(k, pd.Timestamp("2021-06-01")), 365)
                     for k in range(6)])
    assert out["dropout"].tolist()[:5] == [1, 0, 0, pd.NA, 0] or list(out["dropout"].astype("Float64")
                                                                       .fillna(-1))[:5] == [1, 0, 0, -1, 0]
    assert out["dropout"].isna().tolist() == [False, False, False, True, False, True]
    assert out["dropout_days"].tolist()[:5] == [60.0, 365.0, 365.0, 152.0, 121.0]
    assert out["dropout_event"].tolist()[:5] == [1, 0, 0, 0, 0] and np.isnan(out["dropout_days"].iloc[5])


def test_config_problems_are_named_before_any_job():
    config = {"visits": [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 200},
                         {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273}],
              "analysis": {"primary_visit": 12, "age_breaks": [50, 30], "censor_on": "2020-02-30"},
              "checks": {"age_min": 15, "age_max": 120}}
    problems = check_config(config)
    assert any("overlap" in p for p in problems)
    assert any(p.startswith("analysis.primary_visit: 12 is not one of the visits") for p in problems)
    assert any(p.startswith("analysis.age_breaks") for p in problems)
    assert any("'2020-02-30' is not a calendar date" in p for p in problems)


def test_blinded_reasons_name_the_arms_a_and_b():
    from fittrial.publish.labels import blind_text

    reasons = ["No WHO-5 at 12 months in the FIT arm", "No dropout events in the control arm, so the hazard ratio is 0",
               "The outcome dropout is 0 for every analysed FIT citizen, so the odds ratio is 0 or infinite",
               "the outcome x is 1 for every citizen in the group 'not fit', so that group's odds ratio is 0"]
    for text in map(blind_text, reasons):
        assert "FIT" not in text and "control" not in text and "fit'" not in text
