"""The input contract, enforced.

Each input table has a JSON Schema (YAML) in ``workflow/schemas/`` describing
one row. :func:`type_table` applies it column by column (so that every problem
can name the file, the row as the user sees it, the column and the value) and
returns a typed table. :func:`check_trial` then checks the tables against each
other. Problems that make an analysis wrong are errors (:class:`InputError`);
oddities that do not (forms outside the visit windows, citizens enrolled before
their caseworker was randomised, caseworkers without citizens) are returned as
data-quality notes for the report.

Supported JSON Schema keywords: ``type`` (string, integer, number, with
``"null"`` for may-be-empty), ``format: date``, ``enum``, ``minimum``,
``maximum``, ``required``; and the extensions ``x-unique``, ``x-identifier``
(refuse values that look like a Danish CPR number) and ``x-decimals``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .errors import InputError, Problem, format_value
from .io import RawTable

CPR_PATTERN = re.compile(r"^\d{6}[-. ]?\d{4}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TABLES = ("randomisation", "citizens", "who5", "fit_sessions")


def load_schema(path: str | Path) -> dict[str, Any]:
    """Load a table schema (YAML)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NaT or (isinstance(value, type(pd.NA)) and value is pd.NA):
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    return False


def _types(spec: dict[str, Any]) -> tuple[str, bool]:
    t = spec.get("type", "string")
    if isinstance(t, list):
        nullable = "null" in t
        main = [x for x in t if x != "null"][0]
        return main, nullable
    return t, False


class _Bad(Exception):
    """A value that breaks the column's rule; ``expected`` overrides the column's general description."""

    def __init__(self, expected: str | None = None):
        self.expected = expected


def _to_string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _to_integer(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise _Bad()
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if float(value).is_integer():
            return int(value)
        raise _Bad()
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        return int(float(text))
    raise _Bad()


def _to_number(value: Any, decimal_comma: bool) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise _Bad()
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if decimal_comma:
        text = text.replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
        return float(text)
    raise _Bad()


DANISH_DATE = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4})$")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's serial dates (1900 system, as Excel computes them)


def _to_date(value: Any, spreadsheet: bool = False) -> pd.Timestamp:
    """A date from a native date, ISO text (YYYY-MM-DD), Danish day-first text (dd-mm-yyyy, dd.mm.yyyy,
    dd/mm/yyyy; never month first) or, in a spreadsheet, an Excel serial number (a date cell formatted as a
    number)."""
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if isinstance(value, (_dt.datetime, _dt.date, np.datetime64)):
        return pd.Timestamp(value).normalize()
    if spreadsheet and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 109_574:  # up to 2199-12-31
            return EXCEL_EPOCH + pd.Timedelta(days=int(value))
        raise _Bad("a date (an Excel serial date must be a whole number of days)")
    text = str(value).strip()
    if spreadsheet and re.fullmatch(r"\d{5}", text):  # an Excel serial date saved as text (1927-2173)
        return _to_date(int(text), spreadsheet)
    if ISO_DATE.fullmatch(text):
        try:
            return pd.Timestamp(_dt.date.fromisoformat(text))
        except ValueError:
            raise _Bad("a real calendar date as YYYY-MM-DD") from None
    danish = DANISH_DATE.fullmatch(text)
    if danish:
        day, _, month, year = danish.groups()
        try:
            return pd.Timestamp(_dt.date(int(year), int(month), int(day)))
        except ValueError:
            raise _Bad("a real calendar date, day first (dd-mm-yyyy) or as YYYY-MM-DD") from None
    raise _Bad("a date as YYYY-MM-DD or day first as dd-mm-yyyy (e.g. 2015-09-01 or 01-09-2015)")


# Codes a Danish export uses for the contract's codes (compared without case and surrounding spaces)
CODE_ALIASES: dict[str, dict[str, str]] = {
    "arm": {"fit": "FIT", "control": "control", "kontrol": "control"},
    "sex": {"f": "F", "m": "M", "k": "F", "kvinde": "F", "mand": "M", "female": "F", "male": "M"},
}


def _code(value: str, column: str, enum: list) -> str:
    """The contract's code for a text value: exact, or without case and spaces, or a Danish alias."""
    if value in enum:
        return value
    folded = value.strip().casefold()
    for code in enum:
        if isinstance(code, str) and code.casefold() == folded:
            return code
    return CODE_ALIASES.get(column, {}).get(folded, value)


