"""Randomisation test (see fittrial.steps.models.randomisation_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import randomisation_step

run_user_step(
    lambda: randomisation_step(snakemake.input.who5_long, snakemake.input.randomisation, snakemake.params.options,
                               snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
