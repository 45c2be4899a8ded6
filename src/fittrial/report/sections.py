"""Report sections built from the configuration and the published tables: the CONSORT items of the trial
(config ``trial``) and the yardsticks for "how much" (:mod:`fittrial.analyses.yardsticks`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import pandas as pd

from fittrial.analyses.yardsticks import harm_band, mid_band
from fittrial.language.i18n import Translator

# (CONSORT 2010 / cluster extension item, config key), in the order of the checklist; "design" (3a) is not a key:
# the report says it from the randomisation table
CONSORT_ITEMS = (("2a", "background"), ("2b", "objectives"), ("3a", "design"), ("3b", "changes_to_methods"),
                 ("4a", "eligibility_clusters"), ("4a", "eligibility_individuals"), ("4b", "setting"),
                 ("5", "intervention"), ("5", "control"), ("6a", "outcomes"), ("6b", "changes_to_outcomes"),
                 ("7a", "sample_size"), ("7b", "interim_analyses"), ("8", "sequence_generation"),
                 ("9", "allocation_concealment"), ("10a", "implementation"), ("10b", "recruitment"), ("10c", "consent"),
                 ("11", "blinding"), ("14a", "dates"), ("14b", "why_ended"), ("19", "harms"), ("20", "limitations"),
                 ("21", "generalisability"), ("23", "registration"), ("24", "protocol"), ("25", "funding"))


# The CONSORT 2010 checklist with its extension for cluster randomised trials (Campbell et al. 2012): each item
# and where this report gives it: config keys of `trial:` (shown in the CONSORT section when stated), or "@..." for
# what the report gives from the data ("@s_..." a section (the course outcomes only when shown), "@title",
# "@abstract", "@allocation" the randomisation table's strata or pairs, "@recruitment" the recruitment tables,
# "@harms" the observed deterioration, "@icc" the ICCs, "@change" the yardsticks' individual change by arm)
CHECKLIST: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("1a", ("@title",)), ("1b", ("@abstract",)), ("2a", ("background",)), ("2b", ("objectives",)),
    ("3a", ("@s_design",)), ("3b", ("changes_to_methods",)), ("4a", ("eligibility_clusters", "eligibility_individuals")),
    ("4b", ("setting",)), ("5", ("intervention", "control")), ("6a", ("outcomes", "@s_primary")),
    ("6b", ("changes_to_outcomes",)), ("7a", ("sample_size", "assumed_icc")), ("7b", ("interim_analyses",)),
    ("8a", ("sequence_generation",)), ("8b", ("sequence_generation", "@allocation")),
    ("9", ("allocation_concealment",)), ("10a", ("implementation",)), ("10b", ("recruitment", "@recruitment")),
    ("10c", ("consent",)), ("11a", ("blinding",)), ("11b", ("blinding", "intervention", "control")),
    ("12a", ("@s_methods",)), ("12b", ("@s_triangulation", "@s_methods")), ("13a", ("@s_flow",)),
    ("13b", ("@s_flow", "@s_missing")), ("14a", ("dates",)), ("14b", ("why_ended",)), ("15", ("@s_baseline",)),
    ("16", ("@s_flow", "@s_triangulation")), ("17a", ("@s_primary", "@icc")), ("17b", ("@s_secondary", "@change")),
    ("18", ("@s_triangulation",)), ("19", ("harms", "@harms")), ("20", ("limitations",)),
    ("21", ("generalisability",)), ("22", ("@s_summary", "@s_yardsticks")), ("23", ("registration",)),
    ("24", ("protocol",)), ("25", ("funding",)))


# a title that identifies the trial as cluster randomised (CONSORT-cluster 1a), in either language
CLUSTER_RANDOMISED = re.compile(r"cluster[- ]?randomi[sz]|klynge-?randomiser", re.IGNORECASE)


def identified_title(title: str, t: Translator) -> str:
    """The report's title, identifying the trial as cluster randomised (CONSORT-cluster item 1a): the config's
    title as it is when it says so, else with "(a cluster-randomised trial)" after it."""
    return title if CLUSTER_RANDOMISED.search(title) else f"{title} ({t('title_design')})"


def config_text(value: object, t: Translator) -> str:
    """A config text (one string or a mapping per language) in the report's language; "" when empty."""
    if isinstance(value, dict):
        value = value.get(t.language) or value.get("en") or next(iter(value.values()), "")
    return "" if value is None else str(value).replace("{m}", str(t.primary_visit)).strip()


