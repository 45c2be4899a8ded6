"""Recruitment after randomisation (CONSORT 2010 cluster extension, item 10c).

Caseworkers were randomised first and recruited their citizens afterwards,
knowing their arm, so who was recruited (identification and recruitment
bias) is the main threat to the comparison of the arms. This module
describes recruitment by arm and tests whether it differed:

* Citizens recruited per randomised caseworker, by arm: number of
  caseworkers, mean, median, quartiles, minimum and maximum of the cluster
  sizes (a caseworker with no citizens counts as 0). Quartiles are R's type
  7 (linear interpolation between order statistics). Never one row per
  caseworker; counts below the suppression threshold are shown as ``<k``,
  and a statistic is left out when, together with the counts published
  elsewhere (caseworkers and citizens per arm, caseworkers with no citizens),
  it would let a reader work out a caseworker's number of citizens below the
  threshold (checked exactly by integer programming, :func:`fittrial.publish.disclosure.recoverable`).
* Differential recruitment size: a randomisation test
  (:func:`size_test`). Statistic: the stratum-adjusted difference in mean
  citizens per caseworker (FIT - control), i.e. the arm coefficient of an OLS
  regression of the cluster size on arm and stratum. Reference distribution:
  the statistic under re-randomisations of the caseworkers within strata, as
  the trial randomised them (every allocation when there are few, else a
  seeded random sample). The test uses nothing but the randomisation, so it
  holds with zero-inflated, over-dispersed counts and with few caseworkers.
* Time from the caseworker's randomisation to the citizen's enrolment
  (days), by arm: median and quartiles over citizens.
* Baseline WHO-5 by arm: observed mean and SD, and the FIT - control
  difference from a linear mixed model of baseline WHO-5 on arm and stratum
  with a random intercept for caseworker (REML; :func:`baseline_comparison`),
  whose SE and df follow the primary model's rule (Kenward-Roger by
  default); the standardised difference is that difference divided by the
  pooled SD of the observed baseline scores, with its CI the CI of the
  difference divided by the same pooled SD.

Every comparison first checks whether the data allow it (see
:mod:`fittrial.models.estimable`); if not, its row carries the reason in words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrial.language.messages import text
from fittrial.models.estimable import arm_reason, arm_the, caseworker_df_reason, first, rank_reason, sentence
from fittrial.publish.disclosure import QUANTILES, format_count_statistic, shown_statistics, size_statistics, suppress

log = logging.getLogger("fittrial")

ARMS = ("FIT", "control")
INTERNAL_LABELS = {"FIT": "FIT", "control": "control"}
COLUMNS = ["measure", "FIT", "control", "estimate", "ci_low", "ci_high", "se", "df", "p_value", "method",
           "not_estimated", "note"]


@dataclass
class Comparison:
    """One comparison of the arms: estimate with CI, SE, df and two-sided p, or the reason it is not estimated."""

    estimate: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    se: float = float("nan")
    df: float = float("nan")
    p_value: float = float("nan")
    method: str = ""
    not_estimated: str = ""

    def row(self, measure: str) -> dict:
        return {"measure": measure, "FIT": "", "control": "", "estimate": self.estimate, "ci_low": self.ci_low,
                "ci_high": self.ci_high, "se": self.se, "df": self.df, "p_value": self.p_value,
                "method": self.method, "not_estimated": self.not_estimated, "note": ""}


def not_estimated(reason: str, method: str = "") -> Comparison:
    """A comparison that the data do not allow, with the reason in words (first letter capitalised)."""
    return Comparison(method=method, not_estimated=sentence(reason))


# ---------------------------------------------------------------------------------------------------------------
# Citizens per caseworker


def cluster_sizes(randomisation: pd.DataFrame, citizens: pd.DataFrame) -> pd.DataFrame:
    """One row per randomised caseworker: caseworker_id, stratum, arm, fit (1 = FIT) and n_citizens.

    A caseworker with no citizens has ``n_citizens`` 0 (recruiting no one is a
    recruitment outcome too). Internal only: never published.
    """
    counts = citizens.groupby("caseworker_id").size()
    out = randomisation[["caseworker_id", "stratum", "arm"]].copy()
    out["fit"] = (out["arm"] == "FIT").astype(int)
    out["n_citizens"] = out["caseworker_id"].map(counts).fillna(0).astype(int)
    return out.sort_values("caseworker_id", kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# Test of differential recruitment size


def size_test(sizes: pd.DataFrame, n_randomisations: int, seed: int, level: float = 0.95,
              labels: Mapping[str, str] = INTERNAL_LABELS) -> Comparison:
    """Randomisation test of a difference in citizens recruited per caseworker between the arms.

    Statistic: T = sum_j (a_j - m_s(j)) y_j / sum_j (a_j - m_s(j))^2, with y_j
    the caseworker's number of citizens (0 if none), a_j = 1 for FIT and
    m_s the share of FIT caseworkers in the caseworker's stratum: the arm
    coefficient of the OLS regression y ~ arm + stratum, i.e. the
    within-stratum differences in mean cluster size weighted by
    n_s m_s (1 - m_s). Reference distribution: T over the allocations of the
    caseworkers within strata with the trial's number of FIT caseworkers per
    stratum (all of them when there are at most ``n_randomisations`` + 1, an
    exact test; else ``n_randomisations`` random draws with ``seed``).
    p-value: two-sided, the share of allocations (the observed one counted
    once) with |T*| >= |T_obs|. 95% CI: the shifts delta not rejected at
    5% under the sharp null that every FIT caseworker recruited delta more
    citizens than they would have as a control caseworker (test inversion;
    not attainable, with the smallest attainable p, when the allocations are
    too few). ``se``: the SD of the re-randomisation distribution. ``labels``
    names the arms in the method text (A and B when blinded).
    """
    from fittrial.analyses.randomisation import allocations, invert_test

    fit, ctl = labels["FIT"], labels["control"]
    method_base = text("meth_rc_size", fit=fit, ctl=ctl)
    a = sizes["fit"].to_numpy(float)
    y = sizes["n_citizens"].to_numpy(float)
    strata = sizes["stratum"].astype(str).to_numpy()
    for arm, name in ((1, "FIT"), (0, "control")):
        if not (a == arm).any():
            return not_estimated(text("r_rc_no_caseworkers", arm_the=arm_the(name)), method_base)
    centre = pd.Series(a).groupby(strata).transform("mean").to_numpy()
    denom = float(((a - centre) ** 2).sum())
    if denom <= 0:
        return not_estimated(text("r_rc_no_stratum_with_both"), method_base)
    A, exact = allocations(strata, a, int(n_randomisations), np.random.default_rng(int(seed)))
    B = len(A)
    if B < 2:
        return not_estimated(text("r_rc_one_allocation"), method_base)
    C = (A - centre[None, :]) / denom
    Ty, Ts = C @ y, C @ a
    inv = invert_test(Ty, Ts, level)
    est, lo, hi, spread, alpha = inv.estimate, inv.ci_low, inv.ci_high, inv.null_sd, 1.0 - level
    how = text("w_rc_exact", b=B) if exact else text("w_rc_drawn", n=B - 1, seed=seed)
    note = ""
    if np.isnan(lo) or np.isnan(hi):
        lo = hi = float("nan")
        note = "; " + text("meth_rc_ci_possible" if exact else "meth_rc_ci_drawn", level=round(100 * level), b=B,
                           alpha=f"{alpha:g}", p_min=f"{1 / B:.4f}")
    method = method_base + "; " + how + "; " + text("meth_rc_size_p") + note
    return Comparison(est, lo, hi, spread, float("nan"), inv.p_value, method)


# ---------------------------------------------------------------------------------------------------------------
# Baseline WHO-5


def pooled_sd(values: pd.Series, fit: pd.Series) -> float:
    """sqrt((SD_FIT^2 + SD_control^2) / 2) of the observed values (SD with n - 1), as the baseline table uses."""
    v = values.astype(float)
    var = [v[fit == arm].var(ddof=1) for arm in (1, 0)]
    return float(np.sqrt((var[0] + var[1]) / 2)) if all(np.isfinite(var)) else float("nan")


def baseline_method(df_method: str, labels: Mapping[str, str] = INTERNAL_LABELS, random_part: str = "") -> str:
    """The method text of the baseline WHO-5 comparison (the df wording of the primary model's rule)."""
    from fittrial.models.effects import DF_WORDS

    fit, ctl = labels["FIT"], labels["control"]
    random_part = random_part or text("w_rc_random")
    return text("meth_rc_baseline", random_part=random_part, fit=fit, ctl=ctl, df=DF_WORDS[df_method])


def baseline_comparison(citizens: pd.DataFrame, strata: list[str] | None = None, df_method: str = "kenward_roger",
                        labels: Mapping[str, str] = INTERNAL_LABELS) -> tuple[Comparison, Comparison, float]:
    """Baseline WHO-5, FIT - control: (difference in points, standardised difference, pooled SD).

    Model: who5_m0 ~ fit + stratum + (1 | caseworker), REML
    (:class:`fittrial.models.lmm.NestedREML`; one observation per citizen, so no
    citizen intercept; no caseworker intercept when every caseworker has a
    single citizen with a baseline score, then the model is OLS). SE and df
    of the arm coefficient by ``df_method`` as in the primary model
    (``kenward_roger``: Kenward-Roger adjusted SE and df as pbkrtest;
    ``kenward_roger_capped``: the df capped at the between-within df,
    caseworkers minus caseworker-level parameters; ``satterthwaite``;
    ``between_within``); CI and p from
    t(df). The standardised difference divides the estimate and both CI ends
    by :func:`pooled_sd` (treated as fixed), so it has the same p-value.
    """
    from fittrial.models.effects import fit_lmm, t_inference

    method = baseline_method(df_method, labels)
    reason: str | None  # why the difference is not estimated (None: it is)
    if "who5_m0" not in citizens:
        reason = NO_BASELINE_VISIT
        return not_estimated(reason, method), not_estimated(reason, method), float("nan")
    data = citizens[citizens["who5_m0"].notna()]
    if data.empty:
        reason = text("r_no_baseline_who5")
        return not_estimated(reason, method), not_estimated(reason, method), float("nan")
    data = data.sort_values(["caseworker_id", "citizen_id"], kind="mergesort").reset_index(drop=True)
    present = set(data["stratum"])
    strata = sorted(present) if strata is None else [s for s in strata if s in present]
    X = pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float)}, index=data.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (data["stratum"] == s).astype(float)
    between = list(X.columns)
    y = data["who5_m0"].astype(float)
    what = text("w_cov_baseline")
    reason = first(arm_reason(data, what), caseworker_df_reason(data, len(between), what), rank_reason(X))
    if reason is None:
        beta, *_ = np.linalg.lstsq(X.to_numpy(), y.to_numpy(), rcond=None)
        rss = float(((y.to_numpy() - X.to_numpy() @ beta) ** 2).sum())
        if rss <= 1e-10 * max(1.0, float((y ** 2).sum())):
            reason = text("r_rc_baseline_constant")
    psd = pooled_sd(y, data["fit"])
    if reason:
        return not_estimated(reason, method), not_estimated(reason, method), psd
    result = fit_lmm(data.assign(who5=y), X, between, df_method, cw_visit=False)
    if not result.fit.free[0]:
        method = baseline_method(df_method, labels, text("w_rc_no_random"))
    L = pd.Series(0.0, index=X.columns)
    L["fit"] = 1.0
    try:
        inf = result.infer(L)
    except np.linalg.LinAlgError as exc:  # not expected after the rules above; reported, never a crash
        log.warning("baseline WHO-5 model: %s", exc)
        reason = text("r_rc_kr_failed", detail=str(exc))
        return not_estimated(reason, method), not_estimated(reason, method), psd
    lo, hi, p = t_inference(inf.estimate, inf.se, inf.df)
    diff = Comparison(inf.estimate, lo, hi, inf.se, inf.df, p, method)
    if not np.isfinite(psd) or psd <= 0:
        std = not_estimated(text("r_rc_sd_zero"), method)
    else:
        std = Comparison(inf.estimate / psd, lo / psd, hi / psd, inf.se / psd, inf.df, p, method)
    log.info("baseline WHO-5: difference %.4f (SE %.4f, df %.2f); pooled SD %.4f; caseworker variance %.4f, "
             "residual %.4f", inf.estimate, inf.se, inf.df, psd, result.fit.var_caseworker, result.fit.var_residual)
    return diff, std, psd


