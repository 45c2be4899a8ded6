"""The files municipalities actually have (issue 8): the bundled example re-saved the way a user's tools save it.

Each test takes the example trial (data/example), alters it as a Danish export would (openpyxl for Excel,
Windows-1252 with semicolons and decimal commas for CSV from Danish Excel, pyreadstat for SPSS and Stata),
and checks the exact behaviour through :func:`fittrial.steps.inputs.validate_step` or
:func:`fittrial.inputs.validation.validate_inputs`: accepted with the example's typed values, or an
:class:`~fittrial.base.errors.InputError` whose problems name the file, row, column and value.
Cases with unit tests of their own in tests/test_validation.py are not repeated here.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from fittrial.base.errors import InputError, Problem
from fittrial.inputs.read import read_table
from fittrial.inputs.validation import Trial, validate_inputs
from fittrial.steps.inputs import read_input, validate_step

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
SCHEMA_DIR = ROOT / "workflow" / "schemas"
REQUIRED = ("randomisation", "citizens", "who5")
DATES = {"randomisation": ["randomised_on"], "citizens": ["enrolled_on", "ended_on"], "who5": ["answered_on"],
         "fit_sessions": ["session_on"]}


@functools.cache
def _example(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)


def example(name: str) -> pd.DataFrame:
    """One table of the bundled example as text, as the file has it ('' for an empty cell)."""
    return _example(name).copy()


@pytest.fixture(scope="module")
def reference(schemas) -> Trial:
    """The bundled example, validated as shipped."""
    return validate_inputs({n: read_table(EXAMPLE / f"{n}.csv", n) for n in (*REQUIRED, "fit_sessions")}, schemas)


def check(schemas: dict, **inputs: Any) -> Trial:
    """Validate the example with some inputs replaced (table -> path or mapping, as in the config)."""
    specs: dict[str, Any] = {n: str(EXAMPLE / f"{n}.csv") for n in REQUIRED}
    specs.update({n: str(s) if isinstance(s, Path) else s for n, s in inputs.items()})
    return validate_inputs({n: read_input(n, s) for n, s in specs.items()}, {n: schemas[n] for n in specs})


def problems(schemas: dict, **inputs: Any) -> list[Problem]:
    """The problems of the example with some inputs replaced (reading and validating)."""
    with pytest.raises(InputError) as info:
        check(schemas, **inputs)
    return info.value.problems


def step(tmp_path: Path, data_cutoff: str | None = None, **inputs: Any) -> dict[str, pd.DataFrame]:
    """Run the validate step of the workflow; returns the Parquet files it wrote (tables and notes)."""
    specs: dict[str, Any] = {n: str(EXAMPLE / f"{n}.csv") for n in REQUIRED}
    specs["fit_sessions"] = ""
    specs.update({n: str(s) if isinstance(s, Path) else s for n, s in inputs.items()})
    outputs = {n: str(tmp_path / "out" / f"{n}.parquet") for n in (*REQUIRED, "fit_sessions", "notes")}
    validate_step(specs, SCHEMA_DIR, outputs, data_cutoff=data_cutoff)
    return {n: pd.read_parquet(p) for n, p in outputs.items()}


def step_problems(tmp_path: Path, data_cutoff: str | None = None, **inputs: Any) -> list[Problem]:
    with pytest.raises(InputError) as info:
        step(tmp_path, data_cutoff, **inputs)
    return info.value.problems


def same_values(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The typed tables hold the same values (row labels aside)."""
    cols = [c for c in expected.columns if c != "_row"]
    left, right = got[cols].reset_index(drop=True), expected[cols].reset_index(drop=True)
    for col in cols:
        if right[col].dtype.kind == "M":
            left[col] = pd.to_datetime(left[col]).astype("datetime64[ns]")
            right[col] = right[col].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    for col in cols:  # and the same kinds of types: dates as dates, whole numbers as Int64, text as text
        assert left[col].dtype.kind == right[col].dtype.kind or str(left[col].dtype) == str(right[col].dtype), col


