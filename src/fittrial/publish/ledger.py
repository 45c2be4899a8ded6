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
For each cell published as less than a number (``<5``) or a range, :func:`audit` finds (scipy ``milp``,
HiGHS) the smallest and largest value its count can take among all tables consistent with everything
published. When that interval is narrower than the one shown, a reader can narrow the count down: the cell
is *exposed*. :func:`protect` then suppresses the fewest further numbers (secondary suppression) until no
cell is. Atoms that are empty in the data are taken as known to be empty, which gives the reader more
knowledge than they have: the audit errs on the safe side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

RANGE = re.compile(r"^(\d+)\s*[-\u2013]\s*(\d+)$")


class At(NamedTuple):
    """Where a published number stands, so that it can be suppressed: a table (its file name without ``.csv``),
    a row (0-based, after the header), a column, and ``part``: empty for the whole cell, a key for one
    ``key: value`` part of a cell listing several (the flow diagram's side boxes), ``%`` for the percentage in
    brackets of a cell such as ``239 (42.8%)``, ``blank`` for a number column that is then left empty."""

    table: str
    row: int
    column: str
    part: str = ""


@dataclass(frozen=True)
class Cell:
    """One published count: where it is shown, as what, the units it counts (a boolean mask), and where it
    stands in the report set (``at``; None for a count the reader knows from its definition, which cannot be
    suppressed)."""

    where: str
    shown: str
    mask: np.ndarray = field(repr=False, compare=False)
    at: At | None = None
    guard: str = ""  # a suppressed range or <k: the text it replaced, whose values must stay open to the reader


@dataclass(frozen=True)
class Fact:
    """A linear relation the published numbers state between counts: ``low <= sum(coef x cell) <= high``
    (cells by their index in the ledger)."""

    where: str
    terms: tuple[tuple[int, float], ...]
    low: float
    high: float
    at: At | None = None


@dataclass(frozen=True)
class Finding:
    """A cell published as a range or below a threshold, and the interval a reader can narrow it to."""

    where: str
    shown: str
    shown_interval: tuple[int, int]
    feasible: tuple[int, int]
    index: int = -1

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

    def add(self, where: str, shown: object, mask: Sequence[bool] | np.ndarray, at: At | None = None) -> int:
        """Register a published count (``shown`` as published; empty for a count that is not published itself
        but that a fact refers to) standing at ``at``. Returns its index."""
        mask = np.asarray(mask, bool)
        if mask.shape != (self.units,):
            raise ValueError(f"{where}: mask of {mask.shape} for {self.units} units")
        self.cells.append(Cell(where, "" if shown is None else str(shown).strip(), mask, at))
        return len(self.cells) - 1

    def share(self, where: str, events: int, n: int, percent: float, decimals: int, at: At | None = None) -> None:
        """A percentage 100 x events / n published rounded to ``decimals`` (or more digits), standing at ``at``."""
        h = 0.5 * 10.0 ** -decimals + 1e-9
        self.facts.append(Fact(where, ((events, 100.0), (n, -(percent + h))), -np.inf, 0.0, at))
        self.facts.append(Fact(where, ((events, 100.0), (n, -(percent - h))), 0.0, np.inf, at))

    def mean(self, where: str, total: int, clusters: int, mean: float, decimals: int, at: At | None = None) -> None:
        """A mean per cluster published rounded to ``decimals``, with the number of clusters known: the total
        lies within clusters x (mean +- half a unit of the last digit)."""
        h = 0.5 * 10.0 ** -decimals + 1e-9
        self.facts.append(Fact(where, ((total, 1.0),), clusters * (mean - h), clusters * (mean + h), at))

    def without(self, places: set[At]) -> Ledger:
        """The ledger as published once the numbers at ``places`` are suppressed: such a count says nothing
        (shown ``suppressed``), such a fact is gone, and so is every fact about a suppressed count (a
        percentage of a suppressed count is suppressed with it)."""
        cells = [replace(c, shown="suppressed", guard=c.guard or c.shown) if c.at in places else c
                 for c in self.cells]
        gone = {i for i, c in enumerate(self.cells) if c.at in places}
        facts = [f for f in self.facts if f.at not in places and not any(i in gone for i, _ in f.terms)]
        return Ledger(self.units, cells, facts)

    def dependent(self, places: set[At]) -> set[At]:
        """The places of the facts that go with the counts at ``places`` (see :meth:`without`)."""
        gone = {i for i, c in enumerate(self.cells) if c.at in places}
        return {f.at for f in self.facts if f.at is not None and any(i in gone for i, _ in f.terms)}


