"""The primary model with only the identified random intercepts, against lme4 (outputs committed; R is not run).

Case ``one_followup`` (tests/fixtures/identified_reference/one_followup/, written by
tests/reference/make_fixtures.py --identified and tests/reference/make_reference.R --identified):
trial shape ``one_followup`` (visits 0 and 12, seed 3), so every citizen has one follow-up and the
citizen intercept is not identified. The package leaves it out; lme4 refuses ``(1 | citizen)`` there,
and the reference is ``lmer(who5 ~ fit + stratum + baseline_who5 + baseline_missing + (1 | caseworker_id),
REML = TRUE)`` with lmerTest Satterthwaite df (the formula is in r_lmm_model.csv).

Tolerances: estimate and SE 1e-6 relative, Satterthwaite df 1e-4 relative, caseworker and residual
variances 1e-6 relative, REML criterion 1e-6 absolute. (The REML criterion is flat at its minimum: both
optimisers are within ~2e-7 relative of the exact variance ratio on this case.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from fittrial.models.effects import fit_primary_lmm

CASE = ROOT / "tests" / "fixtures" / "identified_reference" / "one_followup"
IDS = {"citizen_id": str, "caseworker_id": str, "stratum": str}
R_TERMS = {"(Intercept)": "intercept", "fit": "fit", "stratumB": "stratum[B]", "stratumC": "stratum[C]",
           "baseline_who5": "baseline_who5", "baseline_missing": "baseline_missing"}


@pytest.fixture(scope="module")
def fitted():
    long = pd.read_csv(CASE / "long.csv", dtype=IDS)
    refs = {n: pd.read_csv(CASE / f"r_{n}.csv") for n in ("lmm_fixef", "lmm_vc", "lmm_contrast", "lmm_model")}
    return long, fit_primary_lmm(long), refs


def test_case_has_one_followup_per_citizen(fitted):
    long, result, refs = fitted
    assert sorted(long["visit"].unique()) == [12]
    assert long["citizen_id"].is_unique
    model = refs["lmm_model"].iloc[0]
    assert "(1 | caseworker_id)" in model["formula"] and "citizen_id" not in model["formula"]
    assert (result.n_obs, result.n_clusters, result.n_citizens) == (
        model["n_obs"], model["n_caseworkers"], model["n_citizens"])


def test_citizen_intercept_left_out(fitted):
    _, result, refs = fitted
    assert result.fit.free == (True, False, False)  # one follow-up visit: no caseworker x visit term either
    assert result.fit.terms == ("caseworker",)
    assert result.var_citizen == 0.0
    vc = refs["lmm_vc"].set_index("component")
    assert not vc.loc["caseworker_id:citizen_id", "in_model"] and vc.loc["caseworker_id", "in_model"]


def test_contrast_matches_lme4(fitted):
    _, result, refs = fitted
    ref = refs["lmm_contrast"].set_index("timepoint_months").loc[12]
    (c12,) = [c for c in result.contrasts if c.timepoint_months == 12]
    assert c12.not_estimated == ""
    assert c12.estimate == pytest.approx(ref["estimate"], rel=1e-6)
    sat = result.infer(result.arm_contrast(12), "satterthwaite")  # the default is Kenward-Roger
    assert sat.se == pytest.approx(ref["se"], rel=1e-6)
    assert sat.df == pytest.approx(ref["df_satterthwaite"], rel=1e-4)


def test_fixed_effects_match_lme4(fitted):
    _, result, refs = fitted
    fixef = refs["lmm_fixef"]
    assert sorted(R_TERMS[t] for t in fixef["term"]) == sorted(result.params.index)
    for _, r in fixef.iterrows():
        name = R_TERMS[r["term"]]
        assert result.params[name] == pytest.approx(r["estimate"], rel=1e-6), name
        assert np.sqrt(result.cov.loc[name, name]) == pytest.approx(r["se"], rel=1e-6), name


def test_variance_components_and_reml_criterion_match_lme4(fitted):
    _, result, refs = fitted
    vc = refs["lmm_vc"].set_index("component")
    assert result.var_caseworker == pytest.approx(vc.loc["caseworker_id", "variance"], rel=1e-6)
    assert result.var_residual == pytest.approx(vc.loc["Residual", "variance"], rel=1e-6)
    assert vc.loc["caseworker_id", "variance"] > 1.0  # inside the parameter space: a real test of the optimum
    assert result.reml_criterion == pytest.approx(vc["reml_criterion"].iloc[0], abs=1e-6)
