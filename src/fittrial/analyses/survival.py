"""Time to dropout, with the other course ends as competing events.

Time is days from ``enrolled_on`` to the end of the course or to censoring
(a course ended on its first day counts as 0.5 days: a zero time has no risk
set). Event coding (column ``status``; ``dropout_status`` of
:func:`fittrial.inputs.dataset.course_outcomes`):

* 1 = dropout: the course ended with ``end_reason == "dropout"`` within the
  outcome window (config ``analysis.outcome_window_days``), the same
  definition as the binary ``dropout`` outcome;
* 2 = a competing event: the course ended within the window for another
  reason (completed, evicted, moved, died, other); after it the citizen can no
  longer drop out;
* 0 = censored: the course was still open at the end of the window or at the
  administrative censoring date (config ``analysis.censor_on``; by default
  the latest date found in the inputs), whichever is first.

Courses ended within the window without a reason are left out (their event
is unknown). ``event`` is ``status == 1``.

Three summaries, by arm (FIT = 1, control = 0):

* :func:`cif_table`, :func:`cif_curve`: the cumulative incidence of dropout
  (Aalen-Johansen), the probability of having dropped out by day t when the
  other course ends compete. 1 - Kaplan-Meier, which treats the other ends as
  censoring, overstates it. Pointwise 95% CIs from the caseworker-clustered
  infinitesimal-jackknife variance, on the log scale (survfit's default
  ``conf.type = "log"``): the influence of ``survival::survfit(Surv(time,
  factor(status)) ~ 1, id = citizen_id, influence = TRUE)`` summed by
  caseworker (survival 3.5's multi-state survfit does not use ``cluster =``
  itself); without clustering it is survfit's own ``std.err``.
* :func:`cox_dropout`: the cause-specific hazard ratio (Cox; other course
  ends censored at their date).
* :func:`fine_gray_dropout`: the Fine-Gray subdistribution hazard ratio,
  as ``survival::finegray`` + ``coxph(..., weights = fgwt, cluster = ...)``.

The partial-likelihood engine both hazard models use, and their re-randomisation test, are in
:mod:`fittrial.analyses.hazards`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrial.analyses.hazards import (
    _design,
    hazard_inference_words,
    hazard_randomisation,
    weighted_breslow_cox,
)
from fittrial.language.messages import text
from fittrial.models.effects import Contrast, t_inference
from fittrial.publish.disclosure import suppress

Z95 = 1.959963984540054
ARM_LABELS = ((1, "FIT"), (0, "control"))


def dropout_times(citizens: pd.DataFrame) -> pd.DataFrame:
    """Citizens with (time_days, status, event) for time to dropout within the outcome window.

    The times come from :func:`fittrial.inputs.dataset.course_outcomes` (columns
    ``dropout_days``, ``dropout_status``; see the module docstring for the
    coding); courses whose event is unknown (ended within the window without a
    reason) are left out.
    """
    data = citizens[citizens["dropout_days"].notna()].copy()
    data["time_days"] = data["dropout_days"].astype(float)
    data["status"] = data["dropout_status"].astype(int)
    data["event"] = (data["status"] == 1).astype(int)
    return data


def _estimability(times: pd.DataFrame, strata: list[str], ratio: str) -> str | None:
    """Why an arm-comparing hazard model of dropout cannot be estimated from ``times`` (or None)."""
    from fittrial.models.estimable import arm_reason, arm_the, caseworker_df_reason, first, rank_reason

    events = {arm: int(times.loc[times["fit"] == arm, "event"].sum()) for arm in (1, 0)}
    design = _design(times, strata)
    design.insert(0, "baseline", 1.0)  # the baseline hazard absorbs a constant
    followed = text("w_citizens_followed")
    reason = first(arm_reason(times, followed), caseworker_df_reason(times, 1 + len(strata), followed),
                   rank_reason(design))
    if reason is None and not any(events.values()):
        reason = text("r_no_dropout_events")
    elif reason is None and min(events.values()) == 0:
        reason = text(f"r_no_dropout_in_arm_{ratio}", arm_the=arm_the(1 if events[1] == 0 else 0))
    return reason


def _present_strata(times: pd.DataFrame, strata: list[str] | None) -> list[str]:
    present = set(times["stratum"])
    return [s for s in (strata or sorted(present)) if s in present]


def adjusted(strata: list[str]) -> str:
    """"adjusted for stratum", or with one stratum "not adjusted for any covariate" (the methods say what was done)."""
    return text("w_adjusted_for", covariate_list=[text("w_cov_stratum")]) if len(strata) > 1 else \
        text("w_not_adjusted")


def cox_dropout(times: pd.DataFrame, strata: list[str] | None = None, timepoint: int = 12,
                window_days: int = 365, randomisations: int = 0, seed: int = 0) -> Contrast:
    """Cause-specific Cox model ``time ~ fit + stratum`` (Breslow ties) with caseworker-clustered robust covariance.

    The cause-specific hazard of dropout: other course ends (status 2) are
    censored at their date. Fitted by :func:`weighted_breslow_cox` with every
    weight 1 (no competing events left in the data): the Breslow partial
    likelihood and the Lin-Wei robust sandwich, which is what
    ``survival::coxph(..., ties = "breslow", cluster = caseworker)`` reports (no
    small-sample factor); the Fine-Gray row uses the same code. With
    ``randomisations`` > 0 (the report: ``analysis.randomisation``) the p-value
    comes from re-randomising the caseworkers within strata
    (:func:`hazard_randomisation`): the robust t-test rejected a true null in
    9-16% of simulated trials of 8-20 caseworkers and still 7-8% with 30
    (issue 24, docs/methods.md "Small trials"); the randomisation test holds
    its level by construction. The CI uses t with K - 1 - S df (K
    caseworkers, S strata) on the robust SE, and is too narrow in small
    trials (the method text says so). A stratum without dropout events has a coefficient that runs
    off to minus infinity; as in coxph the arm's hazard ratio is still
    estimated. Not estimated (with the reason) when an arm has no events (the
    hazard ratio is 0 or infinite) or fewer than two caseworkers, or no df are
    left.
    """
    from fittrial.models.effects import not_estimated

    strata = _present_strata(times, strata)
    K = int(times["caseworker_id"].nunique())
    method = text("meth_cox", days=window_days, covariates=adjusted(strata), inference=_planned(randomisations))
    times = times.copy()
    times.attrs["window_days"] = window_days
    reason = _estimability(times, strata, "hr")
    if reason:
        return not_estimated("time_to_dropout", "dropout", timepoint, "hazard_ratio", reason, method, K, len(times))
    b, se = _fit_arm(times, strata, times["event"].to_numpy(int))
    if not np.isfinite(b) or not np.isfinite(se) or se <= 0:
        return not_estimated("time_to_dropout", "dropout", timepoint, "hazard_ratio",
                             text("r_cox_not_converged"), method, K,
                             len(times))
    df, lo, hi, p, method = _hazard_inference(times, strata, times["event"].to_numpy(int), b, se, randomisations,
                                              seed, "meth_cox")
    return Contrast("dropout", timepoint, "hazard_ratio", float(np.exp(b)), se, df, float(np.exp(lo)),
                    float(np.exp(hi)), p, method, K, len(times), "time_to_dropout")


def _hazard_inference(times: pd.DataFrame, strata: list[str], status: np.ndarray, b: float, se: float,
                      randomisations: int, seed: int, method: str) -> tuple[float, float, float, float, str]:
    """(df, CI low, CI high, p, method) of a log hazard ratio ``b``: the CI by t with K - 1 - S df on the robust
    ``se``; the p-value by re-randomisation when ``randomisations`` > 0 (the method says how), else from the same
    t. ``method`` is the method text's key (``meth_cox``, ``meth_fine_gray``); its ``{inference}`` says which."""
    days, covariates = times.attrs.get("window_days", 365), adjusted(strata)
    df = float(times["caseworker_id"].nunique() - 1 - len(strata))
    lo, hi, p = t_inference(b, se, df)
    if randomisations > 0:
        test = hazard_randomisation(times, strata, status, randomisations, seed)
        return df, lo, hi, test.p_value, text(method, days=days, covariates=covariates,
                                              inference=hazard_inference_words(test))
    return df, lo, hi, p, text(method, days=days, covariates=covariates, inference=text("w_hr_robust_t"))


