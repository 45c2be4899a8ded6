"""Deterministic figures (same data give byte-identical PNG and SVG files)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from fittrial.base.files import atomic_path  # noqa: E402

COLOURS = {"FIT": "#1b6ca8", "control": "#c2571a"}


def decimal_comma(fig: plt.Figure) -> None:
    """Danish figures: decimal comma on every axis's tick labels."""
    from matplotlib.ticker import FuncFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "linear":
                continue
            base = axis.get_major_formatter()

            def fmt(x: float, pos: int | None, base=base, axis=axis) -> str:
                base.set_locs(axis.get_majorticklocs())  # a ScalarFormatter formats only once it knows its ticks
                return base(x, pos).replace(".", ",")

            axis.set_major_formatter(FuncFormatter(fmt))


def _save(fig: plt.Figure, png: str | Path, svg: str | Path | None, decimal: str = ".") -> None:
    plt.rcParams["svg.hashsalt"] = "fittrial"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable (privacy checks), smaller
    if decimal == ",":
        decimal_comma(fig)
    with atomic_path(png) as tmp:
        fig.savefig(tmp, format="png", dpi=150, metadata={"Software": None})
    if svg is not None:
        with atomic_path(svg) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)


def who5_by_arm_figure(summary: pd.DataFrame, png: str | Path, svg: str | Path | None = None,
                       labels: dict[str, str] | None = None) -> None:
    """Observed WHO-5 mean (95% CI) by arm at each visit; ``summary`` from tables.who5_by_arm_visit (arms FIT and
    control, or A and B when blinded). ``labels``: the report language's (see report_steps.figure_labels)."""
    labels = labels or {}
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 10}):
        fig, ax = plt.subplots(figsize=(6, 4))
        offsets = {"FIT": -0.25, "control": 0.25, "A": -0.25, "B": 0.25}
        colours = {**COLOURS, "A": COLOURS.get("FIT"), "B": COLOURS.get("control")}
        for arm, g in summary.groupby("arm", sort=False):
            g = g.dropna(subset=["mean"])
            x = g["visit_months"] + offsets.get(arm, 0)
            ax.errorbar(x, g["mean"], yerr=[g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]], marker="o",
                        capsize=3, color=colours.get(arm), label=labels.get(arm, arm))
        ax.set_xticks(sorted(summary["visit_months"].unique()))
        ax.set_xlabel(labels.get("months", "Months since enrolment"))
        ax.set_ylabel(labels.get("who5", "WHO-5 (0-100), mean and 95% CI"))
        ax.set_ylim(0, 100)
        ax.axhline(50, color="grey", lw=0.6, ls=":")
        ax.legend(frameon=False, loc="upper left")
        ax.set_title(labels.get("who5_title", "WHO-5 well-being by arm (observed)"))
        fig.tight_layout()
        _save(fig, png, svg, labels.get("decimal", "."))


def forest_figure(rows: pd.DataFrame, png: str | Path, svg: str | Path | None, xlabel: str, null: float = 0.0,
                  title: str = "", log_scale: bool = False, decimal: str = ".") -> None:
    """Forest plot: ``rows`` has label, estimate, ci_low, ci_high and optionally note (printed at the right)."""
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        n = len(rows)
        fig, ax = plt.subplots(figsize=(7.5, 0.42 * n + 1.3))
        y = list(range(n))[::-1]
        ok = rows["estimate"].notna()
        ax.errorbar(rows.loc[ok, "estimate"], [y[i] for i in range(n) if ok.iloc[i]],
                    xerr=[rows.loc[ok, "estimate"] - rows.loc[ok, "ci_low"], rows.loc[ok, "ci_high"] - rows.loc[ok, "estimate"]],
                    fmt="s", color="#1b6ca8", ecolor="#1b6ca8", capsize=3, markersize=5)
        ax.axvline(null, color="grey", lw=0.8, ls="--")
        ax.set_yticks(y, rows["label"])
        if "note" in rows:
            for yi, note in zip(y, rows["note"]):
                ax.annotate(str(note), xy=(1.01, yi), xycoords=("axes fraction", "data"), va="center", fontsize=8)
        if log_scale:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        if title:
            ax.set_title(title)
        fig.tight_layout()
        _save(fig, png, svg, decimal)


