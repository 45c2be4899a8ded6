"""Reading input tables.

The format of an input follows its extension: ``.csv`` (comma or semicolon
separated; UTF-8, with a fallback to Windows-1252 as Danish Excel writes it),
``.parquet``, ``.xlsx`` (first sheet unless one is named), ``.dta`` (Stata) and ``.sav``
(SPSS).
Every value is read as the user stored it and typed later by
:mod:`fittrial.inputs.validation`, so that errors can quote the original value.
"""

from __future__ import annotations

import array
import csv
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from fittrial.base.errors import InputError, Problem

SUPPORTED = (".csv", ".parquet", ".xlsx", ".dta", ".sav")
MISSING_TOKENS = ("", "NA", "na", "N/A", ".")
SEPARATORS = (",", ";", "\t")
HEADER_SEARCH = 20  # the header is looked for among the first rows (below any title or note rows)
# what a file that is not CSV text starts with, to say what it is
SIGNATURES = ((b"PK\x03\x04", "a zip archive, such as an Excel workbook (.xlsx)"),
              (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another Office file"),
              (b"$FL2", "an SPSS data file (.sav)"), (b"$FL3", "an SPSS data file (.sav)"),
              (b"<stata_dta>", "a Stata data file (.dta)"), (b"PAR1", "a Parquet file (.parquet)"),
              (b"%PDF", "a PDF document"))


@dataclass
class RawTable:
    """An input table as read, before typing.

    ``first_row`` is the row number the user sees for the first data record:
    the header's row + 1 in a spreadsheet or CSV (2 without title rows), 1 in
    a data file; ``rows`` (CSV) the row of each record where it differs from
    counting on from ``first_row`` (a quoted cell spanning lines).
    ``decimal_comma`` is True for semicolon-separated CSV (Danish Excel).
    From the input's mapping in the config: ``date_format`` (a strptime
    format for every date column; None = guess) and ``values`` (per contract
    column, the file's codes -> the contract's codes) and ``renamed`` (the
    ``columns`` mapping, checked against the contract when typed).
    ``hidden_rows``: the rows of an Excel sheet hidden there, which are read
    as data and noted.
    """

    name: str
    path: str
    frame: pd.DataFrame
    row_word: str
    first_row: int
    decimal_comma: bool = False
    date_format: str | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: Sequence[int] | None = None
    hidden_rows: list[int] = field(default_factory=list)  # rows of an Excel sheet hidden there (read as data)
    short_rows: list[tuple[int, int]] = field(default_factory=list)  # CSV (row, cells) shorter than the header
    renamed: dict[str, str] = field(default_factory=dict)  # the config's ``columns`` mapping (contract -> file)

    def row_label(self, index: int) -> str:
        """The row (or record) as the user sees it, of the record at position ``index`` of ``frame``."""
        if self.rows is not None and index < len(self.rows):
            return f"{self.row_word} {self.rows[index]}"
        return f"{self.row_word} {index + self.first_row}"

    def row_labels(self, positions: np.ndarray) -> pd.Series:
        """:meth:`row_label` of every record at ``positions``, as a text column built in Arrow (a file of millions
        of rows gets its labels without a Python string each: about 12 bytes a row instead of about 70)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        positions = np.asarray(positions, dtype=np.int64)
        numbers = positions + self.first_row
        if self.rows is not None and len(self.rows):
            rows = np.frombuffer(self.rows, dtype=np.int64) if isinstance(self.rows, array.array) else \
                np.asarray(self.rows, dtype=np.int64)
            inside = positions < len(rows)
            numbers = np.where(inside, rows[np.minimum(positions, len(rows) - 1)], numbers)
        labels = pc.binary_join_element_wise(f"{self.row_word} ", pc.cast(pa.array(numbers), pa.string()), "")
        return pd.Series(labels, dtype=pd.ArrowDtype(pa.string())).astype(str)


def _not_text(raw: bytes, label: str) -> InputError:
    """The error for a file that is not CSV text, saying what it looks like when that is known."""
    kind = next((what for sig, what in SIGNATURES if raw.startswith(sig)), None)
    what = f" (it looks like {kind}; give it its own extension)" if kind else ""
    return InputError(Problem(label, f"the file is not a text (CSV) file{what}; expected comma- or "
                                     "semicolon-separated text in UTF-8 or Windows-1252, or another supported "
                                     "format with its own extension."))


def _decode(raw: bytes, label: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as Danish Excel saves it.

    A file whose lines are partly UTF-8 and partly another encoding (rows
    re-saved by another program) is refused with the rows named: decoding it
    whole either way would corrupt the other part (``Bostøtte`` becoming
    ``BostÃ¸tte`` and a new stratum). A file that is not text is refused.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel saves it
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text(raw, label) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_other(raw, label)
    if "\x00" in text or any(raw.startswith(sig) for sig, _ in SIGNATURES):
        raise _not_text(raw, label)
    return text


def _decode_other(raw: bytes, label: str) -> str:
    """Text that is not UTF-8: Windows-1252, unless its lines mix encodings or it is not text."""
    utf8_rows, other_rows = [], []
    for k, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_rows.append(k)
        except UnicodeDecodeError:
            other_rows.append(k)
    if b"\x00" in raw:
        raise _not_text(raw, label)
    if utf8_rows and other_rows:
        shown = ", ".join(str(k) for k in other_rows[:10]) + (" ..." if len(other_rows) > 10 else "")
        raise InputError(Problem(label, f"the file mixes two text encodings: row(s) {shown} are not UTF-8, while "
                                        f"other rows (e.g. row {utf8_rows[0]}) are; re-save the whole file in one "
                                        "encoding (UTF-8, or CSV from Excel)."))
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise _not_text(raw, label) from None


def _filled(row: list[Any]) -> int:
    return sum(1 for c in row if not (c is None or (isinstance(c, float) and c != c) or str(c).strip() == ""))


def _header_index(cells: list[list[Any]], header_row: int | None) -> int:
    """Index of the header among the first rows: ``header_row`` - 1 if given, else the first row with at least
    two filled cells and at least three quarters as many as the rows have most often (title or note rows above
    the header have fewer; a data row with stray extra cells does not push the header down)."""
    if header_row is not None:
        return header_row - 1
    counts = [_filled(row) for row in cells[:HEADER_SEARCH]]
    widths = Counter(n for n in counts if n >= 2)
    if not widths:
        return 0
    usual = max(widths.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return next((k for k, n in enumerate(counts) if n >= max(2, -(-3 * usual // 4))), 0)


def _iter_records(text: str, sep: str) -> Iterator[tuple[int, list[str]]]:
    """Every record of CSV text as (its first line, its cells), one at a time; a blank line is a record without
    cells."""
    reader = csv.reader(_lines(text), delimiter=sep, strict=False)
    line = 0
    for cells in reader:
        yield line + 1, cells
        line = reader.line_num


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends (\\n, \\r or \\r\\n), one at a time: what ``io.StringIO(text,
    newline="")`` yields, without its copy of the text at four bytes a character."""
    for match in LINE.finditer(text):
        yield match.group()


def _head(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` as ``text.splitlines()[:n]`` gives them, without splitting the whole text."""
    size = 4096
    while True:
        lines = text[:size].splitlines()
        if len(lines) > n or size >= len(text):
            return lines[:n]
        size *= 4


def _records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """Every record of CSV text as (its first line, its cells); a blank line is a record without cells."""
    return list(_iter_records(text, sep))


def _separator(text: str) -> str:
    """The separator whose header (found as the reader finds it) has the most filled cells; comma on a tie."""
    head = "\n".join(_head(text, HEADER_SEARCH))
    best, width = ",", -1
    for sep in SEPARATORS:
        if sep not in head:
            continue
        cells = [c for _, c in _records(head, sep)]
        n = _filled(cells[_header_index(cells, None)]) if cells else 0
        if n > width:
            best, width = sep, n
    return best


def _unclosed_quote(cells: list[str], sep: str, width: int) -> int | None:
    """The position of a cell that swallowed the rows below it (a quote left open), else None: a cell holding a
    line break followed by a line with as many separators as a row has."""
    for k, cell in enumerate(cells):
        if "\n" in cell or "\r" in cell:
            if any(line.count(sep) >= max(1, width - 1) for line in cell.splitlines()[1:]):
                return k
    return None


def _read_csv(path: Path, label: str, header_row: int | None = None
              ) -> tuple[pd.DataFrame, bool, int, Sequence[int], list[tuple[int, int]]]:
    """(frame, decimal comma, the header's line number, the line number of every record as an array of int64, the
    (line, cells) of every record shorter than the header).

    Cells are kept as text (``MISSING_TOKENS`` as None). A record with more
    cells than the header is an error unless the extra cells are empty; a
    shorter one is padded with empty cells and noted (a cell lost in the middle
    shifts the others).
    """
    text = _decode(path.read_bytes(), label)
    sep = _separator(text)
    records = _iter_records(text, sep)  # one at a time: a file of millions of rows is never held as lists
    head = list(itertools.islice(records, HEADER_SEARCH))
    start = _header_index([c for _, c in head], header_row)
    while len(head) <= start:  # a header_row given below the first rows searched
        more = next(records, None)
        if more is None:
            break
        head.append(more)
    if start >= len(head):
        if header_row is not None:
            raise InputError(Problem(label, f"header_row {header_row} of the config lies below the end of the file "
                                            f"({len(head)} rows); expected the row of the column names."))
        return pd.DataFrame(), sep == ";", 1, [], []
    header_line, names = head[start]
    names = [n.strip() for n in names]
    width = len(names)
    problems = []
    columns: list[list[str | None]] = [[] for _ in range(width)]  # the cells column by column
    same: list[dict[str, str]] = [{} for _ in range(width)]  # per column, one object for a text that repeats
    last: list[str | None] = [None] * width  # per column, the last text not in ``same`` (once that is full)
    lines = array.array("q")  # the line of every record, 8 bytes each
    blank: list[int] = []  # blank records held back: kept if a record follows, dropped at the end of the file
    short: list[tuple[int, int]] = []  # (line, cells) of every record with fewer cells than the header
    for line, cells in itertools.chain(head[start + 1:], records):
        if not any(c.strip() for c in cells):
            blank.append(line)
            continue
        for held in blank:
            lines.append(held)
            for column in columns:
                column.append(None)
        blank.clear()
        runaway = _unclosed_quote(cells, sep, width)
        if runaway is not None:
            named = names[runaway] if runaway < width and names[runaway] else None
            problems.append(Problem(label, "a quote (\") opened in this cell is not closed: the cell runs on over "
                                           "lines that look like rows of their own; expected a closing quote, or no "
                                           "quote.", f"row {line}", named))
            continue
        extra = cells[width:]
        if any(c.strip() for c in extra):
            problems.append(Problem(label, f"the row has {width + len(extra)} cells but the header has "
                                           f"{width}; expected one cell per column (a value holding the "
                                           f"separator {sep!r}, such as a decimal comma, must be in quotes).",
                                    f"row {line}"))
            continue
        lines.append(line)
        if len(cells) < width:  # a cell left out (a tool that drops empty cells, or a value lost in the middle)
            short.append((line, len(cells)))
        for k, column in enumerate(columns):
            c = cells[k] if k < len(cells) else ""
            if c.strip() in MISSING_TOKENS:
                column.append(None)
                continue
            known = same[k]
            kept = known.get(c)
            if kept is None:
                if len(known) < SAME_TEXT_MAX:
                    known[c] = kept = c
                elif c == last[k]:  # ids repeat on consecutive rows (a citizen's visits): one object for the run
                    kept = last[k]
                else:
                    kept = last[k] = c
            column.append(kept)
    if problems:
        raise InputError(problems)
    if not names:
        return pd.DataFrame(index=range(len(lines))), sep == ";", header_line, lines.tolist(), short
    frame = pd.DataFrame({k: _object_column(columns, k) for k in range(width)}, dtype=object)
    frame.columns = names
    return frame, sep == ";", header_line, lines, short


SAME_TEXT_MAX = 50_000  # distinct texts per column shared as one object (dates, codes, scores; not ids)


def _object_column(columns: list[list], k: int) -> np.ndarray:
    """Column k as an object array; its list is emptied (the read keeps one copy of the cells, not two)."""
    out = np.empty(len(columns[k]), dtype=object)
    out[:] = columns[k]
    columns[k] = []
    return out


def _sheet(book: pd.ExcelFile, sheet: str | int, label: str) -> str | int:
    """The sheet to read: by name, or by number (0 = the first); an error lists the sheets there are."""
    names = book.sheet_names
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
        return sheet
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, str):
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
    raise InputError(Problem(label, f"the workbook has no sheet {sheet!r}; it has {', '.join(map(repr, names))} "
                                    "(sheet: a name, or a number with 0 for the first)."))


def _sheet_xml(book: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The path inside an .xlsx of the worksheet named ``sheet_name`` (None if not found)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rid = next((s.get(rel) for s in workbook.iter(f"{main}sheet") if s.get("name") == sheet_name), None)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def sheet_quirks(path: Path, sheet_name: str) -> tuple[list[tuple[str, str]], list[int]]:
    """What a spreadsheet shows differently from what it holds: (the cells with a formula and no computed value, as
    (cell, formula); the rows hidden in Excel, as row numbers). A workbook written by a program that does not
    calculate (a script, some exports) stores formulas without their values: read as they are, they would be empty
    cells. Read from the sheet's XML in one pass."""
    formulas: list[tuple[str, str]] = []
    hidden: list[int] = []
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        with zipfile.ZipFile(path) as book:
            member = _sheet_xml(book, sheet_name)
            if member is None or member not in book.namelist():
                return [], []
            with book.open(member) as fh:
                for _, element in ElementTree.iterparse(fh):
                    if element.tag == f"{main}c":
                        formula = element.find(f"{main}f")
                        value = element.find(f"{main}v")
                        inline = element.find(f"{main}is")
                        # no value at all, or an empty one that is not the empty text a formula can compute
                        if formula is not None and inline is None and (
                                value is None or (not value.text and element.get("t") != "str")):
                            formulas.append((element.get("r") or "?", formula.text or ""))
                        element.clear()
                    elif element.tag == f"{main}row":
                        if element.get("hidden") in ("1", "true") and element.get("r"):
                            hidden.append(int(element.get("r") or 0))
                        element.clear()
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError):
        return [], []  # the reader itself reports a workbook it cannot read
    return formulas, hidden


def _read_xlsx(path: Path, label: str, sheet: str | int, header_row: int | None
               ) -> tuple[pd.DataFrame, int, list[int]]:
    """(frame, index of the header row, the rows hidden in Excel) of one sheet; title or note rows above the header
    are skipped. A formula without a computed value is an error naming the sheet and the cell.

    Columns without a header are left out (nothing can refer to them)."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:
        raise InputError(Problem(label, f"the file could not be read as an Excel workbook (.xlsx): {exc}")) from None
    with book:
        chosen = _sheet(book, sheet, label)
        name = chosen if isinstance(chosen, str) else book.sheet_names[chosen]
        try:
            grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
        except Exception as exc:
            raise InputError(Problem(label, f"the sheet {chosen!r} could not be read: {exc}")) from None
    formulas, hidden = sheet_quirks(path, name)
    if formulas:
        shown = ", ".join(f"{cell} (={formula})" for cell, formula in formulas[:10])
        more = f" and {len(formulas) - 10} more" if len(formulas) > 10 else ""
        raise InputError(Problem(label, f"sheet '{name}': {len(formulas)} cell(s) hold a formula without a computed "
                                        f"value: {shown}{more} (the workbook was saved by a program that does not "
                                        "calculate, so the cells would be read as empty); expected values: open the "
                                        "file in Excel and save it, or paste the cells as values."))
    start = _header_index(grid.head(HEADER_SEARCH).values.tolist(), header_row)
    if start >= len(grid):
        if header_row is not None:
            raise InputError(Problem(label, f"header_row {header_row} of the config lies below the last row of the "
                                            f"sheet ({len(grid)}); expected the row of the column names."))
        return pd.DataFrame(), 0, []
    names = ["" if _filled([v]) == 0 else str(v).strip() for v in grid.iloc[start]]
    frame = grid.iloc[start + 1:].reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    keep = [k for k, n in enumerate(names) if n]
    frame = frame[keep]
    frame.columns = [names[k] for k in keep]
    data_hidden = [r for r in hidden if start + 2 <= r < start + 2 + len(frame)
                   and _filled(frame.iloc[r - start - 2].tolist()) > 0]
    return frame, start, data_hidden


def read_table(path: str | Path, name: str, sheet: str | int | None = None, header_row: int | None = None
               ) -> RawTable:
    """Read one input table; raise :class:`InputError` if it cannot be read.

    ``sheet`` (spreadsheets: name or number; None = the first; an error for
    a file without sheets) and ``header_row`` (the header's
    row as the user sees it; by default found below any title or note rows in
    CSV and spreadsheet files) come from the input's mapping in the config.
    """
    path = Path(path)
    label = f"{name} ({path})"
    if not path.exists():
        raise InputError(Problem(label, "the file does not exist; check inputs." + name + " in the config."))
    if not path.is_file():
        raise InputError(Problem(label, "this is a folder, not a file; check inputs." + name + " in the config."))
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise InputError(Problem(label, f"header_row {header_row!r} of the config is not a row; expected the row of "
                                        "the column names as you see it in the file (1 for the first)."))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " (save it as .xlsx)" if suffix in (".xls", ".xlsm", ".ods") else ""
        raise InputError(Problem(label, f"unsupported file type '{suffix}'{hint}; expected one of "
                                        f"{', '.join(SUPPORTED)}."))
    if sheet is not None and suffix != ".xlsx":
        raise InputError(Problem(label, f"the config gives a sheet ({sheet!r}), but the file is {suffix}, which has no "
                                        "sheets; expected sheet: only for an Excel workbook (.xlsx), or the path of "
                                        "the workbook you meant."))
    if suffix == ".csv":
        frame, decimal_comma, header_line, rows, short = _read_csv(path, label, header_row)
        return RawTable(name, str(path), frame, "row", header_line + 1, decimal_comma, rows=rows, short_rows=short)
    if suffix == ".xlsx":
        frame, start, hidden = _read_xlsx(path, label, 0 if sheet is None else sheet, header_row)
        return RawTable(name, str(path), frame, "row", start + 2, hidden_rows=hidden)
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix == ".dta":
            frame = pd.read_stata(path, convert_categoricals=True)
        else:
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # a corrupt or mislabelled file is a user error
        raise InputError(Problem(label, f"the file could not be read as {suffix}: {exc}")) from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(name, str(path), frame, "record", 1)
