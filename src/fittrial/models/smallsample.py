"""Small-sample inference for contrasts of the nested mixed model (:mod:`fittrial.models.lmm`): Satterthwaite's
df (as lmerTest computes them, its multi-df F-test as ``contestMD``) and Kenward-Roger's adjusted SE and df (as
pbkrtest). Both take a :class:`~fittrial.models.lmm.NestedREML` model and its REML fit; the pieces that every
contrast of one fit shares (the Hessian of the REML deviance, the Kenward-Roger matrices) are computed once and
kept on the fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrial.models.lmm import NestedREML, NestedREMLFit


def _steps(x: np.ndarray) -> np.ndarray:
    return 1e-3 * np.maximum(np.abs(x), 0.05)


def gradient_points(x: np.ndarray) -> list[np.ndarray]:
    """The points of :func:`numeric_gradient`'s stencil, in its order: x + h e_i, x - h e_i, x + 2h e_i,
    x - 2h e_i for each coordinate i."""
    h = _steps(x)
    points = []
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h[i]
        points += [x + e, x - e, x + 2 * e, x - 2 * e]
    return points


def numeric_gradient(values: Sequence[float], x: np.ndarray) -> np.ndarray:
    """Central differences with one Richardson extrapolation (error O(h^4)), from the function's ``values`` at
    :func:`gradient_points` (x), in their order (so that they can be computed all at once)."""
    h = _steps(x)
    grad = np.zeros(len(x))
    for i in range(len(x)):
        f_plus, f_minus, f_plus2, f_minus2 = values[4 * i:4 * i + 4]
        d1 = (f_plus - f_minus) / (2 * h[i])
        d2 = (f_plus2 - f_minus2) / (4 * h[i])
        grad[i] = (4 * d1 - d2) / 3
    return grad


def numeric_hessian(f_many: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Hessian by central differences of the function values, with one Richardson extrapolation; every point of
    the stencil is evaluated in one call of ``f_many`` (points as rows)."""
    k = len(x)
    h = _steps(x)
    points: list[np.ndarray] = []
    for i in range(k):
        for j in range(i, k):
            for scale in (1.0, 2.0):
                ei = np.zeros(k)
                ej = np.zeros(k)
                ei[i] = h[i] * scale
                ej[j] = h[j] * scale
                points += [x + ei + ej, x + ei - ej, x - ei + ej, x - ei - ej]
    values = iter(np.asarray(f_many(np.array(points)), float).tolist())
    H = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            second = []
            for scale in (1.0, 2.0):
                a, b, c, d = (next(values) for _ in range(4))
                second.append((a - b - c + d) / (4 * (h[i] * scale) * (h[j] * scale)))
            H[i, j] = H[j, i] = (4 * second[0] - second[1]) / 3
    return H


@dataclass
class ContrastInference:
    """Estimate, SE and df of one linear combination L'beta."""

    estimate: float
    se: float
    df: float


def varpar_of(fit: NestedREMLFit) -> np.ndarray:
    """(theta_w, theta_c, theta_v, sigma) of a fit."""
    s = np.sqrt(fit.var_residual)
    return np.array([np.sqrt(fit.var_caseworker) / s, np.sqrt(fit.var_citizen) / s, np.sqrt(fit.var_cw_visit) / s,
                     s])


