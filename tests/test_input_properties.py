"""Property-based tests of the reader and the validation (issue 8): malformed tables never end in a traceback.

Hypothesis throws generated tables at :func:`fittrial.inputs.read.read_table` and
:func:`fittrial.inputs.validation.validate_inputs` (and, with the input mappings of
the config, at :func:`fittrial.steps.inputs.validate_step`): CSV files with their
headers permuted, recased, in Danish or dropped or repeated, random cells
(unicode, numbers, dates in many spellings, codes, CPR-like numbers, empty,
whitespace), blank and title rows, random separators, quoting, line endings and
encodings, truncated or overwritten bytes; workbooks written with openpyxl with
typed cells; and random bytes under every supported extension. Every one must
end in a valid trial or in an :class:`~fittrial.base.errors.InputError` whose every
problem names the file (and, for a problem with a cell's value, the row and
the column); any other exception fails the test. The base is a small slice of
the bundled example, so that each example takes milliseconds; the tests run
610 examples in all.

``derandomize=True`` makes the examples the same on every run (and in CI).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from fittrial.base.errors import InputError
from fittrial.inputs.read import MISSING_TOKENS, read_table
from fittrial.inputs.validation import TABLES, Trial, load_schema, validate_inputs
from fittrial.steps.inputs import validate_step

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
SCHEMA_DIR = ROOT / "workflow" / "schemas"
SCHEMAS = {n: load_schema(SCHEMA_DIR / f"{n}.schema.yaml") for n in TABLES}
DATE_COLUMNS = {"randomisation": ["randomised_on"], "citizens": ["enrolled_on", "ended_on"],
                "who5": ["answered_on"], "fit_sessions": ["session_on"]}
DANISH = {"citizen_id": "borger_id", "caseworker_id": "medarbejder_id", "sex": "køn", "age": "alder", "arm": "gruppe"}
SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _base() -> dict[str, pd.DataFrame]:
    """A small valid trial cut from the example: two FIT and two control caseworkers per stratum, two citizens
    each, their WHO-5 forms and two FIT sessions each (all as text, as in the files)."""
    rand = pd.read_csv(EXAMPLE / "randomisation.csv", dtype=str, keep_default_na=False)
    rand = rand.groupby(["stratum", "arm"], sort=False).head(2).reset_index(drop=True)
    cit = pd.read_csv(EXAMPLE / "citizens.csv", dtype=str, keep_default_na=False)
    cit = cit[cit["caseworker_id"].isin(rand["caseworker_id"])].groupby("caseworker_id").head(2)
    who5 = pd.read_csv(EXAMPLE / "who5.csv", dtype=str, keep_default_na=False)
    fit = pd.read_csv(EXAMPLE / "fit_sessions.csv", dtype=str, keep_default_na=False)
    fit = fit[fit["citizen_id"].isin(cit["citizen_id"])].groupby("citizen_id").head(2)
    return {"randomisation": rand, "citizens": cit.reset_index(drop=True),
            "who5": who5[who5["citizen_id"].isin(cit["citizen_id"])].reset_index(drop=True),
            "fit_sessions": fit.reset_index(drop=True)}


BASE = _base()


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base trial as CSV files (the tables a test does not alter are read from here)."""
    folder = tmp_path_factory.mktemp("base")
    for name, frame in BASE.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_the_base_trial_is_valid(base_dir: Path) -> None:
    trial = validate_inputs({n: read_table(base_dir / f"{n}.csv", n) for n in TABLES}, SCHEMAS)
    assert len(trial.randomisation) == 12 and len(trial.citizens) == 24 and len(trial.fit_sessions) > 10


# --- what every run must end in ------------------------------------------------------------------------------------

ROW = re.compile(r"^(row|record) (\d+)$")