def cif_figure(table: pd.DataFrame, png: str | Path, svg: str | Path | None, labels: dict[str, str]) -> None:
    """Cumulative incidence of dropout by arm, with the numbers at risk below the axis.

    ``table``: arm, day, cumulative_incidence, ci_low, ci_high, n_at_risk (:func:`fittrial.analyses.survival.cif_table`,
    already suppressed). The curves step at the table's days to the table's values, with their pointwise 95% CIs as
    bars: the figure and the table are one computation, so the figure neither ends below its own table nor shows
    a step the table hides (a step between two of the table's days would reveal the few dropouts between them).
    """
    curve = table.dropna(subset=["cumulative_incidence"])[["arm", "day", "cumulative_incidence"]]
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(7, 4.6))
        offsets = {"FIT": -3.0, "control": 3.0}
        for arm, g in curve.groupby("arm", sort=False):
            ax.step(g["day"], g["cumulative_incidence"], where="post", color=COLOURS.get(arm),
                    label=labels.get(arm, arm))
        for arm, g in table.dropna(subset=["cumulative_incidence"]).groupby("arm", sort=False):
            g = g[g["ci_high"] > g["ci_low"]]
            ax.errorbar(g["day"] + offsets.get(arm, 0), g["cumulative_incidence"],
                        yerr=[g["cumulative_incidence"] - g["ci_low"], g["ci_high"] - g["cumulative_incidence"]],
                        fmt="none", ecolor=COLOURS.get(arm), elinewidth=0.8, capsize=2)
        top = pd.concat([curve["cumulative_incidence"], table["ci_high"]]).max()
        ax.set_ylim(0, min(1.0, max(0.1, 1.15 * (0 if pd.isna(top) else float(top)))))
        ax.set_xlim(-10, max(table["day"]) + 20)
        ax.set_xlabel(labels.get("days", "Days since enrolment"))
        ax.set_ylabel(labels.get("cif", "Cumulative incidence of dropout"))
        if len(curve):  # an arm's curve is left out when fewer citizens than the threshold are at risk
            ax.legend(frameon=False, loc="upper left")
        days = sorted(table["day"].unique())
        ax.set_xticks(days)
        for k, (arm, g) in enumerate(table.groupby("arm", sort=False)):
            for _, r in g.iterrows():
                ax.annotate(str(r["n_at_risk"]) or "-", xy=(r["day"], -0.3 - 0.07 * k),
                            xycoords=("data", "axes fraction"), ha="center", fontsize=8, color=COLOURS.get(arm))
            ax.annotate(labels.get(arm, arm), xy=(-0.02, -0.3 - 0.07 * k), xycoords="axes fraction", ha="right",
                        fontsize=8, color=COLOURS.get(arm))
        ax.annotate(labels.get("at_risk", "Number at risk"), xy=(-0.02, -0.23), xycoords="axes fraction", ha="right",
                    fontsize=8, fontstyle="italic")
        fig.subplots_adjust(bottom=0.33, left=0.15, right=0.97, top=0.96)
        _save(fig, png, svg, labels.get("decimal", "."))


