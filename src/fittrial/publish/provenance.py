"""Provenance for reviewers: what went in, with which settings and software, and a re-run check.

``provenance.json`` holds the SHA-256 of every input file and config file
(paths relative to the working directory, or to the workflow as
``<workflow>/...``), of every published table and figure, the analysis plan
(the config sections that determine the numbers: scoring, visits, estimand,
analysis; not the report's language or blinding, so the English, Danish and
blinded reports of one analysis share its hash) with its own hash, the pinned package versions (from requirements.lock) beside the
installed ones, the git commit of the workflow, every seed, the date and the
run time. :func:`verify` re-runs the workflow in a scratch directory and
compares every published file with the files on disk: tables, figures,
``provenance.json`` and the report (HTML and PDF) byte for byte. The re-run
takes what only describes the run (its date and run time, the paths and hashes
of the config files it was given, the effective config's hash) from the
published record, so that a report edited by hand, in any word or number,
fails.
"""

from __future__ import annotations

import datetime as _dt
import filecmp
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from fittrial.base.files import sha256

PLAN_SECTIONS = ("scoring", "visits", "estimand", "analysis")
# verify's re-run reads the published provenance.json named by this variable (see :func:`provenance`)
VERIFY_AGAINST = "FITTRIAL_VERIFY_AGAINST"
# the parts of the record that describe the run, not the analysis: taken from the published record on a re-run
RUN_ONLY = ("run", "config_files", "effective_config_sha256")


def display_path(path: str | Path, workflow_dir: str | Path) -> str:
    """A path as a reader can use it on another machine: relative to the working directory, else to the workflow
    (``<workflow>/config/config.yaml``), else as given."""
    p = Path(path).resolve()
    for base, prefix in ((Path.cwd(), ""), (Path(workflow_dir).resolve(), "<workflow>/")):
        try:
            return prefix + p.relative_to(base).as_posix()
        except ValueError:
            continue
    return "<elsewhere>/" + p.name  # never a user's folders: the file's name, its hash says which file it was


