"""Fit the GEE of every binary outcome, one output each (see fittrial.steps.models.secondary_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.models import secondary_step


def fit_all() -> None:
    for outcome, out in zip(snakemake.params.outcomes, snakemake.output):
        secondary_step(snakemake.input.citizens, snakemake.input.randomisation, outcome, snakemake.params.covariance,
                       out, snakemake.params.timepoint, snakemake.params.threshold)


run_user_step(fit_all, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
