"""Workflow steps that read and check the inputs and build the analysis data sets.

:func:`validate_step` (rule ``validate_inputs``) and :func:`check_step` (rule
``check``) read every input, check it against the contract and write the
data-check page; :func:`analysis_data_step` scores WHO-5 and assembles the
analysis data. Plain functions taking and returning file paths.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import pandas as pd

from fittrial.base.errors import InputError, Problem
from fittrial.base.files import write_parquet, write_text
from fittrial.inputs.cells import date_format_problem
from fittrial.inputs.datacheck import CheckOutcome, FileSummary, render_data_check
from fittrial.inputs.dataset import build_analysis_data
from fittrial.inputs.read import RawTable, read_table
from fittrial.inputs.scoring import windows_from_config
from fittrial.inputs.template import blank_example_rows
from fittrial.inputs.validation import Trial, contract_name, load_schema, validate_inputs
from fittrial.steps.config import input_path

log = logging.getLogger("fittrial")


def blind(trial: Trial, key: bytes) -> Trial:
    """Blinded review: relabel the arms by the trial statistician's key, and drop what would unblind.

    Every output shows the internal "FIT" arm as "A" and "control" as "B";
    when the key says FIT is B (:func:`fittrial.inputs.blinding.fit_is_a`), the arms
    are exchanged first. The mapping depends on the key only, which is never
    written anywhere. FIT sessions exist only in the FIT arm, so they are
    dropped, and with them the per-protocol, CACE and FIT-in-practice results;
    validation notes about FIT sessions are dropped too.
    """
    from fittrial.inputs.blinding import fit_is_a

    rand = trial.randomisation.copy()
    if not fit_is_a(key):
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
    (:func:`fittrial.inputs.validation.type_table`). A column mapping to a column the
    file does not have, or a date format that is not one, is an
    :class:`InputError` naming the file.
    """
    if not isinstance(spec, Mapping):
        return read_table(spec, name)
    raw = read_table(spec["path"], name, spec.get("sheet"), spec.get("header_row"))
    label = f"{name} ({raw.path})"
    problems = []
    date_format = spec.get("date_format")
    if date_format is not None:
        wrong = date_format_problem(date_format)
        if wrong:
            problems.append(Problem(label, f"inputs.{name}.{wrong}"))
        raw.date_format = date_format
    frame = raw.frame  # renamed in place: the table as read is not kept twice (a large file costs its size once)
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
    raw.renamed = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    return raw


def _read_and_check(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path,
                    visits: list[int] | None = None, age_range: tuple[int, int] | None = None,
                    data_cutoff: str | None = None, scoring: Mapping | None = None, allocation: str = "auto",
                    measures: Mapping | None = None) -> tuple[Trial | None, CheckOutcome]:
    """Read every input and check it against the contract; never raises for a user's mistake.

    Returns the validated trial (None when there are errors) and the
    :class:`~fittrial.inputs.datacheck.CheckOutcome` the data-check page shows. With
    ``scoring`` (``visits``: the config's visit windows, ``prorate``,
    ``window_days``, ``censor_on``) the page's notes include those of scoring
    and assembling the analysis data (forms outside every window, forms
    scored missing, ...), so the page says what the analysis will do.
    """
    from fittrial.base.catalogue import input_schemas

    schemas = input_schemas({name: load_schema(Path(schema_dir) / f"{name}.schema.yaml")
                             for name in ("randomisation", "citizens", "who5", "fit_sessions")}, measures)
    if age_range is not None:
        schemas["citizens"]["properties"]["age"].update(minimum=int(age_range[0]), maximum=int(age_range[1]))
    raws: dict[str, RawTable] = {}
    files: list[FileSummary] = []
    problems: list[Problem] = []
    for name, spec in inputs.items():
        path = input_path(spec)
        if not path or spec is None:  # no input (input_path gives "" for None)
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
        trial = validate_inputs(raws, {name: schemas[name] for name in raws}, visits, cutoff, allocation,
                                (scoring or {}).get("censor_on") or None)
    except InputError as exc:
        return None, CheckOutcome(files, exc.problems, empty_notes)
    notes = trial.notes
    if scoring:
        notes = build_analysis_data(trial, windows_from_config(scoring["visits"]), scoring["prorate"],
                                    scoring["window_days"], scoring["censor_on"], measures)[2]
    return trial, CheckOutcome(files, [], notes)


def _write_data_check(outcome: CheckOutcome, data_check: str | None, language: str, blinded: bool) -> None:
    """Write the data-check page (FIT-session notes left out when blinded: they would tell the arms apart)."""
    if not data_check:
        return
    if blinded and len(outcome.notes):
        outcome = CheckOutcome(outcome.files, outcome.problems,
                               outcome.notes[~outcome.notes["check"].str.contains("FIT session", regex=False)])
    write_text(render_data_check(outcome, language), data_check)


def outcome_json(outcome: CheckOutcome) -> str:
    """The data-check page's contents of inputs that passed (files read and notes), as JSON."""
    import dataclasses
    import json

    notes = outcome.notes.astype(object).where(outcome.notes.notna(), None)
    return json.dumps({"files": [dataclasses.asdict(f) for f in outcome.files],
                       "notes": {"columns": list(notes.columns), "rows": notes.values.tolist()}},
                      ensure_ascii=False, indent=1, default=str) + "\n"


def outcome_from_json(text: str) -> CheckOutcome:
    """The inverse of :func:`outcome_json`."""
    import json

    data = json.loads(text)
    notes = pd.DataFrame(data["notes"]["rows"], columns=data["notes"]["columns"])
    return CheckOutcome([FileSummary(**f) for f in data["files"]], [], notes)


