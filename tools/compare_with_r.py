"""Agreement with R on trials no test has seen: simulate N new trials with random
parameters, run them through the package (validation, scoring, models), fit the
same models in R (tests/reference/make_reference.R), and print the largest
differences. Needs Rscript with lme4 and geepack.

    .venv/bin/python tools/compare_with_r.py --trials 20 --seed 1
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import sys

from fittrial.dataset import build_analysis_data
from fittrial.io import read_table
from fittrial.models import fit_binary_gee, fit_primary_lmm
from fittrial.sensitivity import ancova_cr2
from fittrial.survival import cox_dropout, dropout_times
from fittrial.scoring import windows_from_config
from fittrial.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.validation import load_schema, validate_inputs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
from make_fixtures import export_case  # noqa: E402
VISITS = [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
          {"visit": 6, "target_day": 182, "earliest_day": 122, "latest_day": 273},
          {"visit": 12, "target_day": 365, "earliest_day": 305, "latest_day": 456}]
OUTCOMES = ["dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"]


def random_params(rng: np.random.Generator, seed: int) -> SimulationParameters:
    n_strata = int(rng.integers(1, 5))
    strata = {f"S{i}": int(rng.integers(4, 25)) for i in range(n_strata)}
    return SimulationParameters(
        seed=seed, strata=strata, citizens_per_caseworker=float(rng.uniform(5, 25)),
        sd_caseworker=float(rng.choice([0.0, 1.0, 4.0, 8.0])), sd_citizen=float(rng.uniform(5, 18)),
        effect={6: float(rng.normal(0, 4)), 12: float(rng.normal(0, 4))},
        missing_baseline=float(rng.uniform(0, 0.3)), missing_followup=float(rng.uniform(0.05, 0.5)),
        odds_ratio={o: float(np.exp(rng.normal(0, 0.4))) for o in OUTCOMES},
        sd_caseworker_logit=float(rng.uniform(0, 0.8)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    schemas = {n: load_schema(ROOT / "workflow" / "schemas" / f"{n}.schema.yaml")
               for n in ("randomisation", "citizens", "who5", "fit_sessions")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tests" / "fixtures" / "reference"
        fits = {}
        for k in range(args.trials):
            params = random_params(rng, 100_000 + k)
            paths = write_trial(simulate_trial(params), Path(tmp) / f"in{k}")
            trial = validate_inputs({n: read_table(p, n) for n, p in paths.items()}, schemas)
            citizens, long, _ = build_analysis_data(trial, windows_from_config(VISITS))
            export_case(trial, citizens, long, root / f"t{k:03d}")
            censor_on = max(trial.who5["answered_on"].max(), trial.citizens["ended_on"].max())
            fits[k] = (fit_primary_lmm(long), {o: fit_binary_gee(citizens, o) for o in OUTCOMES},
                       len(trial.randomisation), len(citizens), ancova_cr2(citizens)[0],
                       cox_dropout(dropout_times(citizens, censor_on))[1])
        out = subprocess.run(["Rscript", str(ROOT / "tests" / "reference" / "make_reference.R")], cwd=tmp,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"R failed:\n{out.stderr[-2000:]}")
        for k, (lmm, gees, n_cw, n_cit, cr2_row, cox_beta) in fits.items():
            case = root / f"t{k:03d}"
            ref = pd.read_csv(case / "r_lmm_contrast.csv").set_index("timepoint_months")
            gee = pd.read_csv(case / "r_gee.csv").set_index("outcome")
            cr2_ref = pd.read_csv(case / "r_ancova_cr2.csv").iloc[0]
            cox_ref = pd.read_csv(case / "r_cox.csv").iloc[0]
            c12 = next(c for c in lmm.contrasts if c.timepoint_months == 12)
            kr = lmm.infer(lmm.arm_contrast(12), "kenward_roger")
            fallback = [o for o in OUTCOMES if "independence" in gees[o].contrasts[0].method]
            or_rel = max(abs(np.expm1(gees[o].params["fit"] - gee.loc[o, "log_or"])) for o in OUTCOMES
                         if o not in fallback)
            rows.append({"trial": k, "caseworkers": n_cw, "citizens": n_cit,
                         "who5_12m_abs_diff": abs(c12.estimate - ref.loc[12, "estimate"]),
                         "who5_12m_se_rel_diff": abs(c12.se / ref.loc[12, "se"] - 1),
                         "satterthwaite_df_rel_diff": abs(c12.df / ref.loc[12, "df_satterthwaite"] - 1),
                         "kr_df_rel_diff": abs(kr.df / ref.loc[12, "df_kr"] - 1),
                         "cr2_se_rel_diff": abs(cr2_row.se / cr2_ref["se_cr2"] - 1),
                         "cox_hr_abs_diff": abs(np.exp(cox_beta["fit"]) - np.exp(cox_ref["log_hr"])),
                         "max_or_rel_diff": or_rel, "gee_independence_fallbacks": len(fallback)})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print(f"\nlargest |WHO-5 12-month difference - lme4|: {table.who5_12m_abs_diff.max():.2e} points")
    print(f"largest relative SE difference: {table.who5_12m_se_rel_diff.max():.2e}")
    print(f"largest |OR / geepack OR - 1|: {table.max_or_rel_diff.max():.2e} (outcomes fitted with an admissible "
          f"exchangeable correlation; {int(table.gee_independence_fallbacks.sum())} of {5 * len(table)} fell back to "
          "independence, where geepack reports a non-positive-definite working correlation)")
    print(f"largest relative Satterthwaite df difference (lmerTest): {table.satterthwaite_df_rel_diff.max():.2e}")
    print(f"largest relative Kenward-Roger df difference (pbkrtest): {table.kr_df_rel_diff.max():.2e}")
    print(f"largest relative CR2 SE difference (clubSandwich): {table.cr2_se_rel_diff.max():.2e}")
    print(f"largest |HR - coxph HR|: {table.cox_hr_abs_diff.max():.2e}")


if __name__ == "__main__":
    main()
