"""Disclosure control of published counts: suppression below a threshold, and statistics of small counts.

A count below the threshold (config ``report.suppress_below``) is shown as
``<k``. A summary statistic of counts (mean, quartiles, minimum, maximum of
citizens per caseworker) is left out when, together with the other numbers
published (the number of caseworkers and of citizens per arm, caseworkers
with no citizens), it would let a reader work out one caseworker's count
below the threshold: :func:`recoverable` decides this exactly by integer
programming (scipy's MILP), and :func:`shown_statistics` picks the most
detailed set of statistics that is safe.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fittrial.language.messages import text

QUANTILES = {"min": 0.0, "q1": 0.25, "median": 0.5, "q3": 0.75, "max": 1.0}
# the statistics of the cluster sizes, from the most to the least detailed set shown
DETAIL_LEVELS: tuple[tuple[str, ...], ...] = (("mean", "median", "q1", "q3", "min", "max"),
                                              ("mean", "median", "q1", "q3"), ("mean", "median"), ("mean",), ())


def quantile_weights(n: int, q: float) -> np.ndarray:
    """Weights w such that w @ sorted(x) is the q-quantile of n values by linear interpolation (R type 7)."""
    h = (n - 1) * q
    i = int(math.floor(h + 1e-12))
    f = h - i
    w = np.zeros(n)
    w[i] += 1.0 - f
    if f > 1e-12:
        w[i + 1] += f
    return w


def size_statistics(sizes: np.ndarray) -> dict[str, float]:
    """Mean, median, quartiles (type 7), minimum and maximum of the cluster sizes of one arm."""
    x = np.sort(np.asarray(sizes, float))
    out = {"mean": float(x.mean())}
    for name, q in QUANTILES.items():
        out[name] = float(quantile_weights(len(x), q) @ x)
    return out


def recoverable(sizes: np.ndarray, shown: tuple[str, ...], threshold: int, time_limit: float = 10.0) -> bool:
    """Could a reader deduce one caseworker's number of citizens below ``threshold`` from what is published?

    The reader is assumed to know (conservatively, whether or not they are
    published exactly elsewhere) the arm's number of caseworkers, its total
    number of citizens and how many of its caseworkers recruited no one,
    plus the statistics in ``shown`` (``min``, ``q1``, ``median``, ``q3``,
    ``max``; ``mean`` adds nothing to the total): a shown statistic below the
    threshold is known only to lie in (0, threshold), the others exactly. For
    every caseworker whose count c is in [1, threshold), the smallest and the
    largest value its order statistic can take among all sorted non-negative
    integer vectors consistent with that knowledge are found by integer
    programming (scipy ``milp``, HiGHS); if both equal c, the count is
    recoverable. A solver failure counts as recoverable (the cautious side).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    x = np.sort(np.asarray(sizes, int))
    n = len(x)
    small = [j for j in range(n) if 0 < x[j] < threshold]
    if not small:
        return False
    total = int(x.sum())
    rows, lb, ub = [], [], []
    for i in range(n - 1):  # sorted
        row = np.zeros(n)
        row[i], row[i + 1] = 1.0, -1.0
        rows.append(row)
        lb.append(-np.inf)
        ub.append(0.0)
    rows.append(np.ones(n))
    lb.append(total)
    ub.append(total)
    for name in shown:
        if name == "mean":
            continue
        w = quantile_weights(n, QUANTILES[name])
        value = float(w @ x)
        rows.append(w)
        if 0 < value < threshold:  # shown as "<k"; type-7 quantiles of integers are multiples of 1/4
            lb.append(0.125)
            ub.append(threshold - 0.125)
        else:
            lb.append(value)
            ub.append(value)
    zeros = int((x == 0).sum())
    low = np.where(np.arange(n) < zeros, 0.0, 1.0)
    high = np.where(np.arange(n) < zeros, 0.0, float(total))
    constraint = LinearConstraint(np.array(rows), np.array(lb), np.array(ub))
    for j in small:
        c = np.zeros(n)
        c[j] = 1.0
        for sign in (1.0, -1.0):
            res = milp(sign * c, integrality=np.ones(n), bounds=Bounds(low, high), constraints=constraint,
                       options={"time_limit": time_limit})
            if res.status != 0 or res.x is None:
                return True
            if abs(float(res.x[j]) - x[j]) > 0.5:
                break  # another value is possible: not recoverable
        else:
            return True
    return False


def shown_statistics(sizes: np.ndarray, threshold: int) -> tuple[str, ...]:
    """The most detailed set of cluster-size statistics (see :data:`DETAIL_LEVELS`) that reveals no count below
    ``threshold`` (:func:`recoverable`); none when the arm has fewer caseworkers than the threshold."""
    if len(sizes) == 0 or len(sizes) < threshold:
        return ()
    for level in DETAIL_LEVELS:
        if not recoverable(sizes, level, threshold):
            return level
    return ()


