"""The Snakemake command line of a workflow target, shared by the ``fittrial`` command
and the evaluator's desk (:mod:`fittrial.desk.app`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

# the project folder: src/fittrial/base/command.py -> the folder holding the Snakefile (an editable install)
ROOT = Path(__file__).resolve().parents[3]


def snakemake_command(target: str | None, config: str, cores: str = "all", dry_run: bool = False,
                      profile: Path | str | None = None, extra: Sequence[str] = (), root: Path = ROOT,
                      here: Path | None = None, python: str = sys.executable) -> list[str]:
    """The Snakemake command line for a target (None: the default target): the project's Snakefile and profile,
    the current folder as the working directory, the config as ``--configfile=FILE`` (the ``=`` form: the option
    takes several files, so a target after ``--configfile FILE`` would be read as one), and the target before the
    options, so that no option that takes several values reads it either. ``profile``: a profile besides the
    project's default (:func:`find_profile`); ``extra``: options passed on unchanged, last."""
    here = here or Path.cwd()
    argv = [python, "-m", "snakemake", *([target] if target else []), "--snakefile", str(root / "Snakefile"),
            "--directory", str(here), f"--configfile={config}", "--cores", cores,
            "--workflow-profile", str(root / "profiles" / "default")]
    if profile is not None:
        argv += ["--profile", str(profile)]
    if dry_run:
        argv.append("--dry-run")
    return argv + list(extra)


__all__ = ["ROOT", "snakemake_command"]