def check(ledger: Ledger, threshold: int) -> None:
    """Raise if the data themselves break what the ledger says is published: a count outside its text, or a
    fact the true counts do not meet (a number registered with the wrong rounding, say). Such a ledger would
    make the reader's programme infeasible, and the audit would find everything exposed, or nothing, for no
    reason."""
    truth = [int(c.mask.sum()) for c in ledger.cells]
    for c, value in zip(ledger.cells, truth):
        allowed = interval(c.shown, threshold)
        if allowed is not None and not allowed[0] <= value <= allowed[1]:
            raise ValueError(f"ledger: {c.where} is registered as {c.shown!r} but counts {value}")
    for f in ledger.facts:
        total = float(sum(coef * truth[i] for i, coef in f.terms))
        if not f.low - 1e-9 <= total <= f.high + 1e-9:
            raise ValueError(f"ledger: the fact {f.where} ({f.low} <= {total} <= {f.high}) does not hold for the data")


def membership_patterns(M: np.ndarray) -> np.ndarray:
    """The distinct columns of a cells x units membership matrix, as rows (atoms x cells), in the order of
    ``np.unique(M.T, axis=0)`` (lexicographic): each unit's memberships packed into bits, most significant
    first, so that the order of the packed bytes is that of the rows, and a whole row is one number to sort
    when it fits in 64 bits (a sort of 60,000 rows of a hundred booleans costs a second; of integers, a
    millisecond)."""
    cells, units = M.shape
    if not units:
        return np.zeros((0, cells), bool)
    packed = np.packbits(np.ascontiguousarray(M.T, dtype=bool), axis=1)  # units x bytes
    width = packed.shape[1]
    if width <= 8:
        wide = np.zeros((units, 8), np.uint8)
        wide[:, :width] = packed
        keys = np.unique(wide.view(">u8").ravel())  # big-endian: the integers sort as the bytes do
        rows = keys.astype(">u8").view(np.uint8).reshape(-1, 8)[:, :width]
    else:
        keys = np.unique(np.ascontiguousarray(packed).view(np.dtype((np.void, width))).ravel())
        rows = keys.view(np.uint8).reshape(-1, width)
    return np.unpackbits(rows, axis=1, count=cells).astype(bool)


