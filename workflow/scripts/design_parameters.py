"""Estimate the design parameters of the next trial from this one (see fittrial.steps.design)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.design import parameters_step

run_user_step(lambda: parameters_step(snakemake.input.citizens, snakemake.input.randomisation,
                                      snakemake.params.overrides, snakemake.params.primary_visit,
                                      snakemake.params.binary, snakemake.params.bootstrap, snakemake.output[0]),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
