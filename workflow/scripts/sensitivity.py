"""The sensitivity analyses of the WHO-5 effect, one output each (see fittrial.pipeline.sensitivity_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import sensitivity_step

run_user_step(
    lambda: [sensitivity_step(analysis, dict(snakemake.input.items()), snakemake.params.options,
                              snakemake.output[analysis]) for analysis in snakemake.params.analyses],
    snakemake.log[0],
    snakemake.rule,
)
