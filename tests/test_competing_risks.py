"""Time to dropout with competing events: the cumulative incidence (Aalen-Johansen) and the Fine-Gray model.

Checked against R (tests/reference/make_reference.R; never run here) on every case of
tests/fixtures/reference/ and tests/fixtures/competing_reference/ (censored before the end of the window,
with tied times):

* r_cif.csv: ``survival::survfit(Surv(time, factor(status)) ~ 1, id = citizen_id, influence = TRUE)`` per arm
  at days 0, 90, 180, 270, 365: the cumulative incidence, survfit's per-citizen infinitesimal-jackknife SE
  and its log CI, and survfit's influence summed by caseworker (the caseworker-clustered SE the package
  publishes) with survfit's log CI on it. Tolerance 1e-10 absolute (the same arithmetic; observed < 1e-15).
* r_finegray.csv: ``survival::finegray`` + ``coxph(Surv(fgstart, fgstop, fgstatus) ~ fit + stratum, weights =
  fgwt, cluster = caseworker_id, ties = "breslow")``: log subdistribution hazard ratio, robust and model SE; and the
  cause-specific Cox model (other ends censored) on the same rows. One case (stratum_without_dropout) has a
  stratum without dropout events, whose coefficient runs off to infinity (coxph warns; the arm's is estimated).
  Tolerance 1e-7 absolute (coxph stops at a relative log-likelihood change of 1e-9; observed < 1e-9).

And the shapes the default simulator does not draw: no dropout events, no competing events, every course
open, one arm without dropout events, no censoring: each gives a valid estimate or a row with the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fittrial.analyses.hazards import _design, weighted_breslow_cox
from fittrial.analyses.survival import (
    aalen_johansen,
    cif_curve,
    cif_table,
    cox_dropout,
    fine_gray_dropout,
    log_ci,
)

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted([*(FIXTURES / "reference").iterdir(), *(FIXTURES / "competing_reference").iterdir()])
DAYS = [0, 90, 180, 270, 365]
TOL = 1e-10  # cumulative incidence, its SEs and CIs
TOL_FG = 1e-7  # Fine-Gray log subdistribution hazard ratio and SEs


def times_of(case: Path) -> pd.DataFrame:
    cit = pd.read_csv(case / "citizens.csv")
    cit = cit[cit["time_days"].notna()].copy()
    cit["status"] = cit["status_dropout"].astype(int)
    cit["event"] = (cit["status"] == 1).astype(int)
    return cit


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def case(request) -> tuple[Path, pd.DataFrame]:
    return request.param, times_of(request.param)


def test_cumulative_incidence_matches_survfit(case):
    path, times = case
    ref = pd.read_csv(path / "r_cif.csv")
    for arm in (1, 0):
        d = times[times["fit"] == arm]
        r = ref[ref["fit"] == arm].set_index("day").loc[DAYS]
        t, s = d["time_days"].to_numpy(float), d["status"].to_numpy(int)
        f, se_cw = aalen_johansen(t, s, np.array(DAYS, float), d["caseworker_id"].to_numpy())
        _, se_iid = aalen_johansen(t, s, np.array(DAYS, float))
        np.testing.assert_allclose(f, r["cif"], rtol=0, atol=TOL)
        np.testing.assert_allclose(se_iid, r["se_iid"], rtol=0, atol=TOL)
        np.testing.assert_allclose(se_cw, r["se_caseworker"], rtol=0, atol=TOL)
        lo, hi = log_ci(f, se_iid)
        np.testing.assert_allclose(lo, r["ci_low_iid"], rtol=0, atol=TOL)
        np.testing.assert_allclose(hi, r["ci_high_iid"], rtol=0, atol=TOL)
        lo, hi = log_ci(f, se_cw)
        ok = r["cif"].to_numpy() > 0  # survfit's log CI at p = 0 is NA (its summary shows 0 to 0, as the package)
        np.testing.assert_allclose(lo[ok], r["ci_low"][ok], rtol=0, atol=TOL)
        np.testing.assert_allclose(hi[ok], r["ci_high"][ok], rtol=0, atol=TOL)
        assert (lo[~ok] == 0).all() and (hi[~ok] == 0).all()
        assert [int((t >= day).sum()) for day in DAYS] == r["n_risk"].tolist()


def test_fine_gray_matches_finegray_coxph(case):
    path, times = case
    ref = pd.read_csv(path / "r_finegray.csv").iloc[0]
    strata = sorted(times["stratum"].unique())
    b, naive, robust, converged = weighted_breslow_cox(times["time_days"].to_numpy(float),
                                                       times["status"].to_numpy(int),
                                                       _design(times, strata).to_numpy(float),
                                                       times["caseworker_id"].to_numpy())
    assert converged
    assert abs(b[0] - ref["log_shr"]) < TOL_FG
    assert abs(np.sqrt(robust[0, 0]) - ref["robust_se"]) < TOL_FG
    assert abs(np.sqrt(naive[0, 0]) - ref["naive_se"]) < TOL_FG
    row = fine_gray_dropout(times, strata)
    assert row.analysis == "time_to_dropout_fine_gray" and row.scale == "subdistribution_hazard_ratio"
    assert abs(np.log(row.estimate) - ref["log_shr"]) < TOL_FG and abs(row.se - ref["robust_se"]) < TOL_FG
    assert row.df == times["caseworker_id"].nunique() - 1 - len(strata)
    assert row.ci_low < row.estimate < row.ci_high and 0 < row.p_value <= 1
    cox = cox_dropout(times, strata)
    assert abs(np.log(cox.estimate) - ref["cs_log_hr"]) < TOL_FG and abs(cox.se - ref["cs_robust_se"]) < TOL_FG
    assert cox.df == row.df


def test_hazard_ratio_p_values_by_re_randomisation(case):
    """The report's rule since issue 24: the hazard ratios (Fine-Gray and cause-specific Cox) keep R's estimate,
    robust SE and the t CI, and take the p-value of the re-randomisation test of the arm's score. Its p-value is
    a share of the allocations compared, at least 1 / B, and the method says what was done."""
    path, times = case
    strata = sorted(times["stratum"].unique())
    for fit in (cox_dropout, fine_gray_dropout):
        robust = fit(times, strata)
        row = fit(times, strata, 12, 365, 999, 7)
        assert (row.estimate, row.se, row.df, row.ci_low, row.ci_high) == \
            (robust.estimate, robust.se, robust.df, robust.ci_low, robust.ci_high)
        assert 1 / 1000 <= row.p_value <= 1 and row.p_value != robust.p_value
        assert round(row.p_value * 1000) == pytest.approx(row.p_value * 1000, abs=1e-9)  # (count + 1) / 1000
        assert "p-value by re-randomisation (caseworkers re-randomised within strata 999 times)" in row.method
        assert fit(times, strata, 12, 365, 999, 7).p_value == row.p_value  # the seed fixes the allocations


def test_the_hazard_randomisation_test_is_exact():
    """With every allocation enumerated, taking each allocation in turn as the one observed gives p <= alpha in at
    most a share alpha of them (exactness under the sharp null), for the cause-specific and the Fine-Gray score."""
    from fittrial.analyses.hazards import hazard_randomisation
    from fittrial.analyses.randomisation import allocations

    rng = np.random.default_rng(11)
    k = 10  # 2 strata of 5: 2 x 10 x 10 = ... allocations of 2 or 3 FIT caseworkers per stratum
    cw = pd.DataFrame({"caseworker_id": [f"C{i}" for i in range(k)], "stratum": ["S1"] * 5 + ["S2"] * 5,
                       "fit": [1, 1, 0, 0, 0, 1, 1, 1, 0, 0]})
    size = rng.integers(3, 15, k)
    times = cw.loc[np.repeat(np.arange(k), size)].reset_index(drop=True)
    times["time_days"] = np.ceil(rng.exponential(300, len(times))).clip(max=365)
    times["status"] = np.where(times["time_days"] >= 365, 0, rng.choice([1, 2], len(times), p=[0.6, 0.4]))
    A, exact = allocations(cw["stratum"].to_numpy(), cw["fit"].to_numpy(float), 10_000, rng)
    assert exact and len(A) == 100
    for status in ((times["status"] == 1).astype(int).to_numpy(), times["status"].to_numpy()):
        p = []
        for a in A:
            relabelled = times.assign(fit=np.repeat(a, size).astype(int))
            p.append(hazard_randomisation(relabelled, ["S1", "S2"], status, 10_000, 0).p_value)
        p = np.array(p)
        for alpha in (0.05, 0.1, 0.2, 0.5):
            assert np.mean(p <= alpha + 1e-12) <= alpha + 1e-12


def test_cif_table_and_curve(case):
    _, times = case
    table = cif_table(times, DAYS, 5)
    assert list(table.columns) == ["arm", "day", "cumulative_incidence", "se", "ci_low", "ci_high", "n_at_risk"]
    assert table["arm"].tolist() == ["FIT"] * 5 + ["control"] * 5
    ok = table["cumulative_incidence"].notna()
    assert ((table["ci_low"] <= table["cumulative_incidence"]) & (table["cumulative_incidence"] <= table["ci_high"]))[ok].all()
    for _, g in table.groupby("arm"):
        assert g["cumulative_incidence"].dropna().is_monotonic_increasing  # days resting on < 5 dropouts are empty
    # the CIF lies below 1 - Kaplan-Meier, which counts the other course ends as censoring
    from statsmodels.duration.survfunc import SurvfuncRight

    for arm, label in ((1, "FIT"), (0, "control")):
        d = times[times["fit"] == arm]
        km = SurvfuncRight(d["time_days"].to_numpy(), d["event"].to_numpy())
        one_minus = 1 - km.surv_prob[np.searchsorted(km.surv_times, 365, side="right") - 1]
        cif = table[(table["arm"] == label) & (table["day"] == 365)]["cumulative_incidence"].iloc[0]
        assert np.isnan(cif) or cif <= one_minus + 1e-12
    curve = cif_curve(times, 5)
    assert set(curve["arm"]) == {"FIT", "control"} and (curve.groupby("arm")["day"].min() == 0).all()
    at_365 = table.set_index(["arm", "day"])["cumulative_incidence"]
    for label, g in curve.groupby("arm"):
        assert g["cumulative_incidence"].is_monotonic_increasing
        if g["day"].max() >= 365 and np.isfinite(at_365[(label, 365)]):
            # the published curve steps only after >= 5 dropouts, so it ends at or below the table's value
            assert g["cumulative_incidence"].iloc[-1] <= at_365[(label, 365)] + 1e-12


# ---- shapes the default simulator does not draw -------------------------------------------------------------

def trial(statuses: dict[int, list[int]], times: dict[int, list[float]] | None = None,
          per_caseworker: int = 6) -> pd.DataFrame:
    """A small trial: 3 caseworkers per arm in 2 strata; ``statuses[arm]`` cycles over the arm's citizens."""
    rows = []
    rng = np.random.default_rng(5)
    for arm in (1, 0):
        for k in range(3):
            for j in range(per_caseworker):
                i = k * per_caseworker + j
                st = statuses[arm][i % len(statuses[arm])]
                t = (times[arm][i % len(times[arm])] if times else
                     (365.0 if st == 0 else float(rng.integers(10, 360))))
                rows.append({"citizen_id": f"{arm}-{i}", "caseworker_id": f"CW{arm}{k}", "fit": arm,
                             "stratum": "S1" if k < 2 else "S2", "time_days": t, "status": st,
                             "event": int(st == 1)})
    return pd.DataFrame(rows)


