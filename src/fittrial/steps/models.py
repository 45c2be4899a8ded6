"""One function per workflow step, taking and returning file paths: the models, the effects table and the
simulation study.

These are what ``workflow/scripts/*.py`` call; each is a plain function that
can be used without Snakemake. Parquet is the format between steps. Reading
and checking the inputs is in :mod:`fittrial.steps.inputs`, the report's tables,
figures and pages in :mod:`fittrial.steps.report`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

import pandas as pd

from fittrial.base.files import write_csv, write_parquet, write_text
from fittrial.inputs.crosscheck import allocation
from fittrial.language.messages import text
from fittrial.publish.labels import FLOAT_FORMAT, blind_text

log = logging.getLogger("fittrial")


def _strata(randomisation: pd.DataFrame) -> list[str]:
    return sorted(randomisation["stratum"].unique())


def follow_up_visits(options: Mapping) -> list[int]:
    """The follow-up visits of the schedule (``options["visits"]``, the config's visit labels)."""
    return sorted(int(v) for v in options["visits"] if int(v) != 0)


def _primary(who5_long: str, randomisation: str, options: Mapping):
    """(long, fitted primary model); raises NotEstimable with the reason when it cannot be fitted."""
    from fittrial.models.effects import fit_primary_lmm

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
    from fittrial.models.effects import lmm_method, not_estimated, variance_table
    from fittrial.models.estimable import NotEstimable

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
                   timepoint_months: int = 12, threshold: int = 0) -> None:
    """Fit one binary outcome's GEE; write its odds ratio and risk difference rows.

    The rows are withheld (not estimated, with the reason) when an arm has
    fewer than ``threshold`` citizens with or without the outcome
    (:func:`fittrial.publish.disclosure.small_cell_reason`)."""
    from fittrial.models.effects import fit_binary_gee, gee_method, not_estimated
    from fittrial.models.estimable import guarded
    from fittrial.publish.disclosure import arm_counts, small_cell_reason, withhold

    cit = pd.read_parquet(citizens)
    start = time.perf_counter()

    def fit() -> list:
        result = fit_binary_gee(cit, outcome, covariance, _strata(pd.read_parquet(randomisation)), timepoint_months)
        log.info("GEE %s fitted in %.2f s: %d citizens analysed, %d with the outcome missing; working correlation "
                 "%.4f", outcome, time.perf_counter() - start, result.n_citizens, result.n_missing,
                 result.working_correlation)
        seen = cit[cit[outcome].notna()]
        counts = arm_counts(seen["fit"].to_numpy(), seen[outcome].to_numpy(float))
        return withhold(result.contrasts, small_cell_reason(counts, threshold, outcome))

    def failed(reason: str) -> list:
        return [not_estimated("itt", outcome, timepoint_months, scale, reason, gee_method(covariance))
                for scale in ("odds_ratio", "risk_difference", "risk_ratio")]

    write_parquet(_rows(guarded(f"gee_{outcome}", fit, failed)), out)


def sensitivity_step(analysis: str, inputs: Mapping[str, str], options: dict, out: str) -> None:
    """One sensitivity analysis of the WHO-5 effect (an analysis of :data:`fittrial.base.catalogue.ANALYSES`
    computed by this step, whose function is in :data:`SENSITIVITY`); writes its effects-table rows.

    ``options``: the config's ``analysis`` section plus ``visits`` (the visit
    labels of the schedule). An analysis the step fails on (see
    :func:`fittrial.models.estimable.guarded`) is written as "not estimated" rows with the reason, at the time
    points the catalogue gives it.
    """
    from fittrial.base.catalogue import analysis_named
    from fittrial.models.effects import not_estimated
    from fittrial.models.estimable import guarded

    entry = analysis_named(analysis)
    if entry is None or analysis not in SENSITIVITY:
        raise ValueError(f"unknown sensitivity analysis {analysis!r}")
    timepoints = follow_up_visits(options) if entry.timepoints == "follow_up" else [int(options["primary_visit"])]
    start = time.perf_counter()

    def failed(reason: str) -> list:
        return [not_estimated(code, "who5", v, "mean_difference", reason) for code in entry.codes for v in timepoints]

    data = {"citizens": pd.read_parquet(inputs["citizens"]), "strata": _strata(pd.read_parquet(inputs["randomisation"])),
            "timepoints": timepoints}
    rows = guarded(analysis, lambda: SENSITIVITY[analysis](data, inputs, options), failed)
    log.info("%s done in %.2f s", analysis, time.perf_counter() - start)
    write_parquet(_rows(rows), out)


