"""Every command the README and the docs show runs as written.

The commands are read from the documentation itself (inline code and code blocks), so a command added
to the docs must either run here or be listed in ``NOT_RUN_HERE`` with the test that covers it. The
workflow targets run as written from a fresh directory holding ``my-trial.yaml`` (the bundled example's
config); the long ones (the default target, ``verify``, ``validate``, ``design``) as a dry run, which
checks that Snakemake reads the command line and finds the target (a target read as a config file, as
``--configfile my-trial.yaml check`` would be, fails there), while ``check`` runs in full.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, small_params

from fittrial.design.simulate import simulate_trial, write_trial

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "config" / "README.md"]
COMMAND = re.compile(r"^(?:\.venv/bin/|bash |python -m |sudo |Rscript )")
# commands not run here, and why (each is covered elsewhere or needs what CI has not)
NOT_RUN_HERE = {
    "bash run-example.sh": "quick start: CI runs the other quick-start command; the workflow itself runs below",
    "bash run-tests.sh": "quick start: this is the command CI runs",
    "bash tools/setup-env.sh": "builds the environment these tests run in",
    "sudo bash tools/slurm-local.sh": "installs a SLURM cluster (tests/test_slurm.py, -m slurm)",
    ".venv/bin/python -m pytest": "the test suite itself",
    ".venv/bin/python tools/benchmark.py": "about 12 minutes; needs R",
    ".venv/bin/python tests/reference/make_fixtures.py": "makes R's inputs (tests/test_reference.py reads them)",
    "Rscript": "needs R; its outputs are committed as fixtures",
    ".venv/bin/snakemake --profile profiles/slurm": "needs a SLURM cluster (tests/test_slurm.py, -m slurm)",
}


def documented_commands() -> set[str]:
    """The shell commands shown in the docs: inline code and lines of code blocks, comments removed."""
    found: set[str] = set()
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", text, flags=re.S)
        lines = [line for block in blocks for line in block.splitlines()]
        inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
        for command in lines + inline:
            command = command.split("  #")[0].split("   #")[0].strip()
            if COMMAND.match(command):
                found.add(command)
    return found


def not_run_reason(command: str) -> str | None:
    return next((why for start, why in NOT_RUN_HERE.items() if command.startswith(start)), None)


@pytest.fixture(scope="module")
def trial_dir(tmp_path_factory) -> Path:
    """A fresh directory with the bundled example's config as my-trial.yaml (replicate counts kept small, so the
    suite stays fast) and a .venv link."""
    work = tmp_path_factory.mktemp("docs")
    config = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
    # a small trial in place of the example's data (the commands are the same; the suite stays fast)
    config["inputs"] = {k: str(v) for k, v in write_trial(simulate_trial(small_params(6)), work / "in").items()}
    config.setdefault("analysis", {}).update({"randomisation": {"n": 200, "seed": 1}, "imputation": {"m": 5, "seed": 2, "delta_from": -5, "delta_to": 5, "delta_step": 1},
                                              "icc": {"bootstrap": 20, "seed": 3}})
    for key, value in config["inputs"].items():
        if isinstance(value, str) and value:
            config["inputs"][key] = str(ROOT / value)
    (work / "my-trial.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (work / ".venv").mkdir()
    (work / ".venv" / "bin").symlink_to(BIN)
    shutil.copytree(ROOT / "config", work / "config")
    return work


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(command)
    if args[0] == "python":
        args[0] = sys.executable
    if args[0].endswith("snakemake"):
        args[1:1] = ["-s", str(ROOT / "Snakefile")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_the_docs_show_commands_and_every_one_is_run_or_accounted_for():
    commands = documented_commands()
    assert any("check" in c for c in commands) and any("fittrial-template" in c for c in commands)
    unknown = [c for c in commands if not_run_reason(c) is None and not RUNNERS(c)]
    assert not unknown, f"documented commands no test runs: {unknown}"


def RUNNERS(command: str) -> bool:  # noqa: N802 - a predicate over the runners below
    return command.startswith((".venv/bin/snakemake", ".venv/bin/fittrial-", "python -m fittrial."))


def test_each_documented_workflow_command_runs(trial_dir):
    """``check`` and the default target run in full (``--report`` needs a finished run), the others dry."""
    commands = [c for c in documented_commands() if c.startswith(".venv/bin/snakemake") and not_run_reason(c) is None]
    full = {c for c in commands if c.endswith((" check", "--configfile=my-trial.yaml"))}
    assert len(full) == 2 and len(commands) >= 5, commands
    for command in sorted(commands, key=lambda c: (c not in full, "--report" in c, c)):
        proc = run(command if command in full else command + " --dry-run", trial_dir)
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        if command.endswith(" check"):
            assert (trial_dir / "data-check.html").exists()
        elif command in full:
            assert (trial_dir / "reports" / "report.html").exists()
        elif "--report" in command:
            assert (trial_dir / "reports" / "snakemake-report.html").exists()
        else:
            assert "Job stats" in proc.stdout, proc.stdout[-2000:]


def test_documented_package_commands_run(trial_dir):
    """The package's own commands, with the placeholders the docs show filled in."""
    (trial_dir / "blinding.key").write_text("a key kept outside the repository\n", encoding="utf-8")
    commands = sorted(c for c in documented_commands() if c.startswith((".venv/bin/fittrial-", "python -m fittrial.")))
    assert len(commands) >= 3, commands
    for command in commands:
        command = command.replace("SHAPE OUTDIR", "no_fit_sessions shape-out").replace("[key file]", "blinding.key")
        proc = run(command, trial_dir)
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        if "unblind" in command:
            assert re.fullmatch(r"A = (FIT|control), B = (FIT|control)\n", proc.stdout), proc.stdout
    assert (trial_dir / "fit-data.xlsx").exists()
    assert any((trial_dir / "shape-out").iterdir())
