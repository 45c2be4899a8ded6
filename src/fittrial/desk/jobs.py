"""What the evaluator's desk runs: the workflow's own Snakemake targets in the evaluation folder, exactly as the
``fittrial`` command runs them (:func:`fittrial.base.command.snakemake_command`), so that whatever the app did can be
re-run from the command line with the same result.

- :func:`run_check`: the ``check`` target (the data check), waited for.
- :func:`config_problems`: a dry run of the whole workflow on a config file, waited for: the config is checked by
  the Snakefile's own checks (schema and :mod:`fittrial.steps.config`), nothing is run.
- :class:`Job`: the default target (the evaluation), ``verify`` or ``design``, in the background, with its progress
  read from Snakemake's own lines ("3 of 22 steps (14%) done", "rule icc:").
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

CONFIG_NAME = "evaluation.yaml"
STEP_DONE = re.compile(r"^(\d+) of (\d+) steps \(")
STEP_RULE = re.compile(r"^(?:local)?rule (\w+):")
# Snakemake's words when another Snakemake process works in the same folder (its lock)
LOCKED = re.compile(r"Directory cannot be locked|LockException")
# the Snakefile's config report: a header line, then one "  - problem" line per problem
PROBLEM_LINE = re.compile(r"^\s+- (.+)$")


def _command(target: str | None, config: str, folder: Path, cores: str = "all", dry_run: bool = False) -> list[str]:
    from fittrial.base.command import snakemake_command

    return snakemake_command(target, config, cores, dry_run, here=folder)


def user_lines(text: str, keep: int = 12) -> str:
    """The last lines of a Snakemake process's output that a user can read: no traceback, no blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line.strip() and not line.startswith(("Traceback", "  File ", "    "))]
    return "\n".join(lines[-keep:])


def run_check(folder: Path, timeout: float = 600) -> dict:
    """``fittrial check evaluation.yaml`` in ``folder`` (Snakemake's check target): whether the inputs passed, the
    data-check page when it was written, and the command's own message (its last lines) when it failed early."""
    proc = subprocess.run(_command("check", CONFIG_NAME, folder, cores="1"), cwd=folder, capture_output=True,
                          text=True, timeout=timeout)
    page_path = folder / "data-check.html"
    return {"passed": proc.returncode == 0, "page": page_path.exists(),
            "message": user_lines(proc.stderr) if proc.returncode else "",
            "locked": bool(LOCKED.search(proc.stderr))}


def config_problems(folder: Path, config_file: str, timeout: float = 300) -> list[str]:
    """The problems of a config file as the workflow states them before any job (a dry run of the default target
    in ``folder``): [] when the workflow would start. Each problem is one of the Snakefile's sentences, in the
    config's report language; a failure that is no list of problems is returned as its last lines."""
    proc = subprocess.run(_command(None, config_file, folder, dry_run=True), cwd=folder, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode == 0:
        return []
    listed = [m.group(1) for line in proc.stderr.splitlines() if (m := PROBLEM_LINE.match(line))]
    return listed or [user_lines(proc.stderr)]


class Job:
    """One Snakemake target (None: the whole evaluation; ``verify``; ``design``) running in the evaluation folder
    in the background. ``done``/``total``/``step`` follow Snakemake's progress lines; :meth:`cancel` stops it as
    Ctrl-C does."""

    def __init__(self, folder: Path, target: str | None = None):
        self.folder, self.target = folder, target
        self.started = time.monotonic()
        self.ended: float | None = None
        self.done, self.total, self.step = 0, 0, ""
        self.lines: list[str] = []
        self.cancelled = False
        self.process = subprocess.Popen(_command(target, CONFIG_NAME, folder), cwd=folder, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            line = line.rstrip()
            self.lines = (self.lines + [line])[-60:]
            if m := STEP_DONE.match(line):
                self.done, self.total = int(m.group(1)), int(m.group(2))
            elif m := STEP_RULE.match(line):
                self.step = m.group(1)
        self.process.wait()
        self.ended = time.monotonic()

    @property
    def running(self) -> bool:
        return self.ended is None

    @property
    def succeeded(self) -> bool:
        return self.ended is not None and self.process.returncode == 0 and not self.cancelled

    @property
    def locked(self) -> bool:
        """Whether it failed because another Snakemake process works in the folder."""
        return not self.running and any(LOCKED.search(line) for line in self.lines)

    def elapsed(self) -> int:
        return int((self.ended or time.monotonic()) - self.started)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the end (at most ``timeout`` seconds); whether it has ended."""
        self.reader.join(timeout)
        return not self.running

    def message(self) -> str:
        """The user-facing message of a failed job: Snakemake's and the step's own last lines, no traceback."""
        return user_lines("\n".join(self.lines))

    def cancel(self) -> None:
        """Stop Snakemake and its jobs (the whole process group, as Ctrl-C does): ``reports/`` is written only by
        the last step, so a cancelled run leaves it as it was."""
        if self.running:
            self.cancelled = True
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.reader.join(timeout=10)


__all__ = ["CONFIG_NAME", "Job", "run_check", "config_problems", "user_lines"]
