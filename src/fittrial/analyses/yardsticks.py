"""Yardsticks for "how much": the primary effect against the minimal important difference, as a standardised
effect size, as individual change by arm, and against the effects claimed for FIT.

* **Minimal important difference (MID).** WHO-5 changes of 10 points are
  clinically relevant (Topp et al. 2015, Psychother Psychosom 84:167-176);
  config ``yardsticks.who5_mid``. :func:`mid_band` places the primary
  effect's 95% CI against it: the CI lies below the MID (an important benefit
  is ruled out), reaches it, or lies above it.
* **Hedges' g.** The primary difference divided by the pooled observed SD of
  baseline WHO-5 (both arms), times the small-sample factor
  J = 1 - 3 / (4 (n1 + n2) - 9); its CI is the difference's CI scaled the same
  way (the SD is treated as known, so the CI is slightly too narrow).
* **Individual change** (citizens with WHO-5 at baseline and at the primary
  visit): reliably improved (up by at least ``reliable_change`` points, 10 by
  default), reliably deteriorated (down by as much; deterioration is the harm
  outcome of this trial), and at the primary visit WHO-5 at or below
  ``poor_wellbeing`` (50, poor well-being) and ``likely_depression`` (28,
  likely depression). Shares by arm, with the risk difference and risk ratio
  of the same GEE as the course outcomes (:func:`fittrial.models.effects.fit_binary_gee`:
  exchangeable working correlation within caseworker, stratum-adjusted,
  configured sandwich covariance, t with caseworkers - parameters df).
* **Claims** (config ``yardsticks.claims``): for each claimed effect, the
  observed estimate with its CI and whether the claimed value lies inside the
  CI. This compares, it does not test a new hypothesis.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fittrial.language.messages import text
from fittrial.publish.disclosure import arm_counts, small_cell_reason, suppress, withhold
from fittrial.publish.populations import safe_count

INDIVIDUAL = ("reliable_improvement", "reliable_deterioration", "poor_wellbeing", "likely_depression")  # WHO-5's
YARDSTICK_COLUMNS = ["measure", "scale", "estimate", "ci_low", "ci_high", "p_value", "df", "FIT_events", "FIT_n",
                     "FIT_percent", "control_events", "control_n", "control_percent", "method", "not_estimated"]
DEFAULTS = {"who5_mid": 10.0, "reliable_change": 10.0, "poor_wellbeing": 50.0, "likely_depression": 28.0}


def measures(options: dict | None) -> list[str]:
    """The individual-change measures of the yardsticks (:func:`fittrial.base.catalogue.yardstick_options`): reliable
    improvement and deterioration when there is a reliable change, then one per cut-off."""
    o = options or {}
    if "cutoffs" not in o:  # the old WHO-5 keys
        o = {**DEFAULTS, **o, "cutoffs": [["poor_wellbeing", o.get("poor_wellbeing", 50.0)],
                                          ["likely_depression", o.get("likely_depression", 28.0)]]}
    out = ["reliable_improvement", "reliable_deterioration"] if o.get("reliable_change", 10.0) is not None else []
    return out + [str(k) for k, _ in o["cutoffs"]]


def individual_outcomes(citizens: pd.DataFrame, primary_visit: int, options: dict) -> pd.DataFrame:
    """The citizens with the primary outcome at baseline and at the primary visit, with the 0/1 yardstick outcomes
    (:func:`measures`): a change of at least ``reliable_change`` for the better (reliable improvement) or the
    worse (deterioration), and a value at the primary visit at or below each cut-off (above it, when higher is
    worse)."""
    o = {**DEFAULTS, **(options or {})}
    names = measures(options)
    cutoffs = dict(o["cutoffs"]) if "cutoffs" in o else {"poor_wellbeing": o["poor_wellbeing"],
                                                          "likely_depression": o["likely_depression"]}
    base, follow = "who5_m0", f"who5_m{primary_visit}"
    if base not in citizens or follow not in citizens:
        return citizens.iloc[0:0].assign(**{k: pd.Series(dtype=float) for k in names})
    data = citizens[citizens[base].notna() & citizens[follow].notna()].copy()
    sign = 1.0 if o.get("higher_is_better", True) else -1.0
    change = sign * (data[follow].astype(float) - data[base].astype(float))
    if "reliable_improvement" in names:
        data["reliable_improvement"] = (change >= o["reliable_change"]).astype(float)
        data["reliable_deterioration"] = (change <= -o["reliable_change"]).astype(float)
    for key, value in cutoffs.items():
        value_at = data[follow].astype(float)
        data[key] = ((value_at <= float(value)) if sign > 0 else (value_at >= float(value))).astype(float)
    return data


def measure_words(measure: str) -> str:
    """An individual-change measure in words ("reliable improvement", "cutoff 1")."""
    if measure.startswith("cutoff_"):
        return text("w_cutoff_k", k=measure.split("_")[1])
    return text(f"w_{measure}")


def hedges_g(citizens: pd.DataFrame, effects: pd.DataFrame, primary_visit: int) -> dict:
    """Hedges' g of the primary effect (see the module docstring) as a row of the yardsticks table."""
    row = {"measure": "who5", "scale": "hedges_g", "method": text("meth_hedges_g"), "not_estimated": ""}
    itt = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "who5")
                  & (effects["timepoint_months"] == primary_visit)]
    base = citizens[["arm", "who5_m0"]].dropna() if "who5_m0" in citizens else pd.DataFrame()
    groups = [base.loc[base["arm"] == a, "who5_m0"].astype(float) for a in ("FIT", "control")] if len(base) else []
    if itt.empty or pd.isna(itt["estimate"].iloc[0]):
        row["not_estimated"] = text("r_primary_not_estimated")
    elif not groups or min(len(g) for g in groups) < 2:
        row["not_estimated"] = text("r_g_few_baseline")
    else:
        n1, n2 = len(groups[0]), len(groups[1])
        sd = math.sqrt(((n1 - 1) * groups[0].var() + (n2 - 1) * groups[1].var()) / (n1 + n2 - 2))
        if not sd > 0:
            row["not_estimated"] = text("r_g_no_sd")
        else:
            j = 1 - 3 / (4 * (n1 + n2) - 9)
            r = itt.iloc[0]
            row.update(estimate=j * r["estimate"] / sd, ci_low=j * r["ci_low"] / sd, ci_high=j * r["ci_high"] / sd,
                       p_value=r["p_value"], df=r["df"])
    return row


