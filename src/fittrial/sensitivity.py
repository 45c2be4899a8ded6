"""Sensitivity analyses of the 12-month WHO-5 effect (and 6 months where the model gives it).

Each function returns effects-table rows (:class:`fittrial.models.Contrast`)
whose ``analysis`` names it. Estimators, covariances and the distribution
behind every p-value are stated in the docstrings and in each row's ``method``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .lmm import satterthwaite_f
from .models import (DF_WORDS, Contrast, _design, contrast_row, fit_lmm, t_inference)


def _strata(frame: pd.DataFrame, strata: list[str] | None) -> list[str]:
    present = set(frame["stratum"])
    return [s for s in (strata or sorted(present)) if s in present]


def _stratum_dummies(frame: pd.DataFrame, strata: list[str]) -> pd.DataFrame:
    return pd.DataFrame({f"stratum[{s}]": (frame["stratum"] == s).astype(float) for s in strata[1:]},
                        index=frame.index)


def clda(citizens: pd.DataFrame, strata: list[str] | None = None, df_method: str = "satterthwaite",
         visits: tuple[int, ...] = (0, 6, 12)) -> list[Contrast]:
    """Constrained longitudinal data analysis (Coffman et al. 2016).

    Baseline is part of the outcome vector (WHO-5 at 0, 6, 12 months); the
    model ``who5 ~ visit + fit:visit[6] + fit:visit[12] + stratum`` has no arm
    main effect, so the baseline means are constrained equal across arms (true
    by randomisation). Random intercepts for caseworker and citizen (compound
    symmetry within citizen). Uses every observed WHO-5, including citizens with
    a baseline but no follow-up.
    """
    data, X, between, contrasts = clda_design(citizens, strata, visits)
    result = fit_lmm(data, X, between, df_method)
    method = ("Constrained longitudinal analysis: WHO-5 at 0, 6 and 12 months as outcome, equal baseline means "
              "across arms, stratum; random intercepts for caseworker and citizen (REML); t-test with "
              + DF_WORDS[df_method] + "; all observed WHO-5 (missing at random)")
    return [contrast_row(result, L, "who5", v, "mean_difference", method, data[data["visit"] == v], "clda")
            for v, L in contrasts.items()]


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
    between = ["intercept", *[c for c in X if c.startswith("stratum[")]]
    contrasts = {}
    for v in follow:
        L = pd.Series(0.0, index=X.columns)
        L[f"fit:visit[{v}]"] = 1.0
        contrasts[v] = L
    return data, X, between, contrasts


def cluster_level(citizens: pd.DataFrame, strata: list[str] | None = None, visit: int = 12) -> list[Contrast]:
    """Two-stage cluster-level analysis (Hayes & Moulton 2017, ch. 10).

    Stage 1: OLS of WHO-5 at ``visit`` on baseline WHO-5, the missing-baseline
    indicator and stratum, without arm, on the citizens with the outcome.
    Stage 2: the caseworker means of the stage-1 residuals compared between
    arms, unweighted (each caseworker counts once) and weighted by the number
    of citizens (WLS); classical t-test with K - 1 - S df (K caseworkers, S
    strata: one df per cluster-level parameter estimated at either stage).
    """
    col = f"who5_m{visit}"
    data = citizens[citizens[col].notna()].copy()
    strata = _strata(data, strata)
    X = pd.DataFrame({"intercept": 1.0, "baseline_who5": data["baseline_who5"]}, index=data.index)
    if data["baseline_missing"].nunique() > 1:
        X["baseline_missing"] = data["baseline_missing"].astype(float)
    X = X.join(_stratum_dummies(data, strata))
    data["resid"] = sm.OLS(data[col].astype(float), X).fit().resid
    clusters = data.groupby("caseworker_id").agg(resid=("resid", "mean"), fit=("fit", "first"),
                                                 n=("resid", "size"))
    K, S = len(clusters), len(strata)
    df = float(K - 1 - S)
    out = []
    for label, weights in (("cluster_level", np.ones(K)), ("cluster_level_weighted", clusters["n"].to_numpy(float))):
        Z = sm.add_constant(clusters["fit"].astype(float))
        wls = sm.WLS(clusters["resid"], Z, weights=weights).fit()
        est, se = float(wls.params["fit"]), float(wls.bse["fit"])
        lo, hi, p = t_inference(est, se, df)
        how = "unweighted" if label == "cluster_level" else "weighted by citizens per caseworker"
        method = (f"Two-stage cluster-level analysis: stage 1 OLS of WHO-5 on baseline WHO-5 and stratum without "
                  f"arm; stage 2 caseworker means of residuals compared by arm ({how}); t-test with caseworkers - "
                  f"1 - strata df; citizens with WHO-5 at {visit} months (complete cases)")
        out.append(Contrast("who5", visit, "mean_difference", est, se, df, lo, hi, p, method, K, len(data), label))
    return out


def cr2(X: np.ndarray, e: np.ndarray, groups: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, float]:
    """CR2 cluster-robust covariance of OLS and the Bell-McCaffrey df for the contrast c.

    V = M [sum_j X_j' A_j e_j e_j' A_j X_j] M with M = (X'X)^-1 and
    A_j = (I - X_j M X_j')^-1/2 (Bell & McCaffrey 2002). df: Satterthwaite
    approximation under the working model Var(y) = sigma^2 I, as clubSandwich's
    ``coef_test(test = "Satterthwaite")`` for ``lm``: with w_j = (I - H) U_j,
    U_j = A_j X_j M c embedded at cluster j's rows and G = [w_i' w_j],
    df = tr(G)^2 / sum(G^2) (Pustejovsky & Tipton 2018).
    """
    M = np.linalg.inv(X.T @ X)
    labels = pd.unique(groups)
    meat = np.zeros((X.shape[1], X.shape[1]))
    U = np.zeros((len(e), len(labels)))
    for k, g in enumerate(labels):
        idx = np.flatnonzero(groups == g)
        Xj = X[idx]
        Hjj = Xj @ M @ Xj.T
        w, Q = np.linalg.eigh(np.eye(len(idx)) - Hjj)
        A = (Q * np.where(w > 1e-12, w, np.inf) ** -0.5) @ Q.T
        u = Xj.T @ A @ e[idx]
        meat += np.outer(u, u)
        U[idx, k] = A @ Xj @ M @ c
    V = M @ meat @ M
    W = U - X @ (M @ (X.T @ U))
    G = W.T @ W
    df = float(np.trace(G) ** 2 / np.sum(G * G))
    return V, df


def ancova_cr2(citizens: pd.DataFrame, strata: list[str] | None = None, visit: int = 12) -> tuple[Contrast, dict]:
    """Complete-case ANCOVA at ``visit`` by OLS with CR2 covariance and Bell-McCaffrey df.

    ``who5 ~ fit + baseline_who5 + baseline_missing + stratum`` fitted with
    linearmodels' ``IV2SLS`` (no instruments: OLS); its clustered covariances
    (CR0 without and CR1 with the small-sample factor ``debiased=True``, which
    uses N - k, not K - 1) are returned beside the row for comparison. The row
    itself uses CR2 and t with Bell-McCaffrey df.
    """
    from linearmodels.iv import IV2SLS

    col = f"who5_m{visit}"
    data = citizens[citizens[col].notna()].sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    strata = _strata(data, strata)
    X = pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float), "baseline_who5": data["baseline_who5"]},
                     index=data.index)
    if data["baseline_missing"].nunique() > 1:
        X["baseline_missing"] = data["baseline_missing"].astype(float)
    X = X.join(_stratum_dummies(data, strata))
    y = data[col].astype(float)
    clusters = pd.Series(pd.factorize(data["caseworker_id"])[0], index=data.index)
    res0 = IV2SLS(y, X, None, None).fit(cov_type="clustered", clusters=clusters, debiased=False)
    res1 = IV2SLS(y, X, None, None).fit(cov_type="clustered", clusters=clusters, debiased=True)
    c = (X.columns == "fit").astype(float)
    V, df = cr2(X.to_numpy(), np.asarray(res0.resids), data["caseworker_id"].to_numpy(), c)
    est, se = float(res0.params["fit"]), float(np.sqrt(c @ V @ c))
    lo, hi, p = t_inference(est, se, df)
    method = (f"Complete-case ANCOVA at {visit} months by OLS (baseline WHO-5, stratum); CR2 cluster-robust "
              "covariance by caseworker; t-test with Bell-McCaffrey (Satterthwaite) df")
    extra = {"se_cr0_linearmodels": float(res0.std_errors["fit"]), "se_cr1_linearmodels": float(res1.std_errors["fit"])}
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
                 strata: list[str] | None = None, df_method: str = "satterthwaite") -> list[Contrast]:
    """The primary mixed model on control citizens and adherent FIT citizens (non-adherent FIT excluded)."""
    keep = set(citizens.loc[(citizens["fit"] == 0) | (adherent == 1), "citizen_id"])
    data = long[long["citizen_id"].isin(keep)].sort_values(["caseworker_id", "citizen_id", "visit"],
                                                           kind="mergesort").reset_index(drop=True)
    X, between = _design(data, _strata(data, strata))
    result = fit_lmm(data, X, between, df_method)
    method = (f"Per protocol: the primary mixed model on control citizens and FIT citizens with >= {min_sessions} "
              "meetings with ORS and SRS (non-adherent FIT citizens excluded; not randomisation-protected); t-test "
              "with " + DF_WORDS[df_method])
    return [contrast_row(result, result.arm_contrast(v), "who5", int(v), "mean_difference", method,
                         data[data["visit"] == v], "per_protocol") for v in sorted(data["visit"].unique())]


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
    data = data[data[col].notna()].sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    strata = _strata(data, strata)
    exog = pd.DataFrame({"intercept": 1.0, "baseline_who5": data["baseline_who5"]}, index=data.index)
    if data["baseline_missing"].nunique() > 1:
        exog["baseline_missing"] = data["baseline_missing"].astype(float)
    exog = exog.join(_stratum_dummies(data, strata))
    K = int(data["caseworker_id"].nunique())
    df = float(K - 1 - len(strata))
    method = (f"Complier average causal effect: 2SLS of WHO-5 at {visit} months on adherence (>= {min_sessions} "
              "meetings with ORS/SRS) instrumented by randomised arm, adjusted for baseline WHO-5 and stratum; "
              "caseworker-clustered covariance (linearmodels, debiased); t-test with caseworkers - 1 - strata df; "
              "complete cases")
    if data["adherent"].sum() == 0:
        nan = float("nan")
        return Contrast("who5", visit, "mean_difference", nan, nan, nan, nan, nan, nan,
                        "Not estimated: no FIT citizen meets the adherence definition.", K, len(data), "cace")
    res = IV2SLS(data[col].astype(float), exog, data[["adherent"]].astype(float), data[["fit"]].astype(float)).fit(
        cov_type="clustered", clusters=pd.Series(pd.factorize(data["caseworker_id"])[0], index=data.index),
        debiased=True)
    est, se = float(res.params["adherent"]), float(res.std_errors["adherent"])
    lo, hi, p = t_inference(est, se, df)
    return Contrast("who5", visit, "mean_difference", est, se, df, lo, hi, p, method, K, len(data), "cace")


def subgroup_levels(citizens: pd.DataFrame, variable: str, age_breaks: list[int]) -> pd.Series:
    """The subgroup level of each citizen (missing where the variable is missing)."""
    if variable == "stratum":
        return citizens["stratum"].astype(object)
    if variable == "sex":
        return citizens["sex"].astype(object)
    if variable == "baseline_who5_le50":
        base = citizens["who5_m0"]
        return pd.Series(np.where(base.isna(), None, np.where(base <= 50, "<=50", ">50")), index=citizens.index,
                         dtype=object)
    if variable == "age_group":
        edges = [-np.inf, *age_breaks, np.inf]
        labels = [f"<{age_breaks[0]}"] + [f"{a}-{b - 1}" for a, b in zip(age_breaks, age_breaks[1:])] + \
                 [f"{age_breaks[-1]}+"]
        return pd.cut(citizens["age"].astype(float), edges, right=False, labels=labels).astype(object)
    raise ValueError(f"unknown subgroup variable {variable!r}; use stratum, sex, baseline_who5_le50 or age_group")


def subgroup(long: pd.DataFrame, citizens: pd.DataFrame, variable: str, age_breaks: list[int],
             strata: list[str] | None = None, df_method: str = "satterthwaite", visit: int = 12) -> list[Contrast]:
    """The 12-month effect within each level of a subgroup variable, and the interaction test.

    The primary mixed model extended with level x visit and arm x level x visit
    terms; the effect in each level is its arm contrast at ``visit``; the
    interaction p-value is the F-test that the effects are equal across levels,
    with Satterthwaite denominator df as lmerTest's ``contestMD``. Citizens with
    the variable missing are left out of that subgroup analysis.
    """
    built = subgroup_design(long, citizens, variable, age_breaks, strata, visit)
    if built is None:
        return []
    data, X, between, effects = built
    result = fit_lmm(data, X, between, df_method)
    first = next(iter(effects.values()))
    Lmat = np.array([(L - first).to_numpy() for L in list(effects.values())[1:]])
    _, _, _, p_int = satterthwaite_f(result.model, result.fit, Lmat)
    method = (f"Subgroup {variable}: primary mixed model with arm x {variable} x visit interaction; effect within "
              f"the level; t-test with {DF_WORDS[df_method]}; interaction: F-test of equal effects across levels "
              "with Satterthwaite denominator df (lmerTest contestMD)")
    out = []
    for lev, L in effects.items():
        row = contrast_row(result, L, "who5", visit, "mean_difference", method,
                           data[(data["level"] == lev) & (data["visit"] == visit)], f"subgroup:{variable}={lev}")
        row.p_interaction = p_int
        out.append(row)
    return out


def subgroup_design(long: pd.DataFrame, citizens: pd.DataFrame, variable: str, age_breaks: list[int],
                    strata: list[str] | None = None, visit: int = 12):
    """Data, design, between columns and per-level effect contrasts of :func:`subgroup` (None if < 2 levels)."""
    level_of = subgroup_levels(citizens, variable, age_breaks)
    levels_by_citizen = pd.Series(level_of.to_numpy(), index=citizens["citizen_id"])
    data = long.assign(level=long["citizen_id"].map(levels_by_citizen))
    data = data[data["level"].notna()].sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort")
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
