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


def hide_arm_sizes(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` of a blinded review (read as text) without the number of caseworkers per arm, or anything
    that gives it back (config ``report.blinded_arm_sizes: total``): anyone who knows how many caseworkers
    were trained in FIT could otherwise tell which arm is A. Totals stay (the participants table's total
    column, the effects table's numbers of caseworkers); the arms' numbers of citizens stay."""
    from fittrial.language.messages import text

    out = frame.copy()
    arms = [a for a in ("A", "B") if a in out]
    if name == "flow":
        for a in ("A", "B"):
            out[f"{a}_caseworkers"] = ""
            out.loc[out["stage"] == "randomised", f"{a}_reasons"] = ""  # caseworkers per stratum and arm
            out.loc[out["stage"] == "enrolled", f"{a}_not_included"] = ""  # caseworkers without citizens
    elif name == "participants":
        rows = out["measure"].isin([text("lbl_p_randomised"), text("lbl_p_with_citizen")])
        out.loc[rows, arms] = ""
    elif name == "baseline":
        out.loc[out["level"] == text("w_caseworker"), arms] = ""  # counts, per stratum, and the mean per caseworker
    elif name == "recruitment":
        out.loc[out["measure"].isin(["caseworkers_randomised", "citizens_per_caseworker_mean"]), arms] = ""
        # the difference in mean caseload, with the arms' citizens and the total, gives the arms' sizes back
        size = out["measure"] == "size_difference"
        out.loc[size, [c for c in ("estimate", "ci_low", "ci_high", "se", "df", "p_value") if c in out]] = ""
        if "not_estimated" in out:
            out.loc[size, "not_estimated"] = text("ne_arm_sizes_hidden")
    return out