def _clda(data: dict, inputs: Mapping[str, str], options: dict) -> list:
    from fittrial.analyses.sensitivity import clda

    return clda(data["citizens"], data["strata"], options["lmm_df"], tuple(sorted(int(v) for v in options["visits"])))


def _cluster_level(data: dict, inputs: Mapping[str, str], options: dict) -> list:
    from fittrial.analyses.sensitivity import cluster_level

    return cluster_level(data["citizens"], data["strata"], int(options["primary_visit"]))


def _ancova_cr2(data: dict, inputs: Mapping[str, str], options: dict) -> list:
    from fittrial.analyses.sensitivity import ancova_cr2

    row, _ = ancova_cr2(data["citizens"], data["strata"], int(options["primary_visit"]))
    log.info("ancova_cr2: CR2 SE %.4f (Bell-McCaffrey df %.1f)", row.se, row.df)
    return [row]


def _adherent(data: dict, inputs: Mapping[str, str], options: dict, analysis: str):
    """The FIT citizens adherent to FIT (a boolean Series), or the not-estimated rows when no sessions are given."""
    from fittrial.analyses.sensitivity import adherence
    from fittrial.models.effects import not_estimated

    cit, k = data["citizens"], int(options["adherence_min_sessions"])
    sessions = pd.read_parquet(inputs["fit_sessions"])
    if sessions.empty:
        reason = text("r_no_sessions")
        return None, [not_estimated(analysis, "who5", v, "mean_difference", reason) for v in data["timepoints"]]
    adherent = adherence(sessions, cit, k)
    log.info("adherence (>= %d meetings with ORS and SRS): %d of %d FIT citizens", k, int(adherent.sum()),
             int((cit["fit"] == 1).sum()))
    return adherent, []


def _per_protocol(data: dict, inputs: Mapping[str, str], options: dict) -> list:
    from fittrial.analyses.sensitivity import per_protocol

    adherent, rows = _adherent(data, inputs, options, "per_protocol")
    if adherent is None:
        return rows
    return per_protocol(pd.read_parquet(inputs["who5_long"]), data["citizens"], adherent,
                        int(options["adherence_min_sessions"]), data["strata"], options["lmm_df"], data["timepoints"])


def _cace(data: dict, inputs: Mapping[str, str], options: dict) -> list:
    from fittrial.analyses.sensitivity import cace

    adherent, rows = _adherent(data, inputs, options, "cace")
    if adherent is None:
        return rows
    return [cace(data["citizens"], adherent, int(options["adherence_min_sessions"]), data["strata"],
                 int(options["primary_visit"]))]


# the function of every analysis of the catalogue that rule `sensitivity` computes (fittrial.base.catalogue):
# (the step's data, its input paths, its options) -> the effects-table rows
SENSITIVITY = {"clda": _clda, "cluster_level": _cluster_level, "ancova_cr2": _ancova_cr2,
               "per_protocol": _per_protocol, "cace": _cace}


def subgroup_step(variable: str, inputs: Mapping[str, str], options: dict, out: str) -> None:
    """The WHO-5 effect at the primary visit within the levels of one subgroup variable, with the interaction p."""
    from fittrial.analyses.sensitivity import subgroup
    from fittrial.models.effects import not_estimated
    from fittrial.models.estimable import guarded

    visit = int(options["primary_visit"])
    rand = pd.read_parquet(inputs["randomisation"])
    why = stratum_subgroup_reason(rand) if variable == "stratum" else None
    if why:
        rows = [not_estimated("subgroup:stratum", "who5", visit, "mean_difference", why)]
    else:
        rows = guarded(f"subgroup_{variable}",
                       lambda: subgroup(pd.read_parquet(inputs["who5_long"]), pd.read_parquet(inputs["citizens"]),
                                        variable, list(options["age_breaks"]), _strata(rand), options["lmm_df"],
                                        visit),
                       lambda reason: [not_estimated(f"subgroup:{variable}", "who5", visit, "mean_difference",
                                                     reason)])
    write_parquet(_rows(rows), out)