# ---------------------------------------------------------------------------------------------------------------
# The published table


def enrolment_days(citizens: pd.DataFrame) -> pd.Series:
    """Days from the caseworker's randomisation to the citizen's enrolment (negative: enrolled before)."""
    return (pd.to_datetime(citizens["enrolled_on"]) - pd.to_datetime(citizens["randomised_on"])).dt.days


def _descriptive(measure: str, cells: dict[str, str], note: str = "") -> dict:
    nan = float("nan")
    return {"measure": measure, "FIT": cells.get("FIT", ""), "control": cells.get("control", ""), "estimate": nan,
            "ci_low": nan, "ci_high": nan, "se": nan, "df": nan, "p_value": nan, "method": "",
            "not_estimated": "", "note": note}


def recruitment_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, threshold: int,
                      options: Mapping, labels: Mapping[str, str] = INTERNAL_LABELS) -> pd.DataFrame:
    """The published recruitment table (aggregate only; see the module docstring).

    Rows (``measure``): caseworkers_randomised, citizens_recruited,
    citizens_per_caseworker_{mean,median,q1,q3,min,max}, size_difference
    (:func:`size_test`), days_to_enrolment_{n,median,q1,q3},
    baseline_who5_{n,mean,sd}, baseline_who5_pooled_sd,
    baseline_who5_difference and baseline_who5_std_difference
    (:func:`baseline_comparison`). Arm cells are text (counts below
    ``threshold`` as ``<k``; a statistic not shown is empty and ``note`` says
    why); comparisons fill estimate .. p_value, method and not_estimated.
    ``options``: the config's ``analysis`` section (``lmm_df``,
    ``randomisation``: n and seed). ``labels``: how the arms are named in
    the notes and methods (A and B when blinded; the columns stay FIT and
    control, :func:`fittrial.publish.labels.publish` renames them).
    """
    strata = sorted(randomisation["stratum"].astype(str).unique())
    sizes = cluster_sizes(randomisation, citizens)
    rows = []
    by_arm = {a: sizes.loc[sizes["arm"] == a, "n_citizens"].to_numpy() for a in ARMS}
    rows.append(_descriptive("caseworkers_randomised", {a: suppress(len(v), threshold) for a, v in by_arm.items()}))
    rows.append(_descriptive("citizens_recruited", {a: suppress(int(v.sum()), threshold) for a, v in by_arm.items()}))
    stats_cells: dict[str, dict[str, str]] = {s: {} for s in ("mean", "median", "q1", "q3", "min", "max")}
    notes: dict[str, list[str]] = {s: [] for s in stats_cells}
    for arm, x in by_arm.items():
        shown = shown_statistics(x, threshold)
        values = size_statistics(x) if len(x) else {}
        for s in stats_cells:
            if s in shown:
                stats_cells[s][arm] = f"{values[s]:.2f}" if s == "mean" else format_count_statistic(values[s],
                                                                                                   threshold)
            elif len(x) == 0:
                notes[s].append(text("r_rc_arm_no_caseworkers", arm_the=arm_the(arm)))
            elif len(x) < threshold:
                notes[s].append(text("r_rc_not_shown", arm_the=arm_the(arm),
                                     why=text("r_rc_few_caseworkers", k=threshold)))
            else:
                notes[s].append(text("r_rc_not_shown", arm_the=arm_the(arm), why=text("r_rc_reveals", k=threshold)))
    for s in stats_cells:
        rows.append(_descriptive(f"citizens_per_caseworker_{s}", stats_cells[s], "; ".join(notes[s])))
    from fittrial.models.estimable import guarded

    rows.append(guarded("recruitment_size_test",
                        lambda: size_test(sizes, int(options["randomisation"]["n"]),
                                          int(options["randomisation"]["seed"]), labels=labels),
                        not_estimated).row("size_difference"))

    days = enrolment_days(citizens) if len(citizens) else pd.Series(dtype=float)
    cells_n: dict[str, str] = {}
    cells_q: dict[str, dict[str, str]] = {s: {} for s in ("median", "q1", "q3")}
    day_notes: list[str] = []
    for arm in ARMS:
        d = days[(citizens["arm"] == arm).to_numpy()].dropna().astype(float) if len(citizens) else days
        cells_n[arm] = suppress(len(d), threshold)
        if len(d) >= max(threshold, 1):
            for s in cells_q:
                cells_q[s][arm] = f"{float(np.quantile(d, QUANTILES[s])):g}"
        else:
            day_notes.append(text("r_rc_not_shown", arm_the=arm_the(arm), why=text("w_no_citizens") if len(d) == 0
                                  else text("w_fewer_citizens", k=threshold)))
    rows.append(_descriptive("days_to_enrolment_n", cells_n))
    for s, cells in cells_q.items():
        rows.append(_descriptive(f"days_to_enrolment_{s}", cells, "; ".join(day_notes)))

    base = citizens["who5_m0"] if "who5_m0" in citizens else pd.Series(np.nan, index=citizens.index)
    cells_n, cells_mean, cells_sd, base_notes = {}, {}, {}, []
    for arm in ARMS:
        x = base[citizens["arm"] == arm].dropna().astype(float)
        cells_n[arm] = suppress(len(x), threshold)
        if len(x) >= max(threshold, 2):
            cells_mean[arm], cells_sd[arm] = f"{x.mean():.2f}", f"{x.std(ddof=1):.2f}"
        else:
            base_notes.append(text("r_rc_not_shown", arm_the=arm_the(arm), why=text("w_no_baseline_who5")
                                   if len(x) == 0 else text("w_fewer_with_baseline", k=max(threshold, 2))))
    rows.append(_descriptive("baseline_who5_n", cells_n))
    rows.append(_descriptive("baseline_who5_mean", cells_mean, "; ".join(base_notes)))
    rows.append(_descriptive("baseline_who5_sd", cells_sd, "; ".join(base_notes)))
    diff, std, psd = guarded("recruitment_baseline",
                             lambda: baseline_comparison(citizens, strata, str(options.get("lmm_df", "kenward_roger")),
                                                         labels),
                             lambda reason: (not_estimated(reason), not_estimated(reason), float("nan")))
    pooled = _descriptive("baseline_who5_pooled_sd", {})
    pooled["estimate"] = psd
    rows.append(pooled)
    rows.append(diff.row("baseline_who5_difference"))
    rows.append(std.row("baseline_who5_std_difference"))
    return pd.DataFrame(rows, columns=COLUMNS)


