"""Tables for the report: the effects table and descriptive tables.

Everything here is aggregate. Counts below the suppression threshold
(``suppress_below``, 5 by default) are shown as ``"<5"``, and a mean computed
on fewer citizens than the threshold is not shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import BINARY_OUTCOMES

EFFECT_COLUMNS = ["analysis", "outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                  "p_value", "p_adjusted", "p_interaction", "method", "n_clusters", "n_citizens"]
OUTCOME_ORDER = ["who5", *BINARY_OUTCOMES]
SCALE_ORDER = ["mean_difference", "odds_ratio", "risk_difference", "risk_ratio", "hazard_ratio"]
ANALYSIS_ORDER = ["itt", "clda", "cluster_level", "cluster_level_weighted", "ancova_cr2", "randomisation_test",
                  "multiple_imputation", "per_protocol", "cace", "time_to_dropout"]
ARMS = ["FIT", "control"]


def suppress(count: int | float, threshold: int) -> str:
    """A count as text, or ``"<threshold"`` when 0 < count < threshold."""
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return ""
    count = int(count)
    return f"<{threshold}" if 0 < count < threshold else str(count)


def holm(p: pd.Series) -> pd.Series:
    """Holm (1979) step-down adjusted p-values (missing p-values stay missing)."""
    from statsmodels.stats.multitest import multipletests

    out = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    if ok.any():
        out[ok] = multipletests(p[ok].to_numpy(), method="holm")[1]
    return out


def effects_table(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack contrast rows into the effects table (fixed columns, fixed order).

    ``p_adjusted``: Holm-adjusted across the five secondary outcomes of the
    main (``itt``) analysis, separately for each scale; empty elsewhere (the
    primary outcome is not adjusted; sensitivity analyses are not tests of new
    hypotheses).
    """
    table = pd.concat(rows, ignore_index=True)
    if "analysis" not in table:
        table["analysis"] = "itt"
    if "p_interaction" not in table:
        table["p_interaction"] = np.nan
    table["p_adjusted"] = np.nan
    secondary = (table["analysis"] == "itt") & table["outcome"].isin(BINARY_OUTCOMES)
    for _, idx in table[secondary].groupby("scale").groups.items():
        table.loc[idx, "p_adjusted"] = holm(table.loc[idx, "p_value"])
    table = table[EFFECT_COLUMNS]
    order = {a: i for i, a in enumerate(ANALYSIS_ORDER)}
    table["_a"] = table["analysis"].map(lambda a: order.get(a, len(order)))
    table["_o"] = table["outcome"].map({o: i for i, o in enumerate(OUTCOME_ORDER)})
    table["_s"] = table["scale"].map({s: i for i, s in enumerate(SCALE_ORDER)})
    table = table.sort_values(["_a", "analysis", "_o", "timepoint_months", "_s"], kind="mergesort")
    table = table.drop(columns=["_a", "_o", "_s"])
    table["timepoint_months"] = table["timepoint_months"].astype(int)
    table["n_clusters"] = table["n_clusters"].astype(int)
    table["n_citizens"] = table["n_citizens"].astype(int)
    return table.reset_index(drop=True)


def participants_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, long: pd.DataFrame,
                       threshold: int) -> pd.DataFrame:
    """Participant flow counts by arm (caseworkers and citizens), suppressed below ``threshold``."""
    rows: list[tuple[str, dict[str, int]]] = []

    def by_arm(frame: pd.DataFrame, key: str | None = None) -> dict[str, int]:
        if key is None:
            return {a: int((frame["arm"] == a).sum()) for a in ARMS}
        return {a: int(frame.loc[frame["arm"] == a, key].nunique()) for a in ARMS}

    rows.append(("Caseworkers randomised", by_arm(randomisation)))
    rows.append(("Caseworkers with at least one citizen", by_arm(citizens, "caseworker_id")))
    rows.append(("Citizens enrolled", by_arm(citizens)))
    for col, label in (("who5_m0", "WHO-5 at baseline"), ("who5_m6", "WHO-5 at 6 months"),
                       ("who5_m12", "WHO-5 at 12 months")):
        if col in citizens:
            rows.append((label, by_arm(citizens[citizens[col].notna()])))
    rows.append(("Citizens in the primary analysis (>=1 follow-up WHO-5)", by_arm(long, "citizen_id")))
    for o in BINARY_OUTCOMES:
        rows.append((f"Citizens with {o} observed", by_arm(citizens[citizens[o].notna()])))
    out = pd.DataFrame({"measure": [r[0] for r in rows]})
    for a in ARMS:
        out[a] = [suppress(r[1][a], threshold) for r in rows]
    out["total"] = [suppress(r[1]["FIT"] + r[1]["control"], threshold) for r in rows]
    return out


def who5_by_arm_visit(citizens: pd.DataFrame, visits: list[int], threshold: int) -> pd.DataFrame:
    """Observed WHO-5 mean, SD and a normal-approximation 95% CI by arm and visit (descriptive)."""
    rows = []
    for a in ARMS:
        for v in visits:
            x = citizens.loc[citizens["arm"] == a, f"who5_m{v}"].dropna().astype(float)
            n = len(x)
            show = n >= threshold
            mean = float(x.mean()) if show else np.nan
            sd = float(x.std(ddof=1)) if show and n > 1 else np.nan
            half = 1.959964 * sd / np.sqrt(n) if show and n > 1 else np.nan
            rows.append({"arm": a, "visit_months": v, "n": suppress(n, threshold), "mean": mean, "sd": sd,
                         "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows)


def data_quality_table(notes: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Counts of data-quality notes by check (no citizen-level rows), suppressed below ``threshold``."""
    if notes.empty:
        return pd.DataFrame({"table": [], "check": [], "count": []})
    counts = notes.groupby(["table", "check"], sort=True).size().reset_index(name="n")
    counts["count"] = [suppress(n, threshold) for n in counts["n"]]
    return counts[["table", "check", "count"]]


def missing_outcomes_table(citizens: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Citizens left out of each secondary analysis because the outcome is missing, by arm."""
    rows = []
    for o in BINARY_OUTCOMES:
        miss = citizens[citizens[o].isna()]
        rows.append({"outcome": o, **{a: suppress(int((miss["arm"] == a).sum()), threshold) for a in ARMS},
                     "total": suppress(len(miss), threshold)})
    return pd.DataFrame(rows)
