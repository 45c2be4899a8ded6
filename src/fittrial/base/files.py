"""Writing outputs atomically: a file is either complete or absent, never half-written (a failed or killed step
leaves nothing that a later step, or a reader of ``reports/``, could take for a result)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it into place on success.

    Nothing half-written is ever left at ``target``: on error the temporary
    file is removed.
    """
    target = Path(target)
    with _naming(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _naming(target, tmp_path):
            yield tmp_path
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs are meant to be shared
            os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextmanager
def _naming(target: Path, tmp: Path | None = None) -> Iterator[None]:
    """An operating-system error while writing ``target`` (a full disk, no permission) names ``target``: a writer
    such as Arrow's raises it without a file name, and the temporary file's name would mean nothing to a user."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None or (exc.filename and Path(str(exc.filename)) not in (tmp, None)
                                 and Path(str(exc.filename)) != target):
            raise
        raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(target)) from exc


def write_parquet(frame: pd.DataFrame, target: str | Path) -> None:
    """Write a Parquet file atomically (no index, deterministic column order)."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def write_csv(frame: pd.DataFrame, target: str | Path, float_format: str | None = None) -> None:
    """Write a CSV atomically with Unix line endings and no index."""
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n", float_format=float_format)


def write_text(text: str, target: str | Path) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sha256(path: str | Path) -> str:
    """SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
