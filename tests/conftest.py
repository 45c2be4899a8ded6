"""Shared fixtures: paths into the repository and small simulated trials."""

from __future__ import annotations

from pathlib import Path

import pytest

from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.inputs.validation import load_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "workflow" / "schemas"
VISITS = [
    {"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
    {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
    {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456},
]


@pytest.fixture(scope="session")
def schemas() -> dict:
    return {n: load_schema(SCHEMA_DIR / f"{n}.schema.yaml") for n in ("randomisation", "citizens", "who5",
                                                                       "fit_sessions")}


def small_params(seed: int = 3) -> SimulationParameters:
    """A small trial (24 caseworkers in 2 strata, ~8 citizens each): fast to validate and fit."""
    return SimulationParameters(seed=seed, strata={"A": 12, "B": 12}, citizens_per_caseworker=8)


@pytest.fixture()
def small_trial(tmp_path: Path) -> dict[str, Path]:
    """A small simulated trial written as CSV files; returns table name -> path."""
    return write_trial(simulate_trial(small_params()), tmp_path / "trial")


# the published tables' columns whose English texts the report shows (translated into the report's language)
SHOWN_TEXTS = {"effects": ("method", "not_estimated"), "icc": ("scale", "method", "not_estimated"),
               "recruitment": ("method", "not_estimated", "note"), "yardsticks": ("method", "not_estimated"),
               "claims": ("not_estimated",), "data_quality": ("check",),
               "baseline": ("level", "characteristic", "FIT", "control", "A", "B"),
               "fit_practice": ("measure", "value"), "missingness_predictors": ("predictor", "method"),
               "variance_components": ("component", "not_estimated"), "participants": ("measure",)}


def untranslated_texts(reports: Path) -> list[str]:
    """Every text of the published tables the report shows that the message catalogue cannot read back (the Danish
    report would show it in English), with the table and column; empty when every text translates."""
    import pandas as pd

    from fittrial.language.messages import untranslated

    found = []
    for table, columns in SHOWN_TEXTS.items():
        path = reports / "tables" / f"{table}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in columns:
            for value in sorted(set(frame.get(column, pd.Series(dtype=str)))):
                for piece in untranslated(value):
                    found.append(f"{table}.{column}: {piece!r} (in {value[:80]!r})")
    return found
