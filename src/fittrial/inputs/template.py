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

TABLES = ("randomisation", "citizens", "who5", "fit_sessions")
SHEETS = {"en": {"randomisation": "randomisation", "citizens": "citizens", "who5": "who5",
                 "fit_sessions": "fit_sessions", "guide": "guide"},
          "da": {"randomisation": "randomisering", "citizens": "borgere", "who5": "who5",
                 "fit_sessions": "fit_sessioner", "guide": "vejledning"}}
# the marker of the worked example rows; rows whose first cell holds it are skipped when read
EXAMPLE_IDS = ("EKSEMPEL", "EXAMPLE")
MAX_ROWS = 20_000  # data validation reaches this row

# the codes offered in the drop-down lists (Danish codes are read as the contract's; see fittrial.inputs.cells)
CODES = {
    "en": {"arm": ["FIT", "control"], "sex": ["F", "M"],
           "end_reason": ["completed", "dropout", "evicted", "moved", "died", "other"]},
    "da": {"arm": ["FIT", "kontrol"], "sex": ["K", "M"],
           "end_reason": ["gennemført", "frafald", "udsat", "fraflyttet", "død", "andet"]},
}

DANISH_HELP = {
    "caseworker_id": "medarbejderens pseudonymiserede id (aldrig et CPR-nummer); skal stå i arket randomisering",
    "stratum": "den bostøttetilbud eller enhed, inden for hvilken medarbejderne blev randomiseret",
    "arm": "randomiseret arm: FIT eller kontrol",
    "randomised_on": "dato for randomiseringen",
    "citizen_id": "borgerens pseudonymiserede id (aldrig et CPR-nummer); skal stå i arket borgere",
    "enrolled_on": "forløbets start; dag 0 for placering af WHO-5-skemaer i besøg",
    "age": "alder i hele år ved start; må være tom",
    "sex": "K eller M; må være tom",
    "ended_on": "forløbets afslutning; tom mens forløbet er åbent",
    "end_reason": "hvorfor forløbet sluttede: gennemført, frafald, udsat, fraflyttet, død eller andet; tom mens åbent",
    "kept_housing_12m": "har beholdt egen bolig efter 12 måneder (1 = ja, 0 = nej); tom = ikke vurderet",
    "eviction_or_risk_12m": "udsat eller i risiko for udsættelse inden 12 måneder (1 = ja, 0 = nej); tom = ikke vurderet",
    "stable_income_12m": "stabil indkomst efter 12 måneder (1 = ja, 0 = nej); tom = ikke vurderet",
    "answered_on": "dato for udfyldelsen; må være tom, når rækken har et besøg",
    "visit": "valgfri: måneder efter start (et af besøgene i konfigurationen); går forud for datoen",
    "session_on": "dato for mødet",
}
for _k in range(1, 6):
    DANISH_HELP[f"who5_{_k}"] = f"WHO-5 spørgsmål {_k} (0 = på intet tidspunkt ... 5 = hele tiden)"
for _k in range(1, 5):
    DANISH_HELP[f"ors_{_k}"] = f"ORS linje {_k} (0-10, én decimal), ved mødets start"
    DANISH_HELP[f"srs_{_k}"] = f"SRS linje {_k} (0-10, én decimal), ved mødets slutning"

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
GUIDE_TEXT = {
    "en": ["How to fill in this workbook",
           "One sheet per table; row 1 holds the column names of the input contract (config/README.md): do not "
           "change them. Row 2 is a worked example (ids EXAMPLE): overwrite it or leave it; it is never read as data.",
           "Dates as dates (or text dd-mm-yyyy); ids as text, exactly alike in every sheet (leading zeros count). "
           "Never a CPR number. Leave a cell empty when the value is unknown. The fit_sessions sheet may stay empty.",
           "Run with a config that holds:  inputs: {workbook: <this file>}   and check it first with  "
           "snakemake --cores 1 --configfile <config> check",
           "Sheet", "Column", "Required", "Meaning", "Allowed values", "yes", "no"],
    "da": ["Sådan udfyldes arbejdsbogen",
           "Ét ark pr. tabel; række 1 har inputkontraktens kolonnenavne (config/README.md): ret dem ikke. Række 2 er "
           "et eksempel (id'er EKSEMPEL): overskriv den eller lad den stå; den læses aldrig som data.",
           "Datoer som datoer (eller tekst dd-mm-åååå); id'er som tekst og ens i alle ark (foranstillede nuller "
           "tæller). Aldrig et CPR-nummer. Lad en celle stå tom, når værdien er ukendt. Arket fit_sessioner må være "
           "tomt.",
           "Kør med en konfiguration, der indeholder:  inputs: {workbook: <denne fil>}   og tjek den først med  "
           "snakemake --cores 1 --configfile <konfiguration> check",
           "Ark", "Kolonne", "Påkrævet", "Betydning", "Tilladte værdier", "ja", "nej"],
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
        return "dd-mm-åååå" if language == "da" else "date (dd-mm-yyyy or YYYY-MM-DD)"
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
            head.comment = Comment(DANISH_HELP.get(column, "") if language == "da" else spec.get("description", ""),
                                   "fittrial")
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
                rule.error = (f"Tilladt: {_allowed(column, spec, language)}" if language == "da"
                              else f"Allowed: {_allowed(column, spec, language)}")
                rule.showErrorMessage = True
                sheet.add_data_validation(rule)
                rule.add(rng)
        sheet.freeze_panes = "A2"
    guide = book.create_sheet(SHEETS[language]["guide"])
    text = GUIDE_TEXT[language]
    guide.cell(row=1, column=1, value=text[0]).font = Font(bold=True, size=14)
    for k, line in enumerate(text[1:4], start=2):
        guide.cell(row=k, column=1, value=line)
    header_row = 6
    for j, word in enumerate(text[4:9], start=1):
        cell = guide.cell(row=header_row, column=j, value=word)
        cell.font, cell.fill = bold, head_fill
    row = header_row + 1
    for table in TABLES:
        schema = schemas[table]
        for column, spec in schema["properties"].items():
            meaning = DANISH_HELP.get(column, "") if language == "da" else spec.get("description", "")
            required = text[9] if column in schema.get("required", []) else text[10]
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