def ends_well(run: Callable[[], Any], files: dict[str, Path], rows_in: dict[str, int]) -> Any:
    """Run ``run``; it must return, or raise an InputError whose every problem names a file of ``files`` (and,
    with a value, a row and a column; with a row, one that exists in that file). Returns the result or None."""
    try:
        result = run()
    except InputError as exc:
        assert exc.problems, "an InputError without problems"
        event("user error: " + ("file" if exc.problems[0].row is None else "header" if exc.problems[0].row ==
                                "header" else "cell"))
        exc.render()
        for p in exc.problems:
            text = p.format()
            owner = [n for n, path in files.items() if p.file == f"{n} ({path})"]
            assert owner, f"the problem names no input file: {text}"
            assert p.message.strip(), text
            if p.has_value:
                assert p.row is not None and p.column is not None, f"a cell problem without row or column: {text}"
            if p.row is not None:
                match = ROW.match(p.row)
                assert p.row == "header" or match, f"a row that is not one: {text}"
                if match:
                    assert 1 <= int(match.group(2)) <= rows_in[owner[0]] + 1, f"a row beyond the file: {text}"
                if p.row == "header":
                    assert p.column is not None, text
        return None
    event("valid")
    return result


def check_trial_shape(trial: Trial, name: str | None = None, records: int | None = None) -> None:
    """A valid result is typed: dates as plausible dates, whole numbers as Int64, one label per row, unique ids,
    no empty cell where the contract forbids one; ``records``: the rows table ``name`` must have."""
    for table in TABLES:
        frame = getattr(trial, table)
        if frame is None:
            continue
        assert frame["_row"].is_unique, table
        for col in DATE_COLUMNS[table]:
            if col in frame:
                assert frame[col].dtype.kind == "M", (table, col)
                assert frame[col].dropna().between(pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")).all()
        for col, spec in SCHEMAS[table]["properties"].items():
            if col in frame and "null" not in spec.get("type", []) and col in SCHEMAS[table]["required"]:
                assert frame[col].notna().all(), (table, col)
    assert str(trial.who5["who5_1"].dtype) == "Int64"
    assert trial.citizens["citizen_id"].is_unique and trial.randomisation["caseworker_id"].is_unique
    if name is not None and records is not None:
        assert len(getattr(trial, name)) == records, "rows lost or invented"


def run_all(base_dir: Path, name: str, path: Path) -> Callable[[], Trial]:
    """Read every table (``name`` from ``path``, the others from the base) and validate them."""
    def run() -> Trial:
        raws = {n: read_table(path if n == name else base_dir / f"{n}.csv", n) for n in TABLES}
        return validate_inputs(raws, SCHEMAS)
    return run


def line_count(data: bytes) -> int:
    """An upper bound of the rows a reader can see in ``data`` (for checking row numbers)."""
    for encoding in ("utf-8", "utf-16", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return len(text.splitlines()) + data.count(b"\n") + data.count(b"\r") + 1


# --- strategies ----------------------------------------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%y", "%Y/%m/%d", "%Y%m%d",
                "%d-%m-%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%d %b %Y", "%-d/%-m/%Y", "%-m/%-d/%Y", "%d-%m-%Y 00:00:00"]
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
date_text = st.one_of(st.builds(lambda d, f: d.strftime(f), dates, st.sampled_from(DATE_FORMATS)),
                      dates.map(dt.date.isoformat), dates.map(lambda d: f"{d.day:02d}-{d.month:02d}-{d.year:04d}"))
numbers = st.one_of(st.integers(-10**25, 10**25).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
                    st.floats(0, 10).map(lambda x: f"{x:.2f}".replace(".", ",")), st.integers(0, 200_000).map(str))
codes = st.sampled_from(["F", "M", "K", "k", "m", "kvinde", "Mand", "1", "2", "0", "3", "fit", "Fit", "FIT ",
                         "Kontrol", "control", " kontrol", "dropout", "Completed", "evicted", "other", "NA", "N/A",
                         ".", "na", "-", "ja", "nej", "#N/A", "None", "nan", "NaT", "true", "0,0", "10,0", "1e3",
                         "CW001", "CW1", "cw001", "001", "B00001", "b00001", "B1", "B00001 "])
cpr = st.from_regex(r"\A\d{6}[-. ]?\d{4}\Z")
blank = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000"])
CELLS = st.one_of(blank, codes, numbers, date_text, cpr, st.text(max_size=12))


@dataclass
class CsvCase:
    """A table of the base trial, malformed; :meth:`data` gives the bytes of the file."""

    name: str
    header: list[str]
    rows: list[list[str]]
    titles: list[str] = field(default_factory=list)
    sep: str = ","
    quoting: int = csv.QUOTE_MINIMAL
    newline: str = "\n"
    encoding: str = "utf-8"
    corruption: tuple | None = None

    def records(self) -> int | None:
        """The records a reader must find, when that is certain (no corruption, titles or cells with line breaks)."""
        if self.corruption is not None or self.titles or self.encoding == "mixed":
            return None
        cells = [c for row in self.rows for c in row] + self.header
        if any("\n" in c or "\r" in c or "\x00" in c for c in cells):
            return None
        return sum(1 for row in self.rows
                   if row[0] != "\x00blank" and any(c.strip() not in MISSING_TOKENS for c in row))

    def data(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.sep, quoting=self.quoting, lineterminator=self.newline)
        for title in self.titles:
            out.write(title + self.newline)
        writer.writerow(self.header)
        for row in self.rows:
            if row and row[0] == "\x00blank":  # a blank or whitespace line, written as is
                out.write(row[1] + self.newline)
            else:
                writer.writerow(row)
        text = out.getvalue()
        if self.encoding == "mixed":
            lines = text.split("\n")
            data = b"\n".join(line.encode("cp1252" if k % 3 == 2 else "utf-8", errors="replace")
                              for k, line in enumerate(lines))
        else:
            data = text.encode(self.encoding, errors="replace")
        if self.corruption is None:
            return data
        kind, where, extra = self.corruption
        at = int(where * len(data))
        if kind == "truncate":
            return data[:at]
        return data[:at] + extra + data[at + len(extra):]


def chance(draw: st.DrawFn, percent: int) -> bool:
    """True in about ``percent`` of the examples (False, no change, is what a failing example shrinks to)."""
    return draw(st.sampled_from([False] * (100 - percent) + [True] * percent))


def _header_variant(draw: st.DrawFn, name: str) -> str:
    """A header as a user may write it: mostly the same column in another case, with spaces or in Danish."""
    style = draw(st.sampled_from(["same", "upper", "title", "spaces", "danish"] * 4 + ["other", "empty"]))
    if style == "upper":
        return name.upper()
    if style == "title":
        return name.title()
    if style == "spaces":
        return f"  {name} "
    if style == "danish":
        return DANISH.get(name, name)
    if style == "other":
        return draw(st.text(max_size=10))
    if style == "empty":
        return ""
    return name


@st.composite
def csv_cases(draw: st.DrawFn) -> CsvCase:
    name = draw(st.sampled_from(TABLES))
    frame = BASE[name].copy()
    if name == "who5" and chance(draw, 30):  # the optional visit column
        frame["visit"] = draw(st.lists(st.sampled_from(["0", "6", "12", ""]), min_size=len(frame),
                                       max_size=len(frame)))
    for col in DATE_COLUMNS[name]:  # a date column in one (perhaps ambiguous) spelling
        if chance(draw, 40):
            fmt = draw(st.sampled_from(DATE_FORMATS))
            frame[col] = [dt.date.fromisoformat(v).strftime(fmt) if v else v for v in frame[col]]
    header = [_header_variant(draw, c) if chance(draw, 30) else c for c in frame.columns]
    rows = frame.values.tolist()
    order = draw(st.permutations(range(len(header))))
    dropped = draw(st.sets(st.integers(0, len(header) - 1), min_size=1, max_size=2)) if chance(draw, 10) else set()
    keep = [k for k in order if k not in dropped]
    if chance(draw, 10):  # a column twice, perhaps with other values
        k = draw(st.sampled_from(keep))
        keep.append(k)
    header = [header[k] for k in keep]
    rows = [[row[k] for k in keep] for row in rows]
    for r, c, value in draw(st.lists(st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(header) - 1),
                                               CELLS), max_size=8)):
        rows[r][c] = value
    sep = draw(st.sampled_from([",", ";", "\t"]))
    if sep == ";" and draw(st.booleans()):  # Danish Excel: decimal commas
        rows = [[v.replace(".", ",") if re.fullmatch(r"\d+\.\d+", v) else v for v in row] for row in rows]
    for at, text in draw(st.lists(st.tuples(st.integers(0, len(rows)),
                                            st.sampled_from(["", " ", sep * len(header), " " + sep + " "])),
                                  max_size=3)):
        rows.insert(at, ["\x00blank", text])
    if chance(draw, 20):
        rows = rows[:draw(st.integers(0, len(rows)))]
    titles = draw(st.lists(st.text(max_size=30).map(lambda t: t.replace("\n", " ").replace("\r", " ")), max_size=2)) \
        if chance(draw, 30) else []
    corruption = None
    if chance(draw, 20):
        corruption = draw(st.one_of(st.tuples(st.just("truncate"), st.floats(0.02, 1), st.just(b"")),
                                    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(min_size=1, max_size=6))))
    return CsvCase(name, header, rows, titles, sep, draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                   draw(st.sampled_from(["\n", "\r\n", "\r"])),
                   draw(st.sampled_from(["utf-8"] * 3 + ["utf-8-sig", "cp1252", "cp1252", "utf-16", "latin-1",
                                                         "mixed"])),
                   corruption)


