"""Every analysis stands alone (issue 20): a secondary analysis that fails becomes "not estimated" with a reason that
says what happened and where the details are, and every other analysis and the report go on.

Failures are injected with ``FITTRIAL_INJECT_FAILURE`` (see :func:`fittrial.models.estimable.guarded`), one analysis at a
time on the workflow steps' own functions, and all at once through the whole workflow.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import small_params
from test_workflow import FAST, run_workflow

from fittrial.design.simulate import simulate_trial, write_trial
from fittrial.models.estimable import INJECT_VARIABLE, failure_reason, guarded

FAILED = "stopped with a numerical error the pipeline did not foresee"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The analysis data of a small simulated trial (the workflow run up to the analysis data sets)."""
    work = tmp_path_factory.mktemp("standalone")
    paths = write_trial(simulate_trial(small_params(4)), work / "in")
    proc = run_workflow(work, {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST}, "--until",
                        "analysis_data")
    assert proc.returncode == 0, proc.stderr[-3000:]
    derived = work / "data" / "derived"
    return {"citizens": str(derived / "analysis" / "citizens.parquet"),
            "who5_long": str(derived / "analysis" / "who5_long.parquet"),
            "randomisation": str(derived / "clean" / "randomisation.parquet"),
            "fit_sessions": str(derived / "clean" / "fit_sessions.parquet"), "work": work}


OPTIONS = {"lmm_df": "kenward_roger", "visits": [0, 6, 12], "primary_visit": 12, "adherence_min_sessions": 3,
           "age_breaks": [30, 50], "outcome_window_days": 365, "km_days": [0, 90, 180, 270, 365], **FAST}


def test_guarded_turns_an_unforeseen_error_into_a_reason_and_keeps_user_errors_loud():
    from fittrial.base.errors import InputError, Problem

    assert guarded("x", lambda: 1, lambda reason: reason) == 1
    reason = guarded("x", lambda: 1 / 0, lambda reason: reason)
    assert FAILED in reason and "ZeroDivisionError: division by zero" in reason
    with pytest.raises(InputError):
        guarded("x", lambda: (_ for _ in ()).throw(InputError(Problem("f", "bad"))), lambda reason: reason)
    assert "0101801234" not in failure_reason(ValueError("value 0101801234 is odd"))


@pytest.mark.parametrize("name", ["gee_dropout", "gee_stable_income_12m"])
def test_one_failing_gee_leaves_the_other_outcomes(data, tmp_path, monkeypatch, name):
    from fittrial.steps.models import secondary_step

    monkeypatch.setenv(INJECT_VARIABLE, name)
    rows = {}
    for outcome in ("dropout", "stable_income_12m"):
        out = tmp_path / f"{outcome}.parquet"
        secondary_step(data["citizens"], data["randomisation"], outcome, "mancl_derouen", str(out), 12, 5)
        rows[outcome] = pd.read_parquet(out)
    failed = name.removeprefix("gee_")
    other = ({"dropout", "stable_income_12m"} - {failed}).pop()
    assert rows[failed]["estimate"].isna().all() and rows[failed]["not_estimated"].str.contains(FAILED).all()
    assert len(rows[failed]) == 3 and rows[other]["estimate"].notna().any()


@pytest.mark.parametrize("analysis", ["clda", "cluster_level", "ancova_cr2", "per_protocol", "cace"])
def test_one_failing_sensitivity_analysis_leaves_the_others(data, tmp_path, monkeypatch, analysis):
    from fittrial.steps.models import sensitivity_step

    monkeypatch.setenv(INJECT_VARIABLE, analysis)
    out = {}
    for a in ("clda", "cluster_level", "ancova_cr2", "per_protocol", "cace"):
        sensitivity_step(a, data, OPTIONS, str(tmp_path / f"{a}.parquet"))
        out[a] = pd.read_parquet(tmp_path / f"{a}.parquet")
    assert out[analysis]["estimate"].isna().all()
    assert out[analysis]["not_estimated"].str.contains(FAILED).all()
    assert set(out[analysis]["timepoint_months"]) == ({6, 12} if analysis in ("clda", "per_protocol") else {12})
    for a, frame in out.items():
        if a != analysis:
            assert frame["estimate"].notna().any(), a


