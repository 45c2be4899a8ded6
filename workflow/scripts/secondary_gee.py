"""Fit one binary outcome's GEE (see fittrial.pipeline.secondary_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import secondary_step

run_user_step(
    lambda: secondary_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.wildcards.outcome,
                           snakemake.params.covariance, snakemake.output[0], snakemake.params.timepoint,
                           snakemake.params.threshold),
    snakemake.log[0],
    snakemake.rule,
)