def _expected_text(spec: dict[str, Any], main: str, nullable: bool) -> str:
    parts = []
    if "enum" in spec:
        allowed = [str(v) for v in spec["enum"] if v is not None]
        parts.append("one of " + ", ".join(allowed))
    elif spec.get("format") == "date":
        parts.append("a date as YYYY-MM-DD")
    elif main == "integer":
        parts.append("a whole number")
    elif main == "number":
        parts.append("a number")
    else:
        parts.append("text")
    if "minimum" in spec and "maximum" in spec:
        parts.append(f"from {spec['minimum']} to {spec['maximum']}")
    if spec.get("x-decimals") is not None:
        parts.append(f"with at most {spec['x-decimals']} decimal(s)")
    parts.append("or empty" if nullable else "(may not be empty)")
    return " ".join(parts)


# Column names a Danish export uses for the contract's columns (compared without case and surrounding spaces)
HEADER_ALIASES = {"borger_id": "citizen_id", "borgerid": "citizen_id", "medarbejder_id": "caseworker_id",
                  "medarbejderid": "caseworker_id", "køn": "sex", "alder": "age", "gruppe": "arm"}


def contract_name(header: str, props: dict[str, Any]) -> str:
    """The contract's name for a header: exact, or without case and spaces, or a Danish alias."""
    text = header.strip()
    if text in props:
        return text
    folded = text.casefold()
    for name in props:
        if name.casefold() == folded:
            return name
    alias = HEADER_ALIASES.get(folded)
    return alias if alias in props else text


