"""Time to dropout: Cox model and Kaplan-Meier table (see fittrial.pipeline.dropout_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import dropout_step

run_user_step(
    lambda: dropout_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.params.options,
                         snakemake.params.threshold, snakemake.output.rows, snakemake.output.km,
                         snakemake.output.curve),
    snakemake.log[0],
    snakemake.rule,
)
