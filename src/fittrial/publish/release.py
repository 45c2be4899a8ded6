"""Publish the report set all or nothing.

Every rule writes its published tables, figures and reports into a staging
folder under ``paths.derived``; only when the whole set has been built does
:func:`publish` put it in place of ``paths.reports``, in one step: the set is
copied to a sibling folder, which then replaces the published folder by two
renames. A failed or interrupted run therefore leaves the last complete set
untouched and nothing of the new one. Entries of the published folder that the
report set does not produce (``validation/``, Snakemake's own report) are kept.
:func:`recover` repairs the one state an interruption between the two renames
can leave (no published folder, the previous one beside it), and removes
leftovers of interrupted copies.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

STAGE_PREFIX = ".new-"
OLD_PREFIX = ".old-"


def _siblings(target: Path, prefix: str) -> list[Path]:
    return sorted(target.parent.glob(f"{target.name}{prefix}*"))


def recover(target: str | Path) -> None:
    """Undo an interrupted publish: restore the previous set if none is in place; remove partial copies."""
    target = Path(target)
    old = _siblings(target, OLD_PREFIX)
    if not target.exists() and old:
        os.replace(old[-1], target)
        old = old[:-1]
    for path in old + _siblings(target, STAGE_PREFIX):
        shutil.rmtree(path, ignore_errors=True)


def _writable(folder: Path) -> bool:
    """Whether the folder can be replaced: writable by its permission bits (root passes os.access regardless)."""
    import stat

    mode = folder.stat().st_mode
    return os.access(folder, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def publish(staging: str | Path, target: str | Path, files: list[str] | None = None) -> None:
    """Replace ``target`` by the complete report set in ``staging`` (keeping entries staging does not have).

    ``files``: the report set's files (paths under ``staging``); only these are published, so that nothing else
    in the staging folder (a temporary file an interrupted step left) can reach ``target``. A ``target`` that is
    read-only is an error naming it (it is not replaced). Any failure, a full disk or Ctrl-C included, removes
    the new copy before it is raised, so nothing partial is left and ``target`` is unchanged."""
    staging, target = Path(staging), Path(target)
    recover(target)
    if target.exists() and not _writable(target):
        raise PermissionError(errno.EACCES, "the published folder is read-only; make it writable to publish",
                              str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    new = target.parent / f"{target.name}{STAGE_PREFIX}{os.getpid()}"
    chosen = [Path(f) for f in files] if files is not None else [p for p in staging.rglob("*") if p.is_file()]
    try:
        new.mkdir()
        for path in sorted(chosen):
            relative = path.resolve().relative_to(staging.resolve())
            (new / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, new / relative)
        if target.exists():
            for entry in target.iterdir():
                if not (new / entry.name).exists():
                    (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, new / entry.name)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if target.exists():
        old = target.parent / f"{target.name}{OLD_PREFIX}{os.getpid()}"
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
