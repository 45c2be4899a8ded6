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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fittrial.base.errors import InputError, Problem, format_value
from fittrial.inputs.cells import (
    _Bad,
    _expected_text,
    _is_missing,
    _recode,
    _types,
    date_ambiguities,
    folded,
    typed_cell,
)
from fittrial.inputs.read import RawTable
from fittrial.language.messages import messages, render, text

TABLES = ("randomisation", "citizens", "who5", "fit_sessions")


def load_schema(path: str | Path) -> dict[str, Any]:
    """Load a table schema (YAML)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# Column names a Danish export uses for the contract's columns (compared without case and surrounding spaces): the
# message catalogue's header_<column> in Danish, also without its underscore ("borgerid")
HEADER_ALIASES = {alias: key[len("header_"):] for key in messages()["en"] if key.startswith("header_")
                  for word in [render(key, "da").casefold()] for alias in {word, word.replace("_", "")}}


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


def _filled_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for every row with at least one non-empty cell (a blank line or a row of spaces is not a record)."""
    filled = np.zeros(len(frame), bool)
    for k in range(frame.shape[1]):
        filled |= np.fromiter((not _is_missing(v) for v in frame.iloc[:, k].tolist()), bool, len(frame))
    return filled


def _mapping_problems(raw: RawTable, props: dict[str, Any], label: str) -> list[Problem]:
    """Problems of the input's ``columns`` and ``values`` mappings: a column that is not the contract's (a typo
    there would leave the mapping unused), codes not given as a mapping."""
    problems = []
    for col, theirs in (raw.renamed or {}).items():
        if col not in props:
            problems.append(Problem(label, f"inputs.{raw.name}.columns of the config maps '{col}' to '{theirs}', but "
                                           f"'{col}' is not a column of the contract; expected one of "
                                           f"{', '.join(props)}.", column=str(col)))
    for col, codes in (raw.values or {}).items():
        if col not in props:
            problems.append(Problem(label, f"inputs.{raw.name}.values of the config names '{col}', which is not a "
                                           f"column of the contract; expected one of {', '.join(props)}.",
                                    column=str(col)))
        elif not isinstance(codes, dict):
            problems.append(Problem(label, f"inputs.{raw.name}.values.{col} of the config is not a mapping of codes; "
                                           f"expected e.g. {{\"1\": M, \"2\": F}}.", column=str(col)))
    return problems


def _hint(raw: RawTable, col: str, spec: dict[str, Any]) -> str:
    """What to do about an unknown code (the same sentence for every row of the column, so rows group)."""
    if "enum" not in spec:
        return ""
    return (f" Codes of your own can be mapped to these in the config: inputs.{raw.name}: {{path: ..., values: "
            f"{{{col}: {{<your code>: <the contract's code>}}}}}}.")


