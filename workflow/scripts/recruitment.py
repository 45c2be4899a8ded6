"""Recruitment after randomisation table (see fittrial.analyses.recruitment.recruitment_step)."""
from fittrial.analyses.recruitment import recruitment_step
from fittrial.language.problems import language_of, run_user_step

run_user_step(
    lambda: recruitment_step(snakemake.input.randomisation, snakemake.input.citizens, snakemake.params.options,
                             snakemake.params.threshold, snakemake.output[0], snakemake.params.blinded),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
