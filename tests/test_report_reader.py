"""The report as its readers meet it: opened in headless Chromium, printed, and read page by page.

One small simulated trial runs through the workflow in English; the same working directory is then re-run in
Danish with a higher suppression threshold (only the report steps rerun), so suppression is exercised hard.
Needs Debian's ``chromium`` and ``poppler-utils`` (pdftotext); skipped without them, except in CI (``CI=true``),
where they are installed and a missing one is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import pandas as pd
import pytest
from conftest import ROOT, small_params
from test_workflow import FAST, run_workflow

from fittrial.design.simulate import simulate_trial, write_trial

sys.path.insert(0, str(ROOT / "tools"))
import report_browser as rb  # noqa: E402

MISSING = rb.chromium() is None or shutil.which("pdftotext") is None
if MISSING and os.environ.get("CI"):  # CI runs these (.ci/run installs both): missing is a failure there
    pytest.fail("CI reads the report in the browser: missing chromium or pdftotext (Debian: chromium, poppler-utils)",
                pytrace=False)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(MISSING, reason="needs chromium and pdftotext (Debian: chromium, poppler-utils)")]
DA_THRESHOLD = 10


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """{"en": reports folder, "da": reports folder} of one trial."""
    work = tmp_path_factory.mktemp("reader")
    paths = write_trial(simulate_trial(small_params(5)), work / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST}
    proc = run_workflow(work, config)
    assert proc.returncode == 0, proc.stderr[-4000:]
    english = work.parent / "reader-en"
    shutil.copytree(work / "reports", english)
    config["report"] = {"language": "da", "suppress_below": DA_THRESHOLD}
    proc = run_workflow(work, config)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {"en": english, "da": work / "reports"}


def english_tokens() -> set[str]:
    """The pipeline's own English labels and phrases (from the message catalogue), and its raw codes."""
    from fittrial.language.messages import messages

    TEXT = messages()
    danish = " ".join(TEXT["da"].values())
    tokens = set()
    for key, value in TEXT["en"].items():
        if TEXT["da"].get(key) == value:
            continue
        for part in re.split(r"\{[^}]*\}", value):
            part = part.strip(" .,:;()\n")
            if len(part.split()) >= 2 and len(part) >= 8 and part not in danish:
                tokens.add(part)
    return tokens | {"kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m", "baseline_who5_le50",
                     "age_group", "mixed model", "citizens", "caseworkers", "suppressed", "Not estimated",
                     "not stated", "IQR", "dropout", "in_course", "Analysed", "Control"}


