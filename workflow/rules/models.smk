# Effect models: the primary WHO-5 mixed model, one GEE per binary outcome (intention to treat),
# the sensitivity analyses, subgroups, time to dropout and the ICCs.


rule primary_lmm:
    priority: 8  # short, and on the way to the effects table and to the descriptive tables
    input:
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        contrasts=result("primary_lmm"),
        variance=result("primary_lmm_variance"),
        emmeans=result("primary_lmm_emmeans"),
    params:
        options=analysis_options("lmm_df", "visits"),
    log:
        f"{LOGS}/primary_lmm.log",
    script:
        "../scripts/primary_lmm.py"


rule secondary_gee:
    # one job for the five outcomes: they share their input and options, so a per-outcome job would only add
    # start-up time (about 1 s each), never save a re-run
    priority: 7  # on the way to the effects table
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        [result(f"gee_{o}") for o in BINARY_OUTCOMES],
    params:
        outcomes=BINARY_OUTCOMES,
        covariance=config["analysis"]["gee_covariance"],
        timepoint=config["analysis"]["primary_visit"],
        threshold=config["report"]["suppress_below"],
    log:
        f"{LOGS}/secondary_gee.log",
    script:
        "../scripts/secondary_gee.py"


rule sensitivity:
    # one job for every sensitivity analysis: they share their inputs and options, so one job per analysis would
    # re-run no less after a change and only add a Python start-up (about 1 s) each
    priority: 9  # the second longest step on the way to the effects table
    input:
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
        fit_sessions=clean("fit_sessions"),
    output:
        **{a: result(f"sensitivity_{a}") for a in SENSITIVITY},
    params:
        analyses=SENSITIVITY,
        options=analysis_options("adherence_min_sessions", "lmm_df", "primary_visit", "visits"),
    log:
        f"{LOGS}/sensitivity.log",
    script:
        "../scripts/sensitivity.py"


rule subgroup:
    # one job for every subgroup variable (config analysis.subgroups), for the reason given at rule sensitivity
    priority: 8  # on the way to the effects table
    input:
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        **{v: result(f"subgroup_{v}") for v in config["analysis"]["subgroups"]},
    params:
        variables=config["analysis"]["subgroups"],
        options=analysis_options("age_breaks", "lmm_df", "primary_visit"),
    log:
        f"{LOGS}/subgroup.log",
    script:
        "../scripts/subgroup.py"


rule missingness:
    # predictors of a missing WHO-5 at the primary visit (a GEE): a model, so not in the report steps
    priority: 6  # on the way to the report's effect tables (rule report_tables)
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        result("missingness_predictors"),
    params:
        options=analysis_options("primary_visit"),
    log:
        f"{LOGS}/missingness.log",
    script:
        "../scripts/missingness.py"


rule randomisation_test:
    priority: 7  # on the way to the effects table
    input:
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        result("randomisation_test"),
    params:
        options=analysis_options("lmm_df", "primary_visit", "randomisation", "visits"),
    log:
        f"{LOGS}/randomisation_test.log",
    script:
        "../scripts/randomisation_test.py"


rule multiple_imputation:
    # the longest jobs (this, icc and the sensitivity analyses) start first, so that the many short ones fill the
    # other core around them instead of leaving one of them to run alone at the end; then the steps on the way to
    # the effects table, then those only the report needs
    priority: 10
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        rows=result("multiple_imputation"),
        tipping=result("tipping_point"),
        tipping_2d=result("tipping_point_2d"),
    params:
        options=analysis_options("imputation", "primary_visit", "visits"),
    log:
        f"{LOGS}/multiple_imputation.log",
    script:
        "../scripts/multiple_imputation.py"


rule time_to_dropout:
    priority: 7  # on the way to the effects table and to the descriptive tables
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        rows=result("time_to_dropout"),
        cif=result("cif_dropout"),
        curve=result("cif_curve"),
    params:
        options=analysis_options("km_days", "outcome_window_days", "primary_visit", "randomisation"),
        threshold=config["report"]["suppress_below"],
    log:
        f"{LOGS}/time_to_dropout.log",
    script:
        "../scripts/time_to_dropout.py"


rule icc:
    priority: 9  # a long step: see rule multiple_imputation
    input:
        who5_long=analysis("who5_long"),
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        report(table("icc"), caption="../report/icc.rst", category="Effects"),
    params:
        options=analysis_options("blinded", "icc", "lmm_df", "visits"),
        outcomes=BINARY_OUTCOMES,
    log:
        f"{LOGS}/icc.log",
    script:
        "../scripts/icc.py"
