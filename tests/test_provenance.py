"""Provenance: paths that never name a user's folders, and verify's comparison of every published file."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from fittrial.publish.provenance import RUN_ONLY, compare_outputs, display_path, provenance


def test_a_path_outside_the_working_and_workflow_folders_is_published_as_its_name_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = Path("/tmp") / "someone" / "secret-folder" / "my-trial.yaml"
    assert display_path(outside, tmp_path / "workflow") == "<elsewhere>/my-trial.yaml"
    assert display_path(tmp_path / "in" / "who5.csv", "/nowhere") == "in/who5.csv"


def test_a_verify_rerun_takes_only_the_run_s_description_from_the_published_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "who5.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    config = {"analysis": {"randomisation": {"seed": 1}, "imputation": {"seed": 2}, "icc": {"seed": 3}},
              "validation": {"seed": 4}}
    ours = provenance(config, {"who5": str(data)}, [], ROOT, None)
    published = {"run": {"finished_utc": "2020-01-01T00:00:00Z", "seconds_since_input_check": 9.9},
                 "config_files": {"my-trial.yaml": "0" * 64}, "effective_config_sha256": "1" * 64,
                 "inputs": {"who5": {"path": "data/who5.csv", "sha256": "2" * 64}}}
    rerun = provenance(config, {"who5": str(data)}, [], ROOT, None, published=published)
    for key in RUN_ONLY:
        assert rerun[key] == published[key]
    assert rerun["inputs"]["who5"] == {"path": "data/who5.csv", "sha256": ours["inputs"]["who5"]["sha256"]}
    assert rerun["analysis_plan_sha256"] == ours["analysis_plan_sha256"]


def test_verify_compares_the_report_and_the_record_not_only_tables(tmp_path):
    for folder in ("published", "rerun"):
        for name, text in (("report.html", "<p>4.5 points</p>"), ("provenance.json", "{}"),
                           ("tables/effects.csv", "a\n1\n")):
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_text(text, encoding="utf-8")
    assert compare_outputs(tmp_path / "published", tmp_path / "rerun") == []
    (tmp_path / "published" / "report.html").write_text("<p>4.6 points</p>", encoding="utf-8")
    (tmp_path / "rerun" / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "rerun" / "tables" / "effects.csv").write_text("a\n2\n", encoding="utf-8")
    lines = compare_outputs(tmp_path / "published", tmp_path / "rerun")
    assert lines[-1] == "tables/effects.csv: differs from the re-run (1 cells differ; e.g. row 2 column a: '1' vs '2')"
    assert lines[0].startswith("report.html: differs from the re-run (line 1: '<p>4.6 points</p>' published")
    assert lines[1] == "report.pdf: missing from the published reports"
