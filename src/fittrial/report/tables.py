"""Tables for the report: the effects table and descriptive tables.

Everything here is aggregate. Counts below the suppression threshold
(``suppress_below``, 5 by default) are shown as ``"<5"``, and a mean computed
on fewer citizens than the threshold is not shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fittrial.base.catalogue import analysis_order
from fittrial.inputs.dataset import BINARY_OUTCOMES
from fittrial.language.messages import text
from fittrial.publish.disclosure import suppress

EFFECT_COLUMNS = ["analysis", "outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                  "p_value", "p_adjusted", "p_interaction", "mc_se", "method", "not_estimated", "n_clusters",
                  "n_citizens"]
OUTCOME_ORDER = ["who5", *BINARY_OUTCOMES]
SCALE_ORDER = ["mean_difference", "odds_ratio", "risk_difference", "risk_ratio", "hazard_ratio",
               "subdistribution_hazard_ratio"]
ANALYSIS_ORDER = analysis_order()  # the catalogue's order (fittrial.base.catalogue.ANALYSES)
ARMS = ["FIT", "control"]


def cluster_mean_ci(x: pd.Series, clusters: pd.Series, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``x`` with a CI that respects clustering: the cluster-robust (sandwich) SE of a mean,
    sqrt(G / (G - 1) * sum_g (sum_i in g (x_i - mean))^2) / n, and t with G - 1 df (G clusters).
    (nan, nan, nan) when fewer than two clusters or values."""
    from fittrial.base.tdist import t_ppf

    x = pd.Series(np.asarray(x, float), index=clusters.index)
    ok = x.notna()
    x, clusters = x[ok], clusters[ok]
    g = clusters.nunique()
    if len(x) < 2 or g < 2:
        return (float(x.mean()) if len(x) else np.nan, np.nan, np.nan)
    mean = float(x.mean())
    sums = (x - mean).groupby(clusters.to_numpy()).sum()
    se = float(np.sqrt(g / (g - 1) * (sums ** 2).sum()) / len(x))
    half = float(t_ppf(0.5 + level / 2, g - 1)) * se
    return mean, mean - half, mean + half


def holm(p: pd.Series) -> pd.Series:
    """Holm (1979) step-down adjusted p-values (missing p-values stay missing): the k-th smallest of n p-values
    times n - k + 1, made non-decreasing in that order, capped at 1.

    The same arithmetic as ``statsmodels.stats.multitest.multipletests(method="holm")`` (tested to give the same
    floats), written out because importing statsmodels would add about a second to the effects-table step.
    """
    out = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    if ok.any():
        x = p[ok].to_numpy(float)
        order = np.argsort(x)
        adjusted = np.maximum.accumulate(x[order] * np.arange(len(x), 0, -1))
        adjusted[adjusted > 1] = 1
        result = np.empty(len(x))
        result[order] = adjusted
        out[ok] = result
    return out


