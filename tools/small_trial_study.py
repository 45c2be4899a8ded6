"""Small-trial calibration study (issue 24): which small-sample rule keeps each analysis at its nominal level from 8
to 65 caseworkers.

Every simulated trial is analysed once per analysis, and every candidate rule is read off the same fit:

* primary mixed model (``fittrial.models.effects.fit_primary_lmm``): Kenward-Roger SE with the df capped at the
  between-within df (``kr_capped``, the rule before issue 24), Kenward-Roger SE and df as pbkrtest (``kr``),
  Satterthwaite SE and df as lmerTest (``satterthwaite``), model SE with between-within df (``between_within``);
* CLDA (``fittrial.analyses.sensitivity.clda``): the same four rules, the between-within df counting the arm;
* cluster-level analysis (``fittrial.analyses.sensitivity.cluster_level``): unweighted and weighted, t on
  K - 1 - S df (one rule);
* dropout GEE (``fittrial.models.effects.fit_binary_gee``): Mancl-DeRouen and Kauermann-Carroll covariance, t with
  caseworkers - parameters df;
* cause-specific Cox and Fine-Gray models of time to dropout (``fittrial.analyses.survival``): the robust SE with t
  on K - 1 - S df (``robust_t``, the rule before issue 24), the same SE times sqrt(K / (K - 1)) (``robust_cr1``),
  and the re-randomisation test of the arm's score (``randomisation``, the rule since issue 24);
* the subgroup (sex x arm) interaction test: Satterthwaite (``satterthwaite``, the report's) and Kenward-Roger
  (``kr``) df.

Two data-generating functions: the project's own (``fittrial.design.operating.simulate_analysis_data``, normal
latent WHO-5 rounded to the 0-100 scale in steps of 4) and an independent one written here (:func:`independent`:
the WHO-5 raw score 0-25 from a skewed latent with floor and ceiling, cluster sizes from a negative binomial of 1
to about 80, larger caseworkers with a lower mean (informative cluster size), follow-up missing at random given
baseline, course ends from competing exponential hazards with a caseworker frailty), so that the rules are not
judged only by the model they fit.

Usage: ``.venv/bin/python tools/small_trial_study.py OUT.csv --dgp project --trials 300 --strata 2``; cells are
caseworkers (8, 10, 12, 16, 20, 30, 65) x scenario (base, caseworker x visit variance, AR(1)) x effect (0, and
``--effect`` for power; in the independent function also a 40% lower dropout hazard with FIT). ``--methods``
picks analyses, ``--randomisations N`` adds the randomisation tests. One row per trial, method and rule: estimate,
se, df, p and the truth. ``--summary`` prints rejection rates, coverage and Monte Carlo SEs from such files (``--markdown reject``,
``cover`` or ``power`` as the tables of docs/methods.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

CASEWORKERS = (8, 10, 12, 16, 20, 30, 65)
SCENARIOS = ("base", "cw_visit", "ar1")


def independent(k: int, strata: int, rng: np.random.Generator, effect: float, scenario: str
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One trial from a data-generating function that shares nothing with the project's simulator (see the module
    docstring); returns (citizens, who5_long) in the analysis data sets' columns."""
    per = [k // strata + (1 if s < k % strata else 0) for s in range(strata)]
    stratum = np.repeat([f"S{s}" for s in range(strata)], per)
    arm = np.concatenate([rng.permutation(np.arange(n) % 2) for n in per])
    size = np.minimum(80, 1 + rng.negative_binomial(1.5, 1.5 / (1.5 + 14), k))  # mean about 15, skewed
    u = rng.normal(0, 1.0, k) - 0.03 * (size - size.mean())  # larger caseworkers do a little worse
    cw = np.repeat(np.arange(k), size)
    n = len(cw)
    b = rng.normal(0, 3.0, n)
    visits = (0, 6, 12)
    if scenario == "ar1":
        corr = 0.6 ** (np.abs(np.subtract.outer(visits, visits)) / 6.0)
        shared = rng.multivariate_normal(np.zeros(3), corr * 9.0, n)
    raw = {}
    for j, v in enumerate(visits):
        skew = rng.gamma(2.0, 1.2, n) - 2.4  # right-skewed, mean 0
        person = shared[:, j] if scenario == "ar1" else b
        latent = 11.0 + 0.4 * v / 6 + u[cw] + person + skew
        if v:
            latent += effect / 4 * arm[cw]
            if scenario == "cw_visit":
                latent += rng.normal(0, 0.75, k)[cw]
        raw[v] = np.clip(np.round(latent), 0, 25)
    who5 = {v: 4.0 * r for v, r in raw.items()}
    who5[0] = np.where(rng.random(n) < 0.05, np.nan, who5[0])
    for v in (6, 12):
        centred = np.nan_to_num(raw[0] - 11.0)
        missing = rng.random(n) < special.expit(-1.3 - 0.08 * centred + 0.2 * (v == 12))
        who5[v] = np.where(missing, np.nan, who5[v])
    base = who5[0]
    # course ends within the year: dropout (cause 1) and other ends (cause 2, e.g. completed) with competing
    # exponential hazards, caseworker frailty (log-normal, SD 0.5) on dropout, administrative censoring at 365 days;
    # with an effect, FIT lowers the conditional dropout hazard by 40%
    frailty = np.exp(rng.normal(0, 0.5, k))[cw] * np.where((arm[cw] == 1) & (effect != 0), 0.6, 1.0)
    t_drop = rng.exponential(365 / (0.35 * frailty))
    t_other = rng.exponential(365 / 0.25, n)
    first = np.minimum(t_drop, t_other)
    status = np.where(first > 365, 0, np.where(t_drop <= t_other, 1, 2))
    dropout = (status == 1).astype(float)
    citizens = pd.DataFrame({
        "citizen_id": [f"B{i:05d}" for i in range(n)], "caseworker_id": [f"CW{c:03d}" for c in cw],
        "stratum": stratum[cw], "fit": arm[cw], **{f"who5_m{v}": who5[v] for v in visits},
        "baseline_missing": np.isnan(base).astype(int),
        "baseline_who5": np.where(np.isnan(base), np.nanmean(base), base), "dropout": dropout,
        "time_days": np.ceil(np.minimum(first, 365)), "status": status, "event_dropout": (status == 1).astype(int),
        "sex": np.where(rng.random(n) < 0.5, "F", "M"), "age": rng.integers(18, 80, n).astype(float)})
    long = pd.concat([citizens.assign(visit=v, who5=citizens[f"who5_m{v}"]) for v in (6, 12)])
    long = long[long["who5"].notna()][["citizen_id", "caseworker_id", "stratum", "fit", "visit", "who5",
                                        "baseline_who5", "baseline_missing"]]
    return citizens, long.sort_values(["caseworker_id", "citizen_id", "visit"], kind="mergesort").reset_index(drop=True)


def project(k: int, strata: int, rng: np.random.Generator, effect: float, scenario: str
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One trial from the project's simulator with its departures (caseworker x visit SD 3, AR(1) rho 0.6)."""
    from fittrial.design.operating import simulate_analysis_data
    from fittrial.design.simulate import Departures, SimulationParameters

    per = [k // strata + (1 if s < k % strata else 0) for s in range(strata)]
    params = SimulationParameters(seed=0, strata={f"S{s}": n for s, n in enumerate(per)},
                                  citizens_per_caseworker=15, effect={6: effect, 12: effect})
    departures = Departures(sd_caseworker_visit=3.0 if scenario == "cw_visit" else 0.0,
                            ar1_rho=0.6 if scenario == "ar1" else 0.0)
    citizens, long = simulate_analysis_data(params, rng, departures)
    return citizens.assign(status=citizens["event_dropout"]), long  # no competing course ends in this simulator


def _rules(result, L, between_within: float | None = None) -> dict[str, tuple[float, float, float]]:
    """(estimate, se, df) of L'beta by each candidate rule, from one fit (``between_within``: that df, when it
    differs from the fit's)."""
    from fittrial.models.smallsample import kenward_roger, satterthwaite

    vec = L.reindex(result.params.index).fillna(0.0).to_numpy()
    kr = kenward_roger(result.model, result.fit, vec)
    sat = satterthwaite(result.model, result.fit, vec)
    model_se = float(np.sqrt(vec @ result.fit.cov_beta @ vec))
    return {"kr_capped": (kr.estimate, kr.se, min(kr.df, result.df)), "kr": (kr.estimate, kr.se, kr.df),
            "satterthwaite": (sat.estimate, sat.se, sat.df),
            "between_within": (kr.estimate, model_se, result.df if between_within is None else between_within)}


def _randomisation(result, long: pd.DataFrame, n: int) -> tuple[float, float, float]:
    """The randomisation test of the primary estimate (``fittrial.analyses.randomisation``) as (estimate, CI half
    width / 1.96, df = inf): so that the summary's t-test reads its CI; its p-value is checked there too."""
    from fittrial.analyses.randomisation import randomisation_test

    cw = long.drop_duplicates("caseworker_id").set_index("caseworker_id")
    test = randomisation_test(result, cw["stratum"], cw["fit"], n, 1)
    half = (test.ci_high - test.ci_low) / 2 / 1.959963984540054
    centre = (test.ci_high + test.ci_low) / 2
    # the summary rejects when |centre / half| > 1.96, i.e. when the CI excludes 0: the CI is the inverted test
    return (centre, half, np.inf) if np.isfinite(half) and half > 0 else (test.estimate, np.inf, np.inf)


def _hazard_rules(citizens: pd.DataFrame, status: np.ndarray, randomisations: int, rng: np.random.Generator
                  ) -> dict[str, tuple[float, float, float, float]]:
    """(log hazard ratio, se, df, p) of the arm by each rule: the package's robust SE with t on K - 1 - S df
    (``robust_t``, the rule in the report), the same SE times sqrt(K / (K - 1)) (``robust_cr1``), and the
    re-randomisation test of the arm's score (``randomisation``, p only: ``fittrial.analyses.survival.
    hazard_randomisation``, the report's rule since issue 24)."""
    from fittrial.analyses.hazards import hazard_randomisation
    from fittrial.analyses.survival import _fit_arm

    strata = sorted(citizens["stratum"].unique())
    k = int(citizens["caseworker_id"].nunique())
    df = float(k - 1 - len(strata))
    b, se = _fit_arm(citizens, strata, status)
    out = {"robust_t": (b, se, df, np.nan), "robust_cr1": (b, se * np.sqrt(k / (k - 1)), df, np.nan)}
    if randomisations:
        test = hazard_randomisation(citizens, strata, status, randomisations, int(rng.integers(2**31)))
        out["randomisation"] = (b, np.nan, np.nan, test.p_value)
    return out


def _subgroup_rules(citizens: pd.DataFrame, long: pd.DataFrame) -> dict[str, tuple[float, float, float, float]]:
    """The sex x arm interaction at 12 months (``fittrial.analyses.sensitivity.subgroup``'s model): its F-test
    with Satterthwaite df (``satterthwaite``, the rule in the report) and Kenward-Roger SE and df (``kr``)."""
    from fittrial.analyses.sensitivity import subgroup_design
    from fittrial.models.effects import fit_lmm
    from fittrial.models.smallsample import kenward_roger, satterthwaite

    data, X, between, effects = subgroup_design(long, citizens, "sex", [30, 50], None, 12)
    result = fit_lmm(data, X, between, "kenward_roger")
    L = (effects["M"] - effects["F"]).reindex(result.params.index).fillna(0.0).to_numpy()
    out = {}
    for rule, infer in (("satterthwaite", satterthwaite), ("kr", kenward_roger)):
        c = infer(result.model, result.fit, L)
        out[rule] = (c.estimate, c.se, c.df, np.nan)
    return out


METHODS = ("primary", "clda", "cluster_level", "dropout_gee", "dropout_cox", "dropout_fine_gray",
           "subgroup_interaction")
RULES = {"primary": ("kr_capped", "kr", "satterthwaite", "between_within"),
         "clda": ("kr_capped", "kr", "satterthwaite", "between_within"),
         "cluster_level": ("unweighted", "weighted"),
         "dropout_gee": ("mancl_derouen", "kauermann_carroll"),
         "dropout_cox": ("robust_t", "robust_cr1"), "dropout_fine_gray": ("robust_t", "robust_cr1"),
         "subgroup_interaction": ("satterthwaite", "kr")}


def analyse(citizens: pd.DataFrame, long: pd.DataFrame, randomisations: int = 0,
            methods: tuple[str, ...] = METHODS, rng: np.random.Generator | None = None
            ) -> list[tuple[str, str, float, float, float, float]]:
    """(method, rule, estimate, se, df, p) for every analysis in ``methods`` and rule (NaN where not estimable; p
    NaN where the rule is a t-test read off estimate, se and df); ``randomisations`` > 0 adds the randomisation
    tests of the primary estimate and of the hazard ratios with that many re-randomisations (drawn from ``rng``)."""
    from fittrial.analyses.sensitivity import clda_design
    from fittrial.models.effects import fit_binary_gee, fit_lmm, fit_primary_lmm

    rng = rng if rng is not None else np.random.default_rng(0)
    out: list[tuple[str, str, float, float, float, float]] = []

    def failed(method: str) -> None:
        rules = RULES[method] + (("randomisation",) if randomisations and method in
                                 ("primary", "dropout_cox", "dropout_fine_gray") else ())
        out.extend((method, r, np.nan, np.nan, np.nan, np.nan) for r in rules)

    for method in methods:
        try:  # a trial an analysis cannot fit counts as not estimated for it
            if method == "primary":
                primary = fit_primary_lmm(long, None, "kenward_roger")
                rows = {r: (*v, np.nan) for r, v in _rules(primary, primary.arm_contrast(12)).items()}
                if randomisations:
                    rows["randomisation"] = (*_randomisation(primary, long, randomisations), np.nan)
            elif method == "clda":
                data, X, between, contrasts = clda_design(citizens, None, (0, 6, 12))
                result = fit_lmm(data, X, between, "kenward_roger")  # kr_capped: the rule before issue 24 (K - S)
                # between-within: the arm is compared between caseworkers, so it counts (K - S - 1)
                rows = {r: (*v, np.nan) for r, v in _rules(result, contrasts[12], result.df - 1).items()}
            elif method == "cluster_level":
                from fittrial.analyses.sensitivity import cluster_level
                rows = {("weighted" if c.analysis.endswith("weighted") else "unweighted"):
                        (c.estimate, c.se, c.df, np.nan) for c in cluster_level(citizens, None, 12)}
            elif method == "dropout_gee":
                rows = {}
                for covariance in RULES[method]:
                    g = fit_binary_gee(citizens, "dropout", covariance)
                    rows[covariance] = (float(g.params["fit"]), float(np.sqrt(g.cov.loc["fit", "fit"])),
                                        float(g.df), np.nan)
            elif method == "dropout_cox":
                rows = _hazard_rules(citizens, citizens["event_dropout"].to_numpy(int), randomisations, rng)
            elif method == "dropout_fine_gray":
                if not (citizens["status"] == 2).any():
                    continue  # no competing course ends: the Fine-Gray model is the Cox model
                rows = _hazard_rules(citizens, citizens["status"].to_numpy(int), randomisations, rng)
            else:
                rows = _subgroup_rules(citizens, long)
        except Exception:  # noqa: BLE001
            failed(method)
            continue
        out.extend((method, rule, *values) for rule, values in rows.items())
    return out


def run(out: Path, dgp: str, trials: int, seed: int, effect: float, caseworkers: tuple[int, ...],
        scenarios: tuple[str, ...], strata: int, randomisations: int = 0, methods: tuple[str, ...] = METHODS
        ) -> None:
    make = {"project": project, "independent": independent}[dgp]
    rows = []
    start = time.perf_counter()
    for k in caseworkers:
        for scenario in scenarios:
            for eff in sorted({0.0, effect}):
                rng = np.random.default_rng([seed, k, SCENARIOS.index(scenario), int(eff * 10), strata])
                test_rng = np.random.default_rng([seed, k, SCENARIOS.index(scenario), int(eff * 10), strata, 1])
                for trial in range(trials):
                    citizens, long = make(k, strata, rng, eff, scenario)
                    for method, rule, b, se, df, p in analyse(citizens, long, randomisations, methods, test_rng):
                        truth = eff if method in ("primary", "clda", "cluster_level") else 0.0
                        rows.append((dgp, k, strata, scenario, eff, trial, method, rule, b, se, df, p, truth))
            print(f"{dgp} k={k} {scenario}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
            frame = pd.DataFrame(rows, columns=["dgp", "caseworkers", "strata", "scenario", "effect", "trial",
                                                "method", "rule", "estimate", "se", "df", "p", "truth"])
            frame.to_csv(out, index=False)


def summary(files: list[Path]) -> pd.DataFrame:
    """Rejection rate (of no effect), coverage (of the truth) and their Monte Carlo SEs per cell and rule, of the
    trials the analysis estimated (``n``; ``n_not_estimated`` the others).

    A rule with a p-value of its own (the randomisation tests) rejects when p < 0.05; the others are t-tests of
    estimate / se on df. Coverage only where the truth is known (the WHO-5 effects; the hazard ratios and the
    interaction under no effect)."""
    data = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    if "p" not in data:
        data["p"] = np.nan
    has_p = data["p"].notna()
    keys = ["method", "rule", "dgp", "strata", "scenario", "effect", "caseworkers"]
    usable = has_p | (data["se"].notna() & (data["df"] > 0))
    missing = (~usable).groupby([data[k] for k in keys]).sum().rename("n_not_estimated")
    data = data[usable].copy()
    has_p = data["p"].notna()
    df = data["df"].fillna(np.inf)
    q = np.where(np.isfinite(df), stats.t.ppf(0.975, df.clip(lower=1e-9, upper=1e9)), 1.959963984540054)
    data["reject"] = np.where(has_p, data["p"] < 0.05, np.abs(data["estimate"] / data["se"]) > q)
    data["cover"] = np.where(has_p | data["se"].isna(), np.nan,
                             (np.abs(data["estimate"] - data["truth"]) <= q * data["se"]).astype(float))
    data.loc[(data["effect"] != 0) & ~data["method"].isin(["primary", "clda", "cluster_level"]), "cover"] = np.nan
    table = data.groupby(keys).agg(n=("reject", "size"), reject=("reject", "mean"), cover=("cover", "mean"),
                                   df=("df", "median")).reset_index()
    table["reject_mcse"] = np.sqrt(table["reject"] * (1 - table["reject"]) / table["n"])
    table["cover_mcse"] = np.sqrt(table["cover"] * (1 - table["cover"]) / table["n"])
    # a trial the analysis could not estimate ("not estimated" in a report) is counted, not tested
    return table.merge(missing.reset_index(), on=keys, how="left")


def markdown(table: pd.DataFrame, what: str = "reject", effect: float = 0.0) -> str:
    """A markdown table: per analysis and rule, the lowest-highest ``what`` (``reject``, ``cover``) over the cells
    with ``effect`` (every data-generating function, stratification and scenario) at each number of caseworkers,
    in percent, with the largest Monte Carlo SE of those cells."""
    cells = table[table["effect"] == effect].dropna(subset=[what])
    sizes = sorted(cells["caseworkers"].unique())
    lines = ["| analysis | rule | " + " | ".join(str(k) for k in sizes) + " | MC SE |",
             "|:--|:--|" + "--:|" * len(sizes) + "--:|"]
    for (method, rule), g in cells.groupby(["method", "rule"], sort=False):
        parts = []
        for k in sizes:
            v = g.loc[g["caseworkers"] == k, what]
            parts.append(f"{100 * v.min():.1f}–{100 * v.max():.1f}" if len(v) else "")
        lines.append(f"| {method} | {rule} | " + " | ".join(parts) + f" | {100 * g[what + '_mcse'].max():.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="+")
    parser.add_argument("--dgp", choices=("project", "independent"), default="project")
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--effect", type=float, default=8.0)
    parser.add_argument("--strata", type=int, default=2)
    parser.add_argument("--caseworkers", type=int, nargs="*", default=list(CASEWORKERS))
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--randomisations", type=int, default=0, help="add the randomisation test (re-randomisations)")
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    parser.add_argument("--summary", action="store_true", help="summarise the files named instead of simulating")
    parser.add_argument("--csv", type=Path, help="with --summary: write the summary table to this CSV file")
    parser.add_argument("--markdown", choices=("reject", "cover", "power"),
                        help="with --summary: a markdown table of type-I error, coverage or power (the effect)")
    args = parser.parse_args(argv)
    if args.summary:
        table = summary(args.out)
        if args.csv:
            table.to_csv(args.csv, index=False, float_format="%.6g")
        if args.markdown:
            print(markdown(table, "reject" if args.markdown != "cover" else "cover",
                           args.effect if args.markdown == "power" else 0.0))
            return
        pd.set_option("display.width", 200)
        pd.set_option("display.max_rows", 1000)
        print(table.round(4).to_string(index=False))
        return
    run(args.out[0], args.dgp, args.trials, args.seed, args.effect, tuple(args.caseworkers), tuple(args.scenarios),
        args.strata, args.randomisations, tuple(args.methods))


if __name__ == "__main__":
    main()
