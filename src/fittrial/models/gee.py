"""Logit GEE with an exchangeable working correlation, and its small-sample sandwich covariances.

Estimation is statsmodels' ``GEE(family=Binomial(), cov_struct=Exchangeable())
.fit(maxiter=200, ddof_scale=0)`` (which reproduces geepack), written over
whole arrays instead of a loop over caseworkers: starting from the logistic
regression (statsmodels' ``GLM`` IRLS from mu = (y + 1/2) / 2, stopped when the
deviance changes by less than 1e-8), each iteration takes one Fisher-scoring
step of the estimating equations at the current working correlation alpha,
then re-estimates alpha by the moment estimator (the Pearson residuals' within-
caseworker cross-products over the number of pairs, the scale over the number
of citizens: ``ddof_scale = 0``), and stops when the score's Euclidean norm
before the step is below 1e-6 after alpha has been estimated at least once.
The scale of the binomial family is 1.

Why not statsmodels itself: importing it costs 1.2-1.5 s, 20 times the five
fits of the course outcomes, paid by three workflow steps. statsmodels remains
the test oracle: ``tests/test_gee.py`` compares this solver with it on data
sets of every shape (and ``tests/test_models_reference.py`` with geepack).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrial.base.groups import group_rows
from fittrial.language.messages import text

FLOAT_EPS = np.finfo(float).eps
CTOL = 1e-6  # statsmodels' default convergence tolerance (norm of the score)
MAXITER = 200

INDEPENDENCE_NOTE = "; " + text("meth_gee_independence")


def _expit(eta: np.ndarray) -> np.ndarray:
    """statsmodels' ``Logit.inverse``: 1 / (1 + exp(-eta))."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-eta))


def _variance(mu: np.ndarray) -> np.ndarray:
    """statsmodels' binomial variance, mu (1 - mu) with mu clipped to [eps, 1 - eps]."""
    mu = np.clip(mu, FLOAT_EPS, 1 - FLOAT_EPS)
    return mu * (1 - mu)


def logistic_start(y: np.ndarray, X: np.ndarray, maxiter: int = 100, tol: float = 1e-8) -> np.ndarray:
    """Logistic regression by IRLS as statsmodels' ``GLM(y, X, Binomial()).fit()``: mu from (y + 1/2) / 2, a
    least-squares step on the working response per iteration, stopped when the deviance changes by <= ``tol``."""
    mu = (y + 0.5) / 2
    eta = np.log(mu / (1 - mu))
    deviance = [np.inf, _deviance(y, mu)]
    beta = np.zeros(X.shape[1])
    for _ in range(maxiter):
        w = _variance(mu)  # 1 / (g'(mu)^2 V(mu)) for the canonical link
        z = eta + (y - mu) / w
        sw = np.sqrt(w)
        beta = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        eta = X @ beta
        mu = _expit(eta)
        deviance.append(_deviance(y, mu))
        if abs(deviance[-1] - deviance[-2]) <= tol:
            break
    return beta


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    mu = np.clip(mu, FLOAT_EPS, 1 - FLOAT_EPS)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - y, 1.0) / (1 - mu)), 0.0)
    return float(2 * np.sum(a + b))


class _Clusters:
    """Per-caseworker sums of rows (the groups need not be sorted)."""

    def __init__(self, groups: np.ndarray):
        self.codes = pd.factorize(pd.Series(groups))[0]
        self.K = int(self.codes.max()) + 1 if len(self.codes) else 0
        self.size = np.bincount(self.codes, minlength=self.K).astype(float)
        self.n_pairs = float((0.5 * self.size * (self.size - 1)).sum())

    def sums(self, a: np.ndarray) -> np.ndarray:
        """Row sums per caseworker of a (n,) or (n, p) array."""
        if a.ndim == 1:
            return np.bincount(self.codes, a, self.K)
        return np.stack([np.bincount(self.codes, a[:, j], self.K) for j in range(a.shape[1])], axis=1)


