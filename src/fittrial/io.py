"""Reading input tables and writing outputs atomically.

The format of an input follows its extension: ``.csv`` (comma or semicolon
separated; UTF-8, with a fallback to Windows-1252 as Danish Excel writes it),
``.parquet``, ``.xlsx`` (first sheet), ``.dta`` (Stata) and ``.sav`` (SPSS).
Every value is read as the user stored it and typed later by
:mod:`fittrial.validation`, so that errors can quote the original value.
"""

from __future__ import annotations

import csv
import io as _io
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, Problem

SUPPORTED = (".csv", ".parquet", ".xlsx", ".dta", ".sav")
MISSING_TOKENS = ("", "NA", "na", "N/A", ".")


@dataclass
class RawTable:
    """An input table as read, before typing.

    ``first_row`` is the row number the user sees for the first data record:
    2 in a spreadsheet or CSV (row 1 is the header), 1 in a data file.
    ``decimal_comma`` is True for semicolon-separated CSV (Danish Excel).
    """

    name: str
    path: str
    frame: pd.DataFrame
    row_word: str
    first_row: int
    decimal_comma: bool = False

    def row_label(self, index: int) -> str:
        return f"{self.row_word} {index + self.first_row}"


def _decode(raw: bytes, label: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 as Danish Excel saves it.

    A file whose lines are partly UTF-8 and partly another encoding (rows
    re-saved by another program) is refused with the rows named: decoding it
    whole either way would corrupt the other part (``Bostøtte`` becoming
    ``BostÃ¸tte`` and a new stratum). A file that is not text is refused.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    utf8_rows, other_rows = [], []
    for k, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_rows.append(k)
        except UnicodeDecodeError:
            other_rows.append(k)
    if utf8_rows and other_rows:
        shown = ", ".join(str(k) for k in other_rows[:10]) + (" ..." if len(other_rows) > 10 else "")
        raise InputError(Problem(label, f"the file mixes two text encodings: row(s) {shown} are not UTF-8, while "
                                        f"other rows (e.g. row {utf8_rows[0]}) are; re-save the whole file in one "
                                        "encoding (UTF-8, or CSV from Excel)."))
    if b"\x00" in raw:
        raise InputError(Problem(label, "the file is not a text (CSV) file; expected comma- or semicolon-separated "
                                        "text, or another supported format with its own extension."))
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(Problem(label, "the file is not a text (CSV) file in UTF-8 or Windows-1252; expected "
                                        "comma- or semicolon-separated text.")) from None


def _header_index(cells: list[list[str]], header_row: int | None) -> int:
    """Index of the header among the first rows: ``header_row`` - 1 if given, else the first row with at least
    two filled cells and as many filled cells as the fullest of the first 20 rows (title or note rows above the
    header have fewer)."""
    if header_row is not None:
        return header_row - 1
    counts = [sum(1 for c in row if str(c).strip() not in ("", "nan", "None")) for row in cells[:20]]
    most = max(counts, default=0)
    return next((k for k, n in enumerate(counts) if n >= max(2, most)), 0)


def _read_csv(path: Path, label: str, header_row: int | None = None) -> tuple[pd.DataFrame, bool, int]:
    """(frame, decimal comma, index of the header line)."""
    text = _decode(path.read_bytes(), label)
    lines = text.splitlines()
    first = lines[:20]
    sep = ";" if max((ln.count(";") for ln in first), default=0) > max((ln.count(",") for ln in first), default=0) \
        else ","
    cells = [next(csv.reader([ln], delimiter=sep), []) for ln in first]
    start = _header_index(cells, header_row)
    header = lines[start] if start < len(lines) else ""
    frame = pd.read_csv(
        _io.StringIO("\n".join(lines[start:]) + "\n"),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_values=list(MISSING_TOKENS),
        skip_blank_lines=False,
        quoting=csv.QUOTE_MINIMAL,
    )
    names = next(csv.reader([header], delimiter=sep)) if header else []
    if len(names) == frame.shape[1]:
        frame.columns = [n.strip() for n in names]  # keep repeated headers as written (pandas renames them)
    # a trailing blank line is not a record
    while len(frame) and frame.iloc[-1].isna().all():
        frame = frame.iloc[:-1]
    return frame, sep == ";", start


def _read_xlsx(path: Path, sheet: str | int, header_row: int | None) -> tuple[pd.DataFrame, int]:
    """(frame, index of the header row) of one sheet; title or note rows above the header are skipped."""
    grid = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
    start = _header_index(grid.head(20).astype(str).values.tolist(), header_row)
    names = ["" if pd.isna(v) else str(v).strip() for v in grid.iloc[start]] if len(grid) > start else []
    frame = grid.iloc[start + 1:].reset_index(drop=True)
    frame.columns = names
    frame = frame.loc[:, [bool(n) or frame[c].notna().any() for c, n in zip(frame.columns, names)]]
    return frame, start


def read_table(path: str | Path, name: str, sheet: str | int = 0, header_row: int | None = None) -> RawTable:
    """Read one input table; raise :class:`InputError` if it cannot be read.

    ``sheet`` (spreadsheets: name or number) and ``header_row`` (the header's
    row as the user sees it; by default found below any title or note rows in
    CSV and spreadsheet files) come from the input's mapping in the config.
    """
    path = Path(path)
    label = f"{name} ({path})"
    if not path.exists():
        raise InputError(Problem(label, "the file does not exist; check inputs." + name + " in the config."))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(Problem(label, f"unsupported file type '{suffix}'; expected one of {', '.join(SUPPORTED)}."))
    try:
        if suffix == ".csv":
            frame, decimal_comma, start = _read_csv(path, label, header_row)
            return RawTable(name, str(path), frame, "row", start + 2, decimal_comma)
        if suffix == ".xlsx":
            frame, start = _read_xlsx(path, sheet, header_row)
            return RawTable(name, str(path), frame, "row", start + 2)
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix == ".dta":
            frame = pd.read_stata(path, convert_categoricals=True)
        else:
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except InputError:
        raise
    except Exception as exc:  # a corrupt or mislabelled file is a user error
        raise InputError(Problem(label, f"the file could not be read as {suffix}: {exc}")) from None
    frame = frame.reset_index(drop=True)
    return RawTable(name, str(path), frame, "record", 1)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it into place on success.

    Nothing half-written is ever left at ``target``: on error the temporary
    file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_parquet(frame: pd.DataFrame, target: str | Path) -> None:
    """Write a Parquet file atomically (no index, deterministic column order)."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def write_csv(frame: pd.DataFrame, target: str | Path, float_format: str | None = None) -> None:
    """Write a CSV atomically with Unix line endings and no index."""
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n", float_format=float_format)


def write_text(text: str, target: str | Path) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
