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

from .cells import date_format_problem
from .datacheck import CheckOutcome, FileSummary, render_data_check
from .dataset import build_analysis_data
from .errors import InputError, Problem
from .figures import who5_by_arm_figure
from .io import RawTable, read_table, write_csv, write_parquet, write_text
from .models import fit_binary_gee, fit_primary_lmm
from .report import render_report
from .scoring import windows_from_config
from .template import blank_example_rows
from .settings import input_path
from .tables import (data_quality_table, effects_table, missing_outcomes_table, participants_table,
                     who5_by_arm_visit)
from .validation import Trial, contract_name, load_schema, validate_inputs

log = logging.getLogger("fittrial")
FLOAT_FORMAT = "%.10g"


def blind(trial: Trial, randomisation_path: str) -> Trial:
    """Blinded review: relabel the arms by a draw that is stored nowhere, and drop what would unblind.

    Whether the internal label "FIT" stays on the FIT arm or moves to the
    control arm is decided by the SHA-256 of the randomisation file (so two
    runs on the same inputs agree, and nothing records the mapping). Every
    output then shows the internal "FIT" arm as "A" and "control" as "B".
    FIT sessions exist only in the FIT arm, so they are dropped, and with
    them the per-protocol, CACE and FIT-in-practice results; validation notes
    about FIT sessions are dropped too.
    """
    from .report import sha256

    swap = int(sha256(randomisation_path)[-1], 16) % 2 == 1
    rand = trial.randomisation.copy()
    if swap:
        rand["arm"] = rand["arm"].map({"FIT": "control", "control": "FIT"})
    notes = trial.notes[~trial.notes["check"].str.contains("FIT session", regex=False)] if len(trial.notes) else trial.notes
    return Trial(rand, trial.citizens, trial.who5, None, notes)


def read_input(name: str, spec: str | Mapping) -> RawTable:
    """Read one input given as a path or as a mapping (path, sheet, header_row, columns, values, date_format).

    ``columns`` renames the file's columns to the contract's (contract name ->
    file name, matched without case and surrounding spaces); ``values``
    recodes a column's values (contract column -> {the file's code: the
    contract's code}, compared as trimmed text) and ``date_format`` (a strptime
    format such as '%d-%m-%Y') says how every date column of the table is
    written; both are applied when the table is typed
    (:func:`fittrial.validation.type_table`). A column mapping to a column the
    file does not have, or a date format that is not one, is an
    :class:`InputError` naming the file.
    """
    if not isinstance(spec, Mapping):
        return read_table(spec, name)
    raw = read_table(spec["path"], name, spec.get("sheet", 0), spec.get("header_row"))
    label = f"{name} ({raw.path})"
    problems = []
    date_format = spec.get("date_format")
    if date_format is not None:
        wrong = date_format_problem(date_format)
        if wrong:
            problems.append(Problem(label, f"inputs.{name}.{wrong}"))
        raw.date_format = date_format
    frame = raw.frame.copy()
    have = [str(c) for c in frame.columns]
    renames: dict[str, str] = {}
    for ours, theirs in (spec.get("columns") or {}).items():
        key = str(theirs).strip().casefold()
        if not any(h.strip().casefold() == key for h in have):
            problems.append(Problem(label, f"inputs.{name}.columns of the config maps {ours} to '{theirs}', but the "
                                           f"file has no such column; it has {', '.join(map(repr, have)) or 'none'}.",
                                    row="header", column=str(ours)))
        renames[key] = str(ours)
    if problems:
        raise InputError(problems)
    frame.columns = [renames.get(h.strip().casefold(), h) for h in have]
    raw.frame = frame
    raw.values = {str(k): v for k, v in (spec.get("values") or {}).items()}
    return raw


