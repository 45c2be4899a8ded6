# Inputs: check them against the contract, then score and assemble the analysis data.


rule validate_inputs:
    input:
        unpack(input_files),
    output:
        **{name: clean(name) for name in TABLES},
        notes=clean("validation_notes"),
    params:
        inputs=lambda wildcards: {name: config["inputs"].get(name) for name in TABLES},
        schema_dir=SCHEMAS,
        blinded=config["report"]["blinded"],
        visits=VISITS,
        age_range=[config["checks"]["age_min"], config["checks"]["age_max"]],
        data_cutoff=config["checks"]["data_cutoff"],
    log:
        f"{LOGS}/validate_inputs.log",
    script:
        "../scripts/validate_inputs.py"


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
    log:
        f"{LOGS}/analysis_data.log",
    script:
        "../scripts/analysis_data.py"
