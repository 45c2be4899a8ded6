"""tools/setup-env.sh rebuilds a .venv that belongs to another checkout (e.g. after `cp -r`).

A stand-in Python records what the script asks of it, so the test needs no network and no real install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

FAKE_PYTHON = r"""#!/bin/bash
# stand-in for python3: records pip calls, makes a venv whose scripts point at this checkout
if [ "$1" = "-c" ]; then exit 0; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"; cp "$0" "$3/bin/python"
  printf '#!%s/bin/python\n' "$(cd "$3" && pwd -P)" > "$3/bin/snakemake"; exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo pip >> "$PIP_LOG"; exit 0; fi
exit 1
"""


def checkout(path: Path) -> Path:
    (path / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "setup-env.sh", path / "tools" / "setup-env.sh")
    for name in ("requirements.lock", "pyproject.toml"):
        shutil.copy(ROOT / name, path / name)
    return path


def setup(path: Path, fake: Path, log: Path) -> int:
    subprocess.run(["bash", "tools/setup-env.sh"], cwd=path, check=True, capture_output=True,
                   env={**os.environ, "PYTHON": str(fake), "PIP_LOG": str(log)})
    return len(log.read_text().split()) if log.exists() else 0


def test_copied_checkout_gets_its_own_environment(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = tmp_path / "pip.log"
    original = checkout(tmp_path / "original")
    assert setup(original, fake, log) == 2  # built: locked packages, then the package itself
    assert setup(original, fake, log) == 2  # unchanged: nothing rebuilt
    copy = tmp_path / "copy"
    shutil.copytree(original, copy, symlinks=True)
    assert setup(copy, fake, log) == 4  # the copied .venv points at the original: rebuilt
    assert (copy / ".venv" / "bin" / "snakemake").read_text().startswith(f"#!{copy.resolve()}/.venv/bin/python")
    assert setup(copy, fake, log) == 4