def allocation_column(citizens_path: str) -> str | None:
    """The allocation recorded in the analysis citizens (None when absent)."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(citizens_path)
    if "allocation" not in schema.names:
        return None
    values = pq.read_table(citizens_path, columns=["allocation"]).column(0).to_pylist()
    return str(values[0]) if values else None


def stratum_subgroup_reason(randomisation: pd.DataFrame) -> str | None:
    """Why effects within strata are not attempted: matched pairs, or fewer than two strata with two or more
    caseworkers in each arm (an effect within a stratum then rests on one caseworker per arm)."""
    kind = allocation(randomisation)
    if kind == "pair_matched":
        return text("r_strata_pairs")
    if kind == "unstratified":
        return text("r_one_stratum")
    sizes = randomisation.groupby("stratum")["arm"].agg(lambda a: min((a == "FIT").sum(), (a == "control").sum()))
    if int((sizes >= 2).sum()) < 2:
        return text("r_few_strata")
    return None


def pair_words(method: object) -> object:
    """A method text of a pair-matched trial: it says that its strata are the matched pairs."""
    if not isinstance(method, str) or not method:
        return method
    return method + "; " + text("meth_pairs")
    return text


def randomisation_step(who5_long: str, randomisation: str, options: dict, out: str) -> None:
    """Randomisation test of the WHO-5 effect at the primary visit (seeded from the config)."""
    from fittrial.analyses.randomisation import randomisation_row, randomisation_test
    from fittrial.models.effects import not_estimated
    from fittrial.models.estimable import NotEstimable

    visit = int(options["primary_visit"])
    try:
        long, result = _primary(who5_long, randomisation, options)
        if visit not in result.model_visits:
            raise NotEstimable(next(c.not_estimated for c in result.contrasts if c.timepoint_months == visit))
    except NotEstimable as exc:
        write_parquet(_rows([not_estimated("randomisation_test", "who5", visit, "mean_difference", exc.at(visit))]),
                      out)
        return
    from fittrial.models.estimable import guarded

    cw = long.groupby("caseworker_id").agg(stratum=("stratum", "first"), fit=("fit", "first"))
    start = time.perf_counter()

    def run() -> list:
        test = randomisation_test(result, cw["stratum"], cw["fit"], int(options["randomisation"]["n"]),
                                  int(options["randomisation"]["seed"]), visit)
        log.info("randomisation test: %d allocations (%s) in %.2f s; p = %.4f", test.n_randomisations,
                 "exact" if test.exact else "random", time.perf_counter() - start, test.p_value)
        return [randomisation_row(result, test, long, visit)]

    rows = guarded("randomisation_test", run, lambda reason: [
        not_estimated("randomisation_test", "who5", visit, "mean_difference", reason)])
    write_parquet(_rows(rows), out)


def imputation_step(citizens: str, randomisation: str, options: dict, out: str, tipping_out: str,
                    tipping_2d_out: str | None = None) -> None:
    """Multiple imputation of missing WHO-5 and the delta-adjusted tipping point (one and two dimensions)."""
    import numpy as np

    from fittrial.analyses.imputation import DEFAULT_AUXILIARY, multiple_imputation

    mi = options["imputation"]
    deltas = np.round(np.arange(mi["delta_from"], mi["delta_to"] + mi["delta_step"] / 2, mi["delta_step"]), 6)
    start = time.perf_counter()
    step_2d = float(mi.get("delta_2d_step", 2.5))
    deltas_2d = np.round(np.arange(mi["delta_from"], mi["delta_to"] + step_2d / 2, step_2d), 6)
    from fittrial.analyses.imputation import not_estimated_result
    from fittrial.models.estimable import guarded

    visits = tuple(sorted(int(v) for v in options["visits"]))
    res = guarded("multiple_imputation", lambda: multiple_imputation(
        pd.read_parquet(citizens), int(mi["m"]), int(mi["seed"]), _strata(pd.read_parquet(randomisation)), deltas,
        int(options["primary_visit"]), visits, deltas_2d, tuple(mi.get("auxiliary", DEFAULT_AUXILIARY)),
        int(mi.get("burn_in", 1000)), int(mi.get("between", 100)), float(mi.get("max_mc_error", 0.1)),
        int(mi.get("m_max", 1000))),
        lambda reason: not_estimated_result(reason, [v for v in visits if v != 0]))
    log.info("multiple imputation (pilot m = %d) in %.1f s; tipping delta %s; %s", mi["m"],
             time.perf_counter() - start, res.tipping_delta, res.rows[0].method.rsplit("imputations", 1)[0][-60:]
             if res.rows else "")
    write_parquet(_rows(res.rows), out)
    write_parquet(res.tipping.assign(tipping_delta=res.tipping_delta), tipping_out)
    if tipping_2d_out is not None:
        write_parquet(res.tipping_2d, tipping_2d_out)


def dropout_step(citizens: str, randomisation: str, options: dict, threshold: int, out: str, cif_out: str,
                 curve_out: str) -> None:
    """Time to dropout within the outcome window, other course ends competing (see :mod:`fittrial.analyses.survival`).

    Rows: the cause-specific Cox hazard ratio and the Fine-Gray subdistribution
    hazard ratio; the cumulative incidence of dropout by arm (Aalen-Johansen)
    at ``km_days`` within the window (table) and as a step curve (figure).
    The event definition and the censoring date are those of the ``dropout``
    outcome (see :mod:`fittrial.inputs.dataset`).
    """
    from fittrial.analyses.survival import (
        cif_curve,
        cif_table,
        cox_dropout,
        dropout_times,
        empty_cif,
        fine_gray_dropout,
    )

    cit = pd.read_parquet(citizens)
    times = dropout_times(cit)
    strata = _strata(pd.read_parquet(randomisation))
    rt = options.get("randomisation") or {}
    # the hazard ratios' p-values by re-randomisation (issue 24: the robust t-test is liberal in small trials)
    args = (int(options["primary_visit"]), int(options["outcome_window_days"]), int(rt.get("n", 0)),
            int(rt.get("seed", 0)))
    from fittrial.models.effects import not_estimated
    from fittrial.models.estimable import guarded
    from fittrial.publish.disclosure import arm_counts, small_cell_reason, withhold

    def failed(analysis: str, scale: str):
        return lambda reason: not_estimated(analysis, "dropout", args[0], scale, reason)

    from fittrial.inputs.dataset import course_recorded

    if not course_recorded(cit):
        why = text("r_no_course_ends")
        rows = [failed("time_to_dropout", "hazard_ratio")(why),
                failed("time_to_dropout_fine_gray", "subdistribution_hazard_ratio")(why)]
    else:
        rows = [guarded("time_to_dropout", lambda: cox_dropout(times, strata, *args),
                        failed("time_to_dropout", "hazard_ratio")),
                guarded("time_to_dropout_fine_gray", lambda: fine_gray_dropout(times, strata, *args),
                        failed("time_to_dropout_fine_gray", "subdistribution_hazard_ratio"))]
    counts = arm_counts(times["fit"].to_numpy(), (times["status"] == 1).to_numpy())
    rows = withhold(rows, small_cell_reason(counts, threshold, text("w_a_dropout")))
    log.info("time to dropout: censoring date %s; %d dropouts and %d other course ends among %d citizens",
             pd.Timestamp(cit["censor_on"].iloc[0]).date(), int((times["status"] == 1).sum()),
             int((times["status"] == 2).sum()), len(times))
    write_parquet(_rows(rows), out)
    window = int(options["outcome_window_days"])  # no one is followed for dropout beyond the window
    days = [d for d in options["km_days"] if d <= window]
    table = guarded("cif_dropout", lambda: cif_table(times, days, threshold), lambda reason: empty_cif(reason))
    write_parquet(table, cif_out)
    curve = guarded("cif_dropout", lambda: cif_curve(times, threshold), lambda reason: empty_cif(reason).iloc[0:0])
    write_parquet(curve, curve_out)


def icc_step(who5_long: str, citizens: str, randomisation: str, options: dict, out: str,
             outcomes: list[str] | None = None) -> None:
    """ICC table: WHO-5 (bootstrap CI) and every binary outcome on the latent scale (profile CI).

    An ICC that the data cannot identify is a row with the reason in ``not_estimated``.
    """
    from fittrial.analyses.icc import icc_binary, icc_row_not_estimated, icc_who5
    from fittrial.inputs.dataset import BINARY_OUTCOMES
    from fittrial.models.effects import binary_design
    from fittrial.models.estimable import NotEstimable, guarded

    cit = pd.read_parquet(citizens)
    strata = _strata(pd.read_parquet(randomisation))
    def who5() -> dict:
        try:
            _, result = _primary(who5_long, randomisation, options)
            if not result.fit.free[0]:
                raise NotEstimable(text("r_no_caseworker_intercept"))
        except NotEstimable as exc:
            return icc_row_not_estimated("who5", "observed", text("r_primary_not_estimable", reason=exc.reason))
        return icc_who5(result, int(options["icc"]["bootstrap"]), int(options["icc"]["seed"]))

    rows = [guarded("icc_who5", who5, lambda why: icc_row_not_estimated("who5", "observed", why))]
    for outcome in BINARY_OUTCOMES if outcomes is None else outcomes:
        data, design, reason = binary_design(cit, outcome, strata)
        if reason:
            rows.append(icc_row_not_estimated(outcome, "latent", reason))
        else:
            row = guarded(f"icc_{outcome}", lambda: icc_binary(cit, outcome, strata, (data, design)),
                          lambda why: icc_row_not_estimated(outcome, "latent", why))
            rows.append({k: v for k, v in row.items() if k not in ("sigma_u", "beta_fit")})
    frame = pd.DataFrame(rows)
    if "not_estimated" not in frame:
        frame["not_estimated"] = ""
    if options.get("blinded"):
        frame["not_estimated"] = frame["not_estimated"].map(blind_text)
    write_csv(frame.fillna({"not_estimated": ""}), out, float_format=FLOAT_FORMAT)


def missingness_step(citizens: str, randomisation: str, options: dict, out: str) -> None:
    """Predictors of a missing WHO-5 at the primary visit (:func:`fittrial.analyses.practice.missingness_predictors`): one
    row per predictor with the model in ``method``; not estimable, one empty row whose ``method`` says why."""
    from fittrial.analyses.practice import missingness_predictors
    from fittrial.models.estimable import guarded, sentence

    def failed(reason: str) -> pd.DataFrame:
        frame = pd.DataFrame(columns=["predictor", "odds_ratio", "ci_low", "ci_high", "p_value", "df"])
        frame.attrs["method"] = text("r_not_estimated", reason=sentence(reason))
        return frame

    miss = guarded("missingness_predictors",
                   lambda: missingness_predictors(pd.read_parquet(citizens), _strata(pd.read_parquet(randomisation)),
                                                  int(options["primary_visit"])), failed)
    method = miss.attrs["method"]
    if miss.empty:  # not estimable: one row carrying the reason in its method
        miss = pd.DataFrame([{"predictor": "", "odds_ratio": float("nan"), "ci_low": float("nan"),
                              "ci_high": float("nan"), "p_value": float("nan"), "df": float("nan")}])
    write_parquet(miss.assign(method=method), out)


def simulation_chunk_step(parameters: str, scenarios: dict, scenario: str, chunk: int, n_chunks: int,
                          n_trials: int, seed: int, out: str) -> None:
    """Simulate and analyse one chunk of trials of one scenario (operating characteristics)."""
    import yaml

    from fittrial.design.operating import run_chunk, scenario_parameters

    with open(parameters, encoding="utf-8") as fh:
        base = yaml.safe_load(fh)
    params, departures = scenario_parameters(base, scenarios[scenario])
    size = n_trials // n_chunks + (1 if chunk < n_trials % n_chunks else 0)
    first = chunk * (n_trials // n_chunks) + min(chunk, n_trials % n_chunks)
    start = time.perf_counter()
    results = run_chunk(params, size, seed, scenario, departures, first)  # seeds per trial, not per chunk
    log.info("scenario %s chunk %d: trials %d-%d in %.1f s (study seed %d)", scenario, chunk, first,
             first + size - 1, time.perf_counter() - start, seed)
    write_parquet(results, out)


def simulation_parameters_step(citizens: str, randomisation: str, variance: str, visits: list[int],
                               primary_visit: int, seed: int, out: str) -> None:
    """Write the base trial of the simulation studies estimated from this trial's data
    (:func:`fittrial.design.operating.trial_simulation_parameters`) as YAML."""
    import yaml

    from fittrial.design.operating import trial_simulation_parameters

    params = trial_simulation_parameters(pd.read_parquet(citizens), pd.read_parquet(randomisation),
                                         pd.read_parquet(variance), [int(v) for v in visits], int(primary_visit),
                                         int(seed))
    log.info("simulation base estimated from this trial: %s", params)
    header = "# The base trial of the simulation studies, estimated from this trial's data (fittrial.design.operating)\n"
    write_text(header + yaml.safe_dump(params, sort_keys=True, allow_unicode=True), out)


def operating_characteristics_step(chunks: list[str], table_out: str, png: str, svg: str,
                                   parameters: str | None = None, scenarios: Mapping | None = None) -> None:
    """Summarise all chunks into the operating-characteristics table and figure; with ``parameters`` (the base
    trial's YAML) and ``scenarios``, the table records the caseworkers each scenario simulated
    (``n_caseworkers``), by which the report checks that a study is of its trial's design."""
    from fittrial.design.operating import oc_figure, simulated_caseworkers, summarise

    summary = summarise(pd.concat([pd.read_parquet(p) for p in chunks], ignore_index=True))
    if parameters is not None:
        import yaml

        with open(parameters, encoding="utf-8") as fh:
            base = yaml.safe_load(fh) or {}
        summary["n_caseworkers"] = [simulated_caseworkers(base, (scenarios or {}).get(s)) for s in summary["scenario"]]
    write_csv(summary, table_out, float_format=FLOAT_FORMAT)
    oc_figure(summary, png, svg)


def effects_step(results: list[str], out: str, blinded: bool = False, threshold: int = 0,
                 citizens: str | None = None, who5_long: str | None = None,
                 outcomes: list[str] | None = None) -> None:
    """Stack every analysis's rows into reports/tables/effects.csv (estimates are A - B when blinded; counts
    made safe to publish by :func:`fittrial.publish.populations.effects_counts`, with the analysis populations of
    :mod:`fittrial.publish.populations` counted from ``citizens`` and ``who5_long`` as in the flow diagram)."""
    from fittrial.publish.populations import effects_counts, population_counts, published_totals

    frames = [pd.read_parquet(p) for p in results]
    totals = None
    if citizens is not None:
        counts = population_counts(pd.read_parquet(citizens), pd.read_parquet(who5_long) if who5_long else None,
                                   outcomes)
        totals = published_totals(counts, threshold)
    from fittrial.report.tables import effects_table

    table = effects_counts(effects_table([f for f in frames if len(f)], outcomes), threshold, totals)
    if citizens is not None and allocation_column(citizens) == "pair_matched":
        table["method"] = table["method"].map(pair_words)
    if blinded:
        table["method"] = table["method"].str.replace("FIT - control", "A - B", regex=False)
        table["not_estimated"] = table["not_estimated"].map(blind_text)
    write_csv(table, out, float_format=FLOAT_FORMAT)


def write_json(data: dict, out: str) -> None:
    write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", out)