@settings(max_examples=250, **SETTINGS)
@given(case=csv_cases())
def test_malformed_csv_tables_end_in_a_trial_or_a_user_error(base_dir: Path, case: CsvCase) -> None:
    folder = base_dir / "csv"
    folder.mkdir(exist_ok=True)
    path = folder / f"{case.name}.csv"
    data = case.data()
    path.write_bytes(data)
    files = {n: (path if n == case.name else base_dir / f"{n}.csv") for n in TABLES}
    rows_in = {n: (line_count(data) if n == case.name else len(BASE[n]) + 1) for n in TABLES}
    trial = ends_well(run_all(base_dir, case.name, path), files, rows_in)
    if trial is not None:
        check_trial_shape(trial, case.name, case.records())


# --- workbooks -----------------------------------------------------------------------------------------------------

XLSX_CELLS = st.one_of(
    st.none(), blank, codes, numbers, date_text, cpr,
    st.text(max_size=12).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.integers(-10**9, 10**9), st.floats(-1e6, 1e6, allow_nan=False), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2300, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2300, 1, 1)), st.times())


@st.composite
def xlsx_cases(draw: st.DrawFn) -> tuple[str, list[list[Any]], int]:
    """(table, the sheet's rows including title rows and header, the number of title rows)."""
    name = draw(st.sampled_from(TABLES))
    frame = BASE[name]
    header: list[Any] = [_header_variant(draw, c) if chance(draw, 30) else c for c in frame.columns]
    rows: list[list[Any]] = []
    for row in frame.itertuples(index=False):
        cells: list[Any] = []
        for col, value in zip(frame.columns, row):
            if value == "":
                cells.append(None)
            elif col in DATE_COLUMNS[name]:
                day = dt.date.fromisoformat(value)
                cells.append(draw(st.sampled_from([dt.datetime(day.year, day.month, day.day),
                                                   (day - dt.date(1899, 12, 30)).days, day.strftime("%d-%m-%Y"),
                                                   value])))
            elif re.fullmatch(r"-?\d+", value):
                cells.append(int(value))
            elif re.fullmatch(r"-?\d+\.\d+", value):
                cells.append(float(value))
            else:
                cells.append(value)
        rows.append(cells)
    for r, c, value in draw(st.lists(st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(header) - 1),
                                               XLSX_CELLS), max_size=8)):
        rows[r][c] = value
    for at in draw(st.lists(st.integers(0, len(rows)), max_size=2)):
        rows.insert(at, draw(st.sampled_from([[None] * len(header), [" "] + [None] * (len(header) - 1)])))
    if chance(draw, 10):
        k = draw(st.integers(0, len(header) - 1))
        header.append(header[k])
        for row in rows:
            row.append(draw(XLSX_CELLS) if draw(st.booleans()) else row[k])
    titles = draw(st.lists(st.lists(XLSX_CELLS, min_size=1, max_size=2), max_size=3)) if chance(draw, 40) else []
    return name, [*titles, header, *rows], len(titles)


