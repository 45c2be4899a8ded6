"""Agreement with R on trials no test has seen.

Draws new trials -- from random simulation parameters and from the unusual
trial shapes of :mod:`fittrial.design.shapes` (randomised seeds and, where the shape
allows, sizes and effects; each with its own visit schedule) -- runs them
through the package as the workflow does (validation with the schedule's
visits, scoring, analysis data, models), fits the same models in R in ONE
Rscript call (``tests/reference/make_reference.R --compare DIR``) and prints
the largest differences per trial, per shape and overall.

Compared:

* the primary-visit (12-month) WHO-5 FIT - control difference of
  :func:`fittrial.models.effects.fit_primary_lmm` against lme4 (REML): the same fixed
  effects as ``fittrial.models.effects._design`` and the same random part (no
  ``(1 | citizen)`` when the Python fit left the citizen intercept out,
  ``fit.free[1] == False``); also its SE, Satterthwaite df (lmerTest), REML
  criterion and, with ``--kr``, the Kenward-Roger SE and df (pbkrtest);
* every estimable odds ratio of the five binary outcomes of
  :func:`fittrial.models.effects.fit_binary_gee` against ``geepack::geeglm``
  (exchangeable; independence where the package fell back to it) on the OR
  scale (``or_diff``: geepack with its default convergence tolerance, epsilon
  1e-4, which alone moves the log OR by up to ~1e-4; ``or_diff_conv``:
  geepack converged to epsilon 1e-10), and the Mancl-DeRouen SE (on the
  converged fit);
* the complete-case CR2 ANCOVA SE (clubSandwich) and the Cox hazard ratio
  (survival::coxph, Breslow, clustered).

Rows the package reports as not estimated are skipped and counted.

    .venv/bin/python tools/compare_with_r.py --trials 20 --shape-draws 2 --seed 1
    .venv/bin/python tools/compare_with_r.py --trials 20 --shape-draws 2 --seed 1 --only pilot#1 --keep /tmp/x

Needs Rscript with lme4, lmerTest, pbkrtest, geepack, clubSandwich and survival.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fittrial.analyses.sensitivity import ancova_cr2
from fittrial.analyses.survival import cox_dropout, dropout_times
from fittrial.design.shapes import SHAPES, shape_parameters
from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.inputs.dataset import build_analysis_data
from fittrial.inputs.read import read_table
from fittrial.inputs.scoring import windows_from_config
from fittrial.inputs.validation import load_schema, validate_inputs
from fittrial.models.effects import INDEPENDENCE_NOTE, fit_binary_gee, fit_primary_lmm
from fittrial.models.estimable import NotEstimable

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
VISITS = CONFIG["visits"]
PRIMARY_VISIT = int(CONFIG["analysis"]["primary_visit"])
OUTCOMES = ["dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m"]
COMPARED_SHAPES = ["no_fit_sessions", "partial_fit_sessions", "one_followup", "four_visits", "pilot",
                   "unequal_clusters", "zero_caseworker_variance", "no_who5_for_some", "one_stratum"]
TOLERANCE = 1e-3  # WHO-5 points; OR (absolute, on the OR scale)
CITIZEN_COLUMNS = ["citizen_id", "caseworker_id", "stratum", "fit", "baseline_who5", "baseline_missing",
                   "time_days", "event_dropout", *OUTCOMES]


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


def shape_draw(name: str, rng: np.random.Generator, seed: int) -> SimulationParameters:
    """Shape ``name`` with a new seed and, where the shape allows, random sizes, effects and variances.

    What makes the shape is kept: no caseworker variance, eight caseworkers of
    the pilot, the 1-80 cluster sizes (they come from the seed), one stratum,
    the visit schedule (effects only at the shape's visits).
    """
    base = shape_parameters(name, seed)
    changes: dict = {
        "effect": {v: float(rng.normal(0, 4)) for v in base.who5_mean if v != 0},
        "sd_citizen": float(rng.uniform(6, 16)),
        "missing_followup": float(rng.uniform(0.1, 0.4)),
        "missing_baseline": float(rng.uniform(0, 0.2)),
        "odds_ratio": {o: float(np.exp(rng.normal(0, 0.4))) for o in OUTCOMES},
    }
    if name != "zero_caseworker_variance":
        changes["sd_caseworker"] = float(rng.choice([0.0, 2.0, 4.0, 8.0]))
        changes["sd_caseworker_logit"] = float(rng.uniform(0, 0.8))
    if name == "pilot":
        changes["citizens_per_caseworker"] = float(rng.uniform(3, 7))
    elif name == "one_stratum":
        changes["strata"] = {"A": int(rng.integers(14, 41))}
        changes["citizens_per_caseworker"] = float(rng.uniform(4, 12))
    elif name != "unequal_clusters":  # the 1-80 cluster sizes belong to the 26 base caseworkers
        changes["strata"] = {s: int(rng.integers(6, 13)) for s in ("A", "B", "C")}
        changes["citizens_per_caseworker"] = float(rng.uniform(4, 12))
    if name == "partial_fit_sessions":
        changes["fit_sessions_share"] = float(rng.uniform(0.2, 0.8))
    if name == "no_who5_for_some":
        changes["no_who5_share"] = float(rng.uniform(0.1, 0.4))
    params = replace(base, **changes)
    params.check()
    return params


@dataclass
class Draw:
    label: str
    kind: str  # "random" or the shape name
    params: SimulationParameters
    visits: list[dict]
    fit_sessions: bool = True


def draws(rng: np.random.Generator, n_trials: int, shape_draws: int, shapes: list[str]) -> list[Draw]:
    out = []
    for k in range(n_trials):
        seed = int(rng.integers(1, 2**31 - 1))
        out.append(Draw(f"random#{k}", "random", random_params(rng, seed), VISITS))
    for name in shapes:
        shape = SHAPES[name]
        for k in range(shape_draws):
            seed = int(rng.integers(1, 2**31 - 1))
            out.append(Draw(f"{name}#{k}", name, shape_draw(name, rng, seed), shape.visits or VISITS,
                            shape.fit_sessions))
    return out


def run_package(draw: Draw, workdir: Path, schemas: dict, case: Path, kr: bool) -> dict:
    """Simulate, validate and analyse one trial as the workflow does; export what R needs into ``case``."""
    tables = simulate_trial(draw.params)
    if not draw.fit_sessions:
        tables.pop("fit_sessions", None)
    paths = write_trial(tables, workdir)
    raws = {n: read_table(p, n) for n, p in paths.items()}
    labels = [int(v["visit"]) for v in draw.visits]
    trial = validate_inputs(raws, {n: schemas[n] for n in raws}, labels)
    citizens, long, _ = build_analysis_data(trial, windows_from_config(draw.visits),
                                            bool(CONFIG["scoring"]["who5_prorate_one_missing"]),
                                            int(CONFIG["analysis"]["outcome_window_days"]))
    strata = sorted(trial.randomisation["stratum"].unique())
    follow = sorted(v for v in labels if v != 0)
    out: dict = {"label": draw.label, "kind": draw.kind, "seed": draw.params.seed,
                 "caseworkers": len(trial.randomisation), "citizens": len(citizens), "rows": len(long),
                 "not_estimated": [], "gee": {}}
    case.mkdir(parents=True)
    spec = {"lmm": 0, "caseworker_free": 1, "citizen_free": 1, "cw_visit_free": 1, "primary_visit": PRIMARY_VISIT, "kr": int(kr),
            "cr2": 0, "cox": 0}
    try:
        lmm = fit_primary_lmm(long, strata, "satterthwaite", follow)
    except NotEstimable as exc:
        lmm = None
        out["not_estimated"].append(f"who5: {exc.reason}")
    if lmm is not None:
        row = next(c for c in lmm.contrasts if c.timepoint_months == PRIMARY_VISIT)
        if row.not_estimated:
            out["not_estimated"].append(f"who5: {row.not_estimated}")
        else:
            spec.update(lmm=1, caseworker_free=int(lmm.fit.free[0]), citizen_free=int(lmm.fit.free[1]),
                        cw_visit_free=int(lmm.fit.free[2]))
            data = long[long["visit"].isin(lmm.model_visits)]
            data[["citizen_id", "caseworker_id", "stratum", "fit", "visit", "who5", "baseline_who5",
                  "baseline_missing"]].to_csv(case / "long.csv", index=False, lineterminator="\n")
            out["lmm"] = {"estimate": row.estimate, "se": row.se, "df": row.df, "reml": lmm.reml_criterion,
                          "free": lmm.fit.free, "p": len(lmm.params), "n_obs": lmm.n_obs,
                          "var_caseworker": lmm.var_caseworker, "var_citizen": lmm.var_citizen,
                          "var_residual": lmm.var_residual}
            if kr:
                from fittrial.models.smallsample import kenward_roger  # pbkrtest's df, before the between-within cap

                k = kenward_roger(lmm.model, lmm.fit, lmm.arm_contrast(PRIMARY_VISIT).to_numpy())
                out["lmm"].update(se_kr=k.se, df_kr=k.df)
    gee_rows = []
    for o in OUTCOMES:
        res = fit_binary_gee(citizens, o, "mancl_derouen", strata)
        odds = next(c for c in res.contrasts if c.scale == "odds_ratio")
        if odds.not_estimated:
            out["not_estimated"].append(f"{o}: {odds.not_estimated}")
            continue
        corstr = "independence" if INDEPENDENCE_NOTE in odds.method else "exchangeable"
        out["gee"][o] = {"or": odds.estimate, "log_or": float(res.params["fit"]), "se": odds.se, "corstr": corstr,
                         "alpha": res.working_correlation}
        gee_rows.append({"outcome": o, "corstr": corstr})
    pd.DataFrame(gee_rows, columns=["outcome", "corstr"]).to_csv(case / "gee_spec.csv", index=False)
    cr2_row, _ = ancova_cr2(citizens, strata, PRIMARY_VISIT)
    if not cr2_row.not_estimated:
        spec["cr2"] = 1
        out["cr2_se"] = cr2_row.se
    times = dropout_times(citizens)
    cox_row = cox_dropout(times, strata, PRIMARY_VISIT, int(CONFIG["analysis"]["outcome_window_days"]))
    if not cox_row.not_estimated:
        spec["cox"] = 1
        out["cox_hr"] = cox_row.estimate
    cit = citizens.copy()
    t = times.set_index("citizen_id")
    cit["time_days"] = cit["citizen_id"].map(t["time_days"])
    cit["event_dropout"] = cit["citizen_id"].map(t["event"])
    primary = f"who5_m{PRIMARY_VISIT}"
    cit[CITIZEN_COLUMNS + ([primary] if primary in cit else [])].to_csv(case / "citizens.csv", index=False,
                                                                         lineterminator="\n")
    pd.DataFrame([spec]).to_csv(case / "spec.csv", index=False)
    return out


def rel(a: float, b: float) -> float:
    return abs(a / b - 1) if b else abs(a - b)


def compare(py: dict, case: Path) -> tuple[dict, list[str]]:
    """One trial's differences (a table row) and the lines describing every disagreement beyond tolerance."""
    nan = float("nan")
    row = {"trial": py["label"], "seed": py["seed"], "cw": py["caseworkers"], "cit": py["citizens"],
           "rows": py["rows"], "random_part": "", "who5_diff": nan, "se_rel": nan, "df_rel": nan, "reml_diff": nan,
           "or_diff": nan, "worst_or": "", "or_diff_conv": nan, "md_se_rel": nan, "indep": 0, "cr2_se_rel": nan, "cox_hr_diff": nan,
           "not_est": len(py["not_estimated"])}
    problems = []
    if "lmm" in py:
        r = pd.read_csv(case / "r_cmp_lmm.csv", keep_default_na=False, na_values=["NA"]).iloc[0]
        ours = py["lmm"]
        row["random_part"] = "+".join(t for t, f in zip(("cw", "cit", "cw:visit"), ours["free"]) if f)
        if r["error"] or pd.isna(r["estimate"]):
            problems.append(f"{py['label']}: lme4 failed: {r['error']}")
        else:
            row.update(who5_diff=abs(ours["estimate"] - r["estimate"]), se_rel=rel(ours["se"], r["se"]),
                       df_rel=rel(ours["df"], r["df_satterthwaite"]), reml_diff=abs(ours["reml"] - r["reml_criterion"]))
            if "se_kr" in ours:
                row.update(kr_se_rel=rel(ours["se_kr"], r["se_kr"]), kr_df_rel=rel(ours["df_kr"], r["df_kr"]))
            if int(r["n_fixef"]) != ours["p"]:
                problems.append(f"{py['label']}: {ours['p']} fixed effects in Python, {int(r['n_fixef'])} in lme4 "
                                f"({r['formula']})")
            theirs = (bool(r["r_caseworker_identified"]), bool(r["r_citizen_identified"]),
                      bool(r["r_cw_visit_identified"]))
            if theirs != tuple(ours["free"]):
                problems.append(f"{py['label']}: random part {ours['free']} in Python, identified by the R rule "
                                f"{theirs}")
            if row["who5_diff"] > TOLERANCE:
                problems.append(
                    f"{py['label']} (seed {py['seed']}): WHO-5 {PRIMARY_VISIT}-month difference {ours['estimate']:.6f} "
                    f"(Python) vs {r['estimate']:.6f} (lme4); REML criterion {ours['reml']:.6f} vs "
                    f"{r['reml_criterion']:.6f}; variances caseworker {ours['var_caseworker']:.4f} vs "
                    f"{r['var_caseworker']:.4f}, citizen {ours['var_citizen']:.4f} vs {r['var_citizen']:.4f}, "
                    f"residual {ours['var_residual']:.4f} vs {r['var_residual']:.4f}; lme4 singular: {r['singular']}")
    if py["gee"]:
        ref = pd.read_csv(case / "r_cmp_gee.csv", keep_default_na=False, na_values=["NA"]).set_index("outcome")
        worst, md, conv = (0.0, ""), 0.0, 0.0
        for o, ours in py["gee"].items():
            r = ref.loc[o]
            if r["error"] or pd.isna(r["log_or"]):
                problems.append(f"{py['label']}: geepack failed on {o} ({ours['corstr']}): {r['error']}")
                continue
            d = abs(ours["or"] - np.exp(r["log_or"]))
            if d >= worst[0]:
                worst = (d, o)
            conv = max(conv, abs(ours["or"] - np.exp(r["log_or_converged"])))
            md = max(md, rel(ours["se"], r["se_mancl_derouen"]))
            if ours["corstr"] == "independence":
                row["indep"] += 1
                problems.append(
                    f"{py['label']} (seed {py['seed']}): note, {o} fitted with independence by the package "
                    f"(geepack exchangeable alpha {r['alpha_exchangeable']:.4f}, largest caseworker "
                    f"{int(r['max_cluster'])}: bound -1/(n-1) = {-1 / max(r['max_cluster'] - 1, 1):.4f}; exchangeable OR "
                    f"{np.exp(r['log_or_exchangeable']):.4f}); OR {ours['or']:.6f} vs geepack independence "
                    f"{np.exp(r['log_or']):.6f}")
            if d > TOLERANCE:
                problems.append(f"{py['label']} (seed {py['seed']}): {o} OR {ours['or']:.6f} (Python, {ours['corstr']}, "
                                f"alpha {ours['alpha']:.5f}) vs {np.exp(r['log_or']):.6f} (geepack, "
                                f"alpha {r['alpha_exchangeable']:.5f})")
        row.update(or_diff=worst[0], worst_or=worst[1], or_diff_conv=conv, md_se_rel=md)
    if "cr2_se" in py:
        r = pd.read_csv(case / "r_cmp_cr2.csv").iloc[0]
        row["cr2_se_rel"] = rel(py["cr2_se"], r["se_cr2"])
    if "cox_hr" in py:
        r = pd.read_csv(case / "r_cmp_cox.csv").iloc[0]
        row["cox_hr_diff"] = abs(py["cox_hr"] - np.exp(r["log_hr"]))
    return row, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="trials from random parameters")
    parser.add_argument("--shape-draws", type=int, default=2, help="draws of each shape")
    parser.add_argument("--shapes", nargs="*", default=COMPARED_SHAPES, choices=sorted(SHAPES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kr", action="store_true", help="also Kenward-Roger SE and df against pbkrtest (slower)")
    parser.add_argument("--keep", type=Path, help="keep the exported cases (and R's outputs) in this folder")
    parser.add_argument("--only", nargs="*", metavar="LABEL",
                        help="run only these draws (e.g. random#3 pilot#1; the same trials as in the full run)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    schemas = {n: load_schema(ROOT / "workflow" / "schemas" / f"{n}.schema.yaml")
               for n in ("randomisation", "citizens", "who5", "fit_sessions")}
    rows, problems, skipped = [], [], []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases"
        results = {}
        for k, draw in enumerate(draws(rng, args.trials, args.shape_draws, args.shapes)):
            if args.only and draw.label not in args.only:
                continue
            case = cases / f"c{k:03d}"
            results[case] = run_package(draw, Path(tmp) / "in" / f"c{k:03d}", schemas, case, args.kr)
        t_py = time.perf_counter() - start
        out = subprocess.run(["Rscript", str(ROOT / "tests" / "reference" / "make_reference.R"), "--compare",
                              str(cases)], cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"R failed:\n{out.stderr[-3000:]}")
        t_r = time.perf_counter() - start - t_py
        for case, py in results.items():
            row, found = compare(py, case)
            rows.append(row)
            problems += found
            skipped += [(py["label"], why) for why in py["not_estimated"]]
        if args.keep:
            shutil.copytree(cases, args.keep, dirs_exist_ok=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.1e}"))
        table["kind"] = table["trial"].str.split("#").str[0]
        per = table.groupby("kind", sort=False).agg(
            draws=("trial", "size"), random_part=("random_part", lambda s: ",".join(sorted(set(s) - {""}))),
            who5_diff=("who5_diff", "max"), se_rel=("se_rel", "max"), df_rel=("df_rel", "max"),
            reml_diff=("reml_diff", "max"), or_diff=("or_diff", "max"), or_diff_conv=("or_diff_conv", "max"),
            md_se_rel=("md_se_rel", "max"),
            indep=("indep", "sum"), cr2_se_rel=("cr2_se_rel", "max"), cox_hr_diff=("cox_hr_diff", "max"),
            not_est=("not_est", "sum"))
        print("\nlargest differences per kind of trial:")
        print(per.to_string(float_format=lambda x: f"{x:.1e}"))
    if skipped:
        print("\nnot estimated by the package (skipped):")
        for label, why in skipped:
            print(f"  {label}: {why}")
    if problems:
        print("\nnotes and disagreements:")
        for p in problems:
            print("  " + p)
    n_or = sum(len(py["gee"]) for py in results.values())
    n_lmm = int(table["who5_diff"].notna().sum())
    worst_who5, worst_or = table["who5_diff"].max(), table["or_diff"].max()
    ok = worst_who5 <= TOLERANCE and worst_or <= TOLERANCE and not any("failed" in p for p in problems)
    extra = ""
    if args.kr and "kr_se_rel" in table:
        extra = (f"; Kenward-Roger SE {table['kr_se_rel'].max():.1e} rel, df {table['kr_df_rel'].max():.1e} rel")
    print(f"\nSUMMARY {'OK' if ok else 'DISAGREEMENT'}: {len(table)} trials (of {args.trials} random, "
          f"{args.shape_draws} x {len(args.shapes)} shapes; Python {t_py:.0f} s, one Rscript call {t_r:.0f} s); "
          f"WHO-5 {PRIMARY_VISIT}-month difference vs lme4: max {worst_who5:.1e} points over {n_lmm} fits "
          f"(SE {table['se_rel'].max():.1e} rel, Satterthwaite df {table['df_rel'].max():.1e} rel, REML criterion "
          f"{table['reml_diff'].max():.1e}{extra}); OR vs geepack: max {worst_or:.1e} over {n_or} ORs "
          f"({int(table['indep'].sum())} with the independence fallback; vs geepack converged to epsilon 1e-10: "
          f"{table['or_diff_conv'].max():.1e}; Mancl-DeRouen SE {table['md_se_rel'].max():.1e} rel); CR2 SE {table['cr2_se_rel'].max():.1e} rel; Cox HR "
          f"{table['cox_hr_diff'].max():.1e}; {len(skipped)} rows not estimated and skipped; tolerance {TOLERANCE:g}")


if __name__ == "__main__":
    main()
