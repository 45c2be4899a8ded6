"""End to end over trial shapes the default simulator does not draw (fittrial.design.shapes).

For each shape the whole Snakemake workflow runs in a fresh temporary
directory (as in test_workflow.py). It must finish with the full report, an
effects table with every analysis (each row either estimated or saying why
not), and estimates equal to a direct call of the package. ``empty_arm`` is
an invalid trial: the workflow must stop at input validation with a readable
message.

The default test run (and CI) runs the shapes in ``DEFAULT_SHAPES``; every
shape runs with ``pytest -m shapes`` (the others are marked ``shapes_full``);
``large`` (400 caseworkers) is also marked ``slow_shape``.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import os
import re
import signal
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, untranslated_texts
from test_workflow import FAST, SNAKEMAKE

from fittrial.design.shapes import SHAPES, write_shape
from fittrial.models.effects import fit_binary_gee, fit_primary_lmm

pytestmark = [pytest.mark.shapes, pytest.mark.slow]

BINARY_OUTCOMES = ["dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"]
ANALYSES = ["itt", "clda", "cluster_level", "cluster_level_weighted", "ancova_cr2", "randomisation_test",
            "multiple_imputation", "per_protocol", "cace", "time_to_dropout", "time_to_dropout_fine_gray"]
COMPARED = ["estimate", "se", "df", "ci_low", "ci_high", "p_value"]
TIMEOUT = {"large": 3600}  # seconds per workflow run; the others 600


# run by default (and so in CI); `pytest -m shapes` runs every shape, `-m slow_shape` the large one
# one_followup runs in the full matrix only: its model (no citizen intercept) is checked against lme4 in
# tests/test_identified_reference.py, and CI must stay within 15 minutes
DEFAULT_SHAPES = ("pilot", "followup_missing_one_arm", "no_fit_sessions", "empty_arm", "post_test_only",
                  "no_course_data", "pair_matched")


def _param(name: str):
    marks = [pytest.mark.slow_shape] if SHAPES[name].slow else []
    if name not in DEFAULT_SHAPES:
        marks.append(pytest.mark.shapes_full)
    return pytest.param(name, marks=marks, id=name)


COMPLETING = [_param(n) for n, s in SHAPES.items() if s.expected_error is None]
STOPPING = [_param(n) for n, s in SHAPES.items() if s.expected_error is not None]


def merged_config(overrides: dict) -> dict:
    """The config the workflow runs with: config/config.yaml updated by ``overrides`` (one level deep)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return config


def failure(work: Path, stderr: str) -> str:
    """The first failing rule and the last lines of its log (or of stderr), for an assertion message."""
    timeout = re.search(r"TIMEOUT: .*", stderr)
    if timeout:
        return timeout.group(0)
    m = re.search(r"Error in rule (\w+):(.*?)(?:\n\s*\n|$)", stderr, re.S)
    if not m:
        return stderr[-3000:]
    log = re.search(r"log: (\S+)", m.group(2))
    path = work / log.group(1) if log else None
    text = path.read_text(encoding="utf-8", errors="replace") if path and path.is_file() else stderr
    tail = [line for line in text.splitlines() if line.strip()][-8:] or ["(empty log)"]
    where = f" ({log.group(1)})" if log else ""
    return f"first failing rule: {m.group(1)}{where}: {tail[-1].strip()}\n" + "\n".join(tail)


def run_shape_workflow(work: Path, config: dict, timeout: int) -> subprocess.CompletedProcess:
    """As test_workflow.run_workflow, with a time limit of its own; on time-out the jobs are stopped too."""
    (work / "my-trial.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    args = [SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml", "--cores", "2"]
    with subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"}, start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # snakemake and the rule scripts it started
            stdout, stderr = proc.communicate()
            started = {job: rule for rule, job in re.findall(r"rule (\w+):\n(?:    .*\n)*?    jobid: (\d+)", stderr)}
            finished = set(re.findall(r"Finished jobid: (\d+)", stderr))
            running = sorted({rule for job, rule in started.items() if job not in finished})
            stderr += f"\nTIMEOUT: the workflow was stopped after {timeout} s; still running: {', '.join(running)}\n"
            return subprocess.CompletedProcess(args, -signal.SIGKILL, stdout, stderr)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def shape_run(request, tmp_path_factory):
    """The workflow run on one shape: (shape name, working directory, merged config, completed process)."""
    name = request.param
    work = tmp_path_factory.mktemp("shape")  # not the shape's name: it must not leak into messages
    _, overrides = write_shape(name, work / "in", relative_to=work)
    overrides = copy.deepcopy(overrides)
    overrides["analysis"] = {**FAST, **overrides.get("analysis", {})}
    proc = run_shape_workflow(work, overrides, TIMEOUT.get(name, 600))
    return name, work, merged_config(overrides), proc