def test_failing_subgroup_randomisation_test_imputation_and_dropout_steps(data, tmp_path, monkeypatch):
    from fittrial.steps import models as P

    monkeypatch.setenv(INJECT_VARIABLE, "subgroup_sex,randomisation_test,multiple_imputation,time_to_dropout,"
                                        "cif_dropout,missingness_predictors")
    P.subgroup_step("sex", data, OPTIONS, str(tmp_path / "sex.parquet"))
    P.subgroup_step("stratum", data, OPTIONS, str(tmp_path / "stratum.parquet"))
    sex, stratum = (pd.read_parquet(tmp_path / f"{v}.parquet") for v in ("sex", "stratum"))
    assert list(sex["analysis"]) == ["subgroup:sex"] and FAILED in sex["not_estimated"].iloc[0]
    assert stratum["estimate"].notna().all()
    P.randomisation_step(data["who5_long"], data["randomisation"], OPTIONS, str(tmp_path / "rt.parquet"))
    assert FAILED in pd.read_parquet(tmp_path / "rt.parquet")["not_estimated"].iloc[0]
    P.imputation_step(data["citizens"], data["randomisation"], OPTIONS, str(tmp_path / "mi.parquet"),
                      str(tmp_path / "tip.parquet"), str(tmp_path / "tip2.parquet"))
    mi = pd.read_parquet(tmp_path / "mi.parquet")
    assert set(mi["timepoint_months"]) == {6, 12} and mi["not_estimated"].str.contains(FAILED).all()
    assert pd.read_parquet(tmp_path / "tip.parquet").empty and pd.read_parquet(tmp_path / "tip2.parquet").empty
    P.dropout_step(data["citizens"], data["randomisation"], OPTIONS, 5, str(tmp_path / "d.parquet"),
                   str(tmp_path / "cif.parquet"), str(tmp_path / "curve.parquet"))
    d = pd.read_parquet(tmp_path / "d.parquet").set_index("analysis")
    assert FAILED in d.loc["time_to_dropout", "not_estimated"]
    assert pd.notna(d.loc["time_to_dropout_fine_gray", "estimate"])  # the other hazard ratio stands
    assert pd.read_parquet(tmp_path / "cif.parquet").empty
    P.missingness_step(data["citizens"], data["randomisation"], OPTIONS, str(tmp_path / "m.parquet"))
    assert FAILED in pd.read_parquet(tmp_path / "m.parquet")["method"].iloc[0]


def test_a_failing_binary_icc_leaves_the_other_iccs(data, tmp_path, monkeypatch):
    from fittrial.steps.models import icc_step

    monkeypatch.setenv(INJECT_VARIABLE, "icc_dropout")
    icc_step(data["who5_long"], data["citizens"], data["randomisation"], OPTIONS, str(tmp_path / "icc.csv"))
    icc = pd.read_csv(tmp_path / "icc.csv").set_index("outcome")
    assert FAILED in icc.loc["dropout", "not_estimated"] and pd.isna(icc.loc["dropout", "icc"])
    assert pd.notna(icc.loc["who5", "icc"]) and pd.notna(icc.loc["completed", "icc"])


@pytest.mark.slow
def test_the_report_renders_with_every_secondary_analysis_failing(tmp_path):
    """Through the whole workflow: every secondary analysis, statistic and figure fails at once; the run succeeds,
    each is "not estimated" with the reason (English and Danish), and the primary analysis stands."""
    names = ["gee_dropout", "gee_completed", "gee_kept_housing_12m", "gee_eviction_or_risk_12m",
             "gee_stable_income_12m", "clda", "cluster_level", "ancova_cr2", "per_protocol", "cace",
             "subgroup_stratum", "subgroup_sex", "subgroup_age_group", "subgroup_baseline_who5_le50",
             "randomisation_test", "multiple_imputation", "time_to_dropout", "time_to_dropout_fine_gray",
             "cif_dropout", "icc_who5", "icc_dropout", "icc_completed", "missingness_predictors", "hedges_g",
             "yardstick_reliable_improvement", "recruitment_size_test", "recruitment_baseline", "cif_figure",
             "forest_who5_figure", "trajectories_figure"]
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST, "report": {"language": "da"}}
    proc = run_workflow(tmp_path, config, env={INJECT_VARIABLE: ",".join(names)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    effects = pd.read_csv(tmp_path / "reports" / "tables" / "effects.csv")
    failed = effects[effects["not_estimated"].fillna("").str.contains(FAILED)]
    assert {"clda", "cluster_level", "cluster_level_weighted", "ancova_cr2", "per_protocol", "cace",
            "randomisation_test", "multiple_imputation", "time_to_dropout", "time_to_dropout_fine_gray",
            "subgroup:sex"} <= set(failed["analysis"])
    assert set(failed.loc[failed["analysis"] == "itt", "outcome"]) == {
        "dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"}
    primary = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "who5")]
    assert primary["estimate"].notna().all()
    assert "logs/" in failed["not_estimated"].iloc[0]
    icc = pd.read_csv(tmp_path / "reports" / "tables" / "icc.csv").set_index("outcome")
    assert icc.loc[["who5", "dropout", "completed"], "not_estimated"].str.contains(FAILED).all()
    html = (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Analysen stoppede med en numerisk fejl, som værktøjet ikke havde forudset" in text
    assert (tmp_path / "reports" / "report.pdf").stat().st_size > 10_000
    assert "Traceback" in (tmp_path / "logs" / "sensitivity.log").read_text(encoding="utf-8")