def observed_icc(icc: pd.DataFrame, t: Translator) -> str:
    """The observed ICC of WHO-5 with its CI (tables/icc.csv), or "not estimated"."""
    r = icc[icc["outcome"] == "who5"] if icc is not None and len(icc) else pd.DataFrame()
    if r.empty or pd.isna(r["icc"].iloc[0]):
        return t("not_estimated").lower()
    r = r.iloc[0]
    return f"{t.num(r['icc'], 3)} (95% {t('ci_abbr')} {t.ci(r['ci_low'], r['ci_high'], 3)})"


def allocation_design(flow: pd.DataFrame | None) -> tuple[str, int, int] | None:
    """(allocation, caseworkers, strata or pairs) from the flow table's randomised row (tables/flow.csv: its
    ``*_reasons`` hold "matched pairs: <n>", the strata with their counts, or nothing for one stratum)."""
    if flow is None or flow.empty or "stage" not in flow:
        return None
    row = flow[flow["stage"] == "randomised"]
    if row.empty:
        return None
    r = row.iloc[0]
    try:
        k = int(r["FIT_caseworkers"]) + int(r["control_caseworkers"])
    except (KeyError, ValueError):
        return None
    reasons = "" if pd.isna(r.get("FIT_reasons")) else str(r.get("FIT_reasons"))
    if reasons.startswith("matched pairs:"):
        return "pair_matched", k, int(reasons.split(":")[1])
    if not reasons:
        return "unstratified", k, 1
    return "stratified", k, len([p for p in reasons.split("; ") if p])


def design_sentence(flow: pd.DataFrame | None, t: Translator) -> str:
    """The trial's design in one sentence (CONSORT-cluster 3a and the abstract's "trial design"): parallel arms,
    the cluster as the unit of randomisation, stratified, pair-matched or neither (from the flow table), and the
    individuals analysed by their cluster's arm; the subtitle's wording when the flow table does not tell."""
    design = allocation_design(flow)
    return t(f"abs_design_{design[0]}") if design else t("subtitle")


def consort_rows(trial: dict | None, tables: dict[str, pd.DataFrame], t: Translator, arms: dict[str, str],
                 sec: Callable[[str], str], yardsticks: dict) -> list[dict]:
    """The CONSORT items as rows (item, label, text); "not stated" for a key the config leaves empty, with the
    design (3a) from the randomisation table, the observed ICC beside the assumed one, the observed deterioration
    under harms, and the recruitment section named under item 10b."""
    trial = trial or {}
    rows = []
    for item, key in CONSORT_ITEMS:
        if key == "design":  # CONSORT-cluster 3a: the design and its cluster, from the randomisation table
            rows.append({"item": item, "label": t("cs_design"), "text": design_sentence(tables.get("flow"), t),
                         "stated": True})
            continue
        text = config_text(trial.get(key), t)
        stated = bool(text)
        extra = []
        if key == "sample_size":
            assumed = trial.get("assumed_icc")
            extra.append(t("cs_icc", assumed=t.num(assumed, 3) if assumed is not None else t("cs_not_stated"),
                           observed=observed_icc(tables.get("icc"), t)))
        if key == "harms" and yardsticks.get("deterioration"):
            d = yardsticks["deterioration"]
            extra.append(t("cs_harms_observed", k=yardsticks["k"], fit=d["FIT"], con=d["control"],
                           a=t("rc_arm_FIT"), b=t("rc_arm_control"), section=sec("s_yardsticks")))
        if key == "sequence_generation" and (design := allocation_design(tables.get("flow"))):
            extra.append(t(f"cs_allocation_{design[0]}", k=t.count(design[1]), n=t.count(design[2])))
        if key == "recruitment" and tables.get("recruitment") is not None and t("rc_title") not in text:
            extra.append(t("cs_recruitment_observed", section=t("rc_title")))
        shown = " ".join([text if stated else t("cs_not_stated") + ("." if extra else ""), *extra])
        rows.append({"item": item, "label": t(f"cs_{key}"), "text": shown, "stated": stated})
    return rows


