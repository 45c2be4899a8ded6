"""The data-check page (`snakemake check`), grouped error messages, and errors of the machine (full disk)."""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCHEMA_DIR

from fittrial.base.errors import InputError, Problem, run_user_step
from fittrial.inputs.datacheck import CheckOutcome, FileSummary, kind_of, render_data_check
from fittrial.steps.inputs import check_step, validate_step

SCORING = {"visits": [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
                      {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
                      {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}],
           "prorate": False, "window_days": 365, "censor_on": None}


def _break(paths: dict[str, Path]) -> None:
    """Three kinds of error: an unknown sex code in many rows, a WHO-5 item out of range, a CPR number."""
    cit = pd.read_csv(paths["citizens"], dtype=str)
    cit.loc[cit.index[:12], "sex"] = ["X"] * 8 + ["kvinder"] * 4
    cit.to_csv(paths["citizens"], index=False)
    who5 = pd.read_csv(paths["who5"], dtype=str)
    who5.loc[4, "who5_2"] = "9"
    who5.loc[6, "citizen_id"] = "010180 1234"
    who5.to_csv(paths["who5"], index=False)


def _inputs(paths: dict[str, Path]) -> dict[str, str]:
    return {name: str(path) for name, path in paths.items()}


def test_check_on_valid_inputs_writes_page_and_flag(small_trial, tmp_path):
    page, flag = tmp_path / "data-check.html", tmp_path / "ok"
    check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(flag), "en", scoring=SCORING)
    text = page.read_text(encoding="utf-8")
    assert flag.exists() and "No errors: the inputs meet the input contract." in text
    for name in ("randomisation", "citizens", "who5", "fit_sessions"):
        assert f"<td>{name}</td>" in text


def test_check_on_broken_inputs_groups_every_problem(small_trial, tmp_path):
    _break(small_trial)
    page, flag = tmp_path / "data-check.html", tmp_path / "ok"
    with pytest.raises(InputError) as info:
        check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(flag), "en", scoring=SCORING)
    assert not flag.exists()
    text = page.read_text(encoding="utf-8")
    assert "14 error(s) found: nothing was analysed." in text
    # the twelve bad sex codes are one line with the values found and their counts
    assert "&#x27;X&#x27; (8), &#x27;kvinder&#x27; (4)" in text
    assert "expected a whole number from 0 to 5 or empty." in text and "row 6" in text
    assert "CPR-like number instead of a pseudonymised id" in text
    assert "1234" not in text.replace("1146", "")  # the CPR number is nowhere on the page
    message = info.value.render()
    assert "column 'sex': 12 rows (2, 3, 4, 5, 6, 7, 8, 9, ...): values found 'X' (8), 'kvinder' (4): expected" \
           in message
    assert "The data-check page lists every problem: " + str(page) in message
    assert "010180" not in message


def test_check_page_in_danish(small_trial, tmp_path):
    _break(small_trial)
    page = tmp_path / "datatjek.html"
    with pytest.raises(InputError):
        check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(tmp_path / "ok"), "da")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="da">' in text and "Ugyldig værdi" in text and "række 6" in text
    assert "14 fejl fundet: intet er analyseret." in text


def test_main_workflow_step_writes_the_page_when_validation_fails(small_trial, tmp_path):
    _break(small_trial)
    outputs = {n: str(tmp_path / f"{n}.parquet") for n in ("randomisation", "citizens", "who5", "fit_sessions",
                                                           "notes")}
    page = tmp_path / "data-check.html"
    with pytest.raises(InputError):
        validate_step(_inputs(small_trial), SCHEMA_DIR, outputs, data_check=str(page))
    assert "14 error(s) found" in page.read_text(encoding="utf-8")
    assert not any(Path(p).exists() for p in outputs.values())


def test_notes_say_what_the_pipeline_does(small_trial, tmp_path):
    who5 = pd.read_csv(small_trial["who5"], dtype=str)
    extra = who5.iloc[[0]].copy()
    extra["answered_on"] = (pd.Timestamp(extra["answered_on"].iloc[0]) + pd.Timedelta(days=100)).strftime("%Y-%m-%d")
    pd.concat([who5, extra, who5.iloc[[1]]]).to_csv(small_trial["who5"], index=False)  # outside windows; duplicate
    page = tmp_path / "data-check.html"
    check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(tmp_path / "ok"), "en", scoring=SCORING)
    text = page.read_text(encoding="utf-8")
    assert "identical duplicate WHO-5 form (counted once)" in text
    assert "The form is used once; the copy is ignored." in text
    assert "WHO-5 form outside every visit window (not used)" in text
    assert "its date falls in none of the visit windows" in text


