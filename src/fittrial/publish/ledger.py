"""The ledger of published counts and the exact audit of what a reader can work out from all of them together.

Every count the report set publishes is registered as a :class:`Cell`: where it is shown, the text shown
(``557``, ``<5``, ``554-557``, ``suppressed``) and which units (citizens, or caseworkers) it counts, as a
membership mask. Numbers from which a count can be derived are registered as linear :class:`Fact`\\ s over
those counts: a percentage with its numerator and denominator (100 x events - p x n lies within the rounding
of p), a mean number of citizens per caseworker with the number of caseworkers (n = mean x K within its
rounding).

The audit is the attacker's linear programme of statistical disclosure control (as in tau-ARGUS and R's
sdcTable). The units fall into *atoms*: the groups of units that belong to the same registered cells. An
atom's size is an unknown non-negative integer; every cell is the sum of its atoms; every published text
bounds its cell (exactly, to ``1..k-1`` for ``<k``, to the range shown); every fact is a linear inequality.
For each cell published as less than a number (``<5``) or a range, :func:`audit` finds by integer
programming (scipy ``milp``, HiGHS) the smallest and largest value its count can take among all tables
consistent with everything published. When that interval is narrower than the one shown, a reader can
narrow the count down: the cell is *exposed*. Atoms that are empty in the data are taken as known to be
empty, which gives the reader more knowledge than they have: the audit errs on the safe side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

RANGE = re.compile(r"^(\d+)\s*[-\u2013]\s*(\d+)$")


@dataclass(frozen=True)
class Cell:
    """One published count: where it is shown, as what, and the units it counts (a boolean mask)."""

    where: str
    shown: str
    mask: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class Fact:
    """A linear relation the published numbers state between counts: ``low <= sum(coef x cell) <= high``
    (cells by their index in the ledger)."""

    where: str
    terms: tuple[tuple[int, float], ...]
    low: float
    high: float


@dataclass(frozen=True)
class Finding:
    """A cell published as a range or below a threshold, and the interval a reader can narrow it to."""

    where: str
    shown: str
    shown_interval: tuple[int, int]
    feasible: tuple[int, int]

    @property
    def exposed(self) -> bool:
        return self.feasible[0] > self.shown_interval[0] or self.feasible[1] < self.shown_interval[1]


def interval(shown: str, threshold: int) -> tuple[int, int] | None:
    """The values a published text allows (None: it says nothing, e.g. ``suppressed`` or empty)."""
    text = str(shown).strip()
    if text.isdigit():
        return int(text), int(text)
    if text == f"<{threshold}":
        return 1, threshold - 1  # a count below the threshold is shown as <k only when it is not 0
    if m := re.fullmatch(r"<(\d+)", text):
        return 0, int(m.group(1)) - 1
    if m := RANGE.fullmatch(text):
        return int(m.group(1)), int(m.group(2))
    return None


@dataclass
class Ledger:
    """The published counts of one universe of units (citizens, or caseworkers) and the facts tying them."""

    units: int
    cells: list[Cell] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def add(self, where: str, shown: object, mask: Sequence[bool] | np.ndarray) -> int:
        """Register a published count (``shown`` as published; empty for a count that is not published itself
        but that a fact refers to). Returns its index."""
        mask = np.asarray(mask, bool)
        if mask.shape != (self.units,):
            raise ValueError(f"{where}: mask of {mask.shape} for {self.units} units")
        self.cells.append(Cell(where, "" if shown is None else str(shown).strip(), mask))
        return len(self.cells) - 1

    def share(self, where: str, events: int, n: int, percent: float, decimals: int) -> None:
        """A percentage 100 x events / n published rounded to ``decimals`` (or more digits)."""
        h = 0.5 * 10.0 ** -decimals + 1e-9
        self.facts.append(Fact(where, ((events, 100.0), (n, -(percent + h))), -np.inf, 0.0))
        self.facts.append(Fact(where, ((events, 100.0), (n, -(percent - h))), 0.0, np.inf))

    def mean(self, where: str, total: int, clusters: int, mean: float, decimals: int) -> None:
        """A mean per cluster published rounded to ``decimals``, with the number of clusters known: the total
        lies within clusters x (mean +- half a unit of the last digit)."""
        h = 0.5 * 10.0 ** -decimals + 1e-9
        self.facts.append(Fact(where, ((total, 1.0),), clusters * (mean - h), clusters * (mean + h)))


def audit(ledger: Ledger, threshold: int, time_limit: float = 20.0) -> list[Finding]:
    """For every cell published below the threshold or as a range, the interval its count can be narrowed to
    from everything in the ledger (see the module docstring). A solver that fails counts as exposure."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not ledger.cells:
        return []
    M = np.array([c.mask for c in ledger.cells])  # cells x units
    atoms = np.unique(M.T, axis=0)  # the distinct membership patterns present: atoms x cells
    atoms = atoms[atoms.any(axis=1)] if len(atoms) else atoms
    A = atoms.T.astype(float)  # cells x atoms: a cell is the sum of its atoms
    rows: list[np.ndarray] = []
    low: list[float] = []
    high: list[float] = []
    bounded: list[tuple[int, tuple[int, int]]] = []
    for i, cell in enumerate(ledger.cells):
        allowed = interval(cell.shown, threshold)
        if allowed is None:
            continue
        rows.append(A[i])
        low.append(allowed[0])
        high.append(allowed[1])
        if allowed[0] < allowed[1]:
            bounded.append((i, allowed))
    for fact in ledger.facts:
        row = np.zeros(A.shape[1])
        for i, coef in fact.terms:
            row += coef * A[i]
        rows.append(row)
        low.append(fact.low)
        high.append(fact.high)
    if not bounded:
        return []
    n = A.shape[1]
    constraints = LinearConstraint(np.array(rows), np.array(low, float), np.array(high, float)) if rows else None
    bounds = Bounds(np.zeros(n), np.full(n, float(ledger.units)))
    findings = []
    for i, allowed in bounded:
        ends = []
        for sign in (1.0, -1.0):
            res = milp(sign * A[i], integrality=np.ones(n), bounds=bounds, constraints=constraints,
                       options={"time_limit": time_limit})
            if res.status != 0 or res.x is None:
                truth = int(ledger.cells[i].mask.sum())
                ends = [truth, truth]  # the solver gave no answer: take the worst case (the count is known)
                break
            ends.append(int(round(float(A[i] @ res.x))))
        findings.append(Finding(ledger.cells[i].where, ledger.cells[i].shown, allowed, (min(ends), max(ends))))
    return findings


__all__ = ["Cell", "Fact", "Finding", "Ledger", "interval", "audit"]
