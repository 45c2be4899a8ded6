"""The partial-likelihood engine of the hazard models of :mod:`fittrial.analyses.survival`, and their
re-randomisation test.

* :func:`weighted_breslow_cox`: the (Fine-Gray weighted) Breslow partial likelihood by Newton-Raphson with the
  caseworker-clustered robust covariance of ``coxph(..., cluster =)``; with no competing events it is the
  cause-specific Cox model. Its weights come from :func:`fine_gray_weights` (inverse probability of censoring,
  :func:`censoring_survival`).
* :func:`hazard_randomisation`: the p-value of no arm effect by re-randomising the caseworkers within strata, the
  statistic being the arm's score at no effect from :func:`arm_scores` (issue 24: the robust t-test is liberal in
  small trials).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrial.language.messages import text


def _design(times: pd.DataFrame, strata: list[str]) -> pd.DataFrame:
    """Covariates of the hazard models: the arm and stratum indicators (first stratum the reference)."""
    X = pd.DataFrame({"fit": times["fit"].astype(float)}, index=times.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (times["stratum"] == s).astype(float)
    return X



def censoring_survival(time: np.ndarray, status: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Kaplan-Meier of the censoring distribution just before each time in ``at``, G(t-).

    Censorings (status 0) tied with an event are taken to happen after it,
    as ``survival::finegray`` does: the risk set of a censoring at c is
    everyone with time > c plus those censored at c.
    """
    cens = np.unique(time[status == 0])
    at_risk = np.array([np.sum(time > c) + np.sum((time == c) & (status == 0)) for c in cens], float)
    censored = np.array([np.sum((time == c) & (status == 0)) for c in cens], float)
    after = np.cumprod(1.0 - censored / at_risk)
    k = np.searchsorted(cens, at, side="left")  # censoring times strictly before t
    return np.where(k == 0, 1.0, after[np.maximum(k - 1, 0)] if len(after) else 1.0)