def _planned(randomisations: int) -> str:
    """The inference words of a hazard ratio that is not estimated: what would have been done."""
    return text("w_hr_randomisation_plan" if randomisations > 0 else "w_hr_robust_t")


def _fit_arm(times: pd.DataFrame, strata: list[str], status: np.ndarray) -> tuple[float, float]:
    """The arm's log hazard ratio and its caseworker-clustered robust SE from :func:`weighted_breslow_cox`
    (``status``: 0/1 for the cause-specific model, 0/1/2 for Fine-Gray); NaN when the fit fails."""
    try:
        b, _, robust, converged = weighted_breslow_cox(times["time_days"].to_numpy(float), status,
                                                       _design(times, strata).to_numpy(float),
                                                       times["caseworker_id"].to_numpy())
    except np.linalg.LinAlgError:  # a singular information matrix
        return float("nan"), float("nan")
    if not converged:
        return float("nan"), float("nan")
    return float(b[0]), float(np.sqrt(robust[0, 0]))


def fine_gray_dropout(times: pd.DataFrame, strata: list[str] | None = None, timepoint: int = 12,
                      window_days: int = 365, randomisations: int = 0, seed: int = 0) -> Contrast:
    """Fine-Gray subdistribution hazard ratio of dropout (FIT / control), adjusted for stratum.

    Estimator: the Fine-Gray (1999) model of the subdistribution hazard of
    dropout, ``fit + stratum``, fitted as a Cox model with Breslow ties in which
    citizens whose course ended for another reason stay in the risk set with
    inverse-probability-of-censoring weights (:func:`weighted_breslow_cox`);
    the same model as ``coxph(Surv(fgstart, fgstop, fgstatus) ~ fit + stratum,
    weights = fgwt, ties = "breslow", cluster = caseworker_id)`` on
    ``survival::finegray`` data, with its caseworker-clustered robust sandwich
    (the censoring weights are treated as known, as coxph does). The CI and the
    two-sided p-value use t with K - 1 - S df (K caseworkers, S strata), as the
    cause-specific Cox row. Not estimated (with the reason in words) when an arm
    has no dropout events (the ratio is 0 or infinite), fewer than two
    caseworkers, no df are left, or the Newton iterations do not converge. A
    stratum without dropout events: as :func:`cox_dropout`.
    """
    from fittrial.models.effects import not_estimated

    strata = _present_strata(times, strata)
    K = int(times["caseworker_id"].nunique())
    method = text("meth_fine_gray", days=window_days, covariates=adjusted(strata),
                  inference=_planned(randomisations))
    times = times.copy()
    times.attrs["window_days"] = window_days
    scale = "subdistribution_hazard_ratio"
    reason = _estimability(times, strata, "shr")
    if reason:
        return not_estimated("time_to_dropout_fine_gray", "dropout", timepoint, scale, reason, method, K, len(times))
    b, se = _fit_arm(times, strata, times["status"].to_numpy(int))
    if not np.isfinite(b) or not np.isfinite(se) or se <= 0:
        return not_estimated("time_to_dropout_fine_gray", "dropout", timepoint, scale,
                             text("r_fine_gray_not_converged"), method, K,
                             len(times))
    df, lo, hi, p, method = _hazard_inference(times, strata, times["status"].to_numpy(int), b, se, randomisations,
                                              seed, "meth_fine_gray")
    return Contrast("dropout", timepoint, scale, float(np.exp(b)), se, df, float(np.exp(lo)), float(np.exp(hi)),
                    p, method, K, len(times), "time_to_dropout_fine_gray")


