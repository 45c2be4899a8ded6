"""The evaluator's desk (``fittrial app``, issue 25): a local web app from the Excel template to the data check.

In-process with Starlette's TestClient (no browser): the token guards every page, the interface is Danish with
English on a switch, the template downloads, and an uploaded workbook is saved in the evaluation folder, written into
its config and checked by the workflow's own ``check`` target, whose page is shown inline with the problems by row
and column."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from starlette.testclient import TestClient

from fittrial.desk.app import CONFIG_NAME, create_app

TOKEN = "test-token-not-secret"
SHEETS = (("randomisering", "randomisation"), ("borgere", "citizens"), ("who5", "who5"),
          ("fit_sessioner", "fit_sessions"))


@pytest.fixture()
def client(tmp_path):
    app = create_app(language="da", token=TOKEN, scratch=tmp_path / "scratch")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def example_workbook(change=None) -> bytes:
    """The bundled example as one workbook with the template's Danish sheet names (``change``: edits the tables)."""
    tables = {name: pd.read_csv(ROOT / "data" / "example" / f"{name}.csv", dtype=str, keep_default_na=False)
              for _, name in SHEETS}
    if change:
        change(tables)
    out = io.BytesIO()
    with pd.ExcelWriter(out) as writer:
        for sheet, name in SHEETS:
            tables[name].to_excel(writer, sheet_name=sheet, index=False)
    return out.getvalue()


def test_every_page_needs_the_token(client):
    refused = client.get("/")
    assert refused.status_code == 403 and "Adgang nægtet" in refused.text
    assert client.get("/", params={"token": "wrong"}).status_code == 403
    assert client.get("/template", params={"token": "wrong"}).status_code == 403
    page = client.get("/", params={"token": TOKEN})
    assert page.status_code == 200 and '<html lang="da">' in page.text and "Evaluatorens skrivebord" in page.text
    assert client.get("/").status_code == 200  # the token's cookie carries the session on


def test_danish_by_default_english_on_a_switch(client):
    assert "Hent den danske skabelon" in client.get("/", params={"token": TOKEN}).text
    english = client.get("/language/en", headers={"referer": "/"})
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert "The evaluator&#39;s desk" in english.text and "Download the template in English" in english.text
    assert "Hent den danske skabelon" not in english.text


def test_a_folder_then_the_template(client, tmp_path):
    client.get("/", params={"token": TOKEN})
    folder = tmp_path / "evaluering"
    answer = client.post("/folder", data={"folder": str(folder)})
    assert answer.status_code == 200 and str(folder) in answer.text  # redirected to the data page
    assert f"cd {folder} &amp;&amp; fittrial check {CONFIG_NAME}" in answer.text
    got = client.get("/template", params={"lang": "en"})
    assert got.status_code == 200 and "fit-data-template-en.xlsx" in got.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    assert {"randomisation", "citizens", "who5", "fit_sessions", "guide"} <= set(book.sheetnames)
    assert (folder / "data" / "fit-data-template-en.xlsx").is_file()  # kept in the folder, not elsewhere
    bad = client.post("/folder", data={"folder": str(folder / "data" / "fit-data-template-en.xlsx")})
    assert "kan ikke bruges som mappe" in bad.text


def test_not_a_workbook_is_refused_without_running_anything(client, tmp_path):
    client.get("/", params={"token": TOKEN})
    client.post("/folder", data={"folder": str(tmp_path / "e")})
    page = client.post("/upload", files={"workbook": ("data.csv", b"a,b\n1,2\n", "text/csv")})
    assert "er ikke en Excel-projektmappe" in page.text
    assert not (tmp_path / "e" / CONFIG_NAME).exists() and not (tmp_path / "e" / "data-check.html").exists()


