"""Two-level multivariate normal imputation model, sampled by Gibbs (the model of R's ``jomo::jomo1rancon``).

For citizen i of caseworker j, the WHO-5 scores at the T visits of the
schedule form one vector::

    y_i = B' x_i + u_j + e_i,    u_j ~ N_T(0, Omega_u),    e_i ~ N_T(0, Omega_e)

with ``x_i`` the citizen's covariates (intercept, arm, stratum, auxiliary
variables), ``B`` a (p x T) matrix of regression coefficients (so every
covariate has its own effect at every visit: arm x visit and stratum x visit
included), ``Omega_u`` an unstructured caseworker-level covariance over
visits (caseworker effects that differ by visit and correlate across visits:
it contains the analysis model's caseworker + caseworker x visit intercepts as
the special case ``s_w J + s_v I``) and ``Omega_e`` an unstructured
citizen-level covariance over visits (it contains the citizen intercept +
residual, ``s_c J + s_e I``, and AR(1)-like decay). This is the joint model of
Carpenter & Kenward (2013, ch. 9) and of ``jomo1rancon`` with a random
intercept (``Z = 1``).

Priors, as jomo's defaults: flat on ``B``; identity prior scale on both
covariances (on the WHO-5 scale, variances of hundreds, it carries almost no
information). The full conditionals are jomo's (``jomo1ranC.c``):
``Omega_u ~ IW(J + T, U'U + I)`` with J caseworkers and ``Omega_e ~ IW(n - 1,
E'E + I)`` with n citizens.

Gibbs sampler, one iteration: (1) the missing scores of each citizen from
their conditional normal given the observed ones, the covariates and the
caseworker effect; (2) ``B`` from its matrix-normal full conditional; (3) each
``u_j`` from N(V_j Omega_e^-1 sum_i (y_i - B'x_i), V_j) with
V_j = (Omega_u^-1 + n_j Omega_e^-1)^-1; (4) ``Omega_u`` and ``Omega_e`` from
their inverse Wishart full conditionals. After ``burn_in`` iterations, a
completed data set is kept every ``between`` iterations (jomo's ``nburn`` and
``nbetween``). Every draw comes from one seeded generator: the same seed gives
the same imputations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class JointModelDraws:
    """Completed outcome matrices (one per imputation) and the chain of the parameters.

    ``chain_omega_u``, ``chain_omega_e`` and ``chain_beta`` hold every
    iteration after burn-in (for convergence checks and comparison with jomo).
    """

    completed: list[np.ndarray]
    chain_beta: np.ndarray
    chain_omega_u: np.ndarray
    chain_omega_e: np.ndarray


def _inv_wishart(rng: np.random.Generator, df: float, scale: np.ndarray) -> np.ndarray:
    """One draw from the inverse Wishart IW(df, scale): the inverse of a Wishart(df, scale^-1) draw (Bartlett)."""
    T = scale.shape[0]
    A = np.tril(rng.standard_normal((T, T)), -1)
    A[np.diag_indices(T)] = np.sqrt(rng.chisquare(df - np.arange(T)))
    C = np.linalg.cholesky(np.linalg.inv((scale + scale.T) / 2))
    CA = C @ A
    return np.linalg.inv(CA @ CA.T)


def _chol_psd(a: np.ndarray) -> np.ndarray:
    """Cholesky factor of a symmetric positive (semi)definite matrix, robust to rounding."""
    a = (a + a.T) / 2
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(a)
        return v * np.sqrt(np.clip(w, 0, None))


def sample_joint_model(Y: np.ndarray, X: np.ndarray, cluster: np.ndarray, m: int, seed: int,
                       burn_in: int = 1000, between: int = 100, keep_chain: bool = False) -> JointModelDraws:
    """Run the Gibbs sampler and return ``m`` completed copies of ``Y``.

    Parameters
    ----------
    Y : (n, T) outcomes with NaN where missing (every column observed for someone)
    X : (n, p) fully observed covariates of full column rank, intercept included
    cluster : (n,) caseworker codes 0..J-1
    m : imputations; seed : of the generator; burn_in, between : iterations
    keep_chain : store every post-burn-in draw of the parameters
    """
    rng = np.random.default_rng(seed)
    Y = np.asarray(Y, float)
    X = np.asarray(X, float)
    n, T = Y.shape
    p = X.shape[1]
    cluster = np.asarray(cluster, int)
    J = int(cluster.max()) + 1
    n_j = np.bincount(cluster, minlength=J).astype(float)
    observed = ~np.isnan(Y)
    patterns = []  # (rows, observed columns, missing columns, their index grids) per missingness pattern
    for key in dict.fromkeys(map(tuple, observed)):
        if not all(key):
            rows = np.flatnonzero((observed == np.array(key)).all(axis=1))
            o, mis = np.flatnonzero(key), np.flatnonzero(~np.array(key))
            patterns.append((rows, o, mis, np.ix_(rows, o), np.ix_(rows, mis), np.ix_(o, o), np.ix_(o, mis),
                             np.ix_(mis, mis)))
    order = np.argsort(cluster, kind="stable")
    starts = np.searchsorted(cluster[order], np.arange(J))
    has_rows = n_j > 0
    XtX_inv = np.linalg.inv(X.T @ X)
    L_x = _chol_psd(XtX_inv)
    proj = XtX_inv @ X.T
    # start: missing values at the observed column means, B by least squares, no caseworker effects
    Yc = np.where(observed, Y, np.nanmean(Y, axis=0)[None, :])
    B = proj @ Yc
    resid = Yc - X @ B
    omega_e = np.cov(resid, rowvar=False).reshape(T, T) + np.eye(T)
    omega_u = 0.1 * np.diag(np.diag(omega_e))
    U = np.zeros((J, T))
    prior_df, prior_scale = float(T), np.eye(T)
    completed: list[np.ndarray] = []
    chain_b, chain_u, chain_e = [], [], []
    total = burn_in + between * m
    for it in range(1, total + 1):
        # (1) missing scores given the observed ones
        mu = X @ B + U[cluster]
        for rows, o, mis, ro, rm, oo, om, mm in patterns:
            if len(o):
                K = np.linalg.solve(omega_e[oo], omega_e[om]).T
                cmean = mu[rm] + (Y[ro] - mu[ro]) @ K.T
                ccov = omega_e[mm] - K @ omega_e[om]
            else:
                cmean, ccov = mu[rm], omega_e[mm]
            Yc[rm] = cmean + rng.standard_normal((len(rows), len(mis))) @ _chol_psd(ccov).T
        # (2) regression coefficients
        R = Yc - U[cluster]
        B = proj @ R + L_x @ rng.standard_normal((p, T)) @ _chol_psd(omega_e).T
        # (3) caseworker effects
        E = Yc - X @ B
        sums = np.zeros((J, T))
        sums[has_rows] = np.add.reduceat(E[order], starts[has_rows], axis=0)
        oe_inv = np.linalg.inv(omega_e)
        V = np.linalg.inv(np.linalg.inv(omega_u)[None] + n_j[:, None, None] * oe_inv[None])
        mean = np.einsum("jst,jt->js", V, sums @ oe_inv)
        L_v = np.linalg.cholesky((V + np.transpose(V, (0, 2, 1))) / 2)
        U = mean + np.einsum("jst,jt->js", L_v, rng.standard_normal((J, T)))
        # (4) covariance matrices
        omega_u = _inv_wishart(rng, J + prior_df, U.T @ U + prior_scale)
        resid = E - U[cluster]
        omega_e = _inv_wishart(rng, n - 1, resid.T @ resid + prior_scale)  # jomo's degrees of freedom
        if it > burn_in:
            if keep_chain:
                chain_b.append(B.copy())
                chain_u.append(omega_u.copy())
                chain_e.append(omega_e.copy())
            if (it - burn_in) % between == 0:
                completed.append(Yc.copy())
    return JointModelDraws(completed, np.array(chain_b), np.array(chain_u), np.array(chain_e))


__all__ = ["JointModelDraws", "sample_joint_model"]