def recruitment_step(randomisation: str, citizens: str, options: Mapping, threshold: int, out: str,
                     blinded: bool = False) -> None:
    """Workflow step: write tables/recruitment.csv from the clean randomisation and the analysis citizens.

    With ``blinded`` the arms are A and B in the columns, notes, methods and
    reasons (see :func:`fittrial.publish.labels.publish`).
    """
    import time

    from fittrial.base.files import write_csv
    from fittrial.publish.labels import BLIND_LABELS, FLOAT_FORMAT, blind_text, publish

    start = time.perf_counter()
    labels = BLIND_LABELS if blinded else INTERNAL_LABELS
    table = recruitment_table(pd.read_parquet(randomisation), pd.read_parquet(citizens), int(threshold), options,
                              labels)
    if blinded:
        for col in ("method", "not_estimated", "note"):
            table[col] = table[col].map(blind_text)
    log.info("recruitment table in %.2f s", time.perf_counter() - start)
    write_csv(publish(table, blinded), out, float_format=FLOAT_FORMAT)


NO_BASELINE_VISIT = text("r_no_baseline_visit")


def has_baseline(by: pd.DataFrame) -> bool:
    """Whether the trial's schedule has a baseline visit (else the baseline rows and the comparison of baselines
    are left out of the report: there is nothing to say about them; a baseline visit without data is reported as
    such)."""
    if "baseline_who5_difference" not in by.index:
        return False
    reason = by.loc["baseline_who5_difference", "not_estimated"]
    return not (isinstance(reason, str) and reason.lower().startswith(NO_BASELINE_VISIT[:-1].lower()))
