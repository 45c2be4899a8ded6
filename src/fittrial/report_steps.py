"""Workflow steps that write the report's tables, figures and pages.

Plain functions taking and returning file paths (see :mod:`fittrial.pipeline`
for the model steps): the descriptive tables, the two-dimensional tipping
point, the report material (tables and figures of the report), and the HTML
and PDF report.
"""

from __future__ import annotations

import logging
from typing import Mapping

import pandas as pd

from .figures import who5_by_arm_figure
from .io import write_csv
from .pipeline import BLIND_LABELS, FLOAT_FORMAT, _strata, blind_text, publish
from .report import render_report
from .tables import data_quality_table, missing_outcomes_table, participants_table, who5_by_arm_visit

log = logging.getLogger("fittrial")


def tipping_2d_step(grid: str, table_out: str, png: str, svg: str, language: str = "en",
                    blinded: bool = False) -> None:
    """The two-dimensional tipping-point table (published) and its figure, in the report's language.

    Blinded, the arms are A (the internal FIT arm) and B in the column names,
    the conclusions and the figure.
    """
    from .figures import tipping_2d_figure
    from .i18n import Translator

    frame = pd.read_parquet(grid)
    t = Translator(language, blinded=blinded)
    a, b = ("A", "B") if blinded else (t("FIT"), t("control"))
    labels = {"x": t("tip2d_x", arm=b), "y": t("tip2d_y", arm=a), "favours_fit": t("tip2d_favours", arm=a),
              "favours_control": t("tip2d_favours", arm=b), "no_difference": t("tip2d_none"), "mar": t("tip2d_mar"),
              "decimal": t.decimal}
    if len(frame):
        tipping_2d_figure(frame, png, svg, labels)
    else:  # the multiple imputation was not estimated: an empty figure that says so
        from .figures import placeholder_figure

        placeholder_figure(t("not_estimated"), png, svg)
    out = frame.copy()
    if blinded:
        out = out.rename(columns={"delta_fit": "delta_A", "delta_control": "delta_B"})
        out["conclusion"] = out["conclusion"].map({"favours_fit": "favours_A", "favours_control": "favours_B",
                                                   "no_difference": "no_difference"})
    write_csv(out, table_out, float_format=FLOAT_FORMAT)


def descriptives_step(clean_randomisation: str, citizens: str, who5_long: str, notes: str, variance: str,
                      emmeans: str, tipping: str, cif: str, visits: list[dict], threshold: int,
                      outputs: Mapping[str, str], blinded: bool = False) -> None:
    """Write the published descriptive tables (all counts suppressed below ``threshold``)."""
    rand = pd.read_parquet(clean_randomisation)
    cit = pd.read_parquet(citizens)
    long = pd.read_parquet(who5_long)
    write_csv(publish(participants_table(rand, cit, long, threshold), blinded), outputs["participants"])
    summary = who5_by_arm_visit(cit, [int(v["visit"]) for v in visits], threshold)
    write_csv(publish(summary, blinded), outputs["who5_by_arm_visit"], float_format=FLOAT_FORMAT)
    write_csv(data_quality_table(pd.read_parquet(notes), threshold), outputs["data_quality"])
    write_csv(publish(missing_outcomes_table(cit, threshold), blinded), outputs["missing_outcomes"])
    write_csv(pd.read_parquet(variance), outputs["variance_components"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(emmeans), blinded), outputs["emmeans"], float_format=FLOAT_FORMAT)
    write_csv(pd.read_parquet(tipping), outputs["tipping_point"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(cif), blinded), outputs["cif_dropout"], float_format=FLOAT_FORMAT)


