"""Every command the README and the docs show runs as written.

The commands are read from the documentation itself (inline code and code blocks), so a command added
to the docs must either run here or be listed in ``NOT_RUN_HERE`` with the test that covers it. The
workflow commands (the ``fittrial`` front end's and the raw ``snakemake`` ones) run as written from a
fresh directory holding ``my-trial.yaml`` (the bundled example's config, on a small trial): ``check`` and
the default target in full (Snakemake's ``--report`` needs a finished run), the long ones (``verify``,
``validate``, ``design``) as a dry run, which checks that the command line is read as meant and the target
found (a target read as a config file, as ``--configfile my-trial.yaml check`` would be, fails there);
``--help`` commands in full.
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

BIN = Path(sys.executable).parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "config" / "README.md"]
COMMAND = re.compile(r"^(?:\.venv/bin/|bash |python -m |sudo |Rscript )")
# commands not run here, and why (each is covered elsewhere or needs what CI has not)
NOT_RUN_HERE = {
    "bash run-example.sh": "quick start: CI runs the other quick-start command; the workflow itself runs below",
    "bash run-tests.sh": "quick start: this is the command CI runs",
    "bash tools/setup-env.sh": "builds the environment these tests run in",
    "bash tools/slurm-local.sh": "starts a SLURM cluster on this machine as root (tests/test_slurm.py, -m slurm)",
    ".venv/bin/python -m pytest": "the test suite itself",
    ".venv/bin/python tools/benchmark.py": "about 12 minutes; needs R",
    ".venv/bin/python tests/reference/make_fixtures.py": "makes R's inputs (tests/test_reference.py reads them)",
    "Rscript": "needs R; its outputs are committed as fixtures",
    ".venv/bin/snakemake --profile profiles/slurm": "needs a SLURM cluster (tests/test_slurm.py, -m slurm)",
    ".venv/bin/fittrial app": "starts a web server that runs until stopped (tests/test_desk_browser.py starts it as a user does and drives it in Chromium)",
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
    return command.startswith((".venv/bin/snakemake", ".venv/bin/fittrial-", "python -m fittrial.")) or \
        front_end(command)


def front_end(command: str) -> bool:
    """A command of the ``fittrial`` front end (not one of the package's ``fittrial-*`` tools)."""
    return command == ".venv/bin/fittrial" or command.startswith(".venv/bin/fittrial ")


def helps(command: str) -> bool:
    return "--help" in command.split() or "-h" in command.split()


def runs_in_full(command: str) -> bool:
    """``check`` and the default target (the front end's ``run``, or snakemake without a target)."""
    if front_end(command):
        words = command.split()
        return len(words) > 1 and words[1] in ("check", "run") and "--dry-run" not in words and "-n" not in words
    return command.endswith((" check", "--configfile=my-trial.yaml"))


def test_each_documented_help_command_runs(tmp_path):
    commands = [c for c in documented_commands() if RUNNERS(c) and helps(c) and not_run_reason(c) is None]
    assert ".venv/bin/fittrial --help" in commands, commands
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(BIN)
    for command in commands:
        proc = run(command, tmp_path)
        assert proc.returncode == 0 and "usage:" in proc.stdout, f"{command}\n{proc.stdout}\n{proc.stderr}"
        if front_end(command):
            assert all(name in proc.stdout for name in ("check", "run", "verify", "validate", "design"))


def test_the_docs_show_the_front_end_for_users():
    """README.md and config/README.md show users the front end (``fittrial check|run|verify``), and no raw snakemake
    command that puts a target after ``--configfile FILE`` (which reads the target as a second config file)."""
    commands = documented_commands()
    for sub in ("check", "run", "verify"):
        assert f".venv/bin/fittrial {sub} my-trial.yaml" in commands, sub
    for path in (ROOT / "README.md", ROOT / "config" / "README.md"):
        text = path.read_text(encoding="utf-8")
        assert ".venv/bin/fittrial check my-trial.yaml" in text, path
        assert not re.search(r"`[^`\n]*snakemake [^`\n]*--configfile=", text), \
            f"{path}: a raw snakemake command for users; show the fittrial front end"
    assert not [c for c in commands if re.search(r"--configfile [^ ]+ \w", c)], "target after --configfile FILE"


@pytest.mark.slow
def test_each_documented_workflow_command_runs(trial_dir):
    """``check`` and the default target run in full (``--report`` needs a finished run), the others dry."""
    commands = [c for c in documented_commands() if (c.startswith(".venv/bin/snakemake") or front_end(c))
                and not helps(c) and not_run_reason(c) is None]
    full = {c for c in commands if runs_in_full(c)}
    assert full == {".venv/bin/fittrial check my-trial.yaml", ".venv/bin/fittrial run my-trial.yaml"}, full
    assert len(commands) >= 6, commands
    for command in sorted(commands, key=lambda c: (not c.endswith(" check my-trial.yaml"), c not in full,
                                                   "--report" in c, c)):
        as_written = command in full or "--dry-run" in command.split() or "-n" in command.split()
        proc = run(command if as_written else command + " --dry-run", trial_dir)
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        if front_end(command):
            assert "Running Snakemake: snakemake" in proc.stderr, proc.stderr[-2000:]
        if command.endswith((" check", " check my-trial.yaml")):
            assert (trial_dir / "data-check.html").exists()
            assert not (trial_dir / "reports").exists()
        elif command in full:
            assert (trial_dir / "reports" / "report.html").exists()
        elif "--report" in command:
            assert (trial_dir / "reports" / "snakemake-report.html").exists()
        else:
            assert "Job stats" in proc.stdout, proc.stdout[-2000:]


@pytest.mark.slow
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
