"""One sensitivity analysis of the WHO-5 effect (see fittrial.pipeline.sensitivity_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import sensitivity_step

run_user_step(
    lambda: sensitivity_step(snakemake.wildcards.analysis, dict(snakemake.input.items()), snakemake.params.options,
                             snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
)
