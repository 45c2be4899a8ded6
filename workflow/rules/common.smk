# Helpers shared by the rules: paths from the config, the list of outcomes.
import os
import sys
from pathlib import Path

# One BLAS thread per job: the jobs already run in parallel (--cores), and the model fits multiply small
# matrices, where OpenBLAS threads only contend (a mixed-model fit took 4x longer with two threads per job).
# Set before any job starts, so every job's Python inherits it; a user's own setting is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

DERIVED = config["paths"]["derived"]
# the published report set (paths.reports) is built in a staging folder and put in place only when complete
PUBLISHED = config["paths"]["reports"]
REPORTS = f"{DERIVED}/staging/reports"
PUBLISH_FLAG = f"{DERIVED}/staging/published"
LOGS = config["paths"]["logs"]
SCHEMAS = str(Path(workflow.basedir) / "workflow" / "schemas")
from fittrial.base.catalogue import ANALYSES, analyses_of_step, binary_names, runs, yardstick_options

# the binary outcomes, in the report's order (fittrial.base.catalogue: config binary_outcomes, or the FIT trial's five)
BINARY_OUTCOMES = binary_names(config)
# the trial's own words (units, arms, primary outcome, binary outcomes' labels): parameters of the steps that write
# what a reader sees, so that the analyses do not depend on them
WORDS = {key: config.get(key) for key in ("units", "arms", "outcome", "binary_outcomes") if config.get(key)}
# what is measured (the primary outcome's items or score, the binary outcomes): parameters of reading and scoring
MEASURES = {key: config.get(key) for key in ("outcome", "binary_outcomes") if config.get(key)}
# the imputation model's auxiliary variables: as configured, or age, sex and every binary outcome (set in the config
# itself, so that the analysis plan and the provenance record say what was used)
if config["analysis"]["imputation"].get("auxiliary") is None:
    config["analysis"]["imputation"]["auxiliary"] = ["age", "sex", *BINARY_OUTCOMES]
TABLES = ["randomisation", "citizens", "who5", "fit_sessions"]
VISITS = sorted(int(v["visit"]) for v in config["visits"])
# the analysis options every model step gets: the config's `analysis` section plus the visit schedule
ANALYSIS = {**config["analysis"], "visits": VISITS, "blinded": config["report"]["blinded"]}


def analysis_options(*keys):
    """The analysis options one step uses, from ANALYSIS: only these are the step's params, so changing another
    option (e.g. analysis.gee_covariance) does not re-run it."""
    return {key: ANALYSIS[key] for key in keys}

# what reading and checking the inputs needs (rules validate_inputs and check). The report's language is not one of
# them: switching it re-renders the data-check page (rule data_check_page) and the report, and refits nothing. When
# the inputs fail, validate_inputs writes the page itself (a failed job's outputs are removed, so the page is no
# output of it), in the language of the config.
VALIDATION_PARAMS = dict(
    inputs=lambda wildcards: {name: config["inputs"].get(name) for name in TABLES},
    schema_dir=SCHEMAS,
    blinded=config["report"]["blinded"],
    blinding_key_file=config["report"]["blinding_key_file"],
    visits=VISITS,
    age_range=[config["checks"]["age_min"], config["checks"]["age_max"]],
    data_cutoff=config["checks"]["data_cutoff"],
    data_check=config["paths"]["data_check"],
    allocation=config["analysis"]["allocation"],
    measures=MEASURES,
    scoring=dict(visits=config["visits"], prorate=config["scoring"]["who5_prorate_one_missing"],
                 window_days=config["analysis"]["outcome_window_days"], censor_on=config["analysis"]["censor_on"]),
)
# per protocol and CACE need adherence, i.e. FIT sessions: they are run for a FIT trial (arms not renamed) or when the
# sessions are given, and never blinded (adherence exists only in the FIT arm: it would unblind)
FIT_SESSIONS = bool(config["inputs"].get("fit_sessions"))
ADHERENCE = FIT_SESSIONS or not config.get("arms")
# the analyses of the effects table (fittrial.base.catalogue.ANALYSES) that rule sensitivity computes
SENSITIVITY = analyses_of_step("sensitivity", config["report"]["blinded"], ADHERENCE)

