"""WHO-5 scoring and visit assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import VISITS

from fittrial.inputs.scoring import ITEMS, assign_visits, score_who5, windows_from_config


def items(*rows):
    return pd.DataFrame([list(r) for r in rows], columns=ITEMS, dtype="Float64")


def test_score_is_four_times_the_sum():
    s = score_who5(items((0, 0, 0, 0, 0), (5, 5, 5, 5, 5), (3, 2, 4, 1, 0)))
    assert s.tolist() == [0.0, 100.0, 40.0]


def test_missing_item_scores_missing_by_default():
    s = score_who5(items((3, None, 4, 1, 0)))
    assert np.isnan(s.iloc[0])


def test_prorating_one_missing_item():
    s = score_who5(items((3, None, 4, 1, 0), (3, None, None, 1, 0)), prorate_one_missing=True)
    assert s.iloc[0] == pytest.approx(4 * 8 * 5 / 4)  # 40.0
    assert np.isnan(s.iloc[1])  # two missing items: never prorated


def forms(rows):
    """rows of (citizen, day after 2016-01-01, score items value, explicit visit or None)."""
    out = []
    for i, (cit, day, v, visit) in enumerate(rows):
        out.append({"_row": f"row {i + 2}", "citizen_id": cit,
                    "answered_on": pd.Timestamp("2016-01-01") + pd.Timedelta(days=day),
                    **{c: v for c in ITEMS}, "visit": visit})
    frame = pd.DataFrame(out)
    frame[ITEMS] = frame[ITEMS].astype("Float64")
    frame["visit"] = frame["visit"].astype("Int64")
    return frame


CITIZENS = pd.DataFrame({"citizen_id": ["a", "b"], "enrolled_on": pd.to_datetime(["2016-01-01", "2016-01-01"])})
W = windows_from_config(VISITS)


def test_nearest_form_to_target_is_used_and_the_other_noted():
    scores, notes = assign_visits(forms([("a", 0, 2, None), ("a", 170, 3, None), ("a", 190, 4, None)]), CITIZENS, W)
    six = scores[(scores.citizen_id == "a") & (scores.visit == 6)]
    assert six["day"].item() == 190  # |190-182| = 8 < |170-182| = 12
    assert six["who5"].item() == 80.0
    assert notes["check"].str.contains("more than one WHO-5 form").sum() == 1


def test_tie_goes_to_the_earlier_form():
    scores, _ = assign_visits(forms([("a", 172, 1, None), ("a", 192, 4, None)]), CITIZENS, W)
    assert scores.loc[scores.visit == 6, "day"].item() == 172


def test_form_outside_every_window_is_listed_not_dropped_silently():
    scores, notes = assign_visits(forms([("a", 90, 3, None), ("b", 365, 3, None)]), CITIZENS, W)
    assert scores["citizen_id"].tolist() == ["b"]
    outside = notes[notes["check"].str.contains("outside every visit window")]
    assert outside["row"].tolist() == ["row 2"]


def test_explicit_visit_overrides_the_date():
    scores, notes = assign_visits(forms([("a", 90, 3, 6)]), CITIZENS, W)
    assert scores[["visit", "who5"]].values.tolist() == [[6, 60.0]]
    # day 90 lies outside every window: the label is used, and said (a typo in either would move the form)
    assert notes["check"].tolist() == ["the visit column says visit 6, the form's date lies outside every visit window"]


def test_scored_form_preferred_over_nearer_unscorable_form():
    f = forms([("a", 182, 3, None), ("a", 200, 2, None)])
    f.loc[0, "who5_1"] = pd.NA
    scores, notes = assign_visits(f, CITIZENS, W)
    assert scores["day"].tolist() == [200]
    assert notes["check"].str.contains("1 missing item").sum() == 1


def test_windows_must_not_overlap_or_exclude_their_target():
    with pytest.raises(ValueError, match="overlap"):
        windows_from_config([{"visit": 0, "target_day": 0, "earliest_day": -10, "latest_day": 200},
                             {"visit": 6, "target_day": 182, "earliest_day": 150, "latest_day": 250}])
    with pytest.raises(ValueError, match="outside its window"):
        windows_from_config([{"visit": 6, "target_day": 182, "earliest_day": 190, "latest_day": 250}])
