"""The simulator: reproducible, in the contract format, and it simulates what it is told."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
from conftest import ROOT, small_params

from fittrial.design.simulate import SimulationParameters, main, simulate_trial


def test_committed_example_regenerates_identically(tmp_path):
    assert main([str(ROOT / "config" / "example_trial.yaml"), str(tmp_path)]) == 0
    for name in ("randomisation", "citizens", "who5", "fit_sessions"):
        assert filecmp.cmp(tmp_path / f"{name}.csv", ROOT / "data" / "example" / f"{name}.csv", shallow=False), name


def test_example_resembles_the_real_trial():
    rand = pd.read_csv(ROOT / "data" / "example" / "randomisation.csv")
    cit = pd.read_csv(ROOT / "data" / "example" / "citizens.csv")
    assert 60 <= len(rand) <= 70 and rand["stratum"].nunique() == 3
    assert 1100 <= len(cit) <= 1250


def test_different_seeds_differ():
    a = simulate_trial(small_params(1))["who5"]
    b = simulate_trial(small_params(2))["who5"]
    assert not a.equals(b)


def test_randomisation_is_balanced_within_strata():
    rand = simulate_trial(SimulationParameters(seed=5, strata={"A": 10, "B": 7}))["randomisation"]
    counts = rand.groupby(["stratum", "arm"]).size()
    assert counts["A"].tolist() == [5, 5]
    assert sorted(counts["B"].tolist()) == [3, 4]


def test_simulated_effect_and_missingness_are_as_requested():
    params = SimulationParameters(seed=9, strata={"A": 100, "B": 100}, citizens_per_caseworker=20,
                                  effect={6: 10.0, 12: 10.0}, sd_caseworker=0.0, missing_followup=0.4,
                                  missing_item=0.0, out_of_window_share=0.0)
    tables = simulate_trial(params)
    who5 = tables["who5"].merge(tables["citizens"], on="citizen_id").merge(tables["randomisation"], on="caseworker_id")
    days = (pd.to_datetime(who5["answered_on"]) - pd.to_datetime(who5["enrolled_on"])).dt.days
    who5["score"] = 4 * who5[[f"who5_{i}" for i in range(1, 6)]].sum(axis=1)
    late = who5[days > 300]
    diff = late.groupby("arm")["score"].mean()
    assert 8 < diff["FIT"] - diff["control"] < 12
    share_present = (days > 300).sum() / len(tables["citizens"])
    assert 0.55 < share_present < 0.65
    assert tables["fit_sessions"]["citizen_id"].isin(
        tables["citizens"].merge(tables["randomisation"], on="caseworker_id").query("arm == 'FIT'")["citizen_id"]).all()
    assert np.isclose(tables["fit_sessions"][[f"ors_{i}" for i in range(1, 5)]].to_numpy() * 10 % 1, 0).all()