def iso_to(text: str, fmt: str) -> str:
    return dt.date.fromisoformat(text).strftime(fmt) if text else ""


def serial(text: str) -> int | None:
    """An ISO date as Excel stores it (days since 1899-12-30), None for an empty cell."""
    return (dt.date.fromisoformat(text) - dt.date(1899, 12, 30)).days if text else None


def danish_excel_csv(frame: pd.DataFrame, path: Path) -> None:
    """Save as Danish Excel saves 'CSV (semikolonsepareret)': Windows-1252, semicolons, CRLF, decimal commas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([c.replace(".", ",") if re.fullmatch(r"\d+\.\d+", c) else c for c in row])
    path.write_bytes(out.getvalue().encode("cp1252"))


def workbook(path: Path, sheet: str, titles: list[list[Any]], header: list[str], rows: list[list[Any]],
             formats: dict[int, str] | None = None) -> None:
    """Write a sheet with openpyxl as a person fills it in: title rows, the header, the rows; ``formats`` gives
    columns (0-based) a number format."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for line in titles:
        ws.append(line)
    ws.append(header)
    for row in rows:
        ws.append(row)
        for k, fmt in (formats or {}).items():
            ws.cell(row=ws.max_row, column=k + 1).number_format = fmt
    book.save(path)


# --- read what people have ------------------------------------------------------------------------------------------

def test_danish_excel_export_with_title_rows_danish_headers_codes_and_serial_dates(schemas, reference, tmp_path):
    """Issue 8: K/M, fit/Fit/'FIT '/Kontrol, title rows above the header, Danish and differently cased headers,
    Excel serial dates in a column formatted as a number, native dates, a cell holding only a space below the
    data: all read as the example."""
    rand = example("randomisation")
    arms = {"FIT": ["fit", "Fit", "FIT "], "control": ["Kontrol", "kontrol", " KONTROL"]}
    workbook(tmp_path / "randomisering.xlsx", "Randomisering",
             [["FIT i bostøtte: randomisering af medarbejdere"], ["Udtræk", "5. januar 2017"], []],
             ["medarbejder_id", "Stratum", "Gruppe", "Randomised_On"],
             [[r.caseworker_id, r.stratum, arms[r.arm][k % 3], dt.datetime.fromisoformat(r.randomised_on)]
              for k, r in enumerate(rand.itertuples())], formats={3: "dd-mm-yyyy"})
    cit = example("citizens")
    sex = {"F": "K", "M": "M", "": None}
    rows = [[r.citizen_id, r.caseworker_id, serial(r.enrolled_on), int(r.age) if r.age else None, sex[r.sex],
             serial(r.ended_on), r.end_reason or None, *(int(v) if v else None for v in r[8:11])]
            for r in cit.itertuples()]
    rows.append([None, None, None, " ", None])  # a cell holding only a space below the data
    workbook(tmp_path / "borgere.xlsx", "Borgere", [["Borgere i FIT-forsøget"], []],
             ["Borger_ID", "medarbejder_id", "enrolled_on", "Alder", "køn", "ended_on", "end_reason",
              "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"], rows, formats={2: "0", 5: "0"})

    trial = check(schemas, randomisation=tmp_path / "randomisering.xlsx",
                  citizens={"path": str(tmp_path / "borgere.xlsx"), "sheet": "Borgere"})
    same_values(trial.randomisation, reference.randomisation)
    same_values(trial.citizens, reference.citizens)
    assert trial.randomisation["_row"].iloc[0] == "row 5"  # the header is row 4, below two titles and a blank row
    assert trial.citizens["_row"].iloc[[0, -1]].tolist() == ["row 4", f"row {len(cit) + 3}"]