def _read_and_check(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path,
                    visits: list[int] | None = None, age_range: tuple[int, int] | None = None,
                    data_cutoff: str | None = None, scoring: Mapping | None = None
                    ) -> tuple[Trial | None, CheckOutcome]:
    """Read every input and check it against the contract; never raises for a user's mistake.

    Returns the validated trial (None when there are errors) and the
    :class:`~fittrial.datacheck.CheckOutcome` the data-check page shows. With
    ``scoring`` (``visits``: the config's visit windows, ``prorate``,
    ``window_days``, ``censor_on``) the page's notes include those of scoring
    and assembling the analysis data (forms outside every window, forms
    scored missing, ...), so the page says what the analysis will do.
    """
    schemas = {name: load_schema(Path(schema_dir) / f"{name}.schema.yaml") for name in ("randomisation", "citizens",
                                                                                        "who5", "fit_sessions")}
    if age_range is not None:
        schemas["citizens"]["properties"]["age"].update(minimum=int(age_range[0]), maximum=int(age_range[1]))
    raws: dict[str, RawTable] = {}
    files: list[FileSummary] = []
    problems: list[Problem] = []
    for name, spec in inputs.items():
        path = input_path(spec)
        if not path:
            continue
        summary = FileSummary(name, path, Path(path).suffix.lstrip(".").lower())
        files.append(summary)
        try:
            raw = read_input(name, spec)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        raw.frame = blank_example_rows(raw.frame)
        raws[name] = raw
        summary.rows = len(raw.frame)
        summary.header_row = raw.first_row - 1 if raw.row_word == "row" else None
        given = {str(v).strip(): str(k) for k, v in ((spec.get("columns") or {}) if isinstance(spec, Mapping)
                                                     else {}).items()}
        props = schemas[name]["properties"]
        for theirs in map(str, raw.frame.columns):
            ours = contract_name(theirs, props)
            if ours != theirs:
                summary.renamed[theirs] = ours
        summary.renamed = {**{k: v for k, v in given.items() if k != v}, **summary.renamed}
    empty_notes = pd.DataFrame(columns=["check", "table", "row", "detail"])
    if problems:
        return None, CheckOutcome(files, problems, empty_notes)
    cutoff = pd.Timestamp(data_cutoff) if data_cutoff else pd.Timestamp.today().normalize()
    try:
        trial = validate_inputs(raws, {name: schemas[name] for name in raws}, visits, cutoff)
    except InputError as exc:
        return None, CheckOutcome(files, exc.problems, empty_notes)
    notes = trial.notes
    if scoring:
        notes = build_analysis_data(trial, windows_from_config(scoring["visits"]), scoring["prorate"],
                                    scoring["window_days"], scoring["censor_on"])[2]
    return trial, CheckOutcome(files, [], notes)


def _write_data_check(outcome: CheckOutcome, data_check: str | None, language: str, blinded: bool) -> None:
    """Write the data-check page (FIT-session notes left out when blinded: they would tell the arms apart)."""
    if not data_check:
        return
    if blinded and len(outcome.notes):
        outcome = CheckOutcome(outcome.files, outcome.problems,
                               outcome.notes[~outcome.notes["check"].str.contains("FIT session", regex=False)])
    write_text(render_data_check(outcome, language), data_check)


def _fail(outcome: CheckOutcome, data_check: str | None) -> None:
    header = "The input data do not meet the input contract (see config/README.md)."
    if data_check:
        header += f" The data-check page lists every problem: {data_check}"
    raise InputError(outcome.problems, header)


def check_step(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path, data_check: str, flag: str,
               language: str = "en", blinded: bool = False, visits: list[int] | None = None,
               age_range: tuple[int, int] | None = None, data_cutoff: str | None = None,
               scoring: Mapping | None = None) -> None:
    """Validate the inputs only (``snakemake check``): write the data-check page; fail if there are errors.

    On success ``flag`` is written (the rule's output); arguments as in :func:`validate_step`.
    """
    _, outcome = _read_and_check(inputs, schema_dir, visits, age_range, data_cutoff, scoring)
    _write_data_check(outcome, data_check, language, blinded)
    if not outcome.ok:
        _fail(outcome, data_check)
    log.info("inputs valid; %d notes; data-check page: %s", len(outcome.notes), data_check)
    write_text(f"inputs valid; data-check page: {data_check}\n", flag)


def validate_step(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path, outputs: Mapping[str, str],
                  blinded: bool = False, visits: list[int] | None = None,
                  age_range: tuple[int, int] | None = None, data_cutoff: str | None = None,
                  data_check: str | None = None, language: str = "en", scoring: Mapping | None = None) -> None:
    """Read and check the inputs; write the typed tables and the validation notes as Parquet.

    ``inputs`` maps table name to path or mapping (``fit_sessions`` may be
    None or ""). ``outputs`` maps table name (and ``notes``) to Parquet paths.
    With ``blinded``, the arms are relabelled (see :func:`blind`). ``visits``:
    the visit schedule (an explicit visit outside it is an error);
    ``age_range``: the plausible ages (config ``checks``), replacing the
    schema's range; ``data_cutoff``: no input date may lie after it
    (YYYY-MM-DD; empty: today). ``data_check``: where to write the data-check
    page (in ``language``), whether or not the inputs pass; it is not a
    declared output, so that a failed run keeps it. ``scoring``: see
    :func:`_read_and_check`.
    """
    trial, outcome = _read_and_check(inputs, schema_dir, visits, age_range, data_cutoff, scoring)
    _write_data_check(outcome, data_check, language, blinded)
    if trial is None:
        _fail(outcome, data_check)
    if blinded:
        trial = blind(trial, input_path(inputs["randomisation"]))
    for name in ("randomisation", "citizens", "who5"):
        write_parquet(getattr(trial, name), outputs[name])
    fit = trial.fit_sessions if trial.fit_sessions is not None else pd.DataFrame(
        columns=["_row", "citizen_id", "caseworker_id", "session_on"])
    write_parquet(fit, outputs["fit_sessions"])
    write_parquet(trial.notes, outputs["notes"])
    log.info("inputs valid: %d caseworkers, %d citizens, %d WHO-5 forms, %d FIT sessions; %d notes",
             len(trial.randomisation), len(trial.citizens), len(trial.who5), len(fit), len(trial.notes))


