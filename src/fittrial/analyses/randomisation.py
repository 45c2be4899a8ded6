"""Randomisation test of the primary WHO-5 effect, with a confidence interval by test inversion.

The trial's allocation is re-drawn many times as the trial drew it: within
each stratum, the observed number of FIT caseworkers is assigned at random.
The test statistic is the primary model's 12-month FIT - control estimate
(GLS with the variance ratios held at their REML estimates from the observed
allocation; Gail et al. 1996 hold the variance model fixed in the same way).

Computation: with the variance ratios fixed, X'H^-1X and X'H^-1y are sums over
caseworkers of blocks that depend on the caseworker's arm only through a 0/1
factor. The blocks are computed once; each re-randomisation then costs a
matrix product and one small linear solve, batched over all re-randomisations
(10,000 in well under a second, where refitting a mixed model 10,000 times
would take hours).

Allocations: when the number of possible allocations (the product over
strata of the binomial coefficients) is at most the configured number of
re-randomisations, every allocation is enumerated and the test is exact;
otherwise B allocations are drawn at random.

p-value: two-sided, (1 + #{|T*| >= |T_obs|}) / (1 + B), the observed
allocation counted once (exact enumeration: the share of all allocations with
|T*| >= |T_obs|). CI: the set of effects delta not rejected at 5% under
the sharp null that FIT adds delta to every follow-up WHO-5 of a FIT citizen
(so the statistic at delta is T(y) - delta T(s), s the observed FIT indicator of
each follow-up row); its ends are found by bisection after a bounded outward
search. With few allocations the p-value may never fall below 5% (a trial of 8
caseworkers in two strata of 4 has 36 allocations); the CI is then reported as
not attainable, with the smallest attainable p-value.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrial.language.messages import text
from fittrial.models.effects import Contrast, LmmResult


@dataclass
class RandomisationTest:
    estimate: float
    p_value: float
    ci_low: float
    ci_high: float
    n_randomisations: int
    null_sd: float
    exact: bool = False
    ci_note: str = ""


def _cluster_blocks(result: LmmResult, extra: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per caseworker: Z_j' H_j^-1 Z_j for Z = [non-arm columns, arm pattern, y, extra]."""
    model, fit = result.model, result.fit
    names = list(result.params.index)
    arm_cols = [c for c in names if c.startswith("fit")]
    other = [c for c in names if c not in arm_cols]
    X = pd.DataFrame(model.X, columns=names)
    pattern = X[arm_cols].copy()
    for c in arm_cols:  # the arm columns as if every row were FIT: fit -> 1, fit:visit[v] -> visit[v]
        pattern[c] = 1.0 if c == "fit" else X[c.split(":", 1)[1]]
    Z = np.column_stack([X[other].to_numpy(), pattern.to_numpy(), model.y, extra])
    g_w = fit.var_caseworker / fit.var_residual
    g_c = fit.var_citizen / fit.var_residual
    g_v = fit.var_cw_visit / fit.var_residual
    rows = model.cluster_rows  # in the order of pd.unique(model.caseworker)
    blocks = np.zeros((len(rows), Z.shape[1], Z.shape[1]))
    for k, idx in enumerate(rows):
        cit = model.citizen[idx]
        Zc = (cit[:, None] == pd.unique(cit)[None, :]).astype(float)
        vis = model.v_codes[idx]
        H = np.eye(len(idx)) + g_c * Zc @ Zc.T + g_w + g_v * (vis[:, None] == vis[None, :])
        blocks[k] = Z[idx].T @ np.linalg.solve(H, Z[idx])
    return blocks, other + arm_cols


