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
        options=ANALYSIS,
    log:
        f"{LOGS}/primary_lmm.log",
    script:
        "../scripts/primary_lmm.py"


rule secondary_gee:
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        result("gee_{outcome}"),
    params:
        covariance=config["analysis"]["gee_covariance"],
        timepoint=config["analysis"]["primary_visit"],
        threshold=config["report"]["suppress_below"],
    wildcard_constraints:
        outcome="|".join(BINARY_OUTCOMES),
    log:
        f"{LOGS}/secondary_gee_{{outcome}}.log",
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
        options=ANALYSIS,
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
        options=ANALYSIS,
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
        options=ANALYSIS,
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
        options=ANALYSIS,
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
        options=ANALYSIS,
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
        options=ANALYSIS,
    log:
        f"{LOGS}/icc.log",
    script:
        "../scripts/icc.py"