def flow_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, long: pd.DataFrame, effects: pd.DataFrame,
               threshold: int, visits: list[int] = (0, 6, 12)) -> pd.DataFrame:
    """Numbers of the CONSORT flow diagram by arm (suppressed below ``threshold``); the figure is drawn from it."""
    from .dataset import BINARY_OUTCOMES
    from .tables import ARMS, suppress

    def n(frame: pd.DataFrame, arm: str, key: str | None = None) -> int:
        sub = frame[frame["arm"] == arm]
        return int(sub[key].nunique()) if key else len(sub)

    strata = sorted(randomisation["stratum"].unique())
    rows = []

    def add(stage: str, values: dict[str, str]) -> None:
        rows.append({"stage": stage, **values})

    add("Caseworkers randomised (clusters)", {a: f"{suppress(n(randomisation, a), threshold)} caseworkers" for a in ARMS})
    add("Caseworkers by stratum", {a: "; ".join(f"{s}: {suppress(int(((randomisation['arm'] == a) & (randomisation['stratum'] == s)).sum()), threshold)}" for s in strata) for a in ARMS})
    add("Citizens enrolled", {a: f"{suppress(n(citizens, a), threshold)} citizens, {suppress(n(citizens, a, 'caseworker_id'), threshold)} caseworkers" for a in ARMS})
    for v in visits:
        col = f"who5_m{v}"
        add("WHO-5 at baseline" if v == 0 else f"WHO-5 at {v} months", {a: f"{suppress(int(citizens.loc[citizens['arm'] == a, col].notna().sum()), threshold)} citizens" for a in ARMS})
    no_follow = {a: n(citizens, a) - n(long, a, "citizen_id") for a in ARMS}
    add("Excluded from the primary analysis: no follow-up WHO-5", {a: f"{suppress(no_follow[a], threshold)} citizens" for a in ARMS})
    add("Analysed, primary (WHO-5, mixed model)", {a: f"{suppress(n(long, a, 'citizen_id'), threshold)} citizens, {suppress(n(long, a, 'caseworker_id'), threshold)} caseworkers" for a in ARMS})
    for o in BINARY_OUTCOMES:
        add(f"Analysed, {o} (outcome recorded)", {a: f"{suppress(int(citizens.loc[citizens['arm'] == a, o].notna().sum()), threshold)} citizens" for a in ARMS})
    return pd.DataFrame(rows, columns=["stage", *ARMS])


def figure_labels(language: str, arms: dict[str, str] | None = None, primary_visit: int = 12) -> dict[str, str]:
    """Axis and legend labels of the report's figures in the report language."""
    from .i18n import Translator

    t = Translator(language, primary_visit=primary_visit)
    arms = arms or {"FIT": t("FIT"), "control": t("control")}
    return {"FIT": arms["FIT"], "control": arms["control"], "months": t("months_axis"), "who5": t("who5_axis"),
            "days": t("days_axis"), "cif": t("cif_axis"), "at_risk": t("at_risk"),
            "forest": t("forest_axis", a=arms["FIT"], b=arms["control"]), "meeting": t("meeting_axis"),
            "median": t("median"), "iqr": t("iqr"), "cutoff": t("cutoff"), "decimal": t.decimal,
            "who5_title": t("who5_title")}


