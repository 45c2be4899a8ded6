"""An Excel workbook to fill in: one sheet per input table, the contract's headers, checked codes.

``fittrial-template [--language da|en] [--output FILE]`` writes the workbook
(:func:`write_template`). Each data sheet has the contract's column names in
row 1, one worked example row in row 2 (grey; its ids read ``EKSEMPEL`` or
``EXAMPLE``, and the reader skips it, so it may be left or overwritten) and
Excel data validation on the coded columns: arm, sex, end reason, the 0/1
outcomes, WHO-5 items (whole numbers 0-5), ORS/SRS (0-10) and dates. Id
columns are formatted as text, so that leading zeros survive. A last sheet
explains every column. A filled-in workbook is one input for all tables:
``inputs: {workbook: my-trial.xlsx}`` (see :func:`fittrial.steps.config.expand_workbook`).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from fittrial.inputs.validation import load_schema
from fittrial.language.messages import LANGUAGES, messages, render

TABLES = ("randomisation", "citizens", "who5", "fit_sessions")
# the sheet names in each language (the message catalogue's sheet_<table>; a workbook in either is read)
SHEETS = {lang: {name: render(f"sheet_{name}", lang) for name in (*TABLES, "guide")} for lang in LANGUAGES}
# the marker of the worked example rows; rows whose first cell holds it are skipped when read
EXAMPLE_IDS = ("EKSEMPEL", "EXAMPLE")
MAX_ROWS = 20_000  # data validation reaches this row

# the codes offered in the drop-down lists, in each language (the catalogue's code_<column>_<code>; Danish codes are
# read as the contract's, see fittrial.inputs.cells)
CODED = {"arm": ("FIT", "control"), "sex": ("F", "M"),
         "end_reason": ("completed", "dropout", "evicted", "moved", "died", "other")}
CODES = {lang: {col: [render(f"code_{col}_{code}", lang) for code in codes] for col, codes in CODED.items()}
         for lang in LANGUAGES}


def column_help(table: str, column: str, spec: dict[str, Any], language: str) -> str:
    """What a column holds, in ``language``: the catalogue's col_help_<table>.<column> (its English is the schema's
    description), or the schema's description for a column the catalogue does not know (a trial's own outcome)."""
    key = f"col_help_{table}.{column}"
    return render(key, language) if key in messages()["en"] else str(spec.get("description", ""))


EXAMPLE_ROWS: dict[str, dict[str, dict[str, Any]]] = {
    lang: {
        "randomisation": {"caseworker_id": mark, "stratum": "Bostøtte", "arm": "FIT",
                          "randomised_on": _dt.date(2015, 4, 15)},
        "citizens": {"citizen_id": mark, "caseworker_id": mark, "enrolled_on": _dt.date(2015, 5, 1), "age": 34,
                     "sex": CODES[lang]["sex"][0], "ended_on": _dt.date(2016, 4, 20),
                     "end_reason": CODES[lang]["end_reason"][0], "kept_housing_12m": 1, "eviction_or_risk_12m": 0,
                     "stable_income_12m": 1},
        "who5": {"citizen_id": mark, "answered_on": _dt.date(2015, 5, 1), "who5_1": 3, "who5_2": 2, "who5_3": 4,
                 "who5_4": 3, "who5_5": 2, "visit": 0},
        "fit_sessions": {"citizen_id": mark, "caseworker_id": mark, "session_on": _dt.date(2015, 5, 8),
                         "ors_1": 5.5, "ors_2": 6.0, "ors_3": 4.5, "ors_4": 5.0, "srs_1": 9.0, "srs_2": 9.5,
                         "srs_3": 8.5, "srs_4": 9.0},
    }
    for lang, mark in (("da", "EKSEMPEL"), ("en", "EXAMPLE"))
}
def blank_example_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with the template's worked example rows (first cell ``EKSEMPEL``/``EXAMPLE``) emptied.

    They are emptied, not dropped, so that every other row keeps the number the
    user sees in the file; empty rows are not records.
    """
    if frame.empty or frame.shape[1] == 0:
        return frame
    first = frame.iloc[:, 0]
    mask = first.map(lambda v: isinstance(v, str) and v.strip().upper() in EXAMPLE_IDS).to_numpy(bool)
    if not mask.any():
        return frame
    frame = frame.astype(object).copy()
    frame.iloc[mask, :] = None
    return frame


def is_binary(spec: dict[str, Any]) -> bool:
    """Whether a schema column is a binary outcome (0, 1 or empty)."""
    return [v for v in spec.get("enum") or [] if v is not None] == [0, 1]


def find_sheet(sheet_names: list[str], table: str) -> str | None:
    """The sheet of ``table`` in a workbook: its English or Danish name, ignoring case and spaces."""
    wanted = {SHEETS[lang][table].casefold() for lang in SHEETS}
    return next((n for n in sheet_names if n.strip().casefold() in wanted), None)


def _allowed(column: str, spec: dict[str, Any], language: str) -> str:
    if column in CODES[language]:
        return ", ".join(CODES[language][column])
    if is_binary(spec):
        return "0, 1"
    if spec.get("format") == "date":
        return render("tpl_date_allowed", language)
    if "minimum" in spec and "maximum" in spec:
        return f"{spec['minimum']}-{spec['maximum']}"
    return ""


