"""The subgroup analyses, one output per variable (see fittrial.steps.models.subgroup_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import subgroup_step

run_user_step(
    lambda: [subgroup_step(variable, dict(snakemake.input.items()), snakemake.params.options,
                           snakemake.output[variable]) for variable in snakemake.params.variables],
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
