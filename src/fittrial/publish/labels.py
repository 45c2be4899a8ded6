"""How published tables name the arms: FIT and control, or A and B in a blinded review (which arm is A comes from
the key, :mod:`fittrial.inputs.blinding`); and the number format of every published table."""

from __future__ import annotations

import pandas as pd

FLOAT_FORMAT = "%.10g"  # every published number: ten significant digits, the same bytes on every run

BLIND_LABELS = {"FIT": "A", "control": "B"}


def publish(frame: pd.DataFrame, blinded: bool) -> pd.DataFrame:
    """A published table with the arms shown as A and B when blinded (column names and arm values)."""
    if not blinded:
        return frame
    out = frame.rename(columns=lambda c: c.replace("FIT", "A").replace("control", "B") if isinstance(c, str) else c)
    for col in ("arm",):
        if col in out:
            out[col] = out[col].map(lambda v: BLIND_LABELS.get(v, v))
    return out


BLIND_WORDS = [("the FIT arm", "arm A"), ("the control arm", "arm B"), ("analysed FIT citizen", "analysed arm-A citizen"),
               ("analysed control citizen", "analysed arm-B citizen"), ("'fit'", "'arm A'"), ("'not fit'", "'arm B'"),
               ("'FIT arm'", "'arm A'"), ("'not FIT arm'", "'arm B'")]


def blind_text(text: object) -> object:
    """A reason or method in words with the arms named A and B (blinded review)."""
    if not isinstance(text, str):
        return text
    for old, new in BLIND_WORDS:
        text = text.replace(old, new)
    return text
