"""End to end: the Snakemake workflow run as a subprocess in a fresh temporary directory.

Snakemake reruns a rule when its script changes, not when the package changes,
so every test here starts from an empty working directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, small_params

from fittrial.design.simulate import simulate_trial, write_trial

pytestmark = pytest.mark.slow
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
EFFECT_COLUMNS = ["analysis", "outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                  "p_value", "p_adjusted", "p_interaction", "mc_se", "method", "not_estimated", "n_clusters",
                  "n_citizens"]
# replicate counts kept small so the suite stays fast; the defaults are in config/config.yaml
FAST = {"randomisation": {"n": 500, "seed": 1}, "imputation": {"m": 5, "seed": 2, "delta_from": -5,
        "delta_to": 5, "delta_step": 1}, "icc": {"bootstrap": 20, "seed": 3}}


def run_workflow(workdir: Path, config: dict, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    (workdir / "my-trial.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "FITTRIAL_BLINDING_KEY"}
    return subprocess.run([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml",
                           "--cores", "2", *extra], cwd=workdir, capture_output=True, text=True,
                          env={**environment, "PYTHONHASHSEED": "0", **(env or {})}, timeout=900)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A small simulated trial run through the whole workflow, with only `inputs` in the user's config."""
    work = tmp_path_factory.mktemp("run")
    paths = write_trial(simulate_trial(small_params(4)), work / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST}
    config["inputs"]["who5"] = {"path": "in/who5.csv", "header_row": 1}  # an input given as a mapping
    proc = run_workflow(work, config)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work, config


def test_outputs_exist(finished):
    work, _ = finished
    for rel in ("reports/report.html", "reports/tables/effects.csv", "reports/figures/who5_by_arm_visit.png",
                "reports/figures/who5_by_arm_visit.svg", "data/derived/analysis/who5_long.parquet"):
        assert (work / rel).exists(), rel
    assert sorted(p.name for p in (work / "logs").iterdir())  # a log per rule


def test_effects_table_has_the_contract_columns_and_rows(finished):
    work, _ = finished
    effects = pd.read_csv(work / "reports" / "tables" / "effects.csv")
    assert list(effects.columns) == EFFECT_COLUMNS
    itt = effects[effects.analysis == "itt"]
    who5 = itt[itt.outcome == "who5"]
    assert who5["timepoint_months"].tolist() == [6, 12] and set(who5["scale"]) == {"mean_difference"}
    for o in ("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"):
        rows = itt[itt.outcome == o]
        assert set(rows["scale"]) == {"odds_ratio", "risk_difference", "risk_ratio"}
        assert rows["p_adjusted"].notna().all() and (rows["p_adjusted"] >= rows["p_value"]).all()
        assert (rows["df"] == 24 - 3).all()  # GEE: 24 caseworkers - 3 parameters
    assert who5["p_adjusted"].isna().all()
    assert (effects["ci_low"] <= effects["estimate"]).all() and (effects["estimate"] <= effects["ci_high"]).all()
    assert effects["p_value"].between(0, 1).all() and effects["method"].str.len().gt(50).all()
    analyses = set(effects["analysis"])
    for a in ("clda", "cluster_level", "cluster_level_weighted", "ancova_cr2", "randomisation_test",
              "multiple_imputation", "per_protocol", "cace", "time_to_dropout"):
        assert a in analyses, a
    for v in ("stratum", "baseline_who5_le50", "sex", "age_group"):
        sub = effects[effects.analysis.str.startswith(f"subgroup:{v}=")]
        assert len(sub) >= 2 and sub["p_interaction"].nunique() == 1, v
    assert effects.loc[effects.analysis == "time_to_dropout", "scale"].tolist() == ["hazard_ratio"]
    fine_gray = effects[effects.analysis == "time_to_dropout_fine_gray"]
    assert fine_gray["scale"].tolist() == ["subdistribution_hazard_ratio"]
    assert (fine_gray["df"] == 24 - 1 - 2).all() and fine_gray["method"].str.contains("Fine-Gray").all()
    cif = pd.read_csv(work / "reports" / "tables" / "cif_dropout.csv")
    assert list(cif.columns) == ["arm", "day", "cumulative_incidence", "se", "ci_low", "ci_high", "n_at_risk"]
    shown = cif["cumulative_incidence"].notna()  # a day resting on fewer than 5 more dropouts is left empty
    assert cif["day"].tolist() == [0, 90, 180, 270, 365] * 2 and (cif["cumulative_incidence"] <= cif["ci_high"])[shown].all()
    icc = pd.read_csv(work / "reports" / "tables" / "icc.csv")
    assert icc["outcome"].iloc[0] == "who5" and (icc["ci_low"] <= icc["icc"]).all()


