"""Screenshots of every step of the evaluator's desk (``fittrial app``) for docs/desk/, taken in headless Chromium
through Selenium as a user goes through the steps with the bundled example's workbook (Danish interface).

    .venv/bin/python tools/desk_screenshots.py [--out docs/desk] [--language da]

Needs Debian's chromium and chromium-driver. Runs the whole evaluation and a small design study (about a minute).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHEETS = (("randomisering", "randomisation"), ("borgere", "citizens"), ("who5", "who5"),
          ("fit_sessioner", "fit_sessions"))


def example_workbook(path: Path, exported: bool = False) -> Path:
    """The bundled example as one workbook with the template's Danish sheet names (``exported``: with a register
    export's own names and codes for the arm and sex, for the mapping form)."""
    out = io.BytesIO()
    with pd.ExcelWriter(out) as writer:
        for sheet, name in SHEETS:
            table = pd.read_csv(ROOT / "data" / "example" / f"{name}.csv", dtype=str, keep_default_na=False)
            if exported and name == "randomisation":
                table = table.rename(columns={"arm": "Tildeling"}).replace({"Tildeling": {"FIT": "1", "control": "2"}})
            if exported and name == "citizens":
                table = table.rename(columns={"sex": "gender"})
            table.to_excel(writer, sheet_name=sheet, index=False)
    path.write_bytes(out.getvalue())
    return path


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "desk"))
    parser.add_argument("--language", default="da", choices=("da", "en"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="desk-shots-"))
    server = subprocess.Popen([sys.executable, "-m", "fittrial.steps.cli", "app", "--no-browser", "--language",
                               args.language], cwd=home, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    url = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", server.stderr.readline())
    assert url, "the desk printed no address"
    base = url.group(0).split("/?")[0]
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1300", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    try:
        time.sleep(1.5)
        driver.get(url.group(0))

        def shot(name: str) -> None:
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(1000, min(max(height + 40, 700), 2600))
            from PIL import Image

            path = out / f"{name}.png"
            driver.save_screenshot(str(path))
            with Image.open(path) as image:  # 64 colours: a page of text and a figure, a fifth of the bytes
                small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
            small.save(path, optimize=True)
            print(path)

        def wait(condition, seconds: float = 600) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    if condition():
                        return
                except Exception:  # noqa: BLE001 - the page is reloading
                    pass
                time.sleep(0.5)
            raise SystemExit("timed out")

        driver.find_element("id", "folder").send_keys(str(home / "evaluering"))
        shot("1-start")
        driver.find_element("css selector", "form[action='/folder'] button").click()
        wait(lambda: driver.find_element("id", "workbook"))
        driver.find_element("id", "workbook").send_keys(str(example_workbook(home / "eksport.xlsx", exported=True)))
        driver.find_element("css selector", "form[action='/upload'] button").click()
        wait(lambda: driver.find_elements("css selector", ".good, .bad"))
        shot("2a-mapping")
        driver.find_element("id", "workbook").send_keys(str(example_workbook(home / "fit-data.xlsx")))
        driver.find_element("css selector", "form[action='/upload'] button").click()
        wait(lambda: driver.find_elements("css selector", ".good"))
        shot("2b-data")
        driver.get(f"{base}/facts")
        driver.find_element("id", "trial.title").send_keys("FIT i bostøtten")
        driver.find_element("id", "trial.setting").send_keys("Bostøtten i en dansk kommune")
        driver.find_element("css selector", "form[action='/facts'] button").click()
        wait(lambda: driver.find_elements("css selector", ".good, .bad"))
        shot("3-facts")
        driver.get(f"{base}/run")
        driver.find_element("css selector", "form[action='/run/start'] button").click()
        wait(lambda: re.search(r"[1-9]\d* (af|of) \d+", driver.find_element("id", "progress-text").text))
        shot("4-run")
        wait(lambda: driver.find_elements("css selector", "iframe[src='/report']"))
        shot("5-results")
        driver.get(f"{base}/design")
        for name, value in (("effects", "10"), ("caseworkers", "20 40"), ("citizens_per_caseworker", "15"),
                            ("trials", "20")):
            driver.find_element("id", name).clear()
            driver.find_element("id", name).send_keys(value)
        driver.find_element("css selector", "form[action='/design'] button").click()
        wait(lambda: driver.find_elements("css selector", "img.figure"))
        shot("6-design")
    finally:
        driver.quit()
        server.terminate()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