def individual_rows(citizens: pd.DataFrame, strata: list[str], primary_visit: int, options: dict, covariance: str,
                    threshold: int) -> list[dict]:
    """Shares by arm and GEE risk difference and risk ratio of the four individual-change outcomes."""
    from fittrial.models.effects import fit_binary_gee, not_estimated
    from fittrial.models.estimable import guarded

    data = individual_outcomes(citizens, primary_visit, options)
    rows = []
    for measure in measures(options):
        counts = arm_counts(data["fit"].to_numpy(), data[measure].to_numpy(float)) if len(data) else \
            {"FIT": (0, 0), "control": (0, 0)}
        base: dict[str, object] = {"measure": measure}
        enrolled = {a: int((citizens["arm"] == a).sum()) for a in ("FIT", "control")}
        for arm, (events, n) in counts.items():
            few_without = 0 < n - events < threshold <= events  # the count would reveal those without
            hidden = 0 < events < threshold or few_without
            base.update({f"{arm}_events": f">{n - threshold}" if few_without else suppress(events, threshold),
                         f"{arm}_n": safe_count(n, enrolled[arm], threshold).text,
                         f"{arm}_percent": 100 * events / n if n >= threshold and not hidden else float("nan")})
        if len(data) == 0:
            rows += [{**base, "scale": s, "not_estimated": text("r_no_change", visit=primary_visit)}
                     for s in ("risk_difference", "risk_ratio")]
            continue
        def fit(measure: str = measure) -> list:
            result = fit_binary_gee(data, measure, covariance, strata, primary_visit)
            return [c for c in result.contrasts if c.scale in ("risk_difference", "risk_ratio")]

        def failed(reason: str, measure: str = measure) -> list:
            return [not_estimated("itt", measure, primary_visit, s, reason) for s in ("risk_difference", "risk_ratio")]

        contrasts = guarded(f"yardstick_{measure}", fit, failed)
        contrasts = withhold(contrasts, small_cell_reason(counts, threshold, measure_words(measure)))
        for c in contrasts:
            rows.append({**base, "scale": c.scale, "estimate": c.estimate, "ci_low": c.ci_low, "ci_high": c.ci_high,
                         "p_value": c.p_value, "df": c.df, "method": c.method + "; " + text("meth_change_population",
                                                                                               visit=primary_visit),
                         "not_estimated": c.not_estimated})
    return rows


def yardsticks_table(citizens: pd.DataFrame, effects: pd.DataFrame, strata: list[str], primary_visit: int,
                     options: dict, covariance: str, threshold: int) -> pd.DataFrame:
    """The published yardsticks table (tables/yardsticks.csv): Hedges' g, then the individual-change rows."""
    from fittrial.models.estimable import guarded

    g = guarded("hedges_g", lambda: hedges_g(citizens, effects, primary_visit),
                lambda reason: {"measure": "who5", "scale": "hedges_g", "not_estimated": reason})
    rows = [g, *individual_rows(citizens, strata, primary_visit, options, covariance, threshold)]
    return pd.DataFrame(rows).reindex(columns=YARDSTICK_COLUMNS)