def test_nothing_citizen_level_or_caseworker_named_in_reports(finished):
    work, _ = finished
    cit = pd.read_csv(work / "in" / "citizens.csv", dtype=str)
    ids = set(cit["citizen_id"]) | set(cit["caseworker_id"])
    for path in (work / "reports").rglob("*"):
        if path.suffix in (".csv", ".html", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not any(i in text for i in ids), path


def _example_sentences() -> list[str]:
    """Every text the bundled example's config states about its trial (CONSORT facts, estimand, claims), in
    both languages, cut into sentences of some length."""
    example = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
    texts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, str):
            texts.extend(p.strip() for p in re.split(r"(?<=[.;:])\s+", value) if len(p.strip()) > 30)

    collect(example["trial"])
    collect(example["estimand"])
    collect(example["yardsticks"]["claims"])
    return texts


def test_a_users_report_holds_no_sentence_of_the_bundled_example(finished):
    """A config that sets only `inputs:` gets a report with none of the example's trial facts, estimand texts,
    claims or title, "not stated" in their place, and no operating-characteristics study of another design."""
    work, _ = finished
    html = (work / "reports" / "report.html").read_text(encoding="utf-8")
    import html as htmllib

    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(r"\s+", " ", text)
    sentences = _example_sentences()
    assert len(sentences) > 30
    leaked = [s for s in sentences if s in text]
    assert not leaked, leaked
    for word in ("Copenhagen", "København", "VIVE", "65 were randomised", "May 2015", "Pejtersen", "halves dropout",
                 "simulated: the numbers of this report"):
        assert word not in text, word
    assert "Cluster-randomised trial: report" in text and text.count("not stated") >= 15
    assert "Not computed for this trial" in text and "No effect: the analysis model" not in text


def test_small_counts_are_suppressed(finished):
    work, _ = finished
    for name in ("participants", "data_quality", "missing_outcomes"):
        table = pd.read_csv(work / "reports" / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
        for value in table.drop(columns=[c for c in ("measure", "table", "check", "outcome") if c in table]).values.ravel():
            assert value in ("", "<5") or int(value) == 0 or int(value) >= 5, (name, value)


def test_bad_input_stops_with_a_readable_message_and_no_traceback(tmp_path):
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    frame = pd.read_csv(paths["randomisation"], dtype=str)
    frame.loc[2, "arm"] = "treatment"
    frame.to_csv(paths["randomisation"], index=False)
    proc = run_workflow(tmp_path, {"inputs": {k: f"in/{k}.csv" for k in paths}})
    assert proc.returncode != 0
    assert "randomisation (in/randomisation.csv), row 4, column 'arm': value 'treatment': expected one of FIT, control" \
        in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "reports").exists() or not any(p.is_file() for p in (tmp_path / "reports").rglob("*"))


def test_missing_input_file_is_named_before_anything_runs(tmp_path):
    proc = run_workflow(tmp_path, {"inputs": {"randomisation": "nope.csv", "citizens": "c.csv", "who5": "w.csv"}})
    assert proc.returncode != 0
    assert "inputs.randomisation: the file 'nope.csv' does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_invalid_config_value_is_refused(tmp_path):
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": {"gee_covariance": "sandwich"}}
    proc = run_workflow(tmp_path, config)
    assert proc.returncode != 0
    assert "gee_covariance" in proc.stderr or "sandwich" in proc.stderr


def test_an_input_left_out_of_the_users_config_is_an_error_not_the_example(tmp_path):
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    proc = run_workflow(tmp_path, {"inputs": {"randomisation": "in/randomisation.csv",
                                              "citizens": "in/citizens.csv"}})
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "inputs.who5 is not set in your config" in proc.stderr and "fit_sessions" not in proc.stderr
    assert not (tmp_path / "logs").exists() and paths