def completed(shape_run) -> tuple[str, Path, dict]:
    name, work, config, proc = shape_run
    if proc.returncode != 0:
        pytest.fail(f"{name}: the workflow failed; {failure(work, proc.stderr)}", pytrace=False)
    return name, work, config


def effects(work: Path) -> pd.DataFrame:
    table = pd.read_csv(work / "reports" / "tables" / "effects.csv")
    if "not_estimated" not in table:
        table["not_estimated"] = ""
    return table


def follow_up_visits(config: dict) -> list[int]:
    return sorted(int(v["visit"]) for v in config["visits"] if int(v["visit"]) != 0)


def primary_visit(config: dict) -> int:
    """The primary time point: ``analysis.primary_visit`` if the config has one, else the last visit."""
    return int(config["analysis"].get("primary_visit") or max(follow_up_visits(config)))


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_workflow_completes_with_the_full_report(shape_run):
    _, work, _ = completed(shape_run)
    for rel in ("reports/report.html", "reports/report.pdf", "reports/tables/effects.csv"):
        assert (work / rel).exists(), rel


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_every_text_of_the_tables_is_in_the_message_catalogue(shape_run):
    """Every label, reason and method the tables hold reads back to entries of the message catalogue, so the Danish
    report shows all of it in Danish (issue 21): nothing is rewritten word by word, and nothing is left in English."""
    _, work, _ = completed(shape_run)
    assert untranslated_texts(work / "reports") == []


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_effects_table_is_complete(shape_run):
    name, work, config = completed(shape_run)
    table = effects(work)
    itt = table[table["analysis"] == "itt"]
    follow_ups = follow_up_visits(config)
    who5 = itt[itt["outcome"] == "who5"]
    assert sorted(who5["timepoint_months"].astype(int)) == follow_ups, "itt who5 rows"
    absent = [o for o in BINARY_OUTCOMES if not (itt["outcome"] == o).any()]
    assert not absent, f"no itt rows for: {absent}"
    present = set(table["analysis"])
    missing = [a for a in ANALYSES if a not in present]
    assert not missing, f"analyses missing from effects.csv: {missing}"
    no_rows = [v for v in config["analysis"]["subgroups"]  # subgroup:<v>=<level>, or subgroup:<v> if not estimated
               if not table["analysis"].str.fullmatch(rf"subgroup:{re.escape(v)}(=.*)?").any()]
    assert not no_rows, f"no subgroup rows for: {no_rows}"
    finite = np.isfinite(pd.to_numeric(table["estimate"], errors="coerce"))
    reason = table["not_estimated"].astype(object).fillna("").astype(str).str.strip() != ""
    bad = table.loc[~finite & ~reason, ["analysis", "outcome", "timepoint_months", "scale"]]
    assert bad.empty, f"rows with neither an estimate nor a reason:\n{bad.to_string(index=False)}"


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_primary_estimate_equals_a_direct_fit(shape_run):
    """As pipeline.primary_step: fit_primary_lmm(who5_long, sorted strata of the clean randomisation, lmm_df,
    follow-up visits of the schedule)."""
    name, work, config = completed(shape_run)
    visit = primary_visit(config)
    row = effects(work).query("analysis == 'itt' and outcome == 'who5' and timepoint_months == @visit")
    assert len(row) == 1
    row = row.iloc[0]
    if not math.isfinite(row["estimate"]):
        pytest.skip(f"{name}: the primary estimate is not estimated ({row['not_estimated']})")
    long = pd.read_parquet(work / "data" / "derived" / "analysis" / "who5_long.parquet")
    rand = pd.read_parquet(work / "data" / "derived" / "clean" / "randomisation.parquet")
    extra = {"visits": follow_up_visits(config)} if "visits" in inspect.signature(fit_primary_lmm).parameters else {}
    result = fit_primary_lmm(long, sorted(rand["stratum"].unique()), config["analysis"]["lmm_df"], **extra)
    direct = [c for c in result.contrasts if c.timepoint_months == visit and c.outcome == "who5"]
    assert len(direct) == 1
    for col in COMPARED:
        assert np.isclose(row[col], getattr(direct[0], col), rtol=1e-8, atol=1e-8), (col, row[col],
                                                                                      getattr(direct[0], col))


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_dropout_estimates_equal_a_direct_fit(shape_run):
    """As pipeline.secondary_step: fit_binary_gee(analysis citizens, 'dropout', gee_covariance, sorted strata)."""
    name, work, config = completed(shape_run)
    rows = effects(work).query("analysis == 'itt' and outcome == 'dropout'").set_index("scale")
    if not np.isfinite(rows["estimate"]).any():
        pytest.skip(f"{name}: the dropout effect is not estimated")
    citizens = pd.read_parquet(work / "data" / "derived" / "analysis" / "citizens.parquet")
    rand = pd.read_parquet(work / "data" / "derived" / "clean" / "randomisation.parquet")
    result = fit_binary_gee(citizens, "dropout", config["analysis"]["gee_covariance"],
                            sorted(rand["stratum"].unique()))
    direct = {c.scale: c for c in result.contrasts}
    for scale, row in rows.iterrows():
        if not math.isfinite(row["estimate"]):
            continue
        for col in COMPARED:
            assert np.isclose(row[col], getattr(direct[scale], col), rtol=1e-8, atol=1e-8), (
                scale, col, row[col], getattr(direct[scale], col))


