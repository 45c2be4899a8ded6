"""Benchmark: the whole workflow on the bundled example, the primary fit, the randomisation test, the simulation.

Run from the repository root after `bash tools/setup-env.sh`:

    .venv/bin/python tools/benchmark.py [--repeats 20]

The workflow is run in a fresh temporary directory (so every rule runs); the
primary fit is timed on the example's analysis data set, median of repeats;
the randomisation test with 10,000 re-randomisations; and the simulation of
``--sim-trials`` trials (primary, naive, cluster-level and dropout-GEE
analyses) on one core, from which the time of 1,000 trials on 2 cores is
projected (chunks are independent jobs). If Rscript with lme4 is available,
lme4's fit of the same model on the same rows is timed too.

``--shape NAME`` instead runs the whole workflow, with the default config
(full replicate counts), on one trial shape of :mod:`fittrial.shapes` (e.g.
``large``: 400 caseworkers, about 8,000 citizens) and reports its wall time and
the peak memory (resident set) of the largest single job.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import yaml

from fittrial.models import fit_binary_gee, fit_primary_lmm
from fittrial.operating import run_chunk, scenario_parameters
from fittrial.randomisation import randomisation_test

ROOT = Path(__file__).resolve().parents[1]


def shape_benchmark(name: str) -> None:
    """Wall time and peak memory of the whole workflow on one trial shape (default config)."""
    import resource

    from fittrial.shapes import write_shape

    snakemake = Path(sys.executable).with_name("snakemake")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths, overrides = write_shape(name, work / "in", relative_to=work)
        (work / "my.yaml").write_text(yaml.safe_dump(overrides), encoding="utf-8")
        citizens = pd.read_csv(paths["citizens"])
        start = time.perf_counter()
        subprocess.run([str(snakemake), "-s", str(ROOT / "Snakefile"), "--configfile", "my.yaml", "--cores", "2",
                        "-q"], cwd=work, check=True, capture_output=True)
        wall = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"whole workflow on shape {name} ({len(citizens)} citizens, "
              f"{citizens['caseworker_id'].nunique()} caseworkers with citizens), default config, 2 cores: "
              f"{wall:.1f} s; peak memory of the largest job {peak_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sim-trials", type=int, default=50)
    parser.add_argument("--shape", help="benchmark the whole workflow on this trial shape instead")
    args = parser.parse_args()
    if args.shape:
        shape_benchmark(args.shape)
        return
    snakemake = Path(sys.executable).with_name("snakemake")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "data" / "example", work / "data" / "example")
        shutil.copytree(ROOT / "config", work / "config")
        start = time.perf_counter()
        subprocess.run([str(snakemake), "-s", str(ROOT / "Snakefile"), "--cores", "2", "-q"], cwd=work, check=True,
                       capture_output=True)
        workflow_s = time.perf_counter() - start
        long = pd.read_parquet(work / "data" / "derived" / "analysis" / "who5_long.parquet")
        citizens = pd.read_parquet(work / "data" / "derived" / "analysis" / "citizens.parquet")
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fit_primary_lmm(long)
            times.append(time.perf_counter() - t)
        gee_times = []
        for _ in range(max(3, args.repeats // 4)):
            t = time.perf_counter()
            fit_binary_gee(citizens, "dropout")
            gee_times.append(time.perf_counter() - t)
        print(f"whole workflow on the example ({len(citizens)} citizens, {long['caseworker_id'].nunique()} "
              f"caseworkers), 2 cores: {workflow_s:.1f} s")
        print(f"primary LMM fit alone ({len(long)} rows): median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) over {len(times)} repeats")
        print(f"one GEE (dropout): median {statistics.median(gee_times) * 1000:.0f} ms")
        result = fit_primary_lmm(long)
        cw = long.groupby("caseworker_id").agg(stratum=("stratum", "first"), fit=("fit", "first"))
        t = time.perf_counter()
        test = randomisation_test(result, cw["stratum"], cw["fit"], 10_000, seed=1)
        print(f"randomisation test, 10,000 re-randomisations of the primary model: {time.perf_counter() - t:.2f} s "
              f"(p = {test.p_value:.3f})")
        base = yaml.safe_load((ROOT / "config" / "example_trial.yaml").read_text(encoding="utf-8"))
        params, _ = scenario_parameters(base, {"effect": {6: 0.0, 12: 0.0}})
        t = time.perf_counter()
        run_chunk(params, args.sim_trials, 1, "null")
        per_trial = (time.perf_counter() - t) / args.sim_trials
        print(f"simulation: {per_trial * 1000:.0f} ms per trial (4 analyses, 1 core); 1,000 trials on 2 cores "
              f"~{per_trial * 1000 / 2 / 60:.1f} min, 2 scenarios x 1,000 ~{per_trial * 2000 / 2 / 60:.1f} min")
        if shutil.which("Rscript"):
            long.to_csv(work / "long.csv", index=False)
            script = (
                "suppressPackageStartupMessages(library(lme4)); d <- read.csv('long.csv'); d$visit <- factor(d$visit);"
                "f <- who5 ~ fit*visit + baseline_who5 + baseline_missing + stratum + (1|caseworker_id) + "
                "(1|caseworker_id:citizen_id);"
                f"t <- replicate({args.repeats}, system.time(lmer(f, d, REML=TRUE))[['elapsed']]);"
                "cat(sprintf('lme4 lmer on the same rows: median %.0f ms\\n', 1000*median(t)))"
            )
            out = subprocess.run(["Rscript", "-e", script], cwd=work, capture_output=True, text=True)
            print(out.stdout.strip() or f"lme4 timing failed: {out.stderr.strip()[-300:]}")


if __name__ == "__main__":
    main()
