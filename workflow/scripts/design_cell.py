"""Simulate and analyse the trials of one cell of the design grid (see fittrial.steps.design)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.design import cell_step

run_user_step(lambda: cell_step(snakemake.input.parameters, snakemake.input.base, snakemake.params.options,
                                int(snakemake.wildcards.cell), snakemake.params.lmm_df,
                                snakemake.params.primary_visit, snakemake.params.alpha, snakemake.output[0]),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
