"""The trial report as PDF, with the same sections and numbers as the HTML report.

Built with reportlab (pure Python; no browser needed) from the same context
that :mod:`fittrial.report.context` renders to HTML, so the two cannot disagree.
Metadata (creation date, document id) are fixed so that the same context
gives the same file.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from fittrial.base.files import atomic_path

WIDTH = A4[0] - 30 * mm
rl_config.useA85 = 0  # plain Flate streams: smaller, and searchable after decompression


def _image(data_uri: str, max_height: float = 120 * mm) -> Image:
    raw = base64.b64decode(data_uri.split(",", 1)[1])
    img = Image(io.BytesIO(raw))
    scale = min(WIDTH / img.imageWidth, max_height / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def _table(header: list[str], rows: list[list[str]], styles: dict, widths: list[float] | None = None) -> Table:
    cell = styles["cell"]
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in header]] + [[Paragraph(str(c), cell) for c in r] for r in rows]
    table = Table(data, repeatRows=1, hAlign="LEFT", colWidths=widths)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


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
        nxt = story[k + 1] if k + 1 < len(story) else None
        if isinstance(item, Table) and getattr(getattr(nxt, "style", None), "name", "") == "small":
            out.append(KeepTogether([item, nxt]))  # a table's note (and source) stays with the table
            k += 2
            continue
        out.append(item)
        k += 1
    return out


def render_pdf(ctx: dict, target: str | Path) -> None:
    """Write the report PDF from the HTML report's context (see fittrial.report.context.build_context)."""
    t, arms = ctx["t"], ctx["arms"]
    base = getSampleStyleSheet()
    # headings keep with what follows them: none is left at the foot of a page
    styles = {"h1": base["Title"], "h2": ParagraphStyle("h2k", parent=base["Heading2"], keepWithNext=1),
              "h3": ParagraphStyle("h3k", parent=base["Heading3"], keepWithNext=1), "p": base["BodyText"],
              "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=7.5, textColor=colors.grey),
              "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.5)}
    story = [Paragraph(ctx.get("title") or t("title"), styles["h1"]), Paragraph(f"{ctx.get('subtitle') or t('subtitle')} {t('suppression', k=ctx['threshold'])}",
                                                            styles["small"])]

    sec = ctx.get("sec", t)

    def h2(key: str) -> None:
        # a heading never ends a page: start a new page unless 50 mm are left for what follows it
        story.extend([CondPageBreak(50 * mm), Paragraph(sec(key), styles["h2"])])

    src = ctx.get("source", lambda *names: "")

    def source(*names: str) -> None:
        story.append(Paragraph(src(*names), styles["small"]))

    def fig(name: str, height: float = 120 * mm) -> None:
        if name in ctx["figures"]:  # the figure with its caption (the HTML's alternative text) below it
            caption = Paragraph(ctx.get("alt", {}).get(name, ""), styles["small"])
            story.append(KeepTogether([_image(ctx["figures"][name], height), caption]))

    h2("s_summary")
    story += [Paragraph(s, styles["p"]) for s in ctx["summary"]]
    h2("s_design")
    story.append(_table([t("cs_item"), "", t("cs_text")], [[r["item"], r["label"], r["text"]] for r in ctx["consort"]],
                        styles, widths=[14 * mm, 42 * mm, WIDTH - 56 * mm]))
    story.append(Paragraph(" ".join(filter(None, [t("cs_note"), ctx.get("data_note")])), styles["small"]))
    h2("s_flow")
    fig("flow", 230 * mm)
    h2("s_baseline")
    story.append(_table([t("level"), t("characteristic"), arms["FIT"], arms["control"], t("std_diff")],
                        [[r["level"], r["characteristic"], r["FIT"], r["control"], r["std"]] for r in ctx["baseline"]],
                        styles))
    story.append(Paragraph(f"{t('baseline_note')} {src('baseline')}", styles["small"]))
    if ctx.get("recruitment"):  # recruitment after randomisation (fittrial.analyses.recruitment)
        rc = ctx["recruitment"]
        story.extend([CondPageBreak(40 * mm), Paragraph(t("rc_title"), styles["h3"])])
        story.append(_table(["", arms["FIT"], arms["control"]],
                            [[r["label"], r["FIT"], r["control"]] for r in rc["rows"]], styles))
        story.append(Spacer(1, 3 * mm))
        story.append(_table([t("rc_comparison"), t("estimate_ci"), t("p")],
                            [[r["label"], r["estimate"], r["p"]] for r in rc["comparisons"]], styles))
        story.append(Paragraph(rc["sentence"], styles["p"]))
        story.append(Paragraph(" ".join([rc.get("note") or t("rc_note"), *rc["notes"]]), styles["small"]))
    h2("s_primary")
    story.extend([CondPageBreak(40 * mm), Paragraph(t("s_estimand"), styles["h3"])])
    story.append(_table([t("attribute"), t("description")],
                        [[r["attribute"], r["description"]] for r in ctx["estimand"]], styles))
    story.append(_table([t("intercurrent"), t("strategy"), t("handling")],
                        [[r["event"], r["strategy"], r["handling"]] for r in ctx["intercurrent"]], styles))
    story.append(Spacer(1, 3 * mm))
    story.append(_table([t("month"), f"{arms['FIT']}: {t('mean_ci')}", f"{arms['control']}: {t('mean_ci')}",
                         t("difference"), t("df"), t("p")],
                        [[r["month"], r["FIT"], r["control"], r["difference"], r["df"], r["p"]] for r in ctx["primary"]],
                        styles))
    story.append(Paragraph(ctx.get("primary_note") or t("primary_note"), styles["small"]))
    fig("trajectories", 90 * mm)
    y = ctx["yardsticks"]
    h2("s_yardsticks")
    story += [Paragraph(s, styles["p"]) for s in y["sentences"]]
    if y["rows"]:
        story.append(_table([t("y_measure"), f"{arms['FIT']}: {t('events')}", f"{arms['control']}: {t('events')}",
                             t("y_rd"), t("y_rr")], [[r["label"], r["FIT"], r["control"], r["rd"], r["rr"]]
                                                    for r in y["rows"]], styles))
        story.append(Paragraph(y["note"], styles["small"]))
    if y.get("show_claims"):
        story.extend([CondPageBreak(40 * mm), Paragraph(t("y_claims_title"), styles["h3"])])
        if y["claims"]:
            story.append(_table([t("y_claim"), t("y_claimed"), t("y_observed"), t("y_inside")],
                                [[r["claim"], r["claimed"], r["observed"], r["inside"]] for r in y["claims"]], styles))
            story.append(Paragraph(y["claims_note"], styles["small"]))
        story.append(Paragraph(y["claims_sentence"], styles["p"]))
    if ctx.get("show_secondary", True):
        h2("s_secondary")
        if ctx["secondary"]:
            story.append(_table([t("outcome"), f"{arms['FIT']}: {t('events')}", f"{arms['control']}: {t('events')}",
                                 t("or"), t("p"), t("p_holm"), t("rd")],
                                [[r["outcome"], r["FIT"], r["control"], r["or"], r["p"], r["p_holm"], r["rd"]]
                                 for r in ctx["secondary"]], styles))
            story.append(Paragraph(f"{t('secondary_note', n=len(ctx['secondary']))} {src('secondary_outcomes')}",
                                   styles["small"]))
        story.extend([CondPageBreak(40 * mm), Paragraph(t("s_dropout"), styles["h3"])])
        if ctx.get("show_cif", True):
            fig("cif", 95 * mm)
            story.append(_table([t("arm"), t("day"), t("cif"), t("at_risk")],
                                [[r["arm"], r["day"], r["cif"], r["n"]] for r in ctx["cif"]], styles))
            story.append(Spacer(1, 3 * mm))
        story.append(_table([t("analysis"), t("hr"), t("p"), t("analysed")],
                            [[r["analysis"], r["estimate"], r["p"], r["n"]] for r in ctx["dropout"]], styles))
        story.append(Paragraph(f"{t('dropout_note')} {src('cif_dropout')}", styles["small"]))
    h2("s_triangulation")
    fig("forest_who5", 100 * mm)
    story.append(_table([t("analysis"), t("estimate_ci"), t("df"), t("p"), t("analysed")],
                        [[r["analysis"], r["estimate"], r["df"], r["p"], r["n"]] for r in ctx["triangulation"]], styles))
    source("effects")
    story += [Paragraph(ctx["agreement"], styles["p"]), Paragraph(ctx["tipping"], styles["p"])]
    if ctx.get("tipping_2d"):
        story.append(Paragraph(ctx["tipping_2d"], styles["p"]))
        fig("tipping_point_2d", 100 * mm)
    story.extend([CondPageBreak(40 * mm), Paragraph(t("s_subgroups"), styles["h3"])])
    fig("forest_subgroups", 110 * mm)
    story.append(_table([t("level"), "n", t("estimate_ci"), t("p"), t("p_interaction")],
                        [[r["level"], r["n"], r["estimate"], r["p"], r["p_interaction"]] for r in ctx["subgroups"]],
                        styles))
    story.append(Paragraph(f"{t('subgroup_note')} {src('effects')}", styles["small"]))
    if ctx["practice"]:
        h2("s_practice")
        story.append(_table([t("measure"), t("value")], [[r["measure"], r["value"]] for r in ctx["practice"]], styles))
        fig("fit_practice", 80 * mm)
        story.append(Paragraph(f"{t('practice_note')} {src('fit_practice_by_meeting')}", styles["small"]))
    h2("s_missing")
    story.append(_table([t("month"), t("arm"), t("completed")],
                        [[r["month"], r["arm"], r["value"]] for r in ctx["completion"]], styles))
    story.append(Spacer(1, 3 * mm))
    story.append(_table([t("predictor"), t("or"), t("p")], [[r["predictor"], r["or"], r["p"]] for r in ctx["predictors"]],
                        styles))
    story.append(Paragraph(f"{t('missing_note')} {src('who5_completion', 'missingness_predictors')}",
                           styles["small"]))
    h2("s_methods")
    story.append(_table([t("analysis"), t("outcome"), t("method")], [list(m) for m in ctx["methods"]], styles))
    story.extend([CondPageBreak(40 * mm), Paragraph(t("s_icc"), styles["h3"])])
    story.append(_table([t("outcome"), t("scale"), t("icc"), t("deff")],
                        [[r["outcome"], r["scale"], r["icc"], r["deff"]] for r in ctx["icc"]], styles))
    source("icc")
    story.extend([CondPageBreak(40 * mm), Paragraph(t("s_plan"), styles["h3"])])
    story.append(_table([t("key"), t("value")], [[r["key"], r["value"]] for r in ctx["plan"]], styles))
    h2("s_quality")
    story.append(_table([t("table"), t("check"), t("count")], [[r["table"], r["check"], r["count"]]
                                                               for r in ctx["quality"]], styles)
                 if ctx["quality"] else Paragraph("-", styles["p"]))
    oc = ctx.get("oc") or {}
    h2("s_oc")
    if oc.get("missing"):
        story.append(Paragraph(oc["missing"], styles["p"]))
    else:
        story.append(Paragraph(oc["intro"], styles["small"]))
        tiny = {**styles, "cell": ParagraphStyle("tiny", parent=styles["cell"], fontSize=5.6, leading=6.8)}
        story.append(_table([t("scenario")] + oc["header"], [[r["scenario"]] + r["values"] for r in oc["rows"]], tiny,
                            widths=[34 * mm] + [(WIDTH - 34 * mm) / len(oc["header"])] * len(oc["header"])))
        story.append(Paragraph(oc["outside"], styles["p"]))
    h2("s_provenance")
    p = ctx["prov"]
    story.append(KeepTogether([_table(["", ""], [[t("prov_date"), p["date"]], [t("prov_runtime"), p["runtime"]],
                                                 [t("prov_commit"), p["commit"]], [t("prov_plan"), p["plan"]],
                                                 [t("prov_config"), p["config"]], [t("prov_seeds"), p["seeds"]],
                                                 [t("prov_packages"), p["packages"]]], styles)]))
    story.append(Spacer(1, 3 * mm))
    story.append(_table([t("input"), t("file"), "SHA-256"],
                        [[i["name"], i["path"], i["sha256"]] for i in p["inputs"]]
                        + [[t("config_file"), c["path"], c["sha256"]] for c in p["config_files"]]
                        + [[t("published_file"), o["path"], o["sha256"]] for o in p.get("outputs", [])], styles))
    story = _keep_headings_with_next(story)
    with atomic_path(target) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                bottomMargin=15 * mm, title=ctx.get("title") or t("title"), author="fittrial", creator="fittrial",
                                invariant=1)
        doc.build(story)