def checklist_rows(trial: dict | None, tables: dict[str, pd.DataFrame], t: Translator, sec: Callable[[str], str],
                   yardsticks: dict, show_secondary: bool = True) -> list[dict]:
    """The CONSORT-cluster checklist (:data:`CHECKLIST`) as rows: item, its short name, and the sections of this
    report that give it, or "not stated" for an item the config's ``trial:`` section leaves empty (an item the
    report gives from the data always has its section; binary outcomes (17b) with none analysed are "not
    applicable")."""
    trial = trial or {}
    rows = []
    for item, sources in CHECKLIST:
        where: list[str] = []
        for source in sources:
            if not source.startswith("@"):
                value = trial.get(source)
                given = value is not None if source == "assumed_icc" else bool(config_text(value, t))
                place = sec("s_design") if given else ""
            elif source == "@title":
                place = t("cl_title")
            elif source == "@abstract":
                place = t("s_abstract")
            elif source == "@allocation":
                place = sec("s_design") if allocation_design(tables.get("flow")) else ""
            elif source == "@recruitment":
                place = f"{sec('s_baseline')}: {t('rc_title')}" if tables.get("recruitment") is not None else ""
            elif source == "@harms":
                place = sec("s_yardsticks") if yardsticks.get("deterioration") else ""
            elif source == "@icc":
                place = f"{sec('s_methods')}: {t('s_icc')}"
            elif source == "@change":  # the yardsticks' shares of individual change by arm, with RD and RR
                place = sec("s_yardsticks") if yardsticks.get("rows") else ""
            elif source == "@s_secondary":
                place = sec("s_secondary") if show_secondary else ""
            else:
                place = sec(source[1:])
            if place and place not in where:
                where.append(place)
        stated = bool(where)
        if not where:
            where = [t("cl_not_applicable") if item == "17b" else t("cs_not_stated")]
        rows.append({"item": item, "topic": t(f"cl_{item}"), "where": "; ".join(where), "stated": stated})
    return rows


def yardstick_context(tables: dict[str, pd.DataFrame], config: dict, t: Translator, arms: dict[str, str],
                      blinded: bool) -> dict:
    """The yardsticks section: the MID sentence (three bands) and the harm sentence, Hedges' g, the
    individual-change table by arm, and the claims table with its sentence."""
    from fittrial.analyses.yardsticks import measures
    from fittrial.base.catalogue import yardstick_options
    from fittrial.language.i18n import reason_text

    opts = yardstick_options(config)
    cutoffs = {str(k): float(v) for k, v in opts["cutoffs"]}
    mid = opts["mid"]
    e = tables["effects"]
    itt = e[(e["analysis"] == "itt") & (e["outcome"] == "who5") & (e["timepoint_months"] == t.primary_visit)]
    est, lo, hi = (itt.iloc[0][["estimate", "ci_low", "ci_high"]] if len(itt) else (float("nan"),) * 3)
    sentences = []
    band = "no_mid"  # an outcome without a minimal important difference: no MID sentence
    if mid is not None:
        band = mid_band(est, lo, hi, mid)
        values = dict(mid=t.num(mid, 0) if float(mid).is_integer() else t.num(mid, 1), lo=t.num(lo, 1),
                      hi=t.num(hi, 1))
        sentences.append(t(f"y_mid_{band}", **values))
        if band != "not_estimated":
            sentences.append(t("y_harm_ruled_out" if harm_band(lo, mid) else "y_harm_not_ruled_out",
                               neg=t.num(-mid, 0) if float(mid).is_integer() else t.num(-mid, 1)))
    y = tables.get("yardsticks")
    y = y if y is not None else pd.DataFrame(columns=["measure", "scale"])
    g = y[y["scale"] == "hedges_g"]
    if len(g) and pd.notna(g["estimate"].iloc[0]):
        r = g.iloc[0]
        sentences.append(t("y_g", g=t.num(r["estimate"], 2), ci=t.ci(r["ci_low"], r["ci_high"], 2)))
    elif len(g):
        sentences.append(t("y_g_not", reason=reason_text(g.iloc[0], t).rstrip(".")))
    k = t.num(opts["reliable_change"], 0) if opts["reliable_change"] is not None else ""
    label_values = {"k": k, "m": t.primary_visit}
    a_col = "A" if blinded else "FIT"
    b_col = "B" if blinded else "control"
    rows, deterioration = [], {}
    for measure in measures(opts):
        sub = y[y["measure"] == measure]
        if sub.empty or all(str(sub.iloc[0][f"{c}_n"]) in ("0", "", "nan") for c in (a_col, b_col)):
            continue  # nobody has the outcome at baseline and at the primary visit (e.g. no baseline visit)
        first = sub.iloc[0]

        def share(col: str) -> str:
            pct = first.get(f"{col}_percent")
            pct = "" if pd.isna(pct) else f" ({t.num(pct, 1)}%)"
            return f"{t.count(first[f'{col}_events'])} / {t.count(first[f'{col}_n'])}{pct}"

        def effect(scale: str, factor: float = 1.0) -> str:
            r = sub[sub["scale"] == scale]
            if r.empty:
                return ""
            r = r.iloc[0]
            if pd.isna(r["estimate"]):
                return f"{t('not_estimated')}: {reason_text(r, t)}"
            return t.est_ci(r["estimate"] * factor, r["ci_low"] * factor, r["ci_high"] * factor,
                            1 if factor != 1 else 2)

        c = t.num(cutoffs.get(measure, 0.0), 0 if float(cutoffs.get(measure, 0.0)).is_integer() else 1)
        label = t(f"y_{measure}", c=c, **label_values) if f"y_{measure}" in t.text else \
            t("y_cutoff", c=c, label=t.cutoff(measure), **label_values)
        rows.append({"label": label, "FIT": share(a_col), "control": share(b_col),
                     "rd": effect("risk_difference", 100.0), "rr": effect("risk_ratio")})
        if measure == "reliable_deterioration":
            deterioration = {"FIT": share(a_col), "control": share(b_col)}
    if not rows and measures(opts):
        sentences.append(t("y_no_change"))
    claims = []
    claims_sentence = t("y_claims_blinded") if blinded else ""
    change = ""
    table = tables.get("claims")
    config_claims = (config.get("yardsticks") or {}).get("claims") or []
    if not blinded and table is not None and len(table):
        inside, outside = [], []
        for _, r in table.iterrows():
            spec = config_claims[int(r["claim"]) - 1] if int(r["claim"]) - 1 < len(config_claims) else {}
            text = config_text(spec.get("claim"), t) or str(r["outcome"])
            digits = 2 if r["scale"] == "risk_ratio" else 1
            if r["outcome"] == "who5" and pd.notna(r["claimed_value"]):
                change = t.num(r["claimed_value"] / (float(spec.get("value", 2)) - 1), 1) \
                    if float(spec.get("value", 2)) != 1 else ""
            observed = f"{t('not_estimated')}: {reason_text(r, t)}" if pd.isna(r["estimate"]) else \
                t.est_ci(r['estimate'], r['ci_low'], r['ci_high'], digits)
            verdict = {"yes": t("y_yes"), "no": t("y_no")}.get(str(r["inside_ci"]), "")
            unit = t("y_rr_unit") if r["scale"] == "risk_ratio" else t("y_points_unit")
            claims.append({"claim": text, "claimed": f"{t.num(r['claimed_value'], digits)} ({unit})",
                           "observed": observed,
                           "inside": verdict})
            if r["inside_ci"] == "yes":
                inside.append(text)
            elif r["inside_ci"] == "no":
                outside.append(text)
        if inside:
            claims_sentence = t("y_claims_sentence", which="; ".join(inside), others="; ".join(outside) or "-")
        elif outside:
            claims_sentence = t("y_claims_sentence_none")
    cov = {"mancl_derouen": "Mancl-DeRouen", "robust": "robust sandwich"}.get(
        config.get("analysis", {}).get("gee_covariance", "mancl_derouen"),
        config.get("analysis", {}).get("gee_covariance", ""))
    return {"band": band, "sentences": sentences, "rows": rows, "claims": claims, "claims_sentence": claims_sentence,
            "show_claims": bool(config_claims),
            "note": t("y_note", cov=cov), "claims_note": t("y_claims_note", change=change or "-"),
            "deterioration": deterioration, "k": k}