@pytest.mark.parametrize("shape_run", STOPPING, indirect=True)
def test_invalid_shape_stops_at_validation_with_a_readable_message(shape_run):
    name, work, _, proc = shape_run
    assert proc.returncode != 0, "the workflow should have refused the trial"
    assert re.search(rf"\b{SHAPES[name].expected_error}\b", proc.stderr, re.I), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert not (work / "reports" / "report.html").exists()


def report_text(work: Path) -> str:
    """The HTML report's text (tags removed, spaces collapsed)."""
    import html as htmllib

    html = (work / "reports" / "report.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("shape_run", [_param("post_test_only")], indirect=True)
def test_a_post_test_only_trial_is_analysed_without_baseline_and_says_so(shape_run):
    """One visit and no baseline (issue 20): accepted, analysed without baseline adjustment, and no text claims an
    adjustment or a baseline that is not there."""
    _, work, _ = completed(shape_run)
    table = effects(work)
    itt = table.query("analysis == 'itt' and outcome == 'who5'").iloc[0]
    assert np.isfinite(itt["estimate"]) and "baseline" not in itt["method"] and "adjusted for stratum" in itt["method"]
    clda = table.query("analysis == 'clda'").iloc[0]
    assert "no baseline" in clda["not_estimated"]
    assert "baseline" not in table.query("analysis == 'ancova_cr2'").iloc[0]["method"]
    baseline = pd.read_csv(work / "reports" / "tables" / "baseline.csv")
    assert not baseline["characteristic"].str.contains("Baseline WHO-5").any()
    flow = pd.read_csv(work / "reports" / "tables" / "flow.csv")
    assert "who5_m0" not in set(flow["stage"])


@pytest.mark.parametrize("shape_run", [_param("no_course_data")], indirect=True)
def test_a_trial_without_course_data_reports_course_outcomes_as_not_recorded(shape_run):
    """No ended_on or end_reason at all (issue 20): dropout and completion are "not recorded" (never 0 for every
    citizen), time to dropout says why, and the flow diagram does not put missing forms down to the course."""
    _, work, _ = completed(shape_run)
    table = effects(work)
    for outcome in ("dropout", "completed"):
        rows = table.query("analysis == 'itt' and outcome == @outcome")
        assert rows["estimate"].isna().all() and rows["not_estimated"].str.contains("not recorded").all()
    hr = table.query("analysis == 'time_to_dropout'").iloc[0]
    assert "not recorded for any citizen" in hr["not_estimated"]
    flow = pd.read_csv(work / "reports" / "tables" / "flow.csv", dtype=str, keep_default_na=False)
    reasons = " ".join(flow["FIT_reasons"]) + " " + " ".join(flow["control_reasons"])
    assert "in_course" not in reasons and "no_form" in reasons
    quality = pd.read_csv(work / "reports" / "tables" / "data_quality.csv")
    assert quality["check"].str.contains("no course end recorded").any()
    assert "in the course, not answered" not in report_text(work)


@pytest.mark.parametrize("shape_run", [_param("pair_matched")], indirect=True)
def test_a_pair_matched_trial_is_recognised_and_described(shape_run):
    """Strata of one caseworker per arm (issue 20): recognised as matched pairs; the subtitle, CONSORT item 8 and
    the methods say so; effects within pairs are not attempted; the df are Kenward-Roger's (as pbkrtest)."""
    _, work, _ = completed(shape_run)
    table = effects(work)
    itt = table.query("analysis == 'itt' and outcome == 'who5'")
    assert (itt["df"] > 0).all() and itt["method"].str.contains("Kenward-Roger adjusted SE and df (as pbkrtest)",
                                                                regex=False).all() and itt["method"].str.endswith(
        "; the strata are the matched pairs (fixed effects)").all()
    sub = table[table["analysis"].str.startswith("subgroup:stratum")]
    assert list(sub["analysis"]) == ["subgroup:stratum"] and "matched pairs" in sub["not_estimated"].iloc[0]
    text = report_text(work)
    assert "Pair-matched cluster-randomised trial" in text
    assert "24 caseworkers randomised in 12 matched pairs" in text
    baseline = pd.read_csv(work / "reports" / "tables" / "baseline.csv")
    assert "Matched pairs, n" in set(baseline["characteristic"])
    assert not baseline["characteristic"].str.contains("stratum", case=False).any()
    flow = pd.read_csv(work / "reports" / "tables" / "flow.csv", dtype=str, keep_default_na=False)
    assert flow.loc[flow["stage"] == "randomised", "FIT_reasons"].iloc[0] == "matched pairs: 12"


@pytest.mark.parametrize("shape_run", [_param("no_fit_sessions")], indirect=True)
def test_without_ors_srs_data_fit_in_practice_says_so_instead_of_zeros(shape_run):
    """No fit_sessions: the FIT-in-practice section is one sentence, not a table of zeros and empty figures."""
    from fittrial.language.messages import text

    _, work, _ = completed(shape_run)
    html = (work / "reports" / "report.html").read_text(encoding="utf-8")
    section = html.split('id="practice"', 1)[1].split("<h2", 1)[0]
    assert text("practice_none").split(" (")[0] in section
    assert "<table" not in section and "<img" not in section


@pytest.mark.parametrize("shape_run", COMPLETING, indirect=True)
def test_no_small_count_can_be_worked_back_from_all_published_tables(shape_run):
    """The attacks of issue 22 on every shape (the pilot has 8 caseworkers): the published tables, audited from
    scratch by the reader's exact integer programme (not the workflow's own audit), leave every count shown as
    <5 or as a range open over all the values its text allows; the workflow's record says the same; a baseline
    row with a hidden count publishes no standardised difference (which with the arms' numbers gives it back)."""
    from fittrial.publish.audit import caseworker_ledger, citizen_ledger
    from fittrial.publish.ledger import audit

    name, work, config = completed(shape_run)
    tables = work / "reports" / "tables"
    citizens = pd.read_parquet(work / "data/derived/analysis/citizens.parquet")
    long = pd.read_parquet(work / "data/derived/analysis/who5_long.parquet")
    randomisation = pd.read_parquet(work / "data/derived/clean/randomisation.parquet")
    outcomes = [o for o in ("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m",
                            "stable_income_12m") if o in citizens]
    threshold = config["report"]["suppress_below"]
    for ledger in (citizen_ledger(tables, citizens, long, outcomes, threshold, config["analysis"]["age_breaks"]),
                   caseworker_ledger(tables, randomisation, citizens, long, outcomes)):
        # the exact integer programme takes minutes on the large shape's ledger (8,000 citizens): there the
        # workflow's own audit (the linear relaxation) is checked by its record below
        exact = len(citizens) <= 2000
        exposed = [(f.where, f.shown, f.feasible) for f in audit(ledger, threshold, exact=exact) if f.exposed]
        assert exposed == [], f"{name}: {exposed}"
    record = json.loads((work / "reports" / "provenance.json").read_text(encoding="utf-8"))["disclosure_audit"]
    assert record["citizens"]["exposed"] == 0 and record["caseworkers"]["exposed"] == 0
    baseline = pd.read_csv(tables / "baseline.csv", dtype=str, keep_default_na=False)
    arms = [c for c in baseline.columns if c in ("FIT", "control", "A", "B")]
    for _, row in baseline.iterrows():
        if any(row[a].startswith(("<", "suppressed")) for a in arms):
            assert row["std_difference"] == "", f"{name}: {row['characteristic']}"