def test_csv_from_danish_excel_is_read_as_the_example(schemas, reference, tmp_path):
    """Issue 8: every table saved by Danish Excel (Windows-1252, semicolons, CRLF, decimal commas, dates
    dd-mm-yyyy and dd.mm.yyyy, 'Bostøtte' in cp1252) is read as the example."""
    paths = {}
    for name in (*REQUIRED, "fit_sessions"):
        frame = example(name)
        for k, col in enumerate(DATES[name]):
            frame[col] = [iso_to(v, "%d.%m.%Y" if name == "who5" else "%d-%m-%Y") for v in frame[col]]
        paths[name] = tmp_path / f"{name}.csv"
        danish_excel_csv(frame, paths[name])
    assert "Bostøtte".encode("cp1252") in paths["randomisation"].read_bytes()
    assert b"0,0" in paths["fit_sessions"].read_bytes()
    trial = check(schemas, **paths)
    for name in (*REQUIRED, "fit_sessions"):
        same_values(getattr(trial, name), getattr(reference, name))


def test_excel_serial_dates_in_a_csv(schemas, reference, tmp_path):
    """Issue 8: dates as Excel serial numbers (42111) in a CSV (a date column formatted as a number, then saved)."""
    who5 = example("who5")
    who5["answered_on"] = [str(serial(v)) for v in who5["answered_on"]]
    assert who5.loc[0, "answered_on"] == "42519"  # 2016-05-29
    who5.to_csv(tmp_path / "who5.csv", index=False)
    same_values(check(schemas, who5=tmp_path / "who5.csv").who5, reference.who5)


def test_comma_csv_with_quoted_decimal_commas_and_a_blank_line(schemas, reference, tmp_path):
    """Issue 8: a comma-separated CSV whose decimals are written with a comma in quotes ("0,0"), with a blank
    line in the middle (row 501): read as the example; the rows after the blank line keep their numbers."""
    fit = example("fit_sessions")
    numbers = fit.columns[3:]
    fit[numbers] = fit[numbers].apply(pd.to_numeric)
    text = fit.to_csv(index=False, decimal=",", lineterminator="\n")
    lines = text.splitlines()
    assert lines[1].startswith('B00001,CW001,2016-11-09,"0,0","1,2"')
    (tmp_path / "fit.csv").write_text("\n".join(lines[:500] + [""] + lines[500:]) + "\n", encoding="utf-8")
    trial = check(schemas, fit_sessions=tmp_path / "fit.csv")
    same_values(trial.fit_sessions, reference.fit_sessions)
    assert trial.fit_sessions["_row"].iloc[498:500].tolist() == ["row 500", "row 502"]


def test_spss_file_with_value_labels_and_mixed_case_names(schemas, reference, tmp_path):
    """Issue 8: citizens saved by SPSS (pyreadstat.write_sav): sex numeric with value labels Kvinde/Mand, dates
    as SPSS dates, names as Citizen_ID; read as the example, rows named as records."""
    cit = example("citizens")
    frame = pd.DataFrame({
        "Citizen_ID": cit["citizen_id"], "CaseWorker_ID": cit["caseworker_id"],
        "Enrolled_On": pd.to_datetime(cit["enrolled_on"]), "Age": pd.to_numeric(cit["age"]),
        "Sex": cit["sex"].map({"F": 2.0, "M": 1.0, "": np.nan}), "Ended_On": pd.to_datetime(cit["ended_on"]),
        "End_Reason": cit["end_reason"],
        **{c: pd.to_numeric(cit[c]) for c in ("kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m")}})
    pyreadstat.write_sav(frame, str(tmp_path / "borgere.sav"), variable_value_labels={"Sex": {1: "Mand", 2: "Kvinde"}})
    trial = check(schemas, citizens=tmp_path / "borgere.sav")
    same_values(trial.citizens, reference.citizens)
    assert trial.citizens["_row"].iloc[0] == "record 1"


