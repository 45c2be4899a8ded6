"""Simulate and analyse the trials of one cell of the binary-outcome design grid (see fittrial.steps.design)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.design import binary_cell_step

run_user_step(lambda: binary_cell_step(snakemake.input.parameters, snakemake.params.binary, snakemake.params.seed,
                                       int(snakemake.wildcards.cell), snakemake.params.covariance,
                                       snakemake.params.alpha, snakemake.output[0]),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
