"""Checks of the configuration that JSON Schema cannot express, run before any job starts.

Each problem is one sentence naming the config key, the value and what was
expected, so that a mistake in a user's config file stops the run with a
message instead of a traceback inside a job.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from fittrial.inputs.scoring import window_problems
from fittrial.language.messages import LANGUAGES, render


def check_config(config: dict[str, Any]) -> list[str]:
    """Every problem of a schema-valid config that would otherwise fail inside a job."""
    problems = window_problems(config["visits"])
    visits = [int(e["visit"]) for e in config["visits"]]
    analysis = config["analysis"]
    if not [v for v in visits if v != 0]:
        problems.append("visits: the schedule has no follow-up visit (only visit 0); expected at least one visit "
                        "after baseline.")
    if int(analysis["primary_visit"]) not in visits:
        problems.append(f"analysis.primary_visit: {analysis['primary_visit']} is not one of the visits of the "
                        f"schedule ({', '.join(str(v) for v in visits)}).")
    window = int(analysis.get("outcome_window_days", 365))
    if "km_days" in analysis and not [d for d in analysis["km_days"] or [] if 0 <= d <= window]:
        problems.append(f"analysis.km_days: {analysis.get('km_days')} has no day within the outcome window (0 to "
                        f"analysis.outcome_window_days = {window}); expected days to show the cumulative incidence "
                        f"at, e.g. [0, 90, 180, 270, {window}].")
    mi = analysis.get("imputation") or {}
    if "delta_from" in mi and "delta_to" in mi and float(mi["delta_from"]) > float(mi["delta_to"]):
        problems.append(f"analysis.imputation: delta_from ({mi['delta_from']}) lies above delta_to ({mi['delta_to']}); "
                        "expected the lowest shift of the tipping-point analysis first, e.g. delta_from: -15, "
                        "delta_to: 15.")
    breaks = list(analysis["age_breaks"])
    if any(b >= c for b, c in zip(breaks, breaks[1:])):
        problems.append(f"analysis.age_breaks: {breaks} is not strictly increasing; expected e.g. [30, 50].")
    for key, value in (("analysis.censor_on", analysis.get("censor_on")),
                       ("checks.data_cutoff", config.get("checks", {}).get("data_cutoff"))):
        if value:
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                problems.append(f"{key}: '{value}' is not a calendar date; expected YYYY-MM-DD.")
    from fittrial.inputs.cells import date_format_problem

    for name, spec in (config.get("inputs") or {}).items():
        if isinstance(spec, dict) and spec.get("date_format") is not None:
            wrong = date_format_problem(spec["date_format"])
            if wrong:
                problems.append(f"inputs.{name}.{wrong}")
    checks = config.get("checks", {})
    if checks and int(checks["age_min"]) >= int(checks["age_max"]):
        problems.append(f"checks: age_min ({checks['age_min']}) must be below age_max ({checks['age_max']}).")
    problems += validation_problems(config.get("validation") or {})
    problems += words_problems(config)
    problems += design_outcome_problems(config)
    report = config.get("report", {})
    if report.get("blinded"):
        from fittrial.inputs.blinding import key_problem

        if why := key_problem(report.get("blinding_key_file") or None):
            problems.append(why)
    paths = config.get("paths", {})
    if paths.get("reports") and paths.get("derived"):
        reports, derived = Path(paths["reports"]).resolve(), Path(paths["derived"]).resolve()
        if reports == derived or derived in reports.parents or reports in derived.parents:
            problems.append(f"paths.reports: '{paths['reports']}' and paths.derived ('{paths['derived']}') overlap; "
                            "paths.derived holds the citizen-level analysis data, which may never be published, so "
                            "expected two separate folders (default reports and data/derived).")
    if paths.get("data_check") and paths.get("reports"):
        page, reports = Path(paths["data_check"]).resolve(), Path(paths["reports"]).resolve()
        if page == reports or reports in page.parents:
            problems.append(f"paths.data_check: '{paths['data_check']}' lies in paths.reports ('{paths['reports']}'), "
                            "which holds only what may be published; the data-check page points at rows of the "
                            "inputs, so expected a path outside it (default data-check.html).")
    return problems


def design_outcome_problems(config: dict[str, Any]) -> list[str]:
    """The binary outcomes the design of the next trial names (``design.binary.outcomes`` and ``parameters``)
    must be the trial's (:func:`fittrial.base.catalogue.binary_outcomes`)."""
    from fittrial.base.catalogue import binary_names

    known = binary_names(config)
    binary = ((config.get("design") or {}).get("binary")) or {}
    named = [("design.binary.outcomes", o) for o in binary.get("outcomes") or []]
    named += [("design.binary.parameters", o) for o in binary.get("parameters") or {}]
    return [f"{key}: '{o}' is not one of the trial's binary outcomes; expected one of {', '.join(known)}."
            for key, o in named if o not in known]