def analysis_data_step(clean: Mapping[str, str], visits: list[dict], prorate_one_missing: bool,
                       outputs: Mapping[str, str], window_days: int = 365, censor_on: str | None = None) -> None:
    """Score WHO-5, assign visits, derive the course outcomes and write the analysis data sets and all notes."""
    trial = Trial(*(pd.read_parquet(clean[n]) for n in ("randomisation", "citizens", "who5", "fit_sessions")),
                  notes=pd.read_parquet(clean["notes"]))
    citizens, long, notes = build_analysis_data(trial, windows_from_config(visits), prorate_one_missing,
                                                window_days, censor_on)
    write_parquet(citizens, outputs["citizens"])
    write_parquet(long, outputs["who5_long"])
    write_parquet(notes, outputs["notes"])
    log.info("analysis data: %d citizens, %d follow-up WHO-5 observations, %d data-quality notes",
             len(citizens), len(long), len(notes))


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


def _strata(randomisation: pd.DataFrame) -> list[str]:
    return sorted(randomisation["stratum"].unique())


def follow_up_visits(options: Mapping) -> list[int]:
    """The follow-up visits of the schedule (``options["visits"]``, the config's visit labels)."""
    return sorted(int(v) for v in options["visits"] if int(v) != 0)


def _primary(who5_long: str, randomisation: str, options: Mapping):
    """(long, fitted primary model); raises NotEstimable with the reason when it cannot be fitted."""
    long = pd.read_parquet(who5_long)
    return long, fit_primary_lmm(long, _strata(pd.read_parquet(randomisation)), options["lmm_df"],
                                 follow_up_visits(options))


def _rows(contrasts: list) -> pd.DataFrame:
    return pd.DataFrame([c.as_row() for c in contrasts])


def primary_step(who5_long: str, randomisation: str, options: Mapping, contrasts_out: str, variance_out: str,
                 emmeans_out: str) -> None:
    """Fit the primary WHO-5 mixed model; write its contrasts, variance components and marginal means.

    When the model is not estimable, every row says why (and the variance
    components and marginal means are empty).
    """
    from .estimable import NotEstimable
    from .models import lmm_method, not_estimated, variance_table

    start = time.perf_counter()
    try:
        long, result = _primary(who5_long, randomisation, options)
    except NotEstimable as exc:
        log.info("primary LMM not estimated: %s", exc.reason)
        rows = [not_estimated("itt", "who5", v, "mean_difference", exc.at(v), lmm_method(options["lmm_df"]))
                for v in follow_up_visits(options)]
        write_parquet(_rows(rows), contrasts_out)
        write_parquet(variance_table(None, exc.reason), variance_out)
        write_parquet(pd.DataFrame(columns=["arm", "visit_months", "emmean", "se", "df", "ci_low", "ci_high"]),
                      emmeans_out)
        return
    log.info("primary LMM fitted in %.3f s; REML criterion %.6f; variances caseworker %.4f, citizen %.4f, "
             "residual %.4f; random intercepts: %s", time.perf_counter() - start, result.reml_criterion,
             result.var_caseworker, result.var_citizen, result.var_residual, ", ".join(result.fit.terms) or "none")
    write_parquet(_rows(result.contrasts), contrasts_out)
    write_parquet(result.variance_table(), variance_out)
    write_parquet(result.emmeans(sorted(result.model_visits)), emmeans_out)


def secondary_step(citizens: str, randomisation: str, outcome: str, covariance: str, out: str,
                   timepoint_months: int = 12) -> None:
    """Fit one binary outcome's GEE; write its odds ratio and risk difference rows."""
    cit = pd.read_parquet(citizens)
    start = time.perf_counter()
    result = fit_binary_gee(cit, outcome, covariance, _strata(pd.read_parquet(randomisation)), timepoint_months)
    log.info("GEE %s fitted in %.2f s: %d citizens analysed, %d with the outcome missing; working correlation %.4f",
             outcome, time.perf_counter() - start, result.n_citizens, result.n_missing, result.working_correlation)
    write_parquet(_rows(result.contrasts), out)


