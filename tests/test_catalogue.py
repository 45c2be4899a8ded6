"""The catalogue of outcomes and analyses (issue 21): one list that the workflow's rules, the steps, the populations,
the effects table's order, the flow diagram and the texts all read, so that adding an analysis or a binary outcome is
one entry plus its function, texts and test."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from conftest import ROOT, SCHEMA_DIR

from fittrial.base.catalogue import (
    ANALYSES,
    FIT_BINARY,
    analyses_of_step,
    analysis_named,
    analysis_order,
    binary_names,
    runs,
)
from fittrial.language.i18n import Translator
from fittrial.publish.populations import members, population_of


def rules() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    return set(re.findall(r"^rule (\w+):", text, flags=re.M))


def test_each_analysis_is_computed_by_a_rule_of_the_workflow():
    steps = {a.step for a in ANALYSES}
    assert steps <= rules(), steps - rules()


def test_the_sensitivity_step_has_a_function_for_each_of_its_analyses_and_no_other():
    from fittrial.steps.models import SENSITIVITY

    assert set(SENSITIVITY) == {a.name for a in ANALYSES if a.step == "sensitivity"}


def test_the_effects_table_is_ordered_as_the_catalogue():
    from fittrial.report.tables import ANALYSIS_ORDER

    assert ANALYSIS_ORDER == analysis_order()
    assert len(set(analysis_order())) == len(analysis_order())
    assert all(analysis_named(code).name in analysis_order() for code in analysis_order())


def test_adherence_analyses_run_only_unblinded_with_sessions():
    assert analyses_of_step("sensitivity") == ["clda", "cluster_level", "ancova_cr2", "per_protocol", "cace"]
    assert analyses_of_step("sensitivity", blinded=True) == ["clda", "cluster_level", "ancova_cr2"]
    assert analyses_of_step("sensitivity", adherence=False) == ["clda", "cluster_level", "ancova_cr2"]
    assert all(runs(a) for a in ANALYSES)


def test_every_population_of_the_catalogue_is_one_the_flow_diagram_counts():
    citizens = pd.DataFrame({"citizen_id": ["a", "b"], "who5_m0": [50.0, None], "who5_m6": [None, 40.0],
                             "who5_m12": [60.0, None], "dropout": [0, 1]})
    known = set(members(citizens, outcomes=["dropout"]))
    for a in ANALYSES:
        for code in a.codes:
            name = population_of(code, "who5", 12)
            assert (name in known) if a.population else name is None, (code, name)
    assert population_of("itt", "dropout", 12) == "outcome:dropout"
    assert population_of("time_to_dropout", "dropout", 12) == "enrolled"


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_analysis_has_a_label_and_a_flow_name_in_both_languages(language):
    t = Translator(language)
    for a in ANALYSES:
        for code in a.codes:
            assert t(f"a_{code}") != f"a_{code}", (language, code)
        if a.flow and a.population:
            assert t(f"fl_a_{a.name}") != f"fl_a_{a.name}", (language, a.name)
    for population in {a.population for a in ANALYSES if a.population}:
        assert t(f"fl_pop_{population}", v=12) != f"fl_pop_{population}"


def test_the_flow_diagram_names_the_analyses_of_each_population():
    from fittrial.steps.report import flow_label

    t = Translator("en")
    assert flow_label("analysis:who5_m12", t) == "Analysed: cluster-level, ANCOVA, CACE (WHO-5 at 12 months)"
    assert flow_label("analysis:who5_m12", t, {"course"}) == "Analysed: cluster-level, ANCOVA (WHO-5 at 12 months)"
    assert flow_label("analysis:enrolled", t) == "Analysed: multiple imputation, time to dropout (every enrolled citizen)"
    assert flow_label("analysis:enrolled", t, {"adherence"}) == "Analysed: multiple imputation (every enrolled citizen)"
    # the randomisation test's statistic is the primary model's estimate: it analyses the primary model's citizens
    assert flow_label("analysis:followup_who5", t) == ("Analysed: primary mixed model, randomisation test (at least "
                                                       "one follow-up WHO-5)")
    assert flow_label("analysis:any_who5", t) == "Analysed: CLDA (at least one WHO-5, baseline included)"
    assert flow_label("analysis:who5_m12", Translator("da")) == "Analyseret: klyngeniveau, ANCOVA, CACE (WHO-5 efter 12 måneder)"


def test_the_fit_trials_binary_outcomes_are_the_catalogues_everywhere():
    from fittrial.analyses.imputation import DEFAULT_AUXILIARY
    from fittrial.inputs.dataset import BINARY_OUTCOMES

    names = [o.name for o in FIT_BINARY]
    assert binary_names() == BINARY_OUTCOMES == names
    assert list(DEFAULT_AUXILIARY[2:]) == names
    columns = yaml.safe_load((SCHEMA_DIR / "citizens.schema.yaml").read_text(encoding="utf-8"))["properties"]
    for o in FIT_BINARY:
        if o.source == "column":
            assert columns[o.data_column]["enum"] == [0, 1, None], o.name
    for language in ("en", "da"):
        t = Translator(language)
        assert all(t.outcome(n) != n for n in names), language


def test_the_design_names_only_the_trials_binary_outcomes():
    from fittrial.steps.config import design_outcome_problems

    config = {"design": {"binary": {"outcomes": ["dropout", "housing"], "parameters": {"evictions": {}}}}}
    problems = design_outcome_problems(config)
    assert len(problems) == 2 and "'housing'" in problems[0] and "'evictions'" in problems[1]
    assert not design_outcome_problems({"design": {"binary": {"outcomes": None}}})
    assert design_outcome_problems({"binary_outcomes": [], "design": {"binary": {"outcomes": ["dropout"]}}})
