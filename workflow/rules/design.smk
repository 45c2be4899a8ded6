# Design of the next trial: `snakemake --cores 2 design` (fittrial.design.power). The design parameters come from
# this trial's analysis (or config `design.parameters`); every cell of the simulated-power grid is its own job,
# so an executor plugin can spread the cells over a cluster.
DESIGN = config["design"]
DESIGN_SIM = DESIGN["simulation"]
# the grid's cells, then one per target effect: the summary's headline sample size (fittrial.steps.design.cell_step)
DESIGN_CELLS = list(range(len(DESIGN_SIM["caseworkers_per_arm"]) * len(DESIGN_SIM["citizens_per_caseworker"])
                          * len(DESIGN_SIM["effects"]) + len(DESIGN["effects"])))
# the binary outcomes to design for: as configured, or the trial's first binary outcome (dropout in the FIT trial;
# none when the trial has none)
DESIGN_BINARY = {**DESIGN["binary"], "outcomes": DESIGN["binary"]["outcomes"] if DESIGN["binary"]["outcomes"]
                 is not None else BINARY_OUTCOMES[:1]}
DESIGN_BINARY_CELLS = list(range(len(DESIGN_BINARY["outcomes"]) * len(DESIGN_BINARY["simulation"]["caseworkers_per_arm"])
                                 * len(DESIGN_BINARY["simulation"]["citizens_per_caseworker"])
                                 * len(DESIGN_BINARY["simulation"]["odds_ratios"])))


rule design:
    input:
        f"{PUBLISHED}/design/design.html",
        f"{PUBLISHED}/design/power.csv",


rule design_parameters:
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        f"{DERIVED}/design/parameters.json",
    params:
        overrides=DESIGN["parameters"],
        primary_visit=config["analysis"]["primary_visit"],
        binary=DESIGN_BINARY,
        bootstrap=config["analysis"]["icc"],
    log:
        f"{LOGS}/design/parameters.log",
    script:
        "../scripts/design_parameters.py"


rule design_cell:
    input:
        parameters=f"{DERIVED}/design/parameters.json",
        base=simulation_base(),
    output:
        f"{DERIVED}/design/cell_{{cell}}.parquet",
    params:
        options=DESIGN,
        lmm_df=config["analysis"]["lmm_df"],
        primary_visit=config["analysis"]["primary_visit"],
        alpha=DESIGN["alpha"],
    wildcard_constraints:
        cell=r"\d+",
    log:
        f"{LOGS}/design/cell_{{cell}}.log",
    script:
        "../scripts/design_cell.py"


rule design_binary_cell:
    input:
        parameters=f"{DERIVED}/design/parameters.json",
    output:
        f"{DERIVED}/design/binary_cell_{{cell}}.parquet",
    params:
        binary=DESIGN_BINARY,
        seed=DESIGN_SIM["seed"],
        covariance=config["analysis"]["gee_covariance"],
        alpha=DESIGN["alpha"],
    wildcard_constraints:
        cell=r"\d+",
    log:
        f"{LOGS}/design/binary_cell_{{cell}}.log",
    script:
        "../scripts/design_binary_cell.py"


rule design_report:
    input:
        parameters=f"{DERIVED}/design/parameters.json",
        cells=expand(f"{DERIVED}/design/cell_{{cell}}.parquet", cell=DESIGN_CELLS),
        binary_cells=expand(f"{DERIVED}/design/binary_cell_{{cell}}.parquet", cell=DESIGN_BINARY_CELLS),
    output:
        html=f"{PUBLISHED}/design/design.html",
        power=f"{PUBLISHED}/design/power.csv",
        sensitivity=f"{PUBLISHED}/design/sensitivity.csv",
        analytic=f"{PUBLISHED}/design/sample_size.csv",
        parameters=f"{PUBLISHED}/design/parameters.csv",
        binary_power=f"{PUBLISHED}/design/binary_power.csv",
        binary_analytic=f"{PUBLISHED}/design/binary_sample_size.csv",
        binary_parameters=f"{PUBLISHED}/design/binary_parameters.csv",
        png=f"{PUBLISHED}/design/power.png",
        svg=f"{PUBLISHED}/design/power.svg",
    params:
        options=DESIGN,
        language=config["report"]["language"],
        lmm_df=config["analysis"]["lmm_df"],
    log:
        f"{LOGS}/design/report.log",
    script:
        "../scripts/design_report.py"