def sensitivity_step(analysis: str, inputs: Mapping[str, str], options: dict, out: str) -> None:
    """One sensitivity analysis of the WHO-5 effect; writes its effects-table rows.

    ``analysis``: clda, cluster_level, ancova_cr2, per_protocol or cace.
    ``options``: the config's ``analysis`` section plus ``visits`` (the visit
    labels of the schedule). Per protocol and CACE are not estimated, with the
    reason, when no FIT sessions were supplied.
    """
    from . import sensitivity as sens
    from .models import not_estimated

    cit = pd.read_parquet(inputs["citizens"])
    strata = _strata(pd.read_parquet(inputs["randomisation"]))
    df_method = options["lmm_df"]
    visit = int(options["primary_visit"])
    follow = follow_up_visits(options)
    start = time.perf_counter()
    if analysis == "clda":
        rows = sens.clda(cit, strata, df_method, tuple(sorted(int(v) for v in options["visits"])))
    elif analysis == "cluster_level":
        rows = sens.cluster_level(cit, strata, visit)
    elif analysis == "ancova_cr2":
        row, extra = sens.ancova_cr2(cit, strata, visit)
        if extra:
            log.info("ancova_cr2: CR2 SE %.4f (Bell-McCaffrey df %.1f); linearmodels CR0 SE %.4f, CR1 SE %.4f",
                     row.se, row.df, extra["se_cr0_linearmodels"], extra["se_cr1_linearmodels"])
        rows = [row]
    elif analysis in ("per_protocol", "cace"):
        k = int(options["adherence_min_sessions"])
        sessions = pd.read_parquet(inputs["fit_sessions"])
        if sessions.empty:
            reason = "no FIT sessions supplied (inputs.fit_sessions is empty), so adherence is unknown"
            timepoints = follow if analysis == "per_protocol" else [visit]
            rows = [not_estimated(analysis, "who5", v, "mean_difference", reason) for v in timepoints]
        else:
            adherent = sens.adherence(sessions, cit, k)
            log.info("adherence (>= %d meetings with ORS and SRS): %d of %d FIT citizens", k, int(adherent.sum()),
                     int((cit["fit"] == 1).sum()))
            if analysis == "per_protocol":
                rows = sens.per_protocol(pd.read_parquet(inputs["who5_long"]), cit, adherent, k, strata, df_method,
                                         follow)
            else:
                rows = [sens.cace(cit, adherent, k, strata, visit)]
    else:
        raise ValueError(f"unknown sensitivity analysis {analysis!r}")
    log.info("%s done in %.2f s", analysis, time.perf_counter() - start)
    write_parquet(_rows(rows), out)


def subgroup_step(variable: str, inputs: Mapping[str, str], options: dict, out: str) -> None:
    """The WHO-5 effect at the primary visit within the levels of one subgroup variable, with the interaction p."""
    from .sensitivity import subgroup

    rows = subgroup(pd.read_parquet(inputs["who5_long"]), pd.read_parquet(inputs["citizens"]), variable,
                    list(options["age_breaks"]), _strata(pd.read_parquet(inputs["randomisation"])),
                    options["lmm_df"], int(options["primary_visit"]))
    write_parquet(_rows(rows), out)


def randomisation_step(who5_long: str, randomisation: str, options: dict, out: str) -> None:
    """Randomisation test of the WHO-5 effect at the primary visit (seeded from the config)."""
    from .estimable import NotEstimable
    from .models import not_estimated
    from .randomisation import randomisation_row, randomisation_test

    visit = int(options["primary_visit"])
    try:
        long, result = _primary(who5_long, randomisation, options)
        if visit not in result.model_visits:
            raise NotEstimable(next(c.not_estimated for c in result.contrasts if c.timepoint_months == visit))
    except NotEstimable as exc:
        write_parquet(_rows([not_estimated("randomisation_test", "who5", visit, "mean_difference", exc.at(visit))]),
                      out)
        return
    cw = long.groupby("caseworker_id").agg(stratum=("stratum", "first"), fit=("fit", "first"))
    start = time.perf_counter()
    test = randomisation_test(result, cw["stratum"], cw["fit"], int(options["randomisation"]["n"]),
                              int(options["randomisation"]["seed"]), visit)
    log.info("randomisation test: %d allocations (%s) in %.2f s; p = %.4f", test.n_randomisations,
             "exact" if test.exact else "random", time.perf_counter() - start, test.p_value)
    write_parquet(_rows([randomisation_row(result, test, long, visit)]), out)


def imputation_step(citizens: str, randomisation: str, options: dict, out: str, tipping_out: str,
                    tipping_2d_out: str | None = None) -> None:
    """Multiple imputation of missing WHO-5 and the delta-adjusted tipping point (one and two dimensions)."""
    import numpy as np

    from .imputation import multiple_imputation

    mi = options["imputation"]
    deltas = np.round(np.arange(mi["delta_from"], mi["delta_to"] + mi["delta_step"] / 2, mi["delta_step"]), 6)
    start = time.perf_counter()
    step_2d = float(mi.get("delta_2d_step", 2.5))
    deltas_2d = np.round(np.arange(mi["delta_from"], mi["delta_to"] + step_2d / 2, step_2d), 6)
    res = multiple_imputation(pd.read_parquet(citizens), int(mi["m"]), int(mi["seed"]),
                              _strata(pd.read_parquet(randomisation)), deltas, int(options["primary_visit"]),
                              tuple(sorted(int(v) for v in options["visits"])), deltas_2d)
    log.info("multiple imputation: %d imputations in %.1f s; tipping delta %s", mi["m"],
             time.perf_counter() - start, res.tipping_delta)
    write_parquet(_rows(res.rows), out)
    write_parquet(res.tipping.assign(tipping_delta=res.tipping_delta), tipping_out)
    if tipping_2d_out is not None:
        write_parquet(res.tipping_2d, tipping_2d_out)


