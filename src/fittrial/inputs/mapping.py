"""What an input file lacks against the input contract, and the ``columns`` and ``values`` mappings that would
fill the gaps, proposed where a header or a code is recognised (the evaluator's desk shows them as a form).

A *column gap* is a contract column the table does not have under any name the reader accepts (its own name,
without case and spaces, or a Danish alias), when it is required or a header looks like it: the headers the file
has that are no contract column are offered for it, the closest first (:data:`fittrial.inputs.validation.NEAR_ALIASES` such as ``gender`` for ``sex``, else a close
spelling). A *code gap* is a code of a coded column (sex, arm, end reason, the 0/1 outcomes) that the reader does not
take as one of the contract's codes: the contract's codes are offered, the closest first, and "empty" (a code that
means "not known").

The mappings go into the config as the config reads them (``inputs.<table>: {path, sheet, columns, values}``,
config/README.md), so the data check and every later step read the file through them.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fittrial.base.errors import InputError
from fittrial.inputs.cells import CODE_ALIASES, _Bad, _is_missing, as_code, folded, typed_cell
from fittrial.inputs.read import read_table
from fittrial.inputs.validation import NEAR_ALIASES, contract_name
from fittrial.language.messages import render

MAX_CODES = 20  # unknown codes shown per column (the data check lists them all)
# headers of register and spreadsheet exports that name a contract column in other words, proposed (never applied
# unasked) when the file lacks that column: the catalogue's propose_<column>, a comma-separated list in each
# language, compared folded (no case, accents or spaces; spaces as underscores)
PROPOSED_COLUMNS = ("arm", "sex", "citizen_id", "caseworker_id", "enrolled_on", "ended_on", "end_reason", "visit",
                    "answered_on", "session_on", "stratum")


def _header_words() -> dict[str, str]:
    from fittrial.language.messages import LANGUAGES

    words: dict[str, str] = {}
    for column in PROPOSED_COLUMNS:
        for language in LANGUAGES:
            for word in render(f"propose_{column}", language).split(","):
                key = folded(word.strip()).replace(" ", "_")
                words[key] = f"{words[key]} {column}" if key in words and column not in words[key] else column
    return words


HEADER_WORDS = _header_words()
# words for yes and no, proposed (never applied unasked) for the 0/1 columns
YES_NO = {folded(w.strip()): code for code, key in (("1", "propose_yes"), ("0", "propose_no"))
          for language in ("en", "da") for w in render(key, language).split(",")}


@dataclass
class ColumnGap:
    """A contract column the table lacks; ``headers`` the file's headers that are no contract column (the
    proposal, when there is one, first); ``proposed`` None when nothing was recognised."""

    table: str
    column: str
    required: bool
    headers: list[str]
    proposed: str | None = None


@dataclass
class CodeGap:
    """A code of a coded column the reader does not take as the contract's; ``allowed`` the contract's codes;
    ``count`` its rows."""

    table: str
    column: str
    code: str
    count: int
    allowed: list[str]
    proposed: str | None = None


@dataclass
class Gaps:
    columns: list[ColumnGap] = field(default_factory=list)
    codes: list[CodeGap] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # table -> why it could not be read

    def __bool__(self) -> bool:
        return bool(self.columns or self.codes)


def _closest(word: str, options: list[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(folded(word), [folded(o) for o in options], n=1, cutoff=cutoff)
    return next((o for o in options if folded(o) == found[0]), None) if found else None


def _propose_code(code: str, column: str, allowed: list[str]) -> str | None:
    """The contract's code a file's code most likely means: a word the reader knows for a code (the catalogue's
    codes and aliases in every language, yes/no for 0/1) spelt closely, or a code itself."""
    words = {folded(w): c for w, c in CODE_ALIASES.get(column, {}).items()}
    words.update({folded(a): a for a in allowed})
    if set(allowed) == {"0", "1"}:
        words.update(YES_NO)
    found = difflib.get_close_matches(folded(code), list(words), n=1, cutoff=0.6)
    return words[found[0]] if found and words[found[0]] in allowed else None


def _code_gaps(table: str, column: str, spec: dict[str, Any], cells: list[Any], known: set[str]) -> list[CodeGap]:
    enum = [e for e in spec.get("enum") or [] if e is not None]
    if not enum:
        return []
    allowed = [str(e) for e in enum]
    counts = Counter(as_code(v) for v in cells if not _is_missing(v))
    gaps = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if code in known:
            continue
        try:
            typed_cell(code, column, spec, spreadsheet=True)
            continue
        except _Bad:
            pass
        gaps.append(CodeGap(table, column, code, count, allowed, _propose_code(code, column, allowed)))
        if len(gaps) == MAX_CODES:
            break
    return gaps


def table_gaps(path: str | Path, table: str, schema: dict[str, Any], sheet: str | int | None = None,
               columns: dict[str, str] | None = None, values: dict[str, dict] | None = None) -> tuple[
                   list[ColumnGap], list[CodeGap]]:
    """The gaps of one table read from ``path`` (``sheet``) through the mappings it already has."""
    raw = read_table(path, table, sheet)
    props: dict[str, Any] = schema.get("properties", {})
    required = list(schema.get("required", []))
    columns = {k: v for k, v in (columns or {}).items() if v}
    headers = [str(h) for h in raw.frame.columns if str(h).strip()]
    by_fold = {h.strip().casefold(): h for h in headers}
    mapped = {c: by_fold[str(h).strip().casefold()] for c, h in columns.items() if str(h).strip().casefold() in by_fold}
    present = {contract_name(h, props): h for h in headers if contract_name(h, props) in props}
    present.update(mapped)
    spare = [h for h in headers if contract_name(h, props) not in props and h not in mapped.values()]
    column_gaps, code_gaps = [], []
    for column in props:
        if column in present or not spare:
            continue
        alias = next((h for h in spare if NEAR_ALIASES.get(folded(h).replace(" ", "_")) == column
                      or column in HEADER_WORDS.get(folded(h).replace(" ", "_"), "").split()), None)
        proposed = alias or _closest(column, spare, cutoff=0.75)
        if proposed is None and column not in required:
            continue  # an optional column the file may simply not have: offered only when recognised
        ordered = ([proposed] if proposed else []) + [h for h in spare if h != proposed]
        column_gaps.append(ColumnGap(table, column, column in required, ordered, proposed))
        if proposed:  # its codes too, read through the proposed header
            code_gaps += _code_gaps(table, column, props[column], raw.frame[proposed].tolist(), set())
    column_gaps.sort(key=lambda g: (not g.required, list(props).index(g.column)))
    for column, header in present.items():
        known = {as_code(k) for k in ((values or {}).get(column) or {})}
        code_gaps += _code_gaps(table, column, props[column], raw.frame[header].tolist(), known)
    return column_gaps, code_gaps


def workbook_gaps(path: str | Path, schemas: dict[str, dict[str, Any]], inputs: dict[str, Any] | None = None
                  ) -> Gaps:
    """The gaps of every table of a workbook (``fittrial-template``'s sheets), read through the mappings
    ``inputs`` (the config's) already has for it."""
    from openpyxl import load_workbook

    from fittrial.inputs.template import TABLES, find_sheet

    gaps = Gaps()
    book = load_workbook(path, read_only=True)
    names = list(book.sheetnames)
    book.close()
    for table in TABLES:
        sheet = find_sheet(names, table)
        if sheet is None or table not in schemas:
            continue
        spec = (inputs or {}).get(table)
        spec = spec if isinstance(spec, dict) else {}
        try:
            columns, codes = table_gaps(path, table, schemas[table], spec.get("sheet", sheet),
                                        spec.get("columns"), spec.get("values"))
        except InputError as problem:
            gaps.unreadable[table] = str(problem)
            continue
        gaps.columns += columns
        gaps.codes += codes
    return gaps


def with_mappings(inputs: dict[str, Any], workbook: str, sheets: dict[str, str], columns: dict[str, dict[str, str]],
                  values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The config's ``inputs`` with the tables' mappings: a table with a mapping becomes ``{path: <workbook>, sheet,
    columns, values}`` (kept mappings merged with the new), one without stays read from the workbook."""
    out = dict(inputs)
    for table in sorted(set(columns) | set(values)):
        given = out.get(table)
        spec: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
        spec.update({"path": workbook, "sheet": spec.get("sheet", sheets.get(table))})
        renamed = {**(spec.get("columns") or {}), **columns.get(table, {})}
        codes: dict[str, Any] = dict(spec.get("values") or {})
        for name, mapping in values.get(table, {}).items():
            codes[name] = {**(codes.get(name) or {}), **mapping}
        if renamed:
            spec["columns"] = renamed
        if codes:
            spec["values"] = codes
        if spec.get("sheet") is None:
            spec.pop("sheet")
        out[table] = spec
    return out


__all__ = ["ColumnGap", "CodeGap", "Gaps", "table_gaps", "workbook_gaps", "with_mappings"]