def _satterthwaite_pieces(model: NestedREML, fit: NestedREMLFit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What Satterthwaite's df share across the contrasts of one fit: the free variance parameters x, A = 2 x the
    inverse numerical Hessian of the REML deviance, and Cov(beta) at every point of the gradient's stencil
    (:func:`gradient_points`; every contrast's gradient visits the same points). The stencils are evaluated in
    one batch each (:meth:`NestedREML.deviances`, :meth:`~NestedREML.vcovs`: caseworker-level arithmetic per
    point, not a pass over the citizens), once per fit, and kept on the fit as arrays (picklable)."""
    full = varpar_of(fit)
    idx = model.varpar_index  # parameters of intercepts left out of the model stay at 0

    def expand(vps: np.ndarray) -> np.ndarray:
        out = np.repeat(full[None], len(vps), axis=0)
        out[:, idx] = vps
        return out

    cached = getattr(fit, "_satt", None)
    if cached is None or cached[0] is not model:
        hessian = numeric_hessian(lambda vps: model.deviances(expand(vps)), full[idx])
        cached = (model, 2.0 * np.linalg.pinv(hessian), model.vcovs(expand(np.array(gradient_points(full[idx])))))
        fit._satt = cached  # type: ignore[attr-defined]
    return full[idx], cached[1], cached[2]


def satterthwaite(model: NestedREML, fit: NestedREMLFit, L: np.ndarray) -> ContrastInference:
    """Satterthwaite df for L'beta as lmerTest computes them.

    df = 2 v^2 / (g' A g) with v = L' Cov(beta) L, g its gradient in the
    variance parameters (theta_w, theta_c, theta_v, sigma) and A = 2 x the inverse
    Hessian of the REML deviance (the asymptotic covariance of the variance
    parameters). Derivatives are numerical (lmerTest uses numDeriv).
    """
    x, A, vcovs = _satterthwaite_pieces(model, fit)
    v = float(L @ fit.cov_beta @ L)
    grad = numeric_gradient([float(L @ V @ L) for V in vcovs], x)
    denom = float(grad @ A @ grad)
    df = 2.0 * v * v / denom if denom > 0 else float("inf")
    return ContrastInference(float(L @ fit.beta), float(np.sqrt(v)), df)


def _cluster_blocks(model: NestedREML, fit: NestedREMLFit):
    """Per caseworker: X_j, Sigma_j^-1 and the derivative matrices G_j of the free variances (caseworker,
    citizen, caseworker x visit, residual)."""
    blocks = []
    for idx in model.cluster_rows:
        cit = model.citizen[idx]
        Zc = (cit[:, None] == pd.unique(cit)[None, :]).astype(float)
        vis = model.v_codes[idx]
        G = [np.ones((len(idx), len(idx))), Zc @ Zc.T, (vis[:, None] == vis[None, :]).astype(float),
             np.eye(len(idx))]
        Sigma = (fit.var_caseworker * G[0] + fit.var_citizen * G[1] + fit.var_cw_visit * G[2]
                 + fit.var_residual * G[3])
        blocks.append((model.X[idx], np.linalg.inv(Sigma), [G[i] for i in model.varpar_index]))
    return blocks


def _kr_pieces(model: NestedREML, fit: NestedREMLFit) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(P_i, W, Phi_A) of Kenward-Roger, the same for every contrast of a fit (kept on the fit)."""
    cached = getattr(fit, "_kr", None)
    if cached is not None and cached[0] is model:
        return cached[1]
    Phi = fit.cov_beta
    blocks = _cluster_blocks(model, fit)
    k, p = len(model.varpar_index), model.p
    P = [np.zeros((p, p)) for _ in range(k)]
    Q = [[np.zeros((p, p)) for _ in range(k)] for _ in range(k)]
    trSS = np.zeros((k, k))
    for Xj, Si, G in blocks:
        SiG = [Si @ Gi for Gi in G]
        XSi = Xj.T @ Si
        SiX = Si @ Xj
        for i in range(k):
            XSiG = XSi @ G[i]
            P[i] -= XSiG @ SiX
            for j in range(k):
                Q[i][j] += XSiG @ SiG[j] @ SiX
                trSS[i, j] += np.sum(SiG[i] * SiG[j].T)
    info = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            info[i, j] = trSS[i, j] - 2 * np.trace(Phi @ Q[i][j]) + np.trace(Phi @ P[i] @ Phi @ P[j])
    W = 2.0 * np.linalg.inv(info)
    U = sum(W[i, j] * (Q[i][j] - P[i] @ Phi @ P[j]) for i in range(k) for j in range(k))
    Phi_A = Phi + 2.0 * Phi @ U @ Phi
    fit._kr = (model, (P, W, Phi_A))  # type: ignore[attr-defined]
    return P, W, Phi_A


def kenward_roger(model: NestedREML, fit: NestedREMLFit, L: np.ndarray) -> ContrastInference:
    """Kenward-Roger (1997) adjusted SE and df for one contrast L'beta, as pbkrtest computes them.

    The covariance parameters are linear (Sigma = sum_i s_i G_i with s =
    caseworker, citizen, caseworker x visit and residual variances), so the
    R_ij terms vanish.
    Phi_A = Phi + 2 Phi [sum_ij W_ij (Q_ij - P_i Phi P_j)] Phi with W the inverse
    expected REML information; the df follow pbkrtest's ``Lb_ddf`` (as lmerTest's
    ``ddf = "Kenward-Roger"`` for a single contrast).
    """
    Phi = fit.cov_beta
    k = len(model.varpar_index)
    P, W, Phi_A = _kr_pieces(model, fit)
    # pbkrtest Lb_ddf: df for a single linear combination
    Lm = L.reshape(1, -1)
    Theta = Lm.T @ np.linalg.inv(Lm @ Phi @ Lm.T) @ Lm
    TPi = [Theta @ Phi @ P[i] @ Phi for i in range(k)]
    A1 = sum(W[i, j] * np.trace(TPi[i]) * np.trace(TPi[j]) for i in range(k) for j in range(k))
    A2 = sum(W[i, j] * np.trace(TPi[i] @ TPi[j]) for i in range(k) for j in range(k))
    q = 1
    B = (A1 + 6 * A2) / (2 * q)
    g = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2)
    c1 = g / (3 * q + 2 * (1 - g))
    c2 = (q - g) / (3 * q + 2 * (1 - g))
    c3 = (q + 2 - g) / (3 * q + 2 * (1 - g))
    E = 1 / (1 - A2 / q)
    V = 2 / q * (1 + c1 * B) / ((1 - c2 * B) ** 2 * (1 - c3 * B))
    rho = V / (2 * E * E)
    df = 4 + (q + 2) / (q * rho - 1)
    return ContrastInference(float(L @ fit.beta), float(np.sqrt(L @ Phi_A @ L)), float(df))


def satterthwaite_f(model: NestedREML, fit: NestedREMLFit, L: np.ndarray) -> tuple[float, int, float, float]:
    """Multi-df F-test of L beta = 0 with Satterthwaite denominator df, as lmerTest's ``contestMD``.

    The q contrasts are rotated to the eigenvectors of L Cov(beta) L'; each
    rotated contrast gets its Satterthwaite df nu_i; with E = sum nu_i/(nu_i - 2)
    the denominator df is 2E/(E - q). Returns (F, q, ddf, p).
    """
    from fittrial.base.tdist import f_sf

    L = np.atleast_2d(L)
    q = L.shape[0]
    VL = L @ fit.cov_beta @ L.T
    evals, evecs = np.linalg.eigh(VL)
    PL = evecs.T @ L
    t2 = (PL @ fit.beta) ** 2 / evals
    F = float(t2.sum() / q)
    nus = np.array([satterthwaite(model, fit, row).df for row in PL])
    if q == 1:
        ddf = float(nus[0])
    else:
        E = float(np.sum(nus[nus > 2] / (nus[nus > 2] - 2)))
        ddf = 2 * E / (E - q) if E > q else float("nan")
    return F, q, ddf, float(f_sf(F, q, ddf))
