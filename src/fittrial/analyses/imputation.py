"""Multiple imputation of missing WHO-5 under a multilevel model, pooled by Rubin's rules.

Imputation model: the WHO-5 scores of a citizen at every visit of the schedule
(baseline included) as one vector, from the two-level joint normal model of
:mod:`fittrial.models.jointmodel` (R's ``jomo::jomo1rancon``): covariates arm,
stratum and auxiliary variables (age, sex, the course outcomes; see
:func:`auxiliary_design`), each with its own effect at every visit;
unstructured caseworker-level and citizen-level covariances over the visits.
It is more general than the analysis model (whose caseworker, caseworker x
visit and citizen intercepts are a special case of the two covariances), so
the imputations do not impose the analysis model's assumptions on the missing
values. Imputations are proper: they are draws of a Gibbs sampler (flat prior
on the coefficients, inverse Wishart full conditionals of the covariances
with identity prior scale, as jomo), ``between`` iterations apart after
``burn_in`` iterations; variance draws stay positive definite at any
caseworker variance, including near zero.

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

from fittrial.base.catalogue import binary_names
from fittrial.base.tdist import t_ppf, t_sf
from fittrial.language.messages import text
from fittrial.models.batch import ManyREML
from fittrial.models.effects import Contrast, _design, arm_vector, not_estimated, random_words
from fittrial.models.estimable import arm_reason, first, months, usable_visits
from fittrial.models.lmm import NestedREML


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
    q = t_ppf(0.5 + level / 2, df)
    p = float(2 * t_sf(abs(qbar / se), df))
    return Pooled(qbar, se, float(df), qbar - q * se, qbar + q * se, p, ubar, b)


def _long_all(citizens: pd.DataFrame, visits: tuple[int, ...]) -> pd.DataFrame:
    """Every citizen x visit cell (observed or not), sorted by caseworker, citizen, visit."""
    cells = []
    for v in visits:
        cells.append(citizens[["citizen_id", "caseworker_id", "stratum", "fit"]].assign(
            visit=v, who5=citizens[f"who5_m{v}"].astype(float)))
    return pd.concat(cells).sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(
        drop=True)


# age, sex and the FIT trial's binary outcomes (fittrial.base.catalogue.FIT_BINARY)
DEFAULT_AUXILIARY = ("age", "sex", *binary_names())
MAX_COLUMNS_PER_CITIZENS = 10  # an auxiliary variable enters only while citizens >= 10 x covariate columns


def auxiliary_design(citizens: pd.DataFrame, X: pd.DataFrame, names: tuple[str, ...] | list[str]
                     ) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Add the auxiliary variables ``names`` to the imputation covariates ``X`` (one row per citizen).

    A numeric variable enters as it is, centred; a missing value is set to the
    mean and flagged by an indicator column (it is a predictor of WHO-5 only,
    never imputed itself). A text variable enters as indicators of its levels
    (a missing value is a level of its own), the most common level being the
    reference. A variable is left out, with the reason, when it is not in the
    data, does not vary, would make the covariates collinear, or would leave
    fewer than 10 citizens per covariate column. Returns (X, used names,
    {left-out name: reason}).
    """
    used: list[str] = []
    left_out: dict[str, str] = {}
    for name in names:
        if name not in citizens.columns:
            left_out[name] = text("w_aux_not_in_data")
            continue
        col = citizens[name]
        block = pd.DataFrame(index=citizens.index)
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            x = pd.to_numeric(col, errors="coerce").astype(float)
            if x.notna().sum() == 0:
                left_out[name] = text("w_aux_no_values")
                continue
            block[name] = (x - x.mean()).fillna(0.0)
            if x.isna().any():
                block[f"{name}_missing"] = x.isna().astype(float)
        else:
            levels = col.astype("string").fillna("(missing)")
            counts = levels.value_counts()
            ref = sorted(counts.index[counts == counts.max()])[0]
            for level in sorted(set(levels) - {ref}):
                block[f"{name}[{level}]"] = (levels == level).astype(float).to_numpy()
        block = block.loc[:, block.std(ddof=0) > 0]
        if block.empty:
            left_out[name] = text("w_aux_constant")
            continue
        trial = pd.concat([X, block], axis=1)
        if len(citizens) < MAX_COLUMNS_PER_CITIZENS * trial.shape[1]:
            left_out[name] = text("w_aux_too_few", n=len(citizens), k=trial.shape[1])
            continue
        if np.linalg.matrix_rank(trial.to_numpy()) < trial.shape[1]:
            left_out[name] = text("w_aux_collinear")
            continue
        X, used = trial, used + [name]
    return X, used, left_out