def test_stata_file(schemas, reference, tmp_path):
    """Issue 8: WHO-5 and the randomisation saved by Stata (pyreadstat.write_dta); read as the example."""
    who5 = example("who5")
    items = [f"who5_{k}" for k in range(1, 6)]
    frame = who5.assign(answered_on=pd.to_datetime(who5["answered_on"]), **{c: pd.to_numeric(who5[c]) for c in items})
    pyreadstat.write_dta(frame, str(tmp_path / "who5.dta"))
    rand = example("randomisation")
    rand = rand.assign(arm=rand["arm"].map({"FIT": 1, "control": 0}),
                       randomised_on=pd.to_datetime(rand["randomised_on"]))
    pyreadstat.write_dta(rand, str(tmp_path / "rand.dta"), variable_value_labels={"arm": {1: "FIT", 0: "Kontrol"}})
    trial = check(schemas, who5=tmp_path / "who5.dta", randomisation=tmp_path / "rand.dta")
    same_values(trial.who5, reference.who5)
    same_values(trial.randomisation, reference.randomisation)


def test_sex_coded_1_and_2_needs_a_values_mapping(schemas, reference, tmp_path):
    """Issue 8: sex as 1/2 is not built in (registers differ in which is which): without a mapping every row is an
    error naming the codes found with their counts and the mapping to add; with `values:` it is read."""
    cit = example("citizens").rename(columns={"sex": "Køn"})
    cit["Køn"] = cit["Køn"].map({"F": "2", "M": "1", "": ""})
    path = tmp_path / "borgere.csv"
    cit.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        check(schemas, citizens=path)
    found = info.value.problems
    counts = cit["Køn"].value_counts()
    assert len(found) == counts["1"] + counts["2"] and {p.column for p in found} == {"sex"}
    assert found[0].format() == (
        f"citizens ({path}), row 2, column 'sex': value '1': expected one of F, M or empty. Codes of your own can be "
        "mapped to these in the config: inputs.citizens: {path: ..., values: {sex: {<your code>: <the contract's "
        "code>}}}.")
    assert f"values found '1' ({counts['1']}), '2' ({counts['2']})" in str(info.value)
    trial = check(schemas, citizens={"path": str(path), "values": {"sex": {1: "M", 2: "F"}}})
    same_values(trial.citizens, reference.citizens)


# --- refuse what is wrong -------------------------------------------------------------------------------------------

def test_numeric_ids_in_one_file_and_zero_padded_in_another(schemas, tmp_path):
    """Issue 8: caseworker ids that are numbers in the randomisation workbook (1) and zero-padded text in the
    citizens' CSV (001): an error saying exactly that, with both values."""
    rand = example("randomisation")
    workbook(tmp_path / "rand.xlsx", "Ark1", [], list(rand.columns),
             [[int(r.caseworker_id[2:]), r.stratum, r.arm, r.randomised_on] for r in rand.itertuples()])
    cit = example("citizens")
    cit["caseworker_id"] = cit["caseworker_id"].str[2:]
    cit.to_csv(tmp_path / "citizens.csv", index=False)
    found = problems(schemas, randomisation=tmp_path / "rand.xlsx", citizens=tmp_path / "citizens.csv")
    assert [p.column for p in found] == ["caseworker_id"] * len(cit) + [None, None]  # and then no arm has citizens
    assert found[0].format() == (
        f"citizens ({tmp_path / 'citizens.csv'}), row 2, column 'caseworker_id': value '001': this caseworker is not "
        "in the randomisation table, which has '1': ids are compared as text, so '001' and '1' differ; write the id "
        "the same way in both files.")