@settings(max_examples=100, **SETTINGS)
@given(case=xlsx_cases())
def test_malformed_workbooks_end_in_a_trial_or_a_user_error(base_dir: Path, case: tuple) -> None:
    name, sheet, _titles = case
    folder = base_dir / "xlsx"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.xlsx"
    book = openpyxl.Workbook()
    for row in sheet:  # Excel cannot hold control characters: a user's workbook has none
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    book.save(path)
    files = {n: (path if n == name else base_dir / f"{n}.csv") for n in TABLES}
    rows_in = {n: (len(sheet) if n == name else len(BASE[n]) + 1) for n in TABLES}
    trial = ends_well(run_all(base_dir, name, path), files, rows_in)
    if trial is not None:
        check_trial_shape(trial)


# --- random bytes --------------------------------------------------------------------------------------------------

@settings(max_examples=100, **SETTINGS)
@given(suffix=st.sampled_from([".csv", ".xlsx", ".sav", ".dta", ".parquet"]),
       data=st.one_of(st.binary(max_size=300), st.sampled_from([b"PK\x03\x04", b"$FL2", b"PAR1", b"<stata_dta>"])
                      .flatmap(lambda head: st.binary(max_size=200).map(lambda tail: head + tail))),
       name=st.sampled_from(TABLES))
