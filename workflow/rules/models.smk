# Effect models: the primary WHO-5 mixed model, one GEE per binary outcome (intention to treat),
# the sensitivity analyses, subgroups, time to dropout and the ICCs.


rule primary_lmm:
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
    input:
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
        fit_sessions=clean("fit_sessions"),
    output:
        result("sensitivity_{analysis}"),
    params:
        options=analysis_options("adherence_min_sessions", "lmm_df", "primary_visit", "visits"),
    wildcard_constraints:
        analysis="|".join(SENSITIVITY),
    log:
        f"{LOGS}/sensitivity_{{analysis}}.log",
    script:
        "../scripts/sensitivity.py"


rule subgroup:
    input:
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        result("subgroup_{variable}"),
    params:
        options=analysis_options("age_breaks", "lmm_df", "primary_visit"),
    log:
        f"{LOGS}/subgroup_{{variable}}.log",
    script:
        "../scripts/subgroup.py"


rule randomisation_test:
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
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        rows=result("time_to_dropout"),
        cif=result("cif_dropout"),
        curve=result("cif_curve"),
    params:
        options=analysis_options("km_days", "outcome_window_days", "primary_visit"),
        threshold=config["report"]["suppress_below"],
    log:
        f"{LOGS}/time_to_dropout.log",
    script:
        "../scripts/time_to_dropout.py"


rule icc:
    input:
        who5_long=analysis("who5_long"),
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        report(table("icc"), caption="../report/icc.rst", category="Effects"),
    params:
        options=analysis_options("blinded", "icc", "lmm_df", "visits"),
    log:
        f"{LOGS}/icc.log",
    script:
        "../scripts/icc.py"
