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


def _wait(client, seconds: float = 600) -> str:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        text = client.get("/run").text
        if 'http-equiv="refresh"' not in text:
            return text
        time.sleep(1)
    raise AssertionError("the run did not end")


@pytest.mark.slow
def test_a_run_shows_its_progress_and_the_report_as_the_command_line_makes_it(client, tmp_path):
    """Step 3: one button runs the whole workflow in the folder; while it runs the page shows the steps done of all
    and refreshes itself; then the report is shown, and its effects table is byte-identical to the command line's
    (`fittrial run evaluation.yaml` in a copy of the folder)."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "e"
    _folder_with_example(client, folder)
    shutil.copytree(folder, tmp_path / "cli")
    running = client.post("/run/start")
    assert 'http-equiv="refresh"' in running.text and "<progress" in running.text and "trin færdige" in running.text
    done = _wait(client)
    assert "Evalueringen er færdig" in done and 'src="/report"' in done
    assert client.get("/report").status_code == 200
    # the results to take away: the PDF, and reports/ as one zip whose files are the folder's, byte for byte
    import io
    import zipfile

    assert "Hent rapporten (PDF)" in done and client.get("/download/pdf").content.startswith(b"%PDF")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/download/zip").content))
    files = sorted(p for p in (folder / "reports").rglob("*") if p.is_file())
    assert archive.namelist() == [f"reports/{p.relative_to(folder / 'reports')}" for p in files]
    assert archive.read("reports/tables/effects.csv") == (folder / "reports" / "tables" / "effects.csv").read_bytes()
    assert client.get("/download/zip").content == client.get("/download/zip").content  # the same zip each time
    cli = subprocess.run([sys.executable, "-m", "fittrial.steps.cli", "run", CONFIG_NAME], cwd=tmp_path / "cli",
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr[-2000:]
    ours = (folder / "reports" / "tables" / "effects.csv").read_bytes()
    assert ours == (tmp_path / "cli" / "reports" / "tables" / "effects.csv").read_bytes()


@pytest.mark.slow
def test_cancel_leaves_the_results_as_they_were(client, tmp_path):
    import time

    folder = tmp_path / "e"
    _folder_with_example(client, folder)
    client.post("/run/start")
    end = time.monotonic() + 120
    while "1 af" not in client.get("/run").text and time.monotonic() < end:  # a step has finished
        time.sleep(0.5)
    page = client.post("/run/cancel")
    assert "Kørslen blev afbrudt" in page.text
    assert not (folder / "reports").exists()