def _scoring_step(y: np.ndarray, X: np.ndarray, cl: _Clusters, beta: np.ndarray, alpha: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(update, score) of one Fisher-scoring step at (beta, alpha), as statsmodels' ``_update_mean_params``.

    With exchangeable R_i, V_i^-1 x = [x~/(1 - alpha) - c_i 1 1' x~] / sd for x~ = x / sd, c_i = alpha /
    (1 - alpha) / (1 + alpha (n_i - 1)), so D'V^-1 D and D'V^-1 r are sums over rows and caseworkers."""
    eta = X @ beta
    mu = _expit(eta)
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.exp(eta)
        deriv = t / (1 + t) ** 2  # statsmodels' Logit.inverse_deriv
    sd = np.sqrt(_variance(mu))
    xs = X * (deriv / sd)[:, None]
    rs = (y - mu) / sd
    c = alpha / (1.0 - alpha) / (1.0 + alpha * (cl.size - 1))
    Sx, Sr = cl.sums(xs), cl.sums(rs)
    bmat = xs.T @ xs / (1.0 - alpha) - (Sx * c[:, None]).T @ Sx
    score = xs.T @ rs / (1.0 - alpha) - (Sx * c[:, None]).T @ Sr
    try:
        update = np.linalg.solve(bmat, score)
    except np.linalg.LinAlgError:
        update = np.linalg.pinv(bmat) @ score
    return update, score


def _moment_alpha(y: np.ndarray, X: np.ndarray, cl: _Clusters, beta: np.ndarray) -> float:
    """statsmodels' ``Exchangeable.update`` with ``ddof_scale = 0``: sum over caseworkers of the Pearson
    residuals' cross-products, over the scale and the number of pairs."""
    mu = _expit(X @ beta)
    r = (y - mu) / np.sqrt(_variance(mu))
    ssr = float(np.sum(r * r))
    scale = ssr / len(y)
    cross = float(np.sum((cl.sums(r) ** 2 - cl.sums(r * r)) / 2)) / scale
    return cross / cl.n_pairs if cl.n_pairs > 0 else 0.0


def fit_gee(y: np.ndarray, X: np.ndarray, groups: np.ndarray, exchangeable: bool = True
            ) -> tuple[np.ndarray, float, bool]:
    """(beta, alpha, converged) of the logit GEE, exchangeable or independence working correlation."""
    y, X = np.asarray(y, float), np.asarray(X, float)
    cl = _Clusters(groups)
    beta = logistic_start(y, X)
    alpha, norm, updates = 0.0, -1.0, 0
    with np.errstate(all="ignore"):  # an iteration that runs off is reported as not converged, not warned about
        for _ in range(MAXITER):
            update, score = _scoring_step(y, X, cl, beta, alpha)
            beta = beta + update
            norm = float(np.sqrt(np.sum(score**2)))
            if norm < CTOL and updates > 0:
                break
            if not np.all(np.isfinite(beta)):  # statsmodels iterates on to its limit; the outcome is the same
                break
            if exchangeable:
                alpha = _moment_alpha(y, X, cl, beta)
            updates += 1
    return beta, alpha, bool(norm < CTOL)


def solve_exchangeable_gee(y: np.ndarray, X: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, float, float, str]:
    """Logit GEE with exchangeable working correlation: (beta, alpha, scale, note).

    If the iteration does not converge, or converges to a correlation that is
    not positive definite for the largest caseworker (alpha <= -1/(n_max -
    1); geepack reports such fits), or runs off to fitted risks of 0 or 1
    (seen with 8 caseworkers, where geepack diverges too; complete separation
    is excluded before fitting), the independence working correlation is used
    instead: still a consistent GEE, with the same sandwich covariance;
    ``note`` says so. The scale of the binomial family is 1.
    """
    beta, alpha, converged = fit_gee(y, X, groups, exchangeable=True)
    n_max = int(np.bincount(pd.factorize(pd.Series(groups))[0]).max())
    lower = -1.0 / (n_max - 1) if n_max > 1 else -np.inf
    if converged and np.all(np.isfinite(beta)):
        mu = 1.0 / (1.0 + np.exp(-np.clip(X @ beta, -700, 700)))
        # with few caseworkers the alternating iteration can run off to a degenerate fixed point (fitted risks of
        # exactly 0 or 1 in a stratum whose risk is 20%; geepack diverges on the same data): not a solution
        if alpha > lower and np.all((mu > 1e-6) & (mu < 1 - 1e-6)):
            return beta, alpha, 1.0, ""
    beta, _, converged = fit_gee(y, X, groups, exchangeable=False)
    if not converged or not np.all(np.isfinite(beta)):
        raise RuntimeError("the GEE did not converge")
    return beta, 0.0, 1.0, INDEPENDENCE_NOTE


def gee_sandwich(X: np.ndarray, y: np.ndarray, groups: np.ndarray, beta: np.ndarray, alpha: float, scale: float,
                 kind: str) -> np.ndarray:
    """Sandwich covariance of a logit GEE with exchangeable working correlation.

    ``kind``: ``robust`` (Liang-Zeger), ``mancl_derouen`` (residuals scaled by
    (I - H_i)^-1; Mancl & DeRouen 2001) or ``kauermann_carroll`` (by
    (I - H_i)^-1/2; Kauermann & Carroll 2001), where H_i = D_i B D_i' V_i^-1 is the
    cluster's leverage and B the model-based (naive) covariance. The
    inverse square root is the principal one, computed through the symmetric
    V_i^-1/2 D_i B D_i' V_i^-1/2. Raises ``numpy.linalg.LinAlgError`` when a cluster's leverage has an
    eigenvalue of 1 (it alone determines a coefficient), where the corrected covariance is not defined.
    """
    mu = 1.0 / (1.0 + np.exp(-X @ beta))
    a = mu * (1.0 - mu)
    pieces = []
    for idx in group_rows(groups, sort=True):  # as np.unique(groups), rows ascending
        n = len(idx)
        D = X[idx] * a[idx, None]
        R = np.full((n, n), alpha)
        np.fill_diagonal(R, 1.0)
        sq = np.sqrt(a[idx])
        V = scale * (sq[:, None] * R * sq[None, :])
        pieces.append((D, V, y[idx] - mu[idx]))
    bread = np.linalg.inv(sum(D.T @ np.linalg.solve(V, D) for D, V, _ in pieces))
    meat = np.zeros_like(bread)
    for D, V, r in pieces:
        Vi = np.linalg.inv(V)
        if kind == "robust":
            adj = r
        else:
            w, U = np.linalg.eigh(V)
            V_half, V_mhalf = (U * np.sqrt(w)) @ U.T, (U / np.sqrt(w)) @ U.T
            S = V_mhalf @ D @ bread @ D.T @ V_mhalf  # symmetric, similar to H_i
            e, Q = np.linalg.eigh(np.eye(len(r)) - S)
            if e.min() <= 1e-10:  # the caseworker alone determines a coefficient: (I - H_i)^-1 does not exist
                raise np.linalg.LinAlgError("a caseworker's leverage is 1")
            power = -1.0 if kind == "mancl_derouen" else -0.5
            adj = V_half @ ((Q * e ** power) @ Q.T) @ V_mhalf @ r
        u = D.T @ Vi @ adj
        meat += np.outer(u, u)
    return bread @ meat @ bread


__all__ = ["INDEPENDENCE_NOTE", "fit_gee", "gee_sandwich", "logistic_start", "solve_exchangeable_gee"]
