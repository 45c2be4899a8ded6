"""Simulate and analyse one chunk of trials (see fittrial.steps.models.simulation_chunk_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import simulation_chunk_step

run_user_step(
    lambda: simulation_chunk_step(snakemake.input[0], snakemake.params.scenarios, snakemake.wildcards.scenario,
                                  int(snakemake.wildcards.chunk), snakemake.params.n_chunks,
                                  snakemake.params.n_trials, snakemake.params.seed, snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