@dataclass
class Imputations:
    """Completed WHO-5 vectors for every citizen x visit cell (``cells``), and what the model used."""

    cells: pd.DataFrame
    completed: list[np.ndarray]
    auxiliary: list[str]
    left_out: dict[str, str]
    chain: dict[str, np.ndarray] = field(default_factory=dict)


def impute(citizens: pd.DataFrame, m: int, seed: int, strata: list[str] | None = None,
           visits: tuple[int, ...] = (0, 6, 12), auxiliary: tuple[str, ...] | list[str] = DEFAULT_AUXILIARY,
           burn_in: int = 1000, between: int = 100, keep_chain: bool = False) -> Imputations:
    """Impute the missing WHO-5 at ``visits`` ``m`` times from the two-level joint model
    (:func:`fittrial.models.jointmodel.sample_joint_model`): covariates intercept, arm,
    stratum and the usable ``auxiliary`` variables (:func:`auxiliary_design`),
    each with its own coefficient at every visit; unstructured caseworker-level
    and citizen-level covariances over the visits."""
    from fittrial.models.jointmodel import sample_joint_model

    cits = citizens.sort_values(["caseworker_id", "citizen_id"], kind="mergesort").reset_index(drop=True)
    cells = _long_all(cits, visits)
    strata = [s for s in (strata or sorted(cits["stratum"].unique())) if s in set(cits["stratum"])]
    X = pd.DataFrame({"intercept": 1.0, "fit": cits["fit"].astype(float)}, index=cits.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (cits["stratum"] == s).astype(float)
    X, used, left_out = auxiliary_design(cits, X, tuple(auxiliary))
    Y = cits[[f"who5_m{v}" for v in visits]].to_numpy(float)
    cluster = pd.factorize(cits["caseworker_id"])[0]
    draws = sample_joint_model(Y, X.to_numpy(), cluster, m, seed, burn_in, between, keep_chain)
    chain = {"beta": draws.chain_beta, "omega_u": draws.chain_omega_u, "omega_e": draws.chain_omega_e} \
        if keep_chain else {}
    # cells are sorted by caseworker, citizen, visit: the completed matrices row by row
    return Imputations(cells, [d.reshape(-1) for d in draws.completed], used, left_out, chain)


@dataclass
class MIResult:
    """Pooled rows, the one-dimensional tipping-point table (FIT arm shifted), the first delta at which the
    conclusion changes, and the two-dimensional table (both arms shifted: delta_fit, delta_control)."""

    rows: list[Contrast]
    tipping: pd.DataFrame
    tipping_delta: float
    tipping_2d: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TIPPING_2D_COLUMNS))


TIPPING_2D_COLUMNS: list[str] = ["delta_fit", "delta_control", "estimate", "ci_low", "ci_high", "p_value", "conclusion"]


def not_estimated_result(reason: str, follow: list[int]) -> MIResult:
    """An MI result with every follow-up row not estimated for ``reason`` and empty tipping-point tables."""
    rows = [not_estimated("multiple_imputation", "who5", v, "mean_difference", reason) for v in follow]
    empty = pd.DataFrame(columns=["delta", "estimate", "ci_low", "ci_high", "p_value"], dtype=float)
    return MIResult(rows, empty, float("nan"))


def conclusion(p_value: float, estimate: float, alpha: float = 0.05) -> str:
    """The conclusion a test at ``alpha`` draws: ``favours_fit``, ``favours_control`` or ``no_difference``."""
    if not p_value < alpha:
        return "no_difference"
    return "favours_fit" if estimate > 0 else "favours_control"


@dataclass
class _Fitted:
    """The completed-data fits of one set of imputations: (estimate, variance) per follow-up visit and the
    tipping point's GLS responses at the primary visit."""

    per_visit: dict[int, list[tuple[float, float]]]
    shift_effects: list[float]
    shift_control: list[float]
    df_com: float
    free: tuple[bool, ...]


def _baselines(y: np.ndarray, base_rows: np.ndarray, base_of: np.ndarray) -> np.ndarray:
    """Each follow-up cell's completed baseline score (0 where the citizen has no baseline cell)."""
    if not len(base_rows):
        return np.zeros(len(base_of))
    return np.where(base_of >= 0, y[base_rows][np.maximum(base_of, 0)], 0.0)