def text_keys(data: object) -> object:
    """The object with every mapping key as text (as JSON writes it), so that keys of mixed types (a scenario's
    ``effect: {all: 0, 6: 3}``) can be sorted."""
    if isinstance(data, dict):
        return {str(k): text_keys(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [text_keys(v) for v in data]
    return data


def canonical_hash(data: object) -> str:
    """SHA-256 of a JSON-serialisable object in canonical form (keys as text, sorted; no spaces)."""
    text = json.dumps(text_keys(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def locked_versions(lock_file: str | Path) -> dict[str, dict[str, str | None]]:
    """Pinned version (requirements.lock) and installed version of every locked package."""
    out = {}
    for line in Path(lock_file).read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split("==", 1)
            version = version.split()[0].rstrip("\\").strip()
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                installed = None
            out[name] = {"locked": version, "installed": installed}
    return out


def git_commit(directory: str | Path) -> dict[str, object]:
    """The workflow's git commit and whether its tracked files have uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=directory,
                                    capture_output=True, text=True, check=True).stdout.strip())
        return {"commit": commit, "uncommitted_changes": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "uncommitted_changes": None}


def seeds(config: dict) -> dict[str, int]:
    a = config["analysis"]
    return {"randomisation_test": a["randomisation"]["seed"], "multiple_imputation": a["imputation"]["seed"],
            "icc_bootstrap": a["icc"]["seed"], "validation_study": config["validation"]["seed"]}


def published_record() -> dict | None:
    """The published provenance record that a verify re-run describes itself by (None on an ordinary run)."""
    path = os.environ.get(VERIFY_AGAINST)
    if not path or not Path(path).is_file():
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def provenance(config: dict, inputs: dict[str, str], config_files: list[str], workflow_dir: str | Path,
               started: float | None, outputs: dict[str, str] | None = None, published: dict | None = None,
               audit: dict | None = None) -> dict:
    """The provenance record (see the module docstring). ``outputs``: published name (``tables/x.csv``) -> the
    file to hash. ``published``: on verify's re-run, the published record, whose run-only parts (``RUN_ONLY``
    and the inputs' paths) replace the re-run's own; every hash of an input or output is the re-run's."""
    record = _record(config, inputs, config_files, workflow_dir, started, outputs)
    if audit is not None:  # the disclosure audit of every published count (fittrial.publish.audit)
        record["disclosure_audit"] = audit
    if published:
        for key in RUN_ONLY:
            if key in published:
                record[key] = published[key]
        for name, entry in record["inputs"].items():
            entry["path"] = published.get("inputs", {}).get(name, {}).get("path", entry["path"])
    return record


def _record(config: dict, inputs: dict[str, str], config_files: list[str], workflow_dir: str | Path,
            started: float | None, outputs: dict[str, str] | None) -> dict:
    plan = {k: config[k] for k in PLAN_SECTIONS if k in config}
    now = _dt.datetime.now(_dt.UTC)
    return {
        "inputs": {name: {"path": display_path(path, workflow_dir), "sha256": sha256(path)}
                   for name, path in sorted(inputs.items()) if path},
        "config_files": {display_path(path, workflow_dir): sha256(path) for path in config_files
                         if Path(path).exists()},
        "outputs": {name: sha256(path) for name, path in sorted((outputs or {}).items())},
        "effective_config_sha256": canonical_hash(config),
        "analysis_plan": plan,
        "analysis_plan_sha256": canonical_hash(plan),
        "seeds": seeds(config),
        "software": {"python": sys.version.split()[0],
                     "packages": locked_versions(Path(workflow_dir) / "requirements.lock")},
        "workflow": git_commit(workflow_dir),
        "run": {"finished_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "seconds_since_input_check": None if started is None else round(now.timestamp() - started, 1)},
    }


REPORT_FILES = ("provenance.json", "report.html", "report.pdf")


def compare_outputs(published: str | Path, rerun: str | Path) -> list[str]:
    """Differences between two reports/ folders (tables, figures, the provenance record and the report): one line
    per file that differs."""
    published, rerun = Path(published), Path(rerun)
    lines = []
    for name in REPORT_FILES:
        a, b = published / name, rerun / name
        if not b.exists():
            continue
        if not a.exists():
            lines.append(f"{name}: missing from the published reports")
        elif not filecmp.cmp(a, b, shallow=False):
            lines.append(f"{name}: differs from the re-run{_first_difference(a, b)}")
    for sub in ("tables", "figures"):
        ours = {p.name for p in (published / sub).glob("*") if p.is_file()} if (published / sub).exists() else set()
        theirs = {p.name for p in (rerun / sub).glob("*") if p.is_file()}
        for name in sorted(theirs - ours):
            lines.append(f"{sub}/{name}: missing from the published reports")
        for name in sorted(ours - theirs):
            lines.append(f"{sub}/{name}: published but not produced by the re-run")
        for name in sorted(ours & theirs):
            a, b = published / sub / name, rerun / sub / name
            if filecmp.cmp(a, b, shallow=False):
                continue
            detail = ""
            if name.endswith(".csv"):
                x, y = pd.read_csv(a, dtype=str), pd.read_csv(b, dtype=str)
                if x.shape != y.shape or list(x.columns) != list(y.columns):
                    detail = f" (shape {x.shape} published, {y.shape} re-run)"
                else:
                    diff = (x.fillna("") != y.fillna(""))
                    cells = [(i, c) for c in x.columns for i in x.index[diff[c]]]
                    first = ", ".join(f"row {i + 2} column {c}: {x.at[i, c]!r} vs {y.at[i, c]!r}" for i, c in cells[:3])
                    detail = f" ({len(cells)} cells differ; e.g. {first})"
            lines.append(f"{sub}/{name}: differs from the re-run{detail}")
    return lines


def _first_difference(a: Path, b: Path) -> str:
    """Where two text files first differ (for a reviewer), or nothing for a binary file."""
    if a.suffix not in (".html", ".json"):
        return ""
    x = a.read_text(encoding="utf-8", errors="replace").splitlines()
    y = b.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, (u, v) in enumerate(zip(x, y)):
        if u != v:
            return f" (line {i + 1}: {u.strip()[:80]!r} published, {v.strip()[:80]!r} re-run)"
    return f" ({len(x)} lines published, {len(y)} re-run)"


def verify(snakefile: str | Path, config: dict, reports_dir: str | Path, cores: int = 2) -> list[str]:
    """Re-run the workflow on the same inputs and config in a scratch directory; return the differences."""
    with tempfile.TemporaryDirectory(prefix="fittrial-verify-") as tmp:
        scratch = Path(tmp)
        cfg = json.loads(json.dumps(config))
        cfg["inputs"] = {k: ({**v, "path": str(Path(v["path"]).resolve())} if isinstance(v, dict) else
                             str(Path(v).resolve()) if v else "") for k, v in cfg["inputs"].items()}
        workflow_dir = Path(snakefile).resolve().parent
        for section, key in (("validation", "parameters"), ("report", "operating_characteristics")):
            if cfg.get(section, {}).get(key):  # a project file, as the workflow finds it (see common.smk)
                given = Path(cfg[section][key])
                cfg[section][key] = str(given.resolve() if given.exists() else workflow_dir / given)
        cfg["paths"] = {"derived": "derived", "reports": "reports", "logs": "logs"}
        # keys in the order of the run (yaml sorts them by default, which would reorder the report's plan table)
        (scratch / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
        snakemake = Path(sys.executable).with_name("snakemake")
        env = {**os.environ, VERIFY_AGAINST: str((Path(reports_dir) / "provenance.json").resolve())}
        proc = subprocess.run([str(snakemake), "-s", str(snakefile), "--configfile", "config.yaml", "--cores",
                               str(cores), "--quiet", "all"], cwd=scratch, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            return [f"the re-run failed:\n{proc.stderr[-3000:]}"]
        return compare_outputs(reports_dir, scratch / "reports")
