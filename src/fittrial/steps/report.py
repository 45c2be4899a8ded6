"""Workflow steps that write the report's tables, figures and pages.

Plain functions taking and returning file paths (see :mod:`fittrial.steps.models`
for the model steps): the descriptive tables, the two-dimensional tipping
point, the report material (tables and figures of the report), and the HTML
and PDF report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pandas as pd

from fittrial.base.files import write_csv
from fittrial.publish.labels import BLIND_LABELS, FLOAT_FORMAT, blind_text, publish
from fittrial.report.context import render_report
from fittrial.report.tables import data_quality_table, missing_outcomes_table, participants_table, who5_by_arm_visit

log = logging.getLogger("fittrial")


def tipping_2d_table_step(grid: str, table_out: str, blinded: bool = False) -> None:
    """The two-dimensional tipping-point table (published; arms A and B in its column names and conclusions when
    blinded)."""
    out = pd.read_parquet(grid)
    if blinded:
        out = out.rename(columns={"delta_fit": "delta_A", "delta_control": "delta_B"})
        out["conclusion"] = out["conclusion"].map({"favours_fit": "favours_A", "favours_control": "favours_B",
                                                   "no_difference": "no_difference"})
    write_csv(out, table_out, float_format=FLOAT_FORMAT)


def tipping_2d_figure_step(grid: str, png: str, svg: str, language: str = "en", blinded: bool = False,
                           words: dict | None = None) -> None:
    """The two-dimensional tipping point's figure in the report's language (arms A and B when blinded)."""
    from fittrial.language.i18n import Translator
    from fittrial.report.figures import tipping_2d_figure

    frame = pd.read_parquet(grid)
    t = Translator(language, blinded=blinded, words=words)
    a, b = ("A", "B") if blinded else (t("FIT"), t("control"))
    labels = {"x": t("tip2d_x", arm=b), "y": t("tip2d_y", arm=a), "favours_fit": t("tip2d_favours", arm=a),
              "favours_control": t("tip2d_favours", arm=b), "no_difference": t("tip2d_none"), "mar": t("tip2d_mar"),
              "decimal": t.decimal}
    if len(frame):
        tipping_2d_figure(frame, png, svg, labels)
    else:  # the multiple imputation was not estimated: an empty figure that says so
        from fittrial.report.figures import placeholder_figure

        placeholder_figure(t("not_estimated"), png, svg)


def descriptives_step(clean_randomisation: str, citizens: str, who5_long: str, notes: str, variance: str,
                      emmeans: str, tipping: str, cif: str, visits: list[dict], threshold: int,
                      outputs: Mapping[str, str], blinded: bool = False, outcomes: list[str] | None = None) -> None:
    """Write the published descriptive tables (all counts suppressed below ``threshold``)."""
    rand = pd.read_parquet(clean_randomisation)
    cit = pd.read_parquet(citizens)
    long = pd.read_parquet(who5_long)
    write_csv(publish(participants_table(rand, cit, long, threshold, outcomes), blinded), outputs["participants"])
    summary = who5_by_arm_visit(cit, [int(v["visit"]) for v in visits], threshold)
    write_csv(publish(summary, blinded), outputs["who5_by_arm_visit"], float_format=FLOAT_FORMAT)
    write_csv(data_quality_table(pd.read_parquet(notes), threshold), outputs["data_quality"])
    write_csv(publish(missing_outcomes_table(cit, threshold, outcomes), blinded), outputs["missing_outcomes"])
    write_csv(pd.read_parquet(variance), outputs["variance_components"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(emmeans), blinded), outputs["emmeans"], float_format=FLOAT_FORMAT)
    write_csv(pd.read_parquet(tipping), outputs["tipping_point"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(cif), blinded), outputs["cif_dropout"], float_format=FLOAT_FORMAT)


FLOW_ANALYSES = ("followup_who5", "any_who5", "primary_visit", "enrolled")
PAIRS = "matched pairs"  # the randomised row of a pair-matched trial's flow table: "matched pairs: <number>"


def flow_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, long: pd.DataFrame, threshold: int,
               visits: Sequence[int] = (0, 6, 12), primary_visit: int = 12,
               outcomes: list[str] | None = None) -> pd.DataFrame:
    """The CONSORT flow diagram's numbers by arm (published as tables/flow.csv; the figure is drawn from it).

    One row per stage (``stage``: ``randomised``, ``enrolled``, ``who5_m{v}`` for each visit, then the
    analysis populations of :mod:`fittrial.publish.populations` and ``outcome:{o}``), with per arm: ``*_citizens``,
    ``*_caseworkers`` (clusters at that stage), ``*_not_included`` (the side box: enrolled citizens not at
    that stage; at ``enrolled``, caseworkers who enrolled no one), and ``*_reasons`` (at a visit, why the
    WHO-5 is missing as far as the course says: ended before the visit and why, or ``in_course``; at
    ``randomised``, caseworkers per stratum). Counts are made safe by
    :func:`fittrial.publish.populations.safe_count` and :func:`fittrial.publish.populations.breakdown`.
    """
    from fittrial.inputs.crosscheck import allocation
    from fittrial.publish.disclosure import suppress
    from fittrial.publish.populations import END_REASONS, breakdown, end_reason_at, members, safe_count
    from fittrial.report.tables import ARMS

    member = members(citizens, long, outcomes)
    strata = sorted(randomisation["stratum"].unique())
    kind = allocation(randomisation)
    rows: list[dict] = []
    row = {"stage": "randomised"}
    for a in ARMS:
        ra = randomisation[randomisation["arm"] == a]
        if kind == "pair_matched":  # one caseworker per arm in each pair: the number of pairs, not a row per pair
            reasons = f"{PAIRS}: {len(strata)}"
        elif kind == "unstratified":
            reasons = ""
        else:
            reasons = "; ".join(f"{s}: {int((ra['stratum'] == s).sum())}" for s in strata)
        row.update({f"{a}_citizens": "", f"{a}_caseworkers": str(len(ra)), f"{a}_not_included": "",
                    f"{a}_reasons": reasons})
    rows.append(row)
    row = {"stage": "enrolled"}
    for a in ARMS:
        ca = citizens[citizens["arm"] == a]
        with_citizens = int(ca["caseworker_id"].nunique())
        row.update({f"{a}_citizens": suppress(len(ca), threshold), f"{a}_caseworkers": str(with_citizens),
                    f"{a}_not_included": str(int((randomisation["arm"] == a).sum()) - with_citizens),
                    f"{a}_reasons": ""})
    rows.append(row)

    def stage(name: str, population: str, reasons_at: int | None = None) -> None:
        row = {"stage": name}
        for a in ARMS:
            in_arm = citizens["arm"] == a
            sub = citizens[in_arm & member[population]]
            safe = safe_count(len(sub), int(in_arm.sum()), threshold)
            reasons = ""
            if reasons_at is not None and safe.left_out.isdigit() and int(safe.left_out) > 0:
                why = end_reason_at(citizens[in_arm & ~member[population]], reasons_at).value_counts()
                order = [*END_REASONS, "in_course", "no_form"]
                shown = breakdown({k: int(why.get(k, 0)) for k in order if why.get(k, 0) > 0}, threshold)
                reasons = "; ".join(f"{k}: {v}" for k, v in shown.items())
            row.update({f"{a}_citizens": safe.text, f"{a}_caseworkers": str(int(sub["caseworker_id"].nunique())),
                        f"{a}_not_included": safe.left_out, f"{a}_reasons": reasons})
        rows.append(row)

    for v in visits:
        stage(f"who5_m{v}", f"who5_m{v}", reasons_at=v)
    stage("analysis:followup_who5", "followup_who5")
    if 0 in visits:  # the CLDA's population: it needs a baseline
        stage("analysis:any_who5", "any_who5")
    stage(f"analysis:who5_m{primary_visit}", f"who5_m{primary_visit}")
    if f"change_m{primary_visit}" in member:
        stage(f"analysis:change_m{primary_visit}", f"change_m{primary_visit}")
    stage("analysis:enrolled", "enrolled")
    from fittrial.inputs.dataset import BINARY_OUTCOMES

    for o in BINARY_OUTCOMES if outcomes is None else outcomes:
        stage(f"outcome:{o}", f"outcome:{o}")
    columns = ["stage"] + [f"{a}_{c}" for a in ARMS for c in ("citizens", "caseworkers", "not_included", "reasons")]
    return pd.DataFrame(rows, columns=columns)


def flow_label(stage: str, t, available: frozenset[str] | set[str] = frozenset({"adherence", "course"})) -> str:
    """The label of a flow-diagram stage in the report language. An analysis stage names the catalogue's analyses
    of its population (:data:`fittrial.base.catalogue.ANALYSES`) that the report has: those whose needs are in
    ``available`` (``adherence``: FIT sessions and an unblinded review; ``course``: course ends recorded)."""
    from fittrial.base.catalogue import ANALYSES

    def analysed(population: str, **values: object) -> str:
        names = [t(f"fl_a_{a.name}") for a in ANALYSES if a.population == population and a.flow
                 and set(a.needs) - {"baseline"} <= set(available)]
        return t("fl_analysed", analyses=", ".join(names), population=t(f"fl_pop_{population}", **values))

    if stage == "who5_m0":
        text = t("fl_baseline")
    elif stage.startswith("who5_m"):
        text = t("fl_who5", v=stage[len("who5_m"):])
    elif stage.startswith("analysis:change_m"):
        text = t("fl_change", v=stage[len("analysis:change_m"):])
    elif stage.startswith("analysis:who5_m"):
        text = analysed("visit", v=stage[len("analysis:who5_m"):])
    elif stage.startswith("outcome:"):
        text = t("fl_outcome", o=t.outcome(stage.split(':', 1)[1]))
    elif stage.startswith("analysis:"):
        text = analysed(stage.split(":", 1)[1])
    else:
        text = t(f"fl_{stage.split(':')[-1]}")
    return text[:1].upper() + text[1:]


def flow_texts(flow: pd.DataFrame, t, arms: tuple[str, str] = ("FIT", "control"),
               available: frozenset[str] | set[str] = frozenset({"adherence", "course"})) -> pd.DataFrame:
    """The flow diagram's boxes in the report language: ``label`` (the stage), per arm the main box (``FIT``,
    ``control``) and the side box (``FIT_side``, ``control_side``; empty when nobody is left out)."""
    rows = []
    for r in flow.to_dict("records"):
        st = r["stage"]
        row = {"label": flow_label(st, t, available)}
        if st == "randomised":  # by stratum, in matched pairs, or in one stratum
            first = str(r[f"{arms[0]}_reasons"] or "")
            row["label"] = t("fl_randomised_pairs" if first.startswith(PAIRS) else
                             "fl_randomised" if first else "fl_randomised_one")
        for a, col in zip(arms, ("FIT", "control")):
            cit, cw = r[f"{a}_citizens"], r[f"{a}_caseworkers"]
            out, why = str(r[f"{a}_not_included"] or ""), str(r[f"{a}_reasons"] or "")
            if st == "randomised":
                strata = "\n".join(f"{t('fl_pairs') if s.split(': ')[0] == PAIRS else s.split(': ')[0]}: "
                                   f"{t.count(s.split(': ')[1])}" for s in why.split("; ") if s)
                row[col] = t("fl_box_cw", cw=t.count(cw)) + ("\n" + strata if strata else "") if cw else \
                    t("fl_box_cw_hidden")  # a blinded review that shows no arm's size
                row[f"{col}_side"] = ""
                continue
            if str(cit) == "suppressed":  # not "suppressed citizens"
                row[col] = t("fl_citizens_suppressed") + (f"\n{t('fl_box_cw', cw=t.count(cw))}" if cw else "")
            else:
                row[col] = t("fl_box", n=t.count(cit), cw=t.count(cw)) if cw else t("fl_box_citizens", n=t.count(cit))
            if st == "enrolled":
                row[f"{col}_side"] = t("fl_no_citizens", n=t.count(out)) if out not in ("", "0") else ""
                continue
            side = ""
            if out not in ("", "0"):
                side = t("fl_side_who5" if st.startswith("who5_m") else "fl_side_outcome" if
                         st.startswith("outcome:") else "fl_side_analysis", n=t.count(out))
                if why:
                    parts = [p.split(": ") for p in why.split("; ")]
                    side += "\n" + "\n".join(f"  {t('end_' + k)}: {t.count(v)}" for k, v in parts)
            row[f"{col}_side"] = side
        rows.append(row)
    return pd.DataFrame(rows, columns=["label", "FIT", "FIT_side", "control", "control_side"])


def figure_labels(language: str, arms: dict[str, str] | None = None, primary_visit: int = 12,
                  words: dict | None = None) -> dict[str, str]:
    """Axis and legend labels of the report's figures in the report language and the trial's words."""
    from fittrial.language.i18n import Translator

    t = Translator(language, primary_visit=primary_visit, words=words)
    arms = arms or t.arm_names()
    return {"FIT": arms["FIT"], "control": arms["control"], "months": t("months_axis"), "who5": t("who5_axis"),
            "days": t("days_axis"), "cif": t("cif_axis"), "at_risk": t("at_risk"),
            "forest": t("forest_axis", a=arms["FIT"], b=arms["control"]), "meeting": t("meeting_axis"),
            "median": t("median"), "iqr": t("iqr"), "cutoff": t("cutoff"), "decimal": t.decimal,
            "who5_title": t("who5_title")}


def course_tables_step(inputs: Mapping[str, str], visits: list[dict], threshold: int, tables_out: Mapping[str, str],
                       blinded: bool = False, primary_visit: int = 12, outcomes: list[str] | None = None) -> None:
    """The report's tables of the trial's course, which need no effect estimate: baseline, WHO-5 completion, FIT
    practice and the CONSORT flow (drafts for the disclosure audit). They hold the contract's codes and numbers
    only, so the report's language is no parameter of them (:func:`course_figures_step` draws the figures)."""
    import fittrial.report.tables as T

    rand = pd.read_parquet(inputs["randomisation"])
    cit = pd.read_parquet(inputs["citizens"])
    long = pd.read_parquet(inputs["who5_long"])
    visit_list = [int(v["visit"]) for v in visits]

    write_csv(publish(T.baseline_table(cit, rand, threshold), blinded), tables_out["baseline"], float_format="%.3f")
    write_csv(publish(T.completion_table(cit, visit_list, threshold), blinded), tables_out["who5_completion"],
              float_format="%.1f")
    sessions = pd.read_parquet(inputs["fit_sessions"])
    summary, meetings = _practice(sessions, cit, threshold, blinded)
    write_csv(summary, tables_out["fit_practice"])
    write_csv(meetings, tables_out["fit_practice_by_meeting"], float_format=FLOAT_FORMAT)
    flow = flow_table(rand, cit, long, threshold, visit_list, primary_visit, outcomes)
    write_csv(publish(flow, blinded), tables_out["flow"])  # its figure is drawn once it is audited (flow_figure_step)