def test_reports_are_published_all_or_nothing(tmp_path):
    """A failed, interrupted (SIGINT) or killed (SIGKILL) run leaves the last complete report set untouched."""
    import signal
    import time

    paths = write_trial(simulate_trial(small_params(6)), tmp_path / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST}
    assert run_workflow(tmp_path, config).returncode == 0
    reports = tmp_path / "reports"
    before = digest(reports)
    (reports / "validation").mkdir()
    (reports / "validation" / "kept.csv").write_text("x\n", encoding="utf-8")  # not part of the report set
    who5 = pd.read_csv(paths["who5"], dtype=str)
    for k, sig in enumerate((signal.SIGINT, signal.SIGKILL)):
        # valid, but every analysis must run again: changed anew for each signal, so that each run rebuilds the
        # data set (an interrupted run may already have rebuilt it for the input as it was then)
        changed = who5.assign(who5_1=who5["who5_1"].where(who5.index % 3 != k, str(5 - k)))
        changed.to_csv(paths["who5"], index=False)
        (tmp_path / "my-trial.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        proc = subprocess.Popen([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml",
                                 "--cores", "2"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                # as in a terminal: a suite run in the background inherits SIGINT ignored
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        started = time.time()
        rebuilt = tmp_path / "data" / "derived" / "analysis" / "who5_long.parquet"
        while time.time() - started < 120:  # kill once the analyses are running (the data set rebuilt)
            if rebuilt.exists() and rebuilt.stat().st_mtime > started:
                break
            time.sleep(0.1)
        assert proc.poll() is None, f"the run ended before it could be stopped ({sig})"
        os.killpg(proc.pid, sig)
        proc.wait(timeout=120)
        subprocess.run(["pkill", "-9", "-g", str(proc.pid)], check=False)
        after = digest(reports)
        assert after.pop("validation/kept.csv") and after == before, sig
    assert run_workflow(tmp_path, config, "--unlock").returncode == 0  # the lock a SIGKILL leaves (Snakemake's)
    broken = changed.copy()
    broken.loc[3, "who5_2"] = "9"
    broken.to_csv(paths["who5"], index=False)
    proc = run_workflow(tmp_path, config)
    assert proc.returncode != 0 and "column 'who5_2': value '9'" in proc.stderr
    assert "who5_2" in (tmp_path / "data-check.html").read_text(encoding="utf-8")  # the page, outside reports/
    after = digest(reports)
    assert after.pop("validation/kept.csv") and after == before
    changed.to_csv(paths["who5"], index=False)
    assert run_workflow(tmp_path, config).returncode == 0
    after = digest(reports)
    assert after.pop("validation/kept.csv") and after != before  # the new set, complete, and the kept file
    assert not list(tmp_path.glob("reports.*"))


def test_filled_template_workbook_runs_end_to_end_with_a_danish_report(tmp_path):
    """`fittrial-template` (Danish), filled with the bundled example's data, is the one input of a whole run,
    whose report is in Danish."""
    import re

    from test_template import fill

    from fittrial.inputs.template import write_template

    fill(write_template(tmp_path / "skabelon.xlsx", "da"), tmp_path / "fit-data.xlsx")
    config = {"inputs": {"workbook": "fit-data.xlsx"}, "analysis": FAST, "report": {"language": "da"}}
    proc = run_workflow(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-4000:]
    effects = pd.read_csv(tmp_path / "reports" / "tables" / "effects.csv")
    primary = effects[(effects.analysis == "itt") & (effects.outcome == "who5")].iloc[-1]
    citizens = pd.read_csv(ROOT / "data" / "example" / "citizens.csv")
    randomisation = pd.read_csv(ROOT / "data" / "example" / "randomisation.csv")
    assert primary.n_clusters <= len(randomisation) and 0 < int(primary.n_citizens) <= len(citizens)
    assert pd.notna(primary.estimate)
    page = (tmp_path / "data-check.html").read_text(encoding="utf-8")
    assert "Ingen fejl" in page and "fit-data.xlsx" in page
    html = (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html and "Sammenfatning" in html and "Primært effektmål" in html
    assert "95% KI" in html
    # decimal commas in the formatted tables and on the figures' axes; Danish figure labels
    assert re.search(r"\d,\d{2} \(-?\d+,\d{2} til -?\d+,\d{2}\)", html)
    cif = (tmp_path / "reports" / "figures" / "cif.svg").read_text(encoding="utf-8")
    assert re.search(r">0,\d+</text>", cif) and "Antal i risiko" in cif and "Kumuleret incidens af frafald" in cif
    assert "Medarbejdere, n" in html and "Kontrol" in html
    assert "Estimand (ICH E9(R1))" in html and "Interkurrent hændelse" in html  # a user's config gets the estimand


def test_snakemake_check_validates_only(tmp_path):
    """`snakemake check` writes the data-check page (Danish here) and fails on errors; nothing is analysed."""
    paths = write_trial(simulate_trial(small_params(5)), tmp_path / "in")
    cit = pd.read_csv(paths["citizens"], dtype=str)
    cit.loc[cit.index[:6], "sex"] = "X"
    cit.to_csv(paths["citizens"], index=False)
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "report": {"language": "da"}}
    proc = run_workflow(tmp_path, config, "check")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    # in the report's language (issue 23): the terminal says what the page says
    assert "kolonne 'sex': 6 rækker (2, 3, 4, 5, 6, 7): fundne værdier 'X' (6): forventet en af K, M" in proc.stderr
    page = (tmp_path / "data-check.html").read_text(encoding="utf-8")
    assert "6 fejl fundet" in page and "række 2" in page
    assert not (tmp_path / "reports").exists() and not (tmp_path / "data" / "derived" / "clean").exists()
    pd.read_csv(paths["citizens"], dtype=str).assign(sex="K").to_csv(paths["citizens"], index=False)  # Danish code
    proc = run_workflow(tmp_path, config, "check")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Ingen fejl" in (tmp_path / "data-check.html").read_text(encoding="utf-8")
    assert not (tmp_path / "reports").exists()


def test_inconsistent_config_is_named_before_any_job(tmp_path):
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": {"primary_visit": 24, "age_breaks": [50, 30]},
              "visits": [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 150},
                         {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
                         {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}]}
    proc = run_workflow(tmp_path, config)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "nothing was run" in proc.stderr and "overlap" in proc.stderr
    assert "analysis.primary_visit: 24 is not one of the visits" in proc.stderr and "analysis.age_breaks" in proc.stderr
    assert not (tmp_path / "logs").exists() and not (tmp_path / "reports").exists()


