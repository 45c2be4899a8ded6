"""Write the analysis data sets that tests/reference/make_reference.R fits in R.

Each case is a simulated trial run through the package's own validation,
scoring and data assembly; the R script then fits the same models with lme4 and
geepack on exactly these rows. Run from the repository root:

    python tests/reference/make_fixtures.py && Rscript tests/reference/make_reference.R

The identified-random-part cases (a trial shape whose primary model the
package fits without a random intercept the data cannot identify, e.g. one
follow-up per citizen: no citizen intercept) go to
tests/fixtures/identified_reference/<case>/ (citizens.csv, long.csv); only
those, without touching the other cases:

    python tests/reference/make_fixtures.py --identified && Rscript tests/reference/make_reference.R --identified

The competing-risk cases (time to dropout with administrative censoring before
the end of the outcome window, so that the Fine-Gray censoring weights are not
all 1, and with tied dropout, competing and censoring times) go to
tests/fixtures/competing_reference/<case>/citizens.csv; only those:

    python tests/reference/make_fixtures.py --competing && Rscript tests/reference/make_reference.R --competing
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from fittrial.analyses.sensitivity import clda_design, subgroup_design
from fittrial.analyses.survival import dropout_times
from fittrial.design.shapes import SHAPES, simulate_shape
from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.inputs.dataset import build_analysis_data
from fittrial.inputs.read import read_table
from fittrial.inputs.scoring import windows_from_config
from fittrial.inputs.validation import load_schema, validate_inputs

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference"
#: kept apart from OUT: the tests of OUT's cases expect visits 6 and 12 and the nested random part in every case
IDENTIFIED_OUT = ROOT / "tests" / "fixtures" / "identified_reference"
VISITS = [
    {"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
    {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
    {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456},
]

CASES = {
    # like the real trial
    "trial_like": SimulationParameters(seed=7),
    # few, unbalanced clusters, a large caseworker variance, real effects
    "small_clustered": SimulationParameters(
        seed=11, strata={"A": 6, "B": 9}, citizens_per_caseworker=12, sd_caseworker=8.0,
        effect={6: 4.0, 12: 6.0}, sd_caseworker_logit=0.6, missing_followup=0.35,
        odds_ratio={"dropout": 0.6, "completed": 1.5, "kept_housing_12m": 1.8, "eviction_or_risk_12m": 0.5,
                    "stable_income_12m": 1.3}),
    # four strata, much baseline missing
    "four_strata": SimulationParameters(
        seed=23, strata={"S1": 10, "S2": 8, "S3": 12, "S4": 6}, citizens_per_caseworker=20,
        missing_baseline=0.2, sd_caseworker=2.0, effect={6: -2.0, 12: 3.0}),
}


#: case -> (trial shape, seed): the primary model with only the identified random intercepts
IDENTIFIED_CASES = {
    # visits 0 and 12: one follow-up per citizen, so no citizen intercept (lmer: (1 | caseworker_id) only);
    # seed 3: a caseworker variance well inside the parameter space (not at the zero boundary)
    "one_followup": ("one_followup", 3),
}

#: kept apart from OUT as well: only the time-to-dropout columns (r_cif.csv and r_finegray.csv are made here)
COMPETING_OUT = ROOT / "tests" / "fixtures" / "competing_reference"
#: case -> (simulation parameters, administrative censoring date, days the times are rounded up to a multiple of,
#: a stratum whose dropouts are recoded as other course ends or None)
COMPETING_CASES = {
    # enrolment until 2016-09-30 and censoring on 2017-03-31: the last third of the citizens is censored before
    # the end of the 365-day window, at many different times
    "staggered_entry": (SimulationParameters(seed=31, strata={"A": 8, "B": 8}, citizens_per_caseworker=15,
                                             odds_ratio={"dropout": 0.6, "completed": 1.0, "kept_housing_12m": 1.0,
                                                         "eviction_or_risk_12m": 1.0, "stable_income_12m": 1.0}),
                        "2017-03-31", 1, None),
    # the same with the times rounded up to 30-day steps: dropouts, other ends and censorings tied on one day
    "coarse_ties": (SimulationParameters(seed=37, strata={"A": 6, "B": 5, "C": 5}, citizens_per_caseworker=12,
                                         sd_caseworker_logit=0.6), "2017-01-31", 30, None),
    # the same trial with no dropout in stratum C: its coefficient runs off to minus infinity (coxph: "Loglik
    # converged before variable; coefficient may be infinite"), the arm's hazard ratios are still estimated
    "stratum_without_dropout": (SimulationParameters(seed=37, strata={"A": 6, "B": 5, "C": 5},
                                                     citizens_per_caseworker=12, sd_caseworker_logit=0.6),
                                "2017-01-31", 30, "C"),
}
COMPETING_COLUMNS = ["citizen_id", "caseworker_id", "stratum", "fit", "time_days", "event_dropout", "status_dropout"]

CITIZEN_COLUMNS = ["citizen_id", "caseworker_id", "stratum", "arm", "fit", "age", "sex", "who5_m0", "who5_m6",
                   "who5_m12", "baseline_who5", "baseline_missing", "dropout", "completed", "kept_housing_12m",
                   "eviction_or_risk_12m", "stable_income_12m", "time_days", "event_dropout",
                   "status_dropout"]
LONG_COLUMNS = ["citizen_id", "caseworker_id", "stratum", "fit", "visit", "who5", "baseline_who5", "baseline_missing"]


def export_case(trial, citizens: pd.DataFrame, long: pd.DataFrame, case: Path) -> None:
    """Write one reference case: citizens.csv, long.csv, and the CLDA and subgroup designs."""
    citizens = citizens.copy()
    case.mkdir(parents=True, exist_ok=True)
    times = dropout_times(citizens).set_index("citizen_id")
    citizens["time_days"] = citizens["citizen_id"].map(times["time_days"])
    citizens["event_dropout"] = citizens["citizen_id"].map(times["event"])
    citizens["status_dropout"] = citizens["citizen_id"].map(times["status"])  # 2: another course end (competing)
    keep = [c for c in CITIZEN_COLUMNS if c in citizens]  # who5_m<visit> of the visits in the schedule
    citizens[keep].to_csv(case / "citizens.csv", index=False, lineterminator="\n")
    designs = {"clda": clda_design(citizens)}
    built = subgroup_design(long, citizens, "sex", [30, 50])
    if built is not None:
        data, X, between, effects = built
        contrasts = dict(effects)
        first = next(iter(effects.values()))
        for lev, L in list(effects.items())[1:]:
            contrasts[f"joint:{lev}"] = L - first
        designs["subgroup_sex"] = (data, X, between, contrasts)
    for name, (data, X, _, contrasts) in designs.items():
        frame = pd.concat([data[["who5", "caseworker_id", "citizen_id", "visit"]].reset_index(drop=True),
                           X.reset_index(drop=True).add_prefix("x_")], axis=1)
        frame.to_csv(case / f"design_{name}.csv", index=False, lineterminator="\n")
        Lframe = pd.DataFrame(np.array([L.to_numpy() for L in contrasts.values()]), columns=X.columns)
        Lframe.insert(0, "contrast", [str(k) for k in contrasts])
        Lframe.to_csv(case / f"L_{name}.csv", index=False, lineterminator="\n")
    long[LONG_COLUMNS].to_csv(case / "long.csv", index=False, lineterminator="\n")


def export_identified(shape: str, seed: int, case: Path, schemas: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write one identified-random-part case: citizens.csv and long.csv of trial shape ``shape`` (seeded).

    The trial goes through validation (with the shape's visit labels) and the
    analysis data set with the shape's visit schedule, as in the workflow.
    """
    visits = SHAPES[shape].visits or VISITS
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_trial(simulate_shape(shape, seed), tmp)
        trial = validate_inputs({n: read_table(p, n) for n, p in paths.items()}, schemas,
                                [int(v["visit"]) for v in visits])
        citizens, long, _ = build_analysis_data(trial, windows_from_config(visits))
    case.mkdir(parents=True, exist_ok=True)
    citizens = citizens.copy()
    times = dropout_times(citizens).set_index("citizen_id")
    citizens["time_days"] = citizens["citizen_id"].map(times["time_days"])
    citizens["event_dropout"] = citizens["citizen_id"].map(times["event"])
    citizens["status_dropout"] = citizens["citizen_id"].map(times["status"])  # 2: another course end (competing)
    citizens[[c for c in CITIZEN_COLUMNS if c in citizens]].to_csv(case / "citizens.csv", index=False,
                                                                   lineterminator="\n")
    long[LONG_COLUMNS].to_csv(case / "long.csv", index=False, lineterminator="\n")
    return citizens, long