def test_random_bytes_end_in_a_user_error(base_dir: Path, suffix: str, data: bytes, name: str) -> None:
    folder = base_dir / "bytes"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}{suffix}"
    path.write_bytes(data)
    files = {n: (path if n == name else base_dir / f"{n}.csv") for n in TABLES}
    rows_in = {n: (line_count(data) if n == name else len(BASE[n]) + 1) for n in TABLES}
    ends_well(run_all(base_dir, name, path), files, rows_in)


# --- data files: Parquet, Stata, SPSS with typed columns -----------------------------------------------------------

@st.composite
def data_files(draw: st.DrawFn) -> tuple[str, str, pd.DataFrame]:
    """(table, suffix, frame): the base table with typed columns (dates perhaps with a time zone or in years no
    trial has, numbers as floats) and some cells replaced."""
    name = draw(st.sampled_from(TABLES))
    suffix = draw(st.sampled_from([".parquet", ".parquet", ".dta", ".sav"]))
    frame = BASE[name].copy()
    for col in frame.columns:
        if col in DATE_COLUMNS[name]:
            stamps = pd.to_datetime(frame[col].replace("", None))
            how = draw(st.sampled_from(["naive", "zone", "text", "far"] if suffix == ".parquet" else ["naive", "text"]))
            if how == "zone":
                frame[col] = stamps.dt.tz_localize(draw(st.sampled_from(["UTC", "Europe/Copenhagen", "US/Pacific"])))
            elif how == "far":
                years = draw(st.lists(st.integers(1, 9999), min_size=len(frame), max_size=len(frame)))
                frame[col] = pd.Series([None if pd.isna(t) else dt.datetime(y, t.month, min(t.day, 28))
                                        for t, y in zip(stamps, years)], dtype="datetime64[s]")
            elif how == "naive":
                frame[col] = stamps
        elif frame[col].str.fullmatch(r"-?\d+(\.\d+)?|").all():
            frame[col] = pd.to_numeric(frame[col].replace("", None)).astype(float)
    for r, col, value in draw(st.lists(st.tuples(st.integers(0, len(frame) - 1), st.sampled_from(list(frame.columns)),
                                                 st.one_of(st.none(), st.floats(-1e12, 1e12), codes, cpr)),
                                       max_size=6)):
        kind = frame[col].dtype.kind
        if kind == "f" and (value is None or isinstance(value, float)):
            frame.loc[r, col] = value
        elif kind == "O" and (value is None or isinstance(value, str)):
            frame.loc[r, col] = value
    if draw(st.booleans()):
        frame.columns = [_header_variant(draw, c) if chance(draw, 20) else c for c in frame.columns]
    return name, suffix, frame


@settings(max_examples=60, **SETTINGS)
@given(case=data_files())
def test_malformed_data_files_end_in_a_trial_or_a_user_error(base_dir: Path, case: tuple) -> None:
    name, suffix, frame = case
    folder = base_dir / "data"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}{suffix}"
    try:
        if suffix == ".parquet":
            frame.to_parquet(path)
        elif suffix == ".dta":
            import pyreadstat
            pyreadstat.write_dta(frame, str(path))
        else:
            import pyreadstat
            pyreadstat.write_sav(frame, str(path))
    except Exception:  # a frame the writer cannot store is no file a user can have
        return
    files = {n: (path if n == name else base_dir / f"{n}.csv") for n in TABLES}
    rows_in = {n: (len(frame) if n == name else len(BASE[n]) + 1) for n in TABLES}
    trial = ends_well(run_all(base_dir, name, path), files, rows_in)
    if trial is not None:
        check_trial_shape(trial, name, len(frame))