def plan_rows(config: dict, t: Translator) -> list[dict]:
    """The analysis plan as configured: one row per setting with its label in the report language (the config
    key beside it, for the reviewer) and its value in words (yes/no, named methods, visit windows)."""
    rows = []

    def word(v: object, key: str = "") -> str:
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 1000 and not key.endswith("seed"):
            return t.count(v)  # 10,000 re-randomisations (a seed stays as written)
        return t(f"plan_value:{v}") if f"plan_value:{v}" in t.text else t.text_numbers(str(v))

    def add(key: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                add(f"{key}.{k}", v)
            return
        if key == "visits":
            shown = "; ".join(f"{v.get('visit')}: {t.num(v.get('earliest_day'), 0)} - {t.num(v.get('latest_day'), 0)}"
                              for v in cast("list[dict[str, Any]]", value or []))  # the config's visit windows
        elif isinstance(value, list):
            shown = ", ".join(word(v) for v in value)
        elif isinstance(value, str) and ("/" in value or "\\" in value):
            # a file (the appendix's table, a key file): its name only, never a user's folders, and the same
            # whether the run was given it relative or absolute (verify's re-run resolves it)
            shown = value.replace("\\", "/").rsplit("/", 1)[-1]
        else:
            shown = word(value, key)
        label = t(f"plan:{key}") if f"plan:{key}" in t.text else None
        rows.append({"key": t.localise(f"{label} ({key})" if label else key), "value": shown})

    for section in ("scoring", "visits", "analysis", "report"):
        if config.get(section) is not None:
            add(section, config.get(section))
    return rows


__all__ = ["plan_rows", "consort_rows", "checklist_rows", "design_sentence", "yardstick_context", "config_text",
           "identified_title", "CONSORT_ITEMS", "CHECKLIST"]
