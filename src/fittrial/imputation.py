"""Multiple imputation of missing WHO-5 under a multilevel model, pooled by Rubin's rules.

Imputation model: WHO-5 at every visit of the schedule of every citizen as one outcome
vector, ``who5 ~ visit * fit + stratum`` with random intercepts for caseworker,
caseworker x visit and citizen, as the analysis model (so imputations respect
clustering, caseworkers that differ by visit and the correlation of a
citizen's visits; they condition on arm, stratum, the citizen's observed
visits, baseline included, and the caseworker's other citizens). Each
imputation is proper: the variance parameters are drawn from the normal
approximation of their REML sampling distribution on the scale of the
relative SDs and the residual SD (covariance 2 x inverse Hessian of the REML
deviance, draws reflected at zero; on the log-variance scale that
approximation breaks down at a zero variance), the fixed effects from N(beta-hat,
Cov(beta-hat)) given them, and the missing values from their conditional normal
distribution given the observed values of the same caseworker.

Analysis: the primary mixed model on each completed data set (baseline now
complete: no missing-baseline indicator). Pooling: Rubin's rules; df by
Barnard & Rubin (1999) with complete-data df nu_com = caseworkers -
caseworker-level parameters.

Tipping point: the imputed follow-up values of FIT citizens are shifted by
delta (a departure from missing at random in the FIT arm only) and the pooled
12-month effect recomputed for each delta; the variance parameters of each
completed-data fit are held fixed across delta (the estimate is then linear in
delta).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .estimable import arm_reason, first, months, usable_visits
from .lmm import NestedREML, numeric_hessian, varpar_of
from .models import Contrast, _design, fit_lmm, not_estimated, random_words


@dataclass
class Pooled:
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float
    within: float
    between: float


def rubin(estimates: np.ndarray, variances: np.ndarray, df_com: float, level: float = 0.95) -> Pooled:
    """Rubin's rules with the Barnard-Rubin (1999) degrees of freedom (as mice::pool.scalar)."""
    m = len(estimates)
    qbar = float(np.mean(estimates))
    ubar = float(np.mean(variances))
    b = float(np.var(estimates, ddof=1))
    t = ubar + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    df_old = (m - 1) / lam**2 if lam > 0 else float("inf")
    df_obs = (df_com + 1) / (df_com + 3) * df_com * (1 - lam)
    df = 1 / (1 / df_old + 1 / df_obs) if np.isfinite(df_old) else df_obs
    se = float(np.sqrt(t))
    q = stats.t.ppf(0.5 + level / 2, df)
    p = float(2 * stats.t.sf(abs(qbar / se), df))
    return Pooled(qbar, se, float(df), qbar - q * se, qbar + q * se, p, ubar, b)


def _long_all(citizens: pd.DataFrame, visits: tuple[int, ...]) -> pd.DataFrame:
    """Every citizen x visit cell (observed or not), sorted by caseworker, citizen, visit."""
    cells = []
    for v in visits:
        cells.append(citizens[["citizen_id", "caseworker_id", "stratum", "fit"]].assign(
            visit=v, who5=citizens[f"who5_m{v}"].astype(float)))
    return pd.concat(cells).sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(
        drop=True)


