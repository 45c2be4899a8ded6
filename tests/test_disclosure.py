"""Complementary disclosure control: no suppressed count can be worked back from what else is published."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from fittrial.disclosure import effects_counts, safe_steps, small_cell_reason, withhold
from fittrial.models import Contrast
from fittrial.practice import by_meeting
from fittrial.survival import cif_curve, cif_table

K = 5


def _meetings(per_citizen: list[int]) -> pd.DataFrame:
    rows = [{"citizen_id": f"B{i}", "meeting": m, "ors": 20.0 + m, "srs": 36.0}
            for i, n in enumerate(per_citizen) for m in range(1, n + 1)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(40))
def test_by_meeting_publishes_no_count_that_subtraction_reveals(seed):
    rng = np.random.default_rng(seed)
    per = list(rng.geometric(rng.uniform(0.08, 0.4), int(rng.integers(6, 120))))
    totals = _meetings(per)
    table = by_meeting(totals, K)
    shown = pd.to_numeric(table["meetings"], errors="coerce")
    assert shown.notna().all() and (shown >= K).all() or len(totals) < K
    # every meeting is in exactly one row: the column adds up to the total, hiding nothing
    assert shown.sum() == len(totals) or len(totals) < K
    single = table[~table["meeting"].str.endswith("+")]
    diffs = -np.diff(pd.to_numeric(single["meetings"]).to_numpy())
    assert not np.any((diffs > 0) & (diffs < K)), diffs
    if table["meeting"].str.endswith("+").any():  # the pooled row counts meetings, and holds at least K
        assert table["meeting"].iloc[-1].endswith("+") and shown.iloc[-1] >= K


def test_by_meeting_example_from_the_issue():
    """The shown counts summed to 4,422 of 4,426 and revealed the hidden cells 2, 1, 1."""
    per = [19, 18, 17, 17] + [16] * 1 + [15] * 5 + [14] * 11 + [12] * 40
    table = by_meeting(_meetings(per), K)
    assert pd.to_numeric(table["meetings"]).sum() == sum(per)
    assert "<5" not in set(table["meetings"])


def test_safe_steps():
    c = np.array([0, 0, 3, 5, 7, 10, 10, 16, 17, 30])
    keep = safe_steps(c, K)
    shown = c[keep]
    assert list(shown) == [0, 0, 5, 10, 10, 16, 30]
    assert np.all(np.diff(shown)[np.diff(shown) > 0] >= K)


def test_small_cells_withhold_an_estimate():
    assert small_cell_reason({"FIT": (3, 100), "control": (20, 100)}, K, "eviction")
    assert small_cell_reason({"FIT": (97, 100), "control": (20, 100)}, K, "eviction")  # 3 without
    assert small_cell_reason({"FIT": (0, 100), "control": (20, 100)}, K, "eviction") is None
    assert small_cell_reason({"FIT": (10, 100), "control": (20, 100)}, K, "eviction") is None
    row = Contrast("eviction", 12, "odds_ratio", 1.2, 0.1, 30, 0.9, 1.5, 0.3, "GEE", 60, 200)
    out = withhold([row], small_cell_reason({"FIT": (2, 100), "control": (20, 100)}, K, "eviction"))[0]
    assert np.isnan(out.estimate) and np.isnan(out.ci_low) and "disclosure control" in out.not_estimated


def _effects(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["analysis", "outcome", "timepoint_months", "n_citizens", "n_clusters"])


def test_effects_counts_hide_small_differences_and_complement_subgroups():
    table = _effects([("itt", "who5", 12, 814, 65), ("per_protocol", "who5", 12, 810, 65),
                      ("cace", "who5", 12, 800, 65),
                      ("subgroup:age_group=<30", "who5", 12, 3, 3), ("subgroup:age_group=30-49", "who5", 12, 500, 65),
                      ("subgroup:age_group=50+", "who5", 12, 311, 60)])
    out = effects_counts(table, K).set_index("analysis")
    assert out.at["itt", "n_citizens"] == "814"
    assert out.at["per_protocol", "n_citizens"] == "810-814"  # 4 non-adherent citizens are not published
    assert out.at["cace", "n_citizens"] == "800"
    assert out.at["subgroup:age_group=<30", "n_citizens"] == "<5"
    assert out.at["subgroup:age_group=<30", "n_clusters"] == "<5"
    assert out.at["subgroup:age_group=50+", "n_citizens"] == "suppressed"  # 814 - 500 - 311 would give 3
    assert out.at["subgroup:age_group=30-49", "n_citizens"] == "500"


def test_effects_counts_search_for_recoverable_cells():
    """Brute force: for random subgroup tables, no suppressed level's count is determined by the published ones."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        levels = int(rng.integers(2, 5))
        n = list(rng.integers(1, 40, levels))
        total = int(sum(n))
        rows = [("itt", "who5", 12, total, 30)] + [(f"subgroup:v=L{i}", "who5", 12, int(c), 10) for i, c in
                                                   enumerate(n)]
        out = effects_counts(_effects(rows), K).iloc[1:]
        hidden = [i for i, v in enumerate(out["n_citizens"]) if not str(v).isdigit()]
        known = sum(int(v) for v in out["n_citizens"] if str(v).isdigit())
        if not hidden:
            continue
        # every assignment of the hidden cells consistent with what is published
        ranges = [range(1, K) if out["n_citizens"].iloc[i] == f"<{K}" else range(1, total + 1) for i in hidden]
        candidates = [c for c in itertools.product(*ranges) if sum(c) == total - known]
        for j, i in enumerate(hidden):
            if n[i] < K:
                assert len({c[j] for c in candidates}) > 1, (n, list(out["n_citizens"]))


def test_cif_table_and_curve_show_no_step_below_the_threshold():
    rng = np.random.default_rng(3)
    n = 60
    times = pd.DataFrame({"fit": np.repeat([1, 0], n), "caseworker_id": [f"C{i % 12}" for i in range(2 * n)],
                          "time_days": rng.integers(1, 366, 2 * n).astype(float),
                          "status": rng.choice([0, 1, 2], 2 * n, p=[0.6, 0.15, 0.25])})
    table = cif_table(times, [0, 90, 180, 270, 365], K)
    for arm, fit in (("FIT", 1), ("control", 0)):
        d = times[times["fit"] == fit]
        rows = table[table["arm"] == arm]
        shown = rows["cumulative_incidence"].notna().to_numpy()
        events = np.array([int(((d["status"] == 1) & (d["time_days"] <= day)).sum()) for day in rows["day"]])
        published = events[shown]
        assert np.all((published == 0) | (published >= K))
        steps = np.diff(published)
        assert np.all((steps == 0) | (steps >= K))
    curve = cif_curve(times, K)
    for arm, fit in (("FIT", 1), ("control", 0)):
        d = times[times["fit"] == fit]
        c = curve[curve["arm"] == arm]
        levels = c["cumulative_incidence"].to_numpy()
        jumps = c["day"].to_numpy()[1:][np.diff(levels) > 0]
        counts = [int(((d["status"] == 1) & (d["time_days"] <= day)).sum()) for day in jumps]
        assert np.all(np.diff([0] + counts) >= K)
