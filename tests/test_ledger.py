"""The ledger of published counts and its exact audit (fittrial.publish.ledger): the attacker's integer programme
finds what a reader can work out from several tables together, and nothing that cannot be worked out."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fittrial.publish.ledger import Ledger, audit, interval


def _units(**groups: int) -> dict[str, np.ndarray]:
    """Units in named disjoint groups: a mask per group."""
    total = sum(groups.values())
    out, start = {}, 0
    for name, n in groups.items():
        mask = np.zeros(total, bool)
        mask[start:start + n] = True
        out[name] = mask
        start += n
    return out


def test_published_texts_and_the_values_they_allow():
    assert interval("557", 5) == (557, 557) and interval("<5", 5) == (1, 4) and interval("554-557", 5) == (554, 557)
    assert interval("554\u2013557", 5) == (554, 557) and interval("<9", 5) == (0, 8)
    assert interval("suppressed", 5) is None and interval("", 5) is None


def test_a_range_is_worked_back_from_a_union_and_an_intersection_published_elsewhere():
    """The issue's CLDA route: citizens with any WHO-5 shown as 554-557 (1-4 of 558 left out), while the
    numbers with a baseline, with a follow-up and with both are exact elsewhere: any = base + follow - both."""
    g = _units(both=465, base_only=37, follow_only=55, neither=1)
    base, follow = g["both"] | g["base_only"], g["both"] | g["follow_only"]
    ledger = Ledger(558)
    ledger.add("enrolled", "558", np.ones(558, bool))
    ledger.add("baseline", "502", base)
    ledger.add("follow-up", "520", follow)
    ledger.add("any WHO-5 (CLDA)", "554-557", base | follow)
    ledger.add("left out", "<5", ~(base | follow))
    protected = audit(ledger, 5)
    assert not any(f.exposed for f in protected)  # without the intersection, every value of 554-557 is possible
    ledger.add("baseline and follow-up (change)", "465", base & follow)
    found = {f.where: f for f in audit(ledger, 5)}
    assert found["any WHO-5 (CLDA)"].feasible == (557, 557) and found["any WHO-5 (CLDA)"].exposed
    assert found["left out"].feasible == (1, 1)


def test_a_percentage_with_its_denominator_gives_a_suppressed_count_back():
    g = _units(events=3, others=37)
    ledger = Ledger(40)
    events = ledger.add("events", "<5", g["events"])
    n = ledger.add("analysed", "40", np.ones(40, bool))
    assert not audit(ledger, 5)[0].exposed
    ledger.share("percent", events, n, 7.5, 1)  # 3 / 40 = 7.5%: only 3 rounds to it
    (finding,) = audit(ledger, 5)
    assert finding.exposed and finding.feasible == (3, 3)


def test_a_mean_per_cluster_with_the_number_of_clusters_gives_the_total_back():
    g = _units(arm=50, other=129)
    ledger = Ledger(179)
    ledger.add("control analysed", "50-53", g["arm"])
    ledger.add("FIT analysed", "129", g["other"])
    assert not audit(ledger, 5)[0].exposed
    total = ledger.add("ICC population", "", np.ones(179, bool))
    ledger.mean("mean cluster size", total, 12, 179 / 12, 8)
    (finding,) = audit(ledger, 5)
    assert finding.feasible == (50, 50)


@pytest.mark.parametrize("seed", range(4))
def test_the_audit_agrees_with_brute_force_on_small_random_ledgers(seed):
    """On small tables (three overlapping counts of up to 9 units each, one shown as <5) the integer programme's
    interval equals the one found by enumerating every table of atom sizes consistent with what is shown."""
    rng = np.random.default_rng(seed)
    units = 12
    masks = [rng.random(units) < p for p in (0.5, 0.4, 0.3)]
    counts = [int(m.sum()) for m in masks]
    target = next((i for i, c in enumerate(counts) if 0 < c < 5), None)
    if target is None:
        masks[0] = np.zeros(units, bool)
        masks[0][:3] = True
        target, counts[0] = 0, 3
    ledger = Ledger(units)
    ledger.add("all", str(units), np.ones(units, bool))
    for i, m in enumerate(masks):
        ledger.add(f"cell {i}", "<5" if i == target else str(counts[i]), m)
    (finding,) = audit(ledger, 5)
    patterns = np.unique(np.array(masks).T, axis=0)
    possible = set()
    for sizes in itertools.product(range(units + 1), repeat=len(patterns)):
        if sum(sizes) != units:
            continue
        totals = [sum(s for s, p in zip(sizes, patterns) if p[i]) for i in range(3)]
        if all(totals[i] == counts[i] for i in range(3) if i != target) and 1 <= totals[target] <= 4:
            possible.add(totals[target])
    assert finding.feasible == (min(possible), max(possible))
