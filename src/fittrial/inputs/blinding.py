"""Blinded review: which arm is shown as A comes from a key that the trial statistician holds.

With ``report.blinded: true`` every output shows the arms as A and B. The
mapping (is the FIT arm A or B?) is one bit of HMAC-SHA256(key, a fixed
label), with the key read from the environment variable
``FITTRIAL_BLINDING_KEY`` or from the file ``report.blinding_key_file`` (kept
outside the repository and outside ``reports/``). Nothing that is published
depends on the mapping except the arm-labelled numbers themselves: not the
inputs' hashes (the mapping does not depend on any input), not the config
(the key is never in it), not a file name or an order. Without a key the
workflow refuses to run blinded. Whoever holds the key can unblind with
``fittrial-unblind`` (:func:`mapping`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

KEY_ENV = "FITTRIAL_BLINDING_KEY"
_LABEL = b"fittrial arm mapping v1"


def key_problem(key_file: str | None) -> str | None:
    """Why no blinding key can be read (None when one can)."""
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            return (f"report.blinding_key_file: '{key_file}' does not exist; expected a file with the blinding key "
                    "(any text the trial statistician keeps outside the repository).")
        if not path.read_bytes().strip():
            return f"report.blinding_key_file: '{key_file}' is empty; expected the blinding key."
        return None
    if not os.environ.get(KEY_ENV, "").strip():
        return (f"report.blinded is true but there is no blinding key: set the environment variable {KEY_ENV} or "
                "report.blinding_key_file (a file outside the repository) to a secret the trial statistician "
                "keeps; the key decides which arm is shown as A, and nothing published reveals it.")
    return None


def read_key(key_file: str | None) -> bytes:
    """The blinding key from ``key_file`` or the environment (ValueError with the reason when there is none)."""
    problem = key_problem(key_file)
    if problem:
        raise ValueError(problem)
    return (Path(key_file).read_bytes() if key_file else os.environ[KEY_ENV].encode()).strip()


def fit_is_a(key: bytes) -> bool:
    """True when the key shows the FIT arm as A (and control as B); False when FIT is B."""
    return hmac.new(key, _LABEL, hashlib.sha256).digest()[0] % 2 == 0


def mapping(key: bytes) -> dict[str, str]:
    """{"A": arm, "B": arm} for a key: what the trial statistician reveals when unblinding."""
    return {"A": "FIT", "B": "control"} if fit_is_a(key) else {"A": "control", "B": "FIT"}


def main(argv: list[str] | None = None) -> int:
    """``fittrial-unblind [KEY_FILE]``: print which arm A and B are (key from the file or the environment)."""
    import argparse

    parser = argparse.ArgumentParser(description="Print which arm is A and which is B for a blinding key.")
    parser.add_argument("key_file", nargs="?", help=f"file with the key (default: the environment variable {KEY_ENV})")
    args = parser.parse_args(argv)
    try:
        m = mapping(read_key(args.key_file))
    except ValueError as err:
        print(err)
        return 2
    print(f"A = {m['A']}, B = {m['B']}")
    return 0


__all__ = ["KEY_ENV", "key_problem", "read_key", "fit_is_a", "mapping"]
