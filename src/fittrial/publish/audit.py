"""The published report set's counts, registered in two ledgers (citizens, caseworkers) and audited together.

:func:`published_ledgers` reads the report set's tables as published (the texts a reader sees) and, from the
analysis data, which citizens or caseworkers each count counts: the participant flow and its side boxes, the
participants table, WHO-5 completion, the outcomes not recorded, the secondary outcomes (events, numbers
analysed and percentages), the baseline table (counts, percentages and mean citizens per caseworker), the
effects table's numbers of citizens (subgroup levels included) and the ICC table's mean cluster sizes.
:func:`control_report_set` runs the audit of :mod:`fittrial.publish.ledger` on them, suppresses further until
no count a reader could narrow down is left (secondary suppression, :func:`fittrial.publish.ledger.protect`),
and returns the places to suppress with the record that ``provenance.json`` publishes (numbers of cells,
facts, audited and further suppressed numbers, and any cell still exposed); :func:`apply_suppression` writes
them into a table.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from fittrial.language.messages import text
from fittrial.publish.ledger import At, Ledger, interval, protect_symmetric
from fittrial.publish.populations import ARMS, END_REASONS, end_reason_at, members, population_of

log = logging.getLogger("fittrial")

COUNT = re.compile(r"^\s*(<?\d+(?:\s*[-\u2013]\s*\d+)?)")
PERCENT = re.compile(r"\((\d+(?:\.\d+)?)%\)")


def _labels(tables: Path) -> dict[str, str]:
    """The arms' names in the published tables: FIT and control, or A and B in a blinded review (the data keep
    the internal names, with FIT standing for A)."""
    from fittrial.publish.labels import BLIND_LABELS

    flow = _read(tables, "flow")
    blinded = flow is not None and "A_citizens" in flow.columns
    return dict(BLIND_LABELS) if blinded else {a: a for a in ARMS}


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = tables / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def _count_text(cell: str) -> str:
    """The count of a published cell such as ``239 (42.8%)`` or ``<5``."""
    m = COUNT.match(str(cell))
    return m.group(1).replace(" ", "") if m else ""


def _decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


def _subgroup_mask(citizens: pd.DataFrame, variable: str, level: str, age_breaks: list[int]) -> np.ndarray | None:
    from fittrial.inputs.dataset import subgroup_levels

    try:
        levels = subgroup_levels(citizens, variable, age_breaks)
    except (ValueError, KeyError):
        return None
    return (levels.astype(str) == level).to_numpy()


def citizen_ledger(tables: Path, citizens: pd.DataFrame, long: pd.DataFrame | None, outcomes: list[str],
                   threshold: int, age_breaks: list[int]) -> Ledger:
    """The published counts of citizens (see the module docstring)."""
    ledger = Ledger(len(citizens))
    lab = _labels(tables)
    arm = {a: (citizens["arm"] == a).to_numpy() for a in ARMS}
    member = {k: v.to_numpy() for k, v in members(citizens, long, outcomes).items()}
    enrolled = {a: ledger.add(f"enrolled ({a})", str(int(arm[a].sum())), arm[a]) for a in ARMS}
    flow = _read(tables, "flow")
    if flow is not None:
        for k, r in flow.iterrows():
            stage = r["stage"]
            name = stage.split(":", 1)[1] if ":" in stage and not stage.startswith("outcome:") else stage
            if name not in member:
                continue
            for a in ARMS:
                ledger.add(f"flow.csv {stage} {a}_citizens", r[f"{lab[a]}_citizens"], member[name] & arm[a],
                           At("flow", k, f"{lab[a]}_citizens"))
                if stage != "enrolled":  # there, those not included are caseworkers without citizens
                    ledger.add(f"flow.csv {stage} {a}_not_included", r[f"{lab[a]}_not_included"],
                               ~member[name] & arm[a], At("flow", k, f"{lab[a]}_not_included"))
                m = re.fullmatch(r"who5_m(\d+)", stage)
                if m and r[f"{lab[a]}_reasons"]:
                    reason = end_reason_at(citizens, int(m.group(1))).to_numpy()
                    for part in r[f"{lab[a]}_reasons"].split("; "):
                        key, _, shown = part.partition(": ")
                        if key in (*END_REASONS, "in_course", "no_form"):
                            ledger.add(f"flow.csv {stage} {a}_reasons {key}", shown,
                                       arm[a] & ~member[name] & (reason == key), At("flow", k, f"{lab[a]}_reasons", key))
    participants = _read(tables, "participants")
    if participants is not None:
        labels = {text("lbl_p_enrolled"): "enrolled", text("lbl_p_primary"): "followup_who5"}
        visits = sorted(int(c[len("who5_m"):]) for c in citizens if c.startswith("who5_m"))
        labels.update({(text("w_who5_at_baseline") if v == 0 else text("w_who5_at_months", n=v)): f"who5_m{v}"
                       for v in visits})
        labels.update({text("lbl_p_outcome", outcome=o): f"outcome:{o}" for o in outcomes})
        for k, r in participants.iterrows():
            name = labels.get(r["measure"])
            if name in member:
                for a in ARMS:
                    ledger.add(f"participants.csv {r['measure']} {a}", r[lab[a]], member[name] & arm[a],
                               At("participants", k, lab[a]))
                ledger.add(f"participants.csv {r['measure']} total", r["total"], member[name],
                           At("participants", k, "total"))
    completion = _read(tables, "who5_completion")
    if completion is not None:
        for k, r in completion.iterrows():
            a, v = {lab[b]: b for b in ARMS}.get(r["arm"], ""), int(r["visit_months"])
            if a in arm and f"who5_m{v}" in member:
                i = ledger.add(f"who5_completion.csv {v} {a} completed", r["completed"], member[f"who5_m{v}"] & arm[a],
                               At("who5_completion", k, "completed"))
                ledger.add(f"who5_completion.csv {v} {a} enrolled", r["enrolled"], arm[a],
                           At("who5_completion", k, "enrolled"))
                if r["percent"] and interval(r["completed"], threshold) is not None:
                    ledger.share(f"who5_completion.csv {v} {a} percent", i, enrolled[a], float(r["percent"]),
                                 _decimals(r["percent"]), At("who5_completion", k, "percent", "blank"))
    missing = _read(tables, "missing_outcomes")
    if missing is not None:
        for k, r in missing.iterrows():
            o = r["outcome"]
            if o in citizens:
                absent = citizens[o].isna().to_numpy()
                for a in ARMS:
                    ledger.add(f"missing_outcomes.csv {o} {a}", r[lab[a]], absent & arm[a],
                               At("missing_outcomes", k, lab[a]))
                ledger.add(f"missing_outcomes.csv {o} total", r["total"], absent, At("missing_outcomes", k, "total"))
    secondary = _read(tables, "secondary_outcomes")
    if secondary is not None:
        for k, r in secondary.iterrows():
            o = r["outcome"]
            if o not in citizens:
                continue
            seen = citizens[o].notna().to_numpy(bool)
            event = (citizens[o] == 1).fillna(False).to_numpy(bool)
            for a in ARMS:
                e = ledger.add(f"secondary_outcomes.csv {o} {a}_events", r[f"{lab[a]}_events"], event & arm[a],
                               At("secondary_outcomes", k, f"{lab[a]}_events"))
                n = ledger.add(f"secondary_outcomes.csv {o} {a}_n", r[f"{lab[a]}_n"], seen & arm[a],
                               At("secondary_outcomes", k, f"{lab[a]}_n"))
                if r[f"{lab[a]}_percent"] and r[f"{lab[a]}_n"].isdigit():
                    ledger.share(f"secondary_outcomes.csv {o} {a}_percent", e, n, float(r[f"{lab[a]}_percent"]),
                                 _decimals(r[f"{lab[a]}_percent"]),
                                 At("secondary_outcomes", k, f"{lab[a]}_percent", "blank"))
    _baseline(ledger, tables, citizens, arm, lab)
    _effects(ledger, tables, citizens, member, age_breaks, threshold)
    _icc(ledger, tables, citizens, member)
    return ledger


def _baseline(ledger: Ledger, tables: Path, citizens: pd.DataFrame, arm: dict[str, np.ndarray],
              lab: dict[str, str]) -> None:
    baseline = _read(tables, "baseline")
    if baseline is None:
        return
    base = citizens["who5_m0"] if "who5_m0" in citizens else pd.Series(np.nan, index=citizens.index)
    rows = {text("lbl_b_citizens"): np.ones(len(citizens), bool),
            text("lbl_b_women"): (citizens["sex"] == "F").fillna(False).to_numpy(bool),
            text("lbl_b_sex_missing"): citizens["sex"].isna().to_numpy(),
            text("lbl_b_age_missing"): citizens["age"].isna().to_numpy(),
            text("lbl_b_baseline_le50"): (base <= 50).fillna(False).to_numpy(bool),
            text("lbl_b_baseline_missing"): base.isna().to_numpy()}
    rows.update({text("lbl_b_stratum", stratum=s): (citizens["stratum"] == s).to_numpy(bool)
                 for s in citizens["stratum"].unique()})
    for k, r in baseline.iterrows():
        mask = rows.get(r["characteristic"])
        if mask is None:
            continue
        for a in ARMS:
            shown = _count_text(r[lab[a]])
            if not shown:
                continue
            i = ledger.add(f"baseline.csv {r['characteristic']} {a}", shown, mask & arm[a], At("baseline", k, lab[a]))
            pct = PERCENT.search(r[lab[a]])
            if pct:
                total = ledger.add(f"baseline.csv citizens {a}", "", arm[a])
                ledger.share(f"baseline.csv {r['characteristic']} {a} percent", i, total, float(pct.group(1)),
                             _decimals(pct.group(1)), At("baseline", k, lab[a], "%"))
    per_cw = baseline[baseline["characteristic"] == text("lbl_b_per_caseworker")]
    caseworkers = baseline[baseline["characteristic"] == text("lbl_b_caseworkers")]
    for a in ARMS:
        if len(per_cw) and len(caseworkers) and caseworkers.iloc[0][lab[a]].isdigit():
            mean = per_cw.iloc[0][lab[a]].split(" ", 1)[0]
            if re.fullmatch(r"\d+(\.\d+)?", mean):
                total = ledger.add(f"baseline.csv citizens {a}", "", arm[a])
                ledger.mean(f"baseline.csv citizens per caseworker {a}", total, int(caseworkers.iloc[0][lab[a]]),
                            float(mean), _decimals(mean), At("baseline", int(per_cw.index[0]), lab[a]))


def _effects(ledger: Ledger, tables: Path, citizens: pd.DataFrame, member: dict[str, np.ndarray],
             age_breaks: list[int], threshold: int) -> None:
    effects = _read(tables, "effects")
    if effects is None:
        return
    for k, r in effects.iterrows():
        if not r["n_citizens"] or (r["n_citizens"] == "0" and r.get("not_estimated")):  # nobody analysed
            continue
        analysis = r["analysis"]
        level = None
        if analysis.startswith("subgroup:") and "=" in analysis:
            variable, _, value = analysis[len("subgroup:"):].partition("=")
            level = _subgroup_mask(citizens, variable, value, age_breaks)
            if level is None:
                continue
            population: str | None = "followup_who5"
        else:
            population = population_of(analysis, r["outcome"], int(float(r["timepoint_months"])))
        if population not in member:
            continue
        mask = member[population] if level is None else member[population] & level
        allowed = interval(r["n_citizens"], threshold)
        if allowed is not None and not allowed[0] <= int(mask.sum()) <= allowed[1]:
            # a model that left citizens out (a level without events, say): its n is not the population's
            log.info("disclosure audit: %s %s %s n_citizens counts fewer than its population; registered "
                     "without units", analysis, r["outcome"], r["timepoint_months"])
            continue
        ledger.add(f"effects.csv {analysis} {r['outcome']} {r['timepoint_months']} n_citizens", r["n_citizens"], mask,
                   At("effects", k, "n_citizens"))


def _icc(ledger: Ledger, tables: Path, citizens: pd.DataFrame, member: dict[str, np.ndarray]) -> None:
    icc = _read(tables, "icc")
    if icc is None:
        return
    for k, r in icc.iterrows():
        name = "followup_who5" if r["outcome"] == "who5" else f"outcome:{r['outcome']}"
        if name not in member or not r["mean_cluster_size"]:
            continue
        mask = member[name]
        clusters = int(citizens.loc[mask, "caseworker_id"].nunique())
        if abs(float(r["mean_cluster_size"]) * clusters - mask.sum()) > 0.5:
            # a model fitted to fewer citizens or over other caseworkers: the mean is not this population's
            log.info("disclosure audit: icc.csv %s mean_cluster_size is not its population's; left out",
                     r["outcome"])
            continue
        total = ledger.add(f"icc.csv {r['outcome']} citizens", "", mask)
        ledger.mean(f"icc.csv {r['outcome']} mean_cluster_size", total, clusters, float(r["mean_cluster_size"]),
                    _decimals(r["mean_cluster_size"]),
                    At("icc", k, "mean_cluster_size", "blank"))


def caseworker_ledger(tables: Path, randomisation: pd.DataFrame, citizens: pd.DataFrame,
                      long: pd.DataFrame | None, outcomes: list[str]) -> Ledger:
    """The published counts of caseworkers: randomised by arm and stratum, and with a citizen in each
    population of the flow diagram."""
    ids = randomisation["caseworker_id"].to_numpy()
    ledger = Ledger(len(ids))
    lab = _labels(tables)
    arm = {a: (randomisation["arm"] == a).to_numpy() for a in ARMS}
    member = members(citizens, long, outcomes)
    flow = _read(tables, "flow")
    if flow is None:
        return ledger
    # each citizen's caseworker as a row of the randomisation list (-1: not on it), found once
    caseworker_of = pd.Index(ids).get_indexer(citizens["caseworker_id"].to_numpy()) \
        if pd.Index(ids).is_unique else None
    for k, r in flow.iterrows():
        stage = r["stage"]
        name = stage.split(":", 1)[1] if ":" in stage and not stage.startswith("outcome:") else stage
        for a in ARMS:
            if stage == "randomised":
                ledger.add(f"flow.csv randomised {a}_caseworkers", r[f"{lab[a]}_caseworkers"], arm[a],
                           At("flow", k, f"{lab[a]}_caseworkers"))
                for part in r[f"{lab[a]}_reasons"].split("; ") if r[f"{lab[a]}_reasons"] else []:
                    stratum, _, shown = part.rpartition(": ")
                    if stratum not in set(randomisation["stratum"].astype(str)):
                        continue  # "matched pairs: 12", the number of pairs, not of caseworkers
                    ledger.add(f"flow.csv randomised {a} stratum {stratum}", shown,
                               arm[a] & (randomisation["stratum"] == stratum).to_numpy(),
                               At("flow", k, f"{lab[a]}_reasons", stratum))
            elif name in member:
                with_one = _with_a_member(member[name].to_numpy(), ids, citizens, caseworker_of)
                ledger.add(f"flow.csv {stage} {a}_caseworkers", r[f"{lab[a]}_caseworkers"],
                           arm[a] & with_one, At("flow", k, f"{lab[a]}_caseworkers"))
                if stage == "enrolled" and r[f"{lab[a]}_not_included"]:  # caseworkers without citizens
                    ledger.add(f"flow.csv enrolled {a}_not_included", r[f"{lab[a]}_not_included"],
                               arm[a] & ~with_one, At("flow", k, f"{lab[a]}_not_included"))
    return ledger


def _with_a_member(is_member: np.ndarray, ids: np.ndarray, citizens: pd.DataFrame,
                   caseworker_of: np.ndarray | None) -> np.ndarray:
    """Which caseworkers of the randomisation list (``ids``) have a citizen in a population (``is_member``, per
    citizen): marked through each citizen's row of the list (``caseworker_of``, -1 for a caseworker not on it),
    or, should the list repeat an id, by looking the ids up."""
    if caseworker_of is None:
        return np.isin(ids, list(set(citizens.loc[is_member, "caseworker_id"])))
    rows = caseworker_of[is_member]
    out = np.zeros(len(ids), bool)
    out[rows[rows >= 0]] = True
    return out


def _other_arm(where: str) -> str:
    """The other arm's count of a registered count's ``where`` (FIT and control exchanged)."""
    return re.sub(r"(?<![A-Za-z])(FIT|control)(?![A-Za-z])", lambda m: "control" if m.group(1) == "FIT" else "FIT",
                  where)


def control_report_set(tables: str | Path, randomisation: pd.DataFrame, citizens: pd.DataFrame,
                       long: pd.DataFrame | None, outcomes: list[str], threshold: int,
                       age_breaks: list[int]) -> tuple[dict, set[At]]:
    """Secondary suppression and the audit of every registered count of the report set's draft tables.

    Returns the record ``provenance.json`` publishes (for each universe the numbers of cells and facts, of
    the cells published as a range or below the threshold, of the numbers suppressed further, and the cells a
    reader can still narrow down, ``exposed``: where, as shown, and how many values are left of those the text
    allows, never the values themselves) and the places to suppress (:func:`fittrial.publish.ledger.protect`)."""
    tables = Path(tables)
    out: dict = {"method": "the reader's programme over all published counts (scipy milp, HiGHS; linear "
                           "relaxation, bounds rounded to whole numbers); secondary suppression of the fewest "
                           "further numbers until no count is exposed",
                 "threshold": threshold}
    places: set[At] = set()
    for universe, ledger in (("citizens", citizen_ledger(tables, citizens, long, outcomes, threshold, age_breaks)),
                             ("caseworkers", caseworker_ledger(tables, randomisation, citizens, long, outcomes))):
        more, findings = protect_symmetric(ledger, threshold, _other_arm)
        places |= more
        out[universe] = {"cells": len(ledger.cells), "facts": len(ledger.facts), "audited": len(findings),
                         "suppressed_further": len(more),
                         "exposed": [{"where": f.where, "shown": f.shown,
                                      "values_allowed": f.shown_interval[1] - f.shown_interval[0] + 1,
                                      "values_left": f.feasible[1] - f.feasible[0] + 1}
                                     for f in findings if f.exposed]}
    return out, places


def suppressed_text(cell: str, part: str) -> str:
    """A published cell with the number at ``part`` suppressed (see :class:`fittrial.publish.ledger.At`)."""
    if part == "":
        return "suppressed"
    if part == "blank":
        return ""
    if part == "%":
        return PERCENT.sub("", cell).strip()
    pieces = []
    for piece in cell.split("; "):
        key, sep, _ = piece.rpartition(": ")
        pieces.append(f"{key}: suppressed" if sep and key == part else piece)
    return "; ".join(pieces)


def apply_suppression(name: str, frame: pd.DataFrame, places: set[At]) -> pd.DataFrame:
    """Table ``name`` (read as text) with the numbers at ``places`` suppressed. A baseline count suppressed
    takes its row's standardised difference with it (with the arms' numbers it would give the count back)."""
    out = frame.copy()
    for at in sorted(p for p in places if p.table == name):
        out.at[at.row, at.column] = suppressed_text(str(out.at[at.row, at.column]), at.part)
        if name == "baseline" and at.part == "" and "std_difference" in out:
            out.at[at.row, "std_difference"] = ""
    return out


def public_audit(record: dict) -> dict:
    """The audit record as ``provenance.json`` publishes it: the numbers of cells, facts, audited and exposed
    cells per universe, not where the exposed ones are (that list is in the run's derived files and log, which
    are not published: it would point a reader at them)."""
    out = {k: v for k, v in record.items() if not isinstance(v, dict)}
    for universe, part in record.items():
        if isinstance(part, dict):
            out[universe] = {**part, "exposed": len(part.get("exposed", []))}
    return out


__all__ = ["citizen_ledger", "caseworker_ledger", "control_report_set", "apply_suppression",
           "suppressed_text", "public_audit"]
