"""One function per workflow step, taking and returning file paths.

These are what ``workflow/scripts/*.py`` call; each is a plain function that
can be used without Snakemake. Parquet is the format between steps.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Mapping

import pandas as pd

from .dataset import build_analysis_data
from .errors import InputError, Problem
from .figures import who5_by_arm_figure
from .io import read_table, write_csv, write_parquet, write_text
from .models import fit_binary_gee, fit_primary_lmm
from .report import render_report
from .scoring import windows_from_config
from .tables import (data_quality_table, effects_table, missing_outcomes_table, participants_table,
                     who5_by_arm_visit)
from .validation import Trial, load_schema, validate_inputs

log = logging.getLogger("fittrial")
FLOAT_FORMAT = "%.10g"


def validate_step(inputs: Mapping[str, str | None], schema_dir: str | Path, outputs: Mapping[str, str]) -> None:
    """Read and check the inputs; write the typed tables and the validation notes as Parquet.

    ``inputs`` maps table name to path (``fit_sessions`` may be None or "").
    ``outputs`` maps table name (and ``notes``) to Parquet paths.
    """
    raws = {}
    problems: list[Problem] = []
    for name, path in inputs.items():
        if not path:
            continue
        try:
            raws[name] = read_table(path, name)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    schemas = {name: load_schema(Path(schema_dir) / f"{name}.schema.yaml") for name in raws}
    trial = validate_inputs(raws, schemas)
    for name in ("randomisation", "citizens", "who5"):
        write_parquet(getattr(trial, name), outputs[name])
    fit = trial.fit_sessions if trial.fit_sessions is not None else pd.DataFrame(
        columns=["_row", "citizen_id", "caseworker_id", "session_on"])
    write_parquet(fit, outputs["fit_sessions"])
    write_parquet(trial.notes, outputs["notes"])
    log.info("inputs valid: %d caseworkers, %d citizens, %d WHO-5 forms, %d FIT sessions; %d notes",
             len(trial.randomisation), len(trial.citizens), len(trial.who5), len(fit), len(trial.notes))


def analysis_data_step(clean: Mapping[str, str], visits: list[dict], prorate_one_missing: bool,
                       outputs: Mapping[str, str]) -> None:
    """Score WHO-5, assign visits and write the analysis data sets and all data-quality notes."""
    trial = Trial(*(pd.read_parquet(clean[n]) for n in ("randomisation", "citizens", "who5", "fit_sessions")),
                  notes=pd.read_parquet(clean["notes"]))
    citizens, long, notes = build_analysis_data(trial, windows_from_config(visits), prorate_one_missing)
    write_parquet(citizens, outputs["citizens"])
    write_parquet(long, outputs["who5_long"])
    write_parquet(notes, outputs["notes"])
    log.info("analysis data: %d citizens, %d follow-up WHO-5 observations, %d data-quality notes",
             len(citizens), len(long), len(notes))


def _strata(randomisation: pd.DataFrame) -> list[str]:
    return sorted(randomisation["stratum"].unique())


def primary_step(who5_long: str, randomisation: str, contrasts_out: str, variance_out: str) -> None:
    """Fit the primary WHO-5 mixed model; write its contrasts and variance components."""
    long = pd.read_parquet(who5_long)
    if long.empty:
        raise InputError(Problem("who5", "no citizen has a scored WHO-5 form at any follow-up visit; "
                                          "the primary analysis needs follow-up data."))
    start = time.perf_counter()
    result = fit_primary_lmm(long, _strata(pd.read_parquet(randomisation)))
    log.info("primary LMM fitted in %.3f s; REML criterion %.6f; variances caseworker %.4f, citizen %.4f, "
             "residual %.4f", time.perf_counter() - start, result.reml_criterion, result.var_caseworker,
             result.var_citizen, result.var_residual)
    write_parquet(pd.DataFrame([c.as_row() for c in result.contrasts]), contrasts_out)
    write_parquet(result.variance_table(), variance_out)


def secondary_step(citizens: str, randomisation: str, outcome: str, covariance: str, out: str) -> None:
    """Fit one binary outcome's GEE; write its odds ratio and risk difference rows."""
    cit = pd.read_parquet(citizens)
    start = time.perf_counter()
    result = fit_binary_gee(cit, outcome, covariance, _strata(pd.read_parquet(randomisation)))
    log.info("GEE %s fitted in %.2f s: %d citizens analysed, %d with the outcome missing; working correlation %.4f",
             outcome, time.perf_counter() - start, result.n_citizens, result.n_missing, result.working_correlation)
    write_parquet(pd.DataFrame([c.as_row() for c in result.contrasts]), out)


def effects_step(results: list[str], out: str) -> None:
    """Stack every analysis's rows into reports/tables/effects.csv."""
    table = effects_table([pd.read_parquet(p) for p in results])
    write_csv(table, out, float_format=FLOAT_FORMAT)


def descriptives_step(clean_randomisation: str, citizens: str, who5_long: str, notes: str, variance: str,
                      visits: list[dict], threshold: int, outputs: Mapping[str, str]) -> None:
    """Write the published descriptive tables (all counts suppressed below ``threshold``)."""
    rand = pd.read_parquet(clean_randomisation)
    cit = pd.read_parquet(citizens)
    long = pd.read_parquet(who5_long)
    write_csv(participants_table(rand, cit, long, threshold), outputs["participants"])
    summary = who5_by_arm_visit(cit, [int(v["visit"]) for v in visits], threshold)
    write_csv(summary, outputs["who5_by_arm_visit"], float_format=FLOAT_FORMAT)
    write_csv(data_quality_table(pd.read_parquet(notes), threshold), outputs["data_quality"])
    write_csv(missing_outcomes_table(cit, threshold), outputs["missing_outcomes"])
    write_csv(pd.read_parquet(variance), outputs["variance_components"], float_format=FLOAT_FORMAT)


def figure_step(who5_summary: str, png: str, svg: str) -> None:
    """Draw the WHO-5-by-arm figure."""
    who5_by_arm_figure(pd.read_csv(who5_summary), png, svg)


def report_step(tables: Mapping[str, str], figure_png: str, inputs: Mapping[str, str | None], config: dict,
                out: str) -> None:
    """Render reports/report.html from the published tables and figure."""
    read = {k: pd.read_csv(v, dtype={"n": str, "FIT": str, "control": str, "total": str, "count": str},
                           keep_default_na=False, na_values=[""]) for k, v in tables.items()}
    render_report(effects=read["effects"], participants=read["participants"].fillna(""),
                  who5_summary=read["who5_by_arm_visit"], variance=read["variance_components"],
                  data_quality=read["data_quality"], missing_outcomes=read["missing_outcomes"].fillna(""),
                  figure_png=figure_png, inputs={k: v for k, v in inputs.items() if v}, config=config, target=out)


def write_json(data: dict, out: str) -> None:
    write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", out)
