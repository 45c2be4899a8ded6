# Inputs: check them against the contract, then score and assemble the analysis data.


# `snakemake --cores 1 check`: validate the inputs only and write the data-check page
# (config paths.data_check); fails when the inputs have errors.
rule check:
    input:
        unpack(input_files),
    output:
        f"{DERIVED}/check/inputs_valid",
    params:
        **VALIDATION_PARAMS,
        language=config["report"]["language"],
    log:
        f"{LOGS}/check.log",
    script:
        "../scripts/check_inputs.py"


rule validate_inputs:
    input:
        unpack(input_files),
    output:
        **{name: clean(name) for name in TABLES},
        notes=clean("validation_notes"),
        check=f"{DERIVED}/clean/data_check.json",
    params:
        **VALIDATION_PARAMS,
    log:
        f"{LOGS}/validate_inputs.log",
    script:
        "../scripts/validate_inputs.py"


rule data_check_page:
    # the data-check page of inputs that passed, in the report's language: a presentation step, so that switching
    # the language re-runs this and the report, and no model
    input:
        check=f"{DERIVED}/clean/data_check.json",
    output:
        config["paths"]["data_check"],
    params:
        language=config["report"]["language"],
        blinded=config["report"]["blinded"],
    log:
        f"{LOGS}/data_check_page.log",
    script:
        "../scripts/data_check_page.py"


rule analysis_data:
    input:
        **{name: clean(name) for name in TABLES},
        notes=clean("validation_notes"),
    output:
        citizens=analysis("citizens"),
        who5_long=analysis("who5_long"),
        notes=analysis("data_quality_notes"),
    params:
        visits=config["visits"],
        prorate=config["scoring"]["who5_prorate_one_missing"],
        window_days=config["analysis"]["outcome_window_days"],
        censor_on=config["analysis"]["censor_on"],
        measures=MEASURES,
    log:
        f"{LOGS}/analysis_data.log",
    script:
        "../scripts/analysis_data.py"