# --- the input mappings of the config, through the validate step --------------------------------------------------

@st.composite
def mappings(draw: st.DrawFn) -> tuple[str, dict[str, Any], CsvCase]:
    """(table, its input mapping, its file): header_row, columns, values and date_format, right or wrong."""
    case = draw(csv_cases())
    spec: dict[str, Any] = {}
    if draw(st.booleans()):
        spec["header_row"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        props = list(SCHEMAS[case.name]["properties"])
        spec["columns"] = draw(st.dictionaries(st.sampled_from(props), st.one_of(st.sampled_from(case.header or ["x"]),
                                                                                 st.text(max_size=6)), max_size=2))
    if draw(st.booleans()):
        spec["values"] = draw(st.dictionaries(st.sampled_from(["sex", "arm", "end_reason", "who5_1", "nope"]),
                                              st.dictionaries(st.one_of(codes, st.integers(0, 3)),
                                                              st.one_of(codes, st.integers(0, 3), st.none()),
                                                              max_size=3), max_size=2))
    if draw(st.booleans()):
        spec["date_format"] = draw(st.one_of(st.sampled_from(DATE_FORMATS + ["%d-%m", "%Q", "%", "x", ""]),
                                             st.text(max_size=6)))
    return case.name, spec, case


@settings(max_examples=100, **SETTINGS)
@given(case=mappings())
def test_input_mappings_through_the_validate_step(base_dir: Path, case: tuple) -> None:
    name, spec, table = case
    folder = base_dir / "step"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    data = table.data()
    path.write_bytes(data)
    inputs: dict[str, Any] = {n: str(base_dir / f"{n}.csv") for n in TABLES}
    inputs[name] = {"path": str(path), **spec}
    outputs = {n: str(folder / "out" / f"{n}.parquet") for n in (*TABLES, "notes")}
    files = {n: (path if n == name else base_dir / f"{n}.csv") for n in TABLES}
    rows_in = {n: (line_count(data) if n == name else len(BASE[n]) + 1) for n in TABLES}
    ends_well(lambda: validate_step(inputs, SCHEMA_DIR, outputs, data_cutoff="2099-12-31"), files, rows_in)


def test_the_csv_reader_streams_lines_as_stringio_would_and_shares_repeated_cells(tmp_path):
    """The reader walks a CSV line by line (fittrial.inputs.read._lines, the lines io.StringIO(newline="") gives, without
    its 4-bytes-a-character copy), finds the header among the first lines without splitting the whole text, and
    keeps a text that repeats in a column (a date, a score) as one object: a file of millions of rows costs
    about 200 bytes a row (tools/benchmark.py, part reader)."""
    import io
    import random

    from fittrial.inputs.read import _head, _lines, read_table

    rng = random.Random(11)
    pieces = ["a", ",", ";", "\n", "\r", "\r\n", '"', " ", "\x0b", "\u2028", "æ"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 50)))
        assert list(_lines(text)) == list(io.StringIO(text, newline=""))
        assert _head(text, 3) == text.splitlines()[:3]
    long = "\r\n".join("x" * rng.randint(0, 3000) for _ in range(60))
    assert _head(long, 20) == long.splitlines()[:20]
    path = tmp_path / "who5.csv"
    path.write_text("citizen_id,answered_on,who5_1\nB1,2016-05-29,4\nB2,2016-05-29,4\n\nB3,2016-06-01,\n\n",
                    encoding="utf-8")
    raw = read_table(path, "who5")
    assert raw.frame.iloc[0, 1] is raw.frame.iloc[1, 1]  # one object for the repeated date
    assert raw.frame.iloc[2].isna().all() and raw.frame.iloc[3, 2] is None  # a blank line inside is kept
    assert len(raw.frame) == 4 and [raw.row_label(i) for i in range(4)] == ["row 2", "row 3", "row 4", "row 5"]


# --- one typo (issue 23): Unicode forms, case variants, date typos, formula cells ----------------------------------