def both_rows(times: pd.DataFrame):
    return cox_dropout(times), fine_gray_dropout(times)


def test_no_dropout_events_at_all():
    times = trial({1: [0, 2], 0: [2, 0, 0]})
    for row in both_rows(times):
        assert np.isnan(row.estimate) and row.not_estimated == "No dropout events in either arm"
    table = cif_table(times, DAYS, 5)
    assert (table["cumulative_incidence"] == 0).all() and (table["ci_high"] == 0).all()


def test_one_arm_without_dropout_events():
    for row in both_rows(trial({1: [0, 2, 0], 0: [1, 0, 2]})):
        assert np.isnan(row.estimate)
        assert row.not_estimated.startswith("No dropout events in the FIT arm, so the")


def test_every_course_open():
    times = trial({1: [0], 0: [0]})
    for row in both_rows(times):
        assert row.not_estimated == "No dropout events in either arm"
    table = cif_table(times, DAYS, 5)
    assert (table["cumulative_incidence"] == 0).all() and (table["n_at_risk"] == "18").all()
    assert len(cif_curve(times, 5)) == 4  # (0, 0) and the end of follow-up, per arm


def test_no_competing_events_gives_the_cause_specific_cox():
    """Without other course ends the subdistribution and the cause-specific hazard are the same."""
    times = trial({1: [0, 1, 0, 0], 0: [1, 0, 1, 0, 0]})
    cox, fg = both_rows(times)
    assert not fg.not_estimated and abs(fg.estimate - cox.estimate) < 1e-8 and abs(fg.se - cox.se) < 1e-8