def test_cpr_numbers_as_ids_in_every_spelling_and_as_a_number(schemas, tmp_path):
    """Issue 8: CPR numbers as citizen ids, written with a space, hyphen or dot or without any, and stored as a
    number in Excel (which drops the leading zero): each refused, naming file, row and column, never echoing it."""
    cit = example("citizens")
    cprs: list[Any] = ["010180 1234", "010180-1234", "010180.1234", "0101801234", 101801234, 1512801234]
    rows = [[*r[1:]] for r in cit.itertuples()]
    for k, cpr in enumerate(cprs):
        rows[10 * k][0] = cpr
    workbook(tmp_path / "borgere.xlsx", "Ark1", [], list(cit.columns), rows)
    found = problems(schemas, citizens=tmp_path / "borgere.xlsx")
    # the WHO-5 forms of those citizens name ids the citizens table no longer has: reported in the same pass
    unknown = [p for p in found if p.file.startswith("who5")]
    assert unknown and all("not in the citizens table" in p.message for p in unknown)
    found = [p for p in found if p.file.startswith("citizens")]
    assert [(p.row, p.column) for p in found] == [(f"row {10 * k + 2}", "citizen_id") for k in range(len(cprs))]
    assert [str(p.value) for p in found] == [*cprs[:4], "0101801234", "1512801234"]  # the number with its zero
    for p in found:
        assert "looks like a Danish CPR number" in p.message and "<a CPR-like number, not shown>" in p.format()
        assert "1234" not in p.format().replace(str(tmp_path), "")
    assert "stored as a number, which drops its leading zero" in found[4].message


def test_duplicate_column_headers_with_different_values(schemas, tmp_path):
    """Issue 8: two columns for one contract column (the same header twice, or 'alder' next to 'age') with
    different values: refused, naming the headers, since which one holds the data cannot be told."""
    cit = example("citizens")
    twice = cit.assign(age2=[str(int(a) + 1) if a else "" for a in cit["age"]])
    twice.to_csv(tmp_path / "twice.csv", index=False, header=[*cit.columns, "age"])
    (p,) = problems(schemas, citizens=tmp_path / "twice.csv")
    assert p.format() == (f"citizens ({tmp_path / 'twice.csv'}), header, column 'age': the column appears more than "
                          "once in the header; expected each column once.")
    twice.rename(columns={"age2": "Alder"}).to_csv(tmp_path / "alder.csv", index=False)
    (p,) = problems(schemas, citizens=tmp_path / "alder.csv")
    assert p.format() == (f"citizens ({tmp_path / 'alder.csv'}), header, column 'age': the column appears more than "
                          "once in the header (as 'age', 'Alder'); expected each column once.")


def test_conflicting_duplicate_who5_forms_name_both_rows_identical_ones_are_a_note(tmp_path):
    """Issue 8: a second form of a citizen on the same date with other answers, far below the first (row 3 and
    row 2826): an error naming both rows in file order; an identical copy is a note in the validate step's notes."""
    who5 = example("who5")
    other = who5.iloc[[1]].assign(who5_1="0")
    pd.concat([who5, other]).to_csv(tmp_path / "conflict.csv", index=False)
    (p,) = step_problems(tmp_path, who5=tmp_path / "conflict.csv")
    assert p.format() == (f"who5 ({tmp_path / 'conflict.csv'}), row 3, column 'citizen_id': value 'B00001': two or "
                          "more WHO-5 forms of this citizen on 2016-11-08 have different answers (row 3, row 2826); "
                          "expected one form per citizen and date.")
    pd.concat([who5, who5.iloc[[1]]]).to_csv(tmp_path / "same.csv", index=False)
    out = step(tmp_path, who5=tmp_path / "same.csv")
    notes = out["notes"][out["notes"]["check"] == "identical duplicate WHO-5 form (counted once)"]
    assert notes[["table", "row", "detail"]].values.tolist() == [["who5", "row 2826", "citizen B00001"]]
    assert len(out["who5"]) == len(who5) + 1