def tipping_2d_step(grid: str, table_out: str, png: str, svg: str, language: str = "en",
                    blinded: bool = False) -> None:
    """The two-dimensional tipping-point table (published) and its figure, in the report's language.

    Blinded, the arms are A (the internal FIT arm) and B in the column names,
    the conclusions and the figure.
    """
    from .figures import tipping_2d_figure
    from .i18n import Translator

    frame = pd.read_parquet(grid)
    t = Translator(language, blinded=blinded)
    a, b = ("A", "B") if blinded else (t("FIT"), t("control"))
    labels = {"x": t("tip2d_x", arm=b), "y": t("tip2d_y", arm=a), "favours_fit": t("tip2d_favours", arm=a),
              "favours_control": t("tip2d_favours", arm=b), "no_difference": t("tip2d_none"), "mar": t("tip2d_mar"),
              "decimal": t.decimal}
    if len(frame):
        tipping_2d_figure(frame, png, svg, labels)
    else:  # the multiple imputation was not estimated: an empty figure that says so
        from .figures import placeholder_figure

        placeholder_figure(t("not_estimated"), png, svg)
    out = frame.copy()
    if blinded:
        out = out.rename(columns={"delta_fit": "delta_A", "delta_control": "delta_B"})
        out["conclusion"] = out["conclusion"].map({"favours_fit": "favours_A", "favours_control": "favours_B",
                                                   "no_difference": "no_difference"})
    write_csv(out, table_out, float_format=FLOAT_FORMAT)


def dropout_step(citizens: str, randomisation: str, options: dict, threshold: int, out: str, cif_out: str,
                 curve_out: str) -> None:
    """Time to dropout within the outcome window, other course ends competing (see :mod:`fittrial.survival`).

    Rows: the cause-specific Cox hazard ratio and the Fine-Gray subdistribution
    hazard ratio; the cumulative incidence of dropout by arm (Aalen-Johansen)
    at ``km_days`` within the window (table) and as a step curve (figure).
    The event definition and the censoring date are those of the ``dropout``
    outcome (see :mod:`fittrial.dataset`).
    """
    from .survival import cif_curve, cif_table, cox_dropout, dropout_times, fine_gray_dropout

    cit = pd.read_parquet(citizens)
    times = dropout_times(cit)
    strata = _strata(pd.read_parquet(randomisation))
    args = (int(options["primary_visit"]), int(options["outcome_window_days"]))
    rows = [cox_dropout(times, strata, *args), fine_gray_dropout(times, strata, *args)]
    log.info("time to dropout: censoring date %s; %d dropouts and %d other course ends among %d citizens",
             pd.Timestamp(cit["censor_on"].iloc[0]).date(), int((times["status"] == 1).sum()),
             int((times["status"] == 2).sum()), len(times))
    write_parquet(_rows(rows), out)
    window = int(options["outcome_window_days"])  # no one is followed for dropout beyond the window
    write_parquet(cif_table(times, [d for d in options["km_days"] if d <= window], threshold), cif_out)
    write_parquet(cif_curve(times, threshold), curve_out)


def icc_step(who5_long: str, citizens: str, randomisation: str, options: dict, out: str) -> None:
    """ICC table: WHO-5 (bootstrap CI) and every binary outcome on the latent scale (profile CI).

    An ICC that the data cannot identify is a row with the reason in ``not_estimated``.
    """
    from .dataset import BINARY_OUTCOMES
    from .estimable import NotEstimable
    from .icc import icc_binary, icc_who5, icc_row_not_estimated
    from .models import binary_design

    cit = pd.read_parquet(citizens)
    strata = _strata(pd.read_parquet(randomisation))
    try:
        _, result = _primary(who5_long, randomisation, options)
        if not result.fit.free[0]:
            raise NotEstimable("the primary model has no caseworker intercept (every caseworker has a single "
                               "observation)")
        rows = [icc_who5(result, int(options["icc"]["bootstrap"]), int(options["icc"]["seed"]))]
    except NotEstimable as exc:
        rows = [icc_row_not_estimated("who5", "observed", f"the primary model is not estimable: {exc.reason}")]
    for outcome in BINARY_OUTCOMES:
        _, _, reason = binary_design(cit, outcome, strata)
        if reason:
            rows.append(icc_row_not_estimated(outcome, "latent", reason))
        else:
            row = icc_binary(cit, outcome, strata)
            rows.append({k: v for k, v in row.items() if k not in ("sigma_u", "beta_fit")})
    frame = pd.DataFrame(rows)
    if "not_estimated" not in frame:
        frame["not_estimated"] = ""
    if options.get("blinded"):
        frame["not_estimated"] = frame["not_estimated"].map(blind_text)
    write_csv(frame.fillna({"not_estimated": ""}), out, float_format=FLOAT_FORMAT)


