"""Effect models comparing FIT with control (intention to treat).

Primary: linear mixed model for WHO-5 at 6 and 12 months
--------------------------------------------------------
``who5 ~ fit * visit + baseline_who5 + baseline_missing + stratum`` with a random
intercept for caseworker and for citizen within caseworker, fitted by REML
(:class:`fittrial.lmm.NestedREML`, checked against lme4; statsmodels' ``MixedLM``
stops short of the maximum near a zero variance, see that module).

* Standard errors are computed as lme4 computes them: ``(X' V^-1 X)^-1`` at
  the REML variance estimates, i.e. conditional on the variance parameters
  (unlike statsmodels' ``MixedLM.bse``, which comes from the joint Hessian).
* Degrees of freedom: between-within, ``K - p_between`` where K is the number
  of caseworkers with data and p_between the number of fixed parameters that
  are constant within caseworker (intercept, arm, stratum dummies). The same
  df is used for the 6- and 12-month contrasts, which is conservative for the
  visit-specific part.
* CI: estimate +/- t(df, 0.975) x SE; p-value two-sided from t(df).
* Missing baseline: replaced by the overall baseline mean plus an indicator
  (White & Thompson 2005). Missing follow-up: the likelihood uses every observed
  follow-up (valid under missing at random given the covariates and the
  citizen's other follow-up).

Secondary: GEE for the binary course outcomes
---------------------------------------------
``outcome ~ fit + stratum``, logit link, exchangeable working correlation within
caseworker (statsmodels ``GEE``). Covariance: bias-reduced sandwich of Mancl &
DeRouen (2001) (``cov_robust_bc``) by default. CI and p-values from t with
``K - p`` df (K caseworkers analysed, p regression parameters). Reported as the
odds ratio exp(beta_fit) and the marginal risk difference standardised over
the analysed sample (mean predicted risk with everyone FIT minus everyone
control), its SE by the delta method on the same covariance.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.genmod.cov_struct import Exchangeable
from statsmodels.genmod.generalized_estimating_equations import GEE

from .lmm import NestedREML, NestedREMLFit

GEE_COVARIANCES = {"robust": "robust", "mancl_derouen": "bias_reduced"}


@dataclass
class Contrast:
    """One estimated FIT-versus-control contrast with t-based inference."""

    outcome: str
    timepoint_months: int
    scale: str
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    n_clusters: int
    n_citizens: int

    def as_row(self) -> dict:
        return {k: getattr(self, k) for k in
                ("outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                 "p_value", "method", "n_clusters", "n_citizens")}


def t_inference(estimate: float, se: float, df: float, level: float = 0.95) -> tuple[float, float, float]:
    """Return (ci_low, ci_high, two-sided p) from a t distribution with ``df`` degrees of freedom."""
    q = stats.t.ppf(0.5 + level / 2, df)
    p = 2 * stats.t.sf(abs(estimate / se), df)
    return estimate - q * se, estimate + q * se, float(p)


def _design(long: pd.DataFrame, strata: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Fixed-effects design of the primary model (names are stable across data sets)."""
    visits = sorted(long["visit"].unique())
    X = pd.DataFrame({"intercept": 1.0, "fit": long["fit"].astype(float)}, index=long.index)
    between = ["intercept", "fit"]
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (long["stratum"] == s).astype(float)
        between.append(f"stratum[{s}]")
    for v in visits[1:]:
        X[f"visit[{v}]"] = (long["visit"] == v).astype(float)
        X[f"fit:visit[{v}]"] = X["fit"] * X[f"visit[{v}]"]
    if long["baseline_who5"].nunique() > 1:  # no baseline at all: nothing to adjust for
        X["baseline_who5"] = long["baseline_who5"].astype(float)
    if long["baseline_missing"].nunique() > 1:
        X["baseline_missing"] = long["baseline_missing"].astype(float)
    return X, between


