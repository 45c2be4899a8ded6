"""The analysis data sets, built from validated inputs.

``citizens``: one row per citizen course, with arm and stratum from the
randomisation (intention to treat: the caseworker's allocated arm), WHO-5 at
each visit, the binary course outcomes, and the baseline handling for the
primary model (missing baseline replaced by the overall baseline mean plus an
indicator; White & Thompson 2005).

``who5_long``: one row per citizen and follow-up visit of the schedule
with an observed WHO-5 score; the input of the primary mixed model.

Course outcomes have an explicit window of ``window_days`` days after
enrolment (config ``analysis.outcome_window_days``, default 365, the
12-month follow-up): ``dropout`` is 1 when the course ended with reason
``dropout`` within the window and ``completed`` when it ended with reason
``completed`` within it; both are 0 when the course ended for another reason
within the window, ended after it, or was still open when the data end
(the censoring date) and that date lies after the window. They are missing
when the course was still open at the censoring date and the window had not
yet ended then (follow-up too short to know), and when a course ended within
the window without a reason. Time to dropout uses the same window, with the
other course ends as competing events (``dropout_status``): 1 = dropout
within the window, 2 = the course ended within the window for another
reason (completed, evicted, moved, died, other), 0 = censored (still open
at the end of the window or at the censoring date, whichever is first; an
end after the censoring date counts as open). ``dropout_event`` is
``dropout_status == 1``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from fittrial.base.catalogue import binary_names
from fittrial.inputs.crosscheck import data_end
from fittrial.inputs.scoring import VisitWindow, assign_visits
from fittrial.inputs.validation import Trial
from fittrial.language.messages import text

# the FIT trial's binary outcomes, in the report's order (fittrial.base.catalogue.FIT_BINARY)
BINARY_OUTCOMES = binary_names()


def course_recorded(citizens: pd.DataFrame) -> bool:
    """Whether the citizens table records course ends at all (some ``ended_on`` or ``end_reason``): without them,
    dropout and completion are not recorded (never 0), and a missing form cannot be put down to the course."""
    return any(col in citizens and citizens[col].notna().any() for col in ("ended_on", "end_reason"))


def censoring_date(trial: Trial, censor_on: str | None = None) -> pd.Timestamp:
    """The administrative censoring date: ``censor_on`` if set, else where the data end
    (:func:`fittrial.inputs.crosscheck.data_end`: the latest date of the inputs that another date confirms, so that
    one date typed wrong cannot move it; NaT without any date: nothing is censored)."""
    if censor_on:
        return pd.Timestamp(censor_on)
    return data_end([("citizens", trial.citizens, ("enrolled_on", "ended_on")), ("who5", trial.who5, ("answered_on",)),
                     ("fit_sessions", trial.fit_sessions, ("session_on",))])


def course_outcomes(citizens: pd.DataFrame, censor: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """dropout, completed (Int64, missing where unknown), and time to dropout (dropout_days, dropout_event,
    dropout_status: 0 censored, 1 dropout, 2 other course end, a competing event).

    See the module docstring for the rule. ``dropout_days`` (and the event
    columns) are missing for a course that ended within the window without a
    reason (its event is unknown).
    """
    window_end = citizens["enrolled_on"] + pd.Timedelta(days=int(window_days))
    ended = citizens["ended_on"].notna()
    reason = citizens["end_reason"]
    within = ended & (citizens["ended_on"] <= window_end)
    known_open = (~ended & (censor >= window_end)) | (ended & (citizens["ended_on"] > window_end))
    out = pd.DataFrame(index=citizens.index)
    for name in ("dropout", "completed"):
        value = pd.Series(pd.NA, index=citizens.index, dtype="Int64")
        value[known_open] = 0
        value[within & reason.notna()] = (reason[within & reason.notna()] == name).astype(int)
        out[name] = value
    stop = citizens["ended_on"].where(ended, censor).where(lambda d: d <= window_end, window_end)
    stop = stop.where(stop <= censor, censor)
    days = (stop - citizens["enrolled_on"]).dt.days.astype(float).clip(lower=0.5)  # a zero time has no risk set
    unknown = within & reason.isna()
    out["dropout_days"] = days.where(~unknown)
    ended_by = within & (citizens["ended_on"] <= censor)  # an end after the censoring date is not yet known
    status = pd.Series(0, index=citizens.index)
    status[ended_by & reason.notna()] = 2
    status[ended_by & (reason == "dropout")] = 1
    out["dropout_event"] = (status == 1).astype(int).where(~unknown)
    out["dropout_status"] = status.where(~unknown)
    return out


def build_analysis_data(
    trial: Trial, windows: list[VisitWindow], prorate_one_missing: bool = False, window_days: int = 365,
    censor_on: str | None = None, measures: Mapping | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return ``(citizens, who5_long, notes)`` for the analyses.

    ``notes`` joins the validation notes with the scoring notes and one note
    per course whose outcomes are missing because its follow-up is shorter
    than the outcome window. ``window_days`` and ``censor_on``: see the module
    docstring.
    """
    rand = trial.randomisation[["caseworker_id", "stratum", "arm", "randomised_on"]
                               + (["allocation"] if "allocation" in trial.randomisation else [])]
    cit = trial.citizens.drop(columns="_row").merge(rand, on="caseworker_id", how="left", validate="many_to_one")
    from fittrial.base.catalogue import binary_outcomes, primary_outcome

    scores, score_notes = assign_visits(trial.who5, trial.citizens, windows, prorate_one_missing,
                                        primary_outcome(measures))
    wide = scores.pivot(index="citizen_id", columns="visit", values="who5")
    for w in windows:
        col = f"who5_m{w.visit}"
        cit[col] = cit["citizen_id"].map(wide[w.visit]) if w.visit in wide else float("nan")
    cit["fit"] = (cit["arm"] == "FIT").astype(int)

    censor = censoring_date(trial, censor_on)
    outcomes = course_outcomes(cit, censor, window_days)
    recorded = course_recorded(cit)
    for col in outcomes:  # no course end recorded at all: the course outcomes are not recorded (never 0)
        cit[col] = outcomes[col] if recorded else outcomes[col].where(pd.Series(False, index=cit.index))
    short = cit["ended_on"].isna() & cit["dropout"].isna() & recorded
    short_notes = pd.DataFrame({"check": text("note_short_followup"), "table": "citizens",
                                "row": trial.citizens.loc[short.to_numpy(), "_row"].to_numpy(),
                                "detail": "citizen " + cit.loc[short, "citizen_id"].astype(str)})
    if not recorded and len(cit):
        short_notes = pd.DataFrame({"check": text("note_no_course_ends"),
                                    "table": "citizens", "row": trial.citizens["_row"].to_numpy(),
                                    "detail": "citizen " + trial.citizens["citizen_id"].astype(str).to_numpy()})
    cit["censor_on"] = censor
    for o in binary_outcomes(measures):  # the binary outcomes the citizens table holds (fittrial.base.catalogue)
        if o.source == "column":
            column = cit[o.data_column] if o.data_column in cit else pd.Series(pd.NA, index=cit.index)
            cit[o.name] = column.astype("Int64")

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
    notes = pd.concat([frame for frame in (trial.notes, score_notes, short_notes) if len(frame)],
                      ignore_index=True) if any(len(f) for f in (trial.notes, score_notes, short_notes)) else \
        pd.DataFrame(columns=["check", "table", "row", "detail"])
    return cit, long, notes


def subgroup_levels(citizens: pd.DataFrame, variable: str, age_breaks: list[int]) -> pd.Series:
    """The subgroup level of each citizen (missing where the variable is missing)."""
    if variable == "stratum":
        return citizens["stratum"].astype(object)
    if variable == "sex":
        return citizens["sex"].astype(object)
    if variable == "baseline_who5_le50":
        base = citizens["who5_m0"] if "who5_m0" in citizens else pd.Series(np.nan, index=citizens.index)
        none = np.array(None, dtype=object)  # what np.where makes of None (its stubs do not take None itself)
        return pd.Series(np.where(base.isna(), none, np.where(base <= 50, "<=50", ">50")), index=citizens.index,
                         dtype=object)
    if variable == "age_group":
        edges = [-np.inf, *age_breaks, np.inf]
        labels = [f"<{age_breaks[0]}"] + [f"{a}-{b - 1}" for a, b in zip(age_breaks, age_breaks[1:])] + \
                 [f"{age_breaks[-1]}+"]
        return pd.cut(citizens["age"].astype(float), edges, right=False, labels=labels).astype(object)
    raise ValueError(f"unknown subgroup variable {variable!r}; use stratum, sex, baseline_who5_le50 or age_group")