def test_validate_target_runs_in_chunks_and_summarises(tmp_path):
    """A tiny simulation study: 2 scenarios (one with departures from the model and the multiple imputation)
    x 2 chunks of 1 trial, each chunk its own job."""
    config = {"inputs": {"randomisation": "unused.csv", "citizens": "unused.csv", "who5": "unused.csv"},
              "validation": {"trials": 2, "chunks": 2, "seed": 7, "run": ["no_effect", "tiny_departures"],
                             "parameters": str(ROOT / "config" / "example_trial.yaml"),
                             "scenarios": {"no_effect": {"effect": {6: 0.0, 12: 0.0}, "odds_ratio": {"dropout": 1.0}},
                                           "tiny_departures": {"strata": {"A": 4, "B": 4}, "sd_caseworker_visit": 3.0,
                                                               "ar1_rho": 0.5, "mi_every": 1, "mi_m": 2,
                                                               "effect": {6: 0.0, 12: 0.0}}}}}
    for name in ("unused.csv",):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    proc = run_workflow(tmp_path, config, "validate")
    assert proc.returncode == 0, proc.stderr[-3000:]
    chunks = sorted(p.name for p in (tmp_path / "data" / "derived" / "validation").iterdir())
    scenarios = ("no_effect", "tiny_departures")
    assert chunks == sorted(f"{s}_{c}.parquet" for s in scenarios for c in range(2))
    oc = pd.read_csv(tmp_path / "reports" / "validation" / "operating_characteristics.csv")
    assert set(oc["method"]) == {"primary", "primary_satterthwaite", "clda", "cluster_level", "naive", "dropout_gee",
                                 "dropout_cox", "subgroup_interaction", "multiple_imputation"}
    assert set(oc["scenario"]) == set(scenarios)
    tiny = oc[oc["scenario"] == "tiny_departures"].set_index("method")
    assert tiny.loc["multiple_imputation", "n_trials"] + tiny.loc["multiple_imputation", "n_not_estimated"] == 2
    assert set(oc.loc[oc["scenario"] == "no_effect", "rejection_is"]) == {"type_I_error"}
    assert (tmp_path / "reports" / "validation" / "operating_characteristics.png").stat().st_size > 0
    bad = {**config, "validation": {**config["validation"], "run": [], "scenarios": {"typo": {"sd_casewroker": 1.0}}}}
    proc = run_workflow(tmp_path, bad, "validate")
    assert proc.returncode != 0 and "validation.scenarios.typo: unknown key(s) sd_casewroker" in proc.stderr


def test_provenance_hashes_equal_sha256sum_of_the_inputs(finished):
    import json

    work, _ = finished
    prov = json.loads((work / "reports" / "provenance.json").read_text(encoding="utf-8"))
    for name, entry in prov["inputs"].items():
        out = subprocess.run(["sha256sum", str(work / entry["path"])], capture_output=True, text=True, check=True)
        assert entry["sha256"] == out.stdout.split()[0], name
    assert set(prov["seeds"]) == {"randomisation_test", "multiple_imputation", "icc_bootstrap", "validation_study"}
    assert prov["analysis_plan"]["analysis"]["randomisation"]["n"] == 500
    assert len(prov["analysis_plan_sha256"]) == 64 and prov["software"]["packages"]["statsmodels"]["locked"]
    assert any(path.endswith("my-trial.yaml") for path in prov["config_files"])
    # the disclosure audit of every published count ran, and publishes its numbers but not where a cell is exposed
    audit = prov["disclosure_audit"]
    assert audit["citizens"]["cells"] > 50 and audit["citizens"]["facts"] > 0
    assert isinstance(audit["citizens"]["exposed"], int) and isinstance(audit["caseworkers"]["exposed"], int)
    # secondary suppression leaves no count a reader can narrow down
    assert audit["citizens"]["exposed"] == 0 and audit["caseworkers"]["exposed"] == 0
    assert "suppressed_further" in audit["citizens"]


def test_verify_passes_unchanged(finished):
    """`snakemake verify` re-runs the analysis in a scratch directory and compares every published table and figure
    byte for byte: its passing on unchanged inputs is the test that the same inputs and config give byte-identical
    tables and figures (from another directory)."""
    work, config = finished
    proc = run_workflow(work, config, "verify")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "equals a fresh re-run" in proc.stdout + proc.stderr
    # the re-run reproduces the report (HTML and PDF) and the provenance record byte for byte: verify compares them
    # (tests/test_provenance.py: a report changed by hand in one number is named), so a hand-edited report fails
    assert "report.html" not in proc.stderr and "report.pdf" not in proc.stderr
    # a re-run that differs is named by file (the comparison itself: tests/test_provenance.py); one verify run
    # here keeps the suite's time