def visible(text: str) -> str:
    """What a reader reads as words: file names (tables/..., data/...) and hashes taken out."""
    return re.sub(r"\S+/\S+\.(csv|xlsx|yaml|sav|json|png|svg)\b|\b[0-9a-f]{40,64}\b", " ", text)


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_image_loads_and_says_what_it_shows(reports, language):
    page = rb.read_page(reports[language] / "report.html")
    assert page["images"] >= 6 and page["broken"] == []
    html = (reports[language] / "report.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert len(alts) == page["images"] and all(len(a) > 40 for a in alts), alts


def test_the_danish_report_has_no_english_label(reports):
    text = visible(rb.read_page(reports["da"] / "report.html")["text"])
    found = [t for t in sorted(english_tokens()) if re.search(r"(?<![\w-])" + re.escape(t) + r"(?![\w-])", text)]
    assert found == []
    # the check can fail: the English report has them
    english = visible(rb.read_page(reports["en"] / "report.html")["text"])
    assert sum(bool(re.search(re.escape(t), english)) for t in english_tokens()) > 50
    # Danish numbers: decimal comma, thousands separator
    decimal_point = r"(?<![\w.])\d+\.(\d{1,2}|\d{4,})(?![\w.])"  # 1.000 is a Danish thousands separator
    assert not re.search(decimal_point, text.split("Sporbarhed")[0]), "decimal point in Danish"


@pytest.mark.parametrize("language", ["en", "da"])
def test_no_heading_ends_a_page(reports, language, tmp_path):
    """Neither the PDF nor the HTML printed from Chromium (A4 from its @page rule) leaves a heading as the last
    line of a page."""
    html = reports[language] / "report.html"
    titles = rb.headings(html)
    for pdf in (reports[language] / "report.pdf", rb.print_pdf(html, tmp_path / "printed.pdf")):
        pages = rb.pdf_pages(pdf)
        assert len(pages) > 5
        assert rb.headings_at_page_foot(pages, titles) == [], pdf.name
    # printed on A4: 595 x 842 points
    info = (tmp_path / "printed.pdf").read_bytes()
    assert re.search(rb"/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]", info)


def _values(text: str, k: int, top: int) -> set[int]:
    """The counts a published cell allows (``12``, ``<5``, ``36-40``, ``>347``, ``suppressed``)."""
    text = str(text)
    if text.isdigit():
        return {int(text)}
    if text.startswith("<"):
        return set(range(1, int(text[1:])))
    if text.startswith(">"):
        return set(range(int(text[1:]) + 1, top + 1))
    if re.fullmatch(r"\d+-\d+", text):
        lo, hi = map(int, text.split("-"))
        return set(range(lo, hi + 1))
    return set(range(1, top + 1))  # suppressed


def test_no_suppressed_cell_can_be_worked_back(reports):
    """Searches the published tables for a hidden count that the other published numbers determine."""
    k = DA_THRESHOLD
    tables = reports["da"] / "tables"
    flow = pd.read_csv(tables / "flow.csv", dtype=str, keep_default_na=False).set_index("stage")
    hidden_seen = 0
    for arm in ("FIT", "control"):
        enrolled = int(flow.loc["enrolled", f"{arm}_citizens"])
        for stage, r in flow.drop(index=["randomised", "enrolled"]).iterrows():
            shown, out = r[f"{arm}_citizens"], r[f"{arm}_not_included"] or "0"
            pairs = {n for n in _values(shown, k, enrolled) if enrolled - n in _values(out, k, enrolled)}
            if not (shown.isdigit() and out.isdigit()):
                hidden_seen += 1
                assert len(pairs) > 1, (stage, arm, shown, out)
            if r[f"{arm}_reasons"] and out.isdigit():  # the reasons add up to the left-out count
                cells = [v for _, v in (p.split(": ") for p in r[f"{arm}_reasons"].split("; "))]
                hidden = [c for c in cells if not c.isdigit()]
                assert len(hidden) != 1, (stage, arm, cells)
    participants = pd.read_csv(tables / "participants.csv", dtype=str, keep_default_na=False)
    for _, r in participants.iterrows():
        exact = [r[c].isdigit() for c in ("FIT", "control", "total")]
        assert sum(exact) != 2, r.to_dict()  # two exact and one hidden: the hidden one is their difference
    for name in ("yardsticks.csv", "secondary_outcomes.csv"):
        table = pd.read_csv(tables / name, dtype=str, keep_default_na=False)
        for _, r in table.iterrows():
            for arm in ("FIT", "control"):
                if f"{arm}_events" in r and r[f"{arm}_events"] and not r[f"{arm}_events"].isdigit():
                    hidden_seen += 1
                    assert not r.get(f"{arm}_percent"), (name, r.to_dict())  # percent x n would give it back
    assert hidden_seen > 0  # the threshold of 10 hides something in this trial, so the search searched


def test_the_summary_flow_and_yardsticks_render_as_sections(reports, tmp_path):
    """The screenshots of docs/ come from these sections (tools/report_browser.py); each renders, in Danish."""
    for section in ("summary", "flow", "yardsticks"):
        png = rb.section_screenshot(reports["da"] / "report.html", section, tmp_path / f"{section}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
