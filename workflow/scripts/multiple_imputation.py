"""Multiple imputation and tipping point (see fittrial.steps.models.imputation_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import imputation_step

run_user_step(
    lambda: imputation_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.params.options,
                            snakemake.output.rows, snakemake.output.tipping,
                            snakemake.output.tipping_2d),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