def type_table(raw: RawTable, schema: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one raw table by its schema.

    Returns the typed table (only the schema's columns, in schema order;
    integers as nullable ``Int64``, numbers as float, dates as
    ``datetime64``, text as ``object``) and the problems found. Every problem
    names the file, the row as the user sees it, the column and the value.
    Columns without a header are ignored; the input's ``values`` mapping is
    applied after the headers are matched to the contract's names; dates
    follow the input's ``date_format`` or, without one, are guessed (see
    :func:`fittrial.inputs.cells._to_date`), a column whose order cannot be guessed
    safely being an error (:func:`fittrial.inputs.cells.date_ambiguities`).
    """
    label = f"{raw.name} ({raw.path})"
    props: dict[str, dict[str, Any]] = schema["properties"]
    problems: list[Problem] = _mapping_problems(raw, props, label)
    names = [str(c) for c in raw.frame.columns]
    keep = [k for k, n in enumerate(names) if n.strip()]  # a column without a header is nothing the contract has
    columns = [contract_name(names[k], props) for k in keep]
    source = raw.frame if keep == list(range(len(names))) else raw.frame.iloc[:, keep]  # no copy when all kept
    positions = np.flatnonzero(_filled_rows(source))  # rows with every cell empty are not records

    def row_label(i: int) -> str:  # the row as the user sees it in the file
        return raw.row_label(int(positions[i]))

    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    for c in duplicated:
        headers = [names[k] for k, name in zip(keep, columns) if name == c]
        shown = f" (as {', '.join(repr(h) for h in headers)})" if len(set(headers)) > 1 or headers[0] != c else ""
        problems.append(Problem(label, f"the column appears more than once in the header{shown}; expected each "
                                       "column once.", row="header", column=c))
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
        cells = source.iloc[positions, columns.index(col)].tolist()
        if col in (raw.values or {}):
            cells = _recode(cells, raw.values[col])
        if col not in required and all(_is_missing(v) for v in cells):
            continue  # an optional column left entirely empty counts as absent
        out[col], found = _type_column(cells, col, spec, raw, label, row_label, spreadsheet)
        problems.extend(found)
    typed_frame = pd.DataFrame(out, index=range(len(positions)))
    # the row labels (for the messages that name rows), built without a Python string per row
    typed_frame.insert(0, "_row", raw.row_labels(positions).set_axis(typed_frame.index) if len(positions) else [])
    return typed_frame.reset_index(drop=True), problems


KNOWN_MAX = 100_000  # distinct typed values remembered per column (ids, mostly distinct, soon stop being added)


def _type_column(cells: list[Any], col: str, spec: dict[str, Any], raw: RawTable, label: str, row_label: Any,
                 spreadsheet: bool) -> tuple[Any, list[Problem]]:
    """One column typed by its schema entry: (the typed values in their dtype, the problems)."""
    main, nullable = _types(spec)
    is_date = spec.get("format") == "date"
    problems: list[Problem] = []
    ambiguous: dict[int, str] = {}
    if is_date and not raw.date_format:
        for found in date_ambiguities(cells, raw.name):
            ambiguous.update({i: found.message for i in found.positions})
    expected_text = _expected_text(spec, main, nullable, raw.date_format)
    values: list[Any] = []
    # a cell's typed value depends only on the cell (and this column's settings): values that repeat (dates, item
    # scores, codes) are typed once; a large file's repeated dates are then also one object each, not millions
    known: dict[tuple[type, Any], Any] = {}
    for i, value in enumerate(cells):
        if _is_missing(value):
            if not nullable:
                problems.append(Problem(label, "is empty; expected " + expected_text + ".", row_label(i), col, value,
                                        True))
            values.append(None)
            continue
        if i in ambiguous:
            problems.append(Problem(label, ambiguous[i] + ".", row_label(i), col, value, True))
            values.append(None)
            continue
        key = (type(value), value)  # the type too: 1 and 1.0 are equal keys but may type differently
        try:
            typed = known[key]
        except (KeyError, TypeError):
            try:
                typed = typed_cell(value, col, spec, spreadsheet, raw.date_format, raw.decimal_comma)
            except _Bad as bad:
                if bad.expected:
                    message = f"expected {bad.expected}."
                else:
                    message = f"expected {expected_text}." + _hint(raw, col, spec)
                problems.append(Problem(label, message, row_label(i), col, value if bad.shown is None else bad.shown,
                                        True))
                typed = None
            else:
                if len(known) < KNOWN_MAX:
                    try:
                        known[key] = typed
                    except TypeError:  # an unhashable cell
                        pass
        values.append(typed)
    if spec.get("x-unique"):
        first_of: dict[Any, int] = {}
        fold_of: dict[str, int] = {}  # an id without case, spaces and invisible characters -> its first row
        for i, v in enumerate(values):
            if v is None:
                continue
            if v in first_of:
                problems.append(Problem(label, f"duplicate id; it already appears in {row_label(first_of[v])}. Each "
                                               "id must be unique.", row_label(i), col, v, True))
                continue
            first_of[v] = i
            fold = folded(str(v))
            if fold in fold_of:
                other = values[fold_of[fold]]
                problems.append(Problem(label, f"this id differs from {format_value(other)} in "
                                               f"{row_label(fold_of[fold])} only by case, spaces or invisible "
                                               "characters; expected one spelling per id (as written they would be "
                                               "two different ones).", row_label(i), col, v, True))
            else:
                fold_of[fold] = i
    if is_date:
        return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce"), problems
    if main == "integer":
        return pd.array(values, dtype="Int64"), problems
    if main == "number":
        return pd.Series([np.nan if v is None else v for v in values], dtype=float), problems
    return pd.Series(values, dtype=object), problems


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


def _id_key(value: str) -> str:
    """An id without what makes two spellings of one number differ: leading zeros of each number, case, spaces."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), value).casefold().replace(" ", "")


