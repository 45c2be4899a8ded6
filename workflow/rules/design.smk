# Design of the next trial: `snakemake --cores 2 design` (fittrial.design). The design parameters come from
# this trial's analysis (or config `design.parameters`); every cell of the simulated-power grid is its own job,
# so an executor plugin can spread the cells over a cluster.
DESIGN = config["design"]
DESIGN_SIM = DESIGN["simulation"]
DESIGN_CELLS = list(range(len(DESIGN_SIM["caseworkers_per_arm"]) * len(DESIGN_SIM["citizens_per_caseworker"])
                          * len(DESIGN_SIM["effects"])))


rule design:
    input:
        f"{PUBLISHED}/design/design.html",
        f"{PUBLISHED}/design/power.csv",


rule design_parameters:
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
        variance=result("primary_lmm_variance"),
    output:
        f"{DERIVED}/design/parameters.json",
    params:
        overrides=DESIGN["parameters"],
        primary_visit=config["analysis"]["primary_visit"],
    log:
        f"{LOGS}/design/parameters.log",
    script:
        "../scripts/design_parameters.py"


rule design_cell:
    input:
        parameters=f"{DERIVED}/design/parameters.json",
        base=project_file(VALIDATION["parameters"]),
    output:
        f"{DERIVED}/design/cell_{{cell}}.parquet",
    params:
        grid=DESIGN_SIM,
        lmm_df=config["analysis"]["lmm_df"],
        primary_visit=config["analysis"]["primary_visit"],
        alpha=DESIGN["alpha"],
    wildcard_constraints:
        cell=r"\d+",
    log:
        f"{LOGS}/design/cell_{{cell}}.log",
    script:
        "../scripts/design_cell.py"


rule design_report:
    input:
        parameters=f"{DERIVED}/design/parameters.json",
        cells=expand(f"{DERIVED}/design/cell_{{cell}}.parquet", cell=DESIGN_CELLS),
    output:
        html=f"{PUBLISHED}/design/design.html",
        power=f"{PUBLISHED}/design/power.csv",
        analytic=f"{PUBLISHED}/design/sample_size.csv",
        parameters=f"{PUBLISHED}/design/parameters.csv",
        png=f"{PUBLISHED}/design/power.png",
        svg=f"{PUBLISHED}/design/power.svg",
    params:
        options=DESIGN,
        language=config["report"]["language"],
    log:
        f"{LOGS}/design/report.log",
    script:
        "../scripts/design_report.py"