def words_problems(config: dict[str, Any]) -> list[str]:
    """Problems of the trial's own words and outcomes (``units``, ``arms``, ``outcome``, ``binary_outcomes``): a
    report language without the words, an outcome without its name, items or score, ranges the wrong way round,
    outcome names used twice."""
    problems = []
    language = (config.get("report") or {}).get("language", "en")
    for role in ("cluster", "individual"):
        forms = ((config.get("units") or {}).get(role)) or {}
        if forms and language not in forms:
            problems.append(f"units.{role}: no words for the report language '{language}'; expected e.g. "
                            + render("cfg_units_example", language if language in LANGUAGES else "en") + ".")
    outcome = config.get("outcome") or {}
    if outcome:
        if not outcome.get("name"):
            problems.append("outcome: the section sets " + ", ".join(sorted(outcome)) + " but no name; expected "
                            "name (and short) of the outcome, e.g. name: {en: Test score, da: Testscore}.")
        if bool(outcome.get("items")) == bool(outcome.get("score_column")):
            problems.append("outcome: expected either items (the outcome table's item columns) or score_column "
                            "(the column holding the score), not " + ("both." if outcome.get("items") else "neither."))
        for key in ("range", "item_range"):
            pair = outcome.get(key)
            if pair and not pair[0] < pair[1]:
                problems.append(f"outcome.{key}: {pair} is not [lowest, highest]; expected the lowest value first.")
        if outcome.get("items") and not outcome.get("item_range"):
            problems.append("outcome.item_range: not set; expected the items' lowest and highest value, e.g. [0, 5].")
    names = [str(o.get("name")) for o in config.get("binary_outcomes") or []]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"binary_outcomes: '{name}' is listed more than once; expected each outcome once.")
    if "who5" in names:
        problems.append("binary_outcomes: 'who5' is the primary outcome's code; expected another name.")
    return problems


def validation_problems(validation: dict[str, Any]) -> list[str]:
    """Unknown keys in a simulation scenario, and scenarios to run that are not defined."""
    from dataclasses import fields

    from fittrial.design.simulate import Departures, SimulationParameters

    known = {f.name for f in fields(SimulationParameters)} | {f.name for f in fields(Departures)}
    problems = []
    for name, overrides in (validation.get("scenarios") or {}).items():
        unknown = sorted(set(overrides or {}) - known)
        if unknown:
            problems.append(f"validation.scenarios.{name}: unknown key(s) {', '.join(unknown)}; expected simulation "
                            "parameters (fittrial.design.simulate.SimulationParameters) or departures "
                            "(fittrial.design.operating.Departures).")
    missing = [r for r in validation.get("run") or [] if r not in (validation.get("scenarios") or {})]
    if missing:
        problems.append(f"validation.run: {', '.join(missing)} not among validation.scenarios.")
    return problems


REQUIRED_INPUTS = ("randomisation", "citizens", "who5")


