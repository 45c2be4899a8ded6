"""Bad inputs and bad configs by the dozen: every problem message the input checks and the config checks can give.

:func:`input_outcomes` runs each case of :data:`INPUT_CASES` (a small simulated trial with one kind of mistake, or
many mistakes in one pass) through the data-check step's reading and checking
(:func:`fittrial.steps.inputs.check_step`) and returns the problems found and the data-check page in a language;
:func:`config_problems` gives the problems of each case of :data:`CONFIG_CASES` (the example's config with a
mistake) from every config check there is. tests/test_problem_messages.py says them in Danish: a message the
message catalogue cannot read back is English on a Danish user's screen.
"""

from __future__ import annotations

import copy
import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from conftest import ROOT, SCHEMA_DIR, VISITS, small_params

from fittrial.base.errors import InputError, Problem

TABLES = ("randomisation", "citizens", "who5", "fit_sessions")
SCORING = {"visits": VISITS, "prorate": False, "window_days": 365, "censor_on": None}


class Files:
    """A fresh copy of the small trial's four CSV files in ``folder``, to spoil; ``inputs`` is what the config's
    ``inputs`` would say (a path, or a mapping for a case that needs one)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = {name: folder / f"{name}.csv" for name in TABLES}
        for name, path in self.paths.items():
            shutil.copy(_trial() / f"{name}.csv", path)
        self.inputs: dict[str, Any] = {name: str(path) for name, path in self.paths.items()}

    def frame(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.paths[name], dtype=str, keep_default_na=False)

    def save(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.paths[name], index=False)

    def cells(self, name: str, column: str, values: list[Any], start: int = 0) -> None:
        """Put ``values`` in ``column`` of rows start, start + 1, ... (data rows, 0 the first)."""
        frame = self.frame(name)
        for k, value in enumerate(values):
            frame.loc[frame.index[start + k], column] = value
        self.save(name, frame)

    def text(self, name: str, text: str | bytes, suffix: str = ".csv") -> Path:
        """Replace a table by a file of its own (``text``) named with ``suffix``."""
        path = self.folder / f"{name}{suffix}"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        self.inputs[name] = str(path)
        return path

    def xlsx(self, name: str, rows: list[list[Any]], sheet: str = "Sheet1", **spec: Any) -> Path:
        from openpyxl import Workbook

        book = Workbook()
        ws = book.active
        ws.title = sheet
        for row in rows:
            ws.append(row)
        path = self.folder / f"{name}.xlsx"
        book.save(path)
        self.inputs[name] = {"path": str(path), **spec} if spec else str(path)
        return path

    def as_xlsx(self, name: str, change: Callable[[list[list[Any]]], None] | None = None, **spec: Any) -> Path:
        """The table as an Excel workbook (typed numbers), after ``change`` of its rows (header first)."""
        frame = self.frame(name)
        rows = [list(frame.columns)] + [[_typed(v) for v in row] for row in frame.itertuples(index=False)]
        if change:
            change(rows)
        return self.xlsx(name, rows, **spec)


def _typed(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value or None


@functools.cache
def _trial() -> Path:
    import tempfile

    from fittrial.design.simulate import simulate_trial, write_trial

    folder = Path(tempfile.mkdtemp(prefix="fittrial-corpus-"))
    write_trial(simulate_trial(small_params()), folder)
    return folder


# --- the cases: each spoils a fresh copy of the trial -------------------------------------------------------------

BAD_CELLS = ["", "abc", "-1", "1.55", "1,25", "9999999", "2015-02-30", "31-02-2015", "1850-06-01", "2250-01-01",
             "0101901234", "010190-1234", "x y z", "13/13/2015", "1e400", "yes", "NaN-ish", "2.0.1"]


def every_column_spoilt(f: Files) -> None:
    """Each column of each table holds each bad value in a row of its own (every value error in one pass)."""
    for name in TABLES:
        frame = f.frame(name)
        for k, column in enumerate(frame.columns):
            for j, value in enumerate(BAD_CELLS):
                frame.loc[frame.index[(k * len(BAD_CELLS) + j) % len(frame)], column] = value
        f.save(name, frame)


def many_rows_one_mistake(f: Files) -> None:
    """The same mistake in many rows of a column: one summarised line."""
    f.cells("citizens", "sex", ["X"] * 6 + ["kvinder"] * 4 + [str(k) for k in range(12)])
    f.cells("who5", "who5_2", ["9"] * 14)


def month_first(f: Files) -> None:
    frame = f.frame("citizens")
    frame["enrolled_on"] = pd.to_datetime(frame["enrolled_on"]).dt.strftime("%m/%d/%Y")
    f.save("citizens", frame)


def two_digit_years(f: Files, first: str | None = None) -> None:
    frame = f.frame("who5")
    frame["answered_on"] = pd.to_datetime(frame["answered_on"]).dt.strftime("%d-%m-%y")
    if first:
        frame.loc[frame.index[0], "answered_on"] = first
    f.save("who5", frame)


def us_date_in_a_day_first_column(f: Files) -> None:
    f.cells("citizens", "enrolled_on", ["25-12-2015", "12/25/2015"])


def date_format_mismatch(f: Files) -> None:
    frame = f.frame("who5")
    frame["answered_on"] = pd.to_datetime(frame["answered_on"]).dt.strftime("%d.%m.%Y")
    frame.loc[frame.index[0], "answered_on"] = "2015-01-01"
    f.save("who5", frame)
    f.inputs["who5"] = {"path": str(f.paths["who5"]), "date_format": "%d.%m.%Y"}


def bad_date_formats(f: Files) -> None:
    f.inputs["who5"] = {"path": str(f.paths["who5"]), "date_format": "%Q"}
    f.inputs["citizens"] = {"path": str(f.paths["citizens"]), "date_format": "%d-%m"}
    f.inputs["randomisation"] = {"path": str(f.paths["randomisation"]), "date_format": 17}


def bad_mappings(f: Files) -> None:
    f.inputs["citizens"] = {"path": str(f.paths["citizens"]), "columns": {"age": "alder", "caseworker_id": "sagsb"}}
    f.inputs["who5"] = {"path": str(f.paths["who5"]), "values": {"who5_9": {"a": 1}, "who5_1": "nonsense"}}
    f.inputs["randomisation"] = {"path": str(f.paths["randomisation"]), "columns": {"no_such": "arm"}}
    f.inputs["fit_sessions"] = {"path": str(f.text("fit_sessions", "")), "columns": {"session_on": "dato"}}


def values_mapping_needed(f: Files) -> None:
    f.cells("citizens", "sex", ["1", "2"])
    f.cells("randomisation", "arm", ["Intervention"])


def missing_file(f: Files) -> None:
    f.inputs["who5"] = str(f.folder / "no-such-file.csv")
    f.inputs["citizens"] = str(f.folder)


def unsupported_types(f: Files) -> None:
    f.text("who5", "a,b\n1,2\n", ".txt")
    f.text("citizens", "a,b\n1,2\n", ".xls")
    f.text("fit_sessions", "a,b\n1,2\n", ".ods")


def not_text(f: Files) -> None:
    f.text("who5", b"PK\x03\x04" + bytes(range(256)) * 4)
    f.text("citizens", b"%PDF-1.4\n" + bytes(range(256)))
    f.text("fit_sessions", bytes(range(256)) * 3)


def mixed_encodings(f: Files) -> None:
    text = f.paths["randomisation"].read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",A,", ",Bostøtte,")
    text[2] = text[2].replace(",A,", ",Bostøtte,")
    raw = "\n".join(text[:2]).encode("utf-8") + b"\n" + text[2].encode("cp1252") + b"\n" + \
        "\n".join(text[3:]).encode("utf-8") + b"\n"
    f.paths["randomisation"].write_bytes(raw)


def broken_csv_rows(f: Files) -> None:
    lines = f.paths["citizens"].read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + ",extra,cells"
    lines[5] = lines[5].replace(",", ',"', 1)
    f.paths["citizens"].write_text("\n".join(lines) + "\n", encoding="utf-8")


def empty_tables(f: Files) -> None:
    f.text("who5", "citizen_id,answered_on,who5_1,who5_2,who5_3,who5_4,who5_5\n")
    f.text("randomisation", "")


def header_problems(f: Files) -> None:
    frame = f.frame("citizens")
    frame.insert(1, "Citizen_ID ", frame["citizen_id"])
    f.save("citizens", frame)
    frame = f.frame("who5").rename(columns={"who5_3": "q3"}).drop(columns=["who5_4"])
    f.save("who5", frame)
    frame = f.frame("randomisation")
    frame.columns = ["caseworker_id", "stratum", "arm", "arm"]
    f.save("randomisation", frame)


def header_rows(f: Files) -> None:
    f.inputs["who5"] = {"path": str(f.paths["who5"]), "header_row": 0}
    f.inputs["citizens"] = {"path": str(f.paths["citizens"]), "header_row": 100000}
    f.as_xlsx("randomisation", header_row=500)
    f.inputs["fit_sessions"] = {"path": str(f.paths["fit_sessions"]), "header_row": "two"}


def no_enrolment_dates(f: Files, forms: bool = True, courses: bool = True, other: bool = True) -> None:
    frame = f.frame("citizens").drop(columns=["enrolled_on"])
    if not courses:
        frame = frame.drop(columns=["ended_on", "end_reason"])
    if other:
        frame["start_date"] = "2015-06-01"
    f.save("citizens", frame)
    if not forms:
        frame = f.frame("who5")
        frame["visit"] = "6"
        f.save("who5", frame)


def unknown_ids(f: Files) -> None:
    """Ids not in the table they refer to, some differing only in leading zeros or case."""
    f.cells("citizens", "caseworker_id", ["CW999", "cw001", "CW0001"])
    f.cells("who5", "citizen_id", ["B99999", "B0001", "b00002"])
    f.cells("fit_sessions", "citizen_id", ["B99999", "B0002"])
    f.cells("fit_sessions", "caseworker_id", ["CW777"], start=3)


def ids_twice(f: Files) -> None:
    f.cells("citizens", "citizen_id", ["B00001", "b00001 ", "B00\u200b001"], start=1)
    f.cells("randomisation", "caseworker_id", ["CW001", "cw002"], start=1)


def courses(f: Files) -> None:
    f.cells("citizens", "enrolled_on", ["2016-05-01", "2016-05-01"])
    f.cells("citizens", "ended_on", ["2016-01-01", ""])
    f.cells("citizens", "end_reason", ["dropout", "moved"])


def strata(f: Files) -> None:
    frame = f.frame("randomisation")
    frame.loc[frame.index[0], "stratum"] = "Lonely"
    frame.loc[frame.index[1], "stratum"] = ""
    frame.loc[frame.index[2], "stratum"] = "a"
    frame = pd.concat([frame, frame.iloc[[5, 5]]], ignore_index=True)
    frame.loc[frame.index[-2:], "stratum"] = "OneArm"
    frame.loc[frame.index[-2:], "arm"] = "FIT"
    frame.loc[frame.index[-2:], "caseworker_id"] = ["CW500", "CW501"]
    f.save("randomisation", frame)


def forms(f: Files) -> None:
    """Forms without a date or a visit, a visit off the schedule, two different forms of a citizen on a day."""
    frame = f.frame("who5")
    frame["visit"] = ""
    frame.loc[frame.index[0], "answered_on"] = ""
    frame.loc[frame.index[1], "visit"] = "7"
    twin = frame.iloc[[10]].copy()
    twin["who5_1"] = str((int(twin["who5_1"].iloc[0]) + 1) % 6)
    f.save("who5", pd.concat([frame, twin], ignore_index=True))


def after_cutoff(f: Files) -> None:
    f.cells("citizens", "ended_on", ["2017-01-01"], start=10)
    f.cells("who5", "answered_on", ["2016-12-30"], start=3)


def arm_without_citizens(f: Files) -> None:
    rand = f.frame("randomisation")
    control = set(rand.loc[rand["arm"] == "control", "caseworker_id"])
    citizens = f.frame("citizens")
    gone = citizens.loc[citizens["caseworker_id"].isin(control), "citizen_id"]
    f.save("citizens", citizens[~citizens["caseworker_id"].isin(control)])
    for name in ("who5", "fit_sessions"):
        frame = f.frame(name)
        f.save(name, frame[~frame["citizen_id"].isin(gone)])


def dated_forms_without_enrolment(f: Files) -> None:
    f.cells("citizens", "enrolled_on", ["", ""], start=0)
    f.cells("citizens", "ended_on", ["", ""], start=0)
    f.cells("citizens", "end_reason", ["", ""], start=0)


def unchanged(f: Files) -> None:
    """The trial as simulated (a case of its options only)."""


def outlying_dates(f: Files) -> None:
    f.cells("citizens", "ended_on", ["2025-12-26"], start=1)
    f.cells("citizens", "enrolled_on", ["1995-01-01"], start=3)
    f.cells("who5", "answered_on", ["2035-03-01"], start=2)
    f.cells("randomisation", "randomised_on", ["2005-04-17"], start=2)


def spreadsheet_cells(f: Files) -> None:
    """A workbook with a CPR number stored as a number and a serial date with a fraction."""
    def values(rows: list[list[Any]]) -> None:
        rows[1][0] = 101801234
        rows[2][2] = 42000.5
    f.as_xlsx("citizens", values)


def unreadable_sheets(f: Files) -> None:
    """Formulas without a value (one, and more than ten), a sheet the workbook lacks, a sheet for a CSV file, a
    workbook that is none."""
    def formula(rows: list[list[Any]]) -> None:
        rows[3][3] = "=1+1"

    def formulas(rows: list[list[Any]]) -> None:
        for k in range(1, 13):
            rows[k][2] = "=B2+1"
    f.as_xlsx("randomisation", formula)
    f.as_xlsx("fit_sessions", formulas)
    path = f.as_xlsx("who5", sheet="Skemaer")
    f.inputs["who5"] = {"path": str(path), "sheet": "no such sheet"}
    f.inputs["citizens"] = {"path": str(f.paths["citizens"]), "sheet": "Ark1"}


def no_workbook(f: Files) -> None:
    f.text("fit_sessions", b"PK\x03\x04 not really a workbook", ".xlsx")


def data_files(f: Files) -> None:
    f.text("who5", b"PAR1 this is no parquet file", ".parquet")
    f.text("fit_sessions", b"not a stata file", ".dta")
    f.text("citizens", b"not an spss file", ".sav")


def cpr_numbers(f: Files) -> None:
    f.cells("citizens", "citizen_id", ["0101801234", "010180-1234", "CPR: 010180 1234"])
    f.cells("who5", "citizen_id", ["010180.1234"])


INPUT_CASES: dict[str, tuple[Callable[[Files], None], dict[str, Any]]] = {
    "every column spoilt": (every_column_spoilt, {}),
    "many rows, one mistake": (many_rows_one_mistake, {}),
    "month-first dates": (month_first, {}),
    "two-digit years": (two_digit_years, {}),
    "two-digit years, none a date": (functools.partial(two_digit_years, first="31-31-15"), {}),
    "a US date among day-first ones": (us_date_in_a_day_first_column, {}),
    "dates not as date_format says": (date_format_mismatch, {}),
    "date_format that is none": (bad_date_formats, {}),
    "mappings naming nothing": (bad_mappings, {}),
    "codes needing a values mapping": (values_mapping_needed, {}),
    "missing file and a folder": (missing_file, {}),
    "unsupported file types": (unsupported_types, {}),
    "binary files named .csv": (not_text, {}),
    "mixed encodings": (mixed_encodings, {}),
    "rows with extra cells, an open quote": (broken_csv_rows, {}),
    "empty tables": (empty_tables, {}),
    "headers twice, missing, renamed": (header_problems, {}),
    "header_row wrong": (header_rows, {}),
    "no enrolment dates (forms and courses)": (no_enrolment_dates, {}),
    "no enrolment dates (forms)": (functools.partial(no_enrolment_dates, courses=False), {}),
    "no enrolment dates (courses)": (functools.partial(no_enrolment_dates, forms=False, other=False), {}),
    "unknown ids": (unknown_ids, {}),
    "ids twice": (ids_twice, {}),
    "courses the wrong way round": (courses, {}),
    "strata of one caseworker, one arm, none": (strata, {}),
    "forms without date or visit, in conflict": (forms, {}),
    "dates after the data cut-off": (after_cutoff, {"data_cutoff": "2016-06-30"}),
    "an arm without citizens": (arm_without_citizens, {}),
    "dated forms of citizens without enrolment": (dated_forms_without_enrolment, {}),
    "pairs declared, strata given": (unchanged, {"allocation": "pair_matched"}),
    "a year typed wrong": (outlying_dates, {"data_cutoff": "2040-01-01"}),
    "spreadsheet cells": (spreadsheet_cells, {}),
    "sheets that cannot be read": (unreadable_sheets, {}),
    "a workbook that is none": (no_workbook, {}),
    "data files that are not": (data_files, {}),
    "CPR numbers": (cpr_numbers, {}),
}


def input_outcomes(folder: Path, language: str = "da") -> dict[str, tuple[list[Problem], str]]:
    """For each case of :data:`INPUT_CASES`: the problems the data-check step finds and its page in ``language``."""
    from fittrial.steps.inputs import check_step

    out = {}
    for k, (name, (spoil, options)) in enumerate(INPUT_CASES.items()):
        files = Files(folder / f"case{k}")
        spoil(files)
        page = folder / f"case{k}.html"
        try:
            check_step(files.inputs, SCHEMA_DIR, str(page), str(folder / f"case{k}.ok"), language,
                       visits=[0, 6, 12], age_range=(15, 120), scoring=SCORING, **options)
        except InputError as exc:
            out[name] = (exc.problems, page.read_text(encoding="utf-8"))
        else:
            out[name] = ([], page.read_text(encoding="utf-8"))
    return out


# --- configs ------------------------------------------------------------------------------------------------------

@functools.cache
def _example_config() -> dict:
    """config/config.yaml with config/example.yaml over it and the schema's defaults, as the workflow has it."""
    import yaml
    from snakemake.utils import validate

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config.update(yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8")))
    validate(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"), set_default=True)
    return config


def example_config() -> dict:
    return copy.deepcopy(_example_config())


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A change setting the config key ``path`` (dots; a number is a list index) to ``value``."""
    def change(config: dict) -> None:
        *parents, last = path.split(".")
        node: Any = config
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return change


def _drop(path: str) -> Callable[[dict], None]:
    def change(config: dict) -> None:
        *parents, last = path.split(".")
        node: Any = config
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node.pop(int(last) if last.isdigit() else last)
    return change


def _all(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def change(config: dict) -> None:
        for c in changes:
            c(config)
    return change


CONFIG_CASES: dict[str, Callable[[dict], None]] = {
    "only a baseline visit": _set("visits", [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60}]),
    "a visit twice, a target outside, windows overlapping": _set("visits", [
        {"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
        {"visit": 6, "target_day": 500, "earliest_day": 50, "latest_day": 273},
        {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
        {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}]),
    "primary visit not scheduled": _set("analysis.primary_visit", 9),
    "age breaks the wrong way": _set("analysis.age_breaks", [50, 30]),
    "dates that are none": _all(_set("analysis.censor_on", "2016-02-31"), _set("checks.data_cutoff", "31-12-2016")),
    "date formats that are none": _all(_set("inputs.who5", {"path": "data/example/who5.csv", "date_format": "%Q"}),
                                       _set("inputs.citizens", {"path": "data/example/citizens.csv",
                                                                "date_format": "%d"}),
                                       _set("inputs.randomisation", {"path": "data/example/randomisation.csv",
                                                                     "date_format": ""})),
    "ages the wrong way": _all(_set("checks.age_min", 80), _set("checks.age_max", 20)),
    "scenarios": _set("validation", {"scenarios": {"big": {"n_caseworkers": 10, "colour": "red"}},
                                     "run": ["big", "small", "huge"]}),
    "words without the report's language": _all(_set("report.language", "da"),
                                                _set("units", {"cluster": {"en": {"one": "team"}},
                                                               "individual": {"en": {"one": "pupil"}}})),
    "an outcome without name, items or range": _set("outcome", {"items": ["q1", "q2"], "score_column": "total",
                                                                "range": [10, 0], "item_range": [4, 1]}),
    "an outcome with neither items nor score": _set("outcome", {"name": {"en": "Score"}}),
    "items without item range": _set("outcome", {"name": {"en": "Score"}, "items": ["q1"]}),
    "binary outcomes twice, and who5": _set("binary_outcomes", [{"name": "housed", "column": "kept_housing_12m"},
                                                                 {"name": "housed", "column": "kept_housing_12m"},
                                                                 {"name": "who5", "column": "x"}]),
    "design outcomes unknown": _set("design", {"binary": {"outcomes": ["happiness"],
                                                           "parameters": {"wealth": {}}}}),
    "blinded without a key": _all(_set("report.blinded", True), _set("report.blinding_key_file", "")),
    "blinded with a missing key file": _all(_set("report.blinded", True),
                                            _set("report.blinding_key_file", "/no/such/key.txt")),
    "data-check page among the reports": _all(_set("paths.reports", "reports"),
                                              _set("paths.data_check", "reports/data-check.html")),
    "km_days beyond the window": _set("analysis.km_days", [500, 600]),
    "delta the wrong way": _all(_set("analysis.imputation.delta_from", 10), _set("analysis.imputation.delta_to", -10)),
    "schema: wrong types and values": _all(
        _set("analysis.primary_visit", "twelve"), _set("report.language", "de"), _set("anlysis", {}),
        _set("analysis.imputation.m", -3), _set("analysis.km_days", "90"), _set("report.blinded", "yes"),
        _set("scoring.who5_prorate_one_missing", 3), _set("analysis.censor_on", "15/02/2016")),
    "schema: missing and unknown keys": _all(_drop("visits.1.target_day"), _set("inputs.citizens", {
        "path": "a.csv", "colums": {}}), _set("inputs.who5", ["a.csv"]), _set("paths.nonsense", 1)),
}

INPUTS_CASES: dict[str, Any] = {
    "inputs not a mapping": ["randomisation.csv"],
    "inputs missing": {"citizens": "citizens.csv"},
    "a workbook that is no .xlsx": {"workbook": "trial.xls"},
    "a workbook that does not exist": {"workbook": "/no/such/trial.xlsx"},
}


def config_problems(folder: Path) -> dict[str, list[str]]:
    """For each case of :data:`CONFIG_CASES` and :data:`INPUTS_CASES`: the problems every config check of the
    workflow gives (the schema's sentences, :func:`fittrial.steps.config.check_config`, the inputs named)."""
    from fittrial.steps import config as checks

    schema = None
    if hasattr(checks, "schema_problems"):
        import yaml

        schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for name, change in CONFIG_CASES.items():
        config = example_config()
        change(config)
        found: list[str] = []
        if schema is not None and name.startswith("schema:"):
            found += checks.schema_problems(config, schema)
        else:
            found += checks.check_config(config)
        out[name] = found
    bundled = str(ROOT / "config" / "config.yaml")
    for name, inputs in INPUTS_CASES.items():
        config = example_config()
        config["inputs"] = copy.deepcopy(inputs)
        out[name] = checks.apply_user_inputs(config, ["my-trial.yaml"], bundled)
    # a workbook without the tables' sheets, and one that is no workbook
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Noter"
    path = folder / "trial.xlsx"
    book.save(path)
    broken = folder / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    for name, workbook in (("a workbook without the sheets", path), ("a workbook that is none", broken)):
        config = example_config()
        config["inputs"] = {"workbook": str(workbook)}
        out[name] = checks.apply_user_inputs(config, ["my-trial.yaml"], bundled)
    config = example_config()
    config["inputs"] = {}
    out["no config file of one's own"] = checks.apply_user_inputs(config, [bundled], bundled)
    config["inputs"] = "trial.csv"
    out["no config file of one's own, inputs not a mapping"] = checks.apply_user_inputs(config, [bundled], bundled)
    key = folder / "empty.key"
    key.write_text("\n")
    config = example_config()
    config["report"].update(blinded=True, blinding_key_file=str(key))
    out["an empty key file"] = checks.check_config(config)
    return out
