"""The data-check page of inputs that passed, in the report's language (see fittrial.steps.inputs.data_check_page_step)."""
from fittrial.language.problems import run_user_step
from fittrial.steps.inputs import data_check_page_step

p = snakemake.params
run_user_step(
    lambda: data_check_page_step(snakemake.input.check, snakemake.output[0], p.language, p.blinded),
    snakemake.log[0],
    snakemake.rule,
    p.language,
)
