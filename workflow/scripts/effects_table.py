"""Stack the analyses into reports/tables/effects.csv (see fittrial.steps.models.effects_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import effects_step

run_user_step(lambda: effects_step(list(snakemake.input.results), snakemake.output[0], snakemake.params.blinded,
                                   snakemake.params.threshold, snakemake.input.citizens,
                                   snakemake.input.who5_long, snakemake.params.outcomes),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
