"""Time to dropout: cause-specific Cox and Fine-Gray rows, cumulative incidence (see fittrial.steps.models.dropout_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import dropout_step

run_user_step(
    lambda: dropout_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.params.options,
                         snakemake.params.threshold, snakemake.output.rows, snakemake.output.cif,
                         snakemake.output.curve),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
