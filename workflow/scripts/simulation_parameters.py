"""The base trial of the simulation studies, estimated from this trial's data
(see fittrial.steps.models.simulation_parameters_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import simulation_parameters_step

run_user_step(
    lambda: simulation_parameters_step(snakemake.input.citizens, snakemake.input.randomisation,
                                       snakemake.input.variance, snakemake.params.visits,
                                       snakemake.params.primary_visit, snakemake.params.seed, snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
