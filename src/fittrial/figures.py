"""Deterministic figures (same data give byte-identical PNG and SVG files)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .io import atomic_path  # noqa: E402

COLOURS = {"FIT": "#1b6ca8", "control": "#c2571a"}


def _save(fig: plt.Figure, png: str | Path, svg: str | Path | None) -> None:
    plt.rcParams["svg.hashsalt"] = "fittrial"
    with atomic_path(png) as tmp:
        fig.savefig(tmp, format="png", dpi=150, metadata={"Software": None})
    if svg is not None:
        with atomic_path(svg) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)


def who5_by_arm_figure(summary: pd.DataFrame, png: str | Path, svg: str | Path | None = None) -> None:
    """Observed WHO-5 mean (95% CI) by arm at each visit; ``summary`` from tables.who5_by_arm_visit."""
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 10}):
        fig, ax = plt.subplots(figsize=(6, 4))
        offsets = {"FIT": -0.25, "control": 0.25}
        for arm, g in summary.groupby("arm", sort=False):
            g = g.dropna(subset=["mean"])
            x = g["visit_months"] + offsets.get(arm, 0)
            ax.errorbar(x, g["mean"], yerr=[g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]], marker="o",
                        capsize=3, color=COLOURS.get(arm), label=arm)
        ax.set_xticks(sorted(summary["visit_months"].unique()))
        ax.set_xlabel("Months since enrolment")
        ax.set_ylabel("WHO-5 score (0-100), mean and 95% CI")
        ax.set_ylim(0, 100)
        ax.axhline(50, color="grey", lw=0.6, ls=":")
        ax.legend(frameon=False, loc="upper left")
        ax.set_title("WHO-5 well-being by arm (observed)")
        fig.tight_layout()
        _save(fig, png, svg)
