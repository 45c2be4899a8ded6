"""What an input file lacks against the contract, and the mappings proposed for it (fittrial.inputs.mapping; the
evaluator's desk shows them as a form)."""

from __future__ import annotations

from conftest import ROOT

from fittrial.inputs.mapping import table_gaps, with_mappings
from fittrial.inputs.validation import load_schema


def schema(name):
    return load_schema(ROOT / "workflow" / "schemas" / f"{name}.schema.yaml")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_headers_in_other_words_are_proposed_and_the_arm_codes_never(tmp_path):
    file = write(tmp_path / "r.csv", "Medarbejder;Tildeling;Tilbud\nA1;1;X\nA2;2;X\nA3;1;Y\nA4;2;Y\n")
    columns, codes = table_gaps(file, "randomisation", schema("randomisation"))
    assert [(g.column, g.required, g.proposed) for g in columns] == [
        ("caseworker_id", True, "Medarbejder"), ("arm", True, "Tildeling"), ("stratum", False, "Tilbud")]
    assert [(g.code, g.count, g.proposed) for g in codes] == [("1", 2, None), ("2", 2, None)]  # never guessed
    columns, codes = table_gaps(file, "randomisation", schema("randomisation"),
                                columns={"caseworker_id": "Medarbejder", "arm": "Tildeling", "stratum": "Tilbud"},
                                values={"arm": {"1": "FIT", "2": "control"}})
    assert columns == [] and codes == []


def test_codes_are_proposed_from_the_readers_own_words(tmp_path):
    file = write(tmp_path / "c.csv", "citizen_id,caseworker_id,sex,end_reason,kept_housing_12m\n"
                                     "1,A1,Kvinde,Frafaldet,ja\n2,A1,M,gennemført,Nej\n3,A2,?,xyz,1\n")
    columns, codes = table_gaps(file, "citizens", schema("citizens"))
    assert columns == []  # every contract column is there or absent with no spare header to offer
    found = {(g.column, g.code): g.proposed for g in codes}
    assert found == {("sex", "?"): None, ("end_reason", "Frafaldet"): "dropout", ("end_reason", "xyz"): None,
                     ("kept_housing_12m", "ja"): "1", ("kept_housing_12m", "Nej"): "0"}


def test_mappings_are_merged_into_the_inputs():
    inputs = {"workbook": "data/b.xlsx", "citizens": {"path": "data/b.xlsx", "sheet": "borgere",
                                                      "values": {"sex": {"9": None}}}}
    out = with_mappings(inputs, "data/b.xlsx", {"randomisation": "randomisering", "citizens": "borgere"},
                        {"randomisation": {"arm": "Tildeling"}}, {"citizens": {"sex": {"1": "M"}}})
    assert out["workbook"] == "data/b.xlsx"
    assert out["randomisation"] == {"path": "data/b.xlsx", "sheet": "randomisering", "columns": {"arm": "Tildeling"}}
    assert out["citizens"] == {"path": "data/b.xlsx", "sheet": "borgere", "values": {"sex": {"9": None, "1": "M"}}}
