"""The self-contained HTML trial report.

The report only formats numbers that the workflow has already written to
tables; nothing is estimated here. Figures are embedded as base64 PNG so the
file can be read offline and handed on as one file.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from . import __version__
from .io import write_text

OUTCOME_LABELS = {
    "who5": "WHO-5 well-being (0-100)",
    "dropout": "Dropout (course ended without success)",
    "completed": "Course completed with success",
    "kept_housing_12m": "Kept own housing at 12 months",
    "eviction_or_risk_12m": "Eviction or risk of eviction by 12 months",
    "stable_income_12m": "Stable income at 12 months",
}
SCALE_LABELS = {"mean_difference": "Mean difference (points)", "odds_ratio": "Odds ratio",
                "risk_difference": "Risk difference (percentage points)", "risk_ratio": "Risk ratio",
                "hazard_ratio": "Hazard ratio"}
ANALYSIS_LABELS = {
    "itt": "Primary analysis (mixed model, intention to treat)",
    "clda": "Constrained longitudinal analysis",
    "cluster_level": "Cluster-level analysis (unweighted)",
    "cluster_level_weighted": "Cluster-level analysis (weighted)",
    "ancova_cr2": "Complete-case ANCOVA, CR2 cluster-robust",
    "randomisation_test": "Randomisation test",
    "multiple_imputation": "Multiple imputation",
    "per_protocol": "Per protocol",
    "cace": "Complier average causal effect",
}


def sha256(path: str | Path) -> str:
    """SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fmt_number(x: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    return f"{x:.{digits}f}"


def fmt_p(p: float) -> str:
    if p is None or np.isnan(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def effect_display(row: pd.Series) -> dict[str, str]:
    """One effects-table row formatted for reading (risk differences in percentage points)."""
    factor = 100.0 if row["scale"] == "risk_difference" else 1.0
    digits = 2
    return {
        "outcome": OUTCOME_LABELS.get(row["outcome"], row["outcome"]),
        "timepoint": f"{int(row['timepoint_months'])} months",
        "scale": SCALE_LABELS.get(row["scale"], row["scale"]),
        "estimate": fmt_number(row["estimate"] * factor, digits),
        "ci": (f"{fmt_number(row['ci_low'] * factor, digits)} to {fmt_number(row['ci_high'] * factor, digits)}"
               if pd.notna(row["ci_low"]) else "not estimated"),
        "df": fmt_number(row["df"], 0),
        "p": fmt_p(row["p_value"]),
        "p_adjusted": fmt_p(row["p_adjusted"]) if "p_adjusted" in row and pd.notna(row["p_adjusted"]) else "",
        "p_interaction": (fmt_p(row["p_interaction"]) if "p_interaction" in row and pd.notna(row["p_interaction"])
                          else ""),
        "analysis": ANALYSIS_LABELS.get(row.get("analysis", "itt"), row.get("analysis", "itt")),
        "n": f"{int(row['n_citizens'])} citizens, {int(row['n_clusters'])} caseworkers",
        "method": row["method"],
    }


def plain_summary(effects: pd.DataFrame) -> list[str]:
    """Sentences for readers who are not statisticians, worded from the numbers.

    An interval that includes no difference reads "no clear difference",
    never "no effect".
    """
    sentences = []
    effects = effects[effects["analysis"] == "itt"] if "analysis" in effects else effects
    primary = effects[(effects["outcome"] == "who5") & (effects["timepoint_months"] == 12)]
    if len(primary) and pd.notna(primary.iloc[0]["estimate"]):
        r = primary.iloc[0]
        direction = "higher" if r["estimate"] > 0 else "lower"
        text = (f"After 12 months, citizens whose caseworker used FIT scored on average "
                f"{abs(r['estimate']):.1f} points {direction} on the WHO-5 well-being scale (0-100) than citizens "
                f"whose caseworker worked as usual (95% confidence interval {r['ci_low']:.1f} to {r['ci_high']:.1f}).")
        if r["ci_low"] <= 0 <= r["ci_high"]:
            text += (" The interval includes no difference, so the trial shows no clear difference in well-being; "
                     "this is not proof that FIT has no effect.")
        else:
            text += f" The interval does not include zero: the data point to a {direction} score with FIT."
        sentences.append(text)
    odds = effects[effects["scale"] == "odds_ratio"]
    missing = [OUTCOME_LABELS[o].lower() for o in odds.loc[odds["estimate"].isna(), "outcome"]]
    odds = odds[odds["estimate"].notna()]
    clear = [OUTCOME_LABELS[o].lower() for o, lo, hi in zip(odds["outcome"], odds["ci_low"], odds["ci_high"])
             if not (lo <= 1 <= hi)]
    if missing:
        sentences.append("Not estimable from these data (see the methods table): " + "; ".join(missing) + ".")
    if len(odds):
        if clear:
            sentences.append("Among the course outcomes, the data point to a difference between the arms in: "
                             + "; ".join(clear) + ". The other course outcomes show no clear difference.")
        else:
            sentences.append("None of the course outcomes (completion, dropout, housing, eviction, income) shows a "
                             "clear difference between the arms.")
    return sentences


def embed_png(path: str | Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render_report(
    *,
    effects: pd.DataFrame,
    participants: pd.DataFrame,
    who5_summary: pd.DataFrame,
    variance: pd.DataFrame,
    data_quality: pd.DataFrame,
    missing_outcomes: pd.DataFrame,
    emmeans: pd.DataFrame,
    icc: pd.DataFrame,
    tipping: pd.DataFrame,
    figure_png: str | Path,
    inputs: dict[str, str],
    config: dict,
    target: str | Path,
) -> None:
    """Render the report to ``target`` (written atomically)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("fittrial", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)
    template = env.get_template("report.html")
    icc_row = variance.set_index("component")
    itt = effects[effects["analysis"] == "itt"]
    who5_12 = effects[(effects["outcome"] == "who5") & (effects["timepoint_months"] == 12)
                      & ~effects["analysis"].str.startswith("subgroup:")]
    subgroups = effects[effects["analysis"].str.startswith("subgroup:")]
    tip = tipping["tipping_delta"].iloc[0] if len(tipping) else float("nan")
    html = template.render(
        version=__version__,
        summary=plain_summary(effects),
        effects=[effect_display(r) for _, r in itt.iterrows()],
        sensitivity=[effect_display(r) for _, r in who5_12.iterrows()],
        subgroups=[{**effect_display(r), "level": r["analysis"].split(":", 1)[1]} for _, r in subgroups.iterrows()],
        other=[effect_display(r) for _, r in effects[(effects["analysis"] == "time_to_dropout")].iterrows()],
        emmeans=[{"arm": r["arm"], "visit": int(r["visit_months"]), "emmean": fmt_number(r["emmean"], 1),
                  "ci": f"{fmt_number(r['ci_low'], 1)} to {fmt_number(r['ci_high'], 1)}", "df": fmt_number(r["df"], 0)}
                 for _, r in emmeans.iterrows()],
        icc_table=[{"outcome": OUTCOME_LABELS.get(r["outcome"], r["outcome"]), "scale": r["scale"],
                    "icc": fmt_number(r["icc"], 3), "ci": f"{fmt_number(r['ci_low'], 3)} to {fmt_number(r['ci_high'], 3)}",
                    "deff": fmt_number(r["design_effect_unequal"], 2)} for _, r in icc.iterrows()],
        tipping_delta=("no shift within the examined range changes the conclusion" if pd.isna(tip) else
                       f"the conclusion about the 12-month WHO-5 effect changes when the imputed follow-up values of "
                       f"FIT citizens are shifted by {tip:+.1f} points"),
        methods=sorted({(ANALYSIS_LABELS.get(a, a) + ": " + OUTCOME_LABELS.get(o, o), m)
                        for a, o, m in zip(effects["analysis"], effects["outcome"], effects["method"])
                        if not a.startswith("subgroup:")}),
        participants=participants.to_dict("records"),
        who5=[{**r, "mean": fmt_number(r["mean"], 1), "sd": fmt_number(r["sd"], 1),
               "ci": (f"{fmt_number(r['ci_low'], 1)} to {fmt_number(r['ci_high'], 1)}"
                      if not np.isnan(r["ci_low"]) else "")} for r in who5_summary.to_dict("records")],
        variance=[{"component": r["component"], "variance": fmt_number(r["variance"], 2),
                   "share": fmt_number(100 * r["share"], 1)} for r in variance.to_dict("records")],
        icc=fmt_number(float(icc_row.loc["caseworker (cluster)", "share"]), 3),
        data_quality=data_quality.to_dict("records"),
        missing_outcomes=missing_outcomes.to_dict("records"),
        figure=embed_png(figure_png),
        inputs=[{"name": k, "path": v, "sha256": sha256(v)} for k, v in inputs.items() if v],
        config=config,
    )
    write_text(html, target)
