"""The input workbook of `fittrial-template`, filled in the way a user fills it, read as `inputs.workbook`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, SCHEMA_DIR
from openpyxl import load_workbook

from fittrial.inputs.template import SHEETS, TABLES, main, write_template
from fittrial.inputs.validation import load_schema
from fittrial.steps.config import apply_user_inputs, expand_workbook
from fittrial.steps.inputs import _read_and_check

EXAMPLE = ROOT / "data" / "example"
DANISH = {"arm": {"control": "kontrol"}, "sex": {"F": "K"},
          "end_reason": {"completed": "gennemført", "dropout": "frafald", "evicted": "udsat", "moved": "fraflyttet",
                         "died": "død", "other": "andet"}}


def fill(template: Path, out: Path, language: str = "da", source: Path = EXAMPLE) -> Path:
    """Type the example's tables into the workbook below its worked example row, as a user would: dates as
    dates, numbers as numbers, the codes offered by the drop-down lists."""
    book = load_workbook(template)
    for table in TABLES:
        frame = pd.read_csv(source / f"{table}.csv", dtype=str, keep_default_na=False)
        sheet = book[SHEETS[language][table]]
        header = [c.value for c in sheet[1]]
        for i, record in enumerate(frame.to_dict("records"), start=3):
            for j, column in enumerate(header, start=1):
                value = record.get(column, "")
                if value == "":
                    continue
                if column.endswith("_on"):
                    value = dt.datetime.strptime(value, "%Y-%m-%d")
                elif column in DANISH and language == "da":
                    value = DANISH[column].get(value, value)
                elif column.startswith(("who5_", "ors_", "srs_")) or column in ("age", "visit") or \
                        column.endswith("_12m"):
                    value = float(value) if "." in value else int(value)
                sheet.cell(row=i, column=j, value=value)
    book.save(out)
    return out


@pytest.mark.parametrize("language", ["da", "en"])
def test_template_has_a_sheet_per_table_with_the_contract_headers_and_checks(tmp_path, language):
    path = write_template(tmp_path / "t.xlsx", language)
    book = load_workbook(path)
    assert book.sheetnames == [SHEETS[language][t] for t in (*TABLES, "guide")]
    n_columns = 0
    for table in TABLES:
        props = load_schema(SCHEMA_DIR / f"{table}.schema.yaml")["properties"]
        sheet = book[SHEETS[language][table]]
        assert [c.value for c in sheet[1]] == list(props)
        assert sheet.cell(row=2, column=1).value == ("EKSEMPEL" if language == "da" else "EXAMPLE")
        n_columns += len(props)
        rules = {str(r.sqref).split(":")[0][:-1]: r for r in sheet.data_validations.dataValidation}
        letter = {c.value: c.column_letter for c in sheet[1]}
        if table == "randomisation":
            assert rules[letter["arm"]].formula1 == ('"FIT,kontrol"' if language == "da" else '"FIT,control"')
            assert rules[letter["randomised_on"]].type == "date"
        if table == "citizens":
            assert rules[letter["sex"]].formula1 == ('"K,M"' if language == "da" else '"F,M"')
            assert rules[letter["kept_housing_12m"]].formula1 == '"0,1"'
            assert "frafald" in rules[letter["end_reason"]].formula1 or language == "en"
        if table == "who5":
            item = rules[letter["who5_1"]]
            assert (item.type, item.formula1, item.formula2) == ("whole", "0", "5")
    guide = book[SHEETS[language]["guide"]]
    assert sum(1 for row in guide.iter_rows(min_row=7) if row[1].value) == n_columns


def test_filled_workbook_reads_as_the_csv_files(tmp_path):
    filled = fill(write_template(tmp_path / "t.xlsx", "da"), tmp_path / "filled.xlsx")
    config = {"inputs": {"workbook": str(filled)}}
    assert expand_workbook(config, set()) == []
    assert config["inputs"]["citizens"] == {"path": str(filled), "sheet": "borgere"}
    from_book, outcome = _read_and_check(config["inputs"], SCHEMA_DIR)
    assert outcome.ok, [p.format() for p in outcome.problems[:5]]
    from_csv, _ = _read_and_check({t: str(EXAMPLE / f"{t}.csv") for t in TABLES}, SCHEMA_DIR)
    for table in ("randomisation", "citizens", "who5", "fit_sessions"):
        a = getattr(from_book, table).drop(columns="_row").reset_index(drop=True)
        b = getattr(from_csv, table).drop(columns="_row").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # the worked example row (row 2) is skipped; the first record keeps its row number in the sheet
    assert from_book.citizens["_row"].iloc[0] == "row 3"


def test_workbook_problems_are_named(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "en")
    book = load_workbook(path)
    del book["citizens"], book["fit_sessions"]
    book.save(path)
    config = {"inputs": {"workbook": str(path), "fit_sessions": "mine.csv"}}
    problems = expand_workbook(config, {"fit_sessions"})
    assert problems == [f"inputs.workbook: '{path}' has no sheet 'borgere' or 'citizens' for the citizens table; it "
                        "has 'randomisation', 'who5', 'guide'."]
    assert config["inputs"]["fit_sessions"] == "mine.csv"
    assert "is not an Excel workbook" in expand_workbook({"inputs": {"workbook": "data.csv"}}, set())[0]
    assert "does not exist" in expand_workbook({"inputs": {"workbook": str(tmp_path / "no.xlsx")}}, set())[0]


def test_a_user_config_with_only_a_workbook_names_every_input(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "da")
    own = tmp_path / "my.yaml"
    own.write_text(yaml.safe_dump({"inputs": {"workbook": str(path)}}), encoding="utf-8")
    bundled = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config = {**bundled, "inputs": {**bundled["inputs"], "workbook": str(path)}}  # as Snakemake merges them
    assert apply_user_inputs(config, [str(ROOT / "config" / "config.yaml"), str(own)],
                             str(ROOT / "config" / "config.yaml")) == []
    assert {t: config["inputs"][t]["sheet"] for t in TABLES} == {t: SHEETS["da"][t] for t in TABLES}
    assert "workbook" not in config["inputs"]


def test_command_line(tmp_path, capsys):
    assert main(["--language", "en", "--output", str(tmp_path / "x.xlsx")]) == 0
    assert (tmp_path / "x.xlsx").exists() and "inputs: {workbook:" in capsys.readouterr().out
    assert main(["--output", str(tmp_path / "x.xlsx")]) == 2  # never overwrites
    assert main(["--output", str(tmp_path / "x.csv")]) == 2
    script = Path(sys.executable).with_name("fittrial-template")
    proc = subprocess.run([str(script), "-o", str(tmp_path / "y.xlsx")], capture_output=True, text=True)
    assert proc.returncode == 0 and (tmp_path / "y.xlsx").exists(), proc.stderr
