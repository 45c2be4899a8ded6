"""Analysis populations: one definition of who each analysis counts, used by the flow diagram, the
participants table and ``n_citizens`` of the effects table alike.

A population is the set of citizens contributing at least one observation to
an analysis (config/README.md, "Analysis populations"):

=====================  ==========================================================================
``enrolled``           every enrolled citizen (multiple imputation, time to dropout)
``followup_who5``      at least one follow-up WHO-5 (primary mixed model, per protocol, subgroups)
``any_who5``           at least one WHO-5, baseline included (CLDA)
``who5_m{v}``          WHO-5 at visit ``v`` (cluster-level, ANCOVA, randomisation test, CACE at ``v``)
``change_m{v}``        WHO-5 at baseline and at visit ``v`` (individual change, :mod:`fittrial.analyses.yardsticks`)
``outcome:{o}``        the binary outcome ``o`` recorded (its GEE)
=====================  ==========================================================================

Every population is a subset of the enrolled citizens of its arm, so the
flow diagram shows, beside it, how many enrolled citizens it leaves out. When
that number is below the suppression threshold, the population's count is
published as the range it must lie in (``554-557``: 1 to 4 left out of 558), in the
flow diagram, the participants table and the effects table alike; otherwise
the left-out count would be the difference of two published numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrial.base.catalogue import analysis_named
from fittrial.inputs.dataset import BINARY_OUTCOMES, course_recorded
from fittrial.publish.disclosure import breakdown, suppress, within

ARMS = ("FIT", "control")
# end reasons of the side boxes, in this order; anything else is "other"
END_REASONS = ("dropout", "completed", "moved", "evicted", "died", "other")


def population_of(analysis: str, outcome: str, timepoint: int) -> str | None:
    """The population (see the module docstring) whose citizens an effects row counts, or None: the
    catalogue's population of the analysis (:data:`fittrial.base.catalogue.ANALYSES`), the binary outcome's own for
    its GEE."""
    if outcome != "who5" and analysis == "itt":
        return f"outcome:{outcome}"
    entry = analysis_named(analysis)
    if entry is None or not entry.population or (outcome != "who5" and entry.population != "enrolled"):
        return None
    return f"who5_m{int(timepoint)}" if entry.population == "visit" else entry.population


def members(citizens: pd.DataFrame, long: pd.DataFrame | None = None, outcomes: Sequence[str] | None = None
            ) -> dict[str, pd.Series]:
    """Boolean membership of every population, indexed like ``citizens``.

    ``long`` (the primary analysis data set, one row per follow-up WHO-5) defines
    ``followup_who5``; without it, any non-missing follow-up ``who5_m*`` column does.
    """
    visits = sorted(int(c[len("who5_m"):]) for c in citizens if c.startswith("who5_m"))
    out: dict[str, pd.Series] = {"enrolled": pd.Series(True, index=citizens.index)}
    observed = {v: citizens[f"who5_m{v}"].notna() for v in visits}
    follow = [observed[v] for v in visits if v != 0]
    if long is not None:
        out["followup_who5"] = citizens["citizen_id"].isin(set(long["citizen_id"]))
    else:
        out["followup_who5"] = np.logical_or.reduce(follow) if follow else pd.Series(False, index=citizens.index)
    out["any_who5"] = np.logical_or.reduce(list(observed.values())) if observed else out["followup_who5"] & False
    for v in visits:
        out[f"who5_m{v}"] = observed[v]
    for v in visits:  # change from baseline (the yardsticks' individual change)
        if v != 0 and 0 in observed:
            out[f"change_m{v}"] = observed[0] & observed[v]
    for o in BINARY_OUTCOMES if outcomes is None else outcomes:  # the binary outcomes (fittrial.base.catalogue)
        out[f"outcome:{o}"] = citizens[o].notna() if o in citizens else pd.Series(False, index=citizens.index)
    return {k: pd.Series(np.asarray(v, bool), index=citizens.index) for k, v in out.items()}


def population_counts(citizens: pd.DataFrame, long: pd.DataFrame | None = None,
                      outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Citizens and caseworkers of every population by arm: columns population, arm, citizens, caseworkers,
    enrolled (citizens enrolled in the arm)."""
    rows = []
    for name, member in members(citizens, long, outcomes).items():
        for arm in ARMS:
            in_arm = citizens["arm"] == arm
            sub = citizens[in_arm & member]
            rows.append({"population": name, "arm": arm, "citizens": len(sub),
                         "caseworkers": int(sub["caseworker_id"].nunique()), "enrolled": int(in_arm.sum())})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SafeCount:
    """A population's count as published: ``text`` (exact, ``<k`` or a range), its bounds, and the number of
    enrolled citizens it leaves out as published (``left_out``: exact, ``<k`` or a range)."""

    text: str
    low: int
    high: int
    left_out: str


