"""Write the yardsticks and claims tables (see fittrial.analyses.yardsticks.yardsticks_step)."""
from fittrial.analyses.yardsticks import yardsticks_step
from fittrial.language.problems import language_of, run_user_step

run_user_step(
    lambda: yardsticks_step(snakemake.input.citizens, snakemake.input.randomisation, snakemake.input.effects,
                            snakemake.input.who5_by_arm, snakemake.params.options, snakemake.params.covariance,
                            snakemake.params.primary_visit, snakemake.params.threshold, snakemake.output.table,
                            snakemake.output.claims, snakemake.params.blinded),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
