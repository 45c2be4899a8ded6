"""The report's structured abstract, as CONSORT for abstracts and its extension for cluster randomised trials ask
(Campbell et al. 2012, table 2): trial design; methods (participants, interventions, objective, outcome,
randomisation, blinding); results (clusters and individuals randomised and analysed per arm, the primary outcome
per arm with the effect and its 95% CI, harms); conclusions; registration; funding.

Built from two sources only: the facts of the config's ``trial:`` section (and
the estimand's outcome variable), and the numbers this run published (the flow,
primary-outcome, effects and ICC tables and the yardsticks). A fact the config
leaves empty is "not stated", so a trial with no facts still gets every row and
none of another trial's facts. In a blinded review the interventions are not
paired with the arms, which are A and B.
"""

from __future__ import annotations

import pandas as pd

from fittrial.language.i18n import Translator, reason_text
from fittrial.publish.populations import population_of
from fittrial.report.sections import allocation_design, config_text, design_sentence, observed_icc


def sentence(text: str, capital: bool = False) -> str:
    """A text as a sentence: with a full stop at its end unless it has one (or ! ? or a closing quote), and with a
    capital first letter if ``capital`` (a cell that is only "not stated")."""
    text = text.strip()
    if capital:
        text = text[:1].upper() + text[1:]
    return text if not text or text.endswith((".", "!", "?", '"', "\u201d")) else text + "."


def labelled(label: str, text: str) -> str:
    """``label: text`` as a sentence, the label left out when the text starts with it ("FIT: ..." under FIT)."""
    text = sentence(text)
    return text if text.lower().startswith(f"{label.lower()}:") else f"{label}: {text}"


def _shown(value: object) -> bool:
    """Whether a published cell holds something (not empty, not read as missing)."""
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def flow_counts(flow: pd.DataFrame | None, stage: str) -> dict[str, object] | None:
    """{FIT_citizens, FIT_caseworkers, control_citizens, control_caseworkers} of one stage of the flow table (as
    published: a suppressed count stays "<5" or a range), or None when the table has no such stage."""
    if flow is None or flow.empty or "stage" not in flow:
        return None
    row = flow[flow["stage"] == stage]
    if row.empty:
        return None
    r = row.iloc[0]
    return {f"{arm}_{unit}": r.get(f"{arm}_{unit}") for arm in ("FIT", "control") for unit in ("citizens", "caseworkers")}


def inline_arms(arms: dict[str, str], config: dict, t: Translator) -> dict[str, str]:
    """The arms' names inside a sentence ("FIT minus control"): the config's own names as written, else the
    table headers with a small first letter (a one-letter name, A or B, and FIT as they are)."""
    given = config.get("arms") or {}
    out = {}
    for key, role in (("FIT", "intervention"), ("control", "control")):
        name = arms[key]
        own = config_text(given.get(role), t)
        out[key] = name if len(name) == 1 else own or (name if key == "FIT" else name[:1].lower() + name[1:])
    return out


