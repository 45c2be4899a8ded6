"""The evaluator's desk in a real browser (issue 25): ``fittrial app`` started as a user starts it, driven by Selenium
through Debian's Chromium and chromium-driver (no browser download).

(a) a new folder, the template, the bundled example's workbook uploaded, the data check passed, the facts form, the
run with its progress, the report shown, its ``effects.csv`` byte-identical to the command line's, verify, and the
design study; (b) a workbook with errors: its problems listed with row and column, nothing run; (c) cancel during a
run: ``reports/`` as it was; (d) the Danish and the English interface; (e) the address without the token is refused.
Every page is checked with axe-core (from the npm registry, fetched by ``tools/fetch_axe.py``) for serious or
critical accessibility violations. Skipped without a browser, except in CI (``CI=true``), where a missing browser is
a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from test_desk import example_workbook

sys.path.insert(0, str(ROOT / "tools"))
from fetch_axe import axe_path  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = next((p for n in ("chromium", "chromium-browser") if (p := shutil.which(n))), None)
MISSING = [what for what, ok in (("chromium", CHROMIUM), ("chromium-driver", CHROMEDRIVER),
                                  ("axe-core (python tools/fetch_axe.py)", axe_path().exists())) if not ok]
if MISSING and os.environ.get("CI"):
    pytest.fail(f"CI runs the browser tests: missing {', '.join(MISSING)} (.ci/run installs them)",
                pytrace=False)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``fittrial app --no-browser`` as a user runs it; its address with the token, from what it prints."""
    home = tmp_path_factory.mktemp("desk")
    proc = subprocess.Popen([sys.executable, "-m", "fittrial.steps.cli", "app", "--no-browser"], cwd=home,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", line)
    assert found, line
    base, token = found.group(1), found.group(2)
    for _ in range(100):  # until it answers
        try:
            import urllib.request

            urllib.request.urlopen(f"{base}/?token={token}", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield {"base": base, "token": token, "home": home}
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1400", "--lang=da"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.downloads = downloads
    yield driver
    driver.quit()


def open_desk(browser, server, path: str = "/") -> None:
    browser.get(f"{server['base']}{path}?token={server['token']}")


def text(browser) -> str:
    return browser.find_element("tag name", "body").text


def wait_for(browser, condition, seconds: float = 600, every: float = 0.5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if found := condition(browser):
                return found
        except Exception:  # noqa: BLE001 - the page is reloading itself
            pass
        time.sleep(every)
    raise AssertionError(f"timed out; the page says:\n{text(browser)[:2000]}")


def accessibility_problems(browser) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (rule, impact, first element)."""
    if not browser.execute_script("return typeof axe !== 'undefined'"):
        browser.execute_script(axe_path().read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations)).catch(e => done(String(e)));")
    assert isinstance(result, list), result
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in result
            if v.get("impact") in ("serious", "critical")]


def outside_requests(browser, server) -> list[str]:
    """What the page (and its frames) loaded from anywhere but the desk itself: nothing may leave the machine."""
    names = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"
                                   ".concat([location.href])")
    return [n for n in names if not n.startswith(server["base"])]


def new_folder(browser, server, name: str) -> Path:
    folder = server["home"] / name
    open_desk(browser, server)
    field = browser.find_element("id", "folder")
    field.clear()
    field.send_keys(str(folder))
    browser.find_element("css selector", "form[action='/folder'] button").click()
    wait_for(browser, lambda b: b.find_element("id", "workbook"))
    return folder


def upload(browser, workbook: bytes, path: Path) -> None:
    path.write_bytes(workbook)
    browser.find_element("id", "workbook").send_keys(str(path))
    browser.find_element("css selector", "form[action='/upload'] button").click()
    wait_for(browser, lambda b: b.find_elements("css selector", ".good, .bad"), seconds=300)


def test_the_address_without_the_token_is_refused(browser, server):
    browser.delete_all_cookies()
    browser.get(f"{server['base']}/")
    assert "Adgang nægtet" in text(browser)
    browser.get(f"{server['base']}/data?token=not-the-token")
    assert "Adgang nægtet" in text(browser)
    open_desk(browser, server)
    assert "1. Start: evalueringsmappen" in text(browser)
    browser.get(f"{server['base']}/")  # the token's cookie carries the session on
    assert "1. Start: evalueringsmappen" in text(browser)


def test_danish_and_english(browser, server):
    open_desk(browser, server)
    assert browser.find_element("tag name", "html").get_attribute("lang") == "da"
    assert "Hent den danske skabelon" in text(browser) and accessibility_problems(browser) == []
    browser.find_element("link text", "English").click()
    wait_for(browser, lambda b: b.find_element("tag name", "html").get_attribute("lang") == "en")
    assert "1. Start: the evaluation folder" in text(browser) and "Hent den danske skabelon" not in text(browser)
    assert accessibility_problems(browser) == []
    browser.find_element("link text", "Dansk").click()
    wait_for(browser, lambda b: b.find_element("tag name", "html").get_attribute("lang") == "da")


def test_a_workbook_with_errors_is_listed_by_row_and_column_and_nothing_runs(browser, server, tmp_path):
    def bad_item(tables):
        tables["who5"].loc[2, "who5_1"] = "7"  # the sheet's row 4
        tables["citizens"] = tables["citizens"].rename(columns={"sex": "gender"})  # the mapping form proposes sex

    folder = new_folder(browser, server, "errors")
    assert accessibility_problems(browser) == []
    upload(browser, example_workbook(bad_item), tmp_path / "mine data.xlsx")
    assert "fandt problemer" in text(browser)
    assert "Kolonner og koder, kontrollen ikke genkendte" in text(browser)
    assert accessibility_problems(browser) == []
    browser.switch_to.frame(browser.find_element("css selector", "iframe"))
    check = text(browser)
    browser.switch_to.default_content()
    assert "who5_1" in check and "række 4" in check and "forventet et helt tal fra 0 til 5" in check
    assert not (folder / "reports").exists()


def test_from_a_new_folder_to_the_report_as_the_command_line_makes_it(browser, server, tmp_path):
    folder = new_folder(browser, server, "evaluering")
    # the template, downloaded as a user does
    browser.find_element("link text", "Hent skabelonen").click()
    wait_for(browser, lambda b: (b.downloads / "fit-data-template-da.xlsx").exists(), seconds=60)
    upload(browser, example_workbook(), tmp_path / "fit-data.xlsx")
    assert "er bestået" in text(browser)
    # the trial's facts
    browser.find_element("link text", "Næste trin: forsøgets fakta.").click()
    wait_for(browser, lambda b: b.find_element("id", "trial.setting"))
    assert accessibility_problems(browser) == []
    browser.find_element("id", "trial.title").send_keys("FIT i bostøtten")
    browser.find_element("id", "trial.setting").send_keys("Bostøtten i en dansk kommune")
    browser.find_element("css selector", "form[action='/facts'] button").click()
    saved = wait_for(browser, lambda b: b.find_elements("css selector", ".good, .bad"))
    assert "Gemt i evaluation.yaml" in saved[0].text, text(browser)
    config = (folder / "evaluation.yaml").read_text(encoding="utf-8")
    assert "setting: Bostøtten i en dansk kommune" in config and "title: FIT i bostøtten" in config
    shutil.copytree(folder, tmp_path / "cli", ignore=shutil.ignore_patterns(".snakemake"))
    # the run, with its progress
    browser.find_element("link text", "Kørsel og resultater").click()
    browser.find_element("css selector", "form[action='/run/start'] button").click()
    wait_for(browser, lambda b: b.find_element("tag name", "progress"), seconds=30)
    assert "trin færdige" in text(browser) and accessibility_problems(browser) == []
    wait_for(browser, lambda b: "Evalueringen er færdig" in text(b))
    assert accessibility_problems(browser) == [] and outside_requests(browser, server) == []
    browser.switch_to.frame(browser.find_element("css selector", "iframe[src='/report']"))
    assert "FIT i bostøtten" in text(browser) and "Bostøtten i en dansk kommune" in text(browser)
    browser.switch_to.default_content()
    cli = subprocess.run([sys.executable, "-m", "fittrial.steps.cli", "run", "evaluation.yaml"], cwd=tmp_path / "cli",
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr[-2000:]
    for table in ("effects.csv", "primary_outcome.csv"):
        assert (folder / "reports" / "tables" / table).read_bytes() == \
            (tmp_path / "cli" / "reports" / "tables" / table).read_bytes()
    # verify, as a button
    browser.find_element("css selector", "form[action='/verify'] button").click()
    wait_for(browser, lambda b: "Efterprøvet" in text(b) or "svarer IKKE" in text(b))
    assert "Efterprøvet: hver offentliggjort fil" in text(browser)
    # plan the next trial: a small study, to keep the test short
    browser.find_element("link text", "Planlæg næste forsøg").click()
    for name, value in (("effects", "10"), ("caseworkers", "20 40"), ("citizens_per_caseworker", "15"),
                        ("trials", "20")):
        field = browser.find_element("id", name)
        field.clear()
        field.send_keys(value)
    assert accessibility_problems(browser) == []
    browser.find_element("css selector", "form[action='/design'] button").click()
    wait_for(browser, lambda b: "Designstudiet er færdigt" in text(b) or b.find_elements("css selector", ".bad"))
    assert "Designstudiet er færdigt" in text(browser), text(browser)
    image = browser.find_element("css selector", "img.figure")
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 100
    assert accessibility_problems(browser) == [] and outside_requests(browser, server) == []


def test_cancel_leaves_the_results_as_they_were(browser, server, tmp_path):
    folder = new_folder(browser, server, "afbryd")
    upload(browser, example_workbook(), tmp_path / "fit-data.xlsx")
    earlier = {"report.html": b"<p>earlier results</p>", "tables/effects.csv": b"earlier,table\n"}
    for name, content in earlier.items():
        (folder / "reports" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "reports" / name).write_bytes(content)
    browser.find_element("link text", "Kørsel og resultater").click()
    browser.find_element("css selector", "form[action='/run/start'] button").click()
    wait_for(browser, lambda b: re.search(r"Kører: [1-9]\d* af", text(b)), seconds=120, every=0.2)
    browser.find_element("css selector", "form[action='/cancel'] button").click()
    wait_for(browser, lambda b: "Kørslen blev afbrudt" in text(b), seconds=90)
    after = {str(p.relative_to(folder / "reports")): p.read_bytes() for p in (folder / "reports").rglob("*")
             if p.is_file()}
    assert after == earlier