def _imputation_design(cells: pd.DataFrame, strata: list[str], visits: tuple[int, ...]) -> pd.DataFrame:
    X = pd.DataFrame({"intercept": 1.0, "fit": cells["fit"].astype(float)}, index=cells.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (cells["stratum"] == s).astype(float)
    for v in visits[1:]:
        X[f"visit[{v}]"] = (cells["visit"] == v).astype(float)
        X[f"fit:visit[{v}]"] = X[f"visit[{v}]"] * X["fit"]
    return X


def impute(citizens: pd.DataFrame, m: int, seed: int, strata: list[str] | None = None,
           visits: tuple[int, ...] = (0, 6, 12)) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Return (cells, [completed WHO-5 vector per imputation]) for every citizen x visit cell."""
    rng = np.random.default_rng(seed)
    cells = _long_all(citizens, visits)
    strata = strata or sorted(cells["stratum"].unique())
    strata = [s for s in strata if s in set(cells["stratum"])]
    X = _imputation_design(cells, strata, visits)
    obs = cells["who5"].notna().to_numpy()
    model = NestedREML(cells.loc[obs, "who5"].to_numpy(), X[obs].to_numpy(), cells.loc[obs, "caseworker_id"].to_numpy(),
                       cells.loc[obs, "citizen_id"].to_numpy(), cells.loc[obs, "visit"].to_numpy())
    fit = model.fit()
    # variance parameters (theta_w, theta_c, theta_v, sigma) -- relative SDs and the residual SD, lmerTest's
    # parametrisation -- drawn from the normal approximation of their REML sampling distribution and reflected
    # at zero. On this scale the approximation stays finite at a zero variance, where one on the log-variance
    # scale has an unbounded variance and its draws explode.
    index = model.varpar_index  # an intercept left out of the model stays at zero
    full = varpar_of(fit)

    def expand(vp: np.ndarray) -> np.ndarray:
        out = full.copy()
        out[index] = vp
        return out

    H = numeric_hessian(lambda vp: model.deviance(expand(vp)), full[index])
    cov_vp = 2.0 * np.linalg.pinv(H)
    w, U = np.linalg.eigh((cov_vp + cov_vp.T) / 2)
    chol = U * np.sqrt(np.clip(w, 0, None))

    def variances(z: np.ndarray) -> np.ndarray:
        """(caseworker, citizen, residual, caseworker x visit) variances of one draw."""
        theta_w, theta_c, theta_v, sigma = np.abs(expand(full[index] + chol @ z))
        return np.array([(theta_w * sigma) ** 2, (theta_c * sigma) ** 2, sigma**2, (theta_v * sigma) ** 2])

    Xall = X.to_numpy()
    groups = cells["caseworker_id"].to_numpy()
    cits = cells["citizen_id"].to_numpy()
    visit_of = cells["visit"].to_numpy()
    y = cells["who5"].to_numpy(float)
    index_by_group = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    completed = []
    for _ in range(m):
        v = variances(rng.standard_normal(len(index)))
        s = np.sqrt(v[2])
        draw = model.at(np.array([np.sqrt(v[0]) / s, np.sqrt(v[1]) / s, np.sqrt(v[3]) / s]))
        beta = rng.multivariate_normal(draw.beta, draw.cov_beta)
        mu = Xall @ beta
        y_m = y.copy()
        for idx in index_by_group:
            miss = ~obs[idx]
            if not miss.any():
                continue
            cit = cits[idx]
            same_cit = (cit[:, None] == cit[None, :]).astype(float)
            same_visit = (visit_of[idx][:, None] == visit_of[idx][None, :]).astype(float)
            Sigma = v[0] + v[1] * same_cit + v[3] * same_visit + v[2] * np.eye(len(idx))
            o, mi = np.flatnonzero(~miss), np.flatnonzero(miss)
            if len(o):
                K = np.linalg.solve(Sigma[np.ix_(o, o)], Sigma[np.ix_(o, mi)]).T
                cmean = mu[idx][mi] + K @ (y[idx][o] - mu[idx][o])
                ccov = Sigma[np.ix_(mi, mi)] - K @ Sigma[np.ix_(o, mi)]
            else:
                cmean, ccov = mu[idx][mi], Sigma[np.ix_(mi, mi)]
            ew, EV = np.linalg.eigh((ccov + ccov.T) / 2)
            y_m[idx[mi]] = cmean + (EV * np.sqrt(np.clip(ew, 0, None))) @ rng.standard_normal(len(mi))
        completed.append(y_m)
    return cells, completed


@dataclass
class MIResult:
    """Pooled rows, the one-dimensional tipping-point table (FIT arm shifted), the first delta at which the
    conclusion changes, and the two-dimensional table (both arms shifted: delta_fit, delta_control)."""

    rows: list[Contrast]
    tipping: pd.DataFrame
    tipping_delta: float
    tipping_2d: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TIPPING_2D_COLUMNS))


TIPPING_2D_COLUMNS = ["delta_fit", "delta_control", "estimate", "ci_low", "ci_high", "p_value", "conclusion"]


def conclusion(p_value: float, estimate: float, alpha: float = 0.05) -> str:
    """The conclusion a test at ``alpha`` draws: ``favours_fit``, ``favours_control`` or ``no_difference``."""
    if not p_value < alpha:
        return "no_difference"
    return "favours_fit" if estimate > 0 else "favours_control"


def multiple_imputation(citizens: pd.DataFrame, m: int, seed: int, strata: list[str] | None = None,
                        deltas: np.ndarray | None = None, visit: int = 12,
                        visits: tuple[int, ...] = (0, 6, 12), deltas_2d: np.ndarray | None = None) -> MIResult:
    """MI analysis of the WHO-5 effect at every follow-up visit, and the delta-adjusted tipping point at ``visit``.

    Tipping point: the imputed follow-up values of the FIT arm are shifted by
    each of ``deltas`` (one dimension), and those of both arms by every pair
    of ``deltas_2d`` (two dimensions: delta_fit, delta_control); each shifted
    set is pooled by Rubin's rules. With the variance parameters of each
    completed-data fit held fixed, the estimate is linear in the shifts (GLS
    responses to a unit shift of the imputed cells of each arm), so no refit
    is needed.

    ``visits``: the schedule. Only visits at which both arms have observed
    WHO-5 (see :mod:`fittrial.estimable`) enter the imputation model; the
    others get a not-estimated row. Without a usable ``visit``, nothing is
    estimated and the tipping-point table is empty.
    """
    deltas = np.round(np.arange(-15, 15.01, 0.5), 2) if deltas is None else np.asarray(deltas, float)
    follow = [v for v in sorted(visits) if v != 0]
    n_clusters, n_cit = int(citizens["caseworker_id"].nunique()), len(citizens)
    observed = pd.concat([citizens.loc[citizens[f"who5_m{v}"].notna(), ["caseworker_id", "fit"]].assign(visit=v)
                          for v in follow], ignore_index=True)
    ok, why = usable_visits(observed, follow)
    baseline = [0] if 0 in visits and not arm_reason(citizens[citizens["who5_m0"].notna()], "baseline WHO-5") else []
    imp_visits = tuple(baseline + ok)
    strata = [s for s in (strata or sorted(citizens["stratum"].unique())) if s in set(citizens["stratum"])]
    method = (f"Multiple imputation ({m} imputations) of missing WHO-5 at "
              + ", ".join(months(v) for v in imp_visits or follow) + " from a multilevel normal "
              "model ({random}; arm x visit, stratum; proper draws of all "
              "parameters); primary mixed model on each completed data set; Rubin's rules, t-test with "
              "Barnard-Rubin df (complete-data df: caseworkers - caseworker-level parameters); all enrolled "
              "citizens; missing at random")
    reason = why.get(visit) or first(
        None if n_clusters > 2 + len(strata) - 1 else
        f"only {n_clusters} caseworkers, not more than the {1 + len(strata)} caseworker-level parameters")
    if reason:
        rows = [not_estimated("multiple_imputation", "who5", v, "mean_difference", why.get(v, reason),
                              method.format(random=random_words((True, True))), n_clusters, n_cit) for v in follow]
        empty = pd.DataFrame(columns=["delta", "estimate", "ci_low", "ci_high", "p_value"], dtype=float)
        return MIResult(rows, empty, float("nan"))
    cells, completed = impute(citizens, m, seed, strata, imp_visits)
    base_cells = cells["visit"] == 0
    follow_visits = list(ok)
    per_visit: dict[int, list[tuple[float, float]]] = {v: [] for v in follow_visits}
    shift_effects, shift_control, shift_base = [], [], []
    df_com = None
    for y_m in completed:
        c = cells.assign(who5_completed=y_m)
        base = c[base_cells].set_index("citizen_id")["who5_completed"]
        long = c[~base_cells].assign(who5=lambda d: d["who5_completed"], baseline_missing=0,
                                     baseline_who5=lambda d: d["citizen_id"].map(base).fillna(0.0) if len(base) else 0.0)
        X, between = _design(long, strata)
        res = fit_lmm(long, X, between, "between_within")
        df_com, free = res.df, res.fit.free
        for v in follow_visits:
            L = res.arm_contrast(v).to_numpy()
            per_visit[v].append((float(L @ res.fit.beta), float(L @ res.fit.cov_beta @ L)))
        # GLS responses to the tipping shifts: imputed follow-up cells of FIT citizens, of control citizens
        imputed = long["who5"].index.isin(np.flatnonzero(cells["who5"].isna()))
        s = np.sqrt(res.var_residual)
        ratios = np.array([np.sqrt(res.var_caseworker) / s, np.sqrt(res.var_citizen) / s,
                           np.sqrt(res.var_cw_visit) / s])
        L = res.arm_contrast(visit).to_numpy()
        for arm, out in ((1, shift_effects), (0, shift_control)):
            shift = (imputed & (long["fit"] == arm)).to_numpy(float)
            gls = NestedREML(shift, X.to_numpy(), long["caseworker_id"].to_numpy(), long["citizen_id"].to_numpy(),
                             long["visit"].to_numpy())
            out.append(float(L @ gls.at(ratios).beta))
        shift_base.append(per_visit[visit][-1])
    method = method.format(random=random_words(free))
    rows = [not_estimated("multiple_imputation", "who5", v, "mean_difference", r, method, n_clusters, n_cit)
            for v, r in why.items()]
    for v in follow_visits:
        est = np.array([e for e, _ in per_visit[v]])
        var = np.array([u for _, u in per_visit[v]])
        pooled = rubin(est, var, df_com)
        rows.append(Contrast("who5", v, "mean_difference", pooled.estimate, pooled.se, pooled.df, pooled.ci_low,
                             pooled.ci_high, pooled.p_value, method, n_clusters, len(citizens),
                             "multiple_imputation"))
    base_est = np.array([e for e, _ in shift_base])
    base_var = np.array([u for _, u in shift_base])
    slope = np.array(shift_effects)
    tip_rows = []
    for d in deltas:
        pooled = rubin(base_est + d * slope, base_var, df_com)
        tip_rows.append({"delta": float(d), "estimate": pooled.estimate, "ci_low": pooled.ci_low,
                         "ci_high": pooled.ci_high, "p_value": pooled.p_value})
    rows.sort(key=lambda r: r.timepoint_months)
    tipping = pd.DataFrame(tip_rows)
    at_mar = rubin(base_est, base_var, df_com)
    tipping["conclusion"] = [conclusion(p, e) for p, e in zip(tipping["p_value"], tipping["estimate"])]
    changed = tipping[tipping["conclusion"] != conclusion(at_mar.p_value, at_mar.estimate)]
    tipping_delta = float(changed.loc[changed["delta"].abs().idxmin(), "delta"]) if len(changed) else float("nan")
    grid = deltas if deltas_2d is None else np.asarray(deltas_2d, float)
    slope_c = np.array(shift_control)
    two = []
    for d_fit in grid:
        for d_con in grid:
            pooled = rubin(base_est + d_fit * slope + d_con * slope_c, base_var, df_com)
            two.append({"delta_fit": float(d_fit), "delta_control": float(d_con), "estimate": pooled.estimate,
                        "ci_low": pooled.ci_low, "ci_high": pooled.ci_high, "p_value": pooled.p_value,
                        "conclusion": conclusion(pooled.p_value, pooled.estimate)})
    return MIResult(rows, tipping, tipping_delta, pd.DataFrame(two, columns=TIPPING_2D_COLUMNS))
