"""The estimand section and the one- and two-dimensional tipping points of the multiple imputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from fittrial.analyses.imputation import multiple_imputation
from fittrial.language.i18n import Translator
from fittrial.report.context import estimand_rows, tipping_sentences

IDS = {"citizen_id": str, "caseworker_id": str, "stratum": str}


@pytest.fixture(scope="module")
def mi():
    citizens = pd.read_csv(ROOT / "tests" / "fixtures" / "reference" / "small_clustered" / "citizens.csv", dtype=IDS)
    return multiple_imputation(citizens, 4, 11, deltas=np.arange(-10, 10.01, 0.5), visit=12,
                               deltas_2d=np.arange(-10, 10.01, 2.5))


def test_two_dimensional_grid_contains_the_one_dimensional_line(mi):
    grid = mi.tipping_2d
    assert len(grid) == 81 and set(grid["conclusion"]) <= {"favours_fit", "favours_control", "no_difference"}
    line = grid[grid["delta_control"] == 0].set_index("delta_fit")
    one = mi.tipping.set_index("delta")
    for d in line.index:
        for col in ("estimate", "ci_low", "ci_high", "p_value"):
            assert line.loc[d, col] == pytest.approx(one.loc[d, col], rel=1e-12, abs=1e-12)
    mar = grid[(grid.delta_fit == 0) & (grid.delta_control == 0)].iloc[0]
    primary = next(r for r in mi.rows if r.timepoint_months == 12)
    assert mar["estimate"] == pytest.approx(primary.estimate, rel=1e-12)


def test_shifting_both_arms_equally_moves_the_estimate_little(mi):
    """A shift of the imputed values in both arms by the same amount cancels except for the arms' different
    shares of imputed values: the estimate moves far less than with one arm shifted."""
    grid = mi.tipping_2d.set_index(["delta_fit", "delta_control"])
    base = grid.loc[(0.0, 0.0), "estimate"]
    assert abs(grid.loc[(10.0, 10.0), "estimate"] - base) < abs(grid.loc[(10.0, 0.0), "estimate"] - base) / 2
    assert grid.loc[(10.0, 0.0), "estimate"] > base > grid.loc[(0.0, 10.0), "estimate"]


@pytest.mark.parametrize("language", ["en", "da"])
def test_tipping_sentences_say_the_direction(mi, language):
    t = Translator(language)
    tip = pd.DataFrame({"delta": [-2.0, -1.0, 0.0, 1.0], "estimate": [-1.0, 0.5, 2.0, 3.5],
                        "ci_low": [-3.0, -1.0, 0.5, 2.0], "ci_high": [1.0, 2.0, 3.5, 5.0],
                        "p_value": [0.3, 0.5, 0.01, 0.001],
                        "conclusion": ["no_difference", "no_difference", "favours_fit", "favours_fit"]}
                       ).assign(tipping_delta=-1.0)
    one, two = tipping_sentences(tip, mi.tipping_2d, t, {"FIT": "FIT", "control": t("control")})
    if language == "en":
        assert "the conclusion is a difference in favour of FIT; it becomes no clear difference if the imputed " \
               "follow-up values in the FIT arm are 1.0 points lower" in one
    else:
        assert "1,0 point lavere" in one and "ingen klar forskel" in one
    assert two.endswith(".")


def test_estimand_from_the_example_config_in_both_languages_and_blinded():
    config = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
    rows, events = estimand_rows(config["estimand"], Translator("da", primary_visit=6))
    assert [r["attribute"] for r in rows] == ["Population", "Behandlingsbetingelser", "Variabel (effektmål)",
                                              "Opsummering på populationsniveau"]
    assert "6 måneder" in rows[2]["description"]
    # dropout and death: hypothetical, as the mixed model (missing at random) treats them (issue 24)
    assert {e["strategy"] for e in events} == {"uanset hændelsen (treatment policy)", "hypotetisk"}
    rows, events = estimand_rows(config["estimand"], Translator("en", blinded=True), blinded=True)
    text = " ".join(r["description"] for r in rows)
    assert "FIT" not in text and "A minus B" in text
    assert len(events) == 6 and events[1]["strategy"] == "hypothetical"  # dropout


def test_an_estimand_left_empty_is_not_stated_but_says_what_the_primary_analysis_estimates():
    """A trial without an estimand in its config: population, treatments and intercurrent events are "not
    stated"; the variable and the summary are said from the primary outcome and visit (never another trial's)."""
    for estimand in (None, yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["estimand"]):
        rows, events = estimand_rows(estimand, Translator("en", primary_visit=6))
        text = {r["attribute"]: r["description"] for r in rows}
        assert text["Population"] == "not stated" and text["Treatment conditions"] == "not stated"
        assert "6 months" in text["Variable (endpoint)"] and "difference in mean" in text["Population-level summary"].lower()
        assert events == [{"event": "not stated", "strategy": "", "handling": ""}]
        rows, _ = estimand_rows(estimand, Translator("da", primary_visit=6))
        assert rows[0]["description"] == "ikke angivet"


def test_the_generic_config_and_schema_describe_no_trial():
    """config/config.yaml and the schema's defaults hold no trial's facts: every `trial:` and `estimand:` text is
    empty, there are no claims and no operating-characteristics study, and no input is named (the example's
    live in config/example.yaml only)."""
    from snakemake.utils import validate

    bundled = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config = {"inputs": {"randomisation": "a", "citizens": "b", "who5": "c"}}
    validate(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"), set_default=True)
    for source in (bundled, config):
        assert not any(v for v in (source.get("trial") or {}).values())
        assert not any(v for v in (source.get("estimand") or {}).values())
        assert source["yardsticks"]["claims"] == []
        assert source["report"]["operating_characteristics"] == ""
        assert source["validation"]["parameters"] == ""
    assert not any(bundled["inputs"].values())
    example = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
    assert example["trial"]["background"] and example["yardsticks"]["claims"]