def format_count_statistic(value: float, threshold: int) -> str:
    """A count-valued statistic (a cluster size or an interpolation of two) as text: ``<k`` when in (0, k)."""
    if np.isnan(value):
        return ""
    if 0 < value < threshold:
        return f"<{threshold}"
    return f"{value:g}"


def suppress(count: int | float, threshold: int) -> str:
    """A count as text, or ``"<threshold"`` when 0 < count < threshold."""
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return ""
    count = int(count)
    return f"<{threshold}" if 0 < count < threshold else str(count)


def withheld_for_disclosure(reason: str) -> bool:
    """Whether a row's ``not_estimated`` reason is :func:`small_cell_reason`'s (estimated, but withheld), not a
    reason the data could not give the estimate."""
    return str(reason).rstrip(".").endswith("(disclosure control)")


def small_cell_reason(counts: dict[str, tuple[int, int]], threshold: int, what: str) -> str | None:
    """Why an effect estimate is withheld (None: it may be published).

    ``counts``: per arm label, (citizens with the event or outcome, citizens
    analysed). A ratio or difference of two arms' proportions, published with
    the arms' numbers analysed, lets a reader work back to the number of
    events; so when an arm has between 1 and ``threshold`` - 1 citizens with
    (or without) the outcome, the estimate is not published.
    """
    for arm, (events, n) in counts.items():
        for k, kind in ((events, "with"), (n - events, "without")):
            if 0 < k < threshold:
                return text(f"r_small_cell_{kind}", k=threshold, outcome=what, arm_the=text(f"arm_the_{arm}"))
    return None


def arm_counts(fit: np.ndarray, event: np.ndarray) -> dict[str, tuple[int, int]]:
    """{"FIT": (events, n), "control": (events, n)} for :func:`small_cell_reason` (``event`` 0/1 per citizen)."""
    fit, event = np.asarray(fit), np.asarray(event, float)
    return {label: (int(event[fit == arm].sum()), int((fit == arm).sum())) for arm, label in ((1, "FIT"),
                                                                                           (0, "control"))}


def withhold(rows: list, reason: str | None) -> list:
    """The rows with their estimates emptied and ``reason`` as their not-estimated reason (when a reason)."""
    if not reason:
        return rows
    nan = float("nan")
    reason = reason[:1].upper() + reason[1:]
    for r in rows:
        if r.not_estimated:
            continue
        r.estimate = r.se = r.df = r.ci_low = r.ci_high = r.p_value = nan
        r.not_estimated = reason
    return rows


def breakdown(counts: dict[str, int], threshold: int) -> dict[str, str]:
    """Counts of categories that add up to a published total, made safe: a count below ``threshold`` is
    ``<k``, and when the hidden counts could be worked back from the total, the smallest shown one is hidden
    too ("suppressed"), the way Statistics Denmark suppresses a second cell."""
    series = pd.Series(counts, dtype=int)
    labels = {k: (f"<{threshold}" if 0 < c < threshold else None) for k, c in series.items()}
    total = int(series.sum())
    while any(labels.values()) and _determined(series, labels, threshold, total):
        open_ = [k for k, lab in labels.items() if lab is None and series[k] > 0]
        if not open_:
            labels = {k: ("suppressed" if lab else None) for k, lab in labels.items()}
            break
        labels[min(open_, key=lambda k: (series[k], k))] = "suppressed"
    return {k: labels[k] or str(int(c)) for k, c in series.items()}


def within(n: int, text: str, threshold: int) -> bool:
    """Is ``n`` one of the values a published count (``12``, ``<5``, ``810-814``) allows?"""
    if text.startswith("<"):
        return 0 < n < int(text[1:])
    low, _, high = text.partition("-")
    return int(low) <= n <= int(high or low)


def _determined(counts: pd.Series, labels: dict, threshold: int, total: int) -> bool:
    """Is some hidden count (label ``<k``: 1..k-1; ``suppressed``: 1..total) fixed by the published total?"""
    hidden = [i for i, lab in labels.items() if lab]
    rest = total - sum(int(counts[i]) for i in counts.index if not labels[i])
    lo = {i: 1 for i in hidden}
    hi = {i: (threshold - 1 if labels[i] != "suppressed" else total) for i in hidden}
    for i in hidden:
        low = max(lo[i], rest - sum(hi[j] for j in hidden if j != i))
        high = min(hi[i], rest - sum(lo[j] for j in hidden if j != i))
        if high <= low:
            return True
    return False


def safe_steps(cumulative: np.ndarray, threshold: int) -> np.ndarray:
    """Which points of a non-decreasing count series may be published: the count is 0, or at least
    ``threshold`` and at least ``threshold`` above the previous published point (differences between published
    points are then never a count below the threshold)."""
    keep = np.zeros(len(cumulative), dtype=bool)
    last = 0
    for i, c in enumerate(np.asarray(cumulative, int)):
        if c == 0 or (c >= threshold and (c - last == 0 or c - last >= threshold)):
            keep[i] = True
            last = c
    return keep