def _analyse_imputations(imps: Imputations, strata: list[str], follow_visits: list[int], visit: int) -> _Fitted:
    """The primary model fitted to every completed data set (all at once, :mod:`fittrial.models.batch`)."""
    cells, completed = imps.cells, imps.completed
    base_cells = cells["visit"] == 0
    # every completed data set has the same rows (and so the grouping of one model): its design differs only
    # in the imputed baseline; the fits are made all at once (fittrial.models.batch)
    imputed = np.isin(np.flatnonzero(~base_cells.to_numpy()), np.flatnonzero(cells["who5"].isna().to_numpy()))
    follow = np.flatnonzero(~base_cells.to_numpy())
    base_rows = np.flatnonzero(base_cells.to_numpy())
    # each follow-up cell's baseline cell (-1: the citizen has none), found once: the data sets differ only in
    # their values
    base_of = pd.Index(cells["citizen_id"].to_numpy()[base_rows]).get_indexer(cells["citizen_id"].to_numpy()[follow])
    # the first data set's design is built as fit_lmm builds it; the others differ from it only in the imputed
    # baselines, written into its baseline column (the same floats as building each design anew)
    first = cells.iloc[follow].assign(who5=completed[0][follow], baseline_missing=0,
                                      baseline_who5=_baselines(completed[0], base_rows, base_of))
    X0, between = _design(first, strata)
    names = list(X0.columns)
    # the m data sets' responses and designs are written into arrays made once (a list of m designs stacked by
    # np.array held every design twice: 1.3 GB at 3,000 caseworkers)
    Ys = np.empty((len(completed), len(follow)))
    Xs = np.empty((len(completed), *X0.shape))
    Xs[0] = X0.to_numpy(float)
    column = names.index("baseline_who5") if "baseline_who5" in names else None
    for k, y_m in enumerate(completed):
        Ys[k] = y_m[follow]
        if k == 0:
            continue
        baseline = _baselines(y_m, base_rows, base_of)
        # the design's columns are those of the first data set (_design drops a baseline that does not vary)
        assert (column is not None) == bool(len(baseline) and np.any(baseline != baseline[0]))
        Xs[k] = Xs[0]
        if column is not None:
            Xs[k][:, column] = baseline
    # GLS responses to the tipping shifts: imputed follow-up cells of FIT citizens, of control citizens (the same
    # cells in every data set)
    arm = first["fit"].to_numpy()
    shift = np.column_stack([(imputed & (arm == 1)).astype(float), (imputed & (arm == 0)).astype(float)])
    shifts = np.broadcast_to(shift, (len(completed), *shift.shape))
    model = NestedREML(Ys[-1], Xs[-1], first["caseworker_id"].to_numpy(), first["citizen_id"].to_numpy(),
                       first["visit"].to_numpy())  # as fit_lmm builds it: the grouping and the free intercepts
    df_com, free = float(model.n_cw - len(between)), model.free
    fits = ManyREML(model).fit(Ys, Xs, extra=shifts)
    assert names is not None and fits.extra_beta is not None  # set by the first data set; asked for with extra
    L_at = {v: arm_vector(names, v) for v in set(follow_visits) | {visit}}
    per_visit = {v: [(float(L_at[v] @ b), float(L_at[v] @ cov @ L_at[v])) for b, cov in zip(fits.beta, fits.cov_beta)]
                 for v in follow_visits}
    shift_effects = [float(L_at[visit] @ e[0]) for e in fits.extra_beta]
    shift_control = [float(L_at[visit] @ e[1]) for e in fits.extra_beta]
    return _Fitted(per_visit, shift_effects, shift_control, df_com, free)


def mc_words(m: int, m_used: int, needed: int, max_mc_error: float, rhat: float) -> str:
    """How the number of imputations was chosen and whether the sampler settled, for the method text."""
    pct = f"{100 * max_mc_error:g}"
    if m_used > m:
        rule = text("meth_mi_two_stage" if m_used >= needed else "meth_mi_two_stage_capped", m=m, m_used=m_used,
                    pct=pct, needed=needed)
    else:
        rule = text("meth_mi_enough", m=m, pct=pct)
    return "; " + rule + rhat_words(rhat)


def rhat_words(rhat: float) -> str:
    """The sampler's convergence, for the method text: its largest split R-hat, and a warning above 1.1."""
    return "; " + text("meth_mi_rhat_unsettled" if rhat > 1.1 else "meth_mi_rhat", rhat=f"{rhat:.3f}")