def mid_band(estimate: float, low: float, high: float, mid: float) -> str:
    """Where the primary effect's CI lies against the MID: ``below`` (an improvement of ``mid`` or more is ruled
    out), ``includes`` (it is not), ``above`` (the whole CI is at least ``mid``) or ``not_estimated``."""
    if any(pd.isna(x) for x in (estimate, low, high)):
        return "not_estimated"
    if high < mid:
        return "below"
    if low >= mid:
        return "above"
    return "includes"


def harm_band(low: float, mid: float) -> bool:
    """Does the CI rule out an important harm (a difference of -``mid`` or worse)?"""
    return bool(pd.notna(low) and low > -mid)


def claims_table(claims: list[dict], effects: pd.DataFrame, yardsticks: pd.DataFrame, who5_by_arm: pd.DataFrame,
                 primary_visit: int) -> pd.DataFrame:
    """For each claim (``outcome``: dropout, reliable_deterioration or who5; ``value``: the claimed risk ratio,
    or for who5 the claimed ratio of the FIT arm's change from baseline to the control arm's), the observed
    estimate on the claim's scale with its CI and whether the claimed value lies inside the CI.

    For ``who5`` a claimed ratio r means a difference of (r - 1) times the
    control arm's observed mean change from baseline to the primary visit
    (its uncertainty is ignored); the observed value is the primary
    difference.
    """
    rows = []
    for k, claim in enumerate(claims or []):
        outcome, value = claim.get("outcome"), float(claim["value"])  # required by the config schema
        row = {"claim": k + 1, "outcome": outcome, "claimed_value": value, "scale": "", "estimate": float("nan"),
               "ci_low": float("nan"), "ci_high": float("nan"), "inside_ci": "", "not_estimated": ""}
        if outcome == "who5":
            r = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "who5")
                        & (effects["timepoint_months"] == primary_visit)]
            means = who5_by_arm.set_index(["arm", "visit_months"])["mean"] if len(who5_by_arm) else pd.Series()
            change = float(means.get(("control", primary_visit), np.nan) - means.get(("control", 0), np.nan)) \
                if len(means) else float("nan")
            row.update(scale="mean_difference", claimed_value=(value - 1) * change)
            if pd.isna(change):
                row["not_estimated"] = text("r_claim_no_change")
        elif outcome == "dropout":
            r = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "dropout")
                        & (effects["scale"] == "risk_ratio")]
            row["scale"] = "risk_ratio"
        else:
            r = yardsticks[(yardsticks["measure"] == outcome) & (yardsticks["scale"] == "risk_ratio")]
            row["scale"] = "risk_ratio"
        if r.empty or pd.isna(r["estimate"].iloc[0]):
            row["not_estimated"] = row["not_estimated"] or text("r_claim_not_estimated")
        elif not row["not_estimated"]:
            e = r.iloc[0]
            row.update(estimate=e["estimate"], ci_low=e["ci_low"], ci_high=e["ci_high"],
                       inside_ci="yes" if e["ci_low"] <= row["claimed_value"] <= e["ci_high"] else "no")
        rows.append(row)
    return pd.DataFrame(rows, columns=["claim", "outcome", "scale", "claimed_value", "estimate", "ci_low", "ci_high",
                                       "inside_ci", "not_estimated"])


def yardsticks_step(citizens: str, randomisation: str, effects: str, who5_by_arm: str, options: dict,
                    covariance: str, primary_visit: int, threshold: int, table_out: str, claims_out: str,
                    blinded: bool = False) -> None:
    """Write tables/yardsticks.csv and tables/claims.csv (arms A and B when blinded)."""
    from fittrial.base.files import write_csv
    from fittrial.publish.labels import FLOAT_FORMAT, publish

    cit = pd.read_parquet(citizens)
    strata = sorted(pd.read_parquet(randomisation)["stratum"].unique())
    eff = pd.read_csv(effects)
    by_arm = pd.read_csv(who5_by_arm)
    if blinded:  # the published effects and means name the arms A and B
        by_arm["arm"] = by_arm["arm"].map({"A": "FIT", "B": "control"}).fillna(by_arm["arm"])
    table = yardsticks_table(cit, eff, strata, primary_visit, options, covariance, threshold)
    claims = claims_table((options or {}).get("claims", []), eff, table, by_arm, primary_visit)
    write_csv(publish(table, blinded), table_out, float_format=FLOAT_FORMAT)
    if blinded:  # the claims are about FIT: comparing them needs the arms unblinded
        claims = claims.iloc[0:0]
    write_csv(claims, claims_out, float_format=FLOAT_FORMAT)


__all__ = ["individual_outcomes", "hedges_g", "yardsticks_table", "mid_band", "harm_band", "claims_table",
           "yardsticks_step"]