def simulation_chunk_step(parameters: str, scenarios: dict, scenario: str, chunk: int, n_chunks: int,
                          n_trials: int, seed: int, out: str) -> None:
    """Simulate and analyse one chunk of trials of one scenario (operating characteristics)."""
    import numpy as np
    import yaml

    from .operating import run_chunk, scenario_parameters

    with open(parameters, encoding="utf-8") as fh:
        base = yaml.safe_load(fh)
    params, departures = scenario_parameters(base, scenarios[scenario])
    size = n_trials // n_chunks + (1 if chunk < n_trials % n_chunks else 0)
    index = sorted(scenarios).index(scenario)
    chunk_seed = int(np.random.SeedSequence([seed, index, chunk]).generate_state(1)[0])
    start = time.perf_counter()
    results = run_chunk(params, size, chunk_seed, scenario, departures)
    log.info("scenario %s chunk %d: %d trials in %.1f s (seed %d)", scenario, chunk, size,
             time.perf_counter() - start, chunk_seed)
    write_parquet(results, out)


def operating_characteristics_step(chunks: list[str], table_out: str, png: str, svg: str) -> None:
    """Summarise all chunks into the operating-characteristics table and figure."""
    from .operating import oc_figure, summarise

    summary = summarise(pd.concat([pd.read_parquet(p) for p in chunks], ignore_index=True))
    write_csv(summary, table_out, float_format=FLOAT_FORMAT)
    oc_figure(summary, png, svg)


def effects_step(results: list[str], out: str, blinded: bool = False) -> None:
    """Stack every analysis's rows into reports/tables/effects.csv (estimates are A - B when blinded)."""
    frames = [pd.read_parquet(p) for p in results]
    table = effects_table([f for f in frames if len(f)])
    if blinded:
        table["method"] = table["method"].str.replace("FIT - control", "A - B", regex=False)
        table["not_estimated"] = table["not_estimated"].map(blind_text)
    write_csv(table, out, float_format=FLOAT_FORMAT)


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


def descriptives_step(clean_randomisation: str, citizens: str, who5_long: str, notes: str, variance: str,
                      emmeans: str, tipping: str, cif: str, visits: list[dict], threshold: int,
                      outputs: Mapping[str, str], blinded: bool = False) -> None:
    """Write the published descriptive tables (all counts suppressed below ``threshold``)."""
    rand = pd.read_parquet(clean_randomisation)
    cit = pd.read_parquet(citizens)
    long = pd.read_parquet(who5_long)
    write_csv(publish(participants_table(rand, cit, long, threshold), blinded), outputs["participants"])
    summary = who5_by_arm_visit(cit, [int(v["visit"]) for v in visits], threshold)
    write_csv(publish(summary, blinded), outputs["who5_by_arm_visit"], float_format=FLOAT_FORMAT)
    write_csv(data_quality_table(pd.read_parquet(notes), threshold), outputs["data_quality"])
    write_csv(publish(missing_outcomes_table(cit, threshold), blinded), outputs["missing_outcomes"])
    write_csv(pd.read_parquet(variance), outputs["variance_components"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(emmeans), blinded), outputs["emmeans"], float_format=FLOAT_FORMAT)
    write_csv(pd.read_parquet(tipping), outputs["tipping_point"], float_format=FLOAT_FORMAT)
    write_csv(publish(pd.read_parquet(cif), blinded), outputs["cif_dropout"], float_format=FLOAT_FORMAT)


