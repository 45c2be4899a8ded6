"""Effect models comparing FIT with control (intention to treat).

Primary: linear mixed model for WHO-5 at 6 and 12 months
--------------------------------------------------------
``who5 ~ fit * visit + baseline_who5 + baseline_missing + stratum`` with a random
intercept for caseworker and for citizen within caseworker, fitted by REML
(:class:`fittrial.models.lmm.NestedREML`, checked against lme4; statsmodels' ``MixedLM``
stops short of the maximum near a zero variance, see that module).

* SE and degrees of freedom (``df_method``, config ``analysis.lmm_df``):
  ``kenward_roger`` (the default): the Kenward-Roger adjusted covariance and
  df, as pbkrtest computes them; ``kenward_roger_capped``: the same with the
  df of a contrast involving the arm capped at the between-within df (the
  default before issue 24: too conservative in small trials, see
  docs/methods.md); ``satterthwaite``: the SE as lme4 computes it,
  ``(X' V^-1 X)^-1`` at the REML variance estimates (conditional on the
  variance parameters, unlike statsmodels' ``MixedLM.bse``), with
  Satterthwaite df as lmerTest; ``between_within``: that SE with ``K -
  p_between`` df (caseworkers minus the caseworker-level parameters:
  intercept, arm, stratum dummies).
* CI: estimate +/- t(df, 0.975) x SE; p-value two-sided from t(df).
* Missing baseline: replaced by the overall baseline mean plus an indicator
  (White & Thompson 2005). Missing follow-up: the likelihood uses every observed
  follow-up (valid under missing at random given the covariates and the
  citizen's other follow-up).

Secondary: GEE for the binary course outcomes
---------------------------------------------
``outcome ~ fit + stratum``, logit link, exchangeable working correlation within
caseworker (statsmodels' GEE algorithm, :mod:`fittrial.models.gee`). Covariance:
bias-reduced sandwich of Mancl & DeRouen (2001) by default, or Kauermann-Carroll, or the plain sandwich. CI and
p-values from t with ``K - p`` df (K caseworkers analysed, p regression
parameters). Reported as the odds ratio exp(beta_fit), and the marginal risk
difference and risk ratio standardised over the analysed sample (mean
predicted risk with everyone FIT versus everyone control), their SEs by the
delta method on the same covariance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from fittrial.base.tdist import t_ppf, t_sf
from fittrial.language.messages import text
from fittrial.models.estimable import (
    NotEstimable,
    arm_reason,
    caseworker_df_reason,
    first,
    rank_reason,
    sentence,
    separation_reason,
    usable_visits,
)
from fittrial.models.gee import INDEPENDENCE_NOTE, gee_sandwich, solve_exchangeable_gee  # noqa: F401 (re-exported)
from fittrial.models.lmm import NestedREML, NestedREMLFit
from fittrial.models.smallsample import ContrastInference, kenward_roger, satterthwaite

GEE_COVARIANCES = ("robust", "mancl_derouen", "kauermann_carroll")


@dataclass
class Contrast:
    """One estimated FIT-versus-control contrast with t-based inference (a row of the effects table)."""

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
    analysis: str = "itt"
    p_interaction: float = float("nan")
    not_estimated: str = ""
    mc_se: float = float("nan")  # Monte Carlo SE of a simulation-based estimate (multiple imputation)

    def as_row(self) -> dict:
        return {k: getattr(self, k) for k in
                ("analysis", "outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                 "p_value", "p_interaction", "mc_se", "method", "not_estimated", "n_clusters", "n_citizens")}


def not_estimated(analysis: str, outcome: str, timepoint: int, scale: str, reason: str, method: str = "",
                  n_clusters: int = 0, n_citizens: int = 0) -> Contrast:
    """An effects-table row whose estimate is empty, with the reason in words (and the method it would have used)."""
    nan = float("nan")
    return Contrast(outcome, int(timepoint), scale, nan, nan, nan, nan, nan, nan, method, int(n_clusters),
                    int(n_citizens), analysis, nan, sentence(reason))


def t_inference(estimate: float, se: float, df: float, level: float = 0.95) -> tuple[float, float, float]:
    """Return (ci_low, ci_high, two-sided p) from a t distribution with ``df`` degrees of freedom."""
    q = t_ppf(0.5 + level / 2, df)
    p = 2 * t_sf(abs(estimate / se), df)
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


def arm_vector(names: list[str], visit: int) -> np.ndarray:
    """L for FIT - control at a follow-up visit, over the coefficients ``names`` of the primary design."""
    L = np.zeros(len(names))
    L[names.index("fit")] = 1.0
    if f"fit:visit[{visit}]" in names:
        L[names.index(f"fit:visit[{visit}]")] = 1.0
    return L


DF_METHODS = ("satterthwaite", "kenward_roger", "kenward_roger_capped", "between_within")
DF_WORDS = {method: text(f"w_df_{method}") for method in DF_METHODS}  # the df rules in words (the catalogue)


@dataclass
class LmmResult:
    """The primary mixed model: named coefficients and covariance, the REML fit, and the contrasts."""

    params: pd.Series
    cov: pd.DataFrame
    df: float
    fit: NestedREMLFit
    model: NestedREML
    design_means: pd.Series
    df_method: str = "kenward_roger"
    contrasts: list[Contrast] = field(default_factory=list)
    model_visits: list[int] = field(default_factory=list)
    canonical_model: NestedREML | None = None
    canonical_fit: NestedREMLFit | None = None

    @property
    def canonical(self) -> tuple[NestedREML, NestedREMLFit]:
        """The model and fit in the arm coding that does not depend on which arm is which (see
        :func:`canonical_arm_coding`): what every result that names no arm (variance components, ICC and its
        bootstrap) is computed from, so that it is the same bits under either blinding key and unblinded."""
        if self.canonical_model is not None and self.canonical_fit is not None:
            return self.canonical_model, self.canonical_fit
        return self.model, self.fit

    def __getattr__(self, name: str):
        # var_caseworker, var_citizen, var_residual, reml_criterion, n_obs, n_citizens, n_clusters
        if name not in ("fit", "model") and name in NestedREMLFit.__dataclass_fields__:
            return getattr(self.fit, name)
        raise AttributeError(name)

    def infer(self, L: pd.Series, df_method: str | None = None) -> ContrastInference:
        """Estimate, SE and df of L'beta (L indexed by coefficient name)."""
        method = df_method or self.df_method
        vec = L.reindex(self.params.index).fillna(0.0).to_numpy()
        if method == "satterthwaite":
            return satterthwaite(self.model, self.fit, vec)
        if method in ("kenward_roger", "kenward_roger_capped"):
            inf = kenward_roger(self.model, self.fit, vec)
            # capped: a contrast involving the arm (a caseworker-level factor) gets no more df than the between-
            # within df (too conservative with few caseworkers: 1.4% at 10 caseworkers, docs/methods.md)
            if method == "kenward_roger_capped" and any(
                    vec[k] != 0 for k, name in enumerate(self.params.index) if name.startswith("fit")):
                inf = ContrastInference(inf.estimate, inf.se, min(inf.df, self.df))
            return inf
        if method == "between_within":
            return ContrastInference(float(vec @ self.fit.beta), float(np.sqrt(vec @ self.fit.cov_beta @ vec)),
                                     self.df)
        raise ValueError(f"df method must be one of {', '.join(DF_METHODS)}, not {method!r}")

    def arm_contrast(self, visit: int) -> pd.Series:
        """L for FIT - control at a follow-up visit."""
        return pd.Series(arm_vector(list(self.params.index), visit), index=self.params.index)

    def emmeans(self, visits: list[int], level: float = 0.95) -> pd.DataFrame:
        """Estimated marginal means by arm and visit, as emmeans computes them.

        Strata are weighted equally and the numeric covariates (baseline WHO-5,
        missing-baseline indicator) are held at their means over the analysed
        rows. SE and df by the configured method (Kenward-Roger: as pbkrtest).
        """
        rows = []
        for v in visits:
            for arm, label in ((1, "FIT"), (0, "control")):
                L = pd.Series(0.0, index=self.params.index)
                L["intercept"] = 1.0
                strata = [k for k in L.index if k.startswith("stratum[")]
                for k in strata:
                    L[k] = 1.0 / (len(strata) + 1)
                for k in ("baseline_who5", "baseline_missing"):
                    if k in L.index:
                        L[k] = self.design_means[k]
                if f"visit[{v}]" in L.index:
                    L[f"visit[{v}]"] = 1.0
                L["fit"] = float(arm)
                if f"fit:visit[{v}]" in L.index:
                    L[f"fit:visit[{v}]"] = float(arm)
                inf = self.infer(L)
                if self.df_method == "kenward_roger_capped":
                    # capped: an arm's mean, like the contrast of the arms, is an average over the arm's
                    # caseworkers, so its df are capped at the between-within df too
                    inf = ContrastInference(inf.estimate, inf.se, min(inf.df, self.df))
                lo, hi, _ = t_inference(inf.estimate, inf.se, inf.df, level)
                rows.append({"arm": label, "visit_months": v, "emmean": inf.estimate, "se": inf.se, "df": inf.df,
                             "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows)

    @property
    def icc_caseworker(self) -> float:
        """Share of the total WHO-5 variance at a visit that lies between caseworkers (caseworker and caseworker
        x visit intercepts)."""
        total = self.var_caseworker + self.var_cw_visit + self.var_citizen + self.var_residual
        return (self.var_caseworker + self.var_cw_visit) / total

    def variance_table(self) -> pd.DataFrame:
        """Variance components with their share of the total; a component left out of the model is not estimated."""
        return variance_table(self.fit)


LEFT_OUT = {"caseworker": text("r_left_out_caseworker"), "caseworker:visit": text("r_left_out_caseworker_visit"),
            "citizen": text("r_left_out_citizen")}


def variance_table(fit: NestedREMLFit | None, reason: str = "") -> pd.DataFrame:
    """Variance components (caseworker, caseworker x visit, citizen, residual) with shares; empty with
    ``reason`` when not fitted."""
    names = [text("w_component_caseworker"), text("w_caseworker_x_visit"), text("w_citizen_within_caseworker"),
             text("w_residual")]
    if fit is None:
        return pd.DataFrame({"component": names, "variance": np.nan, "share": np.nan,
                             "not_estimated": sentence(reason)})
    free = tuple(fit.free) + (False,) * (3 - len(fit.free))
    values = [fit.var_caseworker, fit.var_cw_visit, fit.var_citizen, fit.var_residual]
    total = sum(values)
    notes = ["" if free[0] else LEFT_OUT["caseworker"], "" if free[2] else LEFT_OUT["caseworker:visit"],
             "" if free[1] else LEFT_OUT["citizen"], ""]
    values = [v if not n else np.nan for v, n in zip(values, notes)]
    return pd.DataFrame({"component": names, "variance": values, "share": [v / total for v in values],
                         "not_estimated": [sentence(n) for n in notes]})


def random_words(free: tuple[bool, ...]) -> str:
    """The random part of a mixed model in words, saying which intercepts were left out and why."""
    free = tuple(free) + (False,) * (3 - len(free))
    words = (text("w_caseworker"), text("w_citizen_within_caseworker"), text("w_caseworker_x_visit"))
    parts = [word for word, f in zip(words, free) if f]
    if not parts:
        return text("w_no_random_intercepts")
    random = text("w_random_intercepts", intercept_list=parts) if len(parts) > 1 else \
        text("w_random_intercept", intercept=parts[0])
    why = []
    if not free[0]:
        why.append(text("w_no_caseworker_intercept"))
    if not free[1]:
        why.append(text("w_no_citizen_intercept"))
    return text("w_random_because", random=random, reasons="; ".join(why)) if why else random


def covariate_words(columns: list[str] | pd.Index, indicator: bool = True) -> str:
    """The adjustments a design actually makes, in words: "adjusted for baseline WHO-5 (missing baseline: mean +
    indicator) and stratum", "adjusted for stratum", "not adjusted for any covariate" (a trial without baseline
    and strata). ``indicator``: name the missing-baseline handling when the design has the indicator."""
    columns = list(columns)
    parts = []
    if "baseline_who5" in columns:
        parts.append(text("w_cov_baseline_indicator" if indicator and "baseline_missing" in columns else
                          "w_cov_baseline"))
    if any(str(c).startswith("stratum[") for c in columns):
        parts.append(text("w_cov_stratum"))
    return text("w_adjusted_for", covariate_list=parts) if parts else text("w_not_adjusted")


def lmm_method(df_method: str, free: tuple[bool, ...] = (True, True, True),
               columns: list[str] | pd.Index = ("baseline_who5", "baseline_missing", "stratum[]")) -> str:
    return text("meth_lmm", random=random_words(free), covariates=covariate_words(columns), df=DF_WORDS[df_method])


def canonical_arm_coding(X: pd.DataFrame) -> pd.DataFrame | None:
    """The design with every arm column coded -1/2 and +1/2 instead of 0 and 1 (``fit`` becomes fit - 1/2,
    ``fit:visit[v]`` becomes (fit - 1/2) x visit[v]); None when an arm column's base column is not in X.

    The two codings span the same columns, so the REML fit is mathematically the same. Exchanging the arms
    (as a blinding key does) only changes the sign of these columns, and floating-point arithmetic is exact
    under a change of sign, so a fit on this design gives the same bits whichever arm is which: variance
    components and ICCs computed from it do not depend on the blinding key (the 0/1 coding moved them in the
    9th digit, which a reader holding an unblinded table could use to tell the keys apart)."""
    out = X.copy()
    for column in X.columns:
        if column == "fit" or column.startswith("fit:"):
            base = "intercept" if column == "fit" else column.split(":", 1)[1]
            if base not in X:
                return None
            out[column] = X[column] - 0.5 * X[base]
    return out


def fit_lmm(data: pd.DataFrame, X: pd.DataFrame, between: list[str], df_method: str = "kenward_roger",
            cw_visit: bool = True, canonical: bool = False) -> LmmResult:
    """REML fit of ``data.who5`` on the design ``X`` with caseworker, caseworker x visit (``cw_visit``, when
    ``data`` has a ``visit`` column) and citizen random intercepts.

    ``between`` names the caseworker-level parameters (for the between-within
    df): the columns of X constant within caseworker, and the arm where a
    model compares it only through interactions (the CLDA). ``data`` must be sorted by caseworker and citizen.
    ``canonical``: estimate the variance parameters on :func:`canonical_arm_coding`'s design, and the
    coefficients (on X's coding) at them; the result's variance components are the canonical fit's.
    """
    if df_method not in DF_METHODS:
        raise ValueError(f"df_method must be one of {', '.join(DF_METHODS)}, not {df_method!r}")
    visit = data["visit"].to_numpy() if cw_visit and "visit" in data else None
    y, cw, cit = data["who5"].astype(float).to_numpy(), data["caseworker_id"].to_numpy(), data["citizen_id"].to_numpy()
    model = NestedREML(y, X.to_numpy(), cw, cit, visit)
    coded = canonical_arm_coding(X) if canonical else None
    model_c = fit_c = None
    if coded is None:
        fit = model.fit()
    else:
        model_c = NestedREML(y, coded.to_numpy(), cw, cit, visit)
        fit_c = model_c.fit()
        ratios = np.array([fit_c.var_caseworker, fit_c.var_citizen, fit_c.var_cw_visit]) / fit_c.var_residual \
            if fit_c.var_residual > 0 else np.zeros(3)
        fit = replace(model.at(np.sqrt(ratios)), var_caseworker=fit_c.var_caseworker, var_citizen=fit_c.var_citizen,
                      var_residual=fit_c.var_residual, var_cw_visit=fit_c.var_cw_visit,
                      reml_criterion=fit_c.reml_criterion)
    params = pd.Series(fit.beta, index=X.columns)
    cov = pd.DataFrame(fit.cov_beta, index=X.columns, columns=X.columns)
    return LmmResult(params, cov, float(fit.n_clusters - len(between)), fit, model, X.mean(), df_method,
                     canonical_model=model_c, canonical_fit=fit_c)


def contrast_row(result: LmmResult, L: pd.Series, outcome: str, timepoint: int, scale: str, method: str,
                 data: pd.DataFrame, analysis: str = "itt") -> Contrast:
    """A t-based effects-table row for L'beta of a mixed model (df by the result's df method).

    ``data``: the rows the model used for this row; ``n_citizens`` and
    ``n_clusters`` count the citizens and caseworkers contributing at least
    one observation (the analysis population of config/README.md), at any
    visit, since every observation informs the contrast."""
    inf = result.infer(L)
    lo, hi, p = t_inference(inf.estimate, inf.se, inf.df)
    return Contrast(outcome, timepoint, scale, inf.estimate, inf.se, inf.df, lo, hi, p, method,
                    int(data["caseworker_id"].nunique()), int(data["citizen_id"].nunique()), analysis)


def prepare_lmm(long: pd.DataFrame, strata: list[str] | None, visits: list[int] | None, what: str
                ) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[int, str]]:
    """Data, design and between-caseworker columns of the primary model on the visits where the arms can be
    compared, with the reason for every follow-up visit left out.

    Raises :class:`NotEstimable` when no visit is left, when the caseworkers
    with data do not exceed the caseworker-level parameters, or when the design
    is not of full rank.
    """
    visits = sorted(long["visit"].unique()) if visits is None else sorted(visits)
    ok, why = usable_visits(long, visits)
    if not ok:
        raise NotEstimable("; ".join(why[v] for v in visits), why)
    long = long[long["visit"].isin(ok)]
    long = long.sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(drop=True)
    strata = sorted(long["stratum"].unique()) if strata is None else [s for s in strata if s in set(long["stratum"])]
    X, between = _design(long, strata)
    reason = first(caseworker_df_reason(long, len(between), what), rank_reason(X))
    if reason:
        raise NotEstimable(reason)
    return long, X, between, why


def fit_primary_lmm(long: pd.DataFrame, strata: list[str] | None = None,
                    df_method: str = "kenward_roger", visits: list[int] | None = None) -> LmmResult:
    """Fit the primary WHO-5 mixed model and return the FIT-control contrasts at each follow-up.

    ``long`` has one row per citizen and follow-up visit with an observed
    WHO-5 (columns who5, fit, visit, baseline_who5, baseline_missing,
    stratum, caseworker_id, citizen_id). ``strata`` fixes the reference
    stratum (the first); by default the sorted strata present. ``df_method``:
    ``kenward_roger`` (default; an arm contrast's df capped at the
    between-within df), ``satterthwaite`` or ``between_within``.
    ``visits``: the follow-up visits of the schedule (default: those in
    ``long``). A visit at which the arms cannot be compared (see
    :mod:`fittrial.models.estimable`) is left out of the model and gets a
    not-estimated row; if no visit is left, :class:`NotEstimable` is raised.
    """
    data, X, between, why = prepare_lmm(long, strata, visits, text("w_followup_who5"))
    result = fit_lmm(data, X, between, df_method, canonical=True)
    result.model_visits = [int(v) for v in sorted(data["visit"].unique())]
    method = lmm_method(df_method, result.fit.free, X.columns)
    for v in sorted(set(data["visit"]) | set(why)):
        if v in why:
            result.contrasts.append(not_estimated("itt", "who5", v, "mean_difference", why[v], method))
        else:
            result.contrasts.append(contrast_row(result, result.arm_contrast(v), "who5", int(v), "mean_difference",
                                                 method, data))
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


def gee_method(covariance: str, columns: list[str] | pd.Index = ("stratum[]",)) -> str:
    return text("meth_gee", covariates=covariate_words(columns), covariance=text(f"w_cov_{covariance}"))


def _not_estimable(data: pd.DataFrame, outcome: str, n_params: int) -> str | None:
    """Why an arm comparison of a binary outcome cannot be estimated, or None."""
    if data.empty:
        return text("r_outcome_not_recorded", outcome=outcome)
    recorded = text("w_outcome_recorded", outcome=outcome)
    reason = first(arm_reason(data, recorded), caseworker_df_reason(data, n_params, recorded))
    if reason:
        return reason
    values = {arm: data.loc[data["fit"] == arm, outcome] for arm in (1, 0)}
    if all(v.nunique() == 1 for v in values.values()) and values[1].iloc[0] == values[0].iloc[0]:
        return text("r_outcome_constant", outcome=outcome, value=int(values[1].iloc[0]))
    for arm, label in ((1, "FIT"), (0, "control")):
        if values[arm].nunique() == 1:
            return text(f"r_outcome_separated_{label}", outcome=outcome, value=int(values[arm].iloc[0]))
    return None


def binary_design(citizens: pd.DataFrame, outcome: str, strata: list[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """Analysed citizens (outcome observed, sorted), the design ``outcome ~ fit + stratum`` and the reason why
    the arm comparison is not estimable (None if it is).

    A stratum in which every analysed citizen has the same outcome (all 0 or
    all 1: common with matched pairs and a rare outcome) is left out: with the
    strata as fixed effects its coefficient is infinite and it carries no
    information on the arm's odds ratio (the estimate with it is the limit of
    the estimate without it). The number left out is ``data.attrs["constant_strata"]``
    and the method text says so (:func:`constant_strata_words`).
    """
    data = citizens[citizens[outcome].notna()].sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    present = sorted(data["stratum"].unique()) if strata is None else [s for s in strata if s in set(data["stratum"])]
    dropped = 0
    if len(present) > 1:
        spread = data.groupby("stratum")[outcome].agg(lambda y: y.nunique())
        constant = [s for s in present if spread.get(s, 0) <= 1]
        if constant and len(constant) < len(present):
            data = data[~data["stratum"].isin(constant)]
            present = [s for s in present if s not in constant]
            dropped = len(constant)
    X = pd.DataFrame({"intercept": 1.0, "fit": data["fit"].astype(float)}, index=data.index)
    for s in present[1:]:
        X[f"stratum[{s}]"] = (data["stratum"] == s).astype(float)
    data.attrs["constant_strata"] = dropped
    reason = _not_estimable(data, outcome, X.shape[1])
    if reason is None:
        reason = first(rank_reason(X), separation_reason(data[outcome].astype(float).to_numpy(), X,
                                                         text("w_the_outcome", outcome=outcome)))
    return data, X, reason


def constant_strata_words(n: int) -> str:
    """The method's note on strata left out of a binary model because the outcome does not vary in them."""
    if not n:
        return ""
    return "; " + text("w_constant_stratum" if n == 1 else "w_constant_strata", n=n)


def _empty_gee(outcome: str, columns: pd.Index, data: pd.DataFrame, n_missing: int, timepoint_months: int,
               reason: str, method: str) -> GeeResult:
    nan = float("nan")
    n_cl = int(data["caseworker_id"].nunique())
    out = GeeResult(outcome, pd.Series(nan, index=columns), pd.DataFrame(nan, index=columns, columns=columns), nan,
                    nan, n_cl, len(data), n_missing, nan, nan)
    for scale in ("odds_ratio", "risk_difference", "risk_ratio"):
        out.contrasts.append(not_estimated("itt", outcome, timepoint_months, scale, reason, method, n_cl, len(data)))
    return out


def _standardised_risks(X: pd.DataFrame, beta: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Mean predicted risk with everyone FIT (p1) and everyone control (p0), and their gradients in beta."""
    X1, X0 = X.to_numpy().copy(), X.to_numpy().copy()
    j = list(X.columns).index("fit")
    X1[:, j], X0[:, j] = 1.0, 0.0
    p1, p0 = 1 / (1 + np.exp(-X1 @ beta)), 1 / (1 + np.exp(-X0 @ beta))
    g1 = (X1 * (p1 * (1 - p1))[:, None]).mean(axis=0)
    g0 = (X0 * (p0 * (1 - p0))[:, None]).mean(axis=0)
    return float(p1.mean()), float(p0.mean()), g1, g0


def fit_binary_gee(citizens: pd.DataFrame, outcome: str, covariance: str = "mancl_derouen",
                   strata: list[str] | None = None, timepoint_months: int = 12) -> GeeResult:
    """Fit ``outcome ~ fit + stratum`` by GEE; return OR, risk difference and risk ratio (FIT vs control).

    Estimation: :func:`fittrial.models.gee.solve_exchangeable_gee` (statsmodels' GEE
    algorithm with ``ddof_scale=0``, which reproduces geepack). Covariance:
    :func:`gee_sandwich` of kind ``covariance``. All CIs and p-values from t with caseworkers - parameters df; the OR and the risk
    ratio on the log scale. Risks are standardised over the analysed citizens
    (delta-method SEs). Citizens with the outcome missing are left out and
    counted in ``n_missing``.
    """
    if covariance not in GEE_COVARIANCES:
        raise ValueError(f"covariance must be one of {', '.join(GEE_COVARIANCES)}, not {covariance!r}")
    data, X, reason = binary_design(citizens, outcome, strata)
    n_missing = int(citizens[outcome].isna().sum())
    y = data[outcome].astype(float).to_numpy()
    groups = pd.factorize(data["caseworker_id"])[0]
    if reason is not None:
        return _empty_gee(outcome, X.columns, data, n_missing, timepoint_months, reason,
                          gee_method(covariance, X.columns))
    try:
        beta, alpha, scale, note = solve_exchangeable_gee(y, X.to_numpy(), groups)
    except RuntimeError:
        return _empty_gee(outcome, X.columns, data, n_missing, timepoint_months,
                          text("r_gee_not_converged"),
                          gee_method(covariance, X.columns))
    try:
        cov_arr = gee_sandwich(X.to_numpy(), y, groups, beta, alpha, scale, covariance)
    except np.linalg.LinAlgError:
        return _empty_gee(outcome, X.columns, data, n_missing, timepoint_months, text("r_gee_leverage"),
                          gee_method(covariance, X.columns))
    params = pd.Series(beta, index=X.columns)
    cov = pd.DataFrame(cov_arr, index=X.columns, columns=X.columns)
    n_clusters = int(np.unique(groups).size)
    df = float(n_clusters - X.shape[1])
    method = gee_method(covariance, X.columns) + note + constant_strata_words(data.attrs.get("constant_strata", 0))
    p1, p0, g1, g0 = _standardised_risks(X, beta)
    out = GeeResult(outcome, params, cov, df, alpha, n_clusters, len(data), n_missing, p1, p0)

    def add(scale: str, est: float, grad: np.ndarray, log: bool, words: str) -> None:
        se = float(np.sqrt(grad @ cov_arr @ grad))
        lo, hi, p = t_inference(est, se, df)
        if log:
            est, lo, hi = float(np.exp(est)), float(np.exp(lo)), float(np.exp(hi))
        out.contrasts.append(Contrast(outcome, timepoint_months, scale, est, se, df, lo, hi, p, method + words,
                                      n_clusters, len(data)))

    unit = np.zeros(len(beta))
    unit[list(X.columns).index("fit")] = 1.0
    add("odds_ratio", float(params["fit"]), unit, True, "; " + text("meth_gee_or"))
    add("risk_difference", p1 - p0, g1 - g0, False, "; " + text("meth_gee_rd"))
    add("risk_ratio", float(np.log(p1 / p0)), g1 / p1 - g0 / p0, True, "; " + text("meth_gee_rr"))
    return out
