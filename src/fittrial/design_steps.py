"""Workflow steps of ``snakemake design`` (see :mod:`fittrial.design`): the design parameters, one cell of the
simulated-power grid, and the design report (HTML in the report's language, tables and the power figure)."""

from __future__ import annotations

import json
from typing import Mapping

import numpy as np
import pandas as pd

from .design import DesignParameters, analytic_power, analytic_table, power_summary, simulated_power, trial_parameters
from .io import write_csv, write_parquet, write_text

FLOAT_FORMAT = "%.10g"


def parameters_step(citizens: str, randomisation: str, variance: str, overrides: dict, primary_visit: int,
                    out: str) -> None:
    """The design parameters with their sources, as JSON."""
    p = trial_parameters(pd.read_parquet(citizens), pd.read_parquet(randomisation), pd.read_parquet(variance),
                         primary_visit, overrides)
    write_text(json.dumps({"values": p.as_dict(), "sources": p.sources, "primary_visit": primary_visit},
                          indent=2, sort_keys=True) + "\n", out)


def load_parameters(path: str) -> tuple[DesignParameters, int]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return DesignParameters(**data["values"], sources=data["sources"]), int(data["primary_visit"])


def grid_cells(grid: Mapping) -> list[tuple[int, float, float]]:
    """The cells (caseworkers per arm, citizens per caseworker, effect) in the order of their numbers."""
    return [(int(k), float(m), float(d)) for k in grid["caseworkers_per_arm"] for m in grid["citizens_per_caseworker"]
            for d in grid["effects"]]


def cell_step(parameters: str, base: str, grid: Mapping, cell: int, lmm_df: str, primary_visit: int, alpha: float,
              out: str) -> None:
    """Simulate and analyse the trials of one cell (forms complete or missing, no item-level missingness)."""
    import yaml

    p, _ = load_parameters(parameters)
    with open(base, encoding="utf-8") as fh:
        base_params = {**yaml.safe_load(fh), "missing_item": 0.0}
    k, m, d = grid_cells(grid)[cell]
    trials = simulated_power(p, k, m, d, int(grid["trials"]), int(grid["seed"]), cell, lmm_df, primary_visit, alpha,
                             base_params)
    write_parquet(trials, out)


def report_step(parameters: str, cells: list[str], options: Mapping, language: str, out: Mapping[str, str]) -> None:
    """The design report (HTML), the parameters, the analytic sample sizes, the simulated and analytic power
    side by side, and the power figure."""
    from .i18n import Translator

    t = Translator(language)
    p, primary_visit = load_parameters(parameters)
    alpha, target = float(options["alpha"]), float(options["power"])
    analytic = analytic_table(p, [float(x) for x in options["citizens_per_caseworker"]],
                              [float(x) for x in options["effects"]], target, alpha)
    power = power_summary(pd.concat([pd.read_parquet(c) for c in cells], ignore_index=True), p, alpha)
    params = pd.DataFrame([{"parameter": k, "value": v, "source": p.sources.get(k, "")}
                           for k, v in p.as_dict().items()])
    write_csv(params, out["parameters"], float_format=FLOAT_FORMAT)
    write_csv(analytic, out["analytic"], float_format=FLOAT_FORMAT)
    write_csv(power, out["power"], float_format=FLOAT_FORMAT)
    power_figure(p, power, alpha, t, out["png"], out["svg"])
    write_text(design_html(p, params, analytic, power, primary_visit, target, t, out["png"]), out["html"])