@st.composite
def typos(draw: st.DrawFn) -> tuple[str, str, int, str, Any]:
    """One slip in the base trial: (kind, table, row index, column, how)."""
    kind = draw(st.sampled_from(["nfd", "case", "year", "formula"]))
    if kind == "nfd":  # some strata written decomposed
        return kind, "randomisation", 0, "stratum", draw(st.lists(st.booleans(), min_size=len(BASE["randomisation"]),
                                                                   max_size=len(BASE["randomisation"])))
    if kind == "case":
        table = draw(st.sampled_from(["citizens", "who5", "fit_sessions"]))
        column = draw(st.sampled_from(["citizen_id", "caseworker_id"] if table != "who5" else ["citizen_id"]))
        return kind, table, draw(st.integers(0, len(BASE[table]) - 1)), column, draw(st.sampled_from(["lower",
                                                                                                      "swap"]))
    if kind == "year":
        table = draw(st.sampled_from(["citizens", "who5", "fit_sessions"]))
        column = draw(st.sampled_from([c for c in DATE_COLUMNS[table]]))
        rows = [i for i, v in enumerate(BASE[table][column]) if v]
        return kind, table, draw(st.sampled_from(rows)), column, draw(st.sampled_from([-10, 10, -20, 100]))
    table = draw(st.sampled_from(["citizens", "who5"]))
    column = draw(st.sampled_from([c for c in BASE[table].columns if c not in ("citizen_id",)]))
    return kind, table, draw(st.integers(0, len(BASE[table]) - 1)), column, None


@settings(max_examples=80, **SETTINGS)
@given(case=typos())
def test_one_typo_ends_in_the_same_trial_or_an_error_naming_its_cell(base_dir: Path, tmp_path_factory, case) -> None:
    """Every generated slip ends in a valid trial with the base's result (a Unicode form is the same text) or in a
    named error at the very row and column: never in another trial."""
    import unicodedata

    kind, table, row, column, how = case
    frame = BASE[table].copy()
    folder = tmp_path_factory.mktemp("typo")
    if kind == "nfd":
        frame[column] = [unicodedata.normalize("NFD", v) if d else v for v, d in zip(frame[column], how)]
    elif kind == "case":
        value = frame.loc[row, column]
        frame.loc[row, column] = value.lower() if how == "lower" else value.swapcase()
    elif kind == "year":
        value = frame.loc[row, column]
        frame.loc[row, column] = f"{int(value[:4]) + how}{value[4:]}"
    path = folder / f"{table}.csv"
    if kind == "formula":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(frame.columns))
        for values in frame.itertuples(index=False):
            sheet.append(list(values))
        cell = sheet.cell(row=row + 2, column=list(frame.columns).index(column) + 1)
        cell.value = "=1+1"  # no cached value: openpyxl does not calculate
        path = folder / f"{table}.xlsx"
        book.save(path)
    else:
        frame.to_csv(path, index=False)
    files = {n: path if n == table else base_dir / f"{n}.csv" for n in TABLES}
    base = validate_inputs({n: read_table(base_dir / f"{n}.csv", n) for n in TABLES}, SCHEMAS)
    try:
        trial = validate_inputs({n: read_table(files[n], n) for n in TABLES}, SCHEMAS)
    except InputError as exc:
        texts = [p.format() for p in exc.problems]
        event(f"{kind}: error")
        if kind == "formula":
            assert any(f"{cell.coordinate} (=1+1)" in t for t in texts), texts
        elif kind == "year":
            assert any(p.row == f"row {row + 2}" and p.column == column and p.file.startswith(table)
                       for p in exc.problems), texts
        else:  # at the row itself, or where another table names the id: with both spellings
            assert any(p.row == f"row {row + 2}" and p.column == column and p.file.startswith(table)
                       or repr(frame.loc[row, column]) in t for p, t in zip(exc.problems, texts)), texts
        return
    event(f"{kind}: valid")
    assert kind in ("nfd", "case"), f"a {kind} went through without a word"
    if kind == "case":  # an id without letters has no case: the same trial
        assert frame.loc[row, column] == BASE[table].loc[row, column]
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(trial, name).drop(columns="_row"),
                                      getattr(base, name).drop(columns="_row"))
