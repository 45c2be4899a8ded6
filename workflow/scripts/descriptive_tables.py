"""Write the published descriptive tables (see fittrial.steps.report.descriptives_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import descriptives_step

run_user_step(
    lambda: descriptives_step(snakemake.input.randomisation, snakemake.input.citizens, snakemake.input.who5_long,
                              snakemake.input.notes, snakemake.input.variance, snakemake.input.emmeans,
                              snakemake.input.tipping, snakemake.input.cif, snakemake.params.visits,
                              snakemake.params.threshold, dict(snakemake.output.items()),
                              snakemake.params.blinded, snakemake.params.outcomes),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