def flow_figure(flow: pd.DataFrame, png: str | Path, svg: str | Path | None, title: str = "") -> None:
    """CONSORT flow diagram for a cluster trial, drawn from :func:`fittrial.steps.report.flow_texts`: one row
    per stage with its label, and per arm a main box (citizens and caseworkers, the clusters, at that stage)
    and a side box (who is not included there, and why)."""
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 7.5}):
        labels = [textwrap.fill(str(r["label"]), 25) for _, r in flow.iterrows()]
        lines = [max(lab.count("\n"), str(r["FIT"]).count("\n"), str(r["control"]).count("\n"),
                     str(r["FIT_side"]).count("\n"), str(r["control_side"]).count("\n")) + 1
                 for lab, (_, r) in zip(labels, flow.iterrows())]
        line_in, pad_in = 0.145, 0.25
        heights = [k * line_in + pad_in for k in lines]
        total = sum(heights) + 0.35
        # 8 inches wide: a report page shows it at about 85%, so the side boxes stay above 6 pt
        fig, ax = plt.subplots(figsize=(8.0, total))
        fig.subplots_adjust(0.01, 0.0, 0.99, 1.0)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, total)
        ax.axis("off")
        main_x, side_x = {"FIT": 0.29, "control": 0.70}, {"FIT": 0.43, "control": 0.835}
        top = total - 0.3
        for col in ("FIT", "control"):
            ax.text(main_x[col], top + 0.05, flow.attrs.get(col, col), ha="center", va="bottom", fontweight="bold",
                    color=COLOURS.get(col), fontsize=9)
            ax.text(side_x[col], top + 0.05, flow.attrs.get("side", ""), ha="center", va="bottom",
                    fontstyle="italic", color="grey")
        y = top
        for k, (lab, h, (_, r)) in enumerate(zip(labels, heights, flow.iterrows())):
            yc = y - h / 2
            ax.text(0.0, yc, lab, ha="left", va="center", fontweight="bold")
            for col in ("FIT", "control"):
                ax.text(main_x[col], yc, str(r[col]), ha="center", va="center", multialignment="center",
                        bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": COLOURS.get(col, "black")})
                if str(r[f"{col}_side"]):
                    ax.text(side_x[col] - 0.06, yc, str(r[f"{col}_side"]), ha="left", va="center",
                            fontsize=7.0, bbox={"boxstyle": "square,pad=0.3", "fc": "#f6f6f6", "ec": "grey"})
                if k < len(labels) - 1:
                    ax.annotate("", xy=(main_x[col], y - h - 0.02), xytext=(main_x[col], yc - 0.17),
                                arrowprops={"arrowstyle": "->", "color": "lightgrey", "lw": 0.7})
            ax.axhline(y, color="#eeeeee", lw=0.5, zorder=-1)
            y -= h
        if title:
            ax.set_title(title, pad=18)
        _save(fig, png, svg)


def trajectories_figure(primary: pd.DataFrame, png: str | Path, svg: str | Path | None,
                        labels: dict[str, str]) -> None:
    """WHO-5 by arm at every visit with 95% CIs: the baseline observed mean (open marker) and the follow-up
    marginal means of the primary model (filled, joined by a line); a dotted line joins the two kinds of
    estimate, which are not the same quantity."""
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(6, 4))
        for k, arm in enumerate(("FIT", "control")):
            x = primary["visit_months"] + (k - 0.5) * 0.3
            m = primary[f"{arm}_mean"]
            err = [m - primary[f"{arm}_ci_low"], primary[f"{arm}_ci_high"] - m]
            base = (primary["visit_months"] == 0).to_numpy()
            ax.errorbar(x[~base], m[~base], yerr=[e[~base] for e in err], marker="o", capsize=3, color=COLOURS[arm],
                        label=labels.get(arm, arm))
            if base.any():
                ax.errorbar(x[base], m[base], yerr=[e[base] for e in err], marker="o", mfc="white", capsize=3,
                            color=COLOURS[arm], ls="none")
                follow = np.flatnonzero(~base)
                if len(follow):
                    j = follow[0]
                    ax.plot([x[base].iloc[0], x.iloc[j]], [m[base].iloc[0], m.iloc[j]], ls=":", color=COLOURS[arm])
        ax.set_xticks(sorted(primary["visit_months"]))
        ax.set_xlabel(labels.get("months", "Months since enrolment"))
        ax.set_ylabel(labels.get("who5", "WHO-5 (0-100), mean and 95% CI"))
        ax.set_ylim(0, 100)
        ax.axhline(50, color="grey", lw=0.6, ls=":")
        ax.legend(frameon=False, loc="upper left")
        fig.tight_layout()
        _save(fig, png, svg, labels.get("decimal", "."))


