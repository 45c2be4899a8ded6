"""Many REML fits of one mixed model at once: the ICC bootstrap's refits and the imputations' analyses.

The parametric bootstrap of the ICC refits the primary model to 200 simulated
responses, and the multiple imputation fits it to every completed data set.
Every one of these fits has the grouping of the model it comes from
(caseworkers, citizens, visits); the bootstrap's also have its design. Fitted
one at a time (:meth:`fittrial.models.lmm.NestedREML.fit`), a fit costs about 85
criterion evaluations of a few dozen small array operations each, and its
time is mostly the Python overhead of those operations and of the optimiser.
Here the R fits advance together: one evaluation of the REML criterion and its
gradient for all R replicates is the same number of array operations, each
over all replicates at once.

The criterion is :meth:`NestedREML.criterion_and_gradient` (lme4's profiled
REML criterion, its gradient by Harville's formula), written over a leading
replicate axis; the parts that sum over citizens and caseworkers are sparse
products with the model's grouping, computed once.

Optimiser: projected Newton on the free variance ratios g = (g_w, g_c, g_v)
>= 0 (on this scale the one-sided derivative at zero says whether a variance
moves off the boundary), from each of the given starts; the Hessian by
forward differences of the closed-form gradient, its eigenvalues taken in
absolute value (so every step descends), a backtracking line search, and a
coordinate held at zero while its gradient points outward. Steps stop when
they no longer change g (relative 1e-10) or no longer lower the criterion
(its rounding level); the best start of each replicate is kept. Newton
converges quadratically, so g is found to about the precision of its gradient:
it reaches the optimum L-BFGS-B reaches (:meth:`NestedREML.fit_lbfgsb`;
tested on unusual trial shapes: never a worse criterion beyond its
rounding, gradients below 1e-6). :meth:`NestedREML.fit` is this optimiser
with one replicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

MAX_REL_SD = 100.0  # upper bound of a random-intercept SD relative to the residual SD


def pad_rel_sd(rel_sd: np.ndarray) -> np.ndarray:
    """Relative SDs (s_w, s_c, s_v) with the ones a model leaves out as 0."""
    rel_sd = np.asarray(rel_sd, float)
    return np.concatenate([rel_sd, np.zeros(3 - len(rel_sd))]) if len(rel_sd) < 3 else rel_sd


BATCH_ELEMENTS = 6_000_000  # replicates per batch: at most this many (rows x replicates x columns) numbers
CROSS_ELEMENTS = 500_000  # points per batch of ManyREML.cross: at most this many (caseworkers x q x columns) numbers
MAX_ITER = 100
ROUNDING = 2e-14  # relative rounding level of the criterion (sums of thousands of terms)
LINE_SEARCH = 12  # step halvings (by 4) before a replicate is taken to be at the optimum
STEP_TOL = 1e-10  # relative change of g at which a Newton step is the last
BIG = 1e20  # criterion where it is not defined (X'H^-1 X numerically singular, or RSS <= 0)


@dataclass
class ManyFits:
    """REML fits of R replicates (arrays with a leading replicate axis).

    ``g``: variance ratios (caseworker, citizen, caseworker x visit) to the
    residual variance, 0 for an intercept left out of the model; ``beta`` and
    ``cov_beta`` the GLS estimates and their covariance s2 (X'H^-1 X)^-1;
    ``var_residual`` = RSS / (n - p); ``criterion`` lme4's REML criterion;
    ``extra_beta``: the GLS coefficients of any extra response columns at the
    same g (R x extra x p); ``converged``: the Newton iterations of the
    replicate's best start ended by their stopping rules, not by the limit of
    iterations.
    """

    g: np.ndarray
    beta: np.ndarray
    cov_beta: np.ndarray
    var_residual: np.ndarray
    criterion: np.ndarray
    extra_beta: np.ndarray | None = None
    converged: np.ndarray | None = None

    @property
    def var_caseworker(self) -> np.ndarray:
        return self.g[:, 0] * self.var_residual

    @property
    def var_citizen(self) -> np.ndarray:
        return self.g[:, 1] * self.var_residual

    @property
    def var_cw_visit(self) -> np.ndarray:
        return self.g[:, 2] * self.var_residual


class ManyREML:
    """The model's grouping, summed once, for the criterion of many responses (and designs) at once.

    Every citizen-level term of the criterion depends on the variance ratios
    only through c_i = g_c / (1 + g_c m_i), with m_i the citizen's number of
    rows, which takes a few values (at most the number of visits). So the
    citizen sums are taken once per batch of replicates, for each value of m:
    Q_m = sum S_i S_i' and P_jm = sum N_i S_i' over caseworker j's citizens
    with m rows (S_i: the citizen's sums of [X, y]; N_i: its rows per
    caseworker-level effect), and each evaluation is caseworker-level
    arithmetic only.
    """

    def __init__(self, model: Any):  # a fittrial.models.lmm.NestedREML (this module imports nothing of it)
        self.model = model
        n, q, n_cit, n_cw = model.n, model.q, model.n_cit, model.n_cw
        self.n, self.p, self.q, self.n_cit, self.n_cw = n, model.p, q, n_cit, n_cw
        self.free = np.array(model.free, bool)
        self.mvals, mcode = np.unique(model.m, return_inverse=True)
        self.n_m = len(self.mvals)
        self.mcount = np.bincount(mcode, minlength=self.n_m).astype(float)
        self._mcode = mcode
        rows = np.arange(n)
        # rows -> citizens, and rows -> (caseworker, effect) weighted by Z: per-citizen sums and Z_j' A
        self._cit = sparse.csr_matrix((np.ones(n), (model._cit_codes, rows)), shape=(n_cit, n))
        zr, zc = np.nonzero(model._Zrow)
        self._cwz = sparse.csr_matrix((model._Zrow[zr, zc], (model.cw_row[zr] * q + zc, zr)), shape=(n_cw * q, n))
        # citizens -> (caseworker, m, effect) weighted by N_i: P_jm = sum N_i S_i'
        ir, ic = np.nonzero(model.N)
        self._cwmn = sparse.csr_matrix(
            (model.N[ir, ic], ((model.cw_codes[ir] * self.n_m + mcode[ir]) * q + ic, ir)),
            shape=(n_cw * self.n_m * q, n_cit))
        NN = np.zeros((n_cw, self.n_m, q, q))  # sum N_i N_i' over caseworker j's citizens with m rows
        np.add.at(NN, (model.cw_codes, mcode), model.N[:, :, None] * model.N[:, None, :])
        self.NN = NN
        self._NN_by_m = np.ascontiguousarray(NN.transpose(1, 0, 2, 3))  # (n_m, n_cw, q, q)
        self._NN_m = self._NN_by_m.reshape(self.n_m, -1)  # (n_m, n_cw q q)
        self.Czz = model.Czz

    # -- sufficient statistics of the responses ----------------------------------------------------------------

    def _stats(self, A: np.ndarray) -> dict:
        """The sums the criterion needs of A = [X, y, ...] (R x n x a): A'A (R, a, a), Z_j'A (R, n_cw, q, a),
        Q_m (R, n_m, a, a) and P_jm (R, n_m, n_cw q, a)."""
        R, n, a = A.shape
        flat = np.ascontiguousarray(A.transpose(1, 0, 2)).reshape(n, R * a)
        S = (self._cit @ flat).reshape(self.n_cit, R, a)
        T = (self._cwz @ flat).reshape(self.n_cw, self.q, R, a).transpose(2, 0, 1, 3)
        P = (self._cwmn @ S.reshape(self.n_cit, R * a)).reshape(self.n_cw, self.n_m, self.q, R, a)
        Q = np.empty((R, self.n_m, a, a))
        for k in range(self.n_m):
            Sk = S[self._mcode == k]
            Q[:, k] = np.matmul(Sk.transpose(1, 2, 0), Sk.transpose(1, 0, 2))
        return {"AtA": np.matmul(A.transpose(0, 2, 1), A), "T": np.ascontiguousarray(T), "Q": Q,
                "P": np.ascontiguousarray(P.transpose(3, 1, 0, 2, 4)).reshape(R, self.n_m, self.n_cw * self.q, a)}

    def _cross(self, st: dict, g: np.ndarray) -> dict:
        """A' H^-1 A (R, a, a) and log|H| (R,) at g (R x 3), with the caseworker-level pieces the gradient needs.
        The statistics ``st`` are those of R replicates, or of one, shared by every g."""
        AtA, T, Q, P = st["AtA"], st["T"], st["Q"], st["P"]
        S, a = AtA.shape[0], AtA.shape[1]  # S: replicates in the statistics (R, or 1 for all)
        R = g.shape[0]
        q, n_cw = self.q, self.n_cw
        g_w, g_c, g_v = g[:, 0], g[:, 1], g[:, 2]
        den = 1.0 + g_c[:, None] * self.mvals[None, :]  # (R, n_m)
        c = g_c[:, None] / den
        M = AtA - np.matmul(c[:, None, :], Q.reshape(S, self.n_m, a * a)).reshape(R, a, a)
        B = T - np.matmul(c[:, None, :], P.reshape(S, self.n_m, -1)).reshape(R, n_cw, q, a)  # Z_j' H_c^-1 A
        C = self.Czz[None] - (c @ self._NN_m).reshape(R, n_cw, q, q)  # Z_j' H_c^-1 Z_j
        d = np.sqrt(np.concatenate([g_w[:, None], np.repeat(g_v[:, None], q - 1, axis=1)], axis=1))  # (R, q)
        K = np.eye(q) + d[:, None, :, None] * C * d[:, None, None, :]
        Kinv, logdet_k = _spd_inverse(K)
        E = d[:, None, :, None] * Kinv * d[:, None, None, :]  # D^1/2 K^-1 D^1/2
        EB = np.matmul(E, B)
        M = M - np.matmul(B.reshape(R, n_cw * q, a).transpose(0, 2, 1), EB.reshape(R, n_cw * q, a))
        logdet = (self.mcount[None, :] * np.log(den)).sum(axis=1) + logdet_k.sum(axis=1)
        return {"M": M, "logdet": logdet, "B": B, "C": C, "E": E, "EB": EB, "den": den}

    def statistics(self, A: np.ndarray) -> dict:
        """The sums the criterion needs of one response's A = [X, y] (n x a), for :meth:`cross`."""
        return self._stats(np.asarray(A, float)[None])

    def cross(self, stats: dict, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A' H^-1 A (R, a, a) and log|H| (R,) of one response (:meth:`statistics`) at R variance ratios g
        (R x 3), all at once: caseworker-level arithmetic only (the citizen sums are in the statistics)."""
        g = np.atleast_2d(np.asarray(g, float))
        a = stats["AtA"].shape[1]
        per = max(1, CROSS_ELEMENTS // (self.n_cw * self.q * a))  # points at a time: the arrays stay in cache
        parts = [self._cross(stats, g[lo:lo + per]) for lo in range(0, len(g), per)]
        return np.concatenate([c["M"] for c in parts]), np.concatenate([c["logdet"] for c in parts])

    def _evaluate(self, st: dict, g: np.ndarray, gradient: bool = True) -> dict:
        """Criterion (and gradient) at g (R x 3) for the replicates of ``st``; the parts the results need."""
        AtA, Q, P = st["AtA"], st["Q"], st["P"]
        R = AtA.shape[0]
        q, p, n_cw = self.q, self.p, self.n_cw
        parts = self._cross(st, g)
        M, logdet, B, C, E, EB, den = (parts[k] for k in ("M", "logdet", "B", "C", "E", "EB", "den"))
        Mxx = M[:, :p, :p]
        ok = np.ones(R, bool)
        try:
            L = np.linalg.cholesky(Mxx)
        except np.linalg.LinAlgError:  # numerically singular far out in the parameter space
            L = np.repeat(np.eye(p)[None], R, axis=0)
            for i in range(R):
                try:
                    L[i] = np.linalg.cholesky(Mxx[i])
                except np.linalg.LinAlgError:
                    ok[i] = False
        Minv = np.linalg.inv(np.where(ok[:, None, None], Mxx, np.eye(p)))
        beta = np.matmul(Minv, M[:, :p, p:])  # every response column's GLS coefficients (R, p, a - p)
        b0 = beta[:, :, 0]
        rss = M[:, p, p] - np.einsum("rp,rp->r", M[:, :p, p], b0)
        ok &= rss > 0
        dof = self.n - p
        with np.errstate(invalid="ignore", divide="ignore"):
            f = logdet + 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1) \
                + dof * (1.0 + np.log(2.0 * np.pi * rss / dof))
        f = np.where(ok, f, BIG)
        out = {"f": f, "beta": beta, "Minv": Minv, "rss": rss, "ok": ok}
        if not gradient:
            return out
        # Harville: d/dg_k = tr(Z_k' P Z_k) - (n - p) |Z_k' P y|^2 / RSS. For rows u (Z_k' H^-1 [X, y]),
        # |Z_k' P y|^2 (n - p) / RSS + the trace correction = sum u' Phi u with Phi below
        r = p + 1
        k = dof / np.where(ok, rss, 1.0)
        Phi = np.zeros((R, r, r))
        Phi[:, :p, :p] = Minv + k[:, None, None] * b0[:, :, None] * b0[:, None, :]
        Phi[:, :p, p] = Phi[:, p, :p] = -k[:, None] * b0
        Phi[:, p, p] = k
        B, EB = B[..., :r], EB[..., :r]
        ZHA = B - np.matmul(C, EB)  # Z_j' H_j^-1 [X, y]
        ZHZ_diag = np.diagonal(C, axis1=2, axis2=3) - (np.matmul(C, E) * C).sum(axis=3)  # of Z_j' H_j^-1 Z_j
        grad = np.zeros((R, 3))
        u0 = ZHA[:, :, 0, :]
        grad[:, 0] = ZHZ_diag[:, :, 0].sum(axis=1) - (np.matmul(u0, Phi) * u0).sum(axis=(1, 2))
        if q > 1:
            u2 = ZHA[:, :, 1:, :].reshape(R, -1, r)
            grad[:, 2] = ZHZ_diag[:, :, 1:].sum(axis=(1, 2)) \
                - (np.matmul(u2, Phi) * u2).sum(axis=(1, 2))
        # citizen i of caseworker j: 1_i' H_j^-1 [X, y] = (S_i - W_j' N_i) / den_i with W_j = E_j B_j; summed
        # over the citizens with m rows from Q_m, P_jm and the N_i N_i' sums
        EBt = EB.reshape(R, 1, n_cw * q, r).transpose(0, 1, 3, 2)  # (R, 1, r, n_cw q)
        WP = np.matmul(EBt, P[..., :r])  # sum_j W_j' P_jm (R, n_m, r, r)
        NW = np.matmul(self._NN_by_m[None], EB[:, None])  # N N' sums times W_j (R, n_m, n_cw, q, r)
        WNW = np.matmul(EBt, NW.reshape(R, self.n_m, n_cw * q, r))
        U = Q[:, :, :r, :r] - WP - WP.transpose(0, 1, 3, 2) + WNW
        inv_den2 = 1.0 / den**2
        ENN = E.reshape(R, -1) @ self._NN_m.T  # sum_j tr(E_j NN_jm) (R, n_m)
        trace = (self.mcount * self.mvals / den).sum(axis=1) - (ENN * inv_den2).sum(axis=1)
        grad[:, 1] = trace - ((U * Phi[:, None]).sum(axis=(2, 3)) * inv_den2).sum(axis=1)
        grad[~ok] = 0.0
        out["grad"] = grad
        return out

    # -- optimiser -----------------------------------------------------------------------------------------------

    def _newton(self, stats: dict, g0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Projected Newton from g0 (R x 3) for every replicate; returns (g, criterion, converged)."""
        free = self.free
        upper = MAX_REL_SD**2
        g = np.clip(np.where(free, g0, 0.0), 0.0, upper)
        R = g.shape[0]
        res = self._evaluate(stats, g)
        f, grad = res["f"], res["grad"]
        running = np.ones(R, bool)
        hessian = np.zeros((R, 3, 3))
        have = np.zeros(R, bool)  # a Hessian from the step before: a step it makes tiny ends the search
        for _ in range(MAX_ITER):
            idx = np.flatnonzero(running)
            if not len(idx):
                break
            x, gr = g[idx], grad[idx]
            hold = ~free[None, :] | ((x <= 0.0) & (gr > 0.0)) | ((x >= upper) & (gr < 0.0))
            gm = np.where(hold, 0.0, gr)
            scale = np.maximum(1.0, np.abs(x).max(axis=1))
            if have[idx].any():
                tiny = have[idx] & (np.abs(_newton_step(hessian[idx], gm, hold)).max(axis=1) <= STEP_TOL * scale)
                running[idx[tiny]] = False
                keep = ~tiny
                idx, x, gr, hold, gm, scale = idx[keep], x[keep], gr[keep], hold[keep], gm[keep], scale[keep]
                if not len(idx):
                    break
            sub = _take(stats, idx)
            H = np.zeros((len(idx), 3, 3))  # forward differences of the gradient, one free coordinate at a time
            for k in np.flatnonzero(free):
                h = 1e-6 * np.maximum(x[:, k], 1e-3)
                xk = x.copy()
                xk[:, k] += h
                H[:, :, k] = (self._evaluate(sub, xk)["grad"] - gr) / h[:, None]
            H = (H + H.transpose(0, 2, 1)) / 2
            hessian[idx], have[idx] = H, True
            step = _newton_step(H, gm, hold)
            tiny = np.abs(step).max(axis=1) <= STEP_TOL * scale
            running[idx[tiny]] = False
            alpha = np.ones(len(idx))
            trying = ~tiny
            for _ls in range(LINE_SEARCH):
                t_idx = np.flatnonzero(trying)
                if not len(t_idx):
                    break
                xt = np.clip(x[t_idx] + alpha[t_idx, None] * step[t_idx], 0.0, upper)
                rt = self._evaluate(_take(sub, t_idx), xt)
                fx = f[idx[t_idx]]
                decrease = np.einsum("ri,ri->r", gr[t_idx], xt - x[t_idx])
                # Armijo, allowing the criterion's rounding (a Newton step near the optimum is sound even when
                # the criterion cannot tell its points apart)
                good = (rt["f"] <= fx + 1e-4 * np.minimum(decrease, 0.0) + ROUNDING * np.abs(fx)) & (rt["f"] < BIG)
                gi = idx[t_idx[good]]
                g[gi], f[gi], grad[gi] = xt[good], rt["f"][good], rt["grad"][good]
                trying[t_idx[good]] = False
                alpha[t_idx[~good]] *= 0.25
            running[idx[trying]] = False  # no step lowers the criterion: it is at its rounding level
        return g, f, ~running

    def fit(self, Y: np.ndarray, X: np.ndarray | None = None, starts: tuple[tuple[float, ...], ...] = (),
            extra: np.ndarray | None = None) -> ManyFits:
        """REML fits of the responses ``Y`` (R x n) with the model's design, or each with its own design ``X``
        (R x n x p), from each of ``starts`` (relative SDs (s_w, s_c, s_v), as :meth:`NestedREML.fit`); the
        best start of each replicate is kept. ``extra`` (R x n x e): further responses whose GLS coefficients
        at each fit's variance ratios are returned in ``extra_beta``."""
        Y = np.atleast_2d(np.asarray(Y, float))
        R = Y.shape[0]
        starts = starts or ((0.3, 0.7, 0.3), (0.0, 0.7, 0.0))
        e = 0 if extra is None else extra.shape[2]
        a = self.p + 1 + e
        per = max(1, min(R, BATCH_ELEMENTS // max(1, a * max(self.n, self.n_cw * self.n_m * self.q * a))))
        parts = []
        for lo in range(0, R, per):
            hi = min(R, lo + per)
            Xb = np.broadcast_to(self.model.X, (hi - lo, self.n, self.p)) if X is None else X[lo:hi]
            cols = [Xb, Y[lo:hi, :, None]] + ([] if extra is None else [extra[lo:hi]])
            parts.append(self._fit_batch(np.concatenate(cols, axis=2), starts))

        def stacked(k: str) -> np.ndarray:
            return np.concatenate([getattr(b, k) for b in parts])

        return ManyFits(stacked("g"), stacked("beta"), stacked("cov_beta"), stacked("var_residual"),
                        stacked("criterion"), stacked("extra_beta") if e else None, stacked("converged"))

    def _fit_batch(self, A: np.ndarray, starts) -> ManyFits:
        R = A.shape[0]
        r = self.p + 1
        stats = self._stats(A)
        full = _take(stats, None, columns=r)
        best_g: np.ndarray | None = None
        best_f: np.ndarray | None = None
        converged = np.ones(R, bool)
        if not self.free.any():
            best_g = np.zeros((R, 3))
        else:
            for s in dict.fromkeys(tuple(float(v) for v in pad_rel_sd(np.asarray(s, float))) for s in starts):
                g0 = np.repeat((np.asarray(s) ** 2)[None, :], R, axis=0)
                g, f, done = self._newton(full, g0)
                if best_g is None:
                    best_g, best_f, converged = g, f, done
                else:
                    assert best_f is not None  # set with best_g by the first start
                    better = f < best_f
                    best_g[better], best_f[better], converged[better] = g[better], f[better], done[better]
        assert best_g is not None  # ``starts`` is never empty (:meth:`fit` gives the default ones)
        res = self._evaluate(stats, best_g, gradient=False)
        s2 = res["rss"] / (self.n - self.p)
        beta = res["beta"]
        return ManyFits(best_g, beta[:, :, 0], s2[:, None, None] * res["Minv"], s2, res["f"],
                        beta[:, :, 1:].transpose(0, 2, 1), converged)


def _spd_inverse(K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses and log-determinants of a stack of small symmetric positive definite matrices (..., q, q), by a
    Cholesky factorisation written over the stack (numpy's batched inv and slogdet cost a LAPACK call per
    matrix, most of the criterion's time with thousands of 3 x 3 matrices). Entry by entry: each (i, j) entry of
    the stack is one contiguous array, so every step is one vectorised operation over all matrices (5 times
    faster than operating on the strided entries of the stack); sums over k in increasing k."""
    q = K.shape[-1]
    Kt = np.moveaxis(K, (-2, -1), (0, 1))
    L: list[list[np.ndarray]] = [[np.empty(0)] * q for _ in range(q)]  # the factor's entries (lower triangle)
    for j in range(q):
        diag = Kt[j, j] - _dot([L[j][k] for k in range(j)], [L[j][k] for k in range(j)]) if j else Kt[j, j]
        L[j][j] = np.sqrt(diag)
        for i in range(j + 1, q):
            off = Kt[i, j] - _dot([L[i][k] for k in range(j)], [L[j][k] for k in range(j)]) if j else Kt[i, j]
            L[i][j] = off / L[j][j]
    Li: list[list[np.ndarray]] = [[np.empty(0)] * q for _ in range(q)]  # L^-1, lower triangular, by forward substitution
    for j in range(q):
        Li[j][j] = 1.0 / L[j][j]
        for i in range(j + 1, q):
            Li[i][j] = -_dot([L[i][k] for k in range(j, i)], [Li[k][j] for k in range(j, i)]) / L[i][i]
    inv = np.empty(K.shape)
    for a in range(q):  # (L^-1)' L^-1
        for b in range(a, q):
            below = range(max(a, b), q)
            inv[..., a, b] = entry = _dot([Li[k][a] for k in below], [Li[k][b] for k in below])
            inv[..., b, a] = entry
    logdet = 2.0 * np.log(L[0][0])
    for j in range(1, q):
        logdet = logdet + 2.0 * np.log(L[j][j])
    return inv, logdet


def _dot(xs: list[np.ndarray], ys: list[np.ndarray]) -> np.ndarray:
    """sum_k xs[k] * ys[k], element by element, in increasing k."""
    acc = xs[0] * ys[0]
    for x, y in zip(xs[1:], ys[1:]):
        acc = acc + x * y
    return acc


def _newton_step(H: np.ndarray, grad: np.ndarray, hold: np.ndarray) -> np.ndarray:
    """-|H|^-1 grad over the coordinates not held (|H|: eigenvalues in absolute value, so the step descends)."""
    H = np.where(hold[:, :, None] | hold[:, None, :], np.eye(3), H)
    w, V = np.linalg.eigh(H)
    w = np.abs(w)
    w = np.maximum(w, 1e-12 * np.maximum(w.max(axis=1, keepdims=True), 1e-300))
    step = -np.einsum("rij,rj->ri", V, np.einsum("rji,rj->ri", V, grad) / w)
    return np.where(hold, 0.0, step)


def _take(stats: dict, idx: np.ndarray | None, columns: int | None = None) -> dict:
    """The statistics of some replicates (``idx``; None for all), of the first ``columns`` columns of A."""
    sel = slice(None) if idx is None else idx
    c = slice(None) if columns is None else slice(0, columns)
    return {"AtA": stats["AtA"][sel][:, c, c], "T": stats["T"][sel][..., c], "Q": stats["Q"][sel][..., c, c],
            "P": stats["P"][sel][..., c]}


__all__ = ["ManyFits", "ManyREML"]
