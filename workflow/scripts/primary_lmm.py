"""Fit the primary WHO-5 mixed model (see fittrial.pipeline.primary_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import primary_step

run_user_step(
    lambda: primary_step(snakemake.input.who5_long, snakemake.input.randomisation, snakemake.params.options,
                         snakemake.output.contrasts, snakemake.output.variance, snakemake.output.emmeans),
    snakemake.log[0],
    snakemake.rule,
)