def audit(ledger: Ledger, threshold: int, only: set[int] | None = None, exact: bool = False,
          time_limit: float = 60.0) -> list[Finding]:
    """For every cell published below the threshold or as a range (or those of them in ``only``), the interval
    its count can be narrowed to from everything in the ledger (see the module docstring).

    By default each end is the linear relaxation's optimum rounded inward to a whole number (HiGHS, a tenth of
    a second per end on a trial of 1,100 citizens). That is a valid bound on what the reader can work out, and
    it is what the reader gets in all but rare cases: rounding a count's bound is how a percentage with its
    denominator gives the count back, and it is caught. What it can miss is a narrowing that needs whole
    numbers in several atoms at once (a parity argument). ``exact``: the reader's integer programme itself
    (scipy ``milp``; exact, but seconds per end on a large ledger; a solver that fails counts as exposure).
    The tests check that both give the same intervals on the small trials' ledgers."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not ledger.cells:
        return []
    check(ledger, threshold)
    M = np.array([c.mask for c in ledger.cells])  # cells x units
    atoms = membership_patterns(M)  # the distinct membership patterns present: atoms x cells
    atoms = atoms[atoms.any(axis=1)]
    A = atoms.T.astype(float)  # cells x atoms: a cell is the sum of its atoms
    rows: list[np.ndarray] = []
    low: list[float] = []
    high: list[float] = []
    bounded: list[tuple[int, tuple[int, int]]] = []
    for i, cell in enumerate(ledger.cells):
        allowed = interval(cell.shown, threshold)
        guarded = interval(cell.guard, threshold) if cell.guard else allowed
        if guarded is not None and guarded[0] < guarded[1] and (only is None or i in only):
            bounded.append((i, guarded))  # a range or <k, shown or suppressed: its values must stay open
        if allowed is None:
            continue
        rows.append(A[i])
        low.append(allowed[0])
        high.append(allowed[1])
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
    constraints = LinearConstraint(np.array(rows), np.array(low, float), np.array(high, float))
    bounds = Bounds(np.zeros(n), np.full(n, float(ledger.units)))
    findings = []
    for i, allowed in bounded:
        truth = int(ledger.cells[i].mask.sum())
        ends = []
        for sign in (1.0, -1.0):
            res = milp(sign * A[i], integrality=np.full(n, int(exact)), bounds=bounds, constraints=constraints,
                       options={"time_limit": time_limit})
            if res.status != 0 or res.x is None:
                ends.append(truth)  # the solver gave no answer: take the worst case (the count is known)
                continue
            value = float(A[i] @ res.x)
            ends.append(int(np.ceil(value - 1e-6)) if sign > 0 else int(np.floor(value + 1e-6)))
        findings.append(Finding(ledger.cells[i].where, ledger.cells[i].shown, allowed, (min(ends), max(ends)), i))
    return findings


def _blockers(ledger: Ledger, target: int, value: int, threshold: int) -> set[At]:
    """Published numbers whose suppression lets count ``target`` take ``value``: a linear programme in which
    every count (exact, a range or ``<k``) and every fact that can be suppressed may be missed, at a cost per
    unit missed (one for a count; a fact's miss is taken per unit of its largest coefficient), while counts
    the reader knows by definition hold. The numbers missed in its solution are returned (few, as an L1
    optimum is sparse); empty if nothing published pins the count. A range or ``<k`` suppressed stays
    guarded: the audit still requires its values to stay open (:attr:`Cell.guard`). :func:`protect` audits
    again afterwards."""
    from scipy.optimize import linprog

    M = np.array([c.mask for c in ledger.cells])
    atoms = membership_patterns(M)
    atoms = atoms[atoms.any(axis=1)]
    A = atoms.T.astype(float)
    n = A.shape[1]
    soft_cells = [i for i, c in enumerate(ledger.cells)
                  if c.at is not None and interval(c.shown, threshold) is not None and i != target]
    soft_facts = [k for k, f in enumerate(ledger.facts) if f.at is not None]
    slack_of = {("cell", i): k for k, i in enumerate(soft_cells)}
    slack_of.update({("fact", j): len(soft_cells) + k for k, j in enumerate(soft_facts)})
    m = len(slack_of)
    # the variables: the atoms, then a slack below and above per number that may be suppressed
    eq_rows: list[np.ndarray] = []
    ub_rows: list[np.ndarray] = []
    eq_b: list[float] = []
    ub_b: list[float] = []

    def row_with(base: np.ndarray, slack: int | None) -> np.ndarray:
        row = np.r_[base, np.zeros(2 * m)]
        if slack is not None:
            row[n + slack], row[n + m + slack] = 1.0, -1.0  # base + below - above
        return row

    for i, cell in enumerate(ledger.cells):
        allowed = interval(cell.shown, threshold)
        if i == target:
            eq_rows.append(row_with(A[i], None))
            eq_b.append(value)
        elif allowed is not None:
            slack = slack_of.get(("cell", i))
            if allowed[0] == allowed[1]:
                eq_rows.append(row_with(A[i], slack))
                eq_b.append(allowed[0])
            else:
                ub_rows += [row_with(A[i], slack), -row_with(A[i], slack)]
                ub_b += [allowed[1], -allowed[0]]
    for k, fact in enumerate(ledger.facts):
        base = np.zeros(n)
        for i, coef in fact.terms:
            base += coef * A[i]
        row = row_with(base, slack_of.get(("fact", k)))
        if np.isfinite(fact.high):
            ub_rows.append(row)
            ub_b.append(fact.high)
        if np.isfinite(fact.low):
            ub_rows.append(-row)
            ub_b.append(-fact.low)
    scale = [1.0] * len(soft_cells) + [1.0 / max(1.0, max(abs(c) for _, c in ledger.facts[k].terms))
                                        for k in soft_facts]
    cost = np.r_[np.zeros(n), scale, scale]
    res = linprog(cost, A_ub=np.array(ub_rows) if ub_rows else None, b_ub=np.array(ub_b) if ub_b else None,
                  A_eq=np.array(eq_rows), b_eq=np.array(eq_b, float),
                  bounds=[(0, float(ledger.units))] * n + [(0, None)] * (2 * m), method="highs")
    if res.status != 0 or res.x is None:
        return set()
    missed = res.x[n:n + m] + res.x[n + m:] > 1e-6
    places = {ledger.cells[i].at for i, on in zip(soft_cells, missed[:len(soft_cells)]) if on}
    places |= {ledger.facts[k].at for k, on in zip(soft_facts, missed[len(soft_cells):]) if on}
    return {p for p in places if p is not None}


def protect(ledger: Ledger, threshold: int, rounds: int = 20, exact: bool = False,
            start: set[At] | None = None, first: list[Finding] | None = None) -> tuple[set[At], list[Finding]]:
    """Secondary suppression driven by the audit: while a count published as a range or below the threshold
    can be narrowed down (:func:`audit`), suppress the fewest further published numbers that let it take the
    end of its shown interval a reader could rule out (:func:`_blockers`), then audit again. Returns the places
    to suppress and the final audit (a cell is left exposed only where no suppression can help: its count
    follows from numbers the reader knows by definition; the caller reports it). ``first``: the audit of
    the ledger with ``start`` suppressed, when the caller has it (it is not run again)."""
    places: set[At] = set(start or ())
    safe: dict[int, Finding] = {}  # suppressing more only widens an interval: a safe cell stays safe
    findings: list[Finding] = []
    for _ in range(rounds):
        view = ledger.without(places)
        todo = {i for i, c in enumerate(view.cells) if i not in safe}
        found = first if first is not None else audit(view, threshold, todo, exact)
        first = None
        findings = sorted([*safe.values(), *found], key=lambda f: f.index)
        safe.update({f.index: f for f in findings if not f.exposed})
        exposed = [f for f in findings if f.exposed]
        if not exposed:
            return places, findings
        before = len(places)
        for f in exposed:
            view = ledger.without(places)
            for value, ruled_out in ((f.shown_interval[0], f.feasible[0] > f.shown_interval[0]),
                                     (f.shown_interval[1], f.feasible[1] < f.shown_interval[1])):
                if not ruled_out:
                    continue
                places |= _blockers(view, f.index, value, threshold)
                places |= ledger.dependent(places)
                view = ledger.without(places)
        if len(places) == before:  # nothing more to suppress helps: the rest follows from what is known
            return places, findings
    return places, findings


def protect_symmetric(ledger: Ledger, threshold: int, partner: Callable[[str], str]) -> tuple[set[At], list[Finding]]:
    """:func:`protect` made blind to which arm is which: the numbers it suppresses do not depend on the order in
    which the arms' counts are registered, so a blinded review suppresses the same numbers under either key,
    and the same as the unblinded run (the linear programme's choice between two equally good numbers would
    otherwise follow the arms' order, and a table that names no arm would differ between the keys).

    ``partner`` maps a count's or fact's ``where`` to the other arm's (the identity for one that names no arm).
    Secondary suppression runs on the ledger and on its mirror (every count in the other arm's place); the
    union of both, with every suppressed number's partner, is audited and, should anything be left exposed,
    protected further from there (the result is then mirror-closed only as far as the audit needs)."""
    def pairing(items: list, where: Callable[[object], str]) -> list[int]:
        seen: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            seen.setdefault(where(item), []).append(i)
        order = list(range(len(items)))
        for name, positions in seen.items():
            other = seen.get(partner(name), [])
            if partner(name) != name and len(other) == len(positions):
                for i, j in zip(positions, other):
                    order[i] = j
        return order

    cells = pairing(ledger.cells, lambda c: c.where)  # type: ignore[attr-defined]
    facts = pairing(ledger.facts, lambda f: f.where)  # type: ignore[attr-defined]
    mirror = Ledger(ledger.units, [ledger.cells[cells[i]] for i in range(len(cells))],
                    [replace(ledger.facts[facts[k]], terms=tuple((cells[i], c) for i, c in ledger.facts[facts[k]].terms))
                     for k in range(len(facts))])
    twin = {c.at: ledger.cells[cells[i]].at for i, c in enumerate(ledger.cells) if c.at is not None}
    twin.update({f.at: ledger.facts[facts[k]].at for k, f in enumerate(ledger.facts) if f.at is not None})
    initial = audit(ledger, threshold)
    mine, findings = protect(ledger, threshold, first=initial)
    if not mine:  # nothing exposed: the mirror has the same intervals (the audit's answer ignores the order)
        return mine, findings
    # the mirror's first audit is this one's, cell for cell (the reader's answer does not depend on the order)
    mirrored = [replace(f, index=cells[f.index]) for f in initial]
    places = mine | protect(mirror, threshold, first=mirrored)[0]
    places |= {twin[p] for p in places if twin.get(p) is not None}  # type: ignore[misc]
    if places == mine:
        return mine, findings
    # more suppressed than ``mine``, after which nothing was exposed: intervals only widen, so nothing is now
    # either (a suppressed range or <k stays guarded); the record keeps ``mine``'s intervals as lower bounds
    return places, findings


__all__ = ["At", "Cell", "Fact", "Finding", "Ledger", "interval", "check", "audit", "protect", "protect_symmetric"]