def report_material_step(inputs: Mapping[str, str], visits: list[dict], threshold: int, language: str,
                         tables_out: Mapping[str, str], figures_out: Mapping[str, str], blinded: bool = False,
                         primary_visit: int = 12) -> None:
    """The report's own tables and figures (baseline, primary, secondary, flow, forest plots, KM, FIT, missing)."""
    from . import figures as F
    from . import practice, tables as T
    from .i18n import Translator

    labels = figure_labels(language, BLIND_LABELS if blinded else None, primary_visit)
    t = Translator(language, primary_visit=primary_visit)
    rand = pd.read_parquet(inputs["randomisation"])
    cit = pd.read_parquet(inputs["citizens"])
    long = pd.read_parquet(inputs["who5_long"])
    effects = pd.read_csv(inputs["effects"])
    emmeans = pd.read_csv(inputs["emmeans"])
    if blinded:  # the published tables show A/B; internally the analyses keep FIT/control
        emmeans["arm"] = emmeans["arm"].map({v: k for k, v in BLIND_LABELS.items()}).fillna(emmeans["arm"])
    strata = _strata(rand)
    visit_list = [int(v["visit"]) for v in visits]

    write_csv(publish(T.baseline_table(cit, rand, threshold), blinded), tables_out["baseline"], float_format="%.3f")
    primary = T.primary_table(cit, emmeans, effects, threshold, visit_list)
    write_csv(publish(primary, blinded), tables_out["primary_outcome"], float_format=FLOAT_FORMAT)
    write_csv(publish(T.secondary_table(cit, effects, threshold), blinded), tables_out["secondary_outcomes"],
              float_format=FLOAT_FORMAT)
    write_csv(publish(T.completion_table(cit, visit_list, threshold), blinded), tables_out["who5_completion"],
              float_format="%.1f")
    miss = practice.missingness_predictors(cit, strata, primary_visit)
    method = miss.attrs["method"]
    if miss.empty:  # not estimable: one row carrying the reason in its method
        miss = pd.DataFrame([{"predictor": "", "odds_ratio": float("nan"), "ci_low": float("nan"),
                              "ci_high": float("nan"), "p_value": float("nan"), "df": float("nan")}])
    if blinded:
        miss["predictor"] = miss["predictor"].replace({"FIT arm": "arm A"})
    write_csv(miss.assign(method=blind_text(method) if blinded else method), tables_out["missingness_predictors"],
              float_format=FLOAT_FORMAT)
    totals = practice.session_totals(pd.read_parquet(inputs["fit_sessions"]), cit)
    summary = practice.practice_summary(totals, cit, threshold)
    meetings = practice.by_meeting(totals, threshold)
    if blinded:  # FIT-only results would unblind: published empty
        summary, meetings = summary.iloc[0:0], meetings.iloc[0:0]
    write_csv(summary, tables_out["fit_practice"])
    write_csv(meetings, tables_out["fit_practice_by_meeting"], float_format=FLOAT_FORMAT)
    flow = flow_table(rand, cit, long, effects, threshold, visit_list)
    write_csv(publish(flow, blinded), tables_out["flow"])

    flow_fig = flow.copy()
    flow_fig["stage"] = [t.label(st) for st in flow_fig["stage"]]
    if language == "da":
        for col in ("FIT", "control"):
            flow_fig[col] = [str(v).replace("caseworkers", "medarbejdere").replace("citizens", "borgere")
                             for v in flow_fig[col]]
    flow_fig.attrs = {"FIT": labels["FIT"], "control": labels["control"]}
    F.flow_figure(flow_fig, figures_out["flow_png"], figures_out["flow_svg"])
    F.trajectories_figure(primary, figures_out["trajectories_png"], figures_out["trajectories_svg"], labels)
    who5_12 = effects[(effects["outcome"] == "who5") & (effects["timepoint_months"] == primary_visit)
                      & ~effects["analysis"].str.startswith("subgroup:")]
    who5_12 = who5_12.assign(note=[t("not_estimated") if pd.isna(x) else "" for x in who5_12["estimate"]])
    F.forest_figure(who5_12.assign(label=[t(f"a_{a}") for a in who5_12["analysis"]]), figures_out["forest_who5_png"],
                    figures_out["forest_who5_svg"], labels["forest"], decimal=labels["decimal"])
    from .report import subgroup_label, subgroup_order

    sub = effects[effects["analysis"].str.startswith("subgroup:")]
    sub = sub.iloc[sorted(range(len(sub)), key=lambda i: subgroup_order(sub["analysis"].iloc[i]))]
    notes = [t("not_estimated") if pd.isna(est) else f"{t('p_interaction')} {t.p(p)}" if k == 0 or v != prev else ""
             for k, (p, v, prev, est) in enumerate(
                 zip(sub["p_interaction"], sub["analysis"].str.split("=").str[0],
                     [None, *sub["analysis"].str.split("=").str[0].tolist()[:-1]], sub["estimate"]))]
    F.forest_figure(sub.assign(label=[subgroup_label(a, t) for a in sub["analysis"]], note=notes),
                    figures_out["forest_subgroups_png"], figures_out["forest_subgroups_svg"], labels["forest"],
                    decimal=labels["decimal"])
    F.cif_figure(pd.read_parquet(inputs["cif_curve"]), pd.read_parquet(inputs["cif"]), figures_out["cif_png"],
                 figures_out["cif_svg"], labels)
    F.practice_figure(meetings, figures_out["fit_practice_png"], figures_out["fit_practice_svg"], labels)


def figure_step(who5_summary: str, png: str, svg: str, language: str = "en", blinded: bool = False,
                primary_visit: int = 12) -> None:
    """Draw the WHO-5-by-arm figure in the report's language (arms A and B when blinded)."""
    labels = figure_labels(language, None, primary_visit)
    if blinded:
        labels.update({"A": "A", "B": "B"})
    who5_by_arm_figure(pd.read_csv(who5_summary), png, svg, labels)


def report_step(tables: Mapping[str, str], figures: Mapping[str, str], provenance_json: str, config: dict,
                out: str, pdf_out: str | None = None) -> None:
    """Render reports/report.html (and report.pdf) from the published tables, figures and provenance record."""
    import json

    read = {k: pd.read_csv(v, dtype={"n": str, "FIT": str, "control": str, "total": str, "count": str,
                                     "n_at_risk": str, "n_events": str, "FIT_events": str, "FIT_n": str,
                                     "control_events": str, "control_n": str, "completed": str, "enrolled": str,
                                     "value": str, "citizens": str, "A": str, "B": str},
                           keep_default_na=False, na_values=[""]) for k, v in tables.items()}
    with open(provenance_json, encoding="utf-8") as fh:
        prov = json.load(fh)
    if config["report"].get("blinded"):
        for name in ("baseline", "primary_outcome", "secondary_outcomes", "who5_completion", "flow", "recruitment"):
            read[name] = read[name].rename(columns=lambda c: c.replace("A_", "FIT_").replace("B_", "control_")
                                           if c.startswith(("A_", "B_")) else {"A": "FIT", "B": "control"}.get(c, c))
        read["who5_completion"]["arm"] = read["who5_completion"]["arm"].map({"A": "FIT", "B": "control"})
        render_report(read, dict(figures), prov, config, out, arms=BLIND_LABELS, blinded=True, pdf_target=pdf_out)
    else:
        render_report(read, dict(figures), prov, config, out, pdf_target=pdf_out)
