"""No single typo changes a result silently (issue 23): each plausible slip of a user's hand or of an export is an
error naming file, row, column and value, or a named note with what the pipeline does with it.

Each test makes one such slip in the bundled example (or a small simulated trial) and checks the outcome; on the
code before issue 23 every one of them ran through with exit 0 and no word.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from fittrial.base.errors import InputError
from fittrial.inputs.dataset import build_analysis_data, censoring_date
from fittrial.inputs.read import read_table
from fittrial.inputs.scoring import windows_from_config
from fittrial.inputs.validation import load_schema, validate_inputs
from fittrial.steps.config import check_config, schema_problems
from fittrial.steps.inputs import read_input

EXAMPLE = ROOT / "data" / "example"
TABLES = ("randomisation", "citizens", "who5", "fit_sessions")
SCHEMAS = {n: load_schema(ROOT / "workflow" / "schemas" / f"{n}.schema.yaml") for n in TABLES}
VISITS = [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
          {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
          {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}]


@pytest.fixture()
def example(tmp_path: Path) -> dict[str, Path]:
    """A copy of the bundled example's four tables."""
    out = {}
    for name in TABLES:
        out[name] = tmp_path / f"{name}.csv"
        shutil.copy(EXAMPLE / f"{name}.csv", out[name])
    return out


def read(name: str, path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def validate(paths: dict[str, Path | dict], censor_on: str | None = None):
    raws = {n: read_input(n, p if isinstance(p, dict) else str(p)) for n, p in paths.items()}
    return validate_inputs(raws, {n: SCHEMAS[n] for n in paths}, [0, 6, 12], censor_on=censor_on)


def problems(paths, censor_on: str | None = None) -> list[str]:
    with pytest.raises(InputError) as info:
        validate(paths, censor_on)
    return [p.format() for p in info.value.problems]


def test_a_year_typed_wrong_in_one_end_date_is_an_error_not_a_new_censoring_date(example):
    """One ended_on typed 2025 for 2015 moved the censoring date by ten years and turned 222 unknown outcomes
    into 0 (issue 23, case 1)."""
    before = censoring_date(validate(example))
    frame = read("citizens", example["citizens"])
    row = int(frame.index[frame["ended_on"].str.startswith("2015")][0])
    typo = "2025" + frame.loc[row, "ended_on"][4:]
    frame.loc[row, "ended_on"] = typo
    write(frame, example["citizens"])
    found = problems(example)
    assert len(found) == 1, found
    assert f"row {row + 2}" in found[0] and "column 'ended_on'" in found[0] and typo in found[0]
    assert "days after every other date" in found[0] and "analysis.censor_on" in found[0]
    assert before < pd.Timestamp("2019-01-01")  # the data end in 2018


def test_a_year_typed_wrong_at_the_start_is_an_error_too(example):
    frame = read("who5", example["who5"])
    frame.loc[3, "answered_on"] = "2006" + frame.loc[3, "answered_on"][4:]
    write(frame, example["who5"])
    (found,) = problems(example)
    assert "row 5" in found and "days before every other date" in found


def test_dates_after_a_stated_censoring_date_are_named_notes(example):
    """With analysis.censor_on the data end where the user says; later dates are kept, and each is a note saying
    what is done with it."""
    trial = validate(example, censor_on="2016-06-30")
    noted = trial.notes[trial.notes["check"].str.startswith("date after the censoring date 2016-06-30")]
    assert len(noted) > 0 and set(noted["table"]) <= {"citizens", "who5", "fit_sessions"}
    assert censoring_date(trial, "2016-06-30") == pd.Timestamp("2016-06-30")


def test_a_stratum_written_composed_and_decomposed_is_one_stratum(example):
    """"Bostøtte" written with a composed and a decomposed letter looked like one stratum and was two (case 2)."""
    frame = read("randomisation", example["randomisation"])
    frame["stratum"] = "Skovlå " + frame["stratum"]
    decomposed = frame.index[::2]
    frame.loc[decomposed, "stratum"] = [unicodedata.normalize("NFD", s) for s in frame.loc[decomposed, "stratum"]]
    assert frame["stratum"].nunique() > frame["stratum"].map(lambda s: unicodedata.normalize("NFC", s)).nunique()
    write(frame, example["randomisation"])
    trial = validate(example)
    expected = read("randomisation", EXAMPLE / "randomisation.csv")["stratum"].nunique()
    assert trial.randomisation["stratum"].nunique() == expected


def test_strata_that_differ_only_by_case_are_an_error_naming_both_rows(example):
    frame = read("randomisation", example["randomisation"])
    first = frame.loc[0, "stratum"]
    other = int(frame.index[(frame["stratum"] == first)][1])
    frame.loc[other, "stratum"] = first.upper()
    write(frame, example["randomisation"])
    found = [p for p in problems(example) if "only by case" in p]
    assert len(found) == 1 and f"row {other + 2}" in found[0] and "row 2" in found[0]


@pytest.mark.parametrize("variant", ["case", "invisible"])
def test_ids_that_differ_only_by_case_or_invisible_characters_are_an_error(example, variant):
    """P11-00000x and p11-00000X were two citizens (case 3)."""
    frame = read("citizens", example["citizens"])
    original = frame.loc[1, "citizen_id"]
    twin = original.lower() if variant == "case" else original[:2] + "\u200b" + original[2:]
    frame.loc[5, "citizen_id"] = twin
    write(frame, example["citizens"])
    found = [p for p in problems(example) if "only by case, spaces, accents or invisible characters" in p]
    assert found and "row 7" in found[0] and "row 3" in found[0] and "citizen_id" in found[0]


def test_a_formula_without_a_computed_value_is_an_error_naming_sheet_and_cell(example, tmp_path):
    """WHO-5 cells holding formulas with no cached value were read as empty (case 4)."""
    from openpyxl import Workbook

    frame = read("who5", example["who5"])
    book = Workbook()
    sheet = book.active
    sheet.title = "WHO-5"
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in values])
    sheet["C4"] = "=2+2"  # written by a program that does not calculate: no cached value
    path = tmp_path / "who5.xlsx"
    book.save(path)
    found = problems({**example, "who5": {"path": str(path), "sheet": "WHO-5"}})
    assert len(found) == 1 and "sheet 'WHO-5'" in found[0] and "C4 (=2+2)" in found[0]
    assert "formula without a computed value" in found[0]