def test_no_censoring():
    """Every course ends within the window: the censoring weights are all 1, the CIF ends where 1 - S ends."""
    times = trial({1: [1, 2, 2], 0: [1, 1, 2]}, {1: [30.0, 60, 90, 120, 200], 0: [45.0, 60, 150]})
    fg = fine_gray_dropout(times)
    assert not fg.not_estimated and np.isfinite(fg.estimate) and fg.se > 0
    table = cif_table(times, [0, 100, 365], 5)
    assert table["cumulative_incidence"].iloc[2] == pytest.approx(1 / 3)  # FIT: statuses 1, 2, 2
    assert table.loc[table["day"] == 365, "n_at_risk"].tolist() == ["0", "0"]


def test_no_estimate_after_follow_up_ends():
    """A day after the last citizen of an arm was censored has no cumulative incidence (empty, not carried on)."""
    times = trial({1: [1, 2, 0], 0: [0, 1, 2]}, {1: [30.0, 60, 200], 0: [365.0, 100, 150]})
    table = cif_table(times, [0, 180, 365], 5).set_index(["arm", "day"])
    assert np.isnan(table.loc[("FIT", 365), "cumulative_incidence"]) and table.loc[("FIT", 365), "n_at_risk"] == "0"
    assert table.loc[("FIT", 180), "cumulative_incidence"] == pytest.approx(1 / 3)
    assert table.loc[("control", 365), "cumulative_incidence"] == pytest.approx(1 / 3)


