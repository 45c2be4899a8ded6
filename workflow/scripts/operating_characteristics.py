"""Summarise the simulation chunks (see fittrial.steps.models.operating_characteristics_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import operating_characteristics_step

run_user_step(
    lambda: operating_characteristics_step(list(snakemake.input.chunks), snakemake.output.table,
                                           snakemake.output.png, snakemake.output.svg, snakemake.input.base,
                                           snakemake.params.scenarios),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