def input_problems(config: dict, config_files: list[str]) -> list[str]:
    """The required inputs the config does not name, as sentences.

    The bundled config/config.yaml names no input (it describes no trial), so
    every input comes from the user's own config file (or the example's,
    config/example.yaml); an input left out is an error, never another trial's
    file. ``inputs.fit_sessions`` left out means no FIT sessions; one workbook
    (``inputs.workbook``) stands for every table it has a sheet for.
    """
    inputs = config.get("inputs")
    own = ", ".join(str(f) for f in config_files) or "none given"
    if not isinstance(inputs, dict):
        return [f"inputs: expected a mapping of table names to files (e.g. 'randomisation: randomisation.csv'), "
                f"not {type(inputs).__name__} (config files: {own})."]
    if inputs.get("workbook"):
        return []
    return [f"inputs.{name} is not set in your config ({own}); expected the path of your {name} table "
            "(e.g. `--configfile=my-trial.yaml` with `inputs: {randomisation: ..., citizens: ..., who5: ...}`)."
            for name in REQUIRED_INPUTS if not input_path(inputs.get(name))]


def apply_user_inputs(config: dict, config_files: list[str], bundled: str) -> list[str]:
    """Check that the config names its inputs (:func:`input_problems`), set a missing ``fit_sessions`` to "",
    and turn ``inputs.workbook`` into one sheet per table (:func:`expand_workbook`). Returns the problems (empty
    when fine). ``bundled`` (config/config.yaml) is left out of the files named in a message."""
    own = [str(f) for f in config_files if Path(f).resolve() != Path(bundled).resolve()]
    problems = input_problems(config, own)
    if problems:
        return problems
    inputs = config["inputs"]
    if inputs.get("fit_sessions") is None:
        inputs["fit_sessions"] = ""
    named = {k for k, v in inputs.items() if k != "workbook" and input_path(v)}
    return expand_workbook(config, named)


def expand_workbook(config: dict, named: set[str]) -> list[str]:
    """Turn ``inputs.workbook`` (one .xlsx with a sheet per table, as ``fittrial-template`` writes it) into one
    input per table: ``{path: <workbook>, sheet: <its sheet>}``. A table the user's config names itself
    (``named``) keeps that; a workbook without a fit_sessions sheet means no FIT sessions. Returns the problems."""
    from fittrial.inputs.template import SHEETS, TABLES, find_sheet

    inputs = config.get("inputs") or {}
    book = inputs.pop("workbook", None)
    if not book:
        return []
    path = Path(str(book))
    if path.suffix.lower() != ".xlsx":
        return [f"inputs.workbook: '{book}' is not an Excel workbook; expected a .xlsx file with one sheet per "
                "table (fittrial-template writes one)."]
    if not path.exists():
        return [f"inputs.workbook: the file '{book}' does not exist (paths are relative to the working directory "
                f"'{Path.cwd()}')."]
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        names = list(wb.sheetnames)
        wb.close()
    except Exception as exc:  # a corrupt or mislabelled file is the user's to fix
        return [f"inputs.workbook: '{book}' could not be read as an Excel workbook: {exc}"]
    problems = []
    for table in TABLES:
        if table in named:
            continue
        sheet = find_sheet(names, table)
        if sheet is not None:
            inputs[table] = {"path": str(book), "sheet": sheet}
        elif table == "fit_sessions":
            inputs[table] = ""
        else:
            problems.append(f"inputs.workbook: '{book}' has no sheet '{SHEETS['da'][table]}' or "
                            f"'{SHEETS['en'][table]}' for the {table} table; it has {', '.join(map(repr, names))}.")
    config["inputs"] = inputs
    return problems


def input_path(spec: Any) -> str:
    """The file path of an input given as a path or as a mapping with ``path`` ("" when none)."""
    if isinstance(spec, dict):
        return str(spec.get("path") or "")
    return str(spec or "")


