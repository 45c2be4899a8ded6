"""The trial report as PDF, with the same sections and numbers as the HTML report.

Built with reportlab (pure Python; no browser needed) from the same blocks
that the HTML report draws (:mod:`fittrial.report.layout`), so the two cannot
disagree: a section is laid out once, there.
Metadata (creation date, document id) are fixed so that the same context
gives the same file.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fittrial.base.files import atomic_path
from fittrial.report.layout import Block, Figure, Grid, Heading, Text, report_blocks

WIDTH = A4[0] - 30 * mm
rl_config.useA85 = 0  # plain Flate streams: smaller, and searchable after decompression


def _image(data_uri: str, max_height: float = 120 * mm) -> Image:
    raw = base64.b64decode(data_uri.split(",", 1)[1])
    img = Image(io.BytesIO(raw))
    scale = min(WIDTH / img.imageWidth, max_height / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def _table(grid: Grid, styles: dict) -> Table:
    """A table block as a reportlab Table: a header row repeated on every page, numbers right-aligned, notes grey."""
    cell = styles["tiny" if grid.size == "tiny" else "cell"]
    right = ParagraphStyle(f"{cell.name}-num", parent=cell, alignment=TA_RIGHT)
    muted = ParagraphStyle(f"{cell.name}-muted", parent=cell, textColor=colors.grey)

    def para(text: str, i: int, j: int) -> Paragraph:
        shown = escape(text)
        if (i, j) in grid.code:
            shown = f'<font face="Courier">{shown}</font>'
        return Paragraph(shown, right if j in grid.numeric else muted if (i, j) in grid.muted else cell)

    data = [[para(c, i, j) for j, c in enumerate(r)] for i, r in enumerate(grid.rows)]
    if grid.header is not None:
        data.insert(0, [Paragraph(f"<b>{escape(h)}</b>", cell) for h in grid.header])
    widths = None
    if grid.widths_mm:
        fixed = sum(w for w in grid.widths_mm if w)
        free = [w for w in grid.widths_mm if not w]
        widths = [w * mm if w else (WIDTH - fixed * mm) / len(free) for w in grid.widths_mm]
    elif grid.rows or grid.header:
        widths = _column_widths(grid, cell)
    table = Table(data, repeatRows=1 if grid.header is not None else 0, hAlign="LEFT", colWidths=widths)
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if grid.header is not None:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")))
    table.setStyle(TableStyle(style))
    return table


def _column_widths(grid: Grid, cell: ParagraphStyle) -> list[float]:
    """Column widths that fill the page and break no word: each column gets at least its longest word (the
    header's in bold), and the width left over goes to the columns in proportion to how much more their
    longest cell needs (reportlab's own split is even, and breaks a long header word mid-word, "Sat|terthwaite").
    Only when the longest words alone are wider than the page are they narrowed."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 14.0  # the table's cell padding (6 pt left and right) and a little air
    lines = ([[(h, True) for h in grid.header]] if grid.header is not None else []) + \
        [[(c, False) for c in r] for r in grid.rows]
    columns = max(len(r) for r in lines)
    least = [pad] * columns
    most = [pad] * columns
    for row in lines:
        for j, (text, bold) in enumerate(row):
            font = cell.fontName + ("-Bold" if bold and not cell.fontName.endswith("-Bold") else "")
            words = str(text).split() or [""]
            least[j] = max(least[j], max(stringWidth(w, font, cell.fontSize) for w in words) + pad)
            most[j] = max(most[j], stringWidth(str(text), font, cell.fontSize) + pad)
    if sum(least) >= WIDTH:
        return [max(13.0, w * WIDTH / sum(least)) for w in least]
    extra = [m - w for m, w in zip(most, least)]
    if sum(extra) <= WIDTH - sum(least):
        return [m + (WIDTH - sum(most)) / columns for m in most]
    share = (WIDTH - sum(least)) / sum(extra)
    return [w + e * share for w, e in zip(least, extra)]


def _flowables(blocks: list[Block], styles: dict) -> list:
    """The blocks of :func:`fittrial.report.layout.report_blocks` as reportlab flowables: a heading never ends a
    page (a new page unless 50 mm, 40 mm for a subsection, are left), a figure keeps its caption, a table its
    note."""
    story: list = []
    for block in blocks:
        if isinstance(block, Heading):
            story += [CondPageBreak((50 if block.level == 2 else 40) * mm),
                      Paragraph(escape(block.text), styles["h2" if block.level == 2 else "h3"])]
        elif isinstance(block, Text):
            texts = block.texts if block.style == "summary" else [block.text]
            story += [Paragraph(escape(x), styles["small" if block.style == "small" else "p"]) for x in texts]
        elif isinstance(block, Figure):
            story.append(KeepTogether([_image(block.image, block.height_mm * mm),
                                       Paragraph(escape(block.caption), styles["small"])]))
        else:
            story += [_table(block, styles), Spacer(1, 2 * mm)]
    return story


def _keep_headings_with_next(story: list) -> list:
    """Each heading and the flowable after it kept on one page (reportlab's keepWithNext alone lets a heading
    stay behind when the next flowable, a figure or table, does not fit in the space left)."""
    out: list = []
    k = 0
    while k < len(story):
        item = story[k]
        style = getattr(getattr(item, "style", None), "name", "")
        if style in ("h2k", "h3k") and k + 1 < len(story):
            out.append(KeepTogether([item, story[k + 1]]))
            k += 2
            continue
        nxt = story[k + 2] if k + 2 < len(story) else None  # a table, its spacer, then its note
        if isinstance(item, Table) and getattr(getattr(nxt, "style", None), "name", "") == "small":
            out.append(KeepTogether([item, story[k + 1], nxt]))  # a table's note (and source) stays with the table
            k += 3
            continue
        out.append(item)
        k += 1
    return out


def render_pdf(ctx: dict, target: str | Path) -> None:
    """Write the report PDF from the report's blocks (:func:`fittrial.report.layout.report_blocks`), the same the
    HTML report draws."""
    base = getSampleStyleSheet()
    # headings keep with what follows them: none is left at the foot of a page
    styles = {"h1": base["Title"], "h2": ParagraphStyle("h2k", parent=base["Heading2"], keepWithNext=1),
              "h3": ParagraphStyle("h3k", parent=base["Heading3"], keepWithNext=1), "p": base["BodyText"],
              "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=7.5, textColor=colors.grey),
              "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.5),
              "tiny": ParagraphStyle("tiny", parent=base["BodyText"], fontSize=5.6, leading=6.8)}
    story = [Paragraph(escape(ctx["title"]), styles["h1"]), *_flowables(report_blocks(ctx), styles)]
    story = _keep_headings_with_next(story)
    with atomic_path(target) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                bottomMargin=15 * mm, title=ctx["title"], author="fittrial", creator="fittrial",
                                invariant=1)
        doc.build(story)
