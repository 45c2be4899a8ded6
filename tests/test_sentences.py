"""Sentences of the report that must be true of the numbers they describe (issue 22, "true sentences")."""

from __future__ import annotations

import pandas as pd
import pytest

from fittrial.language.i18n import Translator
from fittrial.publish.disclosure import small_cell_reason
from fittrial.report.context import agreement_sentence, plain_summary


def _who5(*rows):
    return pd.DataFrame([dict(analysis=a, estimate=e, ci_low=lo, ci_high=hi) for a, e, lo, hi in rows])


@pytest.mark.parametrize("language", ["en", "da"])
def test_analyses_that_reject_where_the_primary_does_not_do_not_agree(language):
    t = Translator(language)
    agree = agreement_sentence(_who5(("itt", 1.0, -1.0, 3.0), ("clda", 1.2, -0.5, 2.9)), t)
    assert ("agree" in agree and "not" not in agree) if language == "en" else "stemmer overens" in agree
    # every CI contains the primary estimate, but the CLDA's excludes 0 and the primary's does not
    text = agreement_sentence(_who5(("itt", 1.0, -1.0, 3.0), ("clda", 1.2, 0.5, 2.0),
                                    ("ancova_cr2", 0.9, -2.0, 4.0)), t)
    assert ("do not agree on whether there is a difference" in text if language == "en"
            else "ikke enige om, hvorvidt der er en forskel" in text)
    assert t("a_clda") in text and t("a_ancova_cr2") not in text
    # the primary excludes 0; an analysis whose CI lies across 0 does not draw its conclusion
    text = agreement_sentence(_who5(("itt", 2.0, 0.5, 3.5), ("cluster_level", 1.5, -0.2, 3.2)), t)
    assert t("a_cluster_level") in text and text != t("agree", n=2, lo="1.5", hi="2.0", est="2.0")


def test_the_summary_says_withheld_not_inestimable_for_a_suppressed_estimate():
    t = Translator("en")
    effects = pd.DataFrame([
        dict(analysis="itt", outcome="who5", timepoint_months=12, scale="mean_difference", estimate=1.0,
             ci_low=-1.0, ci_high=3.0, not_estimated=None),
        dict(analysis="itt", outcome="eviction_or_risk_12m", timepoint_months=12, scale="odds_ratio",
             estimate=float("nan"), ci_low=None, ci_high=None,
             not_estimated=small_cell_reason({"FIT": (3, 100), "control": (9, 90)}, 5, "eviction")),
        dict(analysis="itt", outcome="dropout", timepoint_months=12, scale="odds_ratio", estimate=float("nan"),
             ci_low=None, ci_high=None, not_estimated="no citizen had the outcome")])
    summary = " ".join(plain_summary(effects, t))
    assert "Not estimable from these data: dropout." in summary
    assert "Not published, to protect small counts" in summary and "eviction" in summary.split("Not published")[1]
    assert "eviction" not in summary.split("Not published")[0]


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_estimate_without_a_ci_says_so_instead_of_empty_brackets(language):
    t = Translator(language)
    text = t.est_ci(-1.18, float("nan"), float("nan"))
    assert "()" not in text and text.startswith("-1" + t.decimal + "18 (") and len(text) > 12
    assert t.est_ci(float("nan"), 1, 2) == "" and t.est_ci(1.0, 0.5, 1.5, 1) == t.num(1.0, 1) + " (" + t.ci(
        0.5, 1.5, 1) + ")"


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_small_trial_says_so_beside_its_primary_result(language):
    """Below 12 caseworkers the small-trial study found the primary test conservative and power low (issue 24):
    the plain summary says so; with 12 or more it says nothing of the kind."""
    t = Translator(language)

    def effects(k: int) -> pd.DataFrame:
        return pd.DataFrame([dict(analysis="itt", outcome="who5", timepoint_months=12, scale="mean_difference",
                                  estimate=2.0, ci_low=-3.0, ci_high=7.0, n_clusters=k, not_estimated="")])

    small = " ".join(plain_summary(effects(10), t))
    assert ("With 10 caseworkers this is a small trial" in small if language == "en"
            else "Med 10 medarbejdere er dette et lille forsøg" in small)
    assert t("sum_small_trial", k="12", most=12)[:20] not in " ".join(plain_summary(effects(12), t))
