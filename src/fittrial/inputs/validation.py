"""The input contract, enforced.

Each input table has a JSON Schema (YAML) in ``workflow/schemas/`` describing
one row. :func:`type_table` applies it column by column (so that every problem
can name the file, the row as the user sees it, the column and the value) and
returns a typed table. :func:`fittrial.inputs.crosscheck.check_trial` then checks
the tables against each other. Problems that make an analysis wrong are errors (:class:`InputError`);
oddities that do not (forms outside the visit windows, citizens enrolled before
their caseworker was randomised, caseworkers without citizens) are returned as
data-quality notes for the report.

Supported JSON Schema keywords: ``type`` (string, integer, number, with
``"null"`` for may-be-empty), ``format: date``, ``enum``, ``minimum``,
``maximum``, ``required``; and the extensions ``x-unique``, ``x-identifier``
(refuse values that look like a Danish CPR number) and ``x-decimals``.
"""

from __future__ import annotations

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
from fittrial.inputs.crosscheck import (  # noqa: F401 - Trial and allocation_of: read from here too
    ONE_STRATUM,
    TABLES,
    Trial,
    _note,
    allocation_of,
    check_trial,
    id_problems,
)
from fittrial.inputs.read import RawTable
from fittrial.language.messages import messages, render, text


def load_schema(path: str | Path) -> dict[str, Any]:
    """Load a table schema (YAML)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# Column names a Danish export uses for the contract's columns (compared without case and surrounding spaces): the
# message catalogue's header_<column> in Danish, also without its underscore ("borgerid")
HEADER_ALIASES = {alias: key[len("header_"):] for key in messages()["en"] if key.startswith("header_")
                  for word in [render(key, "da").casefold()] for alias in {word, word.replace("_", "")}}


# headers that name a contract column in other words (English exports): a near miss, not another column
NEAR_ALIASES = {"gender": "sex", "strata": "stratum", "group": "arm", "allocation": "arm", "randomized_on": "randomised_on"}


def near_misses(name: str, label: str, columns: list[str], props: dict[str, Any], required: list[str]
                ) -> list[Problem]:
    """A header the contract does not have that looks like an optional contract column the file lacks ('strata'
    for 'stratum', 'gender' for 'sex', 'kept_housing' for 'kept_housing_12m'): an error, since the column would
    otherwise be ignored and the analysis change without a word (an unstratified trial, a sex never recorded).
    A required column the file lacks has its own error."""
    import difflib

    absent = [c for c in props if c not in columns and c not in required]
    problems = []
    for header in columns:
        if header in props or not header.strip():
            continue
        folded = header.strip().casefold().replace(" ", "_").replace("-", "_")
        alias = NEAR_ALIASES.get(folded)
        near = [alias] if alias in absent else difflib.get_close_matches(folded, absent, n=1, cutoff=0.75)
        if near:
            problems.append(Problem(label, f"the column '{header}' is not a column of the contract but looks like "
                                           f"'{near[0]}', which the file does not have (it would be ignored, and "
                                           f"the analysis run without {near[0]}); expected the contract's name "
                                           f"'{near[0]}', or in the config: inputs.{name}: {{path: ..., columns: "
                                           f"{{{near[0]}: {header}}}}}.", row="header", column=header))
    return problems


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
    for k in range(frame.shape[1]):  # each column looks only at the rows no column before it has filled
        todo = np.flatnonzero(~filled)
        if not len(todo):
            break
        cells = frame.iloc[:, k].to_numpy(dtype=object)
        filled[todo] = np.fromiter((not _is_missing(v) for v in (cells if len(todo) == len(frame) else cells[todo])),
                                   bool, len(todo))
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
    problems += near_misses(raw.name, label, columns, props, schema.get("required", []))
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
        key = (type(value), value)  # the type too: 1 and 1.0 are equal keys but may type differently
        if i not in ambiguous:
            # a value typed before (never an empty cell, never one that broke the rule): its typed value at once
            try:
                values.append(known[key])
                continue
            except (KeyError, TypeError):  # not yet typed, or an unhashable cell
                pass
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
                                               f"{row_label(fold_of[fold])} only by case, spaces, accents or invisible "
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
        hidden += [_note(text("note_short_row"), name, f"row {r}", f"{n} of {len(raw.frame.columns)} cells")
                   for name, raw in raws.items() for r, n in raw.short_rows]
        if hidden:
            trial.notes = pd.concat([trial.notes, pd.DataFrame(hidden)], ignore_index=True)
        return trial
    # all problems in one pass: the ids are checked against the other tables too (the other cross-checks would
    # only repeat what the cells that broke the contract cause)
    raise InputError(problems + id_problems(typed, labels))


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