def flow_table(randomisation: pd.DataFrame, citizens: pd.DataFrame, long: pd.DataFrame, effects: pd.DataFrame,
               threshold: int, visits: list[int] = (0, 6, 12)) -> pd.DataFrame:
    """Numbers of the CONSORT flow diagram by arm (suppressed below ``threshold``); the figure is drawn from it."""
    from .dataset import BINARY_OUTCOMES
    from .tables import ARMS, suppress

    def n(frame: pd.DataFrame, arm: str, key: str | None = None) -> int:
        sub = frame[frame["arm"] == arm]
        return int(sub[key].nunique()) if key else len(sub)

    strata = sorted(randomisation["stratum"].unique())
    rows = []

    def add(stage: str, values: dict[str, str]) -> None:
        rows.append({"stage": stage, **values})

    add("Caseworkers randomised (clusters)", {a: f"{suppress(n(randomisation, a), threshold)} caseworkers" for a in ARMS})
    add("Caseworkers by stratum", {a: "; ".join(f"{s}: {suppress(int(((randomisation['arm'] == a) & (randomisation['stratum'] == s)).sum()), threshold)}" for s in strata) for a in ARMS})
    add("Citizens enrolled", {a: f"{suppress(n(citizens, a), threshold)} citizens, {suppress(n(citizens, a, 'caseworker_id'), threshold)} caseworkers" for a in ARMS})
    for v in visits:
        col = f"who5_m{v}"
        add("WHO-5 at baseline" if v == 0 else f"WHO-5 at {v} months", {a: f"{suppress(int(citizens.loc[citizens['arm'] == a, col].notna().sum()), threshold)} citizens" for a in ARMS})
    no_follow = {a: n(citizens, a) - n(long, a, "citizen_id") for a in ARMS}
    add("Excluded from the primary analysis: no follow-up WHO-5", {a: f"{suppress(no_follow[a], threshold)} citizens" for a in ARMS})
    add("Analysed, primary (WHO-5, mixed model)", {a: f"{suppress(n(long, a, 'citizen_id'), threshold)} citizens, {suppress(n(long, a, 'caseworker_id'), threshold)} caseworkers" for a in ARMS})
    for o in BINARY_OUTCOMES:
        add(f"Analysed, {o} (outcome recorded)", {a: f"{suppress(int(citizens.loc[citizens['arm'] == a, o].notna().sum()), threshold)} citizens" for a in ARMS})
    return pd.DataFrame(rows, columns=["stage", *ARMS])


def figure_labels(language: str, arms: dict[str, str] | None = None, primary_visit: int = 12) -> dict[str, str]:
    """Axis and legend labels of the report's figures in the report language."""
    from .i18n import Translator

    t = Translator(language, primary_visit=primary_visit)
    arms = arms or {"FIT": t("FIT"), "control": t("control")}
    return {"FIT": arms["FIT"], "control": arms["control"], "months": t("months_axis"), "who5": t("who5_axis"),
            "days": t("days_axis"), "cif": t("cif_axis"), "at_risk": t("at_risk"),
            "forest": t("forest_axis", a=arms["FIT"], b=arms["control"]), "meeting": t("meeting_axis"),
            "median": t("median"), "iqr": t("iqr"), "cutoff": t("cutoff"), "decimal": t.decimal}