def export_competing(params: SimulationParameters, censor_on: str, step: int, no_dropout: str | None, case: Path,
                     schemas: dict) -> pd.DataFrame:
    """Write one competing-risk case: the time-to-dropout columns of the analysis citizens (censored on
    ``censor_on``; times rounded up to a multiple of ``step`` days, at most 365; the dropouts of stratum
    ``no_dropout`` recoded as other course ends)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_trial(simulate_trial(params), tmp)
        trial = validate_inputs({n: read_table(p, n) for n, p in paths.items()}, schemas)
        citizens, _, _ = build_analysis_data(trial, windows_from_config(VISITS), censor_on=censor_on)
    times = dropout_times(citizens)
    times["time_days"] = np.minimum(np.ceil(times["time_days"] / step) * step, 365.0)
    recode = (times["stratum"] == no_dropout) & (times["status"] == 1)
    times.loc[recode, "status"] = 2
    times["event"] = (times["status"] == 1).astype(int)
    out = times.rename(columns={"event": "event_dropout", "status": "status_dropout"})[COMPETING_COLUMNS]
    case.mkdir(parents=True, exist_ok=True)
    out.to_csv(case / "citizens.csv", index=False, lineterminator="\n")
    return out


def export_mi_design(case: Path) -> pd.DataFrame:
    """Write mi_design.csv: the imputation model's outcomes (y_m<visit>), covariates (x_*) and caseworker of the
    case's citizens.csv, in the order and coding of :func:`fittrial.analyses.imputation.impute` (for jomo in R)."""
    from fittrial.analyses.imputation import DEFAULT_AUXILIARY, auxiliary_design

    cits = pd.read_csv(case / "citizens.csv").sort_values(["caseworker_id", "citizen_id"], kind="mergesort")
    cits = cits.reset_index(drop=True)
    strata = sorted(cits["stratum"].unique())
    X = pd.DataFrame({"intercept": 1.0, "fit": cits["fit"].astype(float)}, index=cits.index)
    for s in strata[1:]:
        X[f"stratum[{s}]"] = (cits["stratum"] == s).astype(float)
    X, _, _ = auxiliary_design(cits, X, DEFAULT_AUXILIARY)
    visits = [c for c in cits.columns if c.startswith("who5_m")]
    frame = pd.concat([cits[["citizen_id", "caseworker_id"]], cits[visits].add_prefix("y_").rename(
        columns=lambda c: c.replace("y_who5_", "y_")), X.add_prefix("x_")], axis=1)
    frame.to_csv(case / "mi_design.csv", index=False, lineterminator="\n", float_format="%.10g")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identified", action="store_true",
                        help=f"write only the identified-random-part cases ({IDENTIFIED_OUT.relative_to(ROOT)})")
    parser.add_argument("--competing", action="store_true",
                        help=f"write only the competing-risk cases ({COMPETING_OUT.relative_to(ROOT)})")
    parser.add_argument("--mi", action="store_true",
                        help="write only the imputation-model designs (mi_design.csv) of the reference cases")
    args = parser.parse_args()
    if args.mi:
        for case in sorted(p for p in OUT.iterdir() if p.is_dir()):
            frame = export_mi_design(case)
            print(f"{case}/mi_design.csv: {len(frame)} citizens, {frame.shape[1]} columns")
        return
    schemas = {n: load_schema(ROOT / "workflow" / "schemas" / f"{n}.schema.yaml")
               for n in ("randomisation", "citizens", "who5", "fit_sessions")}
    for name, (params, censor_on, step, no_dropout) in COMPETING_CASES.items():
        out = export_competing(params, censor_on, step, no_dropout, COMPETING_OUT / name, schemas)
        print(f"{COMPETING_OUT / name}: {len(out)} citizens, status counts "
              f"{out['status_dropout'].value_counts().sort_index().to_dict()}")
    if args.competing:
        return
    for name, (shape, seed) in IDENTIFIED_CASES.items():
        citizens, long = export_identified(shape, seed, IDENTIFIED_OUT / name, schemas)
        print(f"{IDENTIFIED_OUT / name}: shape {shape}, seed {seed}: {len(citizens)} citizens, "
              f"{len(long)} follow-up rows")
    if args.identified:
        return
    for name, params in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_trial(simulate_trial(params), tmp)
            trial = validate_inputs({n: read_table(p, n) for n, p in paths.items()}, schemas)
            citizens, long, _ = build_analysis_data(trial, windows_from_config(VISITS))
        export_case(trial, citizens, long, OUT / name)
        case = OUT / name
        print(f"{case}: {len(citizens)} citizens, {len(long)} follow-up rows")


if __name__ == "__main__":
    main()
