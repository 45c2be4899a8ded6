"""WHO-5 scoring and visit assignment.

WHO-5 percentage score = 4 x (sum of the five items, each 0-5), range 0-100
(Topp et al. 2015). A form with a missing item is scored missing, unless
``prorate_one_missing`` is set, in which case a form with exactly one missing
item is scored 4 x 5/4 x (sum of the four answered items); a form with two or
more missing items is always missing.

Visits: a form belongs to visit v if it was answered inside v's window of days
after ``enrolled_on``; if a citizen has several scored forms in one window, the
one nearest the target day is used (on a tie, the earlier). An explicit
``visit`` value in the input overrides the date (a date that puts the form in
another visit's window, or in none, is a note). Forms outside every window,
and forms not used, are returned as data-quality notes, never silently
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fittrial.language.messages import text

ITEMS = [f"who5_{i}" for i in range(1, 6)]


@dataclass(frozen=True)
class VisitWindow:
    """A follow-up visit: its label in months, target day and window (days after enrolment, inclusive)."""

    visit: int
    target_day: int
    earliest_day: int
    latest_day: int

    def contains(self, day: int) -> bool:
        return self.earliest_day <= day <= self.latest_day


def window_problems(entries: list[dict[str, Any]]) -> list[str]:
    """Problems of the visit schedule: repeated visits, a target outside its window, overlapping windows."""
    problems = []
    labels = [int(e["visit"]) for e in entries]
    for v in sorted({v for v in labels if labels.count(v) > 1}):
        problems.append(f"visits: visit {v} is listed more than once; expected each visit once.")
    for e in entries:
        if not int(e["earliest_day"]) <= int(e["target_day"]) <= int(e["latest_day"]):
            problems.append(f"visits: visit {e['visit']}: target_day {e['target_day']} lies outside its window "
                            f"[{e['earliest_day']}, {e['latest_day']}]; expected earliest_day <= target_day <= "
                            "latest_day.")
    ordered = sorted(entries, key=lambda e: int(e["target_day"]))
    for a, b in zip(ordered, ordered[1:]):
        if int(a["latest_day"]) >= int(b["earliest_day"]):
            problems.append(f"visits: the windows of visit {a['visit']} (days {a['earliest_day']} to "
                            f"{a['latest_day']}) and visit {b['visit']} (days {b['earliest_day']} to "
                            f"{b['latest_day']}) overlap; expected each form day to belong to at most one visit.")
    return problems


def windows_from_config(entries: list[dict]) -> list[VisitWindow]:
    """Build visit windows from the config; raise ValueError if they overlap or exclude their target."""
    problems = window_problems(entries)
    if problems:
        raise ValueError(" ".join(problems))
    return sorted((VisitWindow(int(e["visit"]), int(e["target_day"]), int(e["earliest_day"]), int(e["latest_day"]))
                   for e in entries), key=lambda w: w.target_day)


def score_who5(items: pd.DataFrame, prorate_one_missing: bool = False) -> pd.Series:
    """WHO-5 percentage score (0-100) per row of a frame with columns who5_1..who5_5.

    Missing if any item is missing, or (with ``prorate_one_missing``) if two
    or more are missing.
    """
    values = items[ITEMS].astype("float64")
    n_missing = values.isna().sum(axis=1)
    raw = values.sum(axis=1, skipna=True)
    score = 4.0 * raw
    if prorate_one_missing:
        score = score.where(n_missing == 0, 4.0 * raw * 5.0 / 4.0)
        score = score.where(n_missing <= 1)
    else:
        score = score.where(n_missing == 0)
    return score.rename("who5")


def assign_visits(
    who5: pd.DataFrame,
    citizens: pd.DataFrame,
    windows: list[VisitWindow],
    prorate_one_missing: bool = False,
    outcome=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every form and pick one per citizen and visit.

    Returns ``(scores, notes)``: ``scores`` has one row per citizen and visit
    that has a scored form (citizen_id, visit, answered_on, day, who5,
    items_missing); ``notes`` lists forms that were not used and why
    (columns check, table, row, detail).
    """
    forms = who5.copy()
    if "_row" not in forms:
        forms["_row"] = [f"row {i + 2}" for i in range(len(forms))]
    if outcome is None or outcome.is_who5:
        forms["who5"] = score_who5(forms, prorate_one_missing)
        columns = ITEMS
    else:  # another outcome (fittrial.base.catalogue): its items or its score column; "who5" names the score column
        from fittrial.base.catalogue import score_forms

        forms["who5"] = score_forms(forms, outcome, prorate_one_missing)
        columns = list(outcome.columns)
    forms["items_missing"] = forms[columns].isna().sum(axis=1).astype(int)
    enrolled = citizens.set_index("citizen_id")["enrolled_on"]
    # days after enrolment (missing for a form with an explicit visit and no date)
    forms["day"] = (forms["answered_on"] - forms["citizen_id"].map(enrolled)).dt.days.astype(float)

    by_label = {w.visit: w for w in windows}
    date_visit = np.full(len(forms), -1, dtype=int)
    for w in windows:
        inside = (forms["day"] >= w.earliest_day) & (forms["day"] <= w.latest_day)
        date_visit[inside.to_numpy()] = w.visit
    visit = pd.Series(date_visit, index=forms.index)
    notes: list[dict[str, str]] = []

    def note(check: str, r: pd.Series) -> None:
        day = "no date" if pd.isna(r["day"]) else f"day {int(r['day'])}"
        notes.append({"check": check, "table": "who5", "row": r["_row"], "detail": f"citizen {r['citizen_id']}, {day}"})

    if "visit" in forms:
        explicit = forms["visit"].notna()
        # a visit label that its date contradicts (the label wins): a typo in either moves a form to another visit
        disagree = explicit & forms["day"].notna() & (forms["visit"].astype("Float64") != visit.astype("Float64"))
        for i in np.flatnonzero(disagree.to_numpy(dtype=bool)):
            r = forms.iloc[i]
            if date_visit[i] < 0:
                note(text("note_visit_outside", visit=int(r["visit"])), r)
            else:
                note(text("note_visit_disagrees", visit=int(r["visit"]), dated=int(date_visit[i])), r)
        visit[explicit] = forms.loc[explicit, "visit"].astype(int)
    forms["visit"] = visit

    for _, r in forms[forms["visit"] < 0].iterrows():
        note(text("note_outside_windows"), r)
    for _, r in forms[(forms["visit"] >= 0) & forms["who5"].isna()].iterrows():
        if r["items_missing"] == len(columns):
            note(text("note_no_items"), r)
        else:
            note(text("note_missing_items", n=r["items_missing"]), r)

    usable = forms[(forms["visit"] >= 0) & forms["who5"].notna()].copy()
    usable["target"] = usable["visit"].map({k: w.target_day for k, w in by_label.items()})
    usable["distance"] = (usable["day"] - usable["target"]).abs()
    usable = usable.sort_values(["citizen_id", "visit", "distance", "answered_on", "_row"], kind="mergesort")
    first = ~usable.duplicated(["citizen_id", "visit"], keep="first")
    for _, r in usable[~first].iterrows():
        note(text("note_nearest_form"), r)
    scores = usable[first][["citizen_id", "visit", "answered_on", "day", "who5", "items_missing"]]
    scores = scores.sort_values(["citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
    return scores, pd.DataFrame(notes, columns=["check", "table", "row", "detail"])