def abstract_rows(config: dict, tables: dict[str, pd.DataFrame], t: Translator, arms: dict[str, str],
                  yardsticks: dict, blinded: bool = False) -> list[dict]:
    """The abstract as rows {label, text, stated}: ``stated`` is False for a row that says only "not stated"."""
    trial = config.get("trial") or {}
    not_stated = t("cs_not_stated")

    def fact(key: str) -> str:
        return config_text(trial.get(key), t)

    def part(label_key: str, key: str) -> str:  # "Setting: ..." with "not stated." where the config is silent
        return labelled(t(label_key), fact(key) or not_stated)

    def alone(key: str) -> str:  # a cell holding one fact, "Not stated." where the config is silent
        return sentence(fact(key) or not_stated, capital=True)

    rows: list[dict] = []

    def add(label_key: str, text: str, stated: bool = True) -> None:
        rows.append({"label": t(label_key), "text": text, "stated": stated})

    flow = tables.get("flow")
    add("abs_trial_design", design_sentence(flow, t))
    add("abs_participants", " ".join(part(k, key) for k, key in (
        ("abs_clusters", "eligibility_clusters"), ("abs_individuals", "eligibility_individuals"),
        ("abs_setting", "setting"))),
        any(fact(k) for k in ("eligibility_clusters", "eligibility_individuals", "setting")))
    if blinded:  # which intervention each arm received is hidden
        add("abs_interventions", sentence(t("e_treatments_blinded")))
    else:
        add("abs_interventions", " ".join(labelled(arms[arm], fact(key) or not_stated)
                                          for arm, key in (("FIT", "intervention"), ("control", "control"))),
            bool(fact("intervention") or fact("control")))
    add("abs_objective", alone("objectives"), bool(fact("objectives")))
    variable = config_text((config.get("estimand") or {}).get("variable"), t) or t("e_variable_default")
    add("abs_outcome", f"{sentence(variable)} {t('abs_outcome_level')}")
    design = allocation_design(flow)
    randomisation = [sentence(fact("sequence_generation"))] if fact("sequence_generation") else []
    if design:
        randomisation.append(t(f"cs_allocation_{design[0]}", k=t.count(design[1]), n=t.count(design[2])))
    randomisation.append(part("cs_allocation_concealment", "allocation_concealment"))
    add("abs_randomisation", " ".join(randomisation), bool(design or fact("sequence_generation")
                                                            or fact("allocation_concealment")))
    add("abs_blinding", alone("blinding"), bool(fact("blinding")))

    randomised, enrolled = flow_counts(flow, "randomised"), flow_counts(flow, "enrolled")
    if randomised and enrolled and not _shown(randomised["FIT_caseworkers"]):  # a blinded review, no arm sizes
        add("abs_randomised", t("abs_randomised_hidden", a=arms["FIT"], b=arms["control"],
                                na=t.count(enrolled["FIT_citizens"]), nb=t.count(enrolled["control_citizens"])))
    elif randomised and enrolled:
        add("abs_randomised", t("abs_randomised_counts", a=arms["FIT"], b=arms["control"],
                                ka=t.count(randomised["FIT_caseworkers"]), na=t.count(enrolled["FIT_citizens"]),
                                kb=t.count(randomised["control_caseworkers"]),
                                nb=t.count(enrolled["control_citizens"])))
    else:
        add("abs_randomised", sentence(not_stated, capital=True), False)
    population = population_of("itt", "who5", t.primary_visit) or "followup_who5"
    analysed = flow_counts(flow, f"analysis:{population}")
    if analysed:
        values = {"v": t.primary_visit} if population.startswith("who5_m") else {}
        name = t(f"fl_pop_{population}", **values) if f"fl_pop_{population}" in t.text else \
            t("fl_pop_visit", v=t.primary_visit)
        if _shown(analysed["FIT_caseworkers"]):
            add("abs_analysed", t("abs_analysed_counts", population=name, a=arms["FIT"], b=arms["control"],
                                  na=t.count(analysed["FIT_citizens"]), ka=t.count(analysed["FIT_caseworkers"]),
                                  nb=t.count(analysed["control_citizens"]),
                                  kb=t.count(analysed["control_caseworkers"])))
        else:  # a blinded review without arm sizes
            add("abs_analysed", t("abs_analysed_hidden", population=name, a=arms["FIT"], b=arms["control"],
                                  na=t.count(analysed["FIT_citizens"]), nb=t.count(analysed["control_citizens"])))
    else:
        add("abs_analysed", sentence(not_stated, capital=True), False)

    e = tables["effects"]
    itt = e[(e["analysis"] == "itt") & (e["outcome"] == "who5") & (e["timepoint_months"] == t.primary_visit)]
    primary = tables["primary_outcome"]
    at = primary[primary["visit_months"] == t.primary_visit]
    conclusions: list[str] = []
    if len(itt) and pd.notna(itt.iloc[0]["estimate"]) and len(at):
        r, p = itt.iloc[0], at.iloc[0]
        p_value = t.p(r["p_value"])
        inline = inline_arms(arms, config, t)
        result = t("abs_primary_result", a=arms["FIT"], b=arms["control"], a_in=inline["FIT"], b_in=inline["control"],
                   fit=t.est_ci(p["FIT_mean"], p["FIT_ci_low"], p["FIT_ci_high"], 1) or "-",
                   con=t.est_ci(p["control_mean"], p["control_ci_low"], p["control_ci_high"], 1) or "-",
                   diff=t.est_ci(r["estimate"], r["ci_low"], r["ci_high"], 2),
                   p=p_value if p_value.startswith("<") else f"= {p_value}")
        direction = t("higher") if r["estimate"] > 0 else t("lower")
        conclusions.append(t("sum_unclear") if r["ci_low"] <= 0 <= r["ci_high"] else t("sum_clear", dir=direction))
        if yardsticks.get("band") not in (None, "not_estimated", "no_mid"):
            conclusions += list(yardsticks["sentences"][:2])
    elif len(itt):
        result = t("sum_primary_not", reason=reason_text(itt.iloc[0], t))
    else:
        result = sentence(t("not_estimated"))
    add("abs_primary", f"{result} {t('abs_icc', icc=observed_icc(tables.get('icc'), t))}")
    if yardsticks.get("deterioration"):
        d = yardsticks["deterioration"]
        add("abs_harms", t("abs_harms_observed", k=yardsticks["k"], fit=d["FIT"], con=d["control"],
                           a=t("rc_arm_FIT"), b=t("rc_arm_control")))
    else:
        add("abs_harms", alone("harms"), bool(fact("harms")))
    add("abs_conclusions", " ".join(conclusions) or sentence(t("not_estimated")), bool(conclusions))
    add("abs_registration", alone("registration"), bool(fact("registration")))
    add("abs_funding", alone("funding"), bool(fact("funding")))
    return rows


__all__ = ["abstract_rows", "sentence", "labelled", "flow_counts", "inline_arms"]