@pytest.mark.slow
def test_the_example_workbook_passes_the_check(client, tmp_path):
    client.get("/", params={"token": TOKEN})
    folder = tmp_path / "e"
    client.post("/folder", data={"folder": str(folder)})
    page = client.post("/upload", files={"workbook": ("Mine data.xlsx", example_workbook(), "application/octet-stream")})
    assert "Datakontrollen af Mine data.xlsx er bestået" in page.text and 'src="/data-check"' in page.text
    assert (folder / "data" / "fit-data.xlsx").is_file()
    config = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    assert "workbook: data/fit-data.xlsx" in config and "language: da" in config
    assert client.get("/data-check").status_code == 200


@pytest.mark.slow
def test_a_workbook_with_errors_lists_them_by_row_and_column(client, tmp_path):
    def bad_item(tables):
        tables["who5"].loc[2, "who5_1"] = "7"  # WHO-5 items are 0-5; the sheet's row 4 (header in row 1)

    client.get("/", params={"token": TOKEN})
    folder = tmp_path / "e"
    client.post("/folder", data={"folder": str(folder)})
    page = client.post("/upload", files={"workbook": ("data.xlsx", example_workbook(bad_item), "application/octet-stream")})
    assert "fandt problemer" in page.text
    check = client.get("/data-check").text
    assert "who5_1" in check and "række 4" in check and "forventet et helt tal fra 0 til 5" in check
    assert not (folder / "reports").exists()  # nothing was analysed


def _folder_with_example(client, folder: Path) -> None:
    client.get("/", params={"token": TOKEN})
    client.post("/folder", data={"folder": str(folder)})
    page = client.post("/upload", files={"workbook": ("data.xlsx", example_workbook(), "application/octet-stream")})
    assert "er bestået" in page.text