def test_csv_with_two_rows_in_another_encoding(tmp_path):
    """Issue 8: the example's randomisation in UTF-8 except two rows re-saved in Windows-1252: refused, naming
    those rows (decoding it whole either way would make a stratum 'BostÃ¸tte')."""
    lines = (EXAMPLE / "randomisation.csv").read_text(encoding="utf-8").splitlines()
    assert "Bostøtte" in lines[9] and "Bostøtte" in lines[10]
    raw = b"".join((line + "\n").encode("cp1252" if k in (9, 10) else "utf-8") for k, line in enumerate(lines))
    (tmp_path / "rand.csv").write_bytes(raw)
    (p,) = step_problems(tmp_path, randomisation=tmp_path / "rand.csv")
    assert p.format() == (f"randomisation ({tmp_path / 'rand.csv'}): the file mixes two text encodings: row(s) 10, "
                          "11 are not UTF-8, while other rows (e.g. row 2) are; re-save the whole file in one encoding "
                          "(UTF-8, or CSV from Excel).")


@pytest.mark.parametrize("kind", ["xlsx", "sav"])
def test_binary_file_renamed_csv(tmp_path, kind):
    """Issue 8: an Excel workbook or an SPSS file renamed .csv: a sentence naming the file and what it looks like,
    not an internal error."""
    path = tmp_path / "borgere.csv"
    if kind == "xlsx":
        workbook(path, "Ark1", [], ["citizen_id"], [["B1"]])
        looks = "a zip archive, such as an Excel workbook (.xlsx)"
    else:
        pyreadstat.write_sav(example("citizens").head(20), str(path))
        looks = "an SPSS data file (.sav)"
    (p,) = step_problems(tmp_path, citizens=path)
    assert p.format() == (f"citizens ({path}): the file is not a text (CSV) file (it looks like {looks}; give it "
                          "its own extension); expected comma- or semicolon-separated text in UTF-8 or Windows-1252, "
                          "or another supported format with its own extension.")


def test_dates_after_the_run_date_are_refused(tmp_path):
    """Issue 8: an ended_on in 2031 and an answered_on typed 2061 for 2016: with no checks.data_cutoff the run
    date is the cut-off, and both rows are named."""
    cit = example("citizens")
    k = int(np.flatnonzero(cit["ended_on"] != "")[0])
    cit.loc[k, "ended_on"] = "2031-03-01"
    cit.to_csv(tmp_path / "citizens.csv", index=False)
    who5 = example("who5")
    assert who5.loc[1, "answered_on"] == "2016-11-08"
    who5.loc[1, "answered_on"] = "2061-11-08"
    who5.to_csv(tmp_path / "who5.csv", index=False)
    found = step_problems(tmp_path, citizens=tmp_path / "citizens.csv", who5=tmp_path / "who5.csv")
    today = pd.Timestamp.today()
    expected = (f"the date lies after the data cut-off {today:%Y-%m-%d} (checks.data_cutoff; by default the day of the "
                "run)")
    assert [(p.file, p.row, p.column, p.value) for p in found] == [
        (f"citizens ({tmp_path / 'citizens.csv'})", f"row {k + 2}", "ended_on", "2031-03-01"),
        (f"who5 ({tmp_path / 'who5.csv'})", "row 3", "answered_on", "2061-11-08")]
    assert all(p.message.startswith(expected) for p in found)
    # a later cut-off does not let them through: each stands years apart from every other date (issue 23)
    found = step_problems(tmp_path, data_cutoff="2099-12-31", citizens=tmp_path / "citizens.csv",
                          who5=tmp_path / "who5.csv")
    assert [(p.row, p.column) for p in found] == [(f"row {k + 2}", "ended_on"), ("row 3", "answered_on")]
    assert all("days after every other date of the inputs" in p.message for p in found)


# --- date_format and ambiguous dates --------------------------------------------------------------------------------

def us_citizens(tmp_path: Path) -> Path:
    """The example's citizens with dates as US Excel writes them (4/17/2015)."""
    cit = example("citizens")
    for col in DATES["citizens"]:
        cit[col] = [f"{d.month}/{d.day}/{d.year}" if (d := (dt.date.fromisoformat(v) if v else None)) else ""
                    for v in cit[col]]
    cit.to_csv(tmp_path / "citizens.csv", index=False)
    return tmp_path / "citizens.csv"