# the steps that present results (and may run again when only the report's language or look changes); every other
# step reads, checks or analyses the data and must not
PRESENTATION_STEPS = {"data_check_page", "course_figures", "report_figures", "report_html", "publish",
                      "all"}


def test_switching_the_report_language_refits_nothing(finished):
    """`report.language` is a parameter of the presentation steps alone: after a full run, switching it re-renders
    the data-check page, the report, its tables' labels and figures, and re-runs no step that reads or analyses the
    data (Snakemake's dry run lists the jobs it would run)."""
    work, config = finished
    proc = run_workflow(work, {**config, "report": {"language": "da"}}, "--dry-run")
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout.split("Job stats:", 1)[1].split("total", 1)[0] if "Job stats:" in proc.stdout else ""
    jobs = {line.split()[0] for line in table.splitlines()[3:] if line.strip()}
    assert jobs and "report_html" in jobs and "data_check_page" in jobs, proc.stdout[-3000:]
    assert jobs <= PRESENTATION_STEPS, sorted(jobs - PRESENTATION_STEPS)


def test_one_n_per_analysis_population(finished):
    """Each analysis population has one n: the flow diagram's arms, participants.csv, effects.csv (n_citizens),
    yardsticks.csv and the report's tables all show the same count (fittrial.publish.populations)."""
    from fittrial.publish.populations import population_of

    work, _ = finished
    tables = work / "reports" / "tables"
    flow = pd.read_csv(tables / "flow.csv", dtype=str, keep_default_na=False).set_index("stage")
    participants = pd.read_csv(tables / "participants.csv", dtype=str).set_index("measure")
    pairs = {"enrolled": "Citizens enrolled", "who5_m0": "WHO-5 at baseline", "who5_m12": "WHO-5 at 12 months",
             "analysis:followup_who5": "Citizens in the primary analysis (>=1 follow-up WHO-5)"}
    for stage, measure in pairs.items():
        for arm in ("FIT", "control"):
            assert flow.loc[stage, f"{arm}_citizens"] == participants.loc[measure, arm], (stage, arm)
    assert flow.loc["randomised", "FIT_caseworkers"] == participants.loc["Caseworkers randomised", "FIT"]
    effects = pd.read_csv(tables / "effects.csv", dtype={"n_citizens": str})
    stage_of = {"enrolled": "analysis:enrolled", "followup_who5": "analysis:followup_who5",
                "any_who5": "analysis:any_who5"}
    checked = set()
    for _, r in effects.iterrows():
        population = population_of(r["analysis"], r["outcome"], r["timepoint_months"])
        if population is None:
            continue
        stage = stage_of.get(population, population)
        arms = [flow.loc[stage, f"{a}_citizens"] for a in ("FIT", "control")]
        if all(a.isdigit() for a in arms):
            assert r["n_citizens"] == str(sum(int(a) for a in arms)), (r["analysis"], r["outcome"])
        else:  # a hidden arm count: the total is not exact either
            assert not r["n_citizens"].isdigit(), (r["analysis"], r["outcome"])
        checked.add(population)
    assert {"enrolled", "followup_who5", "any_who5", "who5_m12"} <= checked
    yard = pd.read_csv(tables / "yardsticks.csv", dtype=str, keep_default_na=False)
    change = yard[yard["measure"] == "reliable_deterioration"].iloc[0]
    for arm in ("FIT", "control"):
        assert change[f"{arm}_n"] == flow.loc["analysis:change_m12", f"{arm}_citizens"]
    # the report's triangulation table shows the effects table's n
    html = (work / "reports" / "report.html").read_text(encoding="utf-8")
    itt = effects[(effects["analysis"] == "itt") & (effects["outcome"] == "who5")].iloc[-1]
    n = itt["n_citizens"]
    shown = f"{int(n):,}" if n.isdigit() else n
    assert f">{shown} / {itt['n_clusters']}<" in html


def test_no_count_below_the_threshold_is_published(finished):
    import re

    work, _ = finished
    for path in (work / "reports" / "tables").glob("*.csv"):
        if path.name in ("effects.csv", "icc.csv", "emmeans.csv", "tipping_point.csv", "variance_components.csv",
                         "missingness_predictors.csv", "primary_outcome.csv", "secondary_outcomes.csv",
                         "who5_by_arm_visit.csv", "fit_practice_by_meeting.csv", "cif_dropout.csv",
                         "who5_completion.csv"):
            continue  # estimates, not counts; their count columns are checked below
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(?<![\d.<])([1-4]) (citizens|caseworkers|of)\b", text):
            raise AssertionError(f"{path.name}: {m.group(0)}")
    for name, cols in (("cif_dropout.csv", ["n_at_risk"]), ("who5_completion.csv", ["completed"]),
                       ("secondary_outcomes.csv", ["FIT_events", "control_events"]),
                       ("fit_practice_by_meeting.csv", ["meetings"])):
        table = pd.read_csv(work / "reports" / "tables" / name, dtype=str, keep_default_na=False)
        for col in cols:
            for v in table[col]:
                assert v in ("", "<5") or int(v) == 0 or int(v) >= 5, (name, col, v)