def allocation_statistics(result: LmmResult, A: np.ndarray, visit: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """The GLS FIT - control estimate at ``visit`` for each allocation (row of A, 1 = FIT, columns in the
    order of ``pd.unique(result.model.caseworker)``), for y and for the observed-FIT shift vector s."""
    model = result.model
    s = model.X[:, list(result.params.index).index("fit")].copy()
    blocks, order = _cluster_blocks(result, s)
    n_other = len([c for c in order if not c.startswith("fit")])
    p = len(order)
    oth, arm, yi, si = slice(0, n_other), slice(n_other, p), p, p + 1
    base = blocks.sum(axis=0)
    # quantities linear in the allocation a (a_j^2 = a_j)
    C_oa = np.einsum("bk,kij->bij", A, blocks[:, oth, arm])
    C_aa = np.einsum("bk,kij->bij", A, blocks[:, arm, arm])
    B = len(A)
    M = np.empty((B, p, p))
    M[:, oth, oth] = base[oth, oth]
    M[:, oth, arm] = C_oa
    M[:, arm, oth] = np.transpose(C_oa, (0, 2, 1))
    M[:, arm, arm] = C_aa
    rhs = np.empty((B, p, 2))
    rhs[:, oth, 0] = base[oth, yi]
    rhs[:, oth, 1] = base[oth, si]
    rhs[:, arm, 0] = A @ blocks[:, arm, yi]
    rhs[:, arm, 1] = A @ blocks[:, arm, si]
    beta = np.linalg.solve(M, rhs)  # (B, p, 2): GLS coefficients for y and for s
    L = np.zeros(p)
    L[order.index("fit")] = 1.0
    if f"fit:visit[{visit}]" in order:
        L[order.index(f"fit:visit[{visit}]")] = 1.0
    return beta[:, :, 0] @ L, beta[:, :, 1] @ L


MAX_SEARCH_STEPS = 200  # outward steps (of one null SD each) when bracketing a CI end


def allocations(strata: np.ndarray, a_obs: np.ndarray, n_randomisations: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, bool]:
    """Allocations to compare with the observed one (first row): every one if there are at most
    ``n_randomisations`` + 1, else ``n_randomisations`` random re-randomisations within strata.
    Returns (A, exact)."""
    groups = [np.flatnonzero(strata == st) for st in pd.unique(strata)]
    counts = [math.comb(len(idx), int(a_obs[idx].sum())) for idx in groups]
    total = math.prod(counts)
    if total <= n_randomisations + 1:
        per_stratum = []
        for idx in groups:
            k = int(a_obs[idx].sum())
            per_stratum.append([set(c) for c in itertools.combinations(idx.tolist(), k)])
        rows = [a_obs.copy()]
        for combo in itertools.product(*per_stratum):
            a = np.zeros(len(a_obs))
            a[sorted(set().union(*combo))] = 1.0
            if not np.array_equal(a, a_obs):
                rows.append(a)
        return np.array(rows), True
    A = np.empty((n_randomisations + 1, len(a_obs)))
    A[0] = a_obs
    for st in pd.unique(strata):
        idx = np.flatnonzero(strata == st)
        A[1:, idx] = rng.permuted(np.tile(a_obs[idx], (n_randomisations, 1)), axis=1)
    return A, False


@dataclass
class Inversion:
    """A randomisation test's estimate, two-sided p-value, CI by test inversion (NaN when not attainable) and
    the SD of the re-randomisation distribution."""

    estimate: float
    p_value: float
    ci_low: float
    ci_high: float
    null_sd: float


def invert_test(Ty: np.ndarray, Ts: np.ndarray, level: float = 0.95) -> Inversion:
    """Two-sided randomisation p-value and CI by test inversion under a constant additive effect.

    ``Ty[b]`` is the statistic of the data under allocation ``b`` (row 0 the
    observed one) and ``Ts[b]`` its response to a unit effect, so that under
    an effect delta the statistic of allocation b is ``Ty[b] - delta * Ts[b]``.
    p(delta) = (#{b >= 1: |stat_b| >= |stat_0|} + 1) / B, ties within a
    relative 1e-9; each CI end is the delta where p(delta) falls below
    1 - level, bracketed by outward steps of one null SD (at most
    MAX_SEARCH_STEPS; NaN when never reached) and then bisected. Ends within
    the tie tolerance of the estimate are the estimate, and ends within 1e-6
    null SDs of 0 are 0 (the p-value of a discrete statistic jumps there).
    """
    B = len(Ty)
    tol = 1e-9 * max(1.0, float(np.abs(Ty).max()))

    def p_at(delta: float) -> float:
        stat = Ty - delta * Ts
        return float(np.sum(np.abs(stat[1:]) >= abs(stat[0]) - tol) + 1) / B

    est = float(Ty[0])
    alpha = 1.0 - level
    spread = float(np.std(Ty[1:])) if B > 1 else 0.0
    step = spread or max(abs(est), 1.0)

    def bound(direction: int) -> float:
        inside, outside = est, est + direction * step
        for _ in range(MAX_SEARCH_STEPS):
            if p_at(outside) < alpha:
                break
            outside += direction * step
        else:
            return float("nan")
        for _ in range(60):
            mid = (inside + outside) / 2
            if p_at(mid) >= alpha:
                inside = mid
            else:
                outside = mid
        return inside

    p0 = p_at(0.0)
    if abs(est) <= tol:
        est = 0.0
    lo, hi = (est if abs(v - est) <= 10 * tol else 0.0 if abs(v) <= 1e-6 * max(step, 1.0) else v
              for v in (bound(-1), bound(+1)))
    return Inversion(est, p0, lo, hi, spread)


def randomisation_test(result: LmmResult, caseworker_stratum: pd.Series, caseworker_arm: pd.Series,
                       n_randomisations: int, seed: int, visit: int = 12, level: float = 0.95) -> RandomisationTest:
    """Re-randomise caseworkers within strata; return the p-value and the CI by test inversion.

    ``caseworker_stratum`` and ``caseworker_arm`` (1 = FIT) are indexed by
    caseworker id and must cover the caseworkers in ``result``.
    """
    labels = pd.unique(result.model.caseworker)
    a_obs = caseworker_arm.reindex(labels).to_numpy(float)
    strata = caseworker_stratum.reindex(labels).to_numpy()
    rng = np.random.default_rng(seed)
    A, exact = allocations(strata, a_obs, n_randomisations, rng)
    Ty, Ts = allocation_statistics(result, A, visit)
    B = len(A)

    inv = invert_test(Ty, Ts, level)
    est, lo, hi, spread, alpha = inv.estimate, inv.ci_low, inv.ci_high, inv.null_sd, 1 - level
    note = ""
    if np.isnan(lo) or np.isnan(hi):
        lo = hi = float("nan")
        note = text("meth_rt_ci_possible" if exact else "meth_rt_ci_drawn", level=round(100 * level), b=B,
                    alpha=f"{alpha:g}", steps=MAX_SEARCH_STEPS, p_min=f"{1 / B:.4f}")
    n = B - 1 if not exact else B
    return RandomisationTest(est, inv.p_value, lo, hi, n, spread, exact, note)


def randomisation_row(result: LmmResult, test: RandomisationTest, data: pd.DataFrame, visit: int = 12) -> Contrast:
    how = text("w_rt_exact" if test.exact else "w_rt_drawn", n=test.n_randomisations)
    method = text("meth_rt", how=how, fit="FIT", ctl="control") + (f"; {test.ci_note}" if test.ci_note else "")
    # its statistic is the primary model's estimate, so it counts what the primary row counts: every citizen and
    # caseworker with a WHO-5 the model used, at any follow-up visit (not only those seen at ``visit``)
    return Contrast("who5", visit, "mean_difference", test.estimate, test.null_sd, float("nan"), test.ci_low,
                    test.ci_high, test.p_value, method, int(data["caseworker_id"].nunique()),
                    int(data["citizen_id"].nunique()), "randomisation_test")