def test_one_caseworker_per_arm_and_no_df():
    times = trial({1: [1, 0, 2], 0: [0, 1, 2]})
    one = times[times["caseworker_id"].isin(["CW10", "CW00", "CW01"])]
    assert fine_gray_dropout(one).not_estimated.startswith("Only 1 caseworker in the FIT arm")


def test_arm_confounded_with_stratum():
    times = trial({1: [1, 0, 2], 0: [1, 0, 2]})
    times["stratum"] = np.where(times["fit"] == 1, "S1", "S2")
    for row in both_rows(times):
        assert np.isnan(row.estimate) and "confounded with stratum" in row.not_estimated


def test_suppression_of_numbers_at_risk():
    """Below the threshold a number at risk is '<N'; the other arm's number at that day is then not shown, so
    that it cannot be recovered from the total (effects.csv's n_citizens)."""
    # FIT: 6 citizens followed to 365; control: 5
    times = trial({1: [1, 2, 0], 0: [0, 1, 2, 2]}, {1: [100.0, 200, 365], 0: [365.0, 120, 250, 300]})
    shown = cif_table(times, [0, 270, 365], 5).set_index(["arm", "day"])["n_at_risk"]
    assert shown[("FIT", 0)] == shown[("control", 0)] == "18"
    assert shown[("FIT", 365)] == "6" and shown[("control", 365)] == "5"
    hidden = cif_table(times, [0, 270, 365], 6).set_index(["arm", "day"])["n_at_risk"]
    assert hidden[("control", 365)] == "<6" and hidden[("FIT", 365)] == ""
    assert hidden[("FIT", 270)] == "6" and hidden[("control", 270)] == "9"
    curve = cif_curve(times, 6)
    assert curve.loc[curve["arm"] == "control", "day"].max() == 300  # stops where fewer than 6 remain at risk
    assert curve.loc[curve["arm"] == "FIT", "day"].max() == 365