def write_template(path: str | Path, language: str = "da", schema_dir: str | Path | None = None) -> Path:
    """Write the input workbook to ``path`` (``.xlsx``) in ``language`` ("da" or "en"); return the path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from fittrial.base.files import atomic_path

    if language not in SHEETS:
        raise ValueError(f"language must be one of {', '.join(SHEETS)}, not {language!r}")
    schema_dir = Path(schema_dir) if schema_dir else Path(__file__).resolve().parents[3] / "workflow" / "schemas"
    schemas = {t: load_schema(schema_dir / f"{t}.schema.yaml") for t in TABLES}
    book = Workbook()
    book.remove(book.active)
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in TABLES:
        sheet = book.create_sheet(SHEETS[language][table])
        props = schemas[table]["properties"]
        example = EXAMPLE_ROWS[language][table]
        for j, (column, spec) in enumerate(props.items(), start=1):
            letter = sheet.cell(row=1, column=j).column_letter
            head = sheet.cell(row=1, column=j, value=column)
            head.font, head.fill = bold, head_fill
            head.comment = Comment(column_help(table, column, spec, language), "fittrial")
            cell = sheet.cell(row=2, column=j, value=example.get(column))
            cell.font = grey
            rng = f"{letter}2:{letter}{MAX_ROWS}"
            sheet.column_dimensions[letter].width = max(12, len(column) + 2)
            if spec.get("x-identifier") or column == "stratum":
                for row in range(2, 3):
                    sheet.cell(row=row, column=j).number_format = "@"
                sheet.column_dimensions[letter].number_format = "@"
            rule = None
            if column in CODES[language]:
                rule = DataValidation(type="list", formula1='"' + ",".join(CODES[language][column]) + '"',
                                      allow_blank=True)
            elif is_binary(spec):
                rule = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
            elif spec.get("format") == "date":
                rule = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                                      formula2="DATE(2100,12,31)", allow_blank=True)
                cell.number_format = "DD-MM-YYYY"
                sheet.column_dimensions[letter].number_format = "DD-MM-YYYY"
            elif "minimum" in spec and "maximum" in spec:
                kind = "decimal" if "number" in (spec["type"] if isinstance(spec["type"], list) else [spec["type"]]) \
                    else "whole"
                rule = DataValidation(type=kind, operator="between", formula1=str(spec["minimum"]),
                                      formula2=str(spec["maximum"]), allow_blank=True)
            if rule is not None:
                rule.error = render("tpl_allowed", language, values=_allowed(column, spec, language))
                rule.showErrorMessage = True
                sheet.add_data_validation(rule)
                rule.add(rng)
        sheet.freeze_panes = "A2"
    guide = book.create_sheet(SHEETS[language]["guide"])
    def tpl(key: str) -> str:
        return render(f"tpl_{key}", language)

    guide.cell(row=1, column=1, value=tpl("title")).font = Font(bold=True, size=14)
    for k, key in enumerate(("sheets", "values", "run"), start=2):
        guide.cell(row=k, column=1, value=tpl(key))
    header_row = 6
    for j, word in enumerate([tpl(k) for k in ("h_sheet", "h_column", "h_required", "h_meaning", "h_allowed")],
                             start=1):
        cell = guide.cell(row=header_row, column=j, value=word)
        cell.font, cell.fill = bold, head_fill
    row = header_row + 1
    for table in TABLES:
        schema = schemas[table]
        for column, spec in schema["properties"].items():
            meaning = column_help(table, column, spec, language)
            required = tpl("yes") if column in schema.get("required", []) else tpl("no")
            for j, value in enumerate((SHEETS[language][table], column, required, meaning,
                                       _allowed(column, spec, language)), start=1):
                guide.cell(row=row, column=j, value=value)
            row += 1
    for letter, width in zip("ABCDE", (16, 22, 10, 80, 40)):
        guide.column_dimensions[letter].width = width
    path = Path(path)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``fittrial-template [--language da|en] [--output FILE]``."""
    parser = argparse.ArgumentParser(prog="fittrial-template",
                                     description="Write an Excel workbook to fill in with a trial's data "
                                                 "(one sheet per input table), to use as inputs: {workbook: FILE}.")
    parser.add_argument("--language", choices=sorted(SHEETS), default="da", help="language of the workbook (da)")
    parser.add_argument("--output", "-o", default=None, help="file to write (default: fit-data.xlsx, or "
                                                              "fit-data-en.xlsx in English)")
    args = parser.parse_args(argv)
    out = Path(args.output or ("fit-data.xlsx" if args.language == "da" else "fit-data-en.xlsx"))
    if out.suffix.lower() != ".xlsx":
        print(f"fittrial-template: the output must end in .xlsx, not '{out.name}'", file=sys.stderr)
        return 2
    if out.exists():
        print(f"fittrial-template: '{out}' exists; choose another --output (nothing was overwritten)",
              file=sys.stderr)
        return 2
    write_template(out, args.language)
    print(f"Wrote {out}. Fill it in, then run with  inputs: {{workbook: {out}}}  in your config.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