def _key(path: Any) -> str:
    """A config key as a user writes it: analysis.imputation.m, visits[2].target_day."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the config"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return "empty" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "object": "a mapping (key: value lines)", "array": "a list", "null": "empty"}


def _kind(value: Any) -> str:
    for python, word in ((bool, "true or false"), (int, "a whole number"), (float, "a number"), (str, "text"),
                         (dict, "a mapping"), (list, "a list"), (type(None), "empty")):
        if isinstance(value, python):
            return word
    return type(value).__name__


def _expected(error: Any) -> str:
    """What the schema expects where ``error`` arose, in words (its description when it has one)."""
    schema, kind = error.schema, error.validator
    value = error.validator_value
    described = f" ({schema['description']})" if isinstance(schema, dict) and schema.get("description") else ""
    if kind == "type":
        types = [value] if isinstance(value, str) else list(value)
        return " or ".join(TYPE_WORDS.get(t, t) for t in types) + described
    if kind == "enum":
        return "one of " + ", ".join(_shown(v) for v in value) + described
    if kind == "const":
        return _shown(value)
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above",
                "exclusiveMaximum": "below"}[kind]
        return f"a number {word} {value}{described}"
    if kind == "pattern":
        if value.endswith(r"\d{4}-\d{2}-\d{2})$") or value == r"^\d{4}-\d{2}-\d{2}$":
            return "a date as YYYY-MM-DD" + (", or empty" if value.startswith("^(|") else "")
        if value == "^[a-z][a-z0-9_]*$":
            return "a name of lower-case letters, digits and _ that starts with a letter"
        return f"text of the form {value}{described}"
    if kind in ("minItems", "maxItems"):
        return f"{'at least' if kind == 'minItems' else 'at most'} {value} item(s)"
    if kind in ("minLength", "maxLength"):
        return "text that is not empty" if kind == "minLength" and value == 1 else \
            f"text of {'at least' if kind == 'minLength' else 'at most'} {value} characters"
    if kind == "uniqueItems":
        return "each item once"
    return f"what the schema allows ({kind}: {_shown(value)})" + described


def schema_problems(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Every way ``config`` breaks the config schema (workflow/schemas/config.schema.yaml, the one list of what is
    allowed), as sentences naming the key, the value and what is expected: no schema dump reaches the user. An
    unknown key names the nearest known one (a typo)."""
    import difflib

    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    problems: list[str] = []
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]):
        key, kind = _key(error.absolute_path), error.validator
        while kind in ("anyOf", "oneOf") and error.context:
            # the alternative of the value's own type (the one that got furthest) says best what is wrong
            fitting = [e for e in error.context if e.validator != "type"]
            if fitting:
                error = max(fitting, key=lambda e: len(e.absolute_path))
                key, kind = _key(error.absolute_path), error.validator
            else:
                alternatives = sorted({_expected(e) for e in error.context if e.validator == "type"})
                problems.append(f"{key}: {_shown(error.instance)} is {_kind(error.instance)}; expected "
                                + (" or ".join(alternatives) if alternatives else "another value")
                                + (f" ({error.schema['description']})" if error.schema.get("description") else "")
                                + ".")
                break
        if kind in ("anyOf", "oneOf"):
            continue
        if kind == "additionalProperties":
            known = sorted((error.schema.get("properties") or {}).keys())
            for extra in sorted(set(error.instance) - set(known)):
                near = difflib.get_close_matches(str(extra), known, n=1, cutoff=0.6)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                where = f"{key}.{extra}" if error.absolute_path else str(extra)
                problems.append(f"{where}: unknown key{hint}; expected one of {', '.join(known)}.")
            continue
        if kind == "required":
            missing = error.message.split("'")[1] if "'" in error.message else str(error.validator_value)
            where = f"{key}.{missing}" if error.absolute_path else missing
            problems.append(f"{where}: not set; expected it to be given.")
            continue
        verb = f"is {_kind(error.instance)}" if kind == "type" else "is not allowed"
        problems.append(f"{key}: {_shown(error.instance)} {verb}; expected {_expected(error)}.")
    return list(dict.fromkeys(problems))