def _practice(sessions: pd.DataFrame, cit: pd.DataFrame, threshold: int, blinded: bool
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FIT practice: the summary and the by-meeting table (empty when blinded or without sessions)."""
    import fittrial.analyses.practice as practice

    totals = practice.session_totals(sessions, cit)
    summary = practice.practice_summary(totals, cit, threshold)
    meetings = practice.by_meeting(totals, threshold)
    if blinded or sessions.empty:  # FIT-only results would unblind; without sessions there is nothing to show
        summary, meetings = summary.iloc[0:0], meetings.iloc[0:0]
    return summary, meetings


def course_figures_step(inputs: Mapping[str, str], threshold: int, language: str, figures_out: Mapping[str, str],
                        blinded: bool = False, primary_visit: int = 12, words: dict | None = None) -> None:
    """The report's figures of the trial's course in the report's language: the cumulative incidence of dropout,
    FIT practice by meeting (from the same numbers as its table) and WHO-5 by arm and visit."""
    import fittrial.report.figures as F
    from fittrial.language.i18n import Translator

    labels = figure_labels(language, BLIND_LABELS if blinded else None, primary_visit, words)
    t = Translator(language, primary_visit=primary_visit, words=words)
    cit = pd.read_parquet(inputs["citizens"])
    _, meetings = _practice(pd.read_parquet(inputs["fit_sessions"]), cit, threshold, blinded)
    draw("cif_figure", lambda: F.cif_figure(pd.read_parquet(inputs["cif"]), figures_out["cif_png"],
                                            figures_out["cif_svg"], labels),
         figures_out["cif_png"], figures_out["cif_svg"], t)
    draw("fit_practice_figure", lambda: F.practice_figure(meetings, figures_out["fit_practice_png"],
                                                          figures_out["fit_practice_svg"], labels),
         figures_out["fit_practice_png"], figures_out["fit_practice_svg"], t)
    figure_step(inputs["who5_by_arm"], figures_out["who5_png"], figures_out["who5_svg"], language, blinded,
                primary_visit, words)


def draw(name: str, make, png: str, svg: str, t) -> None:
    """Draw one figure of the report; if drawing fails, a figure that says "not drawn" takes its place (the
    traceback goes to the step's log), so that one figure never stops the report."""
    from fittrial.models.estimable import guarded
    from fittrial.report.figures import placeholder_figure

    guarded(name, make, lambda reason: placeholder_figure(f"{t('not_estimated')}: {reason}", png, svg))


def report_tables_step(inputs: Mapping[str, str], visits: list[dict], threshold: int, tables_out: Mapping[str, str],
                       blinded: bool = False, outcomes: list[str] | None = None) -> None:
    """The report's tables of effects (drafts for the disclosure audit): primary and secondary outcomes and the
    predictors of a missing WHO-5 (fitted by :func:`fittrial.steps.models.missingness_step`). Codes and numbers
    only: the report's language is no parameter of them (:func:`report_figures_step` draws the figures)."""
    import fittrial.report.tables as T

    cit = pd.read_parquet(inputs["citizens"])
    effects = pd.read_csv(inputs["effects"])
    primary = _primary(inputs, cit, effects, threshold, visits, blinded)
    write_csv(publish(primary, blinded), tables_out["primary_outcome"], float_format=FLOAT_FORMAT)
    write_csv(publish(T.secondary_table(cit, effects, threshold, outcomes), blinded), tables_out["secondary_outcomes"],
              float_format=FLOAT_FORMAT)
    miss = pd.read_parquet(inputs["missingness"])
    method = str(miss["method"].iloc[0])
    miss = miss.drop(columns="method")
    if blinded:
        miss["predictor"] = miss["predictor"].replace({"FIT arm": "arm A"})
    write_csv(miss.assign(method=blind_text(method) if blinded else method), tables_out["missingness_predictors"],
              float_format=FLOAT_FORMAT)


def _primary(inputs: Mapping[str, str], cit: pd.DataFrame, effects: pd.DataFrame, threshold: int,
             visits: list[dict], blinded: bool) -> pd.DataFrame:
    """The primary outcome's table by arm and visit (before the published arm labels)."""
    import fittrial.report.tables as T

    emmeans = pd.read_csv(inputs["emmeans"])
    if blinded:  # the published tables show A/B; internally the analyses keep FIT/control
        emmeans["arm"] = emmeans["arm"].map({v: k for k, v in BLIND_LABELS.items()}).fillna(emmeans["arm"])
    return T.primary_table(cit, emmeans, effects, threshold, [int(v["visit"]) for v in visits])


def report_figures_step(inputs: Mapping[str, str], visits: list[dict], threshold: int, language: str,
                        figures_out: Mapping[str, str], blinded: bool = False, primary_visit: int = 12,
                        words: dict | None = None) -> None:
    """The report's figures of effects in the report's language: the WHO-5 trajectories (from the same numbers as
    the primary outcome's table) and the forest plots."""
    import fittrial.report.figures as F
    from fittrial.language.i18n import Translator

    labels = figure_labels(language, BLIND_LABELS if blinded else None, primary_visit, words)
    t = Translator(language, primary_visit=primary_visit, words=words)
    cit = pd.read_parquet(inputs["citizens"])
    effects = pd.read_csv(inputs["effects"])
    primary = _primary(inputs, cit, effects, threshold, visits, blinded)
    draw("trajectories_figure", lambda: F.trajectories_figure(primary, figures_out["trajectories_png"],
                                                              figures_out["trajectories_svg"], labels),
         figures_out["trajectories_png"], figures_out["trajectories_svg"], t)
    who5_12 = effects[(effects["outcome"] == "who5") & (effects["timepoint_months"] == primary_visit)
                      & ~effects["analysis"].str.startswith("subgroup:")]
    who5_12 = who5_12.assign(note=[t("not_estimated") if pd.isna(x) else "" for x in who5_12["estimate"]])
    draw("forest_who5_figure", lambda: F.forest_figure(
        who5_12.assign(label=[t(f"a_{a}") for a in who5_12["analysis"]]), figures_out["forest_who5_png"],
        figures_out["forest_who5_svg"], labels["forest"], decimal=labels["decimal"]),
        figures_out["forest_who5_png"], figures_out["forest_who5_svg"], t)
    from fittrial.report.context import subgroup_label, subgroup_order

    sub = effects[effects["analysis"].str.startswith("subgroup:")]
    sub = sub.iloc[sorted(range(len(sub)), key=lambda i: subgroup_order(sub["analysis"].iloc[i]))]
    notes = [t("not_estimated") if pd.isna(est) else f"{t('p_interaction')} {t.p(p)}" if k == 0 or v != prev else ""
             for k, (p, v, prev, est) in enumerate(
                 zip(sub["p_interaction"], sub["analysis"].str.split("=").str[0],
                     [None, *sub["analysis"].str.split("=").str[0].tolist()[:-1]], sub["estimate"]))]
    draw("forest_subgroups_figure", lambda: F.forest_figure(
        sub.assign(label=[subgroup_label(a, t) for a in sub["analysis"]], note=notes),
        figures_out["forest_subgroups_png"], figures_out["forest_subgroups_svg"], labels["forest"],
        decimal=labels["decimal"]), figures_out["forest_subgroups_png"], figures_out["forest_subgroups_svg"], t)


def figure_step(who5_summary: str, png: str, svg: str, language: str = "en", blinded: bool = False,
                primary_visit: int = 12, words: dict | None = None) -> None:
    """Draw the WHO-5-by-arm figure in the report's language (arms A and B when blinded)."""
    from fittrial.report.figures import who5_by_arm_figure

    labels = figure_labels(language, None, primary_visit, words)
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

def disclosure_control_step(drafts: Mapping[str, str], published: Mapping[str, str], citizens: str, who5_long: str,
                            randomisation: str, threshold: int, outcomes: list[str], age_breaks: list[int],
                            record_out: str, hide_sizes: bool = False) -> None:
    """Secondary suppression of the report set's tables (:func:`fittrial.publish.audit.control_report_set`):
    the draft tables ``drafts`` are written to ``published`` with every number suppressed that would let a
    reader narrow down a small count from all tables together (a table with nothing to suppress is copied byte
    for byte), and the audit's record to ``record_out`` for provenance.json. A count still exposed (one that
    follows from numbers known by definition) is logged by where it is shown, never its value. ``hide_sizes``:
    a blinded review that publishes no number of caseworkers per arm (:func:`fittrial.publish.labels.hide_arm_sizes`)."""
    import json
    import shutil
    from pathlib import Path

    from fittrial.base.files import atomic_path, write_text
    from fittrial.publish.audit import apply_suppression, control_report_set

    folder = Path(next(iter(drafts.values()))).parent
    record, places = control_report_set(folder, pd.read_parquet(randomisation), pd.read_parquet(citizens),
                                        pd.read_parquet(who5_long), outcomes, threshold, age_breaks)
    from fittrial.publish.labels import hide_arm_sizes

    hidden = {"flow", "participants", "baseline", "recruitment"} if hide_sizes else set()
    for name, target in published.items():
        if any(p.table == name for p in places) or name in hidden:
            frame = apply_suppression(name, pd.read_csv(drafts[name], dtype=str, keep_default_na=False), places)
            write_csv(hide_arm_sizes(name, frame) if name in hidden else frame, target)
        else:
            with atomic_path(target) as tmp:
                shutil.copyfile(drafts[name], tmp)
    for at in sorted(places):
        log.info("suppressed further: %s.csv row %d, %s%s", at.table, at.row + 1, at.column,
                 f" ({at.part})" if at.part else "")
    for universe in ("citizens", "caseworkers"):
        for cell in record[universe]["exposed"]:
            log.warning("disclosure audit: %s (%s) can be narrowed from %d to %d values", cell["where"],
                        cell["shown"], cell["values_allowed"], cell["values_left"])
    write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", record_out)


def flow_figure_step(flow_table: str, citizens: str, fit_sessions: str, png: str, svg: str, language: str,
                     blinded: bool, primary_visit: int, words: dict | None) -> None:
    """The CONSORT flow diagram, drawn from the published flow table (after secondary suppression), so that it
    shows exactly the numbers of the table. Whether the trial has FIT-session forms and recorded course ends
    decides which analyses the boxes name."""
    import fittrial.report.figures as F
    from fittrial.inputs.dataset import course_recorded
    from fittrial.language.i18n import Translator

    sessions = not pd.read_parquet(fit_sessions).empty
    course = course_recorded(pd.read_parquet(citizens))

    labels = figure_labels(language, BLIND_LABELS if blinded else None, primary_visit, words)
    t = Translator(language, primary_visit=primary_visit, words=words)
    flow = pd.read_csv(flow_table, dtype=str, keep_default_na=False)
    available = {need for need, present in (("adherence", not blinded and (sessions or not (words or {}).get("arms"))),
                                            ("course", course)) if present}
    arms = ("A", "B") if blinded else ("FIT", "control")
    flow_fig = flow_texts(flow, t, arms=arms, available=available)
    flow_fig.attrs = {"FIT": labels["FIT"], "control": labels["control"], "side": t("fl_side_title")}
    F.flow_figure(flow_fig, png, svg)

