"""Time to dropout: Kaplan-Meier by arm and a Cox model with caseworker-clustered robust covariance.

Time is days from ``enrolled_on`` to ``ended_on``. The event is an end with
``end_reason == "dropout"`` within the outcome window (config
``analysis.outcome_window_days``), the same definition as the binary
``dropout`` outcome; courses that ended for another reason are censored at
their end date; open courses at the end of the window or at the
administrative censoring date (config ``analysis.censor_on``; by default the
latest date found in the inputs), whichever is first. Courses ended within
the window without a reason are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.duration.survfunc import SurvfuncRight

from .models import Contrast, t_inference
from .tables import suppress


def dropout_times(citizens: pd.DataFrame) -> pd.DataFrame:
    """Citizens with (time_days, event) for time to dropout within the outcome window.

    The times come from :func:`fittrial.dataset.course_outcomes` (columns
    ``dropout_days``, ``dropout_event``); courses whose event is unknown
    (ended within the window without a reason) are left out.
    """
    data = citizens[citizens["dropout_days"].notna()].copy()
    data["time_days"] = data["dropout_days"].astype(float)
    data["event"] = data["dropout_event"].astype(int)
    return data


def cox_dropout(times: pd.DataFrame, strata: list[str] | None = None, timepoint: int = 12,
                window_days: int = 365) -> Contrast:
    """Cox model ``time ~ fit + stratum`` (Breslow ties) with caseworker-clustered robust covariance.

    statsmodels ``PHReg.fit(groups=...)``: the Lin-Wei robust sandwich, which is
    what ``survival::coxph(..., ties = "breslow", cluster = caseworker)`` reports
    (no small-sample factor). Breslow, not Efron, ties: statsmodels' robust
    variance uses Breslow-type score residuals even with ``ties="efron"``
    (0.07% off coxph's Efron SE on a test set), so Breslow keeps estimate and
    covariance consistent. The hazard ratio's CI and p-value use t with K - 1 - S df instead
    of coxph's z, for the same reason as the other cluster-level inferences.
    Not estimated (with the reason) when an arm has no events (the hazard
    ratio is 0 or infinite) or fewer than two caseworkers, or no df are left.
    """
    from .estimable import arm_reason, caseworker_df_reason, first
    from .models import not_estimated

    present = set(times["stratum"])
    strata = [s for s in (strata or sorted(present)) if s in present]
    K = int(times["caseworker_id"].nunique())
    method = (f"Cox proportional hazards model of time to dropout within {window_days} days of enrolment (Breslow "
              "ties), adjusted for stratum; caseworker-clustered robust covariance (as coxph cluster=); t-test with "
              "caseworkers - 1 - strata df; other course ends censored at their date, open courses at the end of "
              "the window or the censoring date")
    events = {arm: int(times.loc[times["fit"] == arm, "event"].sum()) for arm in (1, 0)}
    reason = first(arm_reason(times, "citizens followed"), caseworker_df_reason(times, 1 + len(strata),
                                                                                "citizens followed"))
    if reason is None and not any(events.values()):
        reason = "no dropout events in either arm"
    elif reason is None and min(events.values()) == 0:
        arm = "FIT" if events[1] == 0 else "control"
        reason = f"no dropout events in the {arm} arm, so the hazard ratio is 0 or infinite"
    if reason:
        return not_estimated("time_to_dropout", "dropout", timepoint, "hazard_ratio", reason, method, K, len(times))
    X = pd.DataFrame({"fit": times["fit"].astype(float)}, index=times.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (times["stratum"] == s).astype(float)
    groups = pd.factorize(times["caseworker_id"])[0]
    res = sm.PHReg(times["time_days"].to_numpy(), X.to_numpy(), status=times["event"].to_numpy(),
                   ties="breslow").fit(groups=groups)
    beta = pd.Series(np.asarray(res.params), index=X.columns)
    se = float(np.asarray(res.bse)[0])
    df = float(K - 1 - len(strata))
    lo, hi, p = t_inference(float(beta["fit"]), se, df)
    return Contrast("dropout", timepoint, "hazard_ratio", float(np.exp(beta["fit"])), se, df, float(np.exp(lo)),
                    float(np.exp(hi)), p, method, K, len(times), "time_to_dropout")


def km_curve(times: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier step function by arm (day, survival), starting at day 0 with 1."""
    rows = []
    for arm, label in ((1, "FIT"), (0, "control")):
        d = times[times["fit"] == arm]
        sf = SurvfuncRight(d["time_days"].to_numpy(), d["event"].to_numpy())
        rows.append(pd.DataFrame({"arm": label, "day": [0.0], "survival": [1.0]}))
        rows.append(pd.DataFrame({"arm": label, "day": np.asarray(sf.surv_times, float),
                                  "survival": np.asarray(sf.surv_prob, float)}))
        rows.append(pd.DataFrame({"arm": label, "day": [float(d["time_days"].max())],
                                  "survival": [float(np.asarray(sf.surv_prob)[-1]) if len(sf.surv_prob) else 1.0]}))
    return pd.concat(rows, ignore_index=True)


def km_table(times: pd.DataFrame, days: list[int], threshold: int) -> pd.DataFrame:
    """Kaplan-Meier probability of not having dropped out, by arm, at the given days.

    ``n_at_risk`` and ``n_events`` (cumulative) are suppressed below ``threshold``.
    """
    rows = []
    for arm, label in ((1, "FIT"), (0, "control")):
        d = times[times["fit"] == arm]
        sf = SurvfuncRight(d["time_days"].to_numpy(), d["event"].to_numpy())
        t = np.asarray(sf.surv_times)
        prob = np.asarray(sf.surv_prob)
        se = np.asarray(sf.surv_prob_se)
        for day in days:
            k = np.searchsorted(t, day, side="right") - 1
            s, s_se = (1.0, 0.0) if k < 0 else (float(prob[k]), float(se[k]))
            at_risk = int((d["time_days"] >= day).sum())
            events = int(((d["time_days"] <= day) & (d["event"] == 1)).sum())
            rows.append({"arm": label, "day": day, "survival": s, "ci_low": max(0.0, s - 1.959964 * s_se),
                         "ci_high": min(1.0, s + 1.959964 * s_se), "n_at_risk": suppress(at_risk, threshold),
                         "n_events": suppress(events, threshold)})
    return pd.DataFrame(rows)