@dataclass
class LmmResult:
    """The primary mixed model: named coefficients and covariance, the REML fit, and the contrasts."""

    params: pd.Series
    cov: pd.DataFrame
    df: float
    fit: NestedREMLFit
    contrasts: list[Contrast] = field(default_factory=list)

    def __getattr__(self, name: str):
        # var_caseworker, var_citizen, var_residual, reml_criterion, n_obs, n_citizens, n_clusters
        if name != "fit" and name in NestedREMLFit.__dataclass_fields__:
            return getattr(self.fit, name)
        raise AttributeError(name)

    @property
    def icc_caseworker(self) -> float:
        """Share of the total WHO-5 variance between caseworkers."""
        total = self.var_caseworker + self.var_citizen + self.var_residual
        return self.var_caseworker / total

    def variance_table(self) -> pd.DataFrame:
        total = self.var_caseworker + self.var_citizen + self.var_residual
        rows = [("caseworker (cluster)", self.var_caseworker), ("citizen within caseworker", self.var_citizen),
                ("residual", self.var_residual)]
        return pd.DataFrame({"component": [r[0] for r in rows], "variance": [r[1] for r in rows],
                             "share": [r[1] / total for r in rows]})


LMM_METHOD = ("Linear mixed model (REML), random intercepts for caseworker and citizen within caseworker, "
              "adjusted for baseline WHO-5 (missing baseline: mean + indicator) and stratum; "
              "SE conditional on the variance estimates (as lme4); t-test with between-within df "
              "(caseworkers - caseworker-level parameters); citizens with >=1 follow-up WHO-5, missing "
              "follow-up assumed missing at random")


def fit_primary_lmm(long: pd.DataFrame, strata: list[str] | None = None) -> LmmResult:
    """Fit the primary WHO-5 mixed model and return the FIT-control contrasts at each follow-up.

    ``long`` has one row per citizen and follow-up visit with an observed
    WHO-5 (columns who5, fit, visit, baseline_who5, baseline_missing,
    stratum, caseworker_id, citizen_id). ``strata`` fixes the reference
    stratum (the first); by default the sorted strata present.
    """
    long = long.sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
    strata = sorted(long["stratum"].unique()) if strata is None else [s for s in strata if s in set(long["stratum"])]
    X, between = _design(long, strata)
    y = long["who5"].astype(float).to_numpy()
    groups = long["caseworker_id"].to_numpy()
    citizens = long["citizen_id"].to_numpy()
    fit = NestedREML(y, X.to_numpy(), groups, citizens).fit()
    params = pd.Series(fit.beta, index=X.columns)
    cov = pd.DataFrame(fit.cov_beta, index=X.columns, columns=X.columns)
    df = float(fit.n_clusters - len(between))
    result = LmmResult(params, cov, df, fit)
    visits = sorted(long["visit"].unique())
    for v in visits:
        L = pd.Series(0.0, index=X.columns)
        L["fit"] = 1.0
        if f"fit:visit[{v}]" in L.index:
            L[f"fit:visit[{v}]"] = 1.0
        est = float(L @ params)
        se = float(np.sqrt(L @ cov @ L))
        lo, hi, p = t_inference(est, se, df)
        n_cit_v = int(long.loc[long["visit"] == v, "citizen_id"].nunique())
        n_cl_v = int(long.loc[long["visit"] == v, "caseworker_id"].nunique())
        result.contrasts.append(Contrast("who5", int(v), "mean_difference", est, se, df, lo, hi, p,
                                         LMM_METHOD, n_cl_v, n_cit_v))
    return result


@dataclass
class GeeResult:
    """One binary outcome's GEE: odds ratio and standardised risk difference."""

    outcome: str
    params: pd.Series
    cov: pd.DataFrame
    df: float
    working_correlation: float
    n_clusters: int
    n_citizens: int
    n_missing: int
    risk_fit: float
    risk_control: float
    contrasts: list[Contrast] = field(default_factory=list)


def gee_method(covariance: str) -> str:
    cov_words = {"mancl_derouen": "bias-reduced sandwich covariance (Mancl-DeRouen)",
                 "robust": "sandwich covariance (no small-sample correction)"}[covariance]
    return (f"GEE, logit link, exchangeable working correlation within caseworker, adjusted for stratum; "
            f"{cov_words}; t-test with caseworkers - parameters df; citizens with the outcome observed "
            f"(complete cases)")


def _not_estimable(data: pd.DataFrame, outcome: str) -> str | None:
    """Why an arm comparison of a binary outcome cannot be estimated, or None."""
    for arm, label in ((1, "FIT"), (0, "control")):
        values = data.loc[data["fit"] == arm, outcome]
        if values.empty:
            return f"no {label} citizen has {outcome} observed"
        if values.nunique() == 1:
            return (f"{outcome} is {int(values.iloc[0])} for every analysed {label} citizen, so the odds ratio "
                    "is not estimable (complete separation)")
    return None


