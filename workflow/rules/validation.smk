# Operating characteristics by simulation: `snakemake --cores 2 validate`.
# Every chunk of trials is its own job, so an executor plugin can spread them over a cluster.
VALIDATION = config["validation"]
SCENARIOS = sorted(VALIDATION["run"] or VALIDATION["scenarios"])
CHUNKS = list(range(VALIDATION["chunks"]))


rule validate:
    input:
        f"{PUBLISHED}/validation/operating_characteristics.csv",
        f"{PUBLISHED}/validation/operating_characteristics.png",


rule simulation_parameters:
    # the base trial of the simulation studies estimated from this trial's data (config validation.parameters
    # empty, the default), so that `validate` studies the user's own design
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
        variance=result("primary_lmm_variance"),
    output:
        f"{DERIVED}/validation/parameters.yaml",
    params:
        visits=VISITS,
        primary_visit=config["analysis"]["primary_visit"],
        seed=VALIDATION["seed"],
    log:
        f"{LOGS}/validation/parameters.log",
    script:
        "../scripts/simulation_parameters.py"


rule simulation_chunk:
    input:
        simulation_base(),
    output:
        f"{DERIVED}/validation/{{scenario}}_{{chunk}}.parquet",
    params:
        scenarios=VALIDATION["scenarios"],
        n_chunks=VALIDATION["chunks"],
        n_trials=VALIDATION["trials"],
        seed=VALIDATION["seed"],
    wildcard_constraints:
        scenario="|".join(SCENARIOS),
        chunk=r"\d+",
    log:
        f"{LOGS}/validation/{{scenario}}_{{chunk}}.log",
    script:
        "../scripts/simulation_chunk.py"


rule operating_characteristics:
    input:
        chunks=expand(f"{DERIVED}/validation/{{scenario}}_{{chunk}}.parquet", scenario=SCENARIOS, chunk=CHUNKS),
        base=simulation_base(),
    output:
        table=report(f"{PUBLISHED}/validation/operating_characteristics.csv",
                     caption="../report/operating_characteristics.rst", category="Validation"),
        png=report(f"{PUBLISHED}/validation/operating_characteristics.png",
                   caption="../report/operating_characteristics.rst", category="Validation"),
        svg=f"{PUBLISHED}/validation/operating_characteristics.svg",
    params:
        scenarios=VALIDATION["scenarios"],
    log:
        f"{LOGS}/operating_characteristics.log",
    script:
        "../scripts/operating_characteristics.py"
