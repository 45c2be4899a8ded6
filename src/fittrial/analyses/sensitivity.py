"""Sensitivity analyses of the 12-month WHO-5 effect (and 6 months where the model gives it).

Each function returns effects-table rows (:class:`fittrial.models.effects.Contrast`)
whose ``analysis`` names it. Estimators, covariances and the distribution
behind every p-value are stated in the docstrings and in each row's ``method``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrial.base.groups import group_rows
from fittrial.inputs.dataset import subgroup_levels
from fittrial.language.messages import text
from fittrial.models.effects import (
    DF_WORDS,
    Contrast,
    _design,
    contrast_row,
    covariate_words,
    fit_lmm,
    not_estimated,
    prepare_lmm,
    random_words,
    t_inference,
)
from fittrial.models.estimable import (
    NotEstimable,
    arm_reason,
    caseworker_df_reason,
    first,
    months,
    rank_reason,
    usable_visits,
    who5_at,
)
from fittrial.models.smallsample import satterthwaite_f


def _strata(frame: pd.DataFrame, strata: list[str] | None) -> list[str]:
    present = set(frame["stratum"])
    return [s for s in (strata or sorted(present)) if s in present]


def _adjusted(X: pd.DataFrame, data: pd.DataFrame, strata: list[str]) -> pd.DataFrame:
    """``X`` with the covariates of every single-visit analysis: baseline WHO-5 and the missing-baseline
    indicator (each only where it varies: a trial without baseline has nothing to adjust for) and stratum."""
    X = X.copy()
    if data["baseline_who5"].nunique() > 1:
        X["baseline_who5"] = data["baseline_who5"]
    if data["baseline_missing"].nunique() > 1:
        X["baseline_missing"] = data["baseline_missing"].astype(float)
    return X.join(_stratum_dummies(data, strata))


def stage_one_words(columns: pd.Index) -> str:
    """Stage 1 of the cluster-level analysis in words, naming only the covariates it has."""
    names = [text(w) for c, w in (("baseline_who5", "w_cov_baseline"), ("stratum[", "w_cov_stratum"))
             if any(str(x).startswith(c) for x in columns)]
    return text("w_stage1_ols", covariate_list=names) if names else text("w_stage1_mean")


def _stratum_dummies(frame: pd.DataFrame, strata: list[str]) -> pd.DataFrame:
    return pd.DataFrame({f"stratum[{s}]": (frame["stratum"] == s).astype(float) for s in strata[1:]},
                        index=frame.index)


def clda(citizens: pd.DataFrame, strata: list[str] | None = None, df_method: str = "kenward_roger",
         visits: tuple[int, ...] = (0, 6, 12)) -> list[Contrast]:
    """Constrained longitudinal data analysis (Coffman et al. 2016).

    Baseline is part of the outcome vector (WHO-5 at every visit of the
    schedule); the model ``who5 ~ visit + fit:visit[v] (v > 0) + stratum`` has
    no arm main effect, so the baseline means are constrained equal across
    arms (true by randomisation). Random intercepts for caseworker and citizen
    (compound symmetry within citizen). Uses every observed WHO-5, including
    citizens with a baseline but no follow-up. Needs a baseline visit (0) in
    the schedule and in the data; a follow-up visit at which the arms cannot
    be compared is left out with its reason.
    """
    follow = [v for v in sorted(visits) if v != 0]
    def words(random: str) -> str:
        return text("meth_clda", visit_items=[months(v) for v in sorted(visits)], random=random, df=DF_WORDS[df_method])

    def none(reason: str) -> list[Contrast]:
        return [not_estimated("clda", "who5", v, "mean_difference", reason, words(random_words((True, True))))
                for v in follow]

    if 0 not in visits:
        return none(text("r_no_baseline_visit"))
    if "who5_m0" not in citizens or citizens["who5_m0"].notna().sum() == 0:
        return none(text("r_no_baseline_who5"))
    long = _observed_long(citizens, follow)
    ok, why = usable_visits(long, follow)
    if not ok:
        return [not_estimated("clda", "who5", v, "mean_difference", why[v], words(random_words((True, True))))
                for v in follow]
    data, X, between, contrasts = clda_design(citizens, strata, (0, *ok))
    reason = first(caseworker_df_reason(data, len(between), "WHO-5"), rank_reason(X))
    if reason:
        return none(reason)
    result = fit_lmm(data, X, between, df_method)
    method = words(random_words(result.fit.free))
    rows = {v: contrast_row(result, L, "who5", v, "mean_difference", method, data, "clda")
            for v, L in contrasts.items()}
    rows.update({v: not_estimated("clda", "who5", v, "mean_difference", r, method) for v, r in why.items()})
    return [rows[v] for v in follow]


def clda_design(citizens: pd.DataFrame, strata: list[str] | None = None, visits: tuple[int, ...] = (0, 6, 12)
                ) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[int, pd.Series]]:
    """Data, design, between-caseworker columns and the arm contrasts (by visit) of :func:`clda`."""
    rows = []
    for v in visits:
        col = f"who5_m{v}"
        if col in citizens:
            part = citizens.loc[citizens[col].notna(), ["citizen_id", "caseworker_id", "stratum", "fit", col]]
            rows.append(part.rename(columns={col: "who5"}).assign(visit=v))
    data = pd.concat(rows).sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort")
    data = data.reset_index(drop=True)
    strata = _strata(data, strata)
    X = pd.DataFrame({"intercept": 1.0}, index=data.index)
    X = X.join(_stratum_dummies(data, strata))
    follow = [v for v in visits if v != 0]
    for v in follow:
        X[f"visit[{v}]"] = (data["visit"] == v).astype(float)
        X[f"fit:visit[{v}]"] = X[f"visit[{v}]"] * data["fit"]
    # the caseworker-level parameters of the between-within df: the intercept, the strata and the arm, which this
    # model has no column for (its baseline means are equal) but compares between caseworkers all the same
    between = ["intercept", *[c for c in X if c.startswith("stratum[")], "fit"]
    contrasts = {}
    for v in follow:
        L = pd.Series(0.0, index=X.columns)
        L[f"fit:visit[{v}]"] = 1.0
        contrasts[v] = L
    return data, X, between, contrasts


def _observed_long(citizens: pd.DataFrame, visits: list[int]) -> pd.DataFrame:
    """Observed WHO-5 at the given visits in long form (citizen_id, caseworker_id, fit, visit, who5)."""
    parts = [citizens.loc[citizens[f"who5_m{v}"].notna(), ["citizen_id", "caseworker_id", "stratum", "fit"]].assign(
        visit=v) for v in visits if f"who5_m{v}" in citizens]
    if not parts:
        return pd.DataFrame(columns=["citizen_id", "caseworker_id", "stratum", "fit", "visit"])
    return pd.concat(parts, ignore_index=True)


def cluster_level(citizens: pd.DataFrame, strata: list[str] | None = None, visit: int = 12) -> list[Contrast]:
    """Two-stage cluster-level analysis (Hayes & Moulton 2017, ch. 10).

    Stage 1: OLS of WHO-5 at ``visit`` on baseline WHO-5, the missing-baseline
    indicator and stratum, without arm, on the citizens with the outcome.
    Stage 2: the caseworker means of the stage-1 residuals compared between
    arms, unweighted (each caseworker counts once) and weighted by the number
    of citizens (WLS); classical t-test with K - 1 - S df (K caseworkers, S
    strata: one df per cluster-level parameter estimated at either stage), the
    residual variance of stage 2 on the same K - 1 - S df.
    Both stages by :func:`ols_residuals` and :func:`wls` (statsmodels' OLS and
    WLS, to 1e-12 in the tests; importing statsmodels.api for them cost the
    sensitivity step about 1 s).
    """
    col = f"who5_m{visit}"
    data = citizens[citizens[col].notna()].copy() if col in citizens else citizens.iloc[0:0].copy()
    strata = _strata(data, strata)
    X = _adjusted(pd.DataFrame({"intercept": 1.0}, index=data.index), data, strata)
    what = who5_at(visit)
    reason = first(arm_reason(data, what), caseworker_df_reason(data, 1 + len(strata), what),
                   None if data.empty else rank_reason(X))
    stage1 = stage_one_words(X.columns)
    if reason:
        method = text("meth_cluster_level_none", stage1=stage1)
        return [not_estimated(a, "who5", visit, "mean_difference", reason, method)
                for a in ("cluster_level", "cluster_level_weighted")]
    data["resid"] = ols_residuals(data[col].to_numpy(float), X.to_numpy(float))
    clusters = data.groupby("caseworker_id").agg(resid=("resid", "mean"), fit=("fit", "first"),
                                                 n=("resid", "size"))
    K, S = len(clusters), len(strata)
    df = float(K - 1 - S)
    out = []
    Z = np.column_stack([np.ones(K), clusters["fit"].to_numpy(float)])
    for label, weights in (("cluster_level", np.ones(K)), ("cluster_level_weighted", clusters["n"].to_numpy(float))):
        params, bse = wls(clusters["resid"].to_numpy(float), Z, weights)
        # the residual variance on the df the t-test uses: stage 1 removed the S - 1 stratum effects as well, so
        # the residuals' sum of squares has K - 1 - S df, not WLS's K - 2 (which made the test liberal: 8-12% at
        # 8-10 caseworkers in 4 strata, issue 24)
        est, se = float(params[1]), float(bse[1]) * np.sqrt((K - 2) / df)
        lo, hi, p = t_inference(est, se, df)
        how = text("w_unweighted" if label == "cluster_level" else "w_weighted_by_citizens")
        method = text("meth_cluster_level", stage1=stage1, how=how, visit=visit)
        out.append(Contrast("who5", visit, "mean_difference", est, se, df, lo, hi, p, method, K, len(data), label))
    return out


def ols_residuals(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Residuals of the least-squares fit of y on X (as statsmodels' ``OLS(y, X).fit().resid``: the
    pseudo-inverse solution)."""
    return y - X @ (np.linalg.pinv(X) @ y)


