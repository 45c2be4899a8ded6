"""The analysis data sets, built from validated inputs.

``citizens``: one row per citizen course, with arm and stratum from the
randomisation (intention to treat: the caseworker's allocated arm), WHO-5 at
each visit, the binary course outcomes, and the baseline handling for the
primary model (missing baseline replaced by the overall baseline mean plus an
indicator; White & Thompson 2005).

``who5_long``: one row per citizen and follow-up visit (6 and 12 months)
with an observed WHO-5 score; the input of the primary mixed model.
"""

from __future__ import annotations

import pandas as pd

from .scoring import VisitWindow, assign_visits
from .validation import Trial

BINARY_OUTCOMES = ["dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"]


def build_analysis_data(
    trial: Trial, windows: list[VisitWindow], prorate_one_missing: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return ``(citizens, who5_long, notes)`` for the analyses.

    ``notes`` joins the validation notes with the scoring notes.
    """
    rand = trial.randomisation[["caseworker_id", "stratum", "arm", "randomised_on"]]
    cit = trial.citizens.drop(columns="_row").merge(rand, on="caseworker_id", how="left", validate="many_to_one")
    scores, score_notes = assign_visits(trial.who5, trial.citizens, windows, prorate_one_missing)
    wide = scores.pivot(index="citizen_id", columns="visit", values="who5")
    for w in windows:
        col = f"who5_m{w.visit}"
        cit[col] = cit["citizen_id"].map(wide[w.visit]) if w.visit in wide else float("nan")
    cit["fit"] = (cit["arm"] == "FIT").astype(int)

    reason = cit["end_reason"]
    unknown = cit["ended_on"].notna() & reason.isna()
    for name, value in (("dropout", "dropout"), ("completed", "completed")):
        cit[name] = (reason == value).astype("Int64")
        cit.loc[unknown, name] = pd.NA
    for name in ("kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"):
        cit[name] = cit[name].astype("Int64")

    base = cit["who5_m0"] if "who5_m0" in cit else pd.Series(float("nan"), index=cit.index)
    cit["baseline_missing"] = base.isna().astype(int)
    mean = float(base.mean()) if base.notna().any() else 0.0
    cit["baseline_who5"] = base.fillna(mean)

    cit = cit.sort_values("citizen_id", kind="mergesort").reset_index(drop=True)
    follow = [w.visit for w in windows if w.visit != 0]
    long = scores[scores["visit"].isin(follow)].merge(
        cit[["citizen_id", "caseworker_id", "stratum", "arm", "fit", "baseline_who5", "baseline_missing"]],
        on="citizen_id", how="left", validate="many_to_one",
    )
    long = long.sort_values(["citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
    notes = pd.concat([trial.notes, score_notes], ignore_index=True)
    return cit, long, notes