def test_report_embeds_every_figure(finished):
    import base64
    import re

    work, _ = finished
    html = (work / "reports" / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) >= 6
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    for section in ("summary", "flow", "baseline", "primary", "secondary", "triangulation", "practice", "missing",
                    "methods", "quality", "provenance"):
        assert f'id="{section}"' in html, section


def _blinding_keys() -> tuple[str, str]:
    """Two keys: one that shows FIT as A, one that shows FIT as B."""
    from fittrial.inputs.blinding import fit_is_a

    keys = [f"key-{i}" for i in range(20)]
    return (next(k for k in keys if fit_is_a(k.encode())), next(k for k in keys if not fit_is_a(k.encode())))


def _skeleton(text: str) -> str:
    """A published text with every number and every arm letter replaced: what is left must not tell the runs of
    the two mappings apart."""
    text = re.sub(r'src="data:[^"]+"', "", text)
    # the hash of a published table or figure is a function of its numbers (compared below), not of the mapping
    text = re.sub(r"\b[0-9a-f]{64}\b", "HASH", text)
    text = re.sub(r"\d+(?:[.,]\d+)*(?:e[-+]?\d+)?", "#", text)
    text = re.sub(r"\b(higher|lower)\b", "DIRECTION", text)  # the sign of A - B, an arm-labelled number
    # how a number is shown depends on the number (a range left out, a count suppressed), and the numbers move
    # between the A and B columns with the mapping
    text = re.sub(r"-?<?#(?: \(-?#(?:%)?(?: to -?#)?\))?", "#", text)
    text = re.sub(r"\b[AB]\b", "X", text)
    # a table row's A and B cells change places with the mapping: compare its cells as a set
    return re.sub(r"<tr>(.*?)</tr>", lambda m: "<tr>" + "".join(sorted(re.findall(r"<t[dh][^>]*>.*?</t[dh]>",
                                                                                       m.group(1)))) + "</tr>",
                  text, flags=re.S)


# the published tables that name no arm, directly or through an arm contrast (effects, tipping points and the
# predictors of missingness are A - B contrasts or shift arm A)
ARM_FREE = ("tables/variance_components.csv", "tables/icc.csv", "tables/data_quality.csv")


