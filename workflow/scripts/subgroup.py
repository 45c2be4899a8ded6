"""One subgroup analysis (see fittrial.pipeline.subgroup_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import subgroup_step

run_user_step(
    lambda: subgroup_step(snakemake.wildcards.variable, dict(snakemake.input.items()), snakemake.params.options,
                          snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
)