@pytest.mark.slow
def test_the_facts_form_writes_the_config_only_when_the_workflow_accepts_it(client, tmp_path):
    """Step 3: the form shows the config in force; a save is checked by the workflow's own checks (a dry run), and
    written only when they pass: a mistake is listed as the workflow says it and leaves the file as it was."""
    import re

    folder = tmp_path / "e"
    _folder_with_example(client, folder)
    form = client.get("/facts").text
    values = dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', form))
    values.update(re.findall(r'<input type="text" inputmode="numeric" name="([^"]+)" value="([^"]*)"', form))
    assert values["analysis.primary_visit"] == "12" and values["visits.2.latest_day"] == "456"
    values.update({"trial.setting": "Bostøtten i Aarhus", "mid": "10,5", "report.language": "da"})
    saved = client.post("/facts", data=values).text
    assert "Gemt i evaluation.yaml (ændret: trial.setting, yardsticks.who5_mid)" in saved
    config = yaml.safe_load((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    assert config["trial"] == {"setting": "Bostøtten i Aarhus"} and config["yardsticks"] == {"who5_mid": 10.5}
    assert "visits" not in config and "analysis" not in config  # the defaults are not copied in
    before = (folder / CONFIG_NAME).read_bytes()
    refused = client.post("/facts", data={**values, "analysis.primary_visit": "9"}).text
    assert "Intet blev gemt" in refused and "analysis.primary_visit: 9 er ikke et af besøgene i besøgsplanen" in refused
    assert 'value="9"' in refused  # the form as the user filled it in
    refused = client.post("/facts", data={**values, "mid": "ti"}).text
    assert "yardsticks.who5_mid: &#39;ti&#39; er tekst; forventet et tal" in refused
    assert (folder / CONFIG_NAME).read_bytes() == before and not list(folder.glob(".evaluation-candidate*"))


def test_a_config_the_user_broke_is_a_sentence_and_is_not_overwritten(client, tmp_path):
    folder = tmp_path / "e"
    folder.mkdir()
    broken = "inputs:\n  workbook: data/fit-data.xlsx\nreport: {language: da\n"
    (folder / CONFIG_NAME).write_text(broken, encoding="utf-8")
    client.get("/", params={"token": TOKEN})
    client.post("/folder", data={"folder": str(folder)})
    for page in ("/data", "/facts", "/design"):
        text = client.get(page).text
        assert f"{CONFIG_NAME}" in text and "linje" in text and "kolonne" in text, page
    answer = client.post("/upload", files={"workbook": ("d.xlsx", b"not really", "application/octet-stream")})
    assert "linje" in answer.text
    assert (folder / CONFIG_NAME).read_text(encoding="utf-8") == broken


def test_the_design_form_writes_the_design_section(client, tmp_path):
    from fittrial.desk import plan

    assert plan.numbers("10, 7,5 5") == [10, 7.5, 5] and plan.numbers("20;40") == [20, 40]
    config = plan.updated_config({"inputs": {"workbook": "x"}},
                                 {"effects": "10", "caseworkers": "20 41", "citizens_per_caseworker": "15",
                                  "trials": "50"})
    design = config["design"]
    assert design["simulation"] == {"effects": [10], "caseworkers_per_arm": [10, 20],
                                    "citizens_per_caseworker": [15], "trials": 50}
    assert design["binary"]["simulation"]["caseworkers_per_arm"] == [10, 20] and design["effects"] == [10]
    assert plan.form_values(config)["caseworkers"] == "20, 40"
    folder = tmp_path / "e"
    folder.mkdir()
    from fittrial.desk.app import save_config

    text = save_config(folder, config).read_text(encoding="utf-8")
    assert "&id" not in text and "*id" not in text  # no YAML aliases in a file a person reads


def test_the_saved_keys_are_named(client):
    from fittrial.desk.facts import changed_keys

    assert changed_keys({"a": 1}, {"a": 1, "trial": {"setting": "x"}}) == ["trial.setting"]


def test_every_text_of_the_pages_is_in_both_languages():
    """Each t('key') of the desk's templates and code, and each field's label and help, is in the catalogue, with a
    Danish text of its own."""
    import re

    from fittrial.desk import facts
    from fittrial.language.messages import messages

    desk = ROOT / "src" / "fittrial" / "desk"
    keys = {k for path in [*desk.glob("templates/*.html"), *desk.glob("*.py")]
            for k in re.findall(r"\bt\(\s*'(dk_\w+)'|\bt\(\s*\"(dk_\w+)\"", path.read_text(encoding="utf-8"))
            for k in k if k and not k.endswith("_")}
    keys |= {f.label for f in facts.FIELDS} | {f.help for f in facts.FIELDS if f.help} | \
        {title for title, _ in facts.SECTIONS}
    keys |= {f"dk_{p}_{n}" for p in ("d", "dh") for n in ("effects", "caseworkers", "citizens_per_caseworker", "trials")}
    keys |= {f"dk_f_{k}" for k in ("visit", "target_day", "earliest_day", "latest_day")}
    assert len(keys) > 90
    text = messages()
    missing = sorted(k for k in keys if k not in text["en"] or k not in text["da"])
    assert not missing
    same = [k for k in keys if text["da"][k] == text["en"][k]]  # a word both languages share
    assert sorted(same) == ["cs_blinding", "dk_nav_data", "dk_nav_start"]


@pytest.mark.slow
def test_headers_and_codes_that_differ_are_mapped_in_a_form(client, tmp_path):
    """Step 2's mapping form: a workbook whose sheets name columns and write codes otherwise fails the check; the
    form lists each gap with the app's proposals (gender for sex, Borgernummer for citizen_id, 'Frafaldet' as
    dropout; never the arm codes),
    the user's choices go into the config as the table's columns and values, and the check passes."""
    import re

    def exported(tables):
        tables["citizens"] = tables["citizens"].rename(columns={"sex": "gender", "citizen_id": "Borgernummer"})
        tables["citizens"].loc[3, "end_reason"] = "Frafaldet"
        tables["randomisation"] = tables["randomisation"].rename(columns={"arm": "allocation"})
        tables["randomisation"]["allocation"] = tables["randomisation"]["allocation"].replace({"control": "1",
                                                                                              "FIT": "2"})
    client.get("/", params={"token": TOKEN})
    folder = tmp_path / "e"
    client.post("/folder", data={"folder": str(folder)})
    page = client.post("/upload", files={"workbook": ("data.xlsx", example_workbook(exported), "application/x")}).text
    assert "fandt problemer" in page and 'action="/mapping"' in page
    rows = re.findall(r'<tr><td>(\w+)</td><td>(?:<label for="col-\d+">)?([\w ()]+?)(?:</label>)?</td>.*?'
                      r'<select id="((?:col|code)-\d+)"(.*?)</select>', page, re.S)
    selected = {(table, what.strip()): re.findall(r'<option value="([^"]*)" selected', options)
                for table, what, _, options in rows}
    ids = {(table, what.strip()): field for table, what, field, _ in rows}
    assert selected[("randomisering", "arm (påkrævet)")] == ["allocation"]
    assert selected[("borgere", "sex")] == ["gender"] and selected[("borgere", "citizen_id (påkrævet)")] == ["Borgernummer"]
    codes = dict(re.findall(r'<label for="(code-\d+)">([^<]+)</label>', page))
    by_code = {code: field for field, code in codes.items()}
    assert {"1", "2", "Frafaldet"} <= set(by_code)
    choices = {field: re.findall(r'<option value="([^"]*)" selected', options)
               for _, _, field, options in rows if field.startswith("code-")}
    assert choices[by_code["Frafaldet"]] == ["dropout"] and choices[by_code["1"]] == choices[by_code["2"]] == []
    form = {ids[("randomisering", "arm (påkrævet)")]: "allocation", ids[("borgere", "sex")]: "gender",
            ids[("borgere", "citizen_id (påkrævet)")]: "Borgernummer",
            by_code["1"]: "control", by_code["2"]: "FIT", by_code["Frafaldet"]: "dropout"}
    page = client.post("/mapping", data=form).text
    assert "Datakontrollen af data.xlsx er bestået" in page, page[-3000:]
    inputs = yaml.safe_load((folder / CONFIG_NAME).read_text(encoding="utf-8"))["inputs"]
    assert inputs["randomisation"] == {"path": "data/fit-data.xlsx", "sheet": "randomisering",
                                       "columns": {"arm": "allocation"}, "values": {"arm": {"1": "control", "2": "FIT"}}}
    assert inputs["citizens"]["columns"] == {"citizen_id": "Borgernummer", "sex": "gender"}
    assert inputs["citizens"]["values"] == {"end_reason": {"Frafaldet": "dropout"}}
    # uploading the workbook again keeps the mappings
    page = client.post("/upload", files={"workbook": ("data.xlsx", example_workbook(exported), "application/x")}).text
    assert "er bestået" in page


def test_no_cpr_like_number_reaches_a_page(client, tmp_path):
    from fittrial.desk.app import _templates

    shown = _templates["da"].from_string("{{ a }} / {{ b }}").render(a="0101701234", b="Kode 010170-1234")
    assert "1234" not in shown and "0101" not in shown


@pytest.mark.slow
def test_another_snakemake_in_the_folder_is_a_sentence(client, tmp_path):
    """One run at a time per folder: while `fittrial run` works in the folder from a terminal, the desk's run stops
    at Snakemake's lock and the page says so in words."""
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "e"
    _folder_with_example(client, folder)
    terminal = subprocess.Popen([sys.executable, "-m", "fittrial.steps.cli", "run", CONFIG_NAME], cwd=folder,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert terminal.stderr is not None
        for line in terminal.stderr:  # until its first job has started: the folder is locked
            if line.startswith(("rule ", "localrule ")):
                break
        client.post("/run/start")
        desk = client.app.state.desk
        assert desk.job.wait(120)
        page = client.get("/run").text
        assert "Et andet program (Snakemake" in page and desk.job.locked
    finally:
        os.killpg(terminal.pid, signal.SIGINT)
        terminal.wait(60)
        time.sleep(0.1)
