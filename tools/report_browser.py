"""Read the HTML report the way its reader does: in headless Chromium (Debian ``chromium``).

Used by the tests (tests/test_report_reader.py) and to make the screenshots under ``docs/``:

    .venv/bin/python tools/report_browser.py reports/report.html docs/

writes ``docs/report-da-summary.png``, ``-flow.png`` and ``-yardsticks.png`` (one PNG per section, named by the
report's language). Nothing here is needed to run the workflow.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """<script>window.addEventListener('load', () => {
  const bad = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt);
  const pre = document.createElement('pre'); pre.id = 'fittrial-probe';
  pre.textContent = JSON.stringify({images: document.images.length, broken: bad,
                                    text: document.body.innerText});
  document.body.appendChild(pre);
});</script>"""


def chromium() -> str | None:
    """The Chromium executable, or None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def _run(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=timeout)


def read_page(html_file: str | Path) -> dict:
    """Open the page, wait for it to load, and return {images, broken (alt texts of images that did not load),
    text (what the reader sees, document.body.innerText)}."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(Path(html_file).read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                        encoding="utf-8")
        proc = _run(["--virtual-time-budget=10000", "--dump-dom", page.as_uri()])
    m = re.search(r'<pre id="fittrial-probe">(.*?)</pre>', proc.stdout, re.S)
    if not m:
        raise RuntimeError(f"the page did not load in Chromium: {proc.stderr[-2000:]}")
    return json.loads(htmllib.unescape(m.group(1)))


def print_pdf(html_file: str | Path, pdf: str | Path) -> Path:
    """Print the page to PDF as a reader's browser does (the page's own @page size, no header or footer)."""
    _run(["--no-pdf-header-footer", f"--print-to-pdf={Path(pdf).resolve()}", Path(html_file).resolve().as_uri()])
    return Path(pdf)


def pdf_pages(pdf: str | Path) -> list[str]:
    """The text of every page of a PDF (poppler's pdftotext, pages split at form feeds)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1] if out.stdout.endswith("\f") else out.stdout.split("\f")


def headings(html_file: str | Path) -> list[str]:
    """The h1-h3 headings of the HTML report, as text."""
    text = Path(html_file).read_text(encoding="utf-8")
    return [re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", "", h))).strip()
            for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", text, re.S)]


def headings_at_page_foot(pages: list[str], titles: list[str]) -> list[tuple[int, str]]:
    """(page number, heading) for every page whose last line of text is (the start of) a heading."""
    found = []
    norm = [re.sub(r"\s+", " ", t).strip() for t in titles]
    for k, page in enumerate(pages[:-1], start=1):
        lines = [re.sub(r"\s+", " ", ln).strip() for ln in page.splitlines() if ln.strip()]
        if not lines:
            continue
        last = lines[-1]
        for title in norm:
            if len(last) >= 4 and (title == last or title.startswith(last + " ")):
                found.append((k, title))
    return found


def section_screenshot(html_file: str | Path, section_id: str, png: str | Path, width: int = 1000) -> Path:
    """A PNG of one section of the report (from its heading with ``id=section_id`` to the next h2)."""
    text = Path(html_file).read_text(encoding="utf-8")
    head = text[:text.index("<body>") + len("<body>")]
    start = text.index(f'<h2 id="{section_id}"')
    nxt = text.find("<h2 ", start + 5)
    body = text[start:nxt if nxt > 0 else text.index("</body>")]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "section.html"
        page.write_text(head + body + "</body></html>", encoding="utf-8")
        probe = read_page(page)
        lines = probe["text"].count("\n") + 1
        images = probe["images"]
        height = min(6000, 200 + 26 * lines + 1400 * images)
        _run([f"--window-size={width},{height}", f"--screenshot={Path(png).resolve()}", page.as_uri()])
    return Path(png)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or not chromium():
        print(__doc__)
        return 2
    report, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    lang = re.search(r'<html lang="(\w+)"', report.read_text(encoding="utf-8")).group(1)
    for section in ("summary", "flow", "yardsticks"):
        print(section_screenshot(report, section, out / f"report-{lang}-{section}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
