"""Two-dimensional tipping-point table and figure (see fittrial.report_steps.tipping_2d_step)."""
from fittrial.errors import run_user_step
from fittrial.report_steps import tipping_2d_step

run_user_step(
    lambda: tipping_2d_step(snakemake.input[0], snakemake.output.table, snakemake.output.png, snakemake.output.svg,
                            snakemake.params.language, snakemake.params.blinded),
    snakemake.log[0],
    snakemake.rule,
)
