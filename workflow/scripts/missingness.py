"""Predictors of a missing WHO-5 (see fittrial.steps.models.missingness_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import missingness_step

run_user_step(
    lambda: missingness_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.params.options,
                             snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