def imputations_needed(per_visit: dict[int, list[tuple[float, float]]], df_com: float, max_mc_error: float,
                       level: float = 0.95) -> int:
    """Imputations needed for the Monte Carlo SE of every pooled estimate to be at most ``max_mc_error`` times
    its SE (the second stage of von Hippel's (2020) two-stage rule, for the point estimate).

    The Monte Carlo SE of the MI estimate is sqrt(B / m) (White, Royston & Wood
    2011), B the between-imputation variance; with T the total variance,
    sqrt(B / m) <= c sqrt(T) needs m >= B / (c^2 T). As in von Hippel's rule,
    the pilot's B is replaced by the upper limit of its ``level`` confidence
    interval ((m - 1) B / chi-square quantile), so that the second stage does
    not take too few imputations when the pilot's B happens to be small.
    """
    from scipy import special

    needed = 1
    for v, pairs in per_visit.items():
        est = np.array([e for e, _ in pairs])
        var = np.array([u for _, u in pairs])
        m = len(est)
        pooled = rubin(est, var, df_com)
        if m < 2 or not pooled.se > 0:
            continue
        low = float(2 * special.gammaincinv((m - 1) / 2, (1 - level) / 2))  # chi-square quantile, m - 1 df
        b_upper = (m - 1) * pooled.between / low if low > 0 else pooled.between
        needed = max(needed, int(np.ceil(b_upper / (max_mc_error ** 2 * pooled.se ** 2))))
    return needed


def split_rhat(chain: dict[str, np.ndarray], splits: int = 4) -> float:
    """The largest split R-hat (Gelman et al. 2013) over every parameter of the sampler's chain after burn-in:
    the chain cut into ``splits`` pieces, each treated as a chain. Near 1 when the pieces agree; above 1.1 the
    sampler has not settled (more burn-in is needed)."""
    worst = 1.0
    for draws in chain.values():
        x = np.asarray(draws, float).reshape(len(draws), -1)
        n = len(x) // splits
        if n < 2:
            continue
        pieces = x[: n * splits].reshape(splits, n, -1)
        means, variances = pieces.mean(axis=1), pieces.var(axis=1, ddof=1)
        w = variances.mean(axis=0)
        b = n * means.var(axis=0, ddof=1)
        ok = w > 0
        if ok.any():
            rhat = np.sqrt(((n - 1) / n * w[ok] + b[ok] / n) / w[ok])
            worst = max(worst, float(np.max(rhat)))
    return worst


