"""FIT in practice (FIT arm, from ``fit_sessions``) and what predicts a missing follow-up.

FIT: ORS total = sum of its four lines (0-40), measured at the start of a
meeting; SRS total likewise (0-40) at its end. Clinical cut-offs: ORS 25
(below: clinical range), SRS 36 (below: the alliance needs attention).
Reliable change: last minus first ORS of a citizen with at least two ORS,
>= +5 points reliably improved, <= -5 reliably deteriorated (Miller & Duncan's
reliable-change margin). Everything is aggregated over the FIT arm; no
caseworker-level figure is produced (staff fear FIT as control of their work).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrial.language.messages import text
from fittrial.models.effects import t_inference
from fittrial.publish.disclosure import suppress

ORS_CUTOFF, SRS_CUTOFF, RELIABLE_CHANGE = 25.0, 36.0, 5.0
ORS = [f"ors_{i}" for i in range(1, 5)]
SRS = [f"srs_{i}" for i in range(1, 5)]


def session_totals(fit_sessions: pd.DataFrame, citizens: pd.DataFrame) -> pd.DataFrame:
    """FIT-arm meetings with ORS and SRS totals (missing if any line is missing) and the meeting number."""
    fit_ids = set(citizens.loc[citizens["fit"] == 1, "citizen_id"])
    if fit_sessions is None or fit_sessions.empty or not set(ORS + SRS) <= set(fit_sessions):
        return pd.DataFrame(columns=["citizen_id", "session_on", "ors", "srs", "meeting"])
    s = fit_sessions[fit_sessions["citizen_id"].isin(fit_ids)].copy()
    s["ors"] = s[ORS].sum(axis=1, min_count=4)
    s["srs"] = s[SRS].sum(axis=1, min_count=4)
    s = s[s["ors"].notna() | s["srs"].notna()]
    s = s.sort_values(["citizen_id", "session_on"], kind="mergesort")
    s["meeting"] = s.groupby("citizen_id").cumcount() + 1
    return s[["citizen_id", "session_on", "ors", "srs", "meeting"]].reset_index(drop=True)


def share(k: int, n: int, threshold: int) -> str:
    """"k of n (p%)", the counts suppressed below ``threshold`` (and the percentage then left out)."""
    if n and (k >= threshold or k == 0):
        return text("w_k_of_n_percent", k=suppress(k, threshold), n=suppress(n, threshold), percent=f"{100 * k / n:.1f}")
    return text("w_k_of_n", k=suppress(k, threshold), n=suppress(n, threshold))


def practice_summary(totals: pd.DataFrame, citizens: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """One row per measure: meetings per citizen, reliable change, SRS below the cut-off."""
    fit_cit = citizens[citizens["fit"] == 1]
    per = totals.groupby("citizen_id").size().reindex(fit_cit["citizen_id"], fill_value=0)
    rows = [
        (text("lbl_fit_citizens"), suppress(len(fit_cit), threshold)),
        (text("lbl_fit_citizens_with_meeting"), suppress(int((per > 0).sum()), threshold)),
        (text("lbl_meetings_median"),
         text("w_median_quartiles", median=f"{per.median():.0f}", q1=f"{per.quantile(0.25):.0f}",
              q3=f"{per.quantile(0.75):.0f}") if len(per) >= threshold else ""),
        (text("lbl_meetings_mean"), f"{per.mean():.1f}" if len(per) >= threshold else ""),
    ]
    ors = totals.dropna(subset=["ors"])
    firsts = ors.groupby("citizen_id")["ors"].first()
    lasts = ors.groupby("citizen_id")["ors"].last()
    counts = ors.groupby("citizen_id").size()
    change = (lasts - firsts)[counts >= 2]
    n = len(change)
    for label, k in ((text("lbl_reliably_improved"), int((change >= RELIABLE_CHANGE).sum())),
                     (text("lbl_reliably_deteriorated"), int((change <= -RELIABLE_CHANGE).sum())),
                     (text("lbl_first_ors_below"), int((firsts[counts >= 2] < ORS_CUTOFF).sum()))):
        rows.append((text("lbl_with_2_ors", label=label), share(k, n, threshold)))
    srs = totals["srs"].dropna()
    rows.append((text("lbl_srs_below"), share(int((srs < SRS_CUTOFF).sum()), len(srs), threshold)))
    return pd.DataFrame(rows, columns=["measure", "value"])


def by_meeting(totals: pd.DataFrame, threshold: int, max_meeting: int = 20) -> pd.DataFrame:
    """Median and interquartile range of ORS and SRS by meeting number, safe against recovery by subtraction.

    Row m counts the meetings numbered m (one per citizen who had an m-th
    meeting; these counts fall with m). Meeting numbers are shown one by one
    while their count is at least ``threshold`` and differs from the previous
    row's count by 0 or by at least ``threshold`` (otherwise the difference
    would publish how many citizens had exactly m - 1 meetings, a count below
    the threshold); from the first meeting number that fails, up to the last,
    all meetings are pooled in one row "m+" whose ``meetings`` is the number of
    meetings in it (not of citizens: with both, their difference could reveal
    a small count). The column ``meetings`` then sums to the total number of
    meetings with ORS or SRS, so nothing is hidden that a total could
    recover. ``meeting_from`` is the first meeting number of a row (for the
    figure). No row is shown before the pooled one if the first meeting has
    fewer than ``threshold`` citizens: then the whole table is one row "1+".
    """
    columns = ["meeting", "meeting_from", "meetings", "ors_median", "ors_q1", "ors_q3", "srs_median", "srs_q1",
               "srs_q3"]
    if totals.empty:
        return pd.DataFrame(columns=columns)
    counts = totals.groupby("meeting").size().sort_index()
    shown: list[int] = []
    for m, c in counts.items():
        if m > max_meeting or c < threshold or (shown and 0 < counts[shown[-1]] - c < threshold):
            break
        shown.append(int(m))
    last = int(counts.index.max())
    rest_from = shown[-1] + 1 if shown else 1
    groups = [(str(m), m, totals[totals["meeting"] == m]) for m in shown]
    if rest_from <= last:
        rest = totals[totals["meeting"] >= rest_from]
        if len(rest) < threshold and groups:  # too few meetings to pool alone: pool them with the last shown row
            label, first, g = groups.pop()
            rest_from, rest = first, totals[totals["meeting"] >= first]
        groups.append((f"{rest_from}+", rest_from, rest))
    rows = []
    for label, first, g in groups:
        row = {"meeting": label, "meeting_from": int(first), "meetings": suppress(len(g), threshold)}
        for col in ("ors", "srs"):
            x = g[col].dropna()
            ok = len(x) >= threshold
            row[f"{col}_median"] = float(x.median()) if ok else np.nan
            row[f"{col}_q1"] = float(x.quantile(0.25)) if ok else np.nan
            row[f"{col}_q3"] = float(x.quantile(0.75)) if ok else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


MAX_STRATA_SHOWN = 6  # more strata than this (matched pairs) are adjusted for but not listed as predictors


def missingness_predictors(citizens: pd.DataFrame, strata: list[str] | None = None, visit: int = 12) -> pd.DataFrame:
    """Odds ratios for a missing WHO-5 at ``visit``: GEE (logit, exchangeable, Mancl-DeRouen), t with K - p df.

    Predictors: arm, baseline WHO-5 (per 10 points; missing baseline as its own
    indicator), age (per 10 years; unknown age at the mean plus an indicator),
    sex (women vs men; unknown as its own indicator) and stratum. A predictor
    that does not vary is left out. When the model cannot be estimated (WHO-5
    at ``visit`` missing for everyone or for no one, fewer than two
    caseworkers per arm, no df left, or a design not of full rank) the table
    is empty and ``attrs["method"]`` says why.
    """
    from fittrial.models.effects import constant_strata_words
    from fittrial.models.estimable import (
        arm_reason,
        caseworker_df_reason,
        first,
        rank_reason,
        separation_reason,
        who5_at,
    )
    from fittrial.models.gee import gee_sandwich, solve_exchangeable_gee

    method = text("meth_missingness")
    d = citizens.sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    col = f"who5_m{visit}"
    present = set(d["stratum"])
    strata = [s for s in (strata or sorted(present)) if s in present]
    dropped = 0
    if len(strata) > 1 and col in d:  # strata in which every citizen is missing, or none is: no information (as GEE)
        spread = d.groupby("stratum")[col].agg(lambda x: x.isna().nunique())
        constant = [s for s in strata if spread.get(s, 0) <= 1]
        if constant and len(constant) < len(strata):
            d = d[~d["stratum"].isin(constant)]
            strata, dropped = [s for s in strata if s not in constant], len(constant)
    X = pd.DataFrame({"intercept": 1.0, text("w_pred_fit_arm"): d["fit"].astype(float)}, index=d.index)
    if d["baseline_who5"].nunique() > 1:
        X[text("w_pred_baseline")] = d["baseline_who5"] / 10.0
    if d["baseline_missing"].nunique() > 1:
        X[text("w_pred_baseline_missing")] = d["baseline_missing"].astype(float)
    age = d["age"].astype(float)
    if age.notna().sum() > 1 and age.nunique() > 1:
        X[text("w_pred_age")] = ((age - age.mean()) / 10.0).fillna(0.0)
        if age.isna().any():
            X[text("w_pred_age_unknown")] = age.isna().astype(float)
    if d["sex"].nunique() > 1:
        X[text("w_pred_women")] = (d["sex"] == "F").astype(float)
    if d["sex"].isna().any() and d["sex"].notna().any():
        X[text("w_pred_sex_unknown")] = d["sex"].isna().astype(float)
    stratum_names = {text("w_pred_stratum", stratum=s): s for s in strata[1:]}
    for name, s in stratum_names.items():
        X[name] = (d["stratum"] == s).astype(float)
    missing = d[col].isna() if col in d else pd.Series(True, index=d.index)
    y = missing.astype(float).to_numpy()
    everyone = text("w_citizens")
    reason = first(arm_reason(d, everyone), caseworker_df_reason(d, X.shape[1], everyone), rank_reason(X))
    if reason is None and missing.nunique() < 2:
        reason = text("r_who5_missing_for_all" if missing.all() else "r_who5_present_for_all", what=who5_at(visit))
    if reason is None:
        reason = separation_reason(y, X, text("w_missing_who5_at", what=who5_at(visit)))
    if reason:
        out = pd.DataFrame(columns=["predictor", "odds_ratio", "ci_low", "ci_high", "p_value", "df"])
        out.attrs["method"] = text("r_predictors_not_estimated", reason=reason, method=method)
        return out
    groups = pd.factorize(d["caseworker_id"])[0]
    beta, alpha, scale, note = solve_exchangeable_gee(y, X.to_numpy(), groups)
    cov = gee_sandwich(X.to_numpy(), y, groups, beta, alpha, scale, "mancl_derouen")
    df = float(len(np.unique(groups)) - X.shape[1])
    rows = []
    many = len(strata) > MAX_STRATA_SHOWN  # e.g. matched pairs: adjusted for, not shown one by one
    for j, name in enumerate(X.columns[1:], start=1):
        if many and name in stratum_names:
            continue
        se = float(np.sqrt(cov[j, j]))
        lo, hi, p = t_inference(float(beta[j]), se, df)
        rows.append({"predictor": name, "odds_ratio": float(np.exp(beta[j])), "ci_low": float(np.exp(lo)),
                     "ci_high": float(np.exp(hi)), "p_value": p, "df": df})
    out = pd.DataFrame(rows)
    out.attrs["method"] = method + note + ("; " + text("meth_strata_not_shown", n=len(strata)) if many else "") \
        + constant_strata_words(dropped)
    return out