def report_material_step(inputs: Mapping[str, str], visits: list[dict], threshold: int, language: str,
                         tables_out: Mapping[str, str], figures_out: Mapping[str, str], blinded: bool = False,
                         primary_visit: int = 12) -> None:
    """The report's own tables and figures (baseline, primary, secondary, flow, forest plots, KM, FIT, missing)."""
    from . import figures as F
    from . import practice, tables as T
    from .i18n import Translator

    labels = figure_labels(language, BLIND_LABELS if blinded else None, primary_visit)
    t = Translator(language, primary_visit=primary_visit)
    rand = pd.read_parquet(inputs["randomisation"])
    cit = pd.read_parquet(inputs["citizens"])
    long = pd.read_parquet(inputs["who5_long"])
    effects = pd.read_csv(inputs["effects"])
    emmeans = pd.read_csv(inputs["emmeans"])
    if blinded:  # the published tables show A/B; internally the analyses keep FIT/control
        emmeans["arm"] = emmeans["arm"].map({v: k for k, v in BLIND_LABELS.items()}).fillna(emmeans["arm"])
    strata = _strata(rand)
    visit_list = [int(v["visit"]) for v in visits]

    write_csv(publish(T.baseline_table(cit, rand, threshold), blinded), tables_out["baseline"], float_format="%.3f")
    primary = T.primary_table(cit, emmeans, effects, threshold, visit_list)
    write_csv(publish(primary, blinded), tables_out["primary_outcome"], float_format=FLOAT_FORMAT)
    write_csv(publish(T.secondary_table(cit, effects, threshold), blinded), tables_out["secondary_outcomes"],
              float_format=FLOAT_FORMAT)
    write_csv(publish(T.completion_table(cit, visit_list, threshold), blinded), tables_out["who5_completion"],
              float_format="%.1f")
    miss = practice.missingness_predictors(cit, strata, primary_visit)
    method = miss.attrs["method"]
    if miss.empty:  # not estimable: one row carrying the reason in its method
        miss = pd.DataFrame([{"predictor": "", "odds_ratio": float("nan"), "ci_low": float("nan"),
                              "ci_high": float("nan"), "p_value": float("nan"), "df": float("nan")}])
    if blinded:
        miss["predictor"] = miss["predictor"].replace({"FIT arm": "arm A"})
    write_csv(miss.assign(method=blind_text(method) if blinded else method), tables_out["missingness_predictors"],
              float_format=FLOAT_FORMAT)
    totals = practice.session_totals(pd.read_parquet(inputs["fit_sessions"]), cit)
    summary = practice.practice_summary(totals, cit, threshold)
    meetings = practice.by_meeting(totals, threshold)
    if blinded:  # FIT-only results would unblind: published empty
        summary, meetings = summary.iloc[0:0], meetings.iloc[0:0]
    write_csv(summary, tables_out["fit_practice"])
    write_csv(meetings, tables_out["fit_practice_by_meeting"], float_format=FLOAT_FORMAT)
    flow = flow_table(rand, cit, long, effects, threshold, visit_list)
    write_csv(publish(flow, blinded), tables_out["flow"])

    flow_fig = flow.copy()
    flow_fig["stage"] = [t.label(st) for st in flow_fig["stage"]]
    if language == "da":
        for col in ("FIT", "control"):
            flow_fig[col] = [str(v).replace("caseworkers", "medarbejdere").replace("citizens", "borgere")
                             for v in flow_fig[col]]
    flow_fig.attrs = {"FIT": labels["FIT"], "control": labels["control"]}
    F.flow_figure(flow_fig, figures_out["flow_png"], figures_out["flow_svg"])
    F.trajectories_figure(primary, figures_out["trajectories_png"], figures_out["trajectories_svg"], labels)
    who5_12 = effects[(effects["outcome"] == "who5") & (effects["timepoint_months"] == primary_visit)
                      & ~effects["analysis"].str.startswith("subgroup:")]
    who5_12 = who5_12.assign(note=[t("not_estimated") if pd.isna(x) else "" for x in who5_12["estimate"]])
    F.forest_figure(who5_12.assign(label=[t(f"a_{a}") for a in who5_12["analysis"]]), figures_out["forest_who5_png"],
                    figures_out["forest_who5_svg"], labels["forest"], decimal=labels["decimal"])
    sub = effects[effects["analysis"].str.startswith("subgroup:")]
    notes = [t("not_estimated") if pd.isna(est) else f"{t('p_interaction')} {t.p(p)}" if k == 0 or v != prev else ""
             for k, (p, v, prev, est) in enumerate(
                 zip(sub["p_interaction"], sub["analysis"].str.split("=").str[0],
                     [None, *sub["analysis"].str.split("=").str[0].tolist()[:-1]], sub["estimate"]))]
    F.forest_figure(sub.assign(label=sub["analysis"].str.replace("subgroup:", "", regex=False), note=notes),
                    figures_out["forest_subgroups_png"], figures_out["forest_subgroups_svg"], labels["forest"],
                    decimal=labels["decimal"])
    F.cif_figure(pd.read_parquet(inputs["cif_curve"]), pd.read_parquet(inputs["cif"]), figures_out["cif_png"],
                 figures_out["cif_svg"], labels)
    F.practice_figure(meetings, figures_out["fit_practice_png"], figures_out["fit_practice_svg"], labels)


def figure_step(who5_summary: str, png: str, svg: str) -> None:
    """Draw the WHO-5-by-arm figure."""
    who5_by_arm_figure(pd.read_csv(who5_summary), png, svg)


def report_step(tables: Mapping[str, str], figures: Mapping[str, str], provenance_json: str, config: dict,
                out: str, pdf_out: str | None = None) -> None:
    """Render reports/report.html (and report.pdf) from the published tables, figures and provenance record."""
    import json

    read = {k: pd.read_csv(v, dtype={"n": str, "FIT": str, "control": str, "total": str, "count": str,
                                     "n_at_risk": str, "n_events": str, "FIT_events": str, "FIT_n": str,
                                     "control_events": str, "control_n": str, "completed": str, "enrolled": str,
                                     "value": str, "citizens": str, "A": str, "B": str},
                           keep_default_na=False, na_values=[""]) for k, v in tables.items()}
    with open(provenance_json, encoding="utf-8") as fh:
        prov = json.load(fh)
    if config["report"].get("blinded"):
        for name in ("baseline", "primary_outcome", "secondary_outcomes", "who5_completion", "flow", "recruitment"):
            read[name] = read[name].rename(columns=lambda c: c.replace("A_", "FIT_").replace("B_", "control_")
                                           if c.startswith(("A_", "B_")) else {"A": "FIT", "B": "control"}.get(c, c))
        read["who5_completion"]["arm"] = read["who5_completion"]["arm"].map({"A": "FIT", "B": "control"})
        render_report(read, dict(figures), prov, config, out, arms=BLIND_LABELS, blinded=True, pdf_target=pdf_out)
    else:
        render_report(read, dict(figures), prov, config, out, pdf_target=pdf_out)


def write_json(data: dict, out: str) -> None:
    write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", out)