def type_table(raw: RawTable, schema: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one raw table by its schema.

    Returns the typed table (only the schema's columns, in schema order;
    integers as nullable ``Int64``, numbers as float, dates as
    ``datetime64``, text as ``object``) and the problems found. Every problem
    names the file, the row as the user sees it, the column and the value.
    """
    label = f"{raw.name} ({raw.path})"
    props: dict[str, dict[str, Any]] = schema["properties"]
    problems: list[Problem] = []
    columns = [contract_name(str(c), props) for c in raw.frame.columns]
    # rows with every cell empty (a blank line, a cell holding only a space) are not records
    filled = ~raw.frame.apply(lambda r: all(_is_missing(v) for v in r), axis=1).to_numpy(bool) if len(raw.frame) \
        else np.zeros(0, bool)
    positions = np.flatnonzero(filled)
    frame = raw.frame[filled].copy()
    frame.columns = columns

    def row_label(i: int) -> str:  # the row as the user sees it in the file
        return raw.row_label(int(positions[i]))

    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    for c in duplicated:
        problems.append(Problem(label, "the column appears more than once in the header; expected each column "
                                       "once.", row="header", column=c))
    for col in schema.get("required", []):
        if col not in columns:
            problems.append(
                Problem(
                    label,
                    f"required column is missing. Expected columns: {', '.join(schema['required'])}"
                    f" (found: {', '.join(columns) or 'none'})."
                    + (f" If one of {', '.join(repr(c) for c in columns if c not in props)} holds it, name it in "
                       f"the config: inputs.{raw.name}: {{path: ..., columns: {{{col}: <its name>}}}}."
                       if any(c not in props for c in columns) else ""),
                    row="header",
                    column=col,
                )
            )
    if problems:
        return pd.DataFrame(), problems

    required = set(schema.get("required", []))
    spreadsheet = str(raw.path).lower().endswith((".xlsx", ".csv"))  # Excel serial dates possible
    out: dict[str, Any] = {}
    for col, spec in props.items():
        if col not in columns:
            continue  # optional column absent
        if col not in required and all(_is_missing(v) for v in frame[col].tolist()):
            continue  # an optional column left entirely empty counts as absent
        main, nullable = _types(spec)
        is_date = spec.get("format") == "date"
        enum = spec.get("enum")
        values: list[Any] = []
        for i, value in enumerate(frame[col].tolist()):
            if _is_missing(value):
                if not nullable:
                    problems.append(
                        Problem(label, "is empty; expected " + _expected_text(spec, main, nullable) + ".",
                                row_label(i), col, value, True)
                    )
                values.append(None)
                continue
            try:
                if is_date:
                    typed: Any = _to_date(value, spreadsheet)
                elif main == "integer":
                    typed = _to_integer(value)
                elif main == "number":
                    typed = _to_number(value, raw.decimal_comma)
                    decimals = spec.get("x-decimals")
                    if decimals is not None and abs(round(typed, decimals) - typed) > 1e-9:
                        raise _Bad()
                else:
                    typed = _to_string(value)
                    if enum is not None:
                        typed = _code(typed, col, enum)
                if enum is not None and typed not in enum:
                    raise _Bad()
                if "minimum" in spec and typed < spec["minimum"]:
                    raise _Bad()
                if "maximum" in spec and typed > spec["maximum"]:
                    raise _Bad()
                if spec.get("x-identifier") and CPR_PATTERN.fullmatch(typed):
                    raise _Bad(
                        "a pseudonymised identifier. This looks like a Danish CPR number (ten digits); "
                        "identifiers must be pseudonymised before they reach the pipeline"
                    )
            except _Bad as bad:
                expected = bad.expected or _expected_text(spec, main, nullable)
                problems.append(Problem(label, f"expected {expected}.", row_label(i), col, value, True))
                typed = None
            values.append(typed)
        if is_date:
            out[col] = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
        elif main == "integer":
            out[col] = pd.array(values, dtype="Int64")
        elif main == "number":
            out[col] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
        else:
            out[col] = pd.Series(values, dtype=object)
        if spec.get("x-unique"):
            series = pd.Series(values, dtype=object)
            dup = series.notna() & series.duplicated(keep="first")
            for i in np.flatnonzero(dup.to_numpy()):
                first = int(np.flatnonzero((series == series.iloc[i]).to_numpy())[0])
                problems.append(
                    Problem(label, f"duplicate id; it already appears in {row_label(first)}. Each id must be unique.",
                            row_label(int(i)), col, values[i], True)
                )
    typed_frame = pd.DataFrame(out)
    typed_frame.insert(0, "_row", [row_label(i) for i in range(len(frame))])
    return typed_frame.reset_index(drop=True), problems


@dataclass
class Trial:
    """The typed, cross-checked input tables of one trial."""

    randomisation: pd.DataFrame
    citizens: pd.DataFrame
    who5: pd.DataFrame
    fit_sessions: pd.DataFrame | None
    notes: pd.DataFrame = field(default_factory=pd.DataFrame)


def _note(check: str, table: str, row: str, detail: str) -> dict[str, str]:
    return {"check": check, "table": table, "row": row, "detail": detail}


def _unknown_id(value: str, known: set, what: str, table: str) -> str:
    """The message for an id not found in ``table``; names a match that differs only in leading zeros."""
    near = sorted(k for k in known if k.lstrip("0") == value.lstrip("0") and k != value)
    if near:
        return (f"this {what} is not in the {table} table, which has {near[0]!r}: ids are compared as text, so "
                f"{value!r} and {near[0]!r} differ; write the id the same way in both files.")
    return f"this {what} is not in the {table} table."


def check_trial(tables: dict[str, pd.DataFrame], labels: dict[str, str], visits: list[int] | None = None,
                cutoff: pd.Timestamp | None = None) -> Trial:
    """Check the typed tables against each other.

    Errors (raised together as one :class:`InputError`): a citizen whose
    caseworker is not in the randomisation; a WHO-5 or FIT row for an unknown
    citizen; a FIT row for an unknown caseworker; a course that ends before it
    starts; a stratum with a single caseworker (randomisation within it is
    impossible); a stratum without both arms; an arm without citizens (the
    arms cannot be compared); a WHO-5 row with neither a date nor a visit; an
    explicit visit that is not in the schedule (``visits``); WHO-5 forms of one
    citizen on one date with different answers (identical ones are a note); a
    date after the data cut-off ``cutoff``. An unknown id that matches a known
    one but for leading zeros is named with it.

    Notes (returned in ``Trial.notes``, shown in the data-quality table): a
    citizen enrolled before the caseworker was randomised; a caseworker with no
    citizens; an end date without an end reason; a FIT session in the control
    arm; a FIT session whose caseworker differs from the citizen's.
    """
    rand = tables["randomisation"]
    cit = tables["citizens"]
    who5 = tables["who5"]
    fit = tables.get("fit_sessions")
    problems: list[Problem] = []
    notes: list[dict[str, str]] = []

    known_cw = set(rand["caseworker_id"].dropna())
    for _, r in cit.iterrows():
        if r["caseworker_id"] is not None and r["caseworker_id"] not in known_cw:
            problems.append(Problem(labels["citizens"], _unknown_id(r["caseworker_id"], known_cw, "caseworker",
                                                                    "randomisation"),
                                    r["_row"], "caseworker_id", r["caseworker_id"], True))
        if pd.notna(r["ended_on"]) and pd.notna(r["enrolled_on"]) and r["ended_on"] < r["enrolled_on"]:
            problems.append(Problem(labels["citizens"],
                                    f"the course ends before it starts (enrolled_on {r['enrolled_on']:%Y-%m-%d}); "
                                    "expected ended_on on or after enrolled_on.",
                                    r["_row"], "ended_on", f"{r['ended_on']:%Y-%m-%d}", True))
        if pd.isna(r["ended_on"]) and r["end_reason"] is not None:
            problems.append(Problem(labels["citizens"],
                                    "an end reason is given but ended_on is empty; expected both or neither.",
                                    r["_row"], "end_reason", r["end_reason"], True))
        if pd.notna(r["ended_on"]) and r["end_reason"] is None:
            notes.append(_note("ended without an end reason (dropout and completion set missing)",
                               "citizens", r["_row"], f"citizen {r['citizen_id']}"))

    known_cit = set(cit["citizen_id"].dropna())
    for _, r in who5.iterrows():
        if r["citizen_id"] is not None and r["citizen_id"] not in known_cit:
            problems.append(Problem(labels["who5"], _unknown_id(r["citizen_id"], known_cit, "citizen", "citizens"),
                                    r["_row"], "citizen_id", r["citizen_id"], True))

    arm_of_cw = rand.set_index("caseworker_id")["arm"]
    citizen_arms = set(cit["caseworker_id"].map(arm_of_cw).dropna())
    for arm in ("FIT", "control"):
        if (rand["arm"] == arm).any() and arm not in citizen_arms:
            problems.append(Problem(labels["citizens"],
                                    f"no citizen belongs to a caseworker in the {arm} arm, so the arms cannot be "
                                    f"compared; expected citizens in both arms (FIT and control)."))
    if "visit" in who5:
        no_date = who5["answered_on"].isna() & who5["visit"].isna()
    else:
        no_date = who5["answered_on"].isna()
    for _, r in who5[no_date].iterrows():
        problems.append(Problem(labels["who5"], "is empty; expected a date as YYYY-MM-DD, or a visit in the 'visit' "
                                "column (a form needs one of the two).", r["_row"], "answered_on", None, True))
    if visits is not None and "visit" in who5:
        unknown = who5["visit"].notna() & ~who5["visit"].isin(list(visits))
        for _, r in who5[unknown].iterrows():
            problems.append(Problem(labels["who5"], "this visit is not in the visit schedule of the config (visits: "
                                    + ", ".join(str(v) for v in visits) + ").", r["_row"], "visit", r["visit"], True))

    per_stratum = rand.dropna(subset=["stratum"]).groupby("stratum")
    for stratum, g in per_stratum:
        if len(g) == 1:
            problems.append(Problem(labels["randomisation"],
                                    "this stratum has a single caseworker; randomisation within a stratum needs at least two.",
                                    g["_row"].iloc[0], "stratum", stratum, True))
        elif g["arm"].nunique() < 2:
            problems.append(Problem(labels["randomisation"],
                                    "every caseworker in this stratum has the same arm; each stratum needs both FIT and control.",
                                    g["_row"].iloc[0], "stratum", stratum, True))

    if fit is not None:
        for _, r in fit.iterrows():
            if r["citizen_id"] is not None and r["citizen_id"] not in known_cit:
                problems.append(Problem(labels["fit_sessions"], _unknown_id(r["citizen_id"], known_cit, "citizen",
                                                                            "citizens"),
                                        r["_row"], "citizen_id", r["citizen_id"], True))
            if r["caseworker_id"] is not None and r["caseworker_id"] not in known_cw:
                problems.append(Problem(labels["fit_sessions"], _unknown_id(r["caseworker_id"], known_cw, "caseworker",
                                                                            "randomisation"),
                                        r["_row"], "caseworker_id", r["caseworker_id"], True))

    from .scoring import ITEMS

    dated = who5[who5["answered_on"].notna()]
    for _, g in dated[dated.duplicated(["citizen_id", "answered_on"], keep=False)].groupby(
            ["citizen_id", "answered_on"], sort=False):
        answers = g[ITEMS].astype("Float64").fillna(-1)
        if len(answers.drop_duplicates()) > 1:
            problems.append(Problem(labels["who5"], f"two or more WHO-5 forms of this citizen on "
                                    f"{g['answered_on'].iloc[0]:%Y-%m-%d} have different answers ({', '.join(g['_row'])});"
                                    " expected one form per citizen and date.", g["_row"].iloc[0], "citizen_id",
                                    g["citizen_id"].iloc[0], True))
        else:
            for row in g["_row"].iloc[1:]:
                notes.append(_note("identical duplicate WHO-5 form (counted once)", "who5", row,
                                   f"citizen {g['citizen_id'].iloc[0]}"))
    if cutoff is not None:
        for name, frame, cols in (("randomisation", rand, ["randomised_on"]), ("citizens", cit, ["enrolled_on", "ended_on"]),
                                  ("who5", who5, ["answered_on"]), ("fit_sessions", fit, ["session_on"])):
            if frame is None:
                continue
            for col in cols:
                late = frame[col].notna() & (frame[col] > cutoff)
                for _, r in frame[late].iterrows():
                    problems.append(Problem(labels[name], f"the date lies after the data cut-off {cutoff:%Y-%m-%d} "
                                            "(checks.data_cutoff; by default the day of the run); expected a date on "
                                            "or before it.", r["_row"], col, f"{r[col]:%Y-%m-%d}", True))

    if problems:
        raise InputError(problems)

    # oddities, not errors
    rand_on = rand.set_index("caseworker_id")["randomised_on"]
    arm_of = rand.set_index("caseworker_id")["arm"]
    early = cit["enrolled_on"] < cit["caseworker_id"].map(rand_on)
    for _, r in cit[early].iterrows():
        notes.append(_note("enrolled before the caseworker was randomised", "citizens", r["_row"],
                           f"citizen {r['citizen_id']}"))
    used = set(cit["caseworker_id"])
    for _, r in rand[~rand["caseworker_id"].isin(used)].iterrows():
        notes.append(_note("caseworker with no citizens (empty cluster)", "randomisation", r["_row"],
                           "kept in the randomisation counts; contributes no data"))
    if fit is not None and len(fit):
        cw_of = cit.set_index("citizen_id")["caseworker_id"]
        in_control = fit["caseworker_id"].map(arm_of) == "control"
        for _, r in fit[in_control].iterrows():
            notes.append(_note("FIT session recorded in the control arm (possible contamination)",
                               "fit_sessions", r["_row"], f"citizen {r['citizen_id']}"))
        other_cw = fit["citizen_id"].map(cw_of) != fit["caseworker_id"]
        for _, r in fit[other_cw].iterrows():
            notes.append(_note("FIT session with a caseworker other than the citizen's", "fit_sessions",
                               r["_row"], f"citizen {r['citizen_id']}"))

    return Trial(rand, cit, who5, fit, pd.DataFrame(notes, columns=["check", "table", "row", "detail"]))


def validate_inputs(raws: dict[str, RawTable], schemas: dict[str, dict[str, Any]],
                    visits: list[int] | None = None, cutoff: pd.Timestamp | None = None) -> Trial:
    """Type every raw table by its schema, then check them against each other.

    Raises :class:`InputError` listing every problem found; nothing is
    analysed unless all inputs pass.
    """
    typed: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, raw in raws.items():
        frame, found = type_table(raw, schemas[name])
        typed[name] = frame
        problems.extend(found)
        if not found and len(frame) == 0 and name != "fit_sessions":
            problems.append(Problem(f"{name} ({raw.path})", "the table has no rows."))
    if problems:
        raise InputError(problems)
    labels = {name: f"{name} ({raw.path})" for name, raw in raws.items()}
    typed["citizens"] = with_optional_columns(typed["citizens"], schemas["citizens"])
    if "who5" in typed and "answered_on" not in typed["who5"]:
        typed["who5"]["answered_on"] = pd.NaT
    return check_trial(typed, labels, visits, cutoff)


def with_optional_columns(frame: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """Add every column of the schema that is absent (or was entirely empty) as all-missing, in its type."""
    frame = frame.copy()
    for col, spec in schema["properties"].items():
        if col in frame:
            continue
        main, _ = _types(spec)
        if spec.get("format") == "date":
            frame[col] = pd.NaT
        elif main == "integer":
            frame[col] = pd.array([None] * len(frame), dtype="Int64")
        elif main == "number":
            frame[col] = np.nan
        else:
            frame[col] = pd.Series([None] * len(frame), dtype=object, index=frame.index)
    return frame


__all__ = ["TABLES", "Trial", "load_schema", "type_table", "check_trial", "validate_inputs", "format_value"]