def _empty_gee(outcome: str, columns: pd.Index, data: pd.DataFrame, n_missing: int, timepoint_months: int,
               reason: str) -> GeeResult:
    nan = float("nan")
    n_cl = int(data["caseworker_id"].nunique())
    out = GeeResult(outcome, pd.Series(nan, index=columns), pd.DataFrame(nan, index=columns, columns=columns), nan,
                    nan, n_cl, len(data), n_missing, nan, nan)
    for scale in ("odds_ratio", "risk_difference"):
        out.contrasts.append(Contrast(outcome, timepoint_months, scale, nan, nan, nan, nan, nan, nan,
                                      f"Not estimated: {reason}.", n_cl, len(data)))
    return out


def fit_binary_gee(citizens: pd.DataFrame, outcome: str, covariance: str = "mancl_derouen",
                   strata: list[str] | None = None, timepoint_months: int = 12) -> GeeResult:
    """Fit ``outcome ~ fit + stratum`` by GEE and return OR and risk difference (FIT vs control).

    Citizens with the outcome missing are left out and counted in ``n_missing``.
    """
    if covariance not in GEE_COVARIANCES:
        raise ValueError(f"covariance must be one of {', '.join(GEE_COVARIANCES)}, not {covariance!r}")
    data = citizens[citizens[outcome].notna()].sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    n_missing = int(citizens[outcome].isna().sum())
    strata = sorted(data["stratum"].unique()) if strata is None else [s for s in strata if s in set(data["stratum"])]
    X = pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float)}, index=data.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (data["stratum"] == s).astype(float)
    y = data[outcome].astype(float).to_numpy()
    groups = pd.factorize(data["caseworker_id"])[0]
    reason = _not_estimable(data, outcome)
    if reason is not None:
        return _empty_gee(outcome, X.columns, data, n_missing, timepoint_months, reason)
    model = GEE(y, X.to_numpy(), groups=groups, family=sm.families.Binomial(), cov_struct=Exchangeable())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=200, ddof_scale=0, cov_type=GEE_COVARIANCES[covariance])
    if res is None or not np.all(np.isfinite(res.params)):
        return _empty_gee(outcome, X.columns, data, n_missing, timepoint_months, "the GEE did not converge")
    params = pd.Series(np.asarray(res.params), index=X.columns)
    cov_arr = np.asarray(res.cov_params())
    cov = pd.DataFrame(cov_arr, index=X.columns, columns=X.columns)
    n_clusters = int(np.unique(groups).size)
    df = float(n_clusters - X.shape[1])
    method = gee_method(covariance)
    out = GeeResult(outcome, params, cov, df, float(model.cov_struct.dep_params), n_clusters, len(data),
                    n_missing, float("nan"), float("nan"))

    b, se_b = float(params["fit"]), float(np.sqrt(cov.loc["fit", "fit"]))
    lo, hi, p = t_inference(b, se_b, df)
    out.contrasts.append(Contrast(outcome, timepoint_months, "odds_ratio", float(np.exp(b)), se_b, df,
                                  float(np.exp(lo)), float(np.exp(hi)), p,
                                  method + "; SE on the log-odds scale, CI exp(log OR +/- t x SE)",
                                  n_clusters, len(data)))
    X1, X0 = X.to_numpy().copy(), X.to_numpy().copy()
    j = list(X.columns).index("fit")
    X1[:, j], X0[:, j] = 1.0, 0.0
    p1, p0 = 1 / (1 + np.exp(-X1 @ params.to_numpy())), 1 / (1 + np.exp(-X0 @ params.to_numpy()))
    rd = float(p1.mean() - p0.mean())
    grad = (X1 * (p1 * (1 - p1))[:, None]).mean(axis=0) - (X0 * (p0 * (1 - p0))[:, None]).mean(axis=0)
    se_rd = float(np.sqrt(grad @ cov_arr @ grad))
    lo, hi, p = t_inference(rd, se_rd, df)
    out.risk_fit, out.risk_control = float(p1.mean()), float(p0.mean())
    out.contrasts.append(Contrast(outcome, timepoint_months, "risk_difference", rd, se_rd, df, lo, hi, p,
                                  method + "; risk difference standardised over the analysed citizens, "
                                  "delta-method SE", n_clusters, len(data)))
    return out
