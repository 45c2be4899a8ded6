"""Benchmark: every speed and memory target of the project, measured figure beside its target and reference.

Run from the repository root after `bash tools/setup-env.sh`:

    .venv/bin/python tools/benchmark.py                 # every target (about 10 minutes; R parts need Rscript)
    .venv/bin/python tools/benchmark.py --only workflow,models
    .venv/bin/python tools/benchmark.py --shape large   # the whole workflow on one trial shape, with peak memory

Parts (``--only``, comma-separated):

* ``workflow``: the whole default workflow on the bundled example from a clean directory on 2 cores (target
  15 s); the re-run after changing one analysis option (``analysis.gee_covariance``; target 5 s, only the
  affected jobs); ``snakemake verify`` (target 2 x the workflow).
* ``jobs``: the heaviest steps as functions on the example: the ICC bootstrap (200 refits, all at once) against
  the same replicates refitted one at a time by L-BFGS-B, the binary ICCs, and the multiple imputation (50
  imputations).
* ``imports``: every job of the example workflow re-run from its own script in a fresh Python with
  ``-X importtime``: every import it makes (at start or inside a function) and its time (target: the slowest job
  1 s), and whether a report step pulls in statsmodels or a model step matplotlib.
* ``models``: the primary mixed model (fit + FIT-control contrasts at every visit with Satterthwaite df) at 60,
  600 and 3,000 caseworkers against ``lmerTest::lmer`` + ``contest`` on the same rows and design (the ratio,
  target <= 1), and the Kenward-Roger df against ``pbkrtest`` at the same sizes (it forms matrices per caseworker
  block; at 3,000 caseworkers it needs about 1.3 GB). The primary model is the model with the
  caseworker x visit term. R times are the elapsed time inside R (start-up and reading excluded), median of
  ``--repeats`` (one repeat above 600 caseworkers).
* ``trial``: one simulated trial of the example's size through every analysis of the operating-characteristics
  study, per analysis, and the projected time of the committed study (11 scenarios x 1,000 trials, MI on every
  10th, on 2 cores; target one hour).
* ``memory``: peak resident memory of a fresh process that fits the primary model and the dropout GEE on the
  8,000-citizen shape and on 60,000 citizens (3,000 caseworkers) (target 4 GiB each).
* ``scale``: the whole default workflow on simulated trials of the project's own shape (its three strata in the
  example's proportions, about 20 citizens per caseworker) at 65, 400, 1,000 and 3,000 caseworkers (``--sizes``),
  each in a clean folder on 2 cores: wall time, CPU of all jobs, the largest job's peak memory and every job's
  CPU (recorded by each job itself: ``FITTRIAL_RESOURCES``), with each job's CPU exponent from 1,000 to 3,000
  caseworkers (target: whole workflow 60 s and 1 GiB at 3,000; every exponent 1.1 at most). Then, at the
  smallest size, the re-run after switching ``report.language`` (target 5 s, no model step).
* ``reader``: a 210 MB WHO-5 file of 7 million rows read and typed by the input reader and validation
  (``read_input`` + ``type_table``) in a fresh process: wall time and peak memory (target 2 GiB). About 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("workflow", "jobs", "imports", "models", "trial", "memory", "reader", "scale")
ROWS: list[tuple[str, str, str, str]] = []


def report(target: str, measured: str, reference: str, met: bool | None) -> None:
    """Record (and print at once) one target: what was measured, what it is held against, whether it is met."""
    verdict = "n/a" if met is None else ("met" if met else "MISSED")
    ROWS.append((target, measured, reference, verdict))
    print(f"  {target}: {measured}  [{reference}]  {verdict}", flush=True)


def snakemake_bin() -> str:
    return str(Path(sys.executable).with_name("snakemake"))


def run_snakemake(work: Path, *args: str, quiet: bool = True) -> float:
    """Wall time of one Snakemake run in ``work`` (``quiet=False`` keeps the per-job lines of its log)."""
    start = time.perf_counter()
    proc = subprocess.run([snakemake_bin(), "-s", str(ROOT / "Snakefile"), "--cores", "2", *args,
                           *(["-q"] if quiet else [])], cwd=work,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


EXAMPLE_CONFIG = "--configfile=config/example.yaml"  # the bundled example's own settings


def example_dir(work: Path) -> None:
    shutil.copytree(ROOT / "data" / "example", work / "data" / "example")
    shutil.copytree(ROOT / "config", work / "config")


# --- workflow ----------------------------------------------------------------------------------------------------

def bench_workflow() -> None:
    print("workflow (bundled example, 2 cores)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        example_dir(work)
        whole = run_snakemake(work, EXAMPLE_CONFIG, quiet=False)
        report("whole default workflow, clean directory", f"{whole:.1f} s", "target 15 s", whole <= 15)
        print("    per job (s, from Snakemake's log, 1 s resolution): " + job_profile(work))
        (work / "change.yaml").write_text(yaml.safe_dump({"analysis": {"gee_covariance": "robust"}}))
        dry = subprocess.run([snakemake_bin(), "-s", str(ROOT / "Snakefile"), "-n", "--configfile",
                              "config/example.yaml", "change.yaml"], cwd=work, capture_output=True, text=True)
        jobs = re.findall(r"^rule (\w+):", dry.stdout, flags=re.M)
        rerun = run_snakemake(work, "--configfile", "config/example.yaml", "change.yaml")
        report(f"re-run after one option (gee_covariance; {len(jobs)} jobs: {', '.join(sorted(set(jobs)))})",
               f"{rerun:.1f} s", "target 5 s", rerun <= 5)
        run_snakemake(work, EXAMPLE_CONFIG)  # back to the example's own outputs
        verify = run_snakemake(work, EXAMPLE_CONFIG, "verify")
        report("snakemake verify", f"{verify:.1f} s = {verify / whole:.2f} x the workflow", "target 2 x", verify
               <= 2 * whole)


def job_profile(work: Path) -> str:
    """Wall time of every job of the newest Snakemake run in ``work``, from the timestamps of its log, longest
    first (1 s resolution)."""
    from datetime import datetime

    log = max((work / ".snakemake" / "log").glob("*.snakemake.log"), key=lambda p: p.stat().st_mtime)
    stamp, started, took = None, {}, []
    lines = log.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and line.endswith("]") and len(line) > 20:
            stamp = datetime.strptime(line[1:-1], "%a %b %d %H:%M:%S %Y")
        elif line.startswith(("rule ", "localrule ")) and stamp is not None:
            rule = line.split()[1].rstrip(":")
            job = next((ln.split(":")[1].strip() for ln in lines[i + 1:i + 12] if ln.strip().startswith("jobid:")), None)
            if job is not None:
                started[job] = (rule, stamp)
        elif line.startswith("Finished jobid:") and stamp is not None:
            job = line.split()[2]
            if job in started:
                rule, t0 = started.pop(job)
                took.append(((stamp - t0).total_seconds(), rule))
    took.sort(reverse=True)
    total = sum(t for t, _ in took)
    return f"{len(took)} jobs, {total:.0f} s in all; " + ", ".join(f"{r} {t:.0f}" for t, r in took)


# --- the heaviest jobs as functions ------------------------------------------------------------------------------

def bench_jobs() -> None:
    import pandas as pd

    from fittrial.analyses.icc import bootstrap_responses, icc_binary, icc_who5
    from fittrial.analyses.imputation import multiple_imputation
    from fittrial.inputs.dataset import BINARY_OUTCOMES
    from fittrial.models.effects import fit_primary_lmm

    print("heaviest steps (example analysis data)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        example_dir(work)
        run_snakemake(work, EXAMPLE_CONFIG, "--until", "analysis_data")
        long = pd.read_parquet(work / "data" / "derived" / "analysis" / "who5_long.parquet")
        citizens = pd.read_parquet(work / "data" / "derived" / "analysis" / "citizens.parquet")
    options = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["analysis"]
    result = fit_primary_lmm(long, None, options["lmm_df"])
    n_boot, seed = int(options["icc"]["bootstrap"]), int(options["icc"]["seed"])
    start = time.perf_counter()
    icc_who5(result, n_boot, seed)
    icc_s = time.perf_counter() - start
    # the reference: the same replicates refitted one at a time by L-BFGS-B (NestedREML.fit_lbfgsb, the code before
    # lmm_batch)
    Y, first = bootstrap_responses(result, n_boot, seed)
    start = time.perf_counter()
    for y in Y:
        result.model.with_response(y).fit_lbfgsb(starts=(first, (0.0, first[1], first[2])))
    single_s = time.perf_counter() - start
    report(f"ICC bootstrap ({n_boot} refits of the primary model, all at once)", f"{icc_s:.2f} s",
           f"{single_s:.1f} s refitted one at a time by L-BFGS-B (ratio {icc_s / single_s:.2f}); the icc job took 26 s when "
           "the issue was filed", icc_s < single_s)
    start = time.perf_counter()
    for outcome in BINARY_OUTCOMES:
        icc_binary(citizens, outcome)
    report("binary ICCs (5 GLMMs with profile-likelihood CIs)", f"{time.perf_counter() - start:.2f} s",
           "3.2 s with finite-difference gradients (before this round)", None)
    imp = options["imputation"]
    start = time.perf_counter()
    multiple_imputation(citizens, int(imp["m"]), int(imp["seed"]), None, None)
    mi_s = time.perf_counter() - start
    report(f"multiple imputation ({imp['m']} imputations, pooled primary model)", f"{mi_s:.1f} s",
           "11 s for the job when the issue was filed", None)


# --- imports -----------------------------------------------------------------------------------------------------

REPORT_SCRIPTS = {"report_html", "report_tables", "report_figures", "course_tables", "course_figures", "descriptive_tables",
                  "effects_table", "publish", "check_inputs", "validate_inputs", "analysis_data", "verify", "recruitment",
                  "yardsticks"}
MODEL_SCRIPTS = {"primary_lmm", "secondary_gee", "multiple_imputation", "icc", "sensitivity", "subgroup", "missingness",
                 "time_to_dropout", "randomisation_test", "design_cell", "design_binary_cell",
                 "simulation_chunk"}
HEAVY = ("statsmodels", "linearmodels", "scipy.stats", "scipy.optimize", "matplotlib", "reportlab")


def bench_imports() -> None:
    """Every job of the example workflow run again from the script Snakemake wrote for it (``--skip-script-cleanup``)
    in a fresh Python with ``-X importtime``: what the job imports, where it imports it (at start or inside a
    function), and how long that takes."""
    print("imports of every job of the example workflow (each job's own script, fresh Python)", flush=True)
    base = statistics.median(_time_python("pass") for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        example_dir(work)
        run_snakemake(work, EXAMPLE_CONFIG, "--skip-script-cleanup")
        jobs = []
        for script in sorted((work / ".snakemake" / "scripts").glob("*.py")):
            name = script.name.split(".")[-2]
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-X", "importtime", str(script)], cwd=work, capture_output=True,
                                  text=True)
            wall = time.perf_counter() - start
            total, heavy = 0.0, {}
            for line in proc.stderr.splitlines():
                m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$", line)
                if not m:
                    continue
                if not m.group(3):  # a first-level import: its time includes everything it imports
                    total += int(m.group(2)) / 1e6
                top = next((h for h in HEAVY if m.group(4) == h or m.group(4).startswith(h + ".")), None)
                if top:  # a heavy package, imported at whatever depth
                    heavy[top] = True
            jobs.append((name, wall, total, heavy))
    jobs.sort(key=lambda j: -j[2])
    print("    per job (wall s with -X importtime / of it imports s / heavy packages it imports): " + "; ".join(
        f"{n} {w:.1f}/{t:.1f}" + (f" ({', '.join(hv)})" if hv else "") for n, w, t, hv in jobs))
    slowest = jobs[0]
    report("slowest job start-up (every import the job makes, at start or inside a function)",
           f"{slowest[2]:.2f} s ({slowest[0]}; bare Python {base:.2f} s; all jobs {sum(j[2] for j in jobs):.1f} s)",
           "target 1 s", slowest[2] <= 1.0)
    wrong = [f"{n} imports {h}" for n, _, _, hv in jobs for h in hv
             if (n in REPORT_SCRIPTS and h in ("statsmodels", "linearmodels"))
             or (n in MODEL_SCRIPTS and h == "matplotlib")]
    report("report steps without statsmodels, model steps without matplotlib (what each job really imports)",
           "; ".join(wrong) or "none imports what it does not use", "target: none", not wrong)


def _time_python(code: str, capture: bool = False):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    elapsed = time.perf_counter() - start
    return (elapsed, proc.stdout) if capture else elapsed


# --- models against R --------------------------------------------------------------------------------------------

R_LMM = r"""
suppressPackageStartupMessages({library(lme4); library(lmerTest)})
d <- read.csv("design.csv", check.names = FALSE); L <- as.matrix(read.csv("L.csv", check.names = FALSE)[, -1])
xs <- grep("^x_", names(d), value = TRUE)
dd <- data.frame(who5 = d$who5, cw = factor(d$caseworker_id), cit = factor(d$citizen_id), visit = factor(d$visit))
dd$X <- as.matrix(d[, xs])
reps <- as.integer(commandArgs(TRUE)[1]); kr <- commandArgs(TRUE)[2] == "kr"
one <- function() system.time({
  m <- lmerTest::lmer(who5 ~ 0 + X + (1 | cw) + (1 | cw:visit) + (1 | cw:cit), data = dd, REML = TRUE)
  for (i in seq_len(nrow(L))) lmerTest::contest(m, L[i, , drop = FALSE], ddf = "Satterthwaite", joint = FALSE)
})[["elapsed"]]
one_kr <- function() {
  m <- lmerTest::lmer(who5 ~ 0 + X + (1 | cw) + (1 | cw:visit) + (1 | cw:cit), data = dd, REML = TRUE)
  system.time({V <- pbkrtest::vcovAdj(m); for (i in seq_len(nrow(L))) pbkrtest::Lb_ddf(L[i, ], vcov(m), V)})[["elapsed"]]
}
t <- replicate(reps, if (kr) one_kr() else one())
cat(median(t), "\n")
"""


def bench_models(repeats: int) -> None:
    import numpy as np

    from fittrial.design.operating import simulate_analysis_data
    from fittrial.design.simulate import SimulationParameters
    from fittrial.models.effects import _design, fit_primary_lmm

    print("primary mixed model against lme4 + lmerTest (same rows, same design)", flush=True)
    have_r = shutil.which("Rscript") is not None
    for n_cw in (60, 600, 3000):
        params = SimulationParameters(strata={"A": n_cw // 2, "B": n_cw // 2}, citizens_per_caseworker=20.0)
        _, long = simulate_analysis_data(params, np.random.default_rng(n_cw))
        reps = repeats if n_cw <= 600 else 1
        ours = _median_time(lambda: fit_primary_lmm(long, None, "satterthwaite"), reps)
        kr = _median_time(lambda: fit_primary_lmm(long, None, "kenward_roger"), reps)
        r_sat = r_kr = None
        if have_r:
            with tempfile.TemporaryDirectory() as tmp:
                _write_r_design(long, Path(tmp), _design)
                r_sat = _run_r(Path(tmp), reps, "sat")
                r_kr = _run_r(Path(tmp), reps, "kr")  # pbkrtest runs at every size (1.3 GB at 3,000)
        label = f"{n_cw:,} caseworkers ({len(long):,} rows)"
        if r_sat:
            report(f"primary model, Satterthwaite, {label}", f"{ours:.2f} s vs R {r_sat:.2f} s = ratio "
                   f"{ours / r_sat:.2f}", "target ratio <= 1", ours <= r_sat)
        else:
            report(f"primary model, Satterthwaite, {label}", f"{ours:.2f} s", "R not available", None)
        if r_kr:
            report(f"primary model, Kenward-Roger, {label}", f"{kr:.2f} s (with the fit) vs pbkrtest {r_kr:.2f} s "
                   f"(fit excluded) = ratio {kr / r_kr:.2f}", "target ratio <= 1", kr <= r_kr)
        else:
            report(f"primary model, Kenward-Roger, {label}", f"{kr:.2f} s (with the fit)", "pbkrtest not available",
                   None)


def _median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _write_r_design(long, folder: Path, design) -> None:
    import pandas as pd

    strata = sorted(long["stratum"].unique())
    X, _ = design(long, strata)
    frame = pd.concat([long[["who5", "caseworker_id", "citizen_id", "visit"]].reset_index(drop=True),
                       X.add_prefix("x_").reset_index(drop=True)], axis=1)
    frame.to_csv(folder / "design.csv", index=False)
    rows = []
    for v in sorted(long["visit"].unique()):
        row = {c: 0.0 for c in X.columns}
        row["fit"] = 1.0
        if f"fit:visit[{v}]" in row:
            row[f"fit:visit[{v}]"] = 1.0
        rows.append({"contrast": f"visit{v}", **row})
    pd.DataFrame(rows).to_csv(folder / "L.csv", index=False)


def _run_r(folder: Path, reps: int, kind: str) -> float | None:
    (folder / "bench.R").write_text(R_LMM, encoding="utf-8")
    proc = subprocess.run(["Rscript", "bench.R", str(reps), kind], cwd=folder, capture_output=True, text=True)
    try:
        return float(proc.stdout.split()[0])
    except (IndexError, ValueError):
        print(f"    R failed: {proc.stderr.strip()[-300:]}")
        return None


# --- one simulated trial -----------------------------------------------------------------------------------------

def bench_trial() -> None:
    import numpy as np

    from fittrial.analyses.imputation import multiple_imputation
    from fittrial.analyses.sensitivity import clda, cluster_level, subgroup
    from fittrial.analyses.survival import cox_dropout
    from fittrial.design.operating import naive_ancova, scenario_parameters, simulate_analysis_data
    from fittrial.models.effects import fit_binary_gee, fit_primary_lmm

    print("one simulated trial of the example's size through every analysis of the OC study", flush=True)
    base = yaml.safe_load((ROOT / "config" / "example_trial.yaml").read_text(encoding="utf-8"))
    params, _ = scenario_parameters(base, {"effect": {"all": 0.0}})
    citizens, long = simulate_analysis_data(params, np.random.default_rng(1))
    validation = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["validation"]
    scenarios = validation["scenarios"]
    mi_m = 20
    steps = {
        "primary (KR)": lambda: fit_primary_lmm(long, None, "kenward_roger"),
        "CLDA": lambda: clda(citizens, None, "kenward_roger", (0, 6, 12)),
        "naive ANCOVA": lambda: naive_ancova(citizens, 12),
        "cluster-level": lambda: cluster_level(citizens, None, 12),
        "dropout GEE": lambda: fit_binary_gee(citizens, "dropout"),
        "dropout Cox": lambda: cox_dropout(citizens.assign(event=citizens["event_dropout"]), None, 12, 365),
        "subgroup interaction": lambda: subgroup(long, citizens, "sex", [30, 50], None, "kenward_roger", 12),
        f"multiple imputation (m = {mi_m})": lambda: multiple_imputation(citizens, mi_m, 1, None, np.array([0.0]),
                                                                          12, (0, 6, 12)),
    }
    times = {}
    for name, fn in steps.items():
        fn()  # warm (first-call imports)
        times[name] = _median_time(fn, 3)
    print("    " + "; ".join(f"{k} {v * 1000:.0f} ms" for k, v in times.items()))
    without_mi = sum(v for k, v in times.items() if not k.startswith("multiple"))
    n_scen = len(scenarios)
    with_mi = sum(1 for s in scenarios.values() if s.get("mi_every"))
    trials = int(validation["trials"])
    total = trials * n_scen * without_mi + with_mi * (trials / 10) * times[f"multiple imputation (m = {mi_m})"]
    report("one trial, every analysis but MI", f"{without_mi:.2f} s (MI: {times[f'multiple imputation (m = {mi_m})']:.2f}"
           " s)", "", None)
    report(f"the OC study ({n_scen} scenarios x {trials:,} trials, MI on every 10th trial of {with_mi}), 2 cores",
           f"projected {total / 2 / 60:.0f} min (measured: 37.4 min for the committed study)", "target 60 min",
           total / 2 / 60 <= 60)


# --- memory ------------------------------------------------------------------------------------------------------

MEMORY_CODE = """
import resource, sys, numpy as np
from fittrial.design.operating import simulate_analysis_data
from fittrial.design.simulate import SimulationParameters
from fittrial.models.effects import fit_primary_lmm, fit_binary_gee
n_cw = int(sys.argv[1])
params = SimulationParameters(strata={"A": n_cw // 2, "B": n_cw // 2}, citizens_per_caseworker=20.0)
citizens, long = simulate_analysis_data(params, np.random.default_rng(n_cw))
fit_primary_lmm(long, None, "satterthwaite")
for outcome in [c for c in ("dropout", "completed", "kept_housing_12m") if c in citizens]:
    fit_binary_gee(citizens, outcome)
print(len(citizens), len(long), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory() -> None:
    print("peak memory: primary model (Satterthwaite) and the GEEs in a fresh process", flush=True)
    for n_cw in (400, 3000):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", MEMORY_CODE, str(n_cw)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            report(f"memory at {n_cw} caseworkers", "failed", proc.stderr[-300:], False)
            continue
        n_cit, n_rows, kib = (int(x) for x in proc.stdout.split())
        gib = kib / 1024 ** 2
        report(f"peak memory, {n_cit:,} citizens ({n_cw:,} caseworkers, {n_rows:,} rows)",
               f"{gib:.2f} GiB ({wall:.0f} s with simulation)", "target 4 GiB", gib <= 4)


READER_CODE = """
import resource, sys, time
from fittrial.steps.inputs import read_input
from fittrial.inputs.validation import load_schema, type_table
start = time.perf_counter()
raw = read_input("who5", sys.argv[1])
typed, problems = type_table(raw, load_schema(sys.argv[2]))
print(len(typed), len(problems), time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_reader(rows: int = 7_000_000) -> None:
    import numpy as np

    print(f"input reader and validation on a WHO-5 file of {rows:,} rows", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "who5.csv"
        rng = np.random.default_rng(1)
        with path.open("w", encoding="utf-8") as fh:
            fh.write("citizen_id,answered_on,who5_1,who5_2,who5_3,who5_4,who5_5\n")
            for first in range(0, rows, 500_000):
                n = min(rows, first + 500_000) - first
                ids = (np.arange(first, first + n) // 3)
                dates = (np.datetime64("2015-05-01") + rng.integers(0, 700, n).astype("timedelta64[D]")).astype(str)
                items = rng.integers(0, 6, (n, 5))
                fh.writelines(f"B{c:07d},{d},{a},{b},{e},{f},{g}\n" for c, d, (a, b, e, f, g) in zip(ids, dates, items))
        size = path.stat().st_size / 1e6
        proc = subprocess.run([sys.executable, "-c", READER_CODE, str(path),
                               str(ROOT / "workflow" / "schemas" / "who5.schema.yaml")], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if proc.returncode != 0:
        report("reader on a large WHO-5 file", "failed", proc.stderr[-300:], False)
        return
    n, problems, wall, kib = proc.stdout.split()
    gib = int(kib) / 1024 ** 2
    report(f"read and type a {size:.0f} MB WHO-5 file ({int(n):,} rows, {problems} problems)",
           f"{float(wall):.0f} s, peak {gib:.2f} GiB", "target 2 GiB (8.5 GB and 7.7 min for the whole check when "
           "the issue was filed)", gib <= 2)


def scaled_trial(caseworkers: int, outdir: Path, seed: int = 20261202) -> dict[str, str]:
    """A simulated trial of the project's own shape with about ``caseworkers`` caseworkers (the default strata in
    their proportions) written as CSV; the input paths."""
    from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial

    base = SimulationParameters()
    total = sum(base.strata.values())
    strata = {k: max(2, round(v * caseworkers / total / 2) * 2) for k, v in base.strata.items()}
    params = SimulationParameters(strata=strata, seed=seed)
    return {k: str(v) for k, v in write_trial(simulate_trial(params), outdir).items()}


def bench_scale(sizes: list[int]) -> None:
    import json

    print("scale (whole default workflow, simulated trials of the project's shape, 2 cores)", flush=True)
    per_size: dict[int, dict[str, float]] = {}
    for n_cw in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            paths = scaled_trial(n_cw, work / "in")
            (work / "my.yaml").write_text(yaml.safe_dump({"inputs": {k: str(Path(v).relative_to(work))
                                                                     for k, v in paths.items()}}), encoding="utf-8")
            n_cit = sum(1 for _ in open(paths["citizens"], encoding="utf-8")) - 1
            record = work / "resources.jsonl"
            os.environ["FITTRIAL_RESOURCES"] = str(record)
            try:
                wall = run_snakemake(work, "--configfile", "my.yaml")
            finally:
                del os.environ["FITTRIAL_RESOURCES"]
            jobs = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
            cpu: dict[str, float] = {}
            for job in jobs:
                cpu[job["rule"]] = cpu.get(job["rule"], 0.0) + job["cpu_s"]
            peak = max(jobs, key=lambda j: j["max_rss_mib"])
            per_size[n_cw] = cpu
            heavy = ", ".join(f"{r} {c:.1f}" for r, c in sorted(cpu.items(), key=lambda kv: -kv[1])[:5])
            report(f"whole workflow, {n_cw:,} caseworkers ({n_cit:,} citizens)",
                   f"{wall:.1f} s wall, {sum(cpu.values()):.0f} s CPU, largest job {peak['max_rss_mib']:.0f} MiB "
                   f"({peak['rule']}); heaviest (CPU s): {heavy}",
                   "target 60 s and 1 GiB at 3,000 caseworkers" if n_cw >= 3000 else "",
                   (wall <= 60 and peak["max_rss_mib"] <= 1024) if n_cw >= 3000 else None)
            if n_cw == min(sizes):
                (work / "da.yaml").write_text(yaml.safe_dump({"report": {"language": "da"}}), encoding="utf-8")
                dry = subprocess.run([snakemake_bin(), "-s", str(ROOT / "Snakefile"), "-n", "--configfile",
                                      "my.yaml", "da.yaml"], cwd=work, capture_output=True, text=True)
                rules = sorted(set(re.findall(r"^(?:local)?rule (\w+):", dry.stdout, flags=re.M)))
                switch = run_snakemake(work, "--configfile", "my.yaml", "da.yaml")
                report(f"switching report.language after a full run ({n_cw} caseworkers; re-runs "
                       f"{', '.join(rules)})", f"{switch:.1f} s", "target 5 s", switch <= 5)
    low, high = sorted(per_size)[-2:] if len(per_size) >= 2 else (None, None)
    if low is not None and high is not None and high > low:
        import math

        print(f"    CPU exponent per job from {low:,} to {high:,} caseworkers:")
        worst = 0.0
        for rule in sorted(per_size[high], key=lambda r: -per_size[high][r]):
            a, b = per_size[low].get(rule), per_size[high][rule]
            if a:
                k = math.log(b / a) / math.log(high / low)
                worst = max(worst, k) if b >= 2 else worst  # sub-2-second jobs are start-up, not kernels
                print(f"      {rule}: {a:.1f} -> {b:.1f} s, exponent {k:.2f}")
        report(f"largest CPU exponent of a job taking 2 s or more ({low:,} -> {high:,} caseworkers)",
               f"{worst:.2f}", "target 1.1", worst <= 1.1)


def shape_benchmark(name: str) -> None:
    """Wall time and peak memory of the whole workflow on one trial shape (default config)."""
    import resource

    import pandas as pd

    from fittrial.design.shapes import write_shape

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths, overrides = write_shape(name, work / "in", relative_to=work)
        (work / "my.yaml").write_text(yaml.safe_dump(overrides), encoding="utf-8")
        citizens = pd.read_csv(paths["citizens"])
        wall = run_snakemake(work, "--configfile", "my.yaml")
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"whole workflow on shape {name} ({len(citizens)} citizens, "
              f"{citizens['caseworker_id'].nunique()} caseworkers with citizens), default config, 2 cores: "
              f"{wall:.1f} s; peak memory of the largest job {peak_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each model timing (median)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts to run, of {', '.join(PARTS)}")
    parser.add_argument("--shape", help="benchmark the whole workflow on this trial shape instead")
    parser.add_argument("--sizes", default="65,400,1000,3000", help="caseworkers of the scale part's trials")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.shape:
        shape_benchmark(args.shape)
        return
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"--only: unknown part(s) {', '.join(unknown)}; expected some of {', '.join(PARTS)}")
    runs = {"workflow": bench_workflow, "jobs": bench_jobs, "imports": bench_imports,
            "models": lambda: bench_models(args.repeats), "trial": bench_trial, "memory": bench_memory,
            "reader": bench_reader,
            "scale": lambda: bench_scale([int(x) for x in args.sizes.split(",")])}
    for part in parts:
        runs[part]()
    print("\n| target | measured | against | |\n|---|---|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
