"""The ledger of published counts and its exact audit (fittrial.publish.ledger): the attacker's integer programme
finds what a reader can work out from several tables together, and nothing that cannot be worked out."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fittrial.publish.ledger import At, Ledger, audit, check, interval, membership_patterns, protect


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
    (exact,) = audit(ledger, 5, exact=True)  # the reader's integer programme itself gives the same interval
    assert exact.feasible == finding.feasible


def test_a_fact_the_data_do_not_meet_is_refused():
    """A percentage registered with too few decimals would make the reader's programme infeasible (and every
    count look exposed, or none): the ledger is checked against the data first."""
    g = _units(events=3, others=37)
    ledger = Ledger(40)
    events = ledger.add("events", "<5", g["events"])
    n = ledger.add("analysed", "40", np.ones(40, bool))
    ledger.share("percent", events, n, 7.4, 1)
    with pytest.raises(ValueError, match="percent"):
        check(ledger, 5)


def _flow_box(ledger: Ledger, g: dict[str, np.ndarray], other_total: str) -> None:
    """A flow-diagram side box (not included: dropout 30, moved <5) and a table elsewhere that counts the
    dropouts exactly: together they give the moved count back."""
    out = g["dropout"] | g["moved"]
    ledger.add("not included", str(int(out.sum())), out, At("flow", 0, "FIT_not_included"))
    ledger.add("side box dropout", "30", g["dropout"], At("flow", 0, "FIT_reasons", "dropout"))
    ledger.add("side box moved", "<5", g["moved"], At("flow", 0, "FIT_reasons", "moved"))
    ledger.add("enrolled", "100", np.ones(100, bool))
    ledger.add("included", other_total, g["rest"], At("participants", 0, "FIT"))


def test_secondary_suppression_protects_a_side_box_and_the_published_set_passes_the_exact_audit():
    g = _units(dropout=30, moved=2, rest=68)
    ledger = Ledger(100)
    _flow_box(ledger, g, "68")
    (finding,) = audit(ledger, 5)
    assert finding.exposed and finding.feasible == (2, 2)  # 100 - 68 - 30
    places, findings = protect(ledger, 5)
    assert places and not any(f.exposed for f in findings)
    after = ledger.without(places)
    # what is published afterwards, audited from scratch by the exact integer programme: the count is open
    assert not any(f.exposed for f in audit(after, 5, exact=True))
    # the fewest numbers: one is enough here (the total not included, or the dropouts, or the included)
    assert len(places) == 1


def test_a_suppressed_range_stays_guarded():
    """Suppressing a range or a <5 itself does not end its protection: if the numbers left still give it back,
    the audit finds it (a suppressed cell says nothing, but what it hid must stay hidden)."""
    g = _units(dropout=30, moved=2, rest=68)
    ledger = Ledger(100)
    _flow_box(ledger, g, "68")
    moved = next(i for i, c in enumerate(ledger.cells) if c.where == "side box moved")
    hidden = ledger.without({ledger.cells[moved].at})
    assert hidden.cells[moved].shown == "suppressed"
    (finding,) = audit(hidden, 5)
    assert finding.exposed and finding.feasible == (2, 2)



def test_suppression_is_written_where_the_number_stands():
    """A place names a whole cell, one part of a side box, the percentage in a count's brackets, or a number
    column left empty; a baseline count suppressed takes its row's standardised difference with it."""
    import pandas as pd

    from fittrial.publish.audit import apply_suppression, suppressed_text

    assert suppressed_text("239 (42.8%)", "") == "suppressed"
    assert suppressed_text("239 (42.8%)", "%") == "239"
    assert suppressed_text("dropout: 33; completed: 30; moved: <5", "completed") == \
        "dropout: 33; completed: suppressed; moved: <5"
    assert suppressed_text("16.36923077", "blank") == ""
    baseline = pd.DataFrame({"characteristic": ["Women, n (%)"], "FIT": ["3 (1.2%)"], "control": ["239 (42.8%)"],
                             "std_difference": ["-0.093"]})
    out = apply_suppression("baseline", baseline, {At("baseline", 0, "control")})
    assert out.iloc[0].tolist() == ["Women, n (%)", "3 (1.2%)", "suppressed", ""]
    assert apply_suppression("flow", baseline, {At("baseline", 0, "control")}).equals(baseline)


def _two_arms(first: dict[str, int], second: dict[str, int]) -> Ledger:
    """Side boxes of two arms (registered FIT first, as the audit does): the units of the arm registered first
    are ``first``. A total not included over both arms ties them."""
    g = _units(**{f"{k}_1": v for k, v in first.items()}, **{f"{k}_2": v for k, v in second.items()})
    units = sum(first.values()) + sum(second.values())
    ledger = Ledger(units)
    for arm, k in (("FIT", 1), ("control", 2)):
        out = g[f"dropout_{k}"] | g[f"moved_{k}"]
        ledger.add(f"not included {arm}", str(int(out.sum())), out, At("flow", 0, f"{arm}_not_included"))
        ledger.add(f"dropout {arm}", str(int(g[f"dropout_{k}"].sum())), g[f"dropout_{k}"],
                   At("flow", 0, f"{arm}_reasons", "dropout"))
        ledger.add(f"moved {arm}", "<5", g[f"moved_{k}"], At("flow", 0, f"{arm}_reasons", "moved"))
        ledger.add(f"included {arm}", str(int(g[f"rest_{k}"].sum())), g[f"rest_{k}"], At("flow", 0, f"{arm}_citizens"))
        ledger.add(f"enrolled ({arm})", str(sum(first.values()) if k == 1 else sum(second.values())),
                   g[f"dropout_{k}"] | g[f"moved_{k}"] | g[f"rest_{k}"])
    return ledger


def test_secondary_suppression_does_not_depend_on_which_arm_is_registered_first():
    """Under the other blinding key the same citizens' counts stand in the other arm's place: the numbers
    suppressed must be the same ones (each with its arm), or a table that names no arm would differ between keys."""
    from fittrial.publish.audit import _other_arm
    from fittrial.publish.ledger import protect_symmetric

    a, b = {"dropout": 30, "moved": 2, "rest": 68}, {"dropout": 20, "moved": 3, "rest": 77}
    one, _ = protect_symmetric(_two_arms(a, b), 5, _other_arm)
    two, _ = protect_symmetric(_two_arms(b, a), 5, _other_arm)
    swap = {"FIT": "control", "control": "FIT"}
    mirrored = {At(p.table, p.row, p.column.replace(p.column.split("_")[0], swap[p.column.split("_")[0]]), p.part)
                for p in two}
    assert one and one == mirrored
    assert not any(f.exposed for f in audit(_two_arms(a, b).without(one), 5, exact=True))


@pytest.mark.parametrize("cells", [1, 7, 8, 63, 64, 65, 130])
def test_membership_patterns_are_numpy_unique_of_the_units(cells):
    """The atoms from bits packed per unit (one 64-bit key when a unit's memberships fit, bytes otherwise) are
    np.unique(M.T, axis=0): the same patterns in the same order, duplicates and empty units included."""
    rng = np.random.default_rng(cells)
    M = rng.random((cells, 3000)) < rng.random((cells, 1)) * 0.3
    M[:, :500] = M[:, [0]]  # many units of one pattern
    M[:, 500:600] = False  # units in no cell
    np.testing.assert_array_equal(membership_patterns(M), np.unique(M.T, axis=0))
    assert membership_patterns(np.zeros((cells, 0), bool)).shape == (0, cells)
