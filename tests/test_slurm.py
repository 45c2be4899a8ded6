"""The simulation studies on SLURM through Snakemake's own executor plugin (profiles/slurm), not a home-made
runner. Needs a running SLURM cluster: `bash tools/slurm-local.sh` (as root) starts a single-node one on this machine.
Run with `pytest -m slurm` (left out of the default run: it takes minutes, mostly the plugin's status polling)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import ROOT, small_params
from test_workflow import FAST, SNAKEMAKE, run_workflow  # noqa: F401

from fittrial.design.simulate import simulate_trial, write_trial


def _cluster_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return out.returncode == 0 and bool(re.search(r"idle|mixed|allocated", out.stdout))


pytestmark = [pytest.mark.slurm, pytest.mark.skipif(not _cluster_up(), reason="no SLURM cluster (tools/slurm-local.sh)")]


def test_design_study_through_sbatch_equals_the_local_run(tmp_path):
    """The design cells run as SLURM jobs (sbatch job ids in the logs), the report locally (localrules), and the
    tables are byte-identical to a local run of the same study."""
    local, remote = tmp_path / "local", tmp_path / "slurm"
    local.mkdir()
    paths = write_trial(simulate_trial(small_params(4)), local / "in")
    grid = {"caseworkers_per_arm": [6, 10], "citizens_per_caseworker": [8], "effects": [5], "trials": 6}
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST,
              "design": {"simulation": grid, "effects": [10],
                         "binary": {"simulation": {"caseworkers_per_arm": [8], "citizens_per_caseworker": [10],
                                                   "odds_ratios": [0.5, 0.67], "trials": 6}}}}
    assert run_workflow(local, config, "--until", "design_parameters").returncode == 0  # the trial's analysis, locally
    shutil.copytree(local, remote, symlinks=True)
    proc = run_workflow(local, config, "design")
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = subprocess.run([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml",
                           "--profile", str(ROOT / "profiles" / "slurm"), "--slurm-init-seconds-before-status-checks",
                           "2", "design"], cwd=remote, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ids = re.findall(r"submitted with SLURM jobid (\d+)", proc.stderr + proc.stdout)
    assert len(ids) == 4, "the design cells (2 WHO-5, 2 dropout) and nothing else went through sbatch"
    for name in ("power.csv", "sample_size.csv", "parameters.csv", "binary_power.csv", "binary_sample_size.csv",
                 "binary_parameters.csv"):
        assert (local / "reports" / "design" / name).read_bytes() == (remote / "reports" / "design" / name).read_bytes()
    assert len(pd.read_csv(remote / "reports" / "design" / "power.csv")) == 2
    assert len(pd.read_csv(remote / "reports" / "design" / "binary_power.csv")) == 2


def test_validation_study_through_sbatch_equals_a_local_run_in_one_chunk(tmp_path):
    """Two SLURM jobs (chunks) of a small validation study give the same operating characteristics, to the byte,
    as one local chunk: the seeds are per trial, not per chunk."""
    tables = {}
    for name, chunks, extra in (("local", 1, ["--cores", "2"]),
                                ("slurm", 2, ["--profile", str(ROOT / "profiles" / "slurm"),
                                              "--slurm-init-seconds-before-status-checks", "2"])):
        work = tmp_path / name
        work.mkdir()
        (work / "unused.csv").write_text("x\n", encoding="utf-8")
        config = {"inputs": {"randomisation": "unused.csv", "citizens": "unused.csv", "who5": "unused.csv"},
                  "validation": {"trials": 4, "chunks": chunks, "seed": 5, "run": ["no_effect"],
                                 "parameters": str(ROOT / "config" / "example_trial.yaml"),
                                 "scenarios": {"no_effect": {"strata": {"A": 6, "B": 6}, "effect": {6: 0.0, 12: 0.0},
                                                             "odds_ratio": {"dropout": 1.0}}}}}
        (work / "my-trial.yaml").write_text(__import__("yaml").safe_dump(config), encoding="utf-8")
        proc = subprocess.run([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml", *extra,
                               "validate"], cwd=work, capture_output=True, text=True, timeout=1200)
        assert proc.returncode == 0, proc.stderr[-3000:]
        if name == "slurm":
            # the two chunks; the summary (operating_characteristics) runs locally
            assert len(re.findall(r"submitted with SLURM jobid \d+", proc.stderr + proc.stdout)) == 2
        tables[name] = (work / "reports" / "validation" / "operating_characteristics.csv").read_bytes()
    assert tables["local"] == tables["slurm"]