def input_files(wildcards=None):
    """The input tables named in the config (fit_sessions only when given)."""
    from fittrial.steps.config import input_path

    return {name: input_path(spec) for name, spec in config["inputs"].items() if input_path(spec)}


def project_file(path):
    """A file named in the config: as given (relative to the working directory) if it exists, else relative to
    the workflow (the project's own files, e.g. config/example_trial.yaml)."""
    return path if Path(path).exists() else str(Path(workflow.basedir) / path)


def simulation_base():
    """The base trial of the simulation studies (validate, design): the YAML named in validation.parameters, or,
    when that is empty, the one estimated from this trial's data (rule simulation_parameters)."""
    path = config["validation"].get("parameters") or ""
    return project_file(path) if path else f"{DERIVED}/validation/parameters.yaml"


def operating_characteristics_input(wildcards=None):
    """The OC summary shown as the report's appendix (config report.operating_characteristics), if any: the path
    as given (relative to the working directory), else relative to the workflow (the project's own study)."""
    path = config["report"].get("operating_characteristics") or ""
    if not path:
        return []
    for candidate in (Path(path), Path(workflow.basedir) / path):
        if candidate.exists():
            return [str(candidate)]
    return []


def clean(name):
    return f"{DERIVED}/clean/{name}.parquet"


def analysis(name):
    return f"{DERIVED}/analysis/{name}.parquet"


def table(name):
    """A table as drafted by its step; rule disclosure_control suppresses further what a reader could work out
    from all tables together and writes the published one (published_table)."""
    return f"{DERIVED}/tables/{name}.csv"


def published_table(name):
    return f"{REPORTS}/tables/{name}.csv"


def result(name):
    return f"{DERIVED}/results/{name}.parquet"


def effect_results():
    """Every result whose rows make up the effects table: the primary model, a GEE per binary outcome, each
    analysis of the catalogue (fittrial.base.catalogue.ANALYSES) that runs, and each subgroup variable."""
    files = [result("primary_lmm")] + [result(f"gee_{o}") for o in BINARY_OUTCOMES]
    for a in ANALYSES:
        if a.step == "sensitivity" and a.name in SENSITIVITY:
            files.append(result(f"sensitivity_{a.name}"))
        elif a.step not in ("sensitivity", "primary_lmm") and runs(a, config["report"]["blinded"], ADHERENCE):
            files.append(result(a.step))
    return files + [result(f"subgroup_{v}") for v in config["analysis"]["subgroups"]]

PUBLISHED_TABLES = ["effects", "participants", "who5_by_arm_visit", "data_quality", "missing_outcomes",
                    "variance_components", "emmeans", "tipping_point", "tipping_point_2d", "cif_dropout", "icc",
                    "recruitment", "yardsticks", "claims"]
# the report's own tables and figures: of the trial's course (rules course_tables and course_figures, drawn while the
# models run) and of effects (rules report_tables and report_figures); the tables hold no words, the figures are in
# the report's language
COURSE_TABLES = ["baseline", "who5_completion", "fit_practice", "fit_practice_by_meeting", "flow"]
COURSE_FIGURES = ["cif", "fit_practice"]
EFFECT_TABLES = ["primary_outcome", "secondary_outcomes", "missingness_predictors"]
EFFECT_FIGURES = ["trajectories", "forest_who5", "forest_subgroups"]
REPORT_TABLES = COURSE_TABLES + EFFECT_TABLES
REPORT_FIGURES = ["flow"] + COURSE_FIGURES + EFFECT_FIGURES  # the flow diagram: drawn from the published table


def figure(name, ext="png"):
    return f"{REPORTS}/figures/{name}.{ext}"


FLOW_FIGURE = [figure("flow"), figure("flow", "svg")]  # drawn by rule report_html, from the published flow table


def all_outputs():
    """What the default target builds: the published report set, and the data-check page."""
    return [PUBLISH_FLAG, config["paths"]["data_check"]]


def hashed_outputs():
    """Every published table and figure (the provenance record lists their SHA-256)."""
    return [f for f in report_set() if f.startswith((f"{REPORTS}/tables/", f"{REPORTS}/figures/"))]


