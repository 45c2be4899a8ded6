"""Workflow steps of ``snakemake design`` (see :mod:`fittrial.design.power`): the design parameters, one cell of the
simulated-power grid, and the design report (HTML in the report's language, tables and the power figure)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from fittrial.base.files import write_csv, write_parquet, write_text
from fittrial.design.binary import (
    BinaryParameters,
    binary_power,
    binary_power_summary,
    binary_table,
    binary_trial_parameters,
    simulated_binary_power,
    usable,
)
from fittrial.design.power import (
    DesignParameters,
    analytic_power,
    analytic_table,
    caseworkers_needed,
    power_summary,
    sensitivity_table,
    simulated_power,
    trial_parameters,
)

FLOAT_FORMAT = "%.10g"
HEADLINE_MAX_K = 60  # a headline sample size above this many caseworkers per arm is not simulated (see cell_step)


def parameters_step(citizens: str, randomisation: str, overrides: dict, primary_visit: int, binary: Mapping,
                    bootstrap: Mapping, out: str) -> None:
    """The design parameters (WHO-5 and each binary outcome of ``binary["outcomes"]``) with their sources and the
    95% CIs of the estimated correlations (``bootstrap``: the config's ``analysis.icc``, replicates and seed), as
    JSON."""
    cit, rand = pd.read_parquet(citizens), pd.read_parquet(randomisation)
    p = trial_parameters(cit, rand, primary_visit, overrides, int(bootstrap["bootstrap"]), int(bootstrap["seed"]))
    set_binary = binary.get("parameters") or {}
    outcomes = {}
    for outcome in binary.get("outcomes") or []:
        b = binary_trial_parameters(cit, rand, outcome, set_binary.get(outcome))
        outcomes[outcome] = {"values": b.as_dict(), "sources": b.sources}
    write_text(json.dumps({"values": p.as_dict(), "sources": p.sources, "intervals": p.intervals,
                           "primary_visit": primary_visit, "binary": outcomes}, indent=2, sort_keys=True) + "\n",
               out)


def load_parameters(path: str) -> tuple[DesignParameters, int]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    intervals = {k: (float(v[0]), float(v[1])) for k, v in data.get("intervals", {}).items()}
    return DesignParameters(**data["values"], sources=data["sources"], intervals=intervals), \
        int(data["primary_visit"])


def load_binary_parameters(path: str) -> dict[str, BinaryParameters]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {o: BinaryParameters(o, **d["values"], sources=d["sources"]) for o, d in data.get("binary", {}).items()}


def grid_cells(grid: Mapping) -> list[tuple[int, float, float]]:
    """The cells (caseworkers per arm, citizens per caseworker, effect) in the order of their numbers."""
    return [(int(k), float(m), float(d)) for k in grid["caseworkers_per_arm"] for m in grid["citizens_per_caseworker"]
            for d in grid["effects"]]


def binary_cells(grid: Mapping, outcomes: list[str]) -> list[tuple[str, int, float, float]]:
    """The cells (outcome, caseworkers per arm, citizens per caseworker, odds ratio) of the binary grid."""
    return [(o, int(k), float(m), float(r)) for o in outcomes for k in grid["caseworkers_per_arm"]
            for m in grid["citizens_per_caseworker"] for r in grid["odds_ratios"]]


def design_cell_count(options: Mapping) -> int:
    """The number of simulated-power cells: the grid's, then one per target effect for the summary's headline
    sample sizes (:func:`headline_cells`)."""
    return len(grid_cells(options["simulation"])) + len(options["effects"])


def headline_m(p: DesignParameters, options: Mapping) -> float:
    """The citizens per caseworker of the summary: the analytic table's size nearest this trial's."""
    sizes = [float(x) for x in options["citizens_per_caseworker"]]
    return min(sizes, key=lambda m: (abs(m - p.citizens_per_caseworker), m))


def headline_cells(p: DesignParameters, options: Mapping) -> list[tuple[int | None, float, float]]:
    """(caseworkers per arm, citizens per caseworker, effect) of the summary's sentences: the analytic sample size
    for each target effect at :func:`headline_m` (k None when more than 2,000 per arm would be needed)."""
    m = headline_m(p, options)
    return [(caseworkers_needed(p, m, float(d), float(options["power"]), float(options["alpha"])), m, float(d))
            for d in options["effects"]]


def cell_step(parameters: str, base: str, options: Mapping, cell: int, lmm_df: str, primary_visit: int,
              alpha: float, out: str) -> None:
    """Simulate and analyse the trials of one cell (forms complete or missing, no item-level missingness).

    Cells beyond the grid (``options["simulation"]``) are the headline sample sizes of the summary, one per
    target effect, so that the summary states the simulated power of the pre-specified analysis at the size it
    recommends, also below the grid; one of more than HEADLINE_MAX_K caseworkers per arm is not simulated (an
    empty table: the analytic answer, on hundreds of df, needs no small-sample check)."""
    import yaml

    p, _ = load_parameters(parameters)
    with open(base, encoding="utf-8") as fh:
        base_params = {**yaml.safe_load(fh), "missing_item": 0.0}
    grid = options["simulation"]
    cells = grid_cells(grid)
    k, m, d = cells[cell] if cell < len(cells) else headline_cells(p, options)[cell - len(cells)]
    if k is None or k > HEADLINE_MAX_K:
        trials = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
            ("cell", "int64"), ("caseworkers_per_arm", "int64"), ("citizens_per_caseworker", "float64"),
            ("effect", "float64"), ("trial", "int64"), ("estimate", "float64"), ("se", "float64"),
            ("df", "float64"), ("p_value", "float64"), ("rejected", "bool"))})
    else:
        trials = simulated_power(p, k, m, d, int(grid["trials"]), int(grid["seed"]), cell, lmm_df, primary_visit,
                                 alpha, base_params)
    trials["headline"] = cell >= len(cells)
    write_parquet(trials, out)


def binary_cell_step(parameters: str, binary: Mapping, seed: int, cell: int, covariance: str, alpha: float,
                     out: str) -> None:
    """Simulate and analyse the trials of one cell of the binary grid by the pre-specified GEE."""
    grid = binary["simulation"]
    outcome, k, m, ratio = binary_cells(grid, list(binary["outcomes"]))[cell]
    p = load_binary_parameters(parameters)[outcome]
    if not usable(p):
        trials = pd.DataFrame(columns=["cell", "outcome", "caseworkers_per_arm", "citizens_per_caseworker",
                                       "odds_ratio", "trial", "log_odds_ratio", "se", "df", "p_value", "rejected"])
    else:
        trials = simulated_binary_power(p, k, m, ratio, int(grid["trials"]), int(seed), cell, covariance, alpha)
    write_parquet(trials, out)


def report_step(parameters: str, cells: list[str], binary_cells_: list[str], options: Mapping, language: str,
                out: Mapping[str, str], lmm_df: str = "kenward_roger") -> None:
    """The design report (HTML), the parameters, the analytic sample sizes, their sensitivity to each parameter,
    the simulated and analytic power side by side (``lmm_df``: the df rule the simulated trials were analysed
    with), and the power figure; the same for the binary outcomes."""
    from fittrial.language.i18n import Translator

    t = Translator(language)
    p, primary_visit = load_parameters(parameters)
    binary = load_binary_parameters(parameters)
    alpha, target = float(options["alpha"]), float(options["power"])
    sizes = [float(x) for x in options["citizens_per_caseworker"]]
    analytic = analytic_table(p, sizes, [float(x) for x in options["effects"]], target, alpha)
    power = power_summary(pd.concat([pd.read_parquet(c) for c in cells], ignore_index=True), p, alpha)
    sensitivity = sensitivity_table(p, headline_m(p, options), [float(x) for x in options["effects"]], target, alpha)
    en = Translator("en")
    params = pd.DataFrame([{"parameter": k, "value": v, "ci_low": p.intervals.get(k, (np.nan, np.nan))[0],
                            "ci_high": p.intervals.get(k, (np.nan, np.nan))[1],
                            "source": source_text(k, p.sources.get(k, ""), en, primary_visit)}
                           for k, v in p.as_dict().items()])
    b_params = pd.DataFrame([{"outcome": o, "parameter": k, "value": v,
                              "source": source_text(k, b.sources.get(k, ""), en, primary_visit, binary=True)}
                             for o, b in binary.items() for k, v in b.as_dict().items()],
                            columns=["outcome", "parameter", "value", "source"])
    b_analytic = binary_table(list(binary.values()), sizes,
                              [float(x) for x in options["binary"]["odds_ratios"]], target, alpha)
    b_frames = [f for f in (pd.read_parquet(c) for c in binary_cells_) if len(f)]
    b_power = binary_power_summary(pd.concat(b_frames, ignore_index=True) if b_frames else pd.DataFrame(
        columns=["cell", "outcome", "caseworkers_per_arm", "citizens_per_caseworker", "odds_ratio", "p_value",
                 "rejected"]), binary, alpha)
    write_csv(params, out["parameters"], float_format=FLOAT_FORMAT)
    write_csv(analytic, out["analytic"], float_format=FLOAT_FORMAT)
    write_csv(power, out["power"], float_format=FLOAT_FORMAT)
    write_csv(sensitivity, out["sensitivity"], float_format=FLOAT_FORMAT)
    write_csv(b_params, out["binary_parameters"], float_format=FLOAT_FORMAT)
    write_csv(b_analytic, out["binary_analytic"], float_format=FLOAT_FORMAT)
    write_csv(b_power, out["binary_power"], float_format=FLOAT_FORMAT)
    power_figure(p, power[~power["headline"]], binary, b_power, alpha, t, out["png"], out["svg"])
    write_text(design_html(p, params, analytic, power, primary_visit, target, t, out["png"], binary, b_analytic,
                           b_power, sensitivity, headline_cells(p, options), lmm_df, int(options["simulation"]
                                                                                          ["trials"])), out["html"])


def parameter_text(t, name: str, v: float) -> str:
    """A design parameter as a reader takes it: attrition in percent, the SD and sizes to one decimal, the
    correlations to three."""
    if name == "attrition":
        return f"{t.num(100 * v, 0)}%"
    return t.num(v, 1 if name in ("sd", "citizens_per_caseworker") else 3)


def _mid_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case, unless the first word is an abbreviation."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def source_text(parameter: str, source: str, t, primary_visit: int, binary: bool = False) -> str:
    """Where a design parameter comes from, in words: estimated from this trial (and how), or set in the config."""
    if source == "config":
        return t("ds_from_config", section="design.binary.parameters" if binary else "design.parameters")
    key = f"dsrc_b{parameter}" if binary and parameter in ("icc", "citizens_per_caseworker", "cv") else \
        f"dsrc_{parameter}"
    return t("ds_from_trial", what=t(key, v=primary_visit))


def power_figure(p: DesignParameters, power: pd.DataFrame, binary: dict[str, BinaryParameters],
                 b_power: pd.DataFrame, alpha: float, t, png: str, svg: str) -> None:
    """Analytic power curves over caseworkers per arm (lines) and the simulated power with 95% MC intervals:
    WHO-5 differences (left) and, when simulated, odds ratios of the binary outcomes (right)."""
    from fittrial.report.figures import _save, plt

    def panel(ax, frame: pd.DataFrame, keys: list[str], curve, label) -> None:
        k_max = int(frame["caseworkers_per_arm"].max()) if len(frame) else 50
        ks = np.arange(2, k_max + 6)
        for j, (key, g) in enumerate(frame.groupby(keys, sort=True)):
            colour = f"C{j}"
            ax.plot(ks, [curve(key, int(k)) for k in ks], color=colour, lw=1, label=label(key))
            ax.errorbar(g["caseworkers_per_arm"], g["simulated_power"], yerr=1.96 * g["simulated_power_mcse"],
                        fmt="o", color=colour, ms=4, capsize=2)
        ax.axhline(0.8, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(t("ds_x"))
        ax.set_ylabel(t("ds_y"))
        ax.set_ylim(0, 1)
        ax.legend(frameon=False, fontsize=7, loc="lower right")

    def poisson(m: float) -> DesignParameters:
        return DesignParameters(**{**p.as_dict(), "cv": 1 / math.sqrt(m)})

    def b_poisson(o: str, m: float) -> BinaryParameters:
        return BinaryParameters(o, **{**binary[o].as_dict(), "cv": 1 / math.sqrt(m)})

    two = len(b_power) > 0
    with plt.rc_context({"svg.hashsalt": "fittrial", "font.size": 9}):
        fig, axes = plt.subplots(1, 2 if two else 1, figsize=(10 if two else 7, 4.2), squeeze=False)
        panel(axes[0, 0], power, ["citizens_per_caseworker", "effect"],
              lambda key, k: analytic_power(poisson(key[0]), k, key[0], key[1], alpha),
              lambda key: t("ds_curve", m=t.num(key[0], 0), d=t.num(key[1], 0 if float(key[1]).is_integer() else 1)))
        axes[0, 0].set_title(t("o_who5"), fontsize=9)
        if two:
            panel(axes[0, 1], b_power, ["outcome", "citizens_per_caseworker", "odds_ratio"],
                  lambda key, k: binary_power(b_poisson(key[0], key[1]), k, key[1], key[2], alpha),
                  lambda key: t("ds_b_curve", o=t.outcome(key[0]), m=t.num(key[1], 0), r=t.num(key[2], 2)))
            axes[0, 1].set_title(t("ds_b_panel"), fontsize=9)
        fig.tight_layout()
        _save(fig, png, svg, t.decimal)


def design_html(p: DesignParameters, params: pd.DataFrame, analytic: pd.DataFrame, power: pd.DataFrame,
                primary_visit: int, target: float, t, png: str, binary: dict[str, BinaryParameters] | None = None,
                b_analytic: pd.DataFrame | None = None, b_power: pd.DataFrame | None = None,
                sensitivity: pd.DataFrame | None = None, headline: list | None = None, lmm_df: str = "kenward_roger",
                trials: int = 0) -> str:
    """The design report as one self-contained HTML page: a summary (per target effect the analytic sample size,
    the attrition it assumes, the simulated power of the pre-specified analysis at that size and the size needed
    with the ICC at the upper end of its CI), the parameters with their CIs and sources, the analytic table, the
    sensitivity table, the simulated power and the same for the binary outcomes."""
    import html

    from fittrial.report.context import embed_png

    def esc(x: object) -> str:
        return html.escape(str(x))

    def k_text(x: float | None) -> str:
        return "-" if x is None or pd.isna(x) else t.count(int(x))

    def pct(x: float | None, digits: int = 1) -> str:
        return "" if x is None or pd.isna(x) else f"{t.num(100 * float(x), digits)}%"

    binary = binary or {}
    b_analytic = b_analytic if b_analytic is not None else pd.DataFrame()
    b_power = b_power if b_power is not None else pd.DataFrame()
    m_obs = p.citizens_per_caseworker

    def nearest(g: pd.DataFrame) -> pd.Series:
        return g.iloc[(g["citizens_per_caseworker"] - m_obs).abs().argsort().iloc[0]]

    sensitivity = sensitivity if sensitivity is not None else pd.DataFrame(
        columns=["parameter", "end", "value", "citizens_per_caseworker", "effect", "caseworkers_per_arm"])
    rule = t(f"w_df_{lmm_df}")

    def d_text(d: float) -> str:
        return t.num(d, 0 if float(d).is_integer() else 1)

    sentences = []
    for k, m, d in headline or []:
        if k is None:
            continue
        sentence = t("ds_sentence", d=d_text(d), pw=t.num(100 * target, 0), k=t.count(int(k)), m=t.num(m, 0),
                     n=t.count(int(round(2 * k * m))), a=t.num(100 * p.attrition, 0), v=primary_visit,
                     m_obs=t.num(p.citizens_per_caseworker, 1))
        sim = power[power["headline"] & (power["effect"] == d) & (power["caseworkers_per_arm"] == k)
                    & (power["citizens_per_caseworker"] == m)] if "headline" in power else power.iloc[:0]
        if len(sim) and pd.notna(sim.iloc[0]["simulated_power"]):
            ps, se = float(sim.iloc[0]["simulated_power"]), float(sim.iloc[0]["simulated_power_mcse"])
            key = "ds_sentence_sim_low" if ps + 2 * se < target else "ds_sentence_sim"
            sentence += " " + t(key, trials=t.count(trials), ps=t.num(100 * ps, 0),
                                se=t.num(100 * se, 1), pw=t.num(100 * target, 0))
        elif k > HEADLINE_MAX_K:
            sentence += " " + t("ds_sentence_not_sim", most=t.count(HEADLINE_MAX_K))
        high = sensitivity[(sensitivity["parameter"] == "icc") & (sensitivity["end"] == "high")
                           & (sensitivity["effect"] == d)]
        if len(high) and pd.notna(high.iloc[0]["caseworkers_per_arm"]):
            key = "ds_sentence_icc_ci" if "icc" in p.intervals else "ds_sentence_icc_double"
            if int(high.iloc[0]["caseworkers_per_arm"]) <= k:
                key += "_same"
            sentence += " " + t(key, icc=t.num(float(high.iloc[0]["value"]), 3),
                                k=t.count(int(high.iloc[0]["caseworkers_per_arm"])))
        worst = sensitivity[(sensitivity["effect"] == d) & (sensitivity["parameter"] != "all")
                            & sensitivity["caseworkers_per_arm"].notna()]
        if len(worst):
            row = worst.loc[worst["caseworkers_per_arm"].astype(float).idxmax()]
            icc_k = float(high.iloc[0]["caseworkers_per_arm"]) if len(high) else k
            if row["parameter"] != "icc" and float(row["caseworkers_per_arm"]) > max(icc_k, k):
                sentence += " " + t(f"ds_sentence_most_{row['end']}", parameter=_mid_sentence(t("dp_" + row["parameter"])),
                                    value=parameter_text(t, row["parameter"], float(row["value"])),
                                    k=t.count(int(row["caseworkers_per_arm"])))
        sentences.append(sentence)
    for (outcome, ratio), g in (b_analytic.groupby(["outcome", "odds_ratio"], sort=False) if len(b_analytic) else []):
        row = nearest(g)
        if pd.notna(row["caseworkers_per_arm"]):
            sentences.append(t("ds_b_sentence", o=t.num(ratio, 2), outcome=t.outcome(outcome).lower(),
                               p0=pct(row["control_proportion"], 0), p1=pct(row["fit_proportion"], 0),
                               pw=t.num(100 * target, 0), k=t.count(int(row["caseworkers_per_arm"])),
                               m=t.num(row["citizens_per_caseworker"], 0), n=t.count(int(row["citizens_total"]))))
    def ci(name: str) -> str:
        lo, hi = p.intervals.get(name, (np.nan, np.nan))
        return "" if pd.isna(lo) else f"{parameter_text(t, name, lo)} &ndash; {parameter_text(t, name, hi)}"

    param_rows = "".join(f"<tr><td>{esc(t('dp_' + k))}</td><td class=num>{parameter_text(t, k, v)}</td><td class=num>{ci(k)}</td>"
                         f"<td>{esc(source_text(k, p.sources.get(k, ''), t, primary_visit))}</td></tr>"
                         for k, v in p.as_dict().items())
    effects = list(dict.fromkeys(sensitivity["effect"]))
    sens_rows = "".join(
        f"<tr><td>{esc(t('ds_sens_estimates') if name == 'all' else t('dp_' + name))}</td>"
        f"<td>{'' if name == 'all' else esc(t('ds_' + end))}</td>"
        f"<td class=num>{'' if name == 'all' else parameter_text(t, name, g.iloc[0]['value'])}</td>"
        + "".join(f"<td class=num>{k_text(x)}</td>" for x in g.set_index("effect")["caseworkers_per_arm"]
                  .reindex(effects))
        + "</tr>" for (name, end), g in sensitivity.groupby(["parameter", "end"], sort=False))
    sens_m = t.num(float(sensitivity["citizens_per_caseworker"].iloc[0]), 0) if len(sensitivity) else ""
    analytic_rows = "".join(
        f"<tr><td class=num>{t.num(r.citizens_per_caseworker, 0)}</td><td class=num>{t.num(r.effect, 1)}</td>"
        f"<td class=num>{k_text(r.caseworkers_per_arm)}</td><td class=num>{k_text(r.citizens_total)}</td></tr>"
        for r in analytic.itertuples())
    power_rows = "".join(
        f"<tr><td class=num>{int(r.caseworkers_per_arm)}{' *' if getattr(r, 'headline', False) else ''}</td><td class=num>{t.num(r.citizens_per_caseworker, 0)}</td>"
        f"<td class=num>{t.num(r.effect, 1)}</td><td class=num>{pct(r.analytic_power)}</td>"
        f"<td class=num>{pct(r.simulated_power)} ({t.num(100 * r.simulated_power_mcse, 1)})</td>"
        f"<td class=num>{t.count(int(r.n_trials))}</td></tr>" for r in power.itertuples())
    b_param_rows = "".join(
        f"<tr><td>{esc(t('o_' + o))}</td><td>{esc(t('dp_b' + k))}</td><td class=num>{t.num(v, 3)}</td>"
        f"<td>{esc(source_text(k, b.sources.get(k, ''), t, primary_visit, binary=True))}</td></tr>"
        for o, b in binary.items() for k, v in b.as_dict().items())
    b_analytic_rows = "".join(
        f"<tr><td>{esc(t('o_' + r.outcome))}</td><td class=num>{t.num(r.citizens_per_caseworker, 0)}</td>"
        f"<td class=num>{t.num(r.odds_ratio, 2)}</td><td class=num>{pct(r.control_proportion)} &rarr; "
        f"{pct(r.fit_proportion)}</td><td class=num>{k_text(r.caseworkers_per_arm)}</td>"
        f"<td class=num>{k_text(r.citizens_total)}</td></tr>" for r in b_analytic.itertuples())
    b_power_rows = "".join(
        f"<tr><td>{esc(t('o_' + r.outcome))}</td><td class=num>{int(r.caseworkers_per_arm)}</td>"
        f"<td class=num>{t.num(r.citizens_per_caseworker, 0)}</td><td class=num>{t.num(r.odds_ratio, 2)}</td>"
        f"<td class=num>{pct(r.analytic_power)}</td>"
        f"<td class=num>{pct(r.simulated_power)} ({t.num(100 * r.simulated_power_mcse, 1)})</td>"
        f"<td class=num>{t.count(int(r.n_trials))}</td><td class=num>{t.count(int(r.n_not_estimated))}</td></tr>"
        for r in b_power.itertuples())
    not_usable = [o for o, b in binary.items() if not usable(b)]
    binary_html = ""
    if binary:
        binary_html = f"""<h2>{esc(t('ds_b_parameters'))}</h2>
<table><tr><th>{esc(t('ds_outcome'))}</th><th>{esc(t('ds_parameter'))}</th><th>{esc(t('value'))}</th>
<th>{esc(t('ds_source'))}</th></tr>
{b_param_rows}</table>
{''.join(f'<p class="small">{esc(t("ds_b_unusable", outcome=t("o_" + o)))}</p>' for o in not_usable)}
<h2>{esc(t('ds_b_analytic'))}</h2>
<table><tr><th>{esc(t('ds_outcome'))}</th><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_or'))}</th>
<th>{esc(t('ds_props'))}</th><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_n'))}</th></tr>
{b_analytic_rows}</table>
<p class="small">{esc(t('ds_b_analytic_note', pw=t.num(100 * target, 0)))}</p>
"""
        if len(b_power):
            binary_html += f"""<h2>{esc(t('ds_b_simulated'))}</h2>
<table><tr><th>{esc(t('ds_outcome'))}</th><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_or'))}</th>
<th>{esc(t('ds_power_a'))}</th><th>{esc(t('ds_power_s'))}</th><th>{esc(t('ds_trials'))}</th>
<th>{esc(t('ds_not_estimated'))}</th></tr>
{b_power_rows}</table>
<p class="small">{esc(t('ds_b_simulated_note'))}</p>
"""
    alt = t("ds_alt") + (" " + t("ds_b_alt") if len(b_power) else "")
    return f"""<!DOCTYPE html>
<html lang="{t.language}">
<head><meta charset="utf-8"><title>{esc(t('ds_title'))}</title>
<style>body {{ font-family: Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }} th, td {{ border: 1px solid #ccc;
padding: 0.25em 0.5em; text-align: left; }} th {{ background: #f2f2f2; }} td.num {{ text-align: right; white-space: nowrap; }}
.summary {{ background: #eef5fb; border-left: 4px solid #1b6ca8; padding: 0.6em 1em; }} .small {{ font-size: 0.85em;
color: #555; }} img {{ max-width: 100%; }} @page {{ size: A4; margin: 16mm 14mm; }}
h2 {{ break-after: avoid; }} table, figure {{ break-inside: avoid; }}</style></head>
<body>
<h1>{esc(t('ds_title'))}</h1>
<div class="summary">{''.join(f'<p>{esc(s)}</p>' for s in sentences)}</div>
<h2>{esc(t('ds_parameters'))}</h2>
<table><tr><th>{esc(t('ds_parameter'))}</th><th>{esc(t('value'))}</th><th>{esc(t('ds_ci'))}</th>
<th>{esc(t('ds_source'))}</th></tr>
{param_rows}</table>
<p class="small">{esc(t('ds_parameters_note', v=primary_visit))}</p>
<h2>{esc(t('ds_analytic'))}</h2>
<table><tr><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_effect'))}</th><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_n'))}</th></tr>
{analytic_rows}</table>
<p class="small">{esc(t('ds_analytic_note', pw=t.num(100 * target, 0), v=primary_visit))}</p>
<h2>{esc(t('ds_sensitivity'))}</h2>
<table><tr><th>{esc(t('ds_parameter'))}</th><th>{esc(t('ds_end'))}</th><th>{esc(t('value'))}</th>
{''.join(f"<th>{esc(t('ds_sens_k', d=d_text(d)))}</th>" for d in effects)}</tr>
{sens_rows}</table>
<p class="small">{esc(t('ds_sens_note', pw=t.num(100 * target, 0), m=sens_m))}</p>
<h2>{esc(t('ds_simulated'))}</h2>
<figure><img src="{embed_png(png)}" alt="{esc(alt)}"><figcaption class="small">{esc(alt)}</figcaption></figure>
<table><tr><th>{esc(t('ds_k'))}</th><th>{esc(t('ds_m'))}</th><th>{esc(t('ds_effect'))}</th><th>{esc(t('ds_power_a'))}</th>
<th>{esc(t('ds_power_s'))}</th><th>{esc(t('ds_trials'))}</th></tr>
{power_rows}</table>
<p class="small">{esc(t('ds_simulated_note', rule=rule))}</p>
{binary_html}</body></html>
"""