def multiple_imputation(citizens: pd.DataFrame, m: int, seed: int, strata: list[str] | None = None,
                        deltas: np.ndarray | None = None, visit: int = 12,
                        visits: tuple[int, ...] = (0, 6, 12), deltas_2d: np.ndarray | None = None,
                        auxiliary: tuple[str, ...] | list[str] = DEFAULT_AUXILIARY, burn_in: int = 1000,
                        between: int = 100, max_mc_error: float | None = None, m_max: int = 1000) -> MIResult:
    """MI analysis of the WHO-5 effect at every follow-up visit, and the delta-adjusted tipping point at ``visit``.

    Tipping point: the imputed follow-up values of the FIT arm are shifted by
    each of ``deltas`` (one dimension), and those of both arms by every pair
    of ``deltas_2d`` (two dimensions: delta_fit, delta_control); each shifted
    set is pooled by Rubin's rules. With the variance parameters of each
    completed-data fit held fixed, the estimate is linear in the shifts (GLS
    responses to a unit shift of the imputed cells of each arm), so no refit
    is needed.

    Imputation model: :func:`impute` (the two-level joint model, with the
    ``auxiliary`` variables; ``burn_in`` and ``between`` iterations of its
    Gibbs sampler).

    Number of imputations (von Hippel's two-stage rule, when ``max_mc_error``
    is given; else exactly ``m``): ``m`` imputations first; if the Monte Carlo SE of any pooled estimate could exceed
    ``max_mc_error`` times its SE (:func:`imputations_needed`), as many as
    that needs (at most ``m_max``), drawn from the same seeded chain (its
    first ``m`` imputations are the pilot's). Each row reports its Monte Carlo
    SE, sqrt(B / m) (``mc_se``), and the method text the number of imputations
    and the sampler's largest split R-hat (:func:`split_rhat`).

    ``visits``: the schedule. Only visits at which both arms have observed
    WHO-5 (see :mod:`fittrial.models.estimable`) enter the imputation model; the
    others get a not-estimated row. Without a usable ``visit``, nothing is
    estimated and the tipping-point table is empty.
    """
    deltas = np.round(np.arange(-15, 15.01, 0.5), 2) if deltas is None else np.asarray(deltas, float)
    follow = [v for v in sorted(visits) if v != 0]
    n_clusters, n_cit = int(citizens["caseworker_id"].nunique()), len(citizens)
    observed = pd.concat([citizens.loc[citizens[f"who5_m{v}"].notna(), ["caseworker_id", "fit"]].assign(visit=v)
                          for v in follow], ignore_index=True)
    ok, why = usable_visits(observed, follow)
    baseline = [0] if 0 in visits and not arm_reason(citizens[citizens["who5_m0"].notna()], text("w_cov_baseline")) \
        else []
    imp_visits = tuple(baseline + ok)
    strata = [s for s in (strata or sorted(citizens["stratum"].unique())) if s in set(citizens["stratum"])]
    visit_items = [months(v) for v in imp_visits or follow]

    def method_text(m_shown: int, random: str, auxiliary: list[str], left_out: dict[str, str]) -> str:
        stratum = len(strata) > 1
        model = text("w_mi_model_stratum" if stratum else "w_mi_model") if not auxiliary else \
            text("w_mi_model_stratum_aux" if stratum else "w_mi_model_aux", aux_items=auxiliary)
        model += "".join("; " + text("w_mi_left_out", aux_code=name, why=why) for name, why in left_out.items())
        return text("meth_mi", m=m_shown, visit_items=visit_items, model=model, burn_in=burn_in, between=between,
                    random=random)

    nothing_missing = all(citizens[f"who5_m{v}"].notna().all() for v in imp_visits) if imp_visits else False
    reason = why.get(visit) or first(
        None if n_clusters > 2 + len(strata) - 1 else
        text("r_mi_too_few_caseworkers", k=n_clusters, n=1 + len(strata)),
        text("r_mi_nothing_missing") if nothing_missing else None)
    if reason:
        rows = [not_estimated("multiple_imputation", "who5", v, "mean_difference", why.get(v, reason),
                              method_text(m, random_words((True, True)), [], {}), n_clusters, n_cit)
                for v in follow]
        empty = pd.DataFrame(columns=["delta", "estimate", "ci_low", "ci_high", "p_value"], dtype=float)
        return MIResult(rows, empty, float("nan"))
    imps = impute(citizens, m, seed, strata, imp_visits, auxiliary, burn_in, between, keep_chain=True)
    fitted = _analyse_imputations(imps, strata, list(ok), visit)
    needed = imputations_needed(fitted.per_visit, fitted.df_com, max_mc_error) if max_mc_error else m
    m_used = m
    if needed > m:  # stage 2 (von Hippel 2020): as many imputations as the target needs, from the same chain
        m_used = min(needed, m_max)
        imps = impute(citizens, m_used, seed, strata, imp_visits, auxiliary, burn_in, between, keep_chain=True)
        fitted = _analyse_imputations(imps, strata, list(ok), visit)
    rhat = split_rhat(imps.chain)
    per_visit, follow_visits, df_com, free = fitted.per_visit, list(ok), fitted.df_com, fitted.free
    shift_effects, shift_control, shift_base = fitted.shift_effects, fitted.shift_control, per_visit[visit]
    left_out = {name: why for name, why in imps.left_out.items() if why != text("w_aux_not_in_data")}
    method = method_text(m_used, random_words(free), list(imps.auxiliary), left_out)
    method += mc_words(m, m_used, needed, max_mc_error, rhat) if max_mc_error else rhat_words(rhat)
    rows = [not_estimated("multiple_imputation", "who5", v, "mean_difference", r, method, n_clusters, n_cit)
            for v, r in why.items()]
    for v in follow_visits:
        est = np.array([e for e, _ in per_visit[v]])
        var = np.array([u for _, u in per_visit[v]])
        pooled = rubin(est, var, df_com)
        row = Contrast("who5", v, "mean_difference", pooled.estimate, pooled.se, pooled.df, pooled.ci_low,
                       pooled.ci_high, pooled.p_value, method, n_clusters, len(citizens), "multiple_imputation")
        row.mc_se = float(np.sqrt(pooled.between / len(est)))
        rows.append(row)
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