def test_blinded_review_needs_a_key_and_the_two_mappings_are_indistinguishable(tmp_path, finished):
    """Blinded runs of one trial under the two possible mappings (keys) differ only by exchanging A and B."""
    from fittrial.inputs.blinding import mapping

    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    config = {"inputs": {k: f"../in/{k}.csv" for k in paths}, "analysis": FAST, "report": {"blinded": True}}
    refused = tmp_path / "refused"
    refused.mkdir()
    proc = run_workflow(refused, config)
    assert proc.returncode != 0 and "FITTRIAL_BLINDING_KEY" in proc.stderr and "Traceback" not in proc.stderr
    assert not (refused / "reports").exists()
    runs = []
    for key in _blinding_keys():
        work = tmp_path / key
        work.mkdir()
        proc = run_workflow(work, config, env={"FITTRIAL_BLINDING_KEY": key})
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs.append((work / "reports", mapping(key.encode())))
    (one, map_one), (two, map_two) = runs
    assert map_one["A"] == "FIT" and map_two["A"] == "control"
    # nothing names an arm
    for path in list((one / "tables").glob("*.csv")) + list((one / "figures").glob("*.svg")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bFIT\b|\bcontrol\b|\bControl\b", text), path.name
    html = (one / "report.html").read_text(encoding="utf-8")
    # the title and the trial's CONSORT items (which describe the interventions, not the arms) name FIT
    body = re.sub(r"<title>.*?</title>|<h1>.*?</h1>|<h2 id=\"design\">.*?(?=<h2 id=\"flow\">)", "", html, flags=re.S)
    body = re.sub(r'src="data:[^"]+"', "", body)
    assert not re.search(r"\bControl\b|\bcontrol\b", body)
    assert not re.search(r"\bFIT\b", body.replace("Feedback Informed Treatment (FIT)", ""))
    effects = pd.read_csv(one / "tables" / "effects.csv")
    assert not {"per_protocol", "cace"} & set(effects["analysis"])
    from conftest import untranslated_texts

    assert untranslated_texts(one) == []  # the blinded texts (arm A, A - B) are in the message catalogue too
    sys.path.insert(0, str(ROOT / "tools"))
    import report_browser

    if report_browser.chromium():  # as the reviewer sees it: every figure loads, no arm named
        page = report_browser.read_page(one / "report.html")
        assert page["images"] >= 6 and page["broken"] == []
        assert not re.search(r"\bcontrol\b|\bControl\b", page["text"])
    # the same files, the same text up to numbers and arm letters (no hash, section number or order differs)
    files = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(two)) for p in two.rglob("*") if p.is_file())
    for name in files:
        if name.endswith(".csv"):  # the same columns, rows and row labels (the cells' values move with A and B)
            a, b = (pd.read_csv(d / name, dtype=str, keep_default_na=False) for d in (one, two))
            assert list(a.columns) == list(b.columns) and a.shape == b.shape, name
            if len(a.columns):
                assert [_skeleton(x) for x in a.iloc[:, 0]] == [_skeleton(x) for x in b.iloc[:, 0]], name
    # the report: the same sections, numbered alike, and the same document structure (its sentences may differ
    # where a result differs: e.g. the one-dimensional tipping point shifts arm A, a different arm under each key)
    pages = [(d / "report.html").read_text(encoding="utf-8") for d in (one, two)]
    headings = [re.findall(r"<h[23][^>]*>(.*?)</h[23]>", p) for p in pages]
    assert headings[0] == headings[1] and any(h.startswith("1. ") for h in headings[0])
    tags = [re.findall(r"<(/?[a-z0-9]+)", re.sub(r'src="data:[^"]+"', "", p)) for p in pages]
    assert tags[0] == tags[1]
    # the inputs, config and analysis plan have the same hashes under both mappings
    import json

    prov = [json.loads((d / "provenance.json").read_text(encoding="utf-8")) for d in (one, two)]
    for key in ("inputs", "config_files", "analysis_plan_sha256", "effective_config_sha256"):
        assert prov[0][key] == prov[1][key], key
    # the numbers are those of the other mapping with A and B exchanged
    p1, p2 = (pd.read_csv(d / "tables" / "participants.csv") for d in (one, two))
    assert list(p1.columns) == ["measure", "A", "B", "total"]
    pd.testing.assert_series_equal(p1["A"], p2["B"], check_names=False)
    pd.testing.assert_series_equal(p1["B"], p2["A"], check_names=False)
    e1, e2 = (pd.read_csv(d / "tables" / "effects.csv") for d in (one, two))
    keys = ["analysis", "outcome", "timepoint_months", "scale"]
    both = e1.merge(e2, on=keys, suffixes=("_1", "_2"))
    assert len(both) == len(e1) == len(e2)
    # the imputations are random draws: under the other key the same draws land on the other arm, so the MI
    # estimate agrees only within its Monte Carlo error
    mi = both[both["analysis"] == "multiple_imputation"].dropna(subset=["estimate_1"])
    assert ((mi["estimate_1"] + mi["estimate_2"]).abs() < mi["se_1"]).all()
    both = both[both["analysis"] != "multiple_imputation"]
    diff = both[both["scale"].isin(["mean_difference", "risk_difference"]) & both["estimate_1"].notna()]
    ratio = both[both["scale"].str.contains("ratio") & both["estimate_1"].notna()]
    assert len(diff) and len(ratio)
    assert np.allclose(diff["estimate_1"], -diff["estimate_2"], atol=1e-6)
    assert np.allclose(ratio["estimate_1"], 1 / ratio["estimate_2"], rtol=1e-5)
    # every table that names no arm is the same bytes under both keys and in the unblinded run of the same data
    # (the `finished` run): nothing arm-free can tell the keys apart or be matched with an unblinded table
    unblinded = finished[0] / "reports"
    for name in ARM_FREE:
        assert (one / name).read_bytes() == (two / name).read_bytes() == (unblinded / name).read_bytes(), name


def test_pdf_report_has_the_same_sections(finished):
    import re
    import zlib

    work, _ = finished
    raw = (work / "reports" / "report.pdf").read_bytes()
    assert raw.startswith(b"%PDF")
    text = b""
    for m in re.finditer(rb"stream\r?\n", raw):
        data = raw[m.end():raw.find(b"endstream", m.end())]
        try:
            text += zlib.decompressobj().decompress(data)
        except zlib.error:
            continue  # not a Flate stream (object headers matched by the pattern)
    for title in ("Summary in plain language", "Flow of caseworkers and citizens", "Baseline characteristics",
                  "Primary outcome", "Course outcomes", "Do the analyses agree", "FIT in practice", "Missing data",
                  "Methods", "Data quality", "Provenance"):
        assert title.encode() in text, title


