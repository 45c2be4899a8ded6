"""Complementary disclosure control: no suppressed count can be worked back from what else is published."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from fittrial.analyses.practice import by_meeting
from fittrial.analyses.survival import cif_curve, cif_table
from fittrial.models.effects import Contrast
from fittrial.publish.disclosure import safe_steps, small_cell_reason, withhold
from fittrial.publish.populations import effects_counts

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


# --- analysis populations and the flow diagram (fittrial.publish.populations) ---

def _citizens(rng: np.random.Generator, n_fit: int, n_control: int, miss_fit: int, miss_control: int) -> pd.DataFrame:
    """Citizens of two arms with WHO-5 at 0 and 12 months; ``miss_*`` of each arm have no 12-month WHO-5."""
    rows = []
    for arm, n, miss in (("FIT", n_fit, miss_fit), ("control", n_control, miss_control)):
        for i in range(n):
            rows.append({"citizen_id": f"{arm}{i}", "caseworker_id": f"{arm}-cw{i % 4}", "arm": arm,
                         "fit": int(arm == "FIT"), "stratum": "S", "who5_m0": 40.0,
                         "who5_m12": np.nan if i < miss else float(rng.integers(0, 101)),
                         "enrolled_on": pd.Timestamp("2015-06-01"),
                         "ended_on": pd.Timestamp("2015-09-01") if i < miss and i % 2 else pd.NaT,
                         "end_reason": ("dropout" if i % 3 else "moved") if i < miss and i % 2 else None,
                         **{o: 1.0 for o in ("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m",
                                             "stable_income_12m")}})
    return pd.DataFrame(rows)


def _values(text: str, k: int, enrolled: int) -> set[int]:
    """The counts a published text allows."""
    if text.startswith("<"):
        return set(range(1, k))
    if text == "suppressed":
        return set(range(1, enrolled + 1))
    lo, _, hi = text.partition("-")
    return set(range(int(lo), int(hi or lo) + 1))


@pytest.mark.parametrize("miss", [0, 1, 3, 4, 5, 9, 37, 38, 40])
def test_flow_counts_never_reveal_a_small_left_out_count(miss):
    """A population count and the enrolled citizens it leaves out are published so that neither can be worked
    out from the other and the number enrolled when one of them is below the threshold."""
    from fittrial.publish.populations import safe_count
    from fittrial.steps.report import flow_table

    cit = _citizens(np.random.default_rng(miss), 40, 41, miss, 20)
    rand = pd.DataFrame({"caseworker_id": [f"{a}-cw{i}" for a in ("FIT", "control") for i in range(4)],
                         "arm": ["FIT"] * 4 + ["control"] * 4, "stratum": "S"})
    flow = flow_table(rand, cit, cit[cit["who5_m12"].notna()], K, [0, 12], 12).set_index("stage")
    row = flow.loc["who5_m12"]
    enrolled = 40
    pairs = {(n, enrolled - n) for n in _values(row["FIT_citizens"], K, enrolled)
             if enrolled - n in _values(row["FIT_not_included"] or "0", K, enrolled)}
    true_out = miss
    assert (enrolled - true_out, true_out) in pairs
    if 0 < true_out < K or 0 < enrolled - true_out < K:  # something is hidden: more than one pair fits
        assert len(pairs) > 1, (row["FIT_citizens"], row["FIT_not_included"])
    else:
        assert row["FIT_citizens"] == str(enrolled - true_out)
    assert safe_count(40 - miss, 40, K).text == row["FIT_citizens"]
    # the reasons add up to the left-out count and hide their small cells from the total
    if row["FIT_reasons"]:
        cells = dict(p.split(": ") for p in row["FIT_reasons"].split("; "))
        hidden = [c for c, v in cells.items() if not v.isdigit()]
        shown = sum(int(v) for v in cells.values() if v.isdigit())
        assert not (len(hidden) == 1 and row["FIT_not_included"].isdigit()), cells  # one hidden = total - shown
        assert shown <= int(row["FIT_not_included"] or 0)


def test_population_totals_agree_with_the_arms():
    """The effects table's n for a population is the total the flow diagram's arms add up to."""
    from fittrial.publish.populations import population_counts, published_totals, safe_count, total_text

    cit = _citizens(np.random.default_rng(1), 40, 41, 3, 20)
    counts = population_counts(cit)
    totals = published_totals(counts, K)
    assert totals["who5_m12"] == "57-60"  # FIT 36-39 (1 to 4 of 40 left out), control 21
    assert totals["enrolled"] == "81"
    assert total_text([safe_count(2, 30, K), safe_count(1, 3, K)], K) == "<9"  # 2..8: never a false range
    assert total_text([safe_count(2, 30, K), safe_count(0, 2, K)], K) == "<5"
    table = pd.DataFrame([{"analysis": "cluster_level", "outcome": "who5", "timepoint_months": 12,
                           "n_citizens": 58, "n_clusters": 8},
                          {"analysis": "per_protocol", "outcome": "who5", "timepoint_months": 12,
                           "n_citizens": 50, "n_clusters": 8}])
    out = effects_counts(table, K, totals)
    assert out.loc[0, "n_citizens"] == "57-60" and out.loc[1, "n_citizens"] == "50"


def test_breakdown_suppresses_a_second_cell():
    from fittrial.publish.populations import breakdown

    shown = breakdown({"dropout": 30, "moved": 2, "in_course": 40}, K)
    assert shown["moved"] == "<5" and shown["dropout"] == "suppressed" and shown["in_course"] == "40"
    assert breakdown({"dropout": 30, "in_course": 40}, K) == {"dropout": "30", "in_course": "40"}