def aalen_johansen(time: np.ndarray, status: np.ndarray, days: np.ndarray, groups: np.ndarray | None = None,
                   cause: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative incidence of ``cause`` at ``days`` (Aalen-Johansen) and its infinitesimal-jackknife SE.

    With the all-cause event-free probability S and the cause's hazard
    increments, F(t) = sum_{u <= t} S(u-) d_cause(u) / n(u). The influence of
    citizen i is the derivative of F(t) with respect to i's case weight,
    carried through the product-integral recursion
    dS_i(u) = dS_i(u-) (1 - h(u)) - S(u-) db_i(u),  dF_i(u) = dF_i(u-) + dS_i(u-) h_c(u) + S(u-) da_i(u);
    the variance is sum over groups of (sum of the group's influences)^2 (caseworker-clustered when
    ``groups`` is given, else one group per citizen: survfit's ``std.err``; the influences are survfit's
    ``influence.pstate``). Tied censorings are taken to happen after the events.
    """
    days = np.asarray(days, float)
    n = len(time)
    codes = pd.factorize(groups)[0] if groups is not None else np.arange(n)
    out_f, out_se = np.zeros(len(days)), np.zeros(len(days))
    surv, cif = 1.0, 0.0
    d_surv, d_cif = np.zeros(n), np.zeros(n)
    event_times = np.unique(time[status != 0])
    k = 0
    for j, day in enumerate(np.sort(days)):
        while k < len(event_times) and event_times[k] <= day:
            u = event_times[k]
            risk = time >= u
            n_risk = float(risk.sum())
            ends = (time == u) & (status != 0)
            hits = (time == u) & (status == cause)
            h, h_c = ends.sum() / n_risk, hits.sum() / n_risk
            da = (hits - h_c * risk) / n_risk
            db = (ends - h * risk) / n_risk
            d_cif = d_cif + d_surv * h_c + surv * da
            d_surv = d_surv * (1.0 - h) - surv * db
            cif += surv * h_c
            surv *= 1.0 - h
            k += 1
        grouped = np.bincount(codes, weights=d_cif)
        out_f[j], out_se[j] = cif, float(np.sqrt(np.sum(grouped ** 2)))
    order = np.argsort(np.argsort(days, kind="stable"), kind="stable")
    return out_f[order], out_se[order]


def log_ci(p: np.ndarray, se: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI on the log scale, exp(log p -/+ z se/p), upper end capped at 1 (survfit's conf.type "log").

    At p = 0 (no dropout yet) the interval is (0, 0).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(p > 0, z * se / p, 0.0)
        lo = np.where(p > 0, p * np.exp(-half), 0.0)
        hi = np.where(p > 0, np.minimum(1.0, p * np.exp(half)), 0.0)
    return lo, hi


def dropouts_by(time: np.ndarray, status: np.ndarray, days) -> np.ndarray:
    """Number of dropouts (status 1) on or before each of ``days``."""
    return np.searchsorted(np.sort(np.asarray(time, float)[np.asarray(status) == 1]), np.asarray(days, float),
                           side="right")


def cif_table(times: pd.DataFrame, days: list[int], threshold: int) -> pd.DataFrame:
    """Cumulative incidence of dropout by arm at ``days``, with 95% CI and the number at risk.

    Aalen-Johansen with caseworker-clustered infinitesimal-jackknife SE and a
    log-scale CI (:func:`aalen_johansen`, :func:`log_ci`). A day after every
    citizen of the arm has left follow-up has no estimate (empty), unless the
    last of them left with an event (then every course has ended and the
    incidence stays where it is). ``n_at_risk``
    (citizens still followed and not yet ended at the day) is suppressed below
    ``threshold``; where one arm's number is suppressed, the other arm's number
    at that day is left empty as well, so that it cannot be recovered from the
    number of citizens analysed (published as ``n_citizens`` in effects.csv).
    """
    rows = []
    for arm, label in ARM_LABELS:
        d = times[times["fit"] == arm]
        t = d["time_days"].to_numpy(float)
        f, se = aalen_johansen(t, d["status"].to_numpy(int), np.asarray(days, float), d["caseworker_id"].to_numpy())
        lo, hi = log_ci(f, se)
        last = t.max() if len(t) else -np.inf
        ended = len(t) > 0 and not np.any((t == last) & (d["status"].to_numpy(int) == 0))  # event-free S is 0
        for day, fi, si, li, hi_ in zip(days, f, se, lo, hi):
            known = day <= last or ended
            rows.append({"arm": label, "day": int(day), "cumulative_incidence": fi if known else np.nan,
                         "se": si if known else np.nan, "ci_low": li if known else np.nan,
                         "ci_high": hi_ if known else np.nan, "_n": int((t >= day).sum())})
    table = pd.DataFrame(rows)
    # an incidence resting on fewer than `threshold` dropouts, or differing from the previous shown day's by fewer,
    # would give the count away with the numbers at risk: left empty (fittrial.publish.disclosure.safe_steps)
    from fittrial.publish.disclosure import safe_steps

    for arm, label in ARM_LABELS:
        d = times[times["fit"] == arm]
        events = dropouts_by(d["time_days"].to_numpy(float), d["status"].to_numpy(int), days)
        hidden = ~safe_steps(events, threshold) if threshold else np.zeros(len(days), dtype=bool)
        at = (table["arm"] == label).to_numpy()
        for col in ("cumulative_incidence", "se", "ci_low", "ci_high"):
            values = table.loc[at, col].to_numpy(float).copy()
            values[hidden] = np.nan
            table.loc[at, col] = values
    small = (table["_n"] > 0) & (table["_n"] < threshold)
    hide = table.groupby("day")["_n"].transform(lambda n: ((n > 0) & (n < threshold)).any()) & ~small
    table["n_at_risk"] = [("" if h else suppress(n, threshold)) for n, h in zip(table["_n"], hide)]
    return table.drop(columns="_n")


def empty_cif(reason: str = "") -> pd.DataFrame:
    """The cumulative-incidence table with no rows (the incidence could not be estimated: ``reason``, which the
    effects table's time-to-dropout rows carry)."""
    return pd.DataFrame(columns=["arm", "day", "cumulative_incidence", "se", "ci_low", "ci_high", "n_at_risk"])


def cif_curve(times: pd.DataFrame, threshold: int = 0) -> pd.DataFrame:
    """The Aalen-Johansen cumulative incidence of dropout by arm as a step function (arm, day, cumulative_incidence).

    Starts at day 0 with 0. An arm's curve stops at the last day at which at
    least ``threshold`` of its citizens are still at risk, and it steps only
    where at least ``threshold`` dropouts have accumulated since its last step
    (:func:`fittrial.publish.disclosure.safe_steps`), so that no step of the published
    figure shows a count below the threshold (a curve stepping at every event
    shows each dropout).
    """
    rows = []
    for arm, label in ARM_LABELS:
        d = times[times["fit"] == arm]
        t, s = d["time_days"].to_numpy(float), d["status"].to_numpy(int)
        if len(t) < max(threshold, 1):
            continue
        stop = float(np.sort(t)[::-1][max(threshold, 1) - 1])  # n at risk >= threshold up to here
        steps = np.unique(t[(s != 0) & (t <= stop)])
        if threshold > 1 and len(steps):
            from fittrial.publish.disclosure import safe_steps

            cumulative = dropouts_by(t, s, steps)
            steps = steps[safe_steps(cumulative, threshold) & (cumulative > 0)]
        f, _ = aalen_johansen(t, s, steps)
        rows.append(pd.DataFrame({"arm": label, "day": np.r_[0.0, steps, stop],
                                  "cumulative_incidence": np.r_[0.0, f, f[-1] if len(f) else 0.0]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["arm", "day",
                                                                               "cumulative_incidence"])