def test_hidden_excel_rows_are_a_named_note(example, tmp_path):
    from openpyxl import Workbook

    frame = read("who5", example["who5"])
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in values])
    sheet.row_dimensions[7].hidden = True
    path = tmp_path / "who5.xlsx"
    book.save(path)
    trial = validate({**example, "who5": path})
    hidden = trial.notes[trial.notes["check"] == "row hidden in the Excel sheet"]
    assert list(hidden["row"]) == ["row 7"] and list(hidden["table"]) == ["who5"]


def test_a_visit_label_that_its_date_contradicts_is_a_named_note(example):
    """A visit label that disagreed with the form's date silently dropped the baseline (case 5)."""
    frame = read("who5", example["who5"])
    frame.insert(2, "visit", "")
    frame.loc[0, "visit"] = "6"  # the citizen's baseline form (answered two days after enrolment), labelled 6
    write(frame, example["who5"])
    trial = validate(example)
    _, _, notes = build_analysis_data(trial, windows_from_config(VISITS))
    said = notes[notes["check"].str.startswith("the visit column says visit 6")]
    assert list(said["row"]) == ["row 2"] and "visit 0's window" in said["check"].iloc[0]


def test_a_columns_mapping_that_names_no_contract_column_is_an_error(example):
    """``columns: {sexx: sex}`` was ignored (case 6)."""
    found = problems({**example, "citizens": {"path": str(example["citizens"]), "columns": {"sexx": "sex"}}})
    assert "'sexx' is not a column of the contract" in found[0]  # (and the renamed column is a near miss of sex)


def test_a_sheet_on_a_csv_file_is_an_error(example):
    found = problems({**example, "who5": {"path": str(example["who5"]), "sheet": "WHO-5"}})
    assert len(found) == 1 and "has no sheets" in found[0] and "who5.csv" in found[0]


def test_unknown_ids_are_reported_with_the_value_errors_in_one_pass(example):
    """A first run listed the value errors and hid the unknown ids until those were fixed."""
    frame = read("who5", example["who5"])
    frame.loc[0, "who5_1"] = "9"  # a value error
    frame.loc[1, "citizen_id"] = "B99999"  # an unknown citizen
    write(frame, example["who5"])
    found = problems(example)
    assert any("row 2" in p and "who5_1" in p for p in found)
    assert any("row 3" in p and "not in the citizens table" in p for p in found)


SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def example_config() -> dict:
    import yaml

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config.update(yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8")))
    return config


@pytest.mark.parametrize("change, key, said", [
    (lambda c: c["analysis"].update(primary_visit="twelve"), "analysis.primary_visit: 'twelve'", "whole number"),
    (lambda c: c["analysis"].update(censor_on="15/02/2016"), "analysis.censor_on: '15/02/2016'", "YYYY-MM-DD"),
    (lambda c: c.update(anlysis={}), "anlysis: unknown key (did you mean 'analysis'?)", "expected one of"),
    (lambda c: c["report"].update(language="de"), "report.language: 'de'", "one of 'en', 'da'"),
    (lambda c: c["inputs"].update(citizens=["a.csv"]), "inputs.citizens: ['a.csv'] is a list", "text"),
    (lambda c: c["inputs"].update(citizens={"path": "a.csv", "colums": {}}), "inputs.citizens.colums: unknown key",
     "did you mean 'columns'"),
    (lambda c: c["analysis"]["imputation"].update(m=-3), "analysis.imputation.m: -3", "at least 2"),
    (lambda c: c["visits"][1].pop("target_day"), "visits[1].target_day: not set", "expected"),
    (lambda c: c["analysis"].update(km_days="90"), "analysis.km_days: '90' is text", "a list"),
])
def test_every_config_mistake_is_one_sentence_naming_key_value_and_expectation(change, key, said):
    config = example_config()
    change(config)
    (found,) = schema_problems(config, SCHEMA)
    assert found.startswith(key) and said in found and "$ref" not in found and "{'type'" not in found


@pytest.mark.parametrize("change, said", [
    (lambda a: a.update(km_days=[500, 600]), "analysis.km_days: [500, 600] has no day within the outcome window"),
    (lambda a: a["imputation"].update(delta_from=10, delta_to=-10), "delta_from (10) lies above delta_to (-10)"),
])
def test_config_values_that_crashed_a_job_are_sentences_before_any_job(change, said):
    """km_days all beyond the window (KeyError in time_to_dropout) and delta_from > delta_to (KeyError in
    multiple_imputation) were tracebacks."""
    from snakemake.utils import validate as set_defaults

    config = example_config()
    set_defaults(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"), set_default=True)
    change(config["analysis"])
    assert any(said in p for p in check_config(config)), check_config(config)


def test_read_table_keeps_reading_a_csv_without_a_sheet():
    raw = read_table(EXAMPLE / "who5.csv", "who5")
    assert len(raw.frame) > 0 and raw.hidden_rows == []


def test_a_full_disk_while_writing_names_the_file(tmp_path, monkeypatch):
    """Arrow raises "No space left on device" without a file name; the message must name the file being written,
    not its temporary copy (issue 23)."""
    import errno

    from fittrial.base.files import write_parquet

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    target = tmp_path / "derived" / "clean" / "citizens.parquet"
    with pytest.raises(OSError) as info:
        write_parquet(pd.DataFrame({"a": [1]}), target)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert list(target.parent.iterdir()) == []  # nothing half-written


# --- found by an independent new-user audit of issue 23 (209 slips; these were silent) ------------------------------

def danish(message: str) -> str:
    """The message in Danish; fails if the catalogue cannot read it back."""
    from fittrial.language.messages import translate

    missing: list[str] = []
    out = translate(message, "da", missing=missing)
    assert not missing, missing
    return out


def test_a_date_typed_a_year_late_but_within_a_year_of_the_data_does_not_move_the_censoring_date(example):
    """D12: a course end typed 2017 for 2016, 354 days past every other date, moved the censoring date and turned
    45 unknown outcomes into 0. The data end where another date confirms them; the lone date is a named note."""
    clean = censoring_date(validate(example))
    frame = read("citizens", example["citizens"])
    row = int(frame.index[frame["ended_on"] != ""][-1])
    late = clean + pd.Timedelta(days=300)
    frame.loc[row, "ended_on"] = f"{late:%Y-%m-%d}"
    write(frame, example["citizens"])
    trial = validate(example)
    assert censoring_date(trial) == clean
    noted = trial.notes[trial.notes["check"].str.startswith("date after the end of the data")]
    assert list(noted["row"]) == [f"row {row + 2}"] and danish(noted["check"].iloc[0]).startswith("dato efter")


@pytest.mark.parametrize("table, header, meant", [("randomisation", "stratum", "strata"), ("citizens", "sex", "gender"),
                                                  ("citizens", "kept_housing_12m", "kept_housing"),
                                                  ("randomisation", "randomised_on", "randomized_on")])
def test_a_misspelled_optional_header_is_an_error_not_a_column_ignored(example, table, header, meant):
    """R9-R13: 'strata' for 'stratum' analysed the trial unstratified without a word."""
    frame = read(table, example[table]).rename(columns={header: meant})
    write(frame, example[table])
    (found,) = problems(example)
    assert f"column '{meant}'" in found and f"looks like '{header}'" in found and "header" in found
    danish(found.split(": ", 2)[-1])


def test_a_stratum_typed_without_its_danish_letter_is_an_error(example):
    """U11: 'Skovla' for 'Skovlå' made a third stratum."""
    frame = read("randomisation", example["randomisation"])
    frame["stratum"] = frame["stratum"].replace({"Bostøtte": "Bostotte"}, regex=False).where(
        frame.index % 2 == 0, frame["stratum"])
    assert frame["stratum"].nunique() == read("randomisation", EXAMPLE / "randomisation.csv")["stratum"].nunique() + 1
    write(frame, example["randomisation"])
    found = [p for p in problems(example) if "only by case, spaces, accents or invisible characters" in p]
    assert found


def test_an_identical_fit_session_exported_twice_counts_once_with_a_note(example):
    """U19: duplicated sessions raised the meetings per citizen."""
    frame = read("fit_sessions", example["fit_sessions"])
    write(pd.concat([frame, frame.iloc[:3]], ignore_index=True), example["fit_sessions"])
    trial = validate(example)
    assert len(trial.fit_sessions) == len(frame)
    noted = trial.notes[trial.notes["check"] == "identical duplicate FIT session (counted once)"]
    assert len(noted) == 3 and danish(noted["check"].iloc[0]).startswith("identisk")


def test_a_randomisation_date_years_before_the_others_is_an_error(example):
    """D9: randomised_on 2005 for 2015 changed the recruitment table without a word."""
    frame = read("randomisation", example["randomisation"])
    frame.loc[0, "randomised_on"] = "2005" + frame.loc[0, "randomised_on"][4:]
    write(frame, example["randomisation"])
    (found,) = problems(example)
    assert "row 2" in found and "randomised_on" in found and "before every other date" in found


def test_reports_inside_the_derived_folder_is_a_config_error():
    """K44: paths.reports: data/derived would publish citizen-level data."""
    from snakemake.utils import validate as set_defaults

    config = example_config()
    set_defaults(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"), set_default=True)
    config["paths"]["reports"] = "data/derived"
    (found,) = [p for p in check_config(config) if p.startswith("paths.reports")]
    assert "overlap" in found and danish(found)


def test_a_csv_row_with_a_cell_left_out_is_a_named_note(example):
    """S13: a row one cell short was read with the rest shifted or empty, without a word."""
    lines = example["citizens"].read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0]  # the last cell left out
    example["citizens"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    trial = validate(example)
    short = trial.notes[trial.notes["check"] == "row with fewer cells than the header"]
    assert list(short["row"]) == ["row 5"] and danish(short["check"].iloc[0]).startswith("række")


def test_a_binary_outcome_column_the_config_names_must_be_in_the_file(example):
    """K38: binary_outcomes naming 'kept_housing_12mm' (a typo) left the outcome 'not recorded' without a word."""
    from fittrial.base.catalogue import input_schemas

    measures = {"binary_outcomes": [{"name": "kept_housing", "column": "kept_housing_12mm",
                                     "label": {"en": "Kept housing", "da": "Beholdt bolig"}}]}
    schemas = input_schemas(SCHEMAS, measures)
    raws = {n: read_input(n, str(p)) for n, p in example.items()}
    with pytest.raises(InputError) as info:
        validate_inputs(raws, schemas, [0, 6, 12])
    (found,) = [p.format() for p in info.value.problems]
    assert "column 'kept_housing_12mm'" in found and "required column is missing" in found
