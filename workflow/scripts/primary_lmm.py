"""Fit the primary WHO-5 mixed model (see fittrial.steps.models.primary_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import primary_step

run_user_step(
    lambda: primary_step(snakemake.input.who5_long, snakemake.input.randomisation, snakemake.params.options,
                         snakemake.output.contrasts, snakemake.output.variance, snakemake.output.emmeans),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
