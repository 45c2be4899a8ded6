"""The subgroup analyses, one output per variable (see fittrial.pipeline.subgroup_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import subgroup_step

run_user_step(
    lambda: [subgroup_step(variable, dict(snakemake.input.items()), snakemake.params.options,
                           snakemake.output[variable]) for variable in snakemake.params.variables],
    snakemake.log[0],
    snakemake.rule,
)
