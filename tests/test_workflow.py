"""End to end: the Snakemake workflow run as a subprocess in a fresh temporary directory.

Snakemake reruns a rule when its script changes, not when the package changes,
so every test here starts from an empty working directory.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, small_params
from fittrial.simulate import simulate_trial, write_trial

pytestmark = pytest.mark.slow
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
EFFECT_COLUMNS = ["analysis", "outcome", "timepoint_months", "scale", "estimate", "ci_low", "ci_high", "se", "df",
                  "p_value", "p_adjusted", "p_interaction", "method", "not_estimated", "n_clusters", "n_citizens"]
# replicate counts kept small so the suite stays fast; the defaults are in config/config.yaml
FAST = {"randomisation": {"n": 500, "seed": 1}, "imputation": {"m": 5, "seed": 2, "delta_from": -5,
        "delta_to": 5, "delta_step": 1}, "icc": {"bootstrap": 20, "seed": 3}}


def run_workflow(workdir: Path, config: dict, *extra: str) -> subprocess.CompletedProcess:
    (workdir / "my-trial.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return subprocess.run([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml",
                           "--cores", "2", *extra], cwd=workdir, capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"}, timeout=900)


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
    assert cif["day"].tolist() == [0, 90, 180, 270, 365] * 2 and (cif["cumulative_incidence"] <= cif["ci_high"]).all()
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
    changed = who5.assign(who5_1=who5["who5_1"].where(who5.index % 3 != 0, "5"))
    changed.to_csv(paths["who5"], index=False)  # valid, but every analysis must run again
    for sig in (signal.SIGINT, signal.SIGKILL):
        (tmp_path / "my-trial.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        proc = subprocess.Popen([SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "--configfile", "my-trial.yaml",
                                 "--cores", "2"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(12)  # the analyses are running
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

    from fittrial.template import write_template
    from test_template import fill

    fill(write_template(tmp_path / "skabelon.xlsx", "da"), tmp_path / "fit-data.xlsx")
    config = {"inputs": {"workbook": "fit-data.xlsx"}, "analysis": FAST, "report": {"language": "da"}}
    proc = run_workflow(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-4000:]
    effects = pd.read_csv(tmp_path / "reports" / "tables" / "effects.csv")
    primary = effects[(effects.analysis == "itt") & (effects.outcome == "who5")].iloc[-1]
    citizens = pd.read_csv(ROOT / "data" / "example" / "citizens.csv")
    randomisation = pd.read_csv(ROOT / "data" / "example" / "randomisation.csv")
    assert primary.n_clusters <= len(randomisation) and 0 < primary.n_citizens <= len(citizens)
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
    assert "column 'sex': 6 rows (2, 3, 4, 5, 6, 7): values found 'X' (6): expected one of F, M" in proc.stderr
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


def test_verify_passes_unchanged_and_names_the_table_after_an_input_changes(finished):
    """`snakemake verify` re-runs the analysis in a scratch directory and compares every published table and figure
    byte for byte: its passing on unchanged inputs is the test that the same inputs and config give byte-identical
    tables and figures (from another directory)."""
    work, config = finished
    proc = run_workflow(work, config, "verify")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "equals a fresh re-run" in proc.stdout + proc.stderr
    who5 = work / "in" / "who5.csv"
    original = who5.read_text(encoding="utf-8")
    try:
        frame = pd.read_csv(who5, dtype=str)
        frame.loc[frame.index[:40], "who5_1"] = "5"
        frame.to_csv(who5, index=False)
        proc = run_workflow(work, config, "verify")
        assert proc.returncode != 0
        assert "tables/effects.csv: differs from the re-run" in proc.stderr
        assert "Traceback" not in proc.stderr
    finally:
        who5.write_text(original, encoding="utf-8")


def test_flow_diagram_numbers_equal_the_participant_counts(finished):
    import re

    work, _ = finished
    flow = pd.read_csv(work / "reports" / "tables" / "flow.csv", dtype=str).set_index("stage")
    participants = pd.read_csv(work / "reports" / "tables" / "participants.csv", dtype=str).set_index("measure")
    pairs = {"Caseworkers randomised (clusters)": "Caseworkers randomised", "Citizens enrolled": "Citizens enrolled",
             "WHO-5 at baseline": "WHO-5 at baseline", "WHO-5 at 12 months": "WHO-5 at 12 months",
             "Analysed, primary (WHO-5, mixed model)": "Citizens in the primary analysis (>=1 follow-up WHO-5)"}
    for stage, measure in pairs.items():
        for arm in ("FIT", "control"):
            first = re.match(r"(<?\d+)", flow.loc[stage, arm]).group(1)
            assert first == participants.loc[measure, arm], (stage, arm)


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
                       ("fit_practice_by_meeting.csv", ["citizens"])):
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


def test_blinded_review_shows_only_a_and_b(tmp_path):
    import re

    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST, "report": {"blinded": True}}
    proc = run_workflow(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = tmp_path / "reports"
    for path in list((reports / "tables").glob("*.csv")) + list((reports / "figures").glob("*.svg")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bFIT\b|\bcontrol\b|\bControl\b", text), path.name
    html = (reports / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<title>.*?</title>|<h1>.*?</h1>", "", html, flags=re.S)
    body = re.sub(r'src="data:[^"]+"', "", body)
    assert not re.search(r"\bControl\b|\bcontrol\b", body)
    assert not re.search(r"\bFIT\b", body.replace("Feedback Informed Treatment (FIT)", ""))
    effects = pd.read_csv(reports / "tables" / "effects.csv")
    assert not {"per_protocol", "cace"} & set(effects["analysis"])
    participants = pd.read_csv(reports / "tables" / "participants.csv")
    assert list(participants.columns) == ["measure", "A", "B", "total"]


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
