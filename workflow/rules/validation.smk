# Operating characteristics by simulation: `snakemake --cores 2 validate`.
# Every chunk of trials is its own job, so an executor plugin can spread them over a cluster.
VALIDATION = config["validation"]
SCENARIOS = sorted(VALIDATION["run"] or VALIDATION["scenarios"])
CHUNKS = list(range(VALIDATION["chunks"]))


rule validate:
    input:
        f"{PUBLISHED}/validation/operating_characteristics.csv",
        f"{PUBLISHED}/validation/operating_characteristics.png",


rule simulation_chunk:
    input:
        project_file(VALIDATION["parameters"]),
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
        expand(f"{DERIVED}/validation/{{scenario}}_{{chunk}}.parquet", scenario=SCENARIOS, chunk=CHUNKS),
    output:
        table=report(f"{PUBLISHED}/validation/operating_characteristics.csv",
                     caption="../report/operating_characteristics.rst", category="Validation"),
        png=report(f"{PUBLISHED}/validation/operating_characteristics.png",
                   caption="../report/operating_characteristics.rst", category="Validation"),
        svg=f"{PUBLISHED}/validation/operating_characteristics.svg",
    log:
        f"{LOGS}/operating_characteristics.log",
    script:
        "../scripts/operating_characteristics.py"
