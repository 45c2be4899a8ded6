"""ICC table (see fittrial.pipeline.icc_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import icc_step

run_user_step(
    lambda: icc_step(snakemake.input.who5_long, snakemake.input.citizens, snakemake.input.randomisation,
                     snakemake.params.options, snakemake.output[0], snakemake.params.outcomes),
    snakemake.log[0],
    snakemake.rule,
)
