"""Trial shapes the default simulator does not draw, for end-to-end tests of the workflow.

Each entry of :data:`SHAPES` is a small simulated trial with one unusual
feature (no FIT sessions, one follow-up, four visits, a constant outcome, a
single stratum, empty caseworkers, ...). :func:`write_shape` writes its input
tables and returns the configuration the workflow needs for it (``inputs``,
and ``visits`` when the visit schedule differs from the default). Except
``pilot``, ``unequal_clusters`` and ``large``, every shape has 26 caseworkers
(in three strata, or one for ``one_stratum``) with about 7 citizens each, so a
workflow run is quick.

Command line (writes the tables and ``config.yaml`` into OUTDIR)::

    python -m fittrial.design.shapes SHAPE OUTDIR [--seed N]
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fittrial.design.simulate import CITIZEN_OUTCOMES, SimulationParameters, simulate_trial, write_trial

DEFAULT_SEED = 4242
#: the base of every shape: 26 caseworkers in three strata, about 7 citizens each
BASE_STRATA = {"A": 10, "B": 8, "C": 8}
BASE_CITIZENS_PER_CASEWORKER = 7.0

VISITS_0_12 = [
    {"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
    {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456},
]
VISITS_12 = [{"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}]
VISITS_0_3_6_12 = [
    {"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
    {"visit": 3, "target_day": 91, "earliest_day": 61, "latest_day": 121},
    {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
    {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456},
]

Overrides = Mapping[str, Any]


@dataclass(frozen=True)
class Shape:
    """One trial shape.

    ``parameters``: changes to the base simulation parameters, or a function
    of the seed returning them (for shapes whose parameters are themselves
    drawn). ``visits``: the workflow's ``visits`` config when it differs from
    the default. ``fit_sessions``: False to write no fit_sessions table (the
    config then has ``inputs.fit_sessions: ""``). ``analysis``: changes to the
    config's ``analysis`` section, if the shape needs any. ``expected_error``:
    None if the workflow should complete; otherwise a word its error message
    must contain (the workflow is expected to stop at input validation).
    ``slow``: a large trial, slow to analyse.
    """

    description: str
    parameters: Overrides | Callable[[int], Overrides] = field(default_factory=dict)
    visits: list[dict] | None = None
    fit_sessions: bool = True
    analysis: Overrides = field(default_factory=dict)
    expected_error: str | None = None
    slow: bool = False


def _unequal_sizes(seed: int) -> Overrides:
    """Cluster sizes 1 to 80 (geometrically spaced, in a seeded random order) for the base caseworkers."""
    n_cw = sum(BASE_STRATA.values())
    sizes = np.round(np.geomspace(1, 80, n_cw)).astype(int)
    order = np.random.default_rng([seed, 2]).permutation(n_cw)
    return {"cluster_sizes": [int(k) for k in sizes[order]]}


SHAPES: dict[str, Shape] = {
    "no_fit_sessions": Shape("no fit_sessions table at all", fit_sessions=False),
    "partial_fit_sessions": Shape("FIT sessions for only 40% of the FIT-arm citizens",
                                  {"fit_sessions_share": 0.4}),
    "one_followup": Shape("baseline and one follow-up only (visits 0 and 12)",
                          {"who5_mean": {0: 40.0, 12: 48.0}, "effect": {12: 1.5},
                           "visit_timing": {0: (3, 6), 12: (365, 22)}}, visits=VISITS_0_12),
    "four_visits": Shape("four visits: 0, 3, 6 and 12 months",
                         {"who5_mean": {0: 40.0, 3: 43.0, 6: 46.0, 12: 48.0}, "effect": {3: 0.5, 6: 1.0, 12: 1.5},
                          "visit_timing": {0: (3, 6), 3: (91, 10), 6: (182, 18), 12: (365, 22)}},
                         visits=VISITS_0_3_6_12),
    "post_test_only": Shape("no baseline: one visit at 12 months only (a post-test-only trial)",
                            {"who5_mean": {12: 48.0}, "effect": {12: 1.5}, "visit_timing": {12: (365, 22)}},
                            visits=VISITS_12),
    "no_course_data": Shape("no course ends recorded (ended_on and end_reason empty for every citizen)",
                            {"blank_course": True}),
    "pair_matched": Shape("pair-matched: 12 pairs of caseworkers, one per arm in each pair",
                          {"strata": {f"P{k:02d}": 2 for k in range(1, 13)}, "citizens_per_caseworker": 10.0}),
    "no_dropout_events": Shape("nobody drops out (no end_reason 'dropout')", {"prevalence": {"dropout": 0.0}}),
    "constant_outcome": Shape("eviction_or_risk_12m is 0 for every citizen in both arms",
                              {"prevalence": {"eviction_or_risk_12m": 0.0}}),
    "outcomes_missing": Shape("kept_housing_12m, eviction_or_risk_12m and stable_income_12m empty for everyone",
                              {"blank_outcomes": list(CITIZEN_OUTCOMES)}),
    "no_age_sex": Shape("age and sex columns present but empty for every citizen", {"blank_age_sex": True}),
    "one_stratum": Shape("a single stratum of 26 caseworkers", {"strata": {"A": 26}}),
    "pilot": Shape("a pilot: eight caseworkers in two strata of four, about 4 citizens each",
                   {"strata": {"A": 4, "B": 4}, "citizens_per_caseworker": 4.0}),
    "unequal_clusters": Shape("very unequal clusters: 1 to 80 citizens per caseworker", _unequal_sizes),
    "empty_caseworker": Shape("three caseworkers (two in one arm, one in the other) without citizens",
                              {"empty_caseworkers": 3}),
    "zero_caseworker_variance": Shape("no caseworker variation (caseworker SDs exactly 0)",
                                      {"sd_caseworker": 0.0, "sd_caseworker_logit": 0.0}),
    "no_who5_for_some": Shape("20% of the citizens have no WHO-5 form at all", {"no_who5_share": 0.2}),
    "followup_missing_one_arm": Shape("every follow-up WHO-5 missing in the control arm (baseline present)",
                                      {"followup_missing_arm": "control"}),
    "empty_arm": Shape("no citizens in the control arm (every control caseworker is empty); invalid",
                       {"empty_arm": "control"}, expected_error="arm"),
    "large": Shape("a large trial: 400 caseworkers, about 8,000 citizens",
                   {"strata": {"Bostøtte": 180, "CTI": 100, "Ungementor": 120}, "citizens_per_caseworker": 20.0},
                   slow=True),
}


def shape_parameters(name: str, seed: int = DEFAULT_SEED) -> SimulationParameters:
    """The simulation parameters of shape ``name`` (the base trial with the shape's changes)."""
    shape = _shape(name)
    base = SimulationParameters(seed=seed, strata=dict(BASE_STRATA),
                                citizens_per_caseworker=BASE_CITIZENS_PER_CASEWORKER)
    changes = dict(shape.parameters(seed) if callable(shape.parameters) else shape.parameters)
    for key in ("prevalence", "odds_ratio"):  # partial dictionaries update the base
        if key in changes:
            changes[key] = {**getattr(base, key), **changes[key]}
    return replace(base, **copy.deepcopy(changes))


def simulate_shape(name: str, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The input tables of shape ``name`` (without fit_sessions for shapes that have none)."""
    tables = simulate_trial(shape_parameters(name, seed))
    if not _shape(name).fit_sessions:
        del tables["fit_sessions"]
    return tables


def shape_config(name: str, paths: Mapping[str, Path], relative_to: Path | None = None) -> dict:
    """The config overrides for shape ``name`` whose tables were written to ``paths``.

    ``inputs`` names every table (``fit_sessions: ""`` when there is none);
    paths are made relative to ``relative_to`` when given (the workflow's
    working directory). ``visits`` and ``analysis`` appear only when the shape
    changes them.
    """
    shape = _shape(name)

    def as_config(path: Path) -> str:
        return str(Path(path).resolve().relative_to(Path(relative_to).resolve()) if relative_to else path)

    inputs = {table: as_config(paths[table]) if table in paths else ""
              for table in ("randomisation", "citizens", "who5", "fit_sessions")}
    config: dict[str, Any] = {"inputs": inputs}
    if shape.visits is not None:
        config["visits"] = copy.deepcopy(shape.visits)
    if shape.analysis:
        config["analysis"] = copy.deepcopy(dict(shape.analysis))
    return config


def write_shape(name: str, outdir: Path, seed: int = DEFAULT_SEED,
                relative_to: Path | None = None) -> tuple[dict[str, Path], dict]:
    """Simulate shape ``name`` and write its tables as CSV in ``outdir``.

    Returns the written paths (table name -> path) and the config overrides
    the workflow needs for the shape (see :func:`shape_config`).
    """
    paths = write_trial(simulate_shape(name, seed), outdir)
    return paths, shape_config(name, paths, relative_to)


def _shape(name: str) -> Shape:
    try:
        return SHAPES[name]
    except KeyError:
        raise KeyError(f"unknown trial shape {name!r}; the shapes are: {', '.join(SHAPES)}") from None


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m fittrial.design.shapes SHAPE OUTDIR [--seed N]``; also writes OUTDIR/config.yaml."""
    parser = argparse.ArgumentParser(description="Write a simulated trial of an unusual shape.")
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths, config = write_shape(args.shape, args.outdir, args.seed)
    (args.outdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")
    for table, path in paths.items():
        print(f"{table}: {path}")
    print(f"config: {args.outdir / 'config.yaml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["Shape", "SHAPES", "DEFAULT_SEED", "shape_parameters", "simulate_shape", "shape_config", "write_shape"]