class _Ids:
    """The ids of one table, to tell an unknown id from one written another way (``1`` for ``001``)."""

    def __init__(self, ids: pd.Series, what: str, table: str):
        self.known = set(ids.dropna())
        self.what, self.table = what, table
        self._keys: dict[str, list[str]] | None = None

    def unknown(self, ids: pd.Series) -> pd.Series:
        """True where an id is given and not among the known ones."""
        return ids.notna() & ~ids.isin(self.known)

    def message(self, value: str) -> str:
        """The message for an id not found; names a known id that differs only in leading zeros, case or spaces."""
        if self._keys is None:
            self._keys = {}
            for k in sorted(self.known):
                self._keys.setdefault(_id_key(k), []).append(k)
        near = [k for k in self._keys.get(_id_key(value), []) if k != value]
        if near:
            return (f"this {self.what} is not in the {self.table} table, which has {near[0]!r}: ids are compared as "
                    f"text, so {value!r} and {near[0]!r} differ; write the id the same way in both files.")
        return f"this {self.what} is not in the {self.table} table."


def id_problems(tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> list[Problem]:
    """Every id that names no one: a citizen's caseworker not in the randomisation, a WHO-5 form or FIT session of
    an unknown citizen, a FIT session of an unknown caseworker (an id that failed its own check is left out)."""
    problems: list[Problem] = []
    rand, cit, who5, fit = (tables.get(n) for n in TABLES)
    if rand is None or cit is None or "caseworker_id" not in rand or "citizen_id" not in cit:
        return problems
    caseworkers = _Ids(rand["caseworker_id"], "caseworker", "randomisation")
    citizens = _Ids(cit["citizen_id"], "citizen", "citizens")
    checks = [("citizens", cit, "caseworker_id", caseworkers), ("who5", who5, "citizen_id", citizens),
              ("fit_sessions", fit, "citizen_id", citizens), ("fit_sessions", fit, "caseworker_id", caseworkers)]
    found = []
    for name, frame, col, known in checks:
        if frame is None or col not in frame or "_row" not in frame:
            continue
        for i in np.flatnonzero(known.unknown(frame[col]).to_numpy()):
            value = frame[col].iloc[i]
            found.append((name, i, col, Problem(labels[name], known.message(value), frame["_row"].iloc[i], col, value,
                                                True)))
    found.sort(key=lambda f: (TABLES.index(f[0]), f[1], f[2]))  # file by file, row by row
    return [f[3] for f in found]


def check_trial(tables: dict[str, pd.DataFrame], labels: dict[str, str], visits: list[int] | None = None,
                cutoff: pd.Timestamp | None = None, allocation: str = "auto", censor_on: str | None = None) -> Trial:
    """Check the typed tables against each other.

    Errors (raised together as one :class:`InputError`): a citizen whose
    caseworker is not in the randomisation; a WHO-5 or FIT row for an unknown
    citizen; a FIT row for an unknown caseworker; a course that ends before it
    starts; a stratum with a single caseworker (randomisation within it is
    impossible); a stratum without both arms; an arm without citizens (the
    arms cannot be compared); a WHO-5 row with neither a date nor a visit; an
    explicit visit that is not in the schedule (``visits``); WHO-5 forms of one
    citizen on one date with different answers (identical ones are a note); a
    date after the data cut-off ``cutoff``; a date that stands apart from all
    the others (:func:`outlying_dates`: a year typed wrong would otherwise move
    the censoring date or the course outcomes); two ids of one table, or two
    strata, that differ only by case, spaces or invisible characters. An
    unknown id that matches a known one but for leading zeros is named with it.

    Notes (returned in ``Trial.notes``, shown in the data-quality table): a
    citizen enrolled before the caseworker was randomised; a caseworker with no
    citizens; an end date without an end reason; a FIT session in the control
    arm; a FIT session whose caseworker differs from the citizen's; a date after
    the censoring date ``censor_on`` (config ``analysis.censor_on``), with what
    is done with it.
    """
    rand = tables["randomisation"]
    cit = tables["citizens"]
    who5 = tables["who5"]
    fit = tables.get("fit_sessions")
    problems: list[Problem] = []
    notes: list[dict[str, str]] = []

    problems += id_problems(tables, labels)
    citizens = _Ids(cit["citizen_id"], "citizen", "citizens")
    for r in cit.to_dict("records"):
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
            notes.append(_note(text("note_no_end_reason"),
                               "citizens", r["_row"], f"citizen {r['citizen_id']}"))


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
    for r in who5[no_date].to_dict("records"):
        problems.append(Problem(labels["who5"], "is empty; expected a date as YYYY-MM-DD, or a visit in the 'visit' "
                                "column (a form needs one of the two).", r["_row"], "answered_on", None, True))
    if visits is not None and "visit" in who5:
        unknown = who5["visit"].notna() & ~who5["visit"].isin(list(visits))
        for r in who5[unknown].to_dict("records"):
            problems.append(Problem(labels["who5"], "this visit is not in the visit schedule of the config (visits: "
                                    + ", ".join(str(v) for v in visits) + ").", r["_row"], "visit", r["visit"], True))

    for r in rand[rand["stratum"].isna()].to_dict("records"):
        problems.append(Problem(labels["randomisation"], "the stratum is empty while other caseworkers have one; "
                                "expected the stratum of every caseworker (or the whole column empty, for a trial "
                                "randomised in one stratum).", r["_row"], "stratum", None, True))
    undated = cit["enrolled_on"].isna()
    start_of = cit.set_index("citizen_id")["enrolled_on"]
    no_day = who5["answered_on"].notna() & who5["citizen_id"].map(start_of).isna() & (
        who5["visit"].isna() if "visit" in who5 else True)
    no_day &= ~citizens.unknown(who5["citizen_id"])
    ends = undated & cit["ended_on"].notna()
    if undated.all() and (no_day.any() or ends.any()):  # no enrolment date at all: one problem, not one per row
        others = [c for c in cit.attrs.get("unrecognised", [])]
        needs = [f"{int(no_day.sum())} WHO-5 forms have a date and no visit (a form is placed in a visit window by "
                 "its days since enrolment)" if no_day.any() else "",
                 f"{int(ends.sum())} courses have an end date" if ends.any() else ""]
        problems.append(Problem(labels["citizens"], "no enrolment date (enrolled_on) for any citizen, but "
                                + " and ".join(n for n in needs if n) + "; expected an enrolled_on column"
                                + (", or a 'visit' for every WHO-5 form and no course dates." if no_day.any() else ".")
                                + (f" If one of {', '.join(repr(c) for c in others)} holds the enrolment date, name "
                                   f"it in the config: inputs.citizens: {{path: ..., columns: {{enrolled_on: <its "
                                   "name>}}." if others else ""), "header", "enrolled_on"))
    else:
        for r in cit[ends].to_dict("records"):
            problems.append(Problem(labels["citizens"], "the course has an end date but no start; expected "
                                    "enrolled_on when ended_on is given.", r["_row"], "enrolled_on", None, True))
        for r in who5[no_day].to_dict("records"):
            problems.append(Problem(labels["who5"], "the citizen has no enrolled_on, so the form's date cannot be "
                                    "placed in a visit window; expected the citizen's enrolled_on in the citizens "
                                    "table, or the form's visit in the 'visit' column.", r["_row"], "visit", None,
                                    True))

    first_label: dict[str, tuple[str, str]] = {}  # a stratum's fold -> (its first spelling, its row)
    for r in rand.dropna(subset=["stratum"]).to_dict("records"):
        key = folded(str(r["stratum"]))
        seen = first_label.setdefault(key, (r["stratum"], r["_row"]))
        if seen[0] != r["stratum"]:
            problems.append(Problem(labels["randomisation"], f"this stratum differs from {format_value(seen[0])} in "
                                    f"{seen[1]} only by case, spaces or invisible characters; expected one spelling "
                                    "per stratum (as written they would be two strata).", r["_row"], "stratum",
                                    r["stratum"], True))
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

    kind, why = allocation_of(rand, allocation)
    if why:
        problems.append(Problem(labels["randomisation"], why, None, "stratum"))
    rand["allocation"] = kind

    from fittrial.inputs.scoring import ITEMS

    values = [c for c in ITEMS if c in who5] or [c for c in who5.columns
                                                 if c not in ("_row", "citizen_id", "answered_on", "visit")]

    dated = who5[who5["answered_on"].notna()]
    for _, g in dated[dated.duplicated(["citizen_id", "answered_on"], keep=False)].groupby(
            ["citizen_id", "answered_on"], sort=False):
        answers = g[values].astype("Float64").fillna(-1)
        if len(answers.drop_duplicates()) > 1:
            problems.append(Problem(labels["who5"], f"two or more WHO-5 forms of this citizen on "
                                    f"{g['answered_on'].iloc[0]:%Y-%m-%d} have different answers ({', '.join(g['_row'])});"
                                    " expected one form per citizen and date.", g["_row"].iloc[0], "citizen_id",
                                    g["citizen_id"].iloc[0], True))
        else:
            for row in g["_row"].iloc[1:]:
                notes.append(_note(text("note_identical_duplicate"), "who5", row,
                                   f"citizen {g['citizen_id'].iloc[0]}"))
    if cutoff is not None:
        for name, frame, cols in (("randomisation", rand, ["randomised_on"]), ("citizens", cit, ["enrolled_on", "ended_on"]),
                                  ("who5", who5, ["answered_on"]), ("fit_sessions", fit, ["session_on"])):
            if frame is None:
                continue
            for col in cols:
                late = frame[col].notna() & (frame[col] > cutoff)
                for r in frame[late].to_dict("records"):
                    problems.append(Problem(labels[name], f"the date lies after the data cut-off {cutoff:%Y-%m-%d} "
                                            "(checks.data_cutoff; by default the day of the run); expected a date on "
                                            "or before it.", r["_row"], col, f"{r[col]:%Y-%m-%d}", True))

    dated = [("citizens", cit, ("enrolled_on", "ended_on")), ("who5", who5, ("answered_on",)),
             ("fit_sessions", fit, ("session_on",))]
    for name, row, col, date, edge, side in outlying_dates(dated, pd.Timestamp(censor_on) if censor_on else None,
                                                           cutoff):
        problems.append(Problem(labels[name], f"the date lies {abs((date - edge).days)} days {side} every other date "
                                f"of the inputs (the others {'end' if side == 'after' else 'begin'} on "
                                f"{edge:%Y-%m-%d}); expected a date within the trial's period (a year typed wrong?). "
                                "If the date is right, set analysis.censor_on to the date the data were extracted.",
                                row, col, f"{date:%Y-%m-%d}", True))

    if problems:
        raise InputError(problems)

    # oddities, not errors
    if censor_on:
        censor = pd.Timestamp(censor_on)
        for name, frame, cols in dated:
            for col in cols if frame is not None else ():
                for r in frame[frame[col].notna() & (frame[col] > censor)].to_dict("records"):
                    notes.append(_note(text("note_after_censoring", date=f"{censor:%Y-%m-%d}"), name,
                                       r["_row"], f"{col} {r[col]:%Y-%m-%d}"))
    rand_on = rand.set_index("caseworker_id")["randomised_on"]
    arm_of = rand.set_index("caseworker_id")["arm"]
    early = cit["enrolled_on"] < cit["caseworker_id"].map(rand_on)
    for r in cit[early].to_dict("records"):
        notes.append(_note(text("note_enrolled_before"), "citizens", r["_row"],
                           f"citizen {r['citizen_id']}"))
    used = set(cit["caseworker_id"])
    for r in rand[~rand["caseworker_id"].isin(used)].to_dict("records"):
        notes.append(_note(text("note_empty_cluster"), "randomisation", r["_row"],
                           "kept in the randomisation counts; contributes no data"))
    if fit is not None and len(fit):
        cw_of = cit.set_index("citizen_id")["caseworker_id"]
        in_control = fit["caseworker_id"].map(arm_of) == "control"
        for r in fit[in_control].to_dict("records"):
            notes.append(_note(text("note_contamination"),
                               "fit_sessions", r["_row"], f"citizen {r['citizen_id']}"))
        other_cw = fit["citizen_id"].map(cw_of) != fit["caseworker_id"]
        for r in fit[other_cw].to_dict("records"):
            notes.append(_note(text("note_other_caseworker"), "fit_sessions",
                               r["_row"], f"citizen {r['citizen_id']}"))

    return Trial(rand, cit, who5, fit, pd.DataFrame(notes, columns=["check", "table", "row", "detail"]))


OUTLIER_GAP_DAYS = 365  # a date more than a year apart from all the others stands apart
OUTLIER_SHARE = 0.05  # ... when it is one of few (at most 5% of the dates, and at least one)


def outlying_dates(dated: list[tuple[str, pd.DataFrame | None, tuple[str, ...]]], censor: pd.Timestamp | None = None,
                   cutoff: pd.Timestamp | None = None) -> list[tuple[str, str, str, pd.Timestamp, pd.Timestamp, str]]:
    """The dates that stand apart from all the others: (table, row, column, date, the nearest other date, "after"
    or "before").

    The censoring date (when ``analysis.censor_on`` is not set) and every
    course outcome follow the latest dates of the inputs, so one year typed
    wrong (2025 for 2015) would move them silently. The dates of course
    starts and ends, WHO-5 forms and FIT sessions are sorted; a gap of more
    than :data:`OUTLIER_GAP_DAYS` with at most :data:`OUTLIER_SHARE` of the
    dates beyond it (at the end or at the start) puts those dates apart.
    Dates after a stated censoring date ``censor`` are left to the notes (the
    user has said where the data end), and dates after the data cut-off
    ``cutoff`` are errors of their own. The randomisation dates are not
    among them (caseworkers may be randomised long before their first citizen).
    """
    records = []
    for name, frame, cols in dated:
        if frame is None or not len(frame):
            continue
        for col in cols:
            keep = frame[col].notna()
            for end in (censor, cutoff):
                if end is not None:
                    keep &= frame[col] <= end
            records.append(pd.DataFrame({"table": name, "row": frame.loc[keep, "_row"].astype(str),
                                         "column": col, "date": frame.loc[keep, col]}))
    if not records:
        return []
    every = pd.concat(records, ignore_index=True).sort_values("date", kind="mergesort").reset_index(drop=True)
    n = len(every)
    most = max(1, int(OUTLIER_SHARE * n))
    if n < 3:
        return []
    days = every["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    gaps = np.diff(days)  # gaps[k]: between date k and date k + 1
    apart: list[tuple[int, int, str]] = []  # (first, last + 1, side)
    late = [k for k in range(n - 1 - most, n - 1) if k >= 0 and gaps[k] > OUTLIER_GAP_DAYS]
    if late:
        apart.append((min(late) + 1, n, "after"))
    early = [k for k in range(0, min(most, n - 1)) if gaps[k] > OUTLIER_GAP_DAYS]
    if early:
        apart.append((0, max(early) + 1, "before"))
    out = []
    for first, stop, side in apart:
        edge = every["date"].iloc[first - 1] if side == "after" else every["date"].iloc[stop]
        for r in every.iloc[first:stop].itertuples(index=False):
            out.append((r.table, r.row, r.column, r.date, edge, side))
    return out


def validate_inputs(raws: dict[str, RawTable], schemas: dict[str, dict[str, Any]],
                    visits: list[int] | None = None, cutoff: pd.Timestamp | None = None,
                    allocation: str = "auto", censor_on: str | None = None) -> Trial:
    """Type every raw table by its schema, then check them against each other.

    Raises :class:`InputError` listing every problem found; nothing is
    analysed unless all inputs pass.
    """
    typed: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    unreadable = False  # a table without its required columns cannot be checked against the others
    for name, raw in raws.items():
        frame, found = type_table(raw, schemas[name])
        typed[name] = frame
        problems.extend(found)
        if found and "_row" not in frame:
            unreadable = True
        if not found and len(frame) == 0 and name != "fit_sessions":
            problems.append(Problem(f"{name} ({raw.path})", "the table has no rows."))
            unreadable = True
    if unreadable:
        raise InputError(problems)
    labels = {name: f"{name} ({raw.path})" for name, raw in raws.items()}
    raw_columns = [contract_name(str(c), schemas["citizens"]["properties"]) for c in raws["citizens"].frame.columns]
    unrecognised = [c for c in raw_columns if c.strip() and c not in schemas["citizens"]["properties"]]
    typed["citizens"] = with_optional_columns(typed["citizens"], schemas["citizens"])
    typed["citizens"].attrs["unrecognised"] = unrecognised
    one_stratum = "stratum" not in typed["randomisation"]
    typed["randomisation"] = with_optional_columns(typed["randomisation"], schemas["randomisation"])
    if one_stratum:  # no strata: every caseworker randomised in one stratum
        typed["randomisation"]["stratum"] = ONE_STRATUM
    if "who5" in typed and "answered_on" not in typed["who5"]:
        typed["who5"]["answered_on"] = pd.NaT
    if not problems:
        trial = check_trial(typed, labels, visits, cutoff, allocation, censor_on)
        hidden = [_note(text("note_hidden_row"), name, f"row {r}", "") for name, raw in raws.items()
                  for r in raw.hidden_rows]
        if hidden:
            trial.notes = pd.concat([trial.notes, pd.DataFrame(hidden)], ignore_index=True)
        return trial
    # all problems in one pass: the ids are checked against the other tables too (the other cross-checks would
    # only repeat what the cells that broke the contract cause)
    raise InputError(problems + id_problems(typed, labels))


ONE_STRATUM = "all"  # the stratum of every caseworker when the randomisation table has no strata
ALLOCATIONS = ("auto", "stratified", "pair_matched")


def allocation_of(randomisation: pd.DataFrame, declared: str = "auto") -> tuple[str, str | None]:
    """How the caseworkers were randomised, and why the data contradict what the config declares (or None).

    ``pair_matched``: every stratum is a matched pair, one caseworker in each
    arm; ``stratified``: randomised within strata (blocks); ``unstratified``:
    one stratum. ``declared`` is the config's ``analysis.allocation``: ``auto``
    decides from the data (pairs when every stratum of two or more strata has
    exactly one caseworker per arm), ``stratified`` keeps the stratified
    wording even for strata of two, and ``pair_matched`` requires pairs.
    """
    strata = randomisation.dropna(subset=["stratum"]).groupby("stratum")["arm"]
    sizes = strata.agg(lambda a: ((a == "FIT").sum(), (a == "control").sum()))
    pairs = len(sizes) > 1 and all(s == (1, 1) for s in sizes)
    if declared == "pair_matched" and not pairs:
        bad = [str(k) for k, s in sizes.items() if s != (1, 1)]
        return "stratified", (f"analysis.allocation is pair_matched, but {len(bad)} of the {len(sizes)} strata are not "
                              f"a pair of one FIT and one control caseworker (e.g. {', '.join(repr(b) for b in bad[:3])}); "
                              "expected each stratum (pair) to hold exactly one caseworker of each arm, or "
                              "analysis.allocation: stratified.")
    if len(sizes) <= 1:
        return "unstratified", None
    return ("pair_matched" if pairs and declared != "stratified" else "stratified"), None


def allocation(randomisation: pd.DataFrame) -> str:
    """How the caseworkers were randomised (``pair_matched``, ``stratified`` or ``unstratified``), as validation
    decided it (:func:`fittrial.inputs.validation.allocation_of`)."""
    if "allocation" in randomisation and len(randomisation):
        return str(randomisation["allocation"].iloc[0])
    return allocation_of(randomisation)[0]


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