def test_blinded_page_leaves_out_fit_session_notes(small_trial, tmp_path):
    fit = pd.read_csv(small_trial["fit_sessions"], dtype=str)
    cit = pd.read_csv(small_trial["citizens"], dtype=str)
    rand = pd.read_csv(small_trial["randomisation"], dtype=str)
    control = cit[cit.caseworker_id.isin(rand.loc[rand.arm == "control", "caseworker_id"])].iloc[0]
    row = fit.iloc[[0]].assign(citizen_id=control.citizen_id, caseworker_id=control.caseworker_id)
    pd.concat([fit, row]).to_csv(small_trial["fit_sessions"], index=False)
    open_page, blind_page = tmp_path / "open.html", tmp_path / "blind.html"
    check_step(_inputs(small_trial), SCHEMA_DIR, str(open_page), str(tmp_path / "ok"))
    check_step(_inputs(small_trial), SCHEMA_DIR, str(blind_page), str(tmp_path / "ok"), blinded=True)
    assert "FIT session recorded in the control arm" in open_page.read_text(encoding="utf-8")
    assert "FIT session" not in blind_page.read_text(encoding="utf-8")


def test_page_escapes_what_the_user_typed():
    outcome = CheckOutcome([FileSummary("who5", "a<b>.csv", "csv", 1, 3)],
                           [Problem("who5 (a<b>.csv)", "expected a whole number from 0 to 5 or empty.", "row 2",
                                    "who5_1", "<script>alert(1)</script>", True)], pd.DataFrame())
    text = render_data_check(outcome)
    assert "<script>" not in text and "&lt;script&gt;" in text and "a&lt;b&gt;.csv" in text


@pytest.mark.parametrize("message, kind", [
    ("required column is missing. Expected columns: ...", "Column missing"),
    ("duplicate id; it already appears in row 3. Each id must be unique.", "Duplicate id"),
    ("this citizen is not in the citizens table.", "Id not found in another file"),
    ("the date lies after the data cut-off 2020-01-01 ...", "Date after the data cut-off"),
    ("expected one of F, M or empty.", "Invalid value"),
])
def test_problem_kinds(message, kind):
    assert kind_of(Problem("f", message)) == kind


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path, capsys):
    def write():
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.parquet"))

    with pytest.raises(SystemExit) as info:
        run_user_step(write, tmp_path / "step.log", "analysis_data")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "Could not read or write" in err and "the disk is full" in err and "x.parquet" in err
    assert "Traceback" not in err and "Internal error" not in err


def test_other_os_errors_are_internal(tmp_path, capsys):
    def broken():
        raise OSError(errno.EIO, "I/O error")

    with pytest.raises(OSError):
        run_user_step(broken, tmp_path / "step.log", "analysis_data")
    assert "Internal error in the pipeline" in capsys.readouterr().err
    assert "Traceback" in (tmp_path / "step.log").read_text(encoding="utf-8")


CPR_FORMS = ["0101801234", "010180-1234", "010180\u20131234", "010180\u00a01234", "010180/1234", "010180  1234",
             "010180_1234", "CPR: 010180-1234", "cpr.nr. 010180 1234", "010180.1234"]


@pytest.mark.parametrize("cpr", CPR_FORMS)
def test_a_cpr_number_in_any_form_is_refused_and_never_repeated(small_trial, tmp_path, cpr):
    who5 = pd.read_csv(small_trial["who5"], dtype=str)
    who5.loc[6, "citizen_id"] = cpr
    who5.to_csv(small_trial["who5"], index=False)
    page, flag, log = tmp_path / "data-check.html", tmp_path / "ok", tmp_path / "check.log"
    with pytest.raises(SystemExit):
        run_user_step(lambda: check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(flag), "en",
                                         scoring=SCORING), log)
    text, logged = page.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
    assert "CPR-like number instead of a pseudonymised id" in text and "CPR" in logged
    for sink in (text, logged):
        assert "801234" not in sink.replace("\u00a0", "").replace(" ", "") and "180" + cpr[-4:] not in sink


def test_a_file_read_without_its_header_row_never_shows_the_cpr_of_its_first_row(small_trial, tmp_path, capsys):
    """The first data row is read as the header; its cells are 'columns found' and must not show a CPR number."""
    lines = small_trial["citizens"].read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[0] = "010180\u20131234"
    small_trial["citizens"].write_text("\n".join([",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    page, flag, log = tmp_path / "data-check.html", tmp_path / "ok", tmp_path / "check.log"
    with pytest.raises(SystemExit):
        run_user_step(lambda: check_step(_inputs(small_trial), SCHEMA_DIR, str(page), str(flag), "en",
                                         scoring=SCORING), log)
    terminal = capsys.readouterr().err
    for sink in (page.read_text(encoding="utf-8"), log.read_text(encoding="utf-8"), terminal):
        assert "1234" not in sink.replace("1146", ""), sink[:2000]
    assert "citizens" in terminal
