"""The report's layout, written once: the sections as a list of blocks (headings, texts, tables, figures) that both
renderers draw, the HTML (:mod:`fittrial.report.context`, with the template ``templates/report.html``) and the PDF
(:mod:`fittrial.report.pdf`).

:func:`report_blocks` turns the report's context (the numbers and sentences of
:func:`fittrial.report.context.build_context`, in the report's language) into
the blocks in reading order. A section is laid out here only; a renderer
knows how to draw a block, not what a section holds, so the HTML and the PDF
cannot drift apart. Layout hints that only one medium uses (a figure's
height on the page, the columns' widths in millimetres, a smaller font for a
wide table) travel with the block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Heading:
    """A section (level 2) or subsection (level 3) heading; ``anchor`` is its HTML id."""

    text: str
    level: int = 2
    anchor: str = ""
    kind: str = "heading"


@dataclass
class Text:
    """A paragraph: ``body``, ``small`` (a note under a table or figure) or ``summary`` (the plain-language box; one
    paragraph per item of ``texts``)."""

    text: str = ""
    style: str = "body"
    texts: list[str] = field(default_factory=list)
    kind: str = "text"


@dataclass
class Grid:
    """A table: its header (None: no header row) and rows of text cells. ``numeric``: the columns right-aligned as
    numbers; ``code``: (row, column) cells in a fixed-width font (hashes); ``muted``: cells shown as a note (e.g.
    "not stated"); ``widths_mm``: the PDF's column widths (None: automatic); ``size``: ``normal`` or ``tiny`` (a wide
    table, in the PDF)."""

    header: list[str] | None
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()
    code: set[tuple[int, int]] = field(default_factory=set)
    muted: set[tuple[int, int]] = field(default_factory=set)
    widths_mm: tuple[float | None, ...] | None = None
    size: str = "normal"
    kind: str = "table"


@dataclass
class Figure:
    """A figure (a PNG as a data URI) with its caption, which is also its alternative text; ``height_mm``: its
    largest height in the PDF."""

    name: str
    image: str
    caption: str
    height_mm: float = 120.0
    kind: str = "figure"


Block = Heading | Text | Grid | Figure


def report_blocks(ctx: dict[str, Any]) -> list[Block]:
    """The report as blocks, in reading order, from its context (see the module docstring)."""
    t, arms = ctx["t"], ctx["arms"]
    sec: Callable[[str], str] = ctx.get("sec", t)
    source: Callable[..., str] = ctx["source"]
    out: list[Block] = []

    def note(*parts: str) -> None:
        out.append(Text(" ".join(p for p in parts if p), "small"))

    def figure(name: str, height: float = 120.0) -> None:
        if name in ctx["figures"]:
            out.append(Figure(name, ctx["figures"][name], ctx["alt"].get(name, ""), height))

    def table(header: list[str] | None, rows: list[list[Any]], numeric: tuple[int, ...] = (), **hints: Any) -> None:
        out.append(Grid(header, [[str(c) for c in r] for r in rows], numeric, **hints))

    out.append(Text(f"{ctx['subtitle']} fittrial {ctx['version']}. {t('suppression', k=ctx['threshold'])}", "small"))
    abstract = ctx.get("abstract") or []
    if abstract:  # the structured abstract (CONSORT for abstracts, cluster extension)
        out.append(Heading(t("s_abstract"), 2, "abstract"))
        table(None, [[r["label"], r["text"]] for r in abstract],
              muted={(i, 1) for i, r in enumerate(abstract) if not r["stated"]}, widths_mm=(36, None))
    out.append(Heading(t("s_summary"), 2, "summary"))
    out.append(Text(style="summary", texts=list(ctx["summary"])))

    out.append(Heading(sec("s_design"), 2, "design"))
    table([t("cs_item"), "", t("cs_text")], [[r["item"], r["label"], r["text"]] for r in ctx["consort"]],
          muted={(i, 2) for i, r in enumerate(ctx["consort"]) if not r["stated"]}, widths_mm=(14, 42, None))
    note(t("cs_note"), ctx.get("data_note") or "")

    out.append(Heading(sec("s_flow"), 2, "flow"))
    figure("flow", 225)  # a page of its own, with its heading and caption: the side boxes stay near 6 pt

    out.append(Heading(sec("s_baseline"), 2, "baseline"))
    table([t("level"), t("characteristic"), arms["FIT"], arms["control"], t("std_diff")],
          [[r["level"], r["characteristic"], r["FIT"], r["control"], r["std"]] for r in ctx["baseline"]], (2, 3, 4))
    note(t("baseline_note"), source("baseline"))
    rc = ctx.get("recruitment")
    if rc:  # recruitment after randomisation (fittrial.analyses.recruitment)
        out.append(Heading(t("rc_title"), 3, "recruitment"))
        table(["", arms["FIT"], arms["control"]], [[r["label"], r["FIT"], r["control"]] for r in rc["rows"]], (1, 2))
        table([t("rc_comparison"), t("estimate_ci"), t("p")],
              [[r["label"], r["estimate"], r["p"]] for r in rc["comparisons"]], (1, 2))
        out.append(Text(rc["sentence"]))
        note(rc["note"], *rc["notes"])

    out.append(Heading(sec("s_primary"), 2, "primary"))
    out.append(Heading(t("s_estimand"), 3, "estimand"))
    table([t("attribute"), t("description")], [[r["attribute"], r["description"]] for r in ctx["estimand"]],
          muted={(i, 1) for i, r in enumerate(ctx["estimand"]) if not r["stated"]})
    table([t("intercurrent"), t("strategy"), t("handling")],
          [[r["event"], r["strategy"], r["handling"]] for r in ctx["intercurrent"]])
    table([t("month"), f"{arms['FIT']}: {t('mean_ci')}", f"{arms['control']}: {t('mean_ci')}", t("difference"),
           t("df"), t("p")], [[r["month"], r["FIT"], r["control"], r["difference"], r["df"], r["p"]]
                              for r in ctx["primary"]], (0, 1, 2, 3, 4, 5))
    note(ctx["primary_note"])
    figure("trajectories", 90)

    y = ctx["yardsticks"]
    out.append(Heading(sec("s_yardsticks"), 2, "yardsticks"))
    out += [Text(s) for s in y["sentences"]]
    if y["rows"]:
        table([t("y_measure"), f"{arms['FIT']}: {t('events')}", f"{arms['control']}: {t('events')}", t("y_rd"),
               t("y_rr")], [[r["label"], r["FIT"], r["control"], r["rd"], r["rr"]] for r in y["rows"]], (1, 2, 3, 4))
        note(y["note"])
    if y.get("show_claims"):
        out.append(Heading(t("y_claims_title"), 3, "claims"))
        if y["claims"]:
            table([t("y_claim"), t("y_claimed"), t("y_observed"), t("y_inside")],
                  [[r["claim"], r["claimed"], r["observed"], r["inside"]] for r in y["claims"]], (1, 2))
            note(y["claims_note"])
        out.append(Text(y["claims_sentence"]))

    if ctx["show_secondary"]:
        out.append(Heading(sec("s_secondary"), 2, "secondary"))
        if ctx["secondary"]:
            table([t("outcome"), f"{arms['FIT']}: {t('events')}", f"{arms['control']}: {t('events')}", t("or"), t("p"),
                   t("p_holm"), t("rd")], [[r["outcome"], r["FIT"], r["control"], r["or"], r["p"], r["p_holm"], r["rd"]]
                                           for r in ctx["secondary"]], (1, 2, 3, 4, 5, 6))
            note(t("secondary_note", n=len(ctx["secondary"])), source("secondary_outcomes"))
        out.append(Heading(t("s_dropout"), 3))
        if ctx["show_cif"]:
            figure("cif", 95)
            table([t("arm"), t("day"), t("cif"), t("at_risk")],
                  [[r["arm"], r["day"], r["cif"], r["n"]] for r in ctx["cif"]], (1, 2, 3))
        table([t("analysis"), t("hr"), t("p"), t("analysed")],
              [[r["analysis"], r["estimate"], r["p"], r["n"]] for r in ctx["dropout"]], (1, 2, 3))
        note(t("dropout_note"), source("cif_dropout"))

    out.append(Heading(sec("s_triangulation"), 2, "triangulation"))
    figure("forest_who5", 100)
    table([t("analysis"), t("estimate_ci"), t("df"), t("p"), t("analysed")],
          [[r["analysis"], r["estimate"], r["df"], r["p"], r["n"]] for r in ctx["triangulation"]], (1, 2, 3, 4))
    note(source("effects"))
    out += [Text(ctx["agreement"]), Text(ctx["tipping"])]
    if ctx.get("tipping_2d"):
        out.append(Text(ctx["tipping_2d"]))
        figure("tipping_point_2d", 100)
    out.append(Heading(t("s_subgroups"), 3))
    figure("forest_subgroups", 110)
    table([t("level"), "n", t("estimate_ci"), t("p"), t("p_interaction")],
          [[r["level"], r["n"], r["estimate"], r["p"], r["p_interaction"]] for r in ctx["subgroups"]], (1, 2, 3, 4))
    note(t("subgroup_note"), source("effects"))

    if ctx["practice"]:
        out.append(Heading(sec("s_practice"), 2, "practice"))
        table([t("measure"), t("value")], [[r["measure"], r["value"]] for r in ctx["practice"]], (1,))
        figure("fit_practice", 80)
        note(t("practice_note"), source("fit_practice_by_meeting"))
    elif ctx.get("practice_none"):
        out.append(Heading(sec("s_practice"), 2, "practice"))
        out.append(Text(ctx["practice_none"]))

    out.append(Heading(sec("s_missing"), 2, "missing"))
    table([t("month"), t("arm"), t("completed")], [[r["month"], r["arm"], r["value"]] for r in ctx["completion"]],
          (0, 2))
    table([t("predictor"), t("or"), t("p")], [[r["predictor"], r["or"], r["p"]] for r in ctx["predictors"]], (1, 2))
    note(t("missing_note"), source("who5_completion", "missingness_predictors"))

    out.append(Heading(sec("s_methods"), 2, "methods"))
    table([t("analysis"), t("outcome"), t("method")], [list(m) for m in ctx["methods"]])
    out.append(Heading(t("s_icc"), 3))
    table([t("outcome"), t("scale"), t("icc"), t("deff")],
          [[r["outcome"], r["scale"], r["icc"], r["deff"]] for r in ctx["icc"]], (2, 3))
    note(source("icc"))
    out.append(Heading(t("s_plan"), 3))
    table([t("key"), t("value")], [[r["key"], r["value"]] for r in ctx["plan"]])

    out.append(Heading(t("s_quality"), 2, "quality"))
    if ctx["quality"]:
        table([t("table"), t("check"), t("count")], [[r["table"], r["check"], r["count"]] for r in ctx["quality"]],
              (2,))
    else:
        out.append(Text("-"))

    oc = ctx.get("oc") or {}
    out.append(Heading(t("s_oc"), 2, "operating-characteristics"))
    if oc.get("missing"):
        out.append(Text(oc["missing"]))
    else:
        note(oc["intro"])
        n = len(oc["header"])
        table([t("scenario"), *oc["header"]], [[r["scenario"], *r["values"]] for r in oc["rows"]],
              tuple(range(1, n + 1)), size="tiny")  # widths: fittrial.report.pdf._column_widths
        out.append(Text(oc["outside"]))

    checklist = ctx.get("checklist") or []
    if checklist:  # the CONSORT-cluster checklist: where this report gives each item
        out.append(Heading(t("s_checklist"), 2, "checklist"))
        table([t("cs_item"), t("cl_topic"), t("cl_where")], [[r["item"], r["topic"], r["where"]] for r in checklist],
              muted={(i, 2) for i, r in enumerate(checklist) if not r["stated"]}, widths_mm=(14, 80, None))
        note(t("cl_note"))

    p = ctx["prov"]
    out.append(Heading(t("s_provenance"), 2, "provenance"))
    table(None, [[t("prov_date"), p["date"]], [t("prov_runtime"), p["runtime"]], [t("prov_commit"), p["commit"]],
                 [t("prov_plan"), p["plan"]], [t("prov_config"), p["config"]], [t("prov_seeds"), p["seeds"]],
                 [t("prov_packages"), p["packages"]]], code={(2, 1), (3, 1), (4, 1)})
    files = [[i["name"], i["path"], i["sha256"]] for i in p["inputs"]] \
        + [[t("config_file"), c["path"], c["sha256"]] for c in p["config_files"]] \
        + [[t("published_file"), o["path"], o["sha256"]] for o in p.get("outputs", [])]
    table([t("input"), t("file"), "SHA-256"], files, code={(i, 2) for i in range(len(files))})
    return out


__all__ = ["Heading", "Text", "Grid", "Figure", "Block", "report_blocks"]