def test_month_first_dates_are_refused_unless_date_format_says_so(schemas, reference, tmp_path):
    """A column written month first (US order) is an error that says so and suggests date_format; with
    date_format: '%m/%d/%Y' the same file is read as the example."""
    path = us_citizens(tmp_path)
    found = problems(schemas, citizens=path)
    first = found[0]
    assert (first.row, first.column, first.value) == ("row 2", "enrolled_on", "5/27/2016")
    assert first.message == (
        "this column looks month-first (US) order: 5/27/2016 is a date only month first, and no value of the column "
        "is one only day first; dates are read day-first, which would swap day and month in the other rows. Set "
        "date_format: '%m/%d/%Y' for this input (inputs.citizens: {path: ..., date_format: '%m/%d/%Y'}) if the "
        "column is month first.")
    assert {p.column for p in found} == {"enrolled_on", "ended_on"}
    assert all(p.message == first.message for p in found if p.column == "enrolled_on")
    trial = check(schemas, citizens={"path": str(path), "date_format": "%m/%d/%Y"})
    same_values(trial.citizens, reference.citizens)


def test_two_digit_years_are_ambiguous_unless_date_format_says_so(schemas, reference, tmp_path):
    who5 = example("who5")
    who5["answered_on"] = [iso_to(v, "%d-%m-%y") for v in who5["answered_on"]]
    who5.to_csv(tmp_path / "who5.csv", index=False)
    found = problems(schemas, who5=tmp_path / "who5.csv")
    assert len(found) == len(who5) and {p.column for p in found} == {"answered_on"}
    assert found[0].format() == (
        f"who5 ({tmp_path / 'who5.csv'}), row 2, column 'answered_on': value '29-05-16': the year has two digits, so "
        "the date is ambiguous (29-05-16: 29 May 2016? 16 May 2029? 29 May 1916?); which part is the day and which "
        "century is meant cannot be told. Expected four-digit years (YYYY-MM-DD or dd-mm-yyyy), or date_format for "
        "this input in the config, e.g. date_format: '%d-%m-%y' if the column is day, month, year.")
    trial = check(schemas, who5={"path": str(tmp_path / "who5.csv"), "date_format": "%d-%m-%y"})
    same_values(trial.who5, reference.who5)


def test_a_date_not_written_as_date_format_says_is_an_error_naming_the_format(schemas, tmp_path):
    path = us_citizens(tmp_path)
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("7/20/2015", "2015-07-20")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    (p,) = problems(schemas, citizens={"path": str(path), "date_format": "%m/%d/%Y"})
    assert p.format() == (f"citizens ({path}), row 3, column 'enrolled_on': value '2015-07-20': expected a date "
                          "written as date_format '%m/%d/%Y' of the config says (e.g. 04/17/2015).")
    with pytest.raises(InputError) as info:
        check(schemas, citizens={"path": str(path), "date_format": "%d-%m"})
    assert [p.format() for p in info.value.problems] == [
        f"citizens ({path}): inputs.citizens.date_format '%d-%m' does not give the day, the month and the year of a "
        "date; expected e.g. '%d-%m-%Y' or '%m/%d/%Y'."]


def test_date_format_leaves_native_excel_dates_dates(schemas, reference, tmp_path):
    """Native date cells (and serial numbers) of a workbook are dates whatever date_format says."""
    rand = example("randomisation")
    workbook(tmp_path / "rand.xlsx", "Ark1", [], list(rand.columns),
             [[r.caseworker_id, r.stratum, r.arm, dt.datetime.fromisoformat(r.randomised_on) if k % 2 else
               serial(r.randomised_on)] for k, r in enumerate(rand.itertuples())], formats={3: "dd/mm/yyyy"})
    trial = check(schemas, randomisation={"path": str(tmp_path / "rand.xlsx"), "date_format": "%m/%d/%Y"})
    same_values(trial.randomisation, reference.randomisation)
