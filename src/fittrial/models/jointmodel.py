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
from scipy import sparse
from scipy.linalg import lapack


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


def _inv_wishart(rng: np.random.Generator, df: float, scale: np.ndarray, normals: np.ndarray | None = None
                 ) -> np.ndarray:
    """One draw from the inverse Wishart IW(df, scale): the inverse of a Wishart(df, scale^-1) draw (Bartlett).

    W = C A A' C' with C the Cholesky factor of scale^-1 and A lower triangular (standard normals below the
    diagonal, square roots of chi-square(df - i) draws on it); returned as (CA)^-T (CA)^-1. ``normals``: the
    T x T standard normals of A, if already taken from ``rng`` (row by row; those on and above the diagonal are
    not used). The small factorisations call LAPACK directly (numpy's wrappers cost several times more on 3 x 3
    matrices, and this runs twice per Gibbs iteration)."""
    T = scale.shape[0]
    A = (rng.standard_normal((T, T)) if normals is None else normals.reshape(T, T)) * _strict_lower(T)
    A.flat[:: T + 1] = np.sqrt(rng.chisquare(df - np.arange(T)))
    c, info = lapack.dpotrf((scale + scale.T) / 2, lower=1)
    if info == 0:
        s_inv, info = lapack.dpotri(c, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("the inverse Wishart scale matrix is not positive definite")
    s_inv = np.where(_strict_lower(T).T > 0, s_inv.T, s_inv)  # dpotri fills the lower triangle only
    C, info = lapack.dpotrf(s_inv, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("the inverse Wishart scale matrix is not positive definite")
    CA_inv, info = lapack.dtrtri(C @ A, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular Bartlett factor in the inverse Wishart draw")
    return CA_inv.T @ CA_inv


_LOWER: dict[int, np.ndarray] = {}


def _strict_lower(T: int) -> np.ndarray:
    """The 0/1 mask of the entries below the diagonal of a T x T matrix."""
    if T not in _LOWER:
        _LOWER[T] = np.tril(np.ones((T, T)), -1)
    return _LOWER[T]


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

    Step (1) draws every citizen's missing scores at once: with Lambda =
    Omega_e^-1 and r the residuals with missing entries set to 0, the missing
    scores given the observed ones are N(mu_m - Lambda_mm^-1 (Lambda r)_m,
    Lambda_mm^-1), and Lambda_mm^-1 for every missingness pattern is one
    batched inverse (the pattern's Lambda with identity outside its missing
    block). The normal draws are taken from the generator in the order of one
    draw per pattern (patterns in order of first appearance, citizens in row
    order, missing visits in column order), then B's, the caseworker effects'
    and the two inverse Wishart draws', so a seed gives the same stream as
    drawing them one step at a time.
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
    # missingness patterns in order of first appearance; the incomplete rows sorted by pattern (stable: in row
    # order within one), so that the normal draws of pattern k, taken row by row over its missing visits, are one
    # slice of the block of normals, and each pattern's conditional draw one matrix product over its rows
    keys = [key for key in dict.fromkeys(map(tuple, observed)) if not all(key)]
    code = np.full(n, -1)
    for k, key in enumerate(keys):
        code[(observed == np.array(key)).all(axis=1)] = k
    incomplete = np.flatnonzero(code >= 0)
    incomplete = incomplete[np.argsort(code[incomplete], kind="stable")]
    counts = np.bincount(code[incomplete], minlength=len(keys))
    row_end = np.cumsum(counts)
    missing_cols = [np.flatnonzero(~np.array(key)) for key in keys]
    draw_end = np.cumsum(counts * np.array([len(c) for c in missing_cols], int))
    n_draw = int(draw_end[-1]) if keys else 0
    hold = np.array(keys, bool).reshape(len(keys), T)  # the observed visits of each pattern
    outside = hold[:, :, None] | hold[:, None, :]  # entries of a pattern's padded Lambda outside its missing block
    eye = np.eye(T)
    X_inc, cluster_inc = X[incomplete], cluster[incomplete]
    observed_inc = observed[incomplete]
    Y0_inc = np.where(observed_inc, Y[incomplete], 0.0)
    sizes, size_of = np.unique(n_j, return_inverse=True)  # V_j depends on caseworker j only through n_j
    XtX = X.T @ X
    XtX_inv = np.linalg.inv(XtX)
    L_x = _chol_psd(XtX_inv)
    proj_G = np.zeros((p, J))  # (X'X)^-1 X' U[cluster] = proj_G @ U
    np.add.at(proj_G.T, cluster, (XtX_inv @ X.T).T)
    GX = np.zeros((J, p))  # per-caseworker sums of the covariates
    np.add.at(GX, cluster, X)
    # the rows with every visit observed never change: their sums are taken once, and every iteration adds those
    # of the incomplete rows only (X'Y, the caseworkers' sums of Y, Y'Y)
    complete = np.ones(n, bool)
    complete[incomplete] = False
    Y_com, X_com = Y[complete], X[complete]
    XtY_com = X_com.T @ Y_com
    # X'Y of every observed score (the incomplete rows' drawn cells are added each iteration)
    XtY_fixed = XtY_com + X[incomplete].T @ np.where(observed[incomplete], Y[incomplete], 0.0)
    YtY_com = Y_com.T @ Y_com
    GY_com = np.zeros((J, T))
    np.add.at(GY_com, cluster[complete], Y_com)
    G_inc = sparse.csr_matrix((np.ones(len(incomplete)), (cluster_inc, np.arange(len(incomplete)))),
                              shape=(J, len(incomplete)))
    # start: missing values at the observed column means, B by least squares, no caseworker effects
    Yc = np.where(observed, Y, np.nanmean(Y, axis=0)[None, :])
    Y_inc = Yc[incomplete]
    B = XtX_inv @ (XtY_com + X_inc.T @ Y_inc)
    resid = Yc - X @ B
    omega_e = np.cov(resid, rowvar=False).reshape(T, T) + np.eye(T)
    omega_u = 0.1 * np.diag(np.diag(omega_e))
    U = np.zeros((J, T))
    prior_df, prior_scale = float(T), np.eye(T)
    completed: list[np.ndarray] = []
    chain_b, chain_u, chain_e = [], [], []
    total = burn_in + between * m
    n_normal = n_draw + p * T + J * T + T * T
    for it in range(1, total + 1):
        normals = rng.standard_normal(n_normal)
        oe_inv = np.linalg.inv(omega_e)
        # (1) missing scores given the observed ones: mu - Lambda_mm^-1 (Lambda r)_m + chol(Lambda_mm^-1) z
        XtY = XtY_fixed.copy()
        if len(keys):
            cov_m = np.linalg.inv(np.where(outside, eye, oe_inv[None]))  # Lambda_mm^-1, identity outside the block
            both = np.concatenate([cov_m, -_chol_batch(cov_m)], axis=2)  # (patterns, T, 2T)
            mu = X_inc @ B + np.take(U, cluster_inc, axis=0)  # np.take: the same rows, several times faster
            lam_r = np.where(observed_inc, Y0_inc - mu, 0.0) @ oe_inv
            row, at = 0, 0
            for k, cols in enumerate(missing_cols):
                rows = slice(row, row_end[k])
                v = np.zeros((row_end[k] - row, 2 * T))
                v[:, cols] = lam_r[rows][:, cols]
                v[:, T + cols] = normals[at:draw_end[k]].reshape(-1, len(cols))
                drawn = (mu[rows] - v @ both[k].T)[:, cols]
                Y_inc[rows, cols] = drawn
                XtY[:, cols] += X_inc[rows].T @ drawn  # X'Y over the drawn cells only
                row, at = row_end[k], draw_end[k]
        at = n_draw
        GY = GY_com + G_inc @ Y_inc  # the caseworkers' sums of the completed scores
        # (2) regression coefficients
        B = XtX_inv @ XtY - proj_G @ U + L_x @ normals[at:at + p * T].reshape(p, T) @ _chol_psd(omega_e).T
        at += p * T
        # (3) caseworker effects
        sums = GY - GX @ B
        V = np.linalg.inv(np.linalg.inv(omega_u)[None] + sizes[:, None, None] * oe_inv[None])  # per cluster size
        L_v = np.linalg.cholesky((V + np.transpose(V, (0, 2, 1))) / 2)
        U = _per_row(V, size_of, sums @ oe_inv) + _per_row(L_v, size_of, normals[at:at + J * T].reshape(J, T))
        at += J * T
        # (4) covariance matrices; E'E of the residuals E = Y - X B - U[cluster] from the sums above (every
        # term a T x T product of sums: no pass over the citizens)
        omega_u = _inv_wishart(rng, J + prior_df, U.T @ U + prior_scale, normals[at:])
        XtYB, GYU, GXU = B.T @ XtY, U.T @ GY, B.T @ GX.T @ U
        EtE = (YtY_com + Y_inc.T @ Y_inc) - XtYB - XtYB.T - GYU - GYU.T + B.T @ XtX @ B + GXU + GXU.T \
            + (U * n_j[:, None]).T @ U
        omega_e = _inv_wishart(rng, n - 1, EtE + prior_scale)  # jomo's degrees of freedom
        if it > burn_in:
            if keep_chain:
                chain_b.append(B.copy())
                chain_u.append(omega_u.copy())
                chain_e.append(omega_e.copy())
            if (it - burn_in) % between == 0:
                Yc[incomplete] = Y_inc
                completed.append(Yc.copy())
    return JointModelDraws(completed, np.array(chain_b), np.array(chain_u), np.array(chain_e))


def _per_row(M: np.ndarray, which: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Row j of the result is M[which[j]] @ w[j] (M: K x T x T, w: J x T), summed over the columns in order, as
    ``(M[which] * w[:, None, :]).sum(axis=2)`` sums them (the same floats), entry by entry over all rows at once
    (four times faster than gathering a T x T matrix per row)."""
    T = w.shape[1]
    Mt = np.ascontiguousarray(np.moveaxis(M, 0, 2))[:, :, which]  # (T, T, J): each entry one array over the rows
    out = np.empty(w.shape)
    for a in range(T):
        acc = Mt[a, 0] * w[:, 0]
        for b in range(1, T):
            acc = acc + Mt[a, b] * w[:, b]
        out[:, a] = acc
    return out


def _chol_batch(a: np.ndarray) -> np.ndarray:
    """Cholesky factors of a stack of symmetric positive (semi)definite matrices, robust to rounding."""
    a = (a + np.swapaxes(a, -1, -2)) / 2
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return np.stack([_chol_psd(x) for x in a])


__all__ = ["JointModelDraws", "sample_joint_model"]
