"""Intra-cluster correlations (caseworker level) with 95% CIs, and design effects.

WHO-5: ICC = s2_caseworker / (s2_caseworker + s2_citizen + s2_residual) from
the primary mixed model (so conditional on its covariates), with a
parametric-bootstrap percentile CI (the model is simulated from its estimates
and refitted by REML; seed and number of replicates from the config). The
bootstrap behaves at the zero boundary, where a Wald interval does not.

Binary outcomes: ICC on the latent (logistic) scale, s2_u / (s2_u + pi^2/3),
from a random-intercept logistic model ``outcome ~ fit + stratum + (1 | caseworker)``
fitted by maximum likelihood with adaptive Gauss-Hermite quadrature (25 nodes,
as ``lme4::glmer(nAGQ = 25)``); CI by profile likelihood for s_u (chi-square 1 df),
transformed to the ICC scale.

Design effect: 1 + (m - 1) ICC with m the mean number of analysed citizens
per caseworker, and Eldridge et al.'s (2006) version for unequal cluster sizes,
1 + ((cv^2 + 1) m - 1) ICC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, sparse, special

from fittrial.language.messages import text
from fittrial.models.batch import ManyREML
from fittrial.models.effects import LmmResult
from fittrial.models.estimable import sentence

NODES, WEIGHTS = np.polynomial.hermite.hermgauss(25)
LATENT_VARIANCE = np.pi**2 / 3
MAX_DOUBLINGS = 12  # upper end of a profile CI searched up to 0.2 x 2^12 (an ICC of 0.99998)
MAX_RESTARTS = 5  # refits from a better profile point found while searching a CI limit
MAX_MODE_ITERATIONS = 200  # damped Newton steps for a cluster's mode
MAX_MODE_STEP = 2.0  # largest Newton step on the logit scale
FIT_STARTS = (0.3, 1.5)  # starting values of sigma for the joint maximisation
IMPROVEMENT = 1e-8  # a later start replaces the fit only if its log-likelihood is higher by more (not by rounding)


def design_effects(cluster_sizes: np.ndarray, icc: float) -> tuple[float, float, float, float]:
    """(mean size, CV of size, design effect, design effect allowing for unequal sizes)."""
    m = float(np.mean(cluster_sizes))
    cv = float(np.std(cluster_sizes, ddof=1) / m) if len(cluster_sizes) > 1 else 0.0
    return m, cv, 1 + (m - 1) * icc, 1 + ((cv**2 + 1) * m - 1) * icc


def bootstrap_responses(result: LmmResult, n_boot: int, seed: int) -> tuple[np.ndarray, tuple[float, ...]]:
    """The parametric bootstrap's responses (n_boot x n): the primary model simulated from its estimates
    (caseworker, citizen, caseworker x visit and residual draws, in that order per replicate, from one generator
    seeded by ``seed``), and the fit's relative SDs (the refits' first start); from the arm-free fit
    (:attr:`LmmResult.canonical`), so the draws are the same bits under either blinding key."""
    model, fit = result.canonical
    rng = np.random.default_rng(seed)
    labels_cw, cw_idx = np.unique(model.caseworker, return_inverse=True)
    labels_c, c_idx = np.unique(model.citizen.astype(str) + "\x1f" + model.caseworker.astype(str), return_inverse=True)
    visit = model.visit if model.visit is not None else np.zeros(len(model.y))
    labels_v, v_idx = np.unique(model.caseworker.astype(str) + "\x1f" + visit.astype(str), return_inverse=True)
    mean = model.X @ fit.beta
    s = np.sqrt(fit.var_residual)
    start = (np.sqrt(fit.var_caseworker) / s, np.sqrt(fit.var_citizen) / s, np.sqrt(fit.var_cw_visit) / s)
    Y = np.empty((n_boot, len(mean)))
    for b in range(n_boot):
        Y[b] = (mean + rng.normal(0, np.sqrt(fit.var_caseworker), len(labels_cw))[cw_idx]
                + rng.normal(0, np.sqrt(fit.var_citizen), len(labels_c))[c_idx]
                + rng.normal(0, np.sqrt(fit.var_cw_visit), len(labels_v))[v_idx]
                + rng.normal(0, s, len(mean)))
    return Y, start


def icc_who5(result: LmmResult, n_boot: int, seed: int, level: float = 0.95) -> dict:
    """ICC of the primary model (the share of the WHO-5 variance at a visit between caseworkers: caseworker and
    caseworker x visit intercepts) with a parametric-bootstrap percentile CI. Computed from the fit in the arm
    coding that does not depend on which arm is which (:attr:`LmmResult.canonical`)."""
    model, fit = result.canonical
    between = fit.var_caseworker + fit.var_cw_visit
    icc = between / (between + fit.var_citizen + fit.var_residual)
    Y, start = bootstrap_responses(result, n_boot, seed)
    # the refits all at once, from the same starts as NestedREML.fit would take (fittrial.models.batch)
    g = ManyREML(model).fit(Y, starts=(start, (0.0, start[1], start[2]))).g
    boots = (g[:, 0] + g[:, 2]) / (g[:, 0] + g[:, 2] + g[:, 1] + 1.0)  # the residual variance cancels
    lo, hi = np.quantile(boots, [(1 - level) / 2, (1 + level) / 2])
    lo = 0.0 if lo < 1e-8 else float(lo)  # a boundary fit gives zero up to optimiser noise
    sizes = pd.Series(model.citizen).groupby(model.caseworker).nunique().to_numpy()
    m, cv, deff, deff_cv = design_effects(sizes, icc)
    return {"outcome": "who5", "scale": "observed", "icc": icc, "ci_low": float(lo), "ci_high": float(hi),
            "method": text("meth_icc_who5", n=n_boot), "mean_cluster_size": m, "cv_cluster_size": cv, "design_effect": deff,
            "design_effect_unequal": deff_cv}


def icc_row_not_estimated(outcome: str, scale: str, reason: str) -> dict:
    """An ICC-table row with every number empty and the reason in ``not_estimated``."""
    nan = float("nan")
    return {"outcome": outcome, "scale": scale, "icc": nan, "ci_low": nan, "ci_high": nan, "method": "",
            "mean_cluster_size": nan, "cv_cluster_size": nan, "design_effect": nan, "design_effect_unequal": nan,
            "not_estimated": sentence(reason)}


def logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """``scipy.special.logsumexp(a, axis=1)`` for a 2-D array: the same steps in the same order, so the same
    floats (the largest term of each row taken out of the sum, Blanchard et al. 2021), without the array-API
    dispatch that makes scipy's about 0.3 ms a call; a row whose result is not finite goes to scipy itself."""
    a_max = a.max(axis=1, keepdims=True)
    mask = a == a_max
    m = np.sum(mask.astype(a.dtype), axis=1, keepdims=True, dtype=a.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sum(np.exp(np.where(mask, -np.inf, a) - a_max), axis=1, keepdims=True, dtype=a.dtype)
        s = np.where(s == 0, s, s / m)
        out = (np.log1p(s) + np.log(m) + a_max)[:, 0]
    if not np.all(np.isfinite(out)):
        return special.logsumexp(a, axis=1)
    return out


class RandomInterceptLogit:
    """ML for logit P(y=1) = X beta + u_j, u_j ~ N(0, s^2), by adaptive Gauss-Hermite quadrature.

    The likelihood is evaluated on the rows' patterns (cluster, covariates) as binomial counts, so its cost grows
    with the number of clusters, not of citizens, when the covariates are the clusters' own (arm, stratum)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, groups: np.ndarray):
        y, X = np.asarray(y, float), np.asarray(X, float)
        g = pd.factorize(pd.Series(groups))[0]
        self.K = int(g.max()) + 1
        # the rows collapsed to their patterns (cluster, covariates) with the number of rows n and of events s of
        # each: a pattern's rows share their linear predictor, so the Bernoulli log-likelihood of its rows is
        # s eta - n log(1 + e^eta), one term for all of them (a binomial row). With the model's caseworker-level
        # covariates (arm, stratum) a cluster is one pattern: the work per evaluation is the clusters', not the
        # citizens'. The same likelihood; only the order of its sums differs (its last digits)
        patterns, row_pattern = np.unique(np.column_stack([g.astype(float), X]), axis=0, return_inverse=True)
        row_pattern = np.asarray(row_pattern).ravel()
        self.g = patterns[:, 0].astype(int)
        self.X = np.ascontiguousarray(patterns[:, 1:])
        self.n = np.bincount(row_pattern, minlength=len(patterns)).astype(float)
        self.s = np.bincount(row_pattern, y, minlength=len(patterns))
        # cluster x pattern indicator: G @ rows sums patterns per cluster in pattern order, as np.add.at does (same
        # floats), at a fraction of its cost
        self._G = sparse.csr_matrix((np.ones(len(self.g)), (self.g, np.arange(len(self.g)))),
                                    shape=(self.K, len(self.g)))
        self._mode: np.ndarray | None = None  # the clusters' modes at the last evaluation (Newton's next start)
        self._hess_inv: np.ndarray | None = None  # BFGS's inverse Hessian at the last profile

    def loglik(self, beta: np.ndarray, sigma: float) -> float:
        """The log-likelihood by adaptive Gauss-Hermite quadrature (25 nodes at each cluster's mode)."""
        return self.loglik_and_gradient(beta, sigma)[0]

    def loglik_and_gradient(self, beta: np.ndarray, sigma: float) -> tuple[float, np.ndarray, float]:
        """(log-likelihood, its gradient in beta, its derivative in sigma) by adaptive Gauss-Hermite quadrature.

        The derivatives are those of the quadrature sum with its nodes held where
        they are (the integrand's derivatives weighted by each node's share of
        the cluster's integral). Moving the nodes with the mode changes the sum
        only by as much as the 25-node rule's error, so these are the
        derivatives of the likelihood to that accuracy, at the cost of one
        evaluation (a finite-difference gradient costs one per parameter).
        Each cluster's mode is found by Newton from the mode of the call
        before.
        """
        eta = self.X @ beta
        if sigma <= 1e-8:
            p = special.expit(eta)
            return float(np.sum(self.s * eta - self.n * np.logaddexp(0, eta))), self.X.T @ (self.s - self.n * p), 0.0
        u = self.modes(eta, sigma)
        p = special.expit(eta + np.take(u, self.g))
        scale = 1 / np.sqrt(np.bincount(self.g, self.n * p * (1 - p), self.K) + 1 / sigma**2)
        nodes = u[:, None] + np.sqrt(2) * scale[:, None] * NODES[None, :]  # K x Q
        eta_q = eta[:, None] + np.take(nodes, self.g, axis=0)  # np.take: the same rows, faster than nodes[g]
        ll_rows = self.s[:, None] * eta_q - self.n[:, None] * np.logaddexp(0, eta_q)
        h = self._G @ ll_rows
        h += -nodes**2 / (2 * sigma**2) + NODES[None, :] ** 2
        lw = np.log(WEIGHTS)[None, :] + h
        lse = logsumexp_rows(lw)
        per_cluster = lse + np.log(np.sqrt(2) * scale) - 0.5 * np.log(2 * np.pi * sigma**2)
        share = np.exp(lw - lse[:, None])  # each node's share of its cluster's integral
        resid = self.s - self.n * (np.take(share, self.g, axis=0) * special.expit(eta_q)).sum(axis=1)
        d_sigma = float((share * nodes**2).sum() / sigma**3 - self.K / sigma)
        return float(per_cluster.sum()), self.X.T @ resid, d_sigma

    def modes(self, eta: np.ndarray, sigma: float) -> np.ndarray:
        """The mode of each cluster's integrand (the random effect's posterior mode) by damped Newton from the
        modes of the last call: the integrand is log-concave, and a Newton step is cut to at most
        ``MAX_MODE_STEP`` on the logit scale, so the search cannot overshoot far from a stale start (a cluster
        with no events and a large sigma has its mode far below 0). Raises when it does not converge."""
        u = self._mode.copy() if self._mode is not None and np.all(np.isfinite(self._mode)) else np.zeros(self.K)
        for _ in range(MAX_MODE_ITERATIONS):
            p = special.expit(eta + np.take(u, self.g))
            d1 = np.bincount(self.g, self.s - self.n * p, self.K) - u / sigma**2
            d2 = -np.bincount(self.g, self.n * p * (1 - p), self.K) - 1 / sigma**2
            step = np.clip(d1 / d2, -MAX_MODE_STEP, MAX_MODE_STEP)
            u -= step
            if np.max(np.abs(step)) < 1e-10:
                break
        else:
            raise RuntimeError(f"the random effects' modes were not found in {MAX_MODE_ITERATIONS} Newton steps")
        self._mode = u
        return u

    def profile(self, sigma: float, start: np.ndarray, hess_inv: np.ndarray | None = None
                ) -> tuple[float, np.ndarray]:
        """The profile log-likelihood at ``sigma``: its maximum over beta by BFGS from ``start`` (with
        ``hess_inv``, the inverse Hessian of a nearby profile, as BFGS's first one); the maximum and its beta.
        The last run's inverse Hessian is kept in ``_hess_inv``."""
        def objective(b: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad, _ = self.loglik_and_gradient(b, sigma)
            return -ll, -grad

        options: dict = {"gtol": 1e-7}
        if hess_inv is not None:
            hess_inv = (hess_inv + hess_inv.T) / 2
            if np.all(np.isfinite(hess_inv)) and np.linalg.eigvalsh(hess_inv).min() > 1e-12:  # BFGS needs it PD
                options["hess_inv0"] = hess_inv
        opt = optimize.minimize(objective, start, jac=True, method="BFGS", options=options)
        self._hess_inv = np.asarray(opt.hess_inv)
        return -float(opt.fun), opt.x

    def fit(self) -> tuple[np.ndarray, float, float]:
        """(beta, sigma, log-likelihood) at the maximum (sigma may be 0)."""
        ll0, b0 = self.profile(0.0, np.zeros(self.X.shape[1]))

        def objective(t: np.ndarray) -> tuple[float, np.ndarray]:
            sigma = float(np.exp(t[-1]))
            ll, grad, d_sigma = self.loglik_and_gradient(t[:-1], sigma)
            return -ll, -np.append(grad, d_sigma * sigma)

        best = (b0, 0.0, ll0)
        for start in FIT_STARTS:  # a second start: BFGS can stop early on the flat likelihood of a rare outcome
            opt = optimize.minimize(objective, np.append(best[0], np.log(start)), jac=True, method="BFGS",
                                    options={"gtol": 1e-7})
            if -float(opt.fun) > best[2] + IMPROVEMENT:
                best = (opt.x[:-1], float(np.exp(opt.x[-1])), -float(opt.fun))
        return best

    def sigma_ci(self, beta: np.ndarray, sigma: float, ll: float, level: float = 0.95
                 ) -> tuple[float, float, np.ndarray, float, float]:
        """Profile-likelihood CI for sigma: (low, high, beta, sigma, log-likelihood) at the maximum.

        Each limit is bracketed before its root is searched: the profile at the
        estimate lies ``crit`` above the cut-off, and the search outward (down
        to 0, up by doubling) stops where it lies below. A profile point above
        the fit's log-likelihood means the fit stopped short of the maximum:
        the model is refitted from that point and the search starts again (the
        better maximum is returned), so a limit can always be bracketed.
        Without an upper limit within 0.2 x 2^12, it is infinite (a flat
        likelihood).
        """
        crit = float(2 * special.gammaincinv(0.5, level)) / 2  # the chi-square(1) quantile, as scipy.stats.chi2.ppf
        for _ in range(MAX_RESTARTS):
            try:
                lo, hi = self._limits(beta, sigma, ll, crit)
                return lo, hi, np.asarray(beta), sigma, ll
            except _HigherMaximum as better:
                beta, sigma, ll = self._refit(better.beta, better.sigma, better.ll)
        raise RuntimeError("the profile likelihood kept finding a higher maximum; no confidence interval")

    def _limits(self, beta: np.ndarray, sigma: float, ll: float, crit: float) -> tuple[float, float]:
        """The two roots of ll - profile(s) = crit, each bracketed and then found by Newton's method safeguarded
        by bisection (:func:`_safe_newton`): the profile's slope in s is the likelihood's derivative in sigma at
        the profile's beta (the envelope theorem), one evaluation more, and each profile is started from the beta
        of the nearest sigma profiled before (a warm start: a few BFGS steps instead of a search from the maximum)."""
        starts: dict[float, tuple[np.ndarray, np.ndarray | None]] = {sigma: (np.asarray(beta), None)}
        known: dict[float, tuple[float, float]] = {sigma: (-float(np.sqrt(crit)), 0.0)}  # the maximum: flat

        def gap(s: float) -> tuple[float, float]:
            """sqrt(ll - profile(s)) - sqrt(crit) and its slope: zero where ll - profile(s) = crit, and nearly
            linear in s (the profile is nearly quadratic), so Newton's steps land close at once."""
            if s in known:  # each sigma is profiled once
                return known[s]
            start, hess_inv = starts[min(starts, key=lambda t: abs(t - s))]
            value, b = self.profile(s, start, hess_inv)
            starts[s] = (b, self._hess_inv)
            if value > ll + 1e-6:
                raise _HigherMaximum(b, s, value)
            drop = max(ll - value, 0.0)
            slope = -self.loglik_and_gradient(b, s)[2] if s > 1e-8 else 0.0  # d(ll - profile)/ds
            known[s] = (float(np.sqrt(drop) - np.sqrt(crit)), float(slope / (2 * np.sqrt(drop))) if drop > 0 else 0.0)
            return known[s]

        lo = 0.0
        if sigma > 0 and gap(0.0)[0] > 0:
            lo = _safe_newton(gap, sigma, 0.0, xtol=1e-6)  # gap(sigma) = -crit < 0: bracketed
        hi_end = max(2 * sigma, 0.2)
        for _ in range(MAX_DOUBLINGS):  # bounded: a flat profile likelihood has no upper limit
            if gap(hi_end)[0] >= 0:
                break
            hi_end *= 2
        else:
            return lo, float("inf")
        return lo, _safe_newton(gap, max(sigma, 1e-8), hi_end, xtol=1e-6)

    def _refit(self, beta: np.ndarray, sigma: float, ll: float) -> tuple[np.ndarray, float, float]:
        """The joint maximisation again from a better point (beta, sigma) found on the profile."""
        def objective(t: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad, d_sigma = self.loglik_and_gradient(t[:-1], float(np.exp(t[-1])))
            return -value, -np.append(grad, d_sigma * float(np.exp(t[-1])))

        opt = optimize.minimize(objective, np.append(beta, np.log(max(sigma, 1e-3))), jac=True, method="BFGS",
                                options={"gtol": 1e-7})
        if -float(opt.fun) > ll:
            return opt.x[:-1], float(np.exp(opt.x[-1])), -float(opt.fun)
        return np.asarray(beta), sigma, ll


def _safe_newton(f, a: float, b: float, xtol: float = 1e-6, max_steps: int = 100) -> float:
    """The root of ``f`` (returning value and slope) between a and b, where f(a) and f(b) have opposite signs:
    Newton's step where it stays inside the bracket and shrinks it fast enough, else bisection (Numerical Recipes'
    rtsafe); the bracket narrows every step, so it converges like bisection at worst and quadratically near the
    root. The first step is Newton's from ``b`` (the far end: at the maximum, ``a``, the profile is flat)."""
    (fa, _), (fb, slope_b) = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    low, high = (a, b) if fa < 0 else (b, a)  # f(low) < 0 < f(high)
    first = b - fb / slope_b if slope_b != 0 else 0.5 * (a + b)
    x = first if min(a, b) < first < max(a, b) else 0.5 * (a + b)
    step_before = abs(b - a)
    step = step_before
    value, slope = f(x)
    for _ in range(max_steps):
        newton_ok = slope != 0 and min(low, high) < x - value / slope < max(low, high) \
            and abs(2 * value) < abs(step_before * slope)
        step_before = step
        if newton_ok:
            step = value / slope
            x -= step
        else:
            step = 0.5 * (high - low)
            x = low + step
        if abs(step) < xtol:
            return x
        value, slope = f(x)
        if value < 0:
            low = x
        else:
            high = x
    return x


class _HigherMaximum(Exception):
    """A point of the profile likelihood above the fit's maximum (the fit stopped short)."""

    def __init__(self, beta: np.ndarray, sigma: float, ll: float):
        super().__init__(f"profile likelihood {ll} at sigma {sigma}")
        self.beta, self.sigma, self.ll = np.asarray(beta), float(sigma), float(ll)


def icc_binary(citizens: pd.DataFrame, outcome: str, strata: list[str] | None = None,
               prepared: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> dict:
    """Latent-scale ICC of a binary outcome with a profile-likelihood CI. ``prepared``: the analysed citizens and
    design :func:`fittrial.models.effects.binary_design` gives for these arguments, when the caller has them."""
    from fittrial.models.effects import binary_design, canonical_arm_coding, constant_strata_words

    # the GEE's design: constant strata left out
    data, design = prepared if prepared is not None else binary_design(citizens, outcome, strata)[:2]
    # the arm coded -1/2 and +1/2 (fittrial.models.effects.canonical_arm_coding): the same bits whichever arm is
    # which; C order, as the products were taken before
    coded = canonical_arm_coding(design)
    X = np.ascontiguousarray((design if coded is None else coded).to_numpy(float))
    model = RandomInterceptLogit(data[outcome].astype(float).to_numpy(), X, data["caseworker_id"].to_numpy())
    beta, sigma, ll = model.fit()
    lo, hi, beta, sigma, ll = model.sigma_ci(beta, sigma, ll)

    def to_icc(s: float) -> float:
        return s**2 / (s**2 + LATENT_VARIANCE)

    icc = to_icc(sigma)
    sizes = data.groupby("caseworker_id").size().to_numpy()
    m, cv, deff, deff_cv = design_effects(sizes, icc)
    return {"outcome": outcome, "scale": "latent", "icc": icc, "ci_low": to_icc(lo), "ci_high": to_icc(hi),
            "method": text("meth_icc_binary_stratum" if design.shape[1] > 2 else "meth_icc_binary")
                      + constant_strata_words(data.attrs.get("constant_strata", 0)),
            "mean_cluster_size": m, "cv_cluster_size": cv, "design_effect": deff, "design_effect_unequal": deff_cv,
            "sigma_u": sigma, "beta_fit": float(beta[1])}
