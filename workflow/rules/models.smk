# Effect models (intention to treat): the primary WHO-5 mixed model and one GEE per binary outcome.


rule primary_lmm:
    input:
        who5_long=analysis("who5_long"),
        randomisation=clean("randomisation"),
    output:
        contrasts=f"{DERIVED}/results/primary_lmm.parquet",
        variance=f"{DERIVED}/results/primary_lmm_variance.parquet",
    log:
        f"{LOGS}/primary_lmm.log",
    script:
        "../scripts/primary_lmm.py"


rule secondary_gee:
    input:
        citizens=analysis("citizens"),
        randomisation=clean("randomisation"),
    output:
        f"{DERIVED}/results/gee_{{outcome}}.parquet",
    params:
        covariance=config["analysis"]["gee_covariance"],
    wildcard_constraints:
        outcome="|".join(BINARY_OUTCOMES),
    log:
        f"{LOGS}/secondary_gee_{{outcome}}.log",
    script:
        "../scripts/secondary_gee.py"