def test_design_target_plans_the_next_trial_from_this_one(finished):
    """`snakemake design` estimates the design parameters from the trial's analysis, computes the analytic sample
    sizes and simulates the power of the primary analysis cell by cell (kept last: it changes the config)."""
    work, config = finished
    grid = {"caseworkers_per_arm": [6], "citizens_per_caseworker": [8], "effects": [5, 10], "trials": 8}
    binary = {"outcomes": ["dropout", "completed"], "odds_ratios": [0.5], "parameters": {"completed": {"icc": 0.03}},
              "simulation": {"caseworkers_per_arm": [8], "citizens_per_caseworker": [10], "odds_ratios": [0.5],
                             "trials": 6}}
    proc = run_workflow(work, {**config, "design": {"simulation": grid, "effects": [10, 5], "binary": binary}},
                        "design")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = work / "reports" / "design"
    power = pd.read_csv(out / "power.csv")
    assert len(power) == 4 and (power["n_trials"] == 8).all()  # the grid's 2 cells and the 2 headline sizes
    headline = power[power["headline"]]
    assert sorted(headline["effect"]) == [5, 10]
    assert power["analytic_power"].between(0, 1).all() and power["simulated_power"].between(0, 1).all()
    params = pd.read_csv(out / "parameters.csv").set_index("parameter")
    m_trial = params.loc["citizens_per_caseworker", "value"]  # the headline's m: the sizes' nearest to the trial's
    assert (headline["citizens_per_caseworker"] == min([5, 10, 15, 20, 30], key=lambda m: abs(m - m_trial))).all()
    assert params.loc["icc", "source"].startswith("estimated from this trial")
    assert 0 <= params.loc["icc", "value"] < 1 and params.loc["attrition", "value"] < 1
    sizes = pd.read_csv(out / "sample_size.csv")
    assert set(sizes["effect"]) == {10, 5} and (sizes["caseworkers_per_arm"].dropna() >= 2).all()
    page = (out / "design.html").read_text(encoding="utf-8")
    assert "To detect a 10-point difference in WHO-5 with 80% power you need about" in page
    assert "In 8 simulated trials of this size the pre-specified analysis had" in page
    assert "If the ICC is at the upper end of its 95% CI" in page and "How the answer depends on the parameters" in page
    sensitivity = pd.read_csv(out / "sensitivity.csv")
    assert {"icc", "cluster_autocorrelation", "subject_autocorrelation", "attrition"} <= set(sensitivity["parameter"])
    assert params.loc["icc", "ci_low"] < params.loc["icc", "value"] < params.loc["icc", "ci_high"]
    assert 'src="data:image/png;base64,' in page
    b_params = pd.read_csv(out / "binary_parameters.csv").set_index(["outcome", "parameter"])
    assert b_params.loc[("completed", "icc"), "value"] == 0.03
    assert b_params.loc[("completed", "icc"), "source"] == "set in the config (design.binary.parameters)"
    assert b_params.loc[("dropout", "icc"), "source"].startswith("estimated from this trial: one-way analysis")
    assert 0 < b_params.loc[("dropout", "prevalence"), "value"] < 1
    b_power = pd.read_csv(out / "binary_power.csv")
    assert sorted(b_power["outcome"]) == ["completed", "dropout"] and (b_power["n_trials"] == 6).all()
    assert (pd.read_csv(out / "binary_sample_size.csv")["odds_ratio"] == 0.5).all()
    assert "for dropout (from" in page and "Course outcomes: caseworkers needed per arm" in page


def test_a_blinded_review_can_publish_the_total_number_of_caseworkers_only(finished):
    """report.blinded_arm_sizes: total. The published tables of a blinded review keep no number of caseworkers
    per arm, nor what gives it back (the mean caseload per arm with the arms' citizens, the difference in mean
    caseload), only the total; the flow diagram's boxes and the abstract say so instead of showing blanks."""
    from fittrial.language.i18n import Translator
    from fittrial.publish.labels import hide_arm_sizes, publish
    from fittrial.steps.report import flow_texts

    work, _ = finished
    tables = work / "reports" / "tables"
    hidden = {name: hide_arm_sizes(name, publish(pd.read_csv(tables / f"{name}.csv", dtype=str,
                                                             keep_default_na=False), True))
              for name in ("flow", "participants", "baseline", "recruitment")}
    flow = hidden["flow"]
    assert (flow[["A_caseworkers", "B_caseworkers"]] == "").all().all()
    assert (flow.loc[flow["stage"] == "randomised", ["A_reasons", "B_reasons"]] == "").all().all()
    participants = hidden["participants"]
    caseworker_rows = participants["measure"].str.startswith("Caseworkers")
    assert (participants.loc[caseworker_rows, ["A", "B"]] == "").all().all()
    assert participants.loc[caseworker_rows, "total"].str.isdigit().all()  # the total stays
    baseline = hidden["baseline"]
    assert (baseline.loc[baseline["level"] == "caseworker", ["A", "B"]] == "").all().all()
    recruitment = hidden["recruitment"].set_index("measure")
    assert (recruitment.loc[["caseworkers_randomised", "citizens_per_caseworker_mean"], ["A", "B"]] == "").all().all()
    assert recruitment.loc["size_difference", "estimate"] == ""
    assert recruitment.loc["size_difference", "not_estimated"].startswith("not published")
    assert recruitment.loc["citizens_recruited", "A"].isdigit()  # the arms' citizens stay
    boxes = flow_texts(flow, Translator("en", blinded=True), arms=("A", "B"))
    assert "not shown" in boxes.iloc[0]["FIT"] and "caseworkers" not in boxes.iloc[1]["FIT"]
    assert "citizens" in boxes.iloc[1]["FIT"]
