"""The sensitivity analyses of the WHO-5 effect, one output each (see fittrial.steps.models.sensitivity_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import sensitivity_step

run_user_step(
    lambda: [sensitivity_step(analysis, dict(snakemake.input.items()), snakemake.params.options,
                              snakemake.output[analysis]) for analysis in snakemake.params.analyses],
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
