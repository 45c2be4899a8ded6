"""The report's CONSORT-cluster reporting (issue 22): a title that says cluster randomised (item 1a), the structured
abstract (CONSORT for abstracts, cluster extension) from the config's trial facts and the run's numbers, and the
checklist of where the report gives each item; the bundled example states every item from its public record."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from fittrial.language.i18n import Translator
from fittrial.report.abstract import abstract_rows
from fittrial.report.sections import CHECKLIST, CONSORT_ITEMS, checklist_rows, consort_rows, identified_title

EXAMPLE = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
# every item of the CONSORT 2010 checklist with its extension for cluster randomised trials
ITEMS = ["1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b", "5", "6a", "6b", "7a", "7b", "8a", "8b", "9", "10a", "10b",
         "10c", "11a", "11b", "12a", "12b", "13a", "13b", "14a", "14b", "15", "16", "17a", "17b", "18", "19", "20",
         "21", "22", "23", "24", "25"]


def tables() -> dict[str, pd.DataFrame]:
    """The published tables the abstract and checklist read, for a small stratified trial."""
    flow = pd.DataFrame([
        dict(stage="randomised", FIT_citizens=None, FIT_caseworkers=12, FIT_reasons="a: 6; b: 6",
             control_citizens=None, control_caseworkers=12, control_reasons="a: 6; b: 6"),
        dict(stage="enrolled", FIT_citizens=150, FIT_caseworkers=12, FIT_reasons=None, control_citizens=160,
             control_caseworkers=12, control_reasons=None),
        dict(stage="analysis:followup_who5", FIT_citizens="136-139", FIT_caseworkers=12, FIT_reasons=None,
             control_citizens=141, control_caseworkers="<5", control_reasons=None)])
    effects = pd.DataFrame([dict(analysis="itt", outcome="who5", timepoint_months=12, scale="mean_difference",
                                 estimate=1.5, ci_low=-1.0, ci_high=4.0, p_value=0.25, not_estimated=None)])
    primary = pd.DataFrame([dict(visit_months=12, FIT_mean=51.0, FIT_ci_low=49.0, FIT_ci_high=53.0, control_mean=49.5,
                                 control_ci_low=47.5, control_ci_high=51.5, difference=1.5, difference_ci_low=-1.0,
                                 difference_ci_high=4.0, df=21, p_value=0.25)])
    icc = pd.DataFrame([dict(outcome="who5", icc=0.03, ci_low=0.01, ci_high=0.06)])
    return {"flow": flow, "effects": effects, "primary_outcome": primary, "icc": icc}


YARDSTICKS = {"band": "below", "sentences": ["The 95% CI lies below the MID."], "k": "10", "rows": [{}],
              "deterioration": {"FIT": "20 / 130 (15.4%)", "control": "25 / 135 (18.5%)"}}


def texts(value: object) -> list[str]:
    """Every string of a config value (mappings per language included)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in texts(v)]
    if isinstance(value, list):
        return [s for v in value for s in texts(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_trial_without_facts_gets_every_abstract_row_and_none_of_the_example(language):
    t = Translator(language)
    rows = abstract_rows({"trial": {}}, tables(), t, t.arm_names(), YARDSTICKS)
    labels = [r["label"] for r in rows]
    assert len(labels) == 14 and labels[0] == t("abs_trial_design") and labels[-1] == t("abs_funding")
    shown = " ".join(f"{r['label']} {r['text']}" for r in rows)
    not_stated = {r["label"] for r in rows if not r["stated"]}
    assert not_stated == {t(k) for k in ("abs_participants", "abs_interventions", "abs_objective", "abs_blinding",
                                         "abs_registration", "abs_funding")}
    assert shown.lower().count(t("cs_not_stated")) >= 10  # the participants, interventions and concealment too
    assert t("cs_not_stated").capitalize() + "." in shown  # a cell of its own says it as a sentence
    # the run's own numbers: clusters and individuals randomised and analysed per arm, the effect with its CI
    number = t.count
    for value in ("12", number(150), number(160), "136\u2013139", "141", "<5", t.num(1.5, 2), t.num(-1.0, 2),
                  t.num(0.03, 3)):
        assert value in shown, value
    sentences = [p.strip() for s in texts(EXAMPLE["trial"]) + texts(EXAMPLE["estimand"])
                 for p in re.split(r"(?<=[.;:])\s+", s) if len(p.strip()) > 30]
    assert sentences and not [s for s in sentences if s in shown]


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_bundled_example_states_every_consort_item_from_its_public_record(language):
    t = Translator(language)
    trial = EXAMPLE["trial"]
    for key, value in trial.items():
        if key != "assumed_icc":
            assert isinstance(value, dict) and value.get("en") and value.get("da"), key
    rows = consort_rows(trial, tables(), t, t.arm_names(), t, YARDSTICKS)
    assert [r for r in rows if not r["stated"]] == []
    assert {key for _, key in CONSORT_ITEMS} - {"design"} <= set(trial)
    silent = "Not reported in the public material" if language == "en" else "Ikke oplyst i det offentligt"
    assert any(r["text"].startswith(silent) for r in rows)  # said plainly, not left to "not stated"
    checklist = checklist_rows(trial, tables() | {"recruitment": pd.DataFrame()}, t, t, YARDSTICKS)
    assert [r["item"] for r in checklist] == ITEMS == [item for item, _ in CHECKLIST]
    assert all(r["stated"] for r in checklist)
    abstract = abstract_rows(EXAMPLE, tables(), t, t.arm_names(), YARDSTICKS)
    assert all(r["stated"] for r in abstract)


def test_the_checklist_says_not_stated_for_what_the_config_leaves_out():
    t = Translator("en")
    rows = {r["item"]: r for r in checklist_rows({"background": "Why.", "assumed_icc": 0.05}, tables(), t, t,
                                                 {"rows": []}, show_secondary=False)}
    assert rows["2a"]["where"] == t("s_design") and rows["7a"]["stated"]
    assert rows["1a"]["where"] == "Title" and rows["1b"]["where"] == "Abstract"
    assert rows["2b"]["where"] == "not stated" and not rows["2b"]["stated"]
    assert rows["8b"]["stated"]  # the strata, from the randomisation table
    assert rows["10b"]["where"] == "not stated"  # no recruitment text, no recruitment table
    assert rows["17b"]["where"] == t("cl_not_applicable")  # no binary outcome
    assert rows["19"]["where"] == "not stated" and rows["13a"]["where"] == t("s_flow")


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_title_identifies_a_cluster_randomised_trial(language):
    t = Translator(language)
    assert identified_title(t("title"), t) == t("title")
    assert identified_title(EXAMPLE["trial"]["title"][language], t) == EXAMPLE["trial"]["title"][language]
    own = "Tracking in Kenyan primary schools: report of a school-randomised trial"
    assert identified_title(own, t) == f"{own} ({t('title_design')})"


def test_a_blinded_abstract_names_arms_a_and_b_only():
    t = Translator("en", blinded=True)
    rows = abstract_rows({"trial": {"intervention": "FIT training", "control": "usual practice"}}, tables(), t,
                         {"FIT": "A", "control": "B"}, YARDSTICKS, blinded=True)
    shown = " ".join(r["text"] for r in rows)
    assert not re.search(r"\bFIT\b|\bcontrol\b|\bControl\b|usual practice", shown), shown
    assert "A minus B" in shown and "arm A" in shown


def test_the_trials_own_words_and_arms_in_the_abstract():
    words = {"units": {"cluster": {"en": ["school", "schools"]}, "individual": {"en": ["pupil", "pupils"]}},
             "arms": {"intervention": {"en": "tracking"}, "control": {"en": "no tracking"}}}
    t = Translator("en", words=words)
    rows = abstract_rows({"trial": {}, **words}, tables(), t, t.arm_names(), YARDSTICKS)
    shown = " ".join(r["text"] for r in rows)
    assert "unit of randomisation is the school" in shown and "12 schools randomised, who enrolled" in shown
    assert "tracking minus no tracking" in shown and "Tracking: not stated." in shown
    rows = abstract_rows({"trial": {"intervention": "Tracking: by prior achievement."}, **words}, tables(), t,
                         t.arm_names(), YARDSTICKS)
    assert "Tracking: by prior achievement. No tracking: not stated." in rows[2]["text"]  # no label twice
    assert not re.search(r"\b(caseworkers?|citizens?|FIT|usual practice)\b", shown), shown
