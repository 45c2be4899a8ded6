"""Score WHO-5 and build the analysis data sets (see fittrial.steps.inputs.analysis_data_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.inputs import analysis_data_step

run_user_step(
    lambda: analysis_data_step(dict(snakemake.input.items()), snakemake.params.visits, snakemake.params.prorate,
                               dict(snakemake.output.items()), snakemake.params.window_days, snakemake.params.censor_on,
                               snakemake.params.measures),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