def fine_gray_weights(time: np.ndarray, status: np.ndarray, cause: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The event times of ``cause`` and the Fine-Gray risk-set weights, an (event times x subjects) matrix.

    A subject is in the risk set at event time t with weight 1 while its own
    time is >= t; after a competing event (status not 0, not ``cause``) at
    T_i < t it stays with weight G(t-) / G(T_i-), G the Kaplan-Meier of the
    censoring distribution (:func:`censoring_survival`): the weights of
    ``survival::finegray`` (which splits the competing subjects' follow-up at
    the censoring times instead; the partial likelihood only sees the weight at
    each event time, so the two are the same model).
    """
    event_times = np.unique(time[status == cause])
    competing = (status != 0) & (status != cause)
    at_risk = (time[None, :] >= event_times[:, None]).astype(float)
    g_t = censoring_survival(time, status, event_times)
    g_own = censoring_survival(time, status, time)
    extended = competing[None, :] & (time[None, :] < event_times[:, None])
    weights = np.where(extended, g_t[:, None] / np.where(competing, g_own, 1.0)[None, :], at_risk)
    return event_times, weights


def weighted_breslow_cox(time: np.ndarray, status: np.ndarray, X: np.ndarray, groups: np.ndarray,
                         cause: int = 1, tol: float = 1e-9,
                         max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Fine-Gray model of ``cause`` by Newton-Raphson on the weighted Breslow partial likelihood.

    With no competing events in ``status`` (only 0 and ``cause``) every weight
    is 1 and this is the ordinary Cox model (Breslow ties), which
    :func:`cox_dropout` uses. Maximises sum over event times t_j of [sum_{i fails at t_j} x_i'b - d_j log S0_j(b)],
    S0_j(b) = sum_i w_ij exp(x_i'b), with the weights w_ij of :func:`fine_gray_weights`
    (events themselves have weight 1). Returns (b, model covariance I^-1, cluster-robust
    covariance, converged). The robust covariance is coxph's with ``cluster =``:
    I^-1 (sum_g U_g U_g') I^-1, U_g the sum over the group's subjects of their weighted score
    residuals, U_i = delta_i (x_i - xbar(T_i)) - sum_j w_ij exp(x_i'b) (x_i - xbar_j) dLambda_j,
    dLambda_j = d_j / S0_j (no small-sample factor).
    """
    event_times, W = fine_gray_weights(time, status, cause)
    Xc = X - X.mean(axis=0)  # centred, as coxph: same b, better conditioned
    fails = (status == cause)
    d = np.array([np.sum(fails & (time == t)) for t in event_times], float)
    x_events = np.array([Xc[fails & (time == t)].sum(axis=0) for t in event_times]).reshape(len(event_times), -1)

    def terms(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        r = np.exp(Xc @ b)
        Wr = W * r[None, :]
        s0 = Wr.sum(axis=1)
        xbar = (Wr @ Xc) / s0[:, None]
        s2 = np.einsum("ji,ik,il->jkl", Wr, Xc, Xc) / s0[:, None, None]
        loglik = float(np.sum(x_events @ b) - np.sum(d * np.log(s0)))
        score = (x_events - d[:, None] * xbar).sum(axis=0)
        info = np.einsum("j,jkl->kl", d, s2 - xbar[:, :, None] * xbar[:, None, :])
        return loglik, score, info, r, s0, xbar

    b = np.zeros(X.shape[1])
    loglik, score, info, *_ = terms(b)
    converged, flat = False, 0
    for _ in range(max_iter):
        step = np.linalg.solve(info, score)
        new = b + step
        new_loglik, new_score, new_info, *_ = terms(new)
        halvings = 0
        while new_loglik < loglik - 1e-12 and halvings < 30:  # step-halving keeps the likelihood increasing
            step = step / 2
            new = b + step
            new_loglik, new_score, new_info, *_ = terms(new)
            halvings += 1
        b, score, info = new, new_score, new_info
        flat = flat + 1 if abs(new_loglik - loglik) <= tol * abs(new_loglik) else 0
        loglik = new_loglik
        # coxph's rule (relative change of the log-likelihood), plus a small last step; a coefficient that runs
        # off to infinity (a stratum without events) never takes a small step: stop on the second flat one, as
        # coxph does ("Loglik converged before variable ...; coefficient may be infinite")
        if flat and (np.max(np.abs(step)) < 1e-8 or flat >= 2):
            converged = True
            break
    _, score, info, r, s0, xbar = terms(b)
    inv = np.linalg.inv(info)
    dLambda = d / s0
    A = W * dLambda[:, None]  # (event times x subjects)
    own = np.searchsorted(event_times, time)  # a failing subject's event time index
    resid = -r[:, None] * (Xc * A.sum(axis=0)[:, None] - A.T @ xbar)
    resid[fails] += Xc[fails] - xbar[own[fails]]
    codes = pd.factorize(groups)[0]
    U = np.zeros((codes.max() + 1, X.shape[1]))
    np.add.at(U, codes, resid)
    robust = inv @ (U.T @ U) @ inv
    return b, inv, robust, converged


@dataclass
class HazardRandomisation:
    """The re-randomisation test of an arm's hazard ratio: two-sided p-value, the number of allocations compared
    and whether every possible one was (``exact``)."""

    p_value: float
    n_randomisations: int
    exact: bool


def arm_scores(time: np.ndarray, status: np.ndarray, X: np.ndarray, offset: np.ndarray, W: np.ndarray,
               event_times: np.ndarray, max_iter: int = 60) -> np.ndarray:
    """Each citizen's martingale residual M_i = delta_i - r_i sum_j w_ij dLambda_j of the (Fine-Gray weighted)
    Breslow model with covariates ``X`` (the strata; no arm) and the fixed ``offset``, its coefficients by Newton's
    method; ``W`` and ``event_times`` from :func:`fine_gray_weights`, ``status`` 1 for the event of interest.

    sum_i a_i M_i is the score of an arm indicator a at the offset (the risk-set means drop out, as sum_i w_ij r_i
    dLambda_j = d_j), the statistic of :func:`hazard_randomisation`. A stratum without events has a coefficient
    that runs off to minus infinity; the iterations stop after ``max_iter``, when its residuals are 0 to
    rounding."""
    fails = status == 1
    d = np.array([np.sum(fails & (time == t)) for t in event_times], float)
    b = np.zeros(X.shape[1])
    for _ in range(max_iter if X.shape[1] else 0):
        r = np.exp(X @ b + offset)
        Wr = W * r[None, :]
        s0 = Wr.sum(axis=1)
        xbar = (Wr @ X) / s0[:, None]
        score = X[fails].sum(axis=0) - d @ xbar
        info = np.einsum("j,jkl->kl", d, np.einsum("ji,ik,il->jkl", Wr, X, X) / s0[:, None, None]
                         - xbar[:, :, None] * xbar[:, None, :])
        step = np.linalg.lstsq(info, score, rcond=None)[0]
        b = b + step
        if np.max(np.abs(step)) < 1e-10:
            break
    r = np.exp(X @ b + offset)
    dLambda = d / (W * r[None, :]).sum(axis=1)
    return fails - r * (W * dLambda[:, None]).sum(axis=0)


_DRAWN: dict[tuple, tuple[np.ndarray, bool]] = {}  # the last allocations drawn (hazard_randomisation)


def hazard_randomisation(times: pd.DataFrame, strata: list[str], status: np.ndarray, n_randomisations: int,
                         seed: int) -> HazardRandomisation:
    """Re-randomisation test of no arm effect on the (subdistribution) hazard of dropout.

    The allocation is re-drawn as the trial drew it (the observed number of FIT caseworkers per stratum; every
    allocation when there are at most ``n_randomisations`` + 1, else that many drawn from ``seed``:
    :func:`fittrial.analyses.randomisation.allocations`). Statistic: the arm's score at no effect,
    T(a) = sum over caseworkers of a_k U_k, U_k the caseworker's sum of :func:`arm_scores` of the model without
    the arm (the residual approach of Gail et al. 1996; ``status`` 0/1 for the cause-specific model, 0/1/2 for
    Fine-Gray, whose weights it uses). p = (#{b >= 1: |T_b| >= |T_0|} + 1) / B with the observed allocation as
    row 0: exact for the sharp null that FIT changes no citizen's course. No CI: the test inverted with a hazard
    ratio as an offset is not monotone (its p-value need not fall below 5% however far the hazard ratio is moved),
    so the row's CI stays the robust one."""
    from fittrial.analyses.randomisation import allocations

    time = times["time_days"].to_numpy(float)
    event_times, W = fine_gray_weights(time, status, 1)
    X = _design(times, strata).drop(columns="fit").to_numpy(float)
    X = X - X.mean(axis=0) if X.shape[1] else X
    arm = times["fit"].to_numpy(float)
    codes, labels = pd.factorize(times["caseworker_id"])
    first = pd.Series(np.arange(len(times))).groupby(codes).first().to_numpy()
    strata_k, arm_k = times["stratum"].to_numpy()[first], arm[first]
    # the cause-specific and the Fine-Gray test of one run draw the same allocations (the same caseworkers, arms
    # and seed): drawn once and kept for the second
    key = (tuple(strata_k.tolist()), arm_k.tobytes(), int(n_randomisations), int(seed))
    if key not in _DRAWN:
        _DRAWN.clear()
        _DRAWN[key] = allocations(strata_k, arm_k, n_randomisations, np.random.default_rng(seed))
    A, exact = _DRAWN[key]
    U = np.bincount(codes, weights=arm_scores(time, status, X, np.zeros(len(time)), W, event_times),
                    minlength=len(labels))
    T = A @ U
    tol = 1e-9 * max(1.0, float(np.abs(T).max()))
    B = len(A)
    return HazardRandomisation(float(np.sum(np.abs(T[1:]) >= abs(T[0]) - tol) + 1) / B, B if exact else B - 1,
                               exact)


def hazard_inference_words(test: HazardRandomisation) -> str:
    """The method text's account of a hazard ratio's p-value and CI (:func:`hazard_randomisation`)."""
    how = text("w_rt_exact" if test.exact else "w_rt_drawn", n=test.n_randomisations)
    return text("w_hr_randomisation", how=how)


__all__ = ["HazardRandomisation", "arm_scores", "censoring_survival", "fine_gray_weights",
           "hazard_inference_words", "hazard_randomisation", "weighted_breslow_cox"]
