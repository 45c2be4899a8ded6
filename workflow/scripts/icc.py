"""ICC table (see fittrial.steps.models.icc_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import icc_step

run_user_step(
    lambda: icc_step(snakemake.input.who5_long, snakemake.input.citizens, snakemake.input.randomisation,
                     snakemake.params.options, snakemake.output[0], snakemake.params.outcomes),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