def wls(y: np.ndarray, Z: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares (as statsmodels' ``WLS(y, Z, weights).fit()``): coefficients and their classical
    SEs, sqrt(diag(s2 (Z'WZ)^-1)) with s2 = sum w r^2 / (n - p)."""
    sw = np.sqrt(weights)
    pinv = np.linalg.pinv(Z * sw[:, None])
    params = pinv @ (y * sw)
    r = (y - Z @ params) * sw
    s2 = float(r @ r) / (len(y) - Z.shape[1])
    return params, np.sqrt(np.diag(s2 * (pinv @ pinv.T)))


def cr2(X: np.ndarray, e: np.ndarray, groups: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, float]:
    """CR2 cluster-robust covariance of OLS and the Bell-McCaffrey df for the contrast c.

    V = M [sum_j X_j' A_j e_j e_j' A_j X_j] M with M = (X'X)^-1 and
    A_j = (I - X_j M X_j')^-1/2 (Bell & McCaffrey 2002). df: Satterthwaite
    approximation under the working model Var(y) = sigma^2 I, as clubSandwich's
    ``coef_test(test = "Satterthwaite")`` for ``lm``: with w_j = (I - H) U_j,
    U_j = A_j X_j M c embedded at cluster j's rows and G = [w_i' w_j],
    df = tr(G)^2 / sum(G^2) (Pustejovsky & Tipton 2018).

    Computed cluster by cluster, never as a rows x clusters matrix: with u_j = A_j X_j M c (cluster j's rows)
    and v_j = X_j' u_j, G = D - V' M V where D = diag(u_j' u_j), so tr(G) = sum d_j - sum v_j' M v_j and
    sum(G^2) = sum d_j^2 - 2 sum d_j v_j' M v_j + tr((M S)^2) with S = V V' (time and memory linear in the rows).
    """
    M = np.linalg.inv(X.T @ X)
    Mc = M @ c
    p = X.shape[1]
    meat = np.zeros((p, p))
    d, V = [], []
    for idx in group_rows(groups):  # in the order of pd.unique(groups)
        Xj = X[idx]
        Hjj = Xj @ M @ Xj.T
        w, Q = np.linalg.eigh(np.eye(len(idx)) - Hjj)
        A = (Q * np.where(w > 1e-12, w, np.inf) ** -0.5) @ Q.T
        u = Xj.T @ A @ e[idx]
        meat += np.outer(u, u)
        uj = A @ Xj @ Mc
        d.append(float(uj @ uj))
        V.append(Xj.T @ uj)
    cov = M @ meat @ M
    dj, Vm = np.asarray(d), np.asarray(V).T  # (clusters,), (p, clusters)
    q = np.einsum("ik,ij,jk->k", Vm, M, Vm)  # v_j' M v_j
    MS = M @ (Vm @ Vm.T)
    trace = float(dj.sum() - q.sum())
    squares = float(dj @ dj - 2.0 * dj @ q + np.sum(MS * MS.T))
    return cov, trace ** 2 / squares


def ancova_cr2(citizens: pd.DataFrame, strata: list[str] | None = None, visit: int = 12) -> tuple[Contrast, dict]:
    """Complete-case ANCOVA at ``visit`` by OLS with CR2 covariance and Bell-McCaffrey df.

    ``who5 ~ fit + baseline_who5 + baseline_missing + stratum`` by least squares (the pseudo-inverse solution, as
    statsmodels' OLS), the row with CR2 and t with Bell-McCaffrey df (:func:`cr2`, checked against clubSandwich;
    its CR0 meat against linearmodels in the tests). The second value is kept for callers (empty: linearmodels'
    CR0 and CR1 SEs were computed here only for a log line, at a second of import per run).
    """
    col = f"who5_m{visit}"
    data = citizens[citizens[col].notna()] if col in citizens else citizens.iloc[0:0]
    data = data.sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    strata = _strata(data, strata)
    X = _adjusted(pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float)}, index=data.index), data,
                  strata)
    what = who5_at(visit)
    named = [text(w) for c, w in (("baseline_who5", "w_cov_baseline"), ("stratum[", "w_cov_stratum"))
             if any(str(x).startswith(c) for x in X.columns)]
    method = text("meth_ancova_cr2", visit=visit, covariate_items=named) if named else \
        text("meth_ancova_cr2_none", visit=visit)
    reason = first(arm_reason(data, what), None if data.empty else rank_reason(X),
                   None if len(data) > X.shape[1] else text("r_too_few_citizens", what=what))
    if reason:
        return not_estimated("ancova_cr2", "who5", visit, "mean_difference", reason, method), {}
    y, Xa = data[col].astype(float).to_numpy(), X.to_numpy()
    params = np.linalg.pinv(Xa) @ y
    c = (X.columns == "fit").astype(float)
    V, df = cr2(Xa, y - Xa @ params, data["caseworker_id"].to_numpy(), c)
    est, se = float(c @ params), float(np.sqrt(c @ V @ c))
    lo, hi, p = t_inference(est, se, df)
    extra: dict = {}
    return Contrast("who5", visit, "mean_difference", est, se, df, lo, hi, p, method,
                    int(data["caseworker_id"].nunique()), len(data), "ancova_cr2"), extra


def adherence(fit_sessions: pd.DataFrame, citizens: pd.DataFrame, min_sessions: int) -> pd.Series:
    """1 for FIT-arm citizens with at least ``min_sessions`` meetings with a complete ORS and SRS, else 0.

    Control-arm citizens are 0 (FIT was not available to them: one-sided non-adherence).
    """
    items = [f"ors_{i}" for i in range(1, 5)] + [f"srs_{i}" for i in range(1, 5)]
    if fit_sessions is None or fit_sessions.empty or not set(items) <= set(fit_sessions):
        counts = pd.Series(0, index=citizens["citizen_id"])
    else:
        complete = fit_sessions[fit_sessions[items].notna().all(axis=1)]
        counts = complete.groupby("citizen_id").size().reindex(citizens["citizen_id"], fill_value=0)
    adherent = (counts.to_numpy() >= min_sessions) & (citizens["fit"].to_numpy() == 1)
    return pd.Series(adherent.astype(int), index=citizens.index, name="adherent")


def per_protocol(long: pd.DataFrame, citizens: pd.DataFrame, adherent: pd.Series, min_sessions: int,
                 strata: list[str] | None = None, df_method: str = "kenward_roger",
                 visits: list[int] | None = None) -> list[Contrast]:
    """The primary mixed model on control citizens and adherent FIT citizens (non-adherent FIT excluded).

    ``visits``: the follow-up visits of the schedule. Rows are not estimated
    (with the reason) where the primary model's estimability rules fail on
    this subset, e.g. when no FIT citizen is adherent.
    """
    visits = sorted(long["visit"].unique()) if visits is None else list(visits)
    method = text("meth_per_protocol", k=min_sessions, df=DF_WORDS[df_method])
    keep = set(citizens.loc[(citizens["fit"] == 0) | (adherent == 1), "citizen_id"])
    subset = long[long["citizen_id"].isin(keep)]
    try:
        data, X, between, why = prepare_lmm(subset, strata, visits, text("w_followup_who5"))
    except NotEstimable as exc:
        return [not_estimated("per_protocol", "who5", v, "mean_difference", exc.at(v), method) for v in visits]
    result = fit_lmm(data, X, between, df_method)
    method = text("meth_per_protocol_random", k=min_sessions, df=DF_WORDS[df_method],
                  random=random_words(result.fit.free))
    return [not_estimated("per_protocol", "who5", v, "mean_difference", why[v], method) if v in why else
            contrast_row(result, result.arm_contrast(v), "who5", int(v), "mean_difference", method,
                         data, "per_protocol") for v in visits]


def cace(citizens: pd.DataFrame, adherent: pd.Series, min_sessions: int, strata: list[str] | None = None,
         visit: int = 12) -> Contrast:
    """Complier average causal effect by two-stage least squares (linearmodels ``IV2SLS``).

    WHO-5 at ``visit`` (complete cases) on adherence (>= ``min_sessions``
    meetings with ORS/SRS), instrumented by the randomised arm, adjusted for
    baseline WHO-5 and stratum. Covariance clustered by caseworker (linearmodels,
    ``debiased=True``: small-sample factor with N - k); CI and p-value from t with
    K - 1 - S df. Assumes exclusion restriction (allocation acts only through
    adherence) and no defiers (control citizens cannot receive FIT).
    """
    from linearmodels.iv import IV2SLS

    col = f"who5_m{visit}"
    data = citizens.assign(adherent=adherent)
    data = data[data[col].notna()] if col in data else data.iloc[0:0]
    data = data.sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    strata = _strata(data, strata)
    exog = _adjusted(pd.DataFrame({"intercept": 1.0}, index=data.index), data, strata)
    K = int(data["caseworker_id"].nunique())
    df = float(K - 1 - len(strata))
    method = text("meth_cace", visit=visit, k=min_sessions, covariates=covariate_words(exog.columns, False))
    what = who5_at(visit)
    reason = first(arm_reason(data, what), caseworker_df_reason(data, 1 + len(strata), what),
                   None if data.empty else rank_reason(exog.assign(fit=data["fit"].astype(float))))
    if reason is None and data["adherent"].sum() == 0:
        reason = text("r_no_adherent", what=what, k=min_sessions)
    if reason:
        return not_estimated("cace", "who5", visit, "mean_difference", reason, method, K, len(data))
    res = IV2SLS(data[col].astype(float), exog, data[["adherent"]].astype(float), data[["fit"]].astype(float)).fit(
        cov_type="clustered", clusters=pd.Series(pd.factorize(data["caseworker_id"])[0], index=data.index),
        debiased=True)
    est, se = float(res.params["adherent"]), float(res.std_errors["adherent"])
    lo, hi, p = t_inference(est, se, df)
    return Contrast("who5", visit, "mean_difference", est, se, df, lo, hi, p, method, K, len(data), "cace")


def subgroup(long: pd.DataFrame, citizens: pd.DataFrame, variable: str, age_breaks: list[int],
             strata: list[str] | None = None, df_method: str = "kenward_roger", visit: int = 12) -> list[Contrast]:
    """The effect at ``visit`` within each level of a subgroup variable, and the interaction test.

    The primary mixed model extended with level x visit and arm x level x visit
    terms; the effect in each level is its arm contrast at ``visit``; the
    interaction p-value is the F-test that the effects are equal across levels,
    with Satterthwaite denominator df as lmerTest's ``contestMD``. Citizens with
    the variable missing are left out of that subgroup analysis. A level whose
    arms cannot be compared at ``visit`` (see :mod:`fittrial.models.estimable`) is left
    out of the model with its reason; with fewer than two levels left, no
    subgroup effect is estimated.
    """
    method = text("meth_subgroup", variable=variable, df=DF_WORDS[df_method])
    level_of = subgroup_levels(citizens, variable, age_breaks)
    by_citizen = pd.Series(level_of.to_numpy(), index=citizens["citizen_id"])
    ok_visits, why_visit = usable_visits(long, sorted(set(long["visit"]) | {visit}))
    if visit not in ok_visits:
        return [not_estimated(f"subgroup:{variable}", "who5", visit, "mean_difference", why_visit[visit], method)]
    data = long[long["visit"].isin(ok_visits)].assign(level=lambda d: d["citizen_id"].map(by_citizen))
    data = data[data["level"].notna()]
    levels = sorted(data["level"].unique(), key=str)
    if not levels:
        what = text({"age_group": "w_age", "baseline_who5_le50": "w_cov_baseline", "sex": "w_sex",
                     "stratum": "w_cov_stratum"}[variable])
        return [not_estimated(f"subgroup:{variable}", "who5", visit, "mean_difference",
                              text("r_not_recorded_with_followup", what=what), method)]
    why = {lev: arm_reason(data[(data["level"] == lev) & (data["visit"] == visit)], who5_at(visit))
           for lev in levels}
    kept = [lev for lev in levels if why[lev] is None]
    rows = {lev: not_estimated(f"subgroup:{variable}={lev}", "who5", visit, "mean_difference",
                               text("r_in_this_subgroup", reason=why[lev]), method) for lev in levels if why[lev]}
    built = subgroup_design(long[long["visit"].isin(ok_visits)], citizens, variable, age_breaks, strata, visit, kept)
    reason: str | None = None
    if len(kept) < 2:
        reason = text("r_fewer_than_two_levels", variable=variable, months=months(visit))
    else:
        assert built is not None
        data, X, between, effects = built
        reason = first(caseworker_df_reason(data, len(between), text("w_followup_who5")), rank_reason(X))
    if reason:
        rows.update({lev: not_estimated(f"subgroup:{variable}={lev}", "who5", visit, "mean_difference", reason,
                                        method) for lev in kept})
        return [rows[lev] for lev in levels]
    result = fit_lmm(data, X, between, df_method)
    method = text("meth_subgroup_random", variable=variable, df=DF_WORDS[df_method], random=random_words(result.fit.free))
    base = next(iter(effects.values()))
    Lmat = np.array([(L - base).to_numpy() for L in list(effects.values())[1:]])
    _, _, _, p_int = satterthwaite_f(result.model, result.fit, Lmat)
    for lev, L in effects.items():
        row = contrast_row(result, L, "who5", visit, "mean_difference", method,
                           data[data["level"] == lev], f"subgroup:{variable}={lev}")
        row.p_interaction = p_int
        rows[lev] = row
    return [rows[lev] for lev in levels]


def subgroup_design(long: pd.DataFrame, citizens: pd.DataFrame, variable: str, age_breaks: list[int],
                    strata: list[str] | None = None, visit: int = 12, levels: list | None = None):
    """Data, design, between columns and per-level effect contrasts of :func:`subgroup` (None if < 2 levels).

    ``levels``: the levels to keep (default: every level present).
    """
    level_of = subgroup_levels(citizens, variable, age_breaks)
    levels_by_citizen = pd.Series(level_of.to_numpy(), index=citizens["citizen_id"])
    data = long.assign(level=long["citizen_id"].map(levels_by_citizen))
    data = data[data["level"].notna()]
    if levels is not None:
        data = data[data["level"].isin(levels)]
    data = data.sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort")
    data = data.reset_index(drop=True)
    levels = sorted(data["level"].unique(), key=str)
    if len(levels) < 2:
        return None
    strata = _strata(data, strata)
    base, between = _design(data, strata)
    X = base.drop(columns=[c for c in base if c.startswith("fit")])
    visits = sorted(data["visit"].unique())
    for lev in levels[1:]:
        if variable != "stratum":
            X[f"level[{lev}]"] = (data["level"] == lev).astype(float)
        for v in visits[1:]:
            X[f"level[{lev}]:visit[{v}]"] = ((data["level"] == lev) & (data["visit"] == v)).astype(float)
    for lev in levels:
        X[f"fit:level[{lev}]"] = data["fit"] * (data["level"] == lev)
        for v in visits[1:]:
            X[f"fit:level[{lev}]:visit[{v}]"] = X[f"fit:level[{lev}]"] * (data["visit"] == v)
    effects = {}
    for lev in levels:
        L = pd.Series(0.0, index=X.columns)
        L[f"fit:level[{lev}]"] = 1.0
        if f"fit:level[{lev}]:visit[{visit}]" in L.index:
            L[f"fit:level[{lev}]:visit[{visit}]"] = 1.0
        effects[lev] = L
    return data, X, between, effects