def report_set():
    """Every file of the report set (in the staging folder)."""
    return [published_table(t) for t in PUBLISHED_TABLES + REPORT_TABLES] + [figure(f, e) for f in REPORT_FIGURES
                                                                    for e in ("png", "svg")] + [
        figure("tipping_point_2d"),
        figure("tipping_point_2d", "svg"),
        f"{REPORTS}/figures/who5_by_arm_visit.png",
        f"{REPORTS}/figures/who5_by_arm_visit.svg",
        f"{REPORTS}/report.html",
        f"{REPORTS}/report.pdf",
        f"{REPORTS}/provenance.json",
    ]


def check_inputs_exist():
    """Stop before any job with a readable message if an input file named in the config is missing (in the report's
    language, as every message of the workflow)."""
    from fittrial.language.problems import INPUTS_MISSING_HEADER, config_report

    missing = [f"inputs.{name}: the file '{path}' does not exist (paths are relative to the working directory "
               f"'{Path.cwd()}')" for name, path in input_files().items() if not Path(path).exists()]
    if missing:
        print(config_report(missing, config, INPUTS_MISSING_HEADER), file=sys.stderr)
        sys.exit(1)


def check_settings():
    """Stop before any job with a readable message if the config is inconsistent (see fittrial.steps.config), in the
    report's language."""
    from fittrial.language.problems import config_report
    from fittrial.steps.config import check_config

    problems = check_config(config)
    if problems:
        print(config_report(problems, config), file=sys.stderr)
        sys.exit(1)


def check_published():
    """Repair an interrupted publish; rebuild the published set if it has gone (e.g. deleted by hand)."""
    from fittrial.publish.release import recover

    recover(PUBLISHED)
    if not Path(PUBLISHED, "report.html").exists() and Path(PUBLISH_FLAG).exists():
        Path(PUBLISH_FLAG).unlink()


check_settings()
check_inputs_exist()
check_published()


# Where the jobs run when a cluster executor is used (profiles/slurm; docs/cluster.md). Each step of the analysis
# and the report is short (0.1-4 s on the example; the whole analysis is 27 s of job time), while a cluster job
# costs 4-8 s of start-up and status polling on an idle cluster and the queue's wait on a busy one: they run where
# Snakemake runs (localrules), in parallel up to its --local-cores. Only the simulation studies' jobs, minutes each,
# go to the queue: simulation_chunk (validate) and design_cell and design_binary_cell (design). Reading the inputs
# (validate_inputs, check) goes there too when they are large (READER_QUEUE_MB together or more; the reader peaks
# near 2 GiB on a 210 MB CSV file), with memory in proportion to their size (profiles/slurm/config.yaml). Without
# an executor (--cores N) every job runs locally anyway.
READER_QUEUE_MB = 100
INPUTS_MB = sum(Path(p).stat().st_size for p in {str(Path(p).resolve()) for p in input_files().values()}
                if Path(p).is_file()) / 1e6


localrules: all, analysis_data, course_figures, course_tables, data_check_page, descriptive_tables, design,
    design_parameters, design_report, disclosure_control, effects_table, icc, missingness,
    multiple_imputation, operating_characteristics, primary_lmm, publish, randomisation_test, recruitment,
    report_figures, report_html, report_tables, secondary_gee, sensitivity, simulation_parameters, subgroup,
    time_to_dropout, validate, verify, yardsticks


if INPUTS_MB < READER_QUEUE_MB:

    localrules: check, validate_inputs


# Snakemake's job-rate limiter (--max-jobs-per-timespan, 100/1s by default) leaves a one-second timer after each
# round of scheduling (snakemake/scheduling/job_scheduler.py, _schedule_reevalutation), and Python waits for it
# before it exits: every run ended about a second after its last job. When the run is over, that timer has no
# job left to schedule, so it is ended at once (the limit's timespan cannot be set below a second: its parser
# reads "100ms" as 100 minutes).
def end_scheduler_timers():
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and \
                "_schedule_reevalutation" in getattr(thread.function, "__qualname__", ""):
            thread.cancel()


onsuccess:
    end_scheduler_timers()


onerror:
    end_scheduler_timers()