def safe_count(n: int, enrolled: int, threshold: int) -> SafeCount:
    """A population count of one arm, safe to publish beside the arm's number enrolled.

    Neither the count nor the citizens it leaves out (``enrolled - n``) may be a
    number in 1..threshold-1, and neither may be recoverable from the other
    and the number enrolled: a small left-out count makes the count a range
    ending at the number enrolled; a small count makes the left-out count a
    range.
    """
    out = enrolled - n
    if threshold <= 1 or (out == 0 or out >= threshold) and (n == 0 or n >= threshold):
        return SafeCount(str(n), n, n, str(out))
    if 0 < out < threshold and n >= threshold:  # 1..k-1 left out: the count is enrolled - (k-1) .. enrolled - 1
        low = max(enrolled - threshold + 1, 0)
        return SafeCount(f"{low}-{enrolled - 1}", low, enrolled - 1, f"<{threshold}")
    if 0 < n < threshold and (out == 0 or out >= threshold):
        low = max(enrolled - threshold + 1, 0)
        return SafeCount(f"<{threshold}", 1, threshold - 1, f"{low}-{enrolled - 1}" if enrolled > 1 else "0")
    if n == 0:  # nobody: no one is described, the left-out count is the number enrolled (small here)
        return SafeCount("0", 0, 0, f"<{threshold}")
    # both small (a tiny arm): neither is published
    return SafeCount(f"<{threshold}", 1, threshold - 1, f"<{threshold}")


def total_text(counts: list[SafeCount], threshold: int) -> str:
    """The total over arms consistent with the arms' published counts (exact, a range, or ``<k``)."""
    low, high = sum(c.low for c in counts), sum(c.high for c in counts)
    if low == high:
        return str(low) if low == 0 or low >= threshold else f"<{threshold}"
    if high < threshold:
        return f"<{threshold}"
    return f"<{high + 1}" if low < threshold else f"{low}-{high}"


def published_totals(counts: pd.DataFrame, threshold: int) -> dict[str, str]:
    """Population -> total number of citizens as published (``n_citizens`` of the effects table)."""
    out = {}
    for name, g in counts.groupby("population", sort=False):
        out[name] = total_text([safe_count(int(r.citizens), int(r.enrolled), threshold) for r in g.itertuples()],
                               threshold)
    return out


def end_reason_at(citizens: pd.DataFrame, months: int) -> pd.Series:
    """Why a citizen has no WHO-5 at a visit, as far as the course says: the end reason when the course ended
    before the visit (dropout, completed, moved, evicted, died, other), else ``in_course``; ``no_form`` for every
    citizen when the trial records no course ends (:func:`course_recorded`)."""
    due = citizens["enrolled_on"] + pd.to_timedelta(round(months * 30.4375), unit="D") \
        if "enrolled_on" in citizens else None
    reason = citizens["end_reason"] if "end_reason" in citizens else pd.Series(pd.NA, index=citizens.index)
    ended = citizens["ended_on"].notna() & (citizens["ended_on"] < due) if due is not None and "ended_on" in \
        citizens else pd.Series(False, index=citizens.index)
    named = reason.where(reason.isin(END_REASONS[:-1]), "other")
    open_code = "in_course" if course_recorded(citizens) else "no_form"
    return pd.Series(np.where(ended, named, open_code), index=citizens.index)


def effects_counts(table: pd.DataFrame, threshold: int, populations: dict[str, str] | None = None) -> pd.DataFrame:
    """The effects table's counts (``n_citizens``, ``n_clusters``) made safe to publish, as text.

    A count below ``threshold`` is ``<k``. A per-protocol or CACE population
    is the ITT population less some FIT citizens: when its count is fewer
    than ``threshold`` below the ITT count at the same visit, it is shown as
    the range that includes the ITT count (e.g. ``810-814``), so the
    difference (citizens left out) is not published. Subgroup levels of one
    variable add up to the ITT count: when a level's count is suppressed, the
    next smallest level's is too, so the suppressed one cannot be recovered by
    subtraction. ``populations`` (population -> total as published, from
    :func:`published_totals`) gives the rows of a named
    analysis population the same text as the flow diagram's arms add up to.
    """
    out = table.copy()
    for col in ("n_citizens", "n_clusters"):
        out[col] = [suppress(v, threshold) if pd.notna(v) else "" for v in table[col]]
    if threshold <= 1:
        return out
    for i, r in table.iterrows():
        name = population_of(str(r["analysis"]), str(r["outcome"]), int(r["timepoint_months"]))
        if populations and name in populations and pd.notna(r["n_citizens"]) and \
                within(int(r["n_citizens"]), populations[name], threshold):
            out.at[i, "n_citizens"] = populations[name]
    itt = table[table["analysis"] == "itt"].groupby(["outcome", "timepoint_months"])["n_citizens"].max()
    for i, r in table.iterrows():
        if r["analysis"] in ("per_protocol", "cace") and (r["outcome"], r["timepoint_months"]) in itt.index:
            full = int(itt[(r["outcome"], r["timepoint_months"])])
            if 0 < full - int(r["n_citizens"]) < threshold:
                out.at[i, "n_citizens"] = f"{full - threshold + 1}-{full}"
    sub = table["analysis"].str.startswith("subgroup:")
    variable = table["analysis"].str.extract(r"^subgroup:([^=]+)=", expand=False)
    for _, g in table[sub].groupby([variable[sub], "outcome", "timepoint_months"]):
        for i, text in breakdown(g["n_citizens"].astype(int).to_dict(), threshold).items():
            if not text.isdigit():
                out.at[i, "n_citizens"] = text
    return out


__all__ = ["population_of", "members", "population_counts", "safe_count", "total_text", "published_totals",
           "end_reason_at", "effects_counts", "breakdown", "SafeCount", "course_recorded"]
