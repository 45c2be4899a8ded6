"""The report's section on recruitment after randomisation (CONSORT cluster extension item 10c), in the report's
language, from the published table that :mod:`fittrial.analyses.recruitment` writes."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fittrial.analyses.recruitment import ARMS, has_baseline
from fittrial.language.i18n import Translator
from fittrial.models.estimable import sentence


def report_context(table: pd.DataFrame, t: Translator, arms: Mapping[str, str]) -> dict:
    """The recruitment section of the report (HTML and PDF) in the report's language.

    ``table``: tables/recruitment.csv as read by the report step (arm
    columns FIT and control, also when blinded); ``t``: the
    :class:`fittrial.language.i18n.Translator`; ``arms``: the arms' display names.
    Returns ``rows`` (label, FIT, control), ``comparisons`` (label,
    estimate with CI or the not-estimated reason, p), ``notes`` and the
    ``sentence`` on differential recruitment.
    """
    from fittrial.language.i18n import reason_text

    by = table.set_index("measure")

    def cell(measure: str, arm: str) -> str:
        v = by.loc[measure, arm] if measure in by.index else ""
        return "" if pd.isna(v) else t.label(str(v))

    def pair(a: str, b: str, arm: str) -> str:
        x, y = cell(a, arm), cell(b, arm)
        return f"{x} {t('rc_to')} {y}" if x and y else ""

    def quart(prefix: str, arm: str) -> str:
        med = cell(f"{prefix}_median", arm)
        return f"{med} ({pair(f'{prefix}_q1', f'{prefix}_q3', arm)})" if med and cell(f"{prefix}_q1", arm) else med

    def mean_sd(arm: str) -> str:
        m = cell("baseline_who5_mean", arm)
        return f"{m} ({cell('baseline_who5_sd', arm)})" if m else ""

    baseline = has_baseline(by)
    rows = [{"label": t("rc_caseworkers"), **{a: cell("caseworkers_randomised", a) for a in ARMS}},
            {"label": t("rc_citizens"), **{a: cell("citizens_recruited", a) for a in ARMS}},
            {"label": t("rc_per_cw_mean"), **{a: cell("citizens_per_caseworker_mean", a) for a in ARMS}},
            {"label": t("rc_per_cw_median"), **{a: quart("citizens_per_caseworker", a) for a in ARMS}},
            {"label": t("rc_per_cw_range"),
             **{a: pair("citizens_per_caseworker_min", "citizens_per_caseworker_max", a) for a in ARMS}}]
    if any(cell("days_to_enrolment_n", a) not in ("", "0") for a in ARMS):  # dates of randomisation and enrolment
        rows.append({"label": t("rc_days"), **{a: quart("days_to_enrolment", a) for a in ARMS}})
    if baseline:
        rows += [{"label": t("rc_baseline_n"), **{a: cell("baseline_who5_n", a) for a in ARMS}},
                 {"label": t("rc_baseline_mean"), **{a: mean_sd(a) for a in ARMS}}]
    notes = []
    shown = {r["label"] for r in rows}
    for measure in ("citizens_per_caseworker_min", "citizens_per_caseworker_q1", "citizens_per_caseworker_mean",
                    "days_to_enrolment_median", "baseline_who5_mean"):
        if (measure == "baseline_who5_mean" and not baseline) or (measure == "days_to_enrolment_median"
                                                                   and t("rc_days") not in shown):
            continue  # the row is not shown, nor is why it is empty
        note = by.loc[measure, "note"] if measure in by.index else ""
        text = reason_text(pd.Series({"not_estimated": sentence(note)}), t) if isinstance(note, str) and note else ""
        if text and text not in notes:
            notes.append(text)

    def est_ci(measure: str, digits: int) -> str:
        r = by.loc[measure]
        if pd.isna(r["estimate"]):
            return f"{t('not_estimated')}: {reason_text(r, t)}"
        ci = t.ci(r["ci_low"], r["ci_high"], digits) if pd.notna(r["ci_low"]) else t("rc_ci_not_attainable")
        return f"{t.num(r['estimate'], digits)} ({ci})"

    comparisons = [{"label": t("rc_size_diff", a=arms["FIT"], b=arms["control"]),
                    "estimate": est_ci("size_difference", 2), "p": t.p(by.loc["size_difference", "p_value"])}]
    if baseline:
        comparisons += [{"label": t("rc_base_diff", a=arms["FIT"], b=arms["control"]),
                         "estimate": est_ci("baseline_who5_difference", 2),
                         "p": t.p(by.loc["baseline_who5_difference", "p_value"])},
                        {"label": t("rc_base_std", a=arms["FIT"], b=arms["control"]),
                         "estimate": est_ci("baseline_who5_std_difference", 2), "p": ""}]
    return {"rows": rows, "comparisons": comparisons, "notes": notes, "sentence": evidence_sentence(by, t),
            "note": t("rc_note" if baseline else "rc_note_no_baseline")}


def p_text(p: float, t: Translator) -> str:
    """'p = 0.040', or 'p < 0.001' (in the report's number format)."""
    text = t.p(p)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def evidence_sentence(by: pd.DataFrame, t: Translator) -> str:
    """One sentence (or two) on whether there is evidence of differential recruitment.

    Evidence: the randomisation test of recruitment size has p < 0.05, or the
    95% CI of the standardised baseline WHO-5 difference excludes 0. Without
    either, the sentence says there is no clear evidence and that this is not
    evidence that recruitment was the same (limited power; unmeasured
    characteristics). What could not be assessed is said with its reason.
    """
    from fittrial.language.i18n import reason_text

    size, std = by.loc["size_difference"], by.loc["baseline_who5_std_difference"]
    arms = {"fa": t("rc_arm_FIT"), "ca": t("rc_arm_control")}
    found, missing = [], []
    def reason(row: pd.Series) -> str:  # after a colon: "no baseline WHO-5 ...", but "FIT-armen" stays
        text = reason_text(row, t)
        return text[:1].lower() + text[1:] if text[1:2].islower() else text

    if pd.isna(size["estimate"]):
        missing.append(t("rc_missing_size", reason=reason(size)))
    elif size["p_value"] < 0.05:
        found.append(t("rc_found_size", dir=t("rc_more") if size["estimate"] > 0 else t("rc_fewer"),
                       est=t.num(abs(size["estimate"]), 2), p=p_text(size["p_value"], t), **arms))
    baseline = has_baseline(by)
    if pd.isna(std["estimate"]) and baseline:
        missing.append(t("rc_missing_base", reason=reason(std)))
    elif std["ci_low"] > 0 or std["ci_high"] < 0:
        found.append(t("rc_found_base", dir=t("higher") if std["estimate"] > 0 else t("lower"),
                       est=t.num(std["estimate"], 2), ci=t.ci(std["ci_low"], std["ci_high"], 2), **arms))
    if found:
        text = t("rc_evidence" if baseline else "rc_evidence_no_baseline", what=t("rc_and").join(found))
    elif len(missing) == 2 or (missing and not baseline):
        return t("rc_cannot") + " " + " ".join(missing)
    else:
        parts = []
        if pd.notna(size["estimate"]):
            parts.append(t("rc_size_part", p=p_text(size["p_value"], t)))
        if pd.notna(std["estimate"]):
            parts.append(t("rc_base_part", est=t.num(std["estimate"], 2), ci=t.ci(std["ci_low"], std["ci_high"], 2)))
        text = t("rc_no_evidence", what=t("rc_and").join(parts))
    return " ".join([text, *missing])


def methods_rows(table: pd.DataFrame, t: Translator) -> list[tuple[str, str, str]]:
    """(analysis, outcome, method) rows of the report's methods table for the recruitment comparisons."""
    by = table.set_index("measure")
    rows = [(t("rc_title"), t("rc_size_outcome"), str(by.loc["size_difference", "method"])),
            (t("rc_title"), t("rc_base_outcome"), str(by.loc["baseline_who5_difference", "method"]))]
    rows = rows if has_baseline(by) else rows[:1]  # no baseline: nothing was compared at baseline
    return [(a, o, t.translate(m)) for a, o, m in rows]