def data_check_page_step(check: str | Path, page: str | Path, language: str = "en", blinded: bool = False) -> None:
    """Write the data-check page of inputs that passed (rule data_check_page) in ``language`` from what
    :func:`validate_step` recorded (``check``)."""
    outcome = outcome_from_json(Path(check).read_text(encoding="utf-8"))
    _write_data_check(outcome, str(page), language, blinded)
    log.info("data-check page: %s (%s, %d notes)", page, language, len(outcome.notes))


def _fail(outcome: CheckOutcome, data_check: str | None) -> NoReturn:
    header = "The input data do not meet the input contract (see config/README.md)."
    if data_check:
        header += f" The data-check page lists every problem: {data_check}"
    raise InputError(outcome.problems, header)


def check_step(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path, data_check: str, flag: str,
               language: str = "en", blinded: bool = False, visits: list[int] | None = None,
               age_range: tuple[int, int] | None = None, data_cutoff: str | None = None,
               scoring: Mapping | None = None, allocation: str = "auto", measures: Mapping | None = None) -> None:
    """Validate the inputs only (``snakemake check``): write the data-check page; fail if there are errors.

    On success ``flag`` is written (the rule's output); arguments as in :func:`validate_step`.
    """
    _, outcome = _read_and_check(inputs, schema_dir, visits, age_range, data_cutoff, scoring, allocation, measures)
    _write_data_check(outcome, data_check, language, blinded)
    if not outcome.ok:
        _fail(outcome, data_check)
    log.info("inputs valid; %d notes; data-check page: %s", len(outcome.notes), data_check)
    write_text(f"inputs valid; data-check page: {data_check}\n", flag)


def validate_step(inputs: Mapping[str, str | Mapping | None], schema_dir: str | Path, outputs: Mapping[str, str],
                  blinded: bool = False, visits: list[int] | None = None,
                  age_range: tuple[int, int] | None = None, data_cutoff: str | None = None,
                  data_check: str | None = None, language: str = "en", scoring: Mapping | None = None,
                  blinding_key_file: str | None = None, allocation: str = "auto",
                  measures: Mapping | None = None) -> None:
    """Read and check the inputs; write the typed tables and the validation notes as Parquet.

    ``inputs`` maps table name to path or mapping (``fit_sessions`` may be
    None or ""). ``outputs`` maps table name (and ``notes``) to Parquet paths.
    With ``blinded``, the arms are relabelled (see :func:`blind`) by the key
    in ``blinding_key_file`` or the environment (:mod:`fittrial.inputs.blinding`). ``visits``:
    the visit schedule (an explicit visit outside it is an error);
    ``age_range``: the plausible ages (config ``checks``), replacing the
    schema's range; ``data_cutoff``: no input date may lie after it
    (YYYY-MM-DD; empty: today). ``data_check``: where to write the data-check
    page (in ``language``) when the inputs fail; it is not a declared
    output, so that a failed run keeps it. When they pass, ``outputs["check"]``
    receives what the page shows (:func:`outcome_json`), and rule
    data_check_page renders it (:func:`data_check_page_step`), so that the
    page's language is no parameter of this step. ``scoring``: see
    :func:`_read_and_check`. ``allocation``: how the caseworkers were randomised (config
    ``analysis.allocation``; see :func:`fittrial.inputs.crosscheck.allocation_of`).
    """
    trial, outcome = _read_and_check(inputs, schema_dir, visits, age_range, data_cutoff, scoring, allocation,
                                     measures)
    if trial is None:
        _write_data_check(outcome, data_check, language, blinded)
        _fail(outcome, data_check)
    if "check" in outputs:  # what the page of inputs that pass shows, for rule data_check_page
        write_text(outcome_json(outcome), outputs["check"])
    if blinded:
        from fittrial.inputs.blinding import read_key

        trial = blind(trial, read_key(blinding_key_file))
    for name in ("randomisation", "citizens", "who5"):
        write_parquet(getattr(trial, name), outputs[name])
    fit = trial.fit_sessions if trial.fit_sessions is not None else pd.DataFrame(
        columns=["_row", "citizen_id", "caseworker_id", "session_on"])
    write_parquet(fit, outputs["fit_sessions"])
    write_parquet(trial.notes, outputs["notes"])
    log.info("inputs valid: %d caseworkers, %d citizens, %d WHO-5 forms, %d FIT sessions; %d notes",
             len(trial.randomisation), len(trial.citizens), len(trial.who5), len(fit), len(trial.notes))


def analysis_data_step(clean: Mapping[str, str], visits: list[dict], prorate_one_missing: bool,
                       outputs: Mapping[str, str], window_days: int = 365, censor_on: str | None = None,
                       measures: Mapping | None = None) -> None:
    """Score WHO-5, assign visits, derive the course outcomes and write the analysis data sets and all notes."""
    trial = Trial(pd.read_parquet(clean["randomisation"]), pd.read_parquet(clean["citizens"]),
                  pd.read_parquet(clean["who5"]), pd.read_parquet(clean["fit_sessions"]),
                  notes=pd.read_parquet(clean["notes"]))
    citizens, long, notes = build_analysis_data(trial, windows_from_config(visits), prorate_one_missing,
                                                window_days, censor_on, measures)
    write_parquet(citizens, outputs["citizens"])
    write_parquet(long, outputs["who5_long"])
    write_parquet(notes, outputs["notes"])
    log.info("analysis data: %d citizens, %d follow-up WHO-5 observations, %d data-quality notes",
             len(citizens), len(long), len(notes))