def effects_table(rows: list[pd.DataFrame], outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Stack contrast rows into the effects table (fixed columns, fixed order).

    ``p_adjusted``: Holm-adjusted across the five secondary outcomes of the
    main (``itt``) analysis, separately for each scale; empty elsewhere (the
    primary outcome is not adjusted; sensitivity analyses are not tests of new
    hypotheses).
    """
    table = pd.concat(rows, ignore_index=True)
    if "analysis" not in table:
        table["analysis"] = "itt"
    for col in ("p_interaction", "mc_se"):
        if col not in table:
            table[col] = np.nan
    if "not_estimated" not in table:
        table["not_estimated"] = ""
    table["not_estimated"] = table["not_estimated"].fillna("")
    table["p_adjusted"] = np.nan
    outcomes = list(BINARY_OUTCOMES if outcomes is None else outcomes)
    secondary = (table["analysis"] == "itt") & table["outcome"].isin(outcomes)
    for _, idx in table[secondary].groupby("scale").groups.items():
        table.loc[idx, "p_adjusted"] = holm(table.loc[idx, "p_value"])
    table = table[EFFECT_COLUMNS]
    order = {a: i for i, a in enumerate(ANALYSIS_ORDER)}
    table["_a"] = table["analysis"].map(lambda a: order.get(a, len(order)))
    table["_o"] = table["outcome"].map({o: i for i, o in enumerate(["who5", *outcomes])})
    table["_s"] = table["scale"].map({s: i for i, s in enumerate(SCALE_ORDER)})
    table = table.sort_values(["_a", "analysis", "_o", "timepoint_months", "_s"], kind="mergesort")
    table = table.drop(columns=["_a", "_o", "_s"])
    table["timepoint_months"] = table["timepoint_months"].astype(int)
    table["n_clusters"] = table["n_clusters"].astype(int)
    table["n_citizens"] = table["n_citizens"].astype(int)
    return table.reset_index(drop=True)


def participants_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, long: pd.DataFrame,
                       threshold: int, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Participant flow counts by arm (caseworkers and citizens), made safe to publish like the flow diagram's
    (:func:`fittrial.publish.populations.safe_count`: a population leaving fewer than ``threshold`` enrolled citizens out
    is shown as a range)."""
    from fittrial.publish.populations import members, safe_count, total_text

    member = members(citizens, long, outcomes)
    rows: list[tuple[str, list[str], str]] = []

    n_rand = {a: int((randomisation["arm"] == a).sum()) for a in ARMS}
    rows.append((text("lbl_p_randomised"), [str(n_rand[a]) for a in ARMS], str(sum(n_rand.values()))))
    with_c = {a: int(citizens.loc[citizens["arm"] == a, "caseworker_id"].nunique()) for a in ARMS}
    rows.append((text("lbl_p_with_citizen"), [str(with_c[a]) for a in ARMS], str(sum(with_c.values()))))

    def population(label: str, name: str) -> None:
        safe = [safe_count(int((member[name] & (citizens["arm"] == a)).sum()), int((citizens["arm"] == a).sum()),
                           threshold) for a in ARMS]
        rows.append((label, [c.text for c in safe], total_text(safe, threshold)))

    population(text("lbl_p_enrolled"), "enrolled")
    visits = sorted(int(c[len("who5_m"):]) for c in citizens if c.startswith("who5_m"))
    for v in visits:
        population(text("w_who5_at_baseline") if v == 0 else text("w_who5_at_months", n=v), f"who5_m{v}")
    population(text("lbl_p_primary"), "followup_who5")
    for o in BINARY_OUTCOMES if outcomes is None else outcomes:
        population(text("lbl_p_outcome", outcome=o), f"outcome:{o}")
    out = pd.DataFrame({"measure": [r[0] for r in rows]})
    for k, a in enumerate(ARMS):
        out[a] = [r[1][k] for r in rows]
    out["total"] = [r[2] for r in rows]
    return out


def who5_by_arm_visit(citizens: pd.DataFrame, visits: list[int], threshold: int) -> pd.DataFrame:
    """Observed WHO-5 mean, SD and 95% CI by arm and visit (descriptive; the CI clustered by caseworker,
    :func:`cluster_mean_ci`)."""
    rows = []
    for a in ARMS:
        for v in visits:
            sub = citizens.loc[(citizens["arm"] == a) & citizens[f"who5_m{v}"].notna()]
            x = sub[f"who5_m{v}"].astype(float)
            n = len(x)
            show = n >= threshold
            mean, lo, hi = cluster_mean_ci(x, sub["caseworker_id"]) if show else (np.nan, np.nan, np.nan)
            sd = float(x.std(ddof=1)) if show and n > 1 else np.nan
            rows.append({"arm": a, "visit_months": v, "n": suppress(n, threshold), "mean": mean, "sd": sd,
                         "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def data_quality_table(notes: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Counts of data-quality notes by check (no citizen-level rows), suppressed below ``threshold``."""
    if notes.empty:
        return pd.DataFrame({"table": [], "check": [], "count": []})
    counts = notes.groupby(["table", "check"], sort=True).size().reset_index(name="n")
    counts["count"] = [suppress(n, threshold) for n in counts["n"]]
    return counts[["table", "check", "count"]]


def missing_outcomes_table(citizens: pd.DataFrame, threshold: int,
                           outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Citizens left out of each secondary analysis because the outcome is missing, by arm."""
    rows = []
    for o in BINARY_OUTCOMES if outcomes is None else outcomes:
        miss = citizens[citizens[o].isna()]
        rows.append({"outcome": o, **{a: suppress(int((miss["arm"] == a).sum()), threshold) for a in ARMS},
                     "total": suppress(len(miss), threshold)})
    return pd.DataFrame(rows, columns=["outcome", *ARMS, "total"])


def _std_diff_mean(a: pd.Series, b: pd.Series) -> float:
    """Standardised difference of means: (mean_a - mean_b) / sqrt((sd_a^2 + sd_b^2) / 2)."""
    a, b = a.dropna().astype(float), b.dropna().astype(float)
    pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else float("nan")


def _std_diff_prop(pa: float, pb: float) -> float:
    """Standardised difference of proportions (Austin 2009)."""
    denom = np.sqrt((pa * (1 - pa) + pb * (1 - pb)) / 2)
    return float((pa - pb) / denom) if denom > 0 else float("nan")


def baseline_table(citizens: pd.DataFrame, randomisation: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Baseline characteristics by arm, citizen and caseworker level, with standardised differences.

    No p-values (CONSORT: baseline differences after randomisation are chance).
    Columns: level, characteristic, FIT, control, std_difference. Counts below
    ``threshold`` are suppressed (and their percentages not shown).
    """
    rows = []
    arms = {a: citizens[citizens["arm"] == a] for a in ARMS}

    def count_row(label: str, mask_fn, level: str = text("w_citizen")) -> None:
        cells = {}
        props = {}
        for a, d in arms.items():
            n = int(mask_fn(d).sum())
            total = int(len(d))
            props[a] = n / total if total else float("nan")
            cells[a] = text("w_n_percent", n=suppress(n, threshold), percent=f"{100 * props[a]:.1f}") \
                if n >= threshold or n == 0 else suppress(n, threshold)
        # the standardised difference of two proportions, with the arms' numbers published, determines the
        # counts: not published when a count of the row is suppressed (it would give the suppressed count back)
        small = any(0 < int(mask_fn(d).sum()) < threshold for d in arms.values())
        rows.append({"level": level, "characteristic": label, **cells,
                     "std_difference": float("nan") if small else _std_diff_prop(props["FIT"], props["control"])})

    def mean_row(label: str, col: str) -> None:
        cells = {}
        for a, d in arms.items():
            x = d[col].dropna().astype(float)
            cells[a] = text("w_mean_sd", mean=f"{x.mean():.1f}", sd=f"{x.std(ddof=1):.1f}") if len(x) >= threshold \
                else ""
        rows.append({"level": text("w_citizen"), "characteristic": label, **cells,
                     "std_difference": _std_diff_mean(arms["FIT"][col], arms["control"][col])})

    rows.append({"level": text("w_citizen"), "characteristic": text("lbl_b_citizens"),
                 **{a: suppress(len(d), threshold) for a, d in arms.items()}, "std_difference": float("nan")})
    mean_row(text("lbl_b_age"), "age")
    if citizens["age"].isna().any():
        count_row(text("lbl_b_age_missing"), lambda d: d["age"].isna())
    count_row(text("lbl_b_women"), lambda d: d["sex"] == "F")
    count_row(text("lbl_b_sex_missing"), lambda d: d["sex"].isna())
    from fittrial.inputs.crosscheck import allocation

    kind = allocation(randomisation)
    if kind == "stratified":  # matched pairs (and one stratum) have no stratum rows: one caseworker per arm each
        for s in sorted(citizens["stratum"].unique()):
            count_row(text("lbl_b_stratum", stratum=s), lambda d, s=s: d["stratum"] == s)
    if "who5_m0" in citizens:  # a trial without a baseline visit has no baseline rows
        mean_row(text("lbl_b_baseline"), "who5_m0")
        count_row(text("lbl_b_baseline_le50"), lambda d: d["who5_m0"] <= 50)
        count_row(text("lbl_b_baseline_missing"), lambda d: d["who5_m0"].isna())
    per_cw = citizens.groupby("caseworker_id").size()
    cw_arm = randomisation.set_index("caseworker_id")["arm"]
    cells = {}
    for a in ARMS:
        ids = cw_arm[cw_arm == a].index
        sizes = per_cw.reindex(ids, fill_value=0)
        # the range only where tables/recruitment.csv shows it: a size below the threshold is "<k", and min and max
        # are left out when, with the published counts, they would reveal one (fittrial.publish.disclosure.recoverable)
        from fittrial.analyses.recruitment import format_count_statistic, shown_statistics

        shown = shown_statistics(sizes.to_numpy(), threshold)
        mean = f"{sizes.mean():.1f}"
        cells[a] = "" if not shown else mean if "min" not in shown else text(
            "w_mean_range", mean=mean, lo=format_count_statistic(float(sizes.min()), threshold),
            hi=format_count_statistic(float(sizes.max()), threshold))
    rows.insert(0, {"level": text("w_caseworker"), "characteristic": text("lbl_b_caseworkers"),
                    **{a: suppress(int((cw_arm == a).sum()), threshold) for a in ARMS}, "std_difference": float("nan")})
    rows.insert(1, {"level": text("w_caseworker"), "characteristic": text("lbl_b_per_caseworker"), **cells,
                    "std_difference": float("nan")})
    if kind == "pair_matched":
        n_pairs = int(randomisation["stratum"].nunique())
        rows.insert(2, {"level": text("w_caseworker"), "characteristic": text("lbl_b_pairs"), "FIT": str(n_pairs),
                        "control": str(n_pairs), "std_difference": float("nan")})
    elif kind == "stratified":
        for k, s in enumerate(sorted(randomisation["stratum"].unique())):
            rows.insert(2 + k, {"level": text("w_caseworker"), "characteristic": text("lbl_b_stratum_caseworkers",
                                                                                          stratum=s),
                                **{a: suppress(int(((cw_arm == a) & (randomisation.set_index("caseworker_id")["stratum"]
                                                                      == s)).sum()), threshold) for a in ARMS},
                                "std_difference": float("nan")})
    return pd.DataFrame(rows)


def secondary_table(citizens: pd.DataFrame, effects: pd.DataFrame, threshold: int,
                    outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Course outcomes: proportion by arm, OR, risk difference per 100 citizens, CIs, p and Holm p (main analysis)."""
    rows = []
    itt = effects[effects["analysis"] == "itt"].set_index(["outcome", "scale"])
    for o in BINARY_OUTCOMES if outcomes is None else outcomes:
        row: dict[str, object] = {"outcome": o}
        for a in ARMS:
            x = citizens.loc[citizens["arm"] == a, o].dropna()
            events = int(x.sum())
            row[f"{a}_events"] = suppress(events, threshold)
            row[f"{a}_n"] = suppress(len(x), threshold)
            row[f"{a}_percent"] = 100 * events / len(x) if len(x) and (events >= threshold or events == 0) else np.nan
        for scale, prefix, factor in (("odds_ratio", "or", 1.0), ("risk_difference", "rd_per_100", 100.0)):
            if (o, scale) in itt.index:
                e = itt.loc[(o, scale)]
                row[prefix] = e["estimate"] * factor
                row[f"{prefix}_ci_low"] = e["ci_low"] * factor
                row[f"{prefix}_ci_high"] = e["ci_high"] * factor
                row[f"{prefix}_p"] = e["p_value"]
                row[f"{prefix}_p_holm"] = e["p_adjusted"]
        rows.append(row)
    columns = ["outcome"] + [f"{a}_{c}" for a in ARMS for c in ("events", "n", "percent")] + [
        f"{p}{c}" for p in ("or", "rd_per_100") for c in ("", "_ci_low", "_ci_high", "_p", "_p_holm")]
    return pd.DataFrame(rows).reindex(columns=list(dict.fromkeys([*pd.DataFrame(rows).columns, *columns])))


def primary_table(citizens: pd.DataFrame, emmeans: pd.DataFrame, effects: pd.DataFrame, threshold: int,
                  visits: Sequence[int] = (0, 6, 12)) -> pd.DataFrame:
    """WHO-5 by arm at every visit (baseline: observed mean with a CI clustered by caseworker,
    :func:`cluster_mean_ci`; follow-up: marginal means of the primary model) with 95% CIs, and the FIT - control difference with CI, df and p (empty where not estimated)."""
    rows = []
    for a in ARMS:
        if 0 not in visits:
            break
        sub = citizens.loc[(citizens["arm"] == a) & citizens["who5_m0"].notna()]
        show = len(sub) >= threshold
        mean, lo, hi = cluster_mean_ci(sub["who5_m0"], sub["caseworker_id"]) if show else (np.nan, np.nan, np.nan)
        rows.append({"visit_months": 0, "arm": a, "mean": mean, "ci_low": lo, "ci_high": hi,
                     "source": text("w_source_observed")})
    for _, r in emmeans.iterrows():
        rows.append({"visit_months": int(r["visit_months"]), "arm": r["arm"], "mean": r["emmean"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "source": text("w_source_model")})
    for v in visits:  # follow-up visits without marginal means (not estimated) still get their row
        for a in ARMS:
            if v != 0 and not ((emmeans["visit_months"] == v) & (emmeans["arm"] == a)).any():
                rows.append({"visit_months": int(v), "arm": a, "mean": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                             "source": text("w_source_not_estimated")})
    means = pd.DataFrame(rows, columns=["visit_months", "arm", "mean", "ci_low", "ci_high", "source"])
    diff = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "who5")][
        ["timepoint_months", "estimate", "ci_low", "ci_high", "df", "p_value"]].rename(
        columns={"timepoint_months": "visit_months", "estimate": "difference", "ci_low": "difference_ci_low",
                 "ci_high": "difference_ci_high"})
    wide = means.pivot(index="visit_months", columns="arm", values=["mean", "ci_low", "ci_high"])
    wide.columns = [f"{arm}_{what}" for what, arm in wide.columns]
    wide = wide.reindex(columns=[f"{a}_{w}" for a in ARMS for w in ("mean", "ci_low", "ci_high")])
    out = wide.reset_index().merge(diff, on="visit_months", how="left")
    cols = ["visit_months"] + [f"{a}_{w}" for a in ARMS for w in ("mean", "ci_low", "ci_high")] + \
        ["difference", "difference_ci_low", "difference_ci_high", "df", "p_value"]
    return out[cols]


def completion_table(citizens: pd.DataFrame, visits: list[int], threshold: int) -> pd.DataFrame:
    """WHO-5 completion (scored form) by arm and visit: n, of n enrolled, and percent."""
    rows = []
    for v in visits:
        for a in ARMS:
            d = citizens[citizens["arm"] == a]
            n = int(d[f"who5_m{v}"].notna().sum())
            rows.append({"visit_months": v, "arm": a, "completed": suppress(n, threshold),
                         "enrolled": suppress(len(d), threshold),
                         "percent": 100 * n / len(d) if len(d) and n >= threshold else np.nan})
    return pd.DataFrame(rows)
