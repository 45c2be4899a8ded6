"""Fetch axe-core (the accessibility engine the desk's browser tests inject into every page) from the npm registry,
check it against the pinned SHA-256 and unpack ``axe.min.js`` into ``.cache/`` (not committed). Run by
``run-tests.sh``; a second run does nothing.

    python tools/fetch_axe.py        # prints the path of axe.min.js
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.10.3"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
SHA256 = "0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292"  # of the .tgz
ROOT = Path(__file__).resolve().parents[1]


def axe_path(root: Path = ROOT) -> Path:
    """Where ``axe.min.js`` is kept."""
    return root / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch(root: Path = ROOT, timeout: float = 60) -> Path:
    """Download and unpack axe-core unless it is there; raises RuntimeError when the download's hash differs."""
    target = axe_path(root)
    if target.exists():
        return target
    with urllib.request.urlopen(URL, timeout=timeout) as response:  # noqa: S310 - a fixed https URL
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise RuntimeError(f"{URL}: SHA-256 {digest}, expected {SHA256}; not used")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(target)
    return target


if __name__ == "__main__":
    try:
        print(fetch())
    except (OSError, RuntimeError) as problem:
        print(f"fetch_axe: axe-core could not be fetched ({problem}); the accessibility tests are skipped",
              file=sys.stderr)
        sys.exit(0 if "--optional" in sys.argv else 1)