def practice_figure(by_meeting: pd.DataFrame, png: str | Path, svg: str | Path | None,
                    labels: dict[str, str]) -> None:
    """ORS and SRS by meeting number: median and interquartile band, with the clinical cut-offs."""
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True)
        for ax, col, cut, name in ((axes[0], "ors", 25, "ORS"), (axes[1], "srs", 36, "SRS")):
            d = by_meeting.dropna(subset=[f"{col}_median"]).drop(columns=["meeting", "meetings"], errors="ignore")
            d = d.rename(columns={"meeting_from": "meeting"}).astype(float)
            if d.empty:
                ax.text(0.5, 0.5, labels.get("no_data", "no data"), ha="center", va="center", transform=ax.transAxes)
                ax.set_title(name)
                continue
            ax.fill_between(d["meeting"], d[f"{col}_q1"], d[f"{col}_q3"], color="#1b6ca8", alpha=0.2,
                            label=labels.get("iqr", "interquartile range"))
            ax.plot(d["meeting"], d[f"{col}_median"], marker="o", color="#1b6ca8", label=labels.get("median", "median"))
            ax.axhline(cut, color="#c2571a", ls="--", lw=1, label=f"{labels.get('cutoff', 'cut-off')} {cut}")
            ax.set_ylim(0, 40)
            ax.set_title(name)
            ax.set_xlabel(labels.get("meeting", "Meeting number"))
            ax.legend(frameon=False, fontsize=8, loc="lower right")
        fig.tight_layout()
        _save(fig, png, svg, labels.get("decimal", "."))


def tipping_2d_figure(grid: pd.DataFrame, png: str | Path, svg: str | Path | None, labels: dict[str, str]) -> None:
    """Two-dimensional tipping point: the conclusion of the pooled MI test for every pair of shifts.

    ``grid`` has delta_fit, delta_control and conclusion (``favours_fit``,
    ``no_difference``, ``favours_control``). The shift of the imputed values of
    the control arm is on the x axis, of the FIT arm on the y axis; the point
    (0, 0) is missing at random, the diagonal an equal shift in both arms.
    ``labels``: ``x``, ``y``, ``favours_fit``, ``no_difference``,
    ``favours_control``, ``mar``, ``decimal``.
    """
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    codes = {"favours_control": 0, "no_difference": 1, "favours_fit": 2}
    xs = np.sort(grid["delta_control"].unique())
    ys = np.sort(grid["delta_fit"].unique())
    table = grid.pivot(index="delta_fit", columns="delta_control", values="conclusion").reindex(index=ys, columns=xs)
    z = table.apply(lambda col: col.map(codes)).to_numpy(float)
    colours = [COLOURS["control"], "#e6e6e6", COLOURS["FIT"]]
    fig, ax = plt.subplots(figsize=(6.2, 5.0))
    step_x = (xs[1] - xs[0]) if len(xs) > 1 else 1.0
    step_y = (ys[1] - ys[0]) if len(ys) > 1 else 1.0
    ax.imshow(z, origin="lower", cmap=ListedColormap(colours), vmin=-0.5, vmax=2.5, aspect="auto",
              extent=(xs[0] - step_x / 2, xs[-1] + step_x / 2, ys[0] - step_y / 2, ys[-1] + step_y / 2),
              interpolation="nearest")
    lo, hi = min(xs[0], ys[0]), max(xs[-1], ys[-1])
    ax.plot([lo, hi], [lo, hi], color="#555555", lw=0.8, ls="--")
    ax.plot([0], [0], marker="o", color="black")
    ax.annotate(labels["mar"], (0, 0), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    handles = [Patch(color=c, label=labels[k]) for k, c in zip(("favours_fit", "no_difference", "favours_control"),
                                                                 colours[::-1])]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    _save(fig, png, svg, labels.get("decimal", "."))


def placeholder_figure(text: str, png: str | Path, svg: str | Path | None) -> None:
    """A figure that only says why there is nothing to draw (e.g. "Not estimated")."""
    import textwrap

    lines = textwrap.wrap(text, 78) or [""]
    fig, ax = plt.subplots(figsize=(6.2, 1.2 if len(lines) == 1 else 0.9 + 0.25 * len(lines)))
    ax.axis("off")
    ax.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=11 if len(lines) == 1 else 9,
            color="#555555")
    _save(fig, png, svg)