def power_figure(p: DesignParameters, power: pd.DataFrame, alpha: float, t, png: str, svg: str) -> None:
    """Analytic power curves over caseworkers per arm (lines) and the simulated power with 95% MC intervals."""
    import math

    from .figures import _save, plt

    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        k_max = int(power["caseworkers_per_arm"].max()) if len(power) else 50
        ks = np.arange(2, k_max + 6)
        for j, ((m, d), g) in enumerate(power.groupby(["citizens_per_caseworker", "effect"])):
            colour = f"C{j}"
            poisson = DesignParameters(**{**p.as_dict(), "cv": 1 / math.sqrt(m)})
            ax.plot(ks, [analytic_power(poisson, int(k), m, d, alpha) for k in ks], color=colour, lw=1,
                    label=t("ds_curve", m=t.num(m, 0), d=t.num(d, 0 if float(d).is_integer() else 1)))
            ax.errorbar(g["caseworkers_per_arm"], g["simulated_power"], yerr=1.96 * g["simulated_power_mcse"],
                        fmt="o", color=colour, ms=4, capsize=2)
        ax.axhline(0.8, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(t("ds_x"))
        ax.set_ylabel(t("ds_y"))
        ax.set_ylim(0, 1)
        ax.legend(frameon=False, fontsize=7, loc="lower right")
        fig.tight_layout()
        _save(fig, png, svg, t.decimal)


def design_html(p: DesignParameters, params: pd.DataFrame, analytic: pd.DataFrame, power: pd.DataFrame,
                primary_visit: int, target: float, t, png: str) -> str:
    """The design report as one self-contained HTML page."""
    import html

    from .report import embed_png

    def esc(x: object) -> str:
        return html.escape(str(x))

    m_obs = p.citizens_per_caseworker
    sentences = []
    for d, g in analytic.groupby("effect", sort=False):
        row = g.iloc[(g["citizens_per_caseworker"] - m_obs).abs().argsort().iloc[0]]
        if pd.notna(row["caseworkers_per_arm"]):
            sentences.append(t("ds_sentence", d=t.num(d, 0 if float(d).is_integer() else 1), pw=t.num(100 * target, 0),
                               k=t.count(int(row["caseworkers_per_arm"])), m=t.num(row["citizens_per_caseworker"], 0),
                               n=t.count(int(row["citizens_total"]))))
    param_rows = "".join(f"<tr><td>{esc(t('dp_' + r.parameter))}</td><td class=num>{t.num(r.value, 3)}</td>"
                         f"<td>{esc(r.source)}</td></tr>" for r in params.itertuples())
    analytic_rows = "".join(
        f"<tr><td class=num>{t.num(r.citizens_per_caseworker, 0)}</td><td class=num>{t.num(r.effect, 1)}</td>"
        f"<td class=num>{'-' if pd.isna(r.caseworkers_per_arm) else t.count(int(r.caseworkers_per_arm))}</td>"
        f"<td class=num>{'-' if pd.isna(r.citizens_total) else t.count(int(r.citizens_total))}</td></tr>"
        for r in analytic.itertuples())
    power_rows = "".join(
        f"<tr><td class=num>{int(r.caseworkers_per_arm)}</td><td class=num>{t.num(r.citizens_per_caseworker, 0)}</td>"
        f"<td class=num>{t.num(r.effect, 1)}</td><td class=num>{t.num(100 * r.analytic_power, 1)}%</td>"
        f"<td class=num>{t.num(100 * r.simulated_power, 1)}% ({t.num(100 * r.simulated_power_mcse, 1)})</td>"
        f"<td class=num>{t.count(int(r.n_trials))}</td></tr>" for r in power.itertuples())
    return f"""<!DOCTYPE html>
<html lang="{t.language}">
<head><meta charset="utf-8"><title>{esc(t('ds_title'))}</title>
<style>body {{ font-family: Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }} th, td {{ border: 1px solid #ccc;
padding: 0.25em 0.5em; text-align: left; }} th {{ background: #f2f2f2; }} td.num {{ text-align: right; }}
.summary {{ background: #eef5fb; border-left: 4px solid #1b6ca8; padding: 0.6em 1em; }} .small {{ font-size: 0.85em;
color: #555; }} img {{ max-width: 100%; }} @page {{ size: A4; margin: 16mm 14mm; }}</style></head>
<body>
<h1>{esc(t('ds_title'))}</h1>
<div class="summary">{''.join(f'<p>{esc(s)}</p>' for s in sentences)}</div>
<h2>{esc(t('ds_parameters'))}</h2>
<table><tr><th>{esc(t('ds_parameter'))}</th><th>{esc(t('value'))}</th><th>{esc(t('ds_source'))}</th></tr>
{param_rows}</table>
<h2>{esc(t('ds_analytic'))}</h2>
<table><tr><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_effect'))}</th><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_n'))}</th></tr>
{analytic_rows}</table>
<p class="small">{esc(t('ds_analytic_note', pw=t.num(100 * target, 0), v=primary_visit))}</p>
<h2>{esc(t('ds_simulated'))}</h2>
<figure><img src="{embed_png(png)}" alt="{esc(t('ds_alt'))}"><figcaption class="small">{esc(t('ds_alt'))}</figcaption></figure>
<table><tr><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_effect'))}</th><th>{esc(t('ds_power_a'))}</th>
<th>{esc(t('ds_power_s'))}</th><th>{esc(t('ds_trials'))}</th></tr>
{power_rows}</table>
<p class="small">{esc(t('ds_simulated_note'))}</p>
</body></html>
"""
