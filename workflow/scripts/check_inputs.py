"""`snakemake check`: validate the inputs only and write the data-check page (see fittrial.steps.inputs.check_step)."""
from fittrial.language.problems import run_user_step
from fittrial.steps.inputs import check_step

p = snakemake.params
run_user_step(
    lambda: check_step(p.inputs, p.schema_dir, p.data_check, snakemake.output[0], p.language, p.blinded, p.visits,
                       p.age_range, p.data_cutoff, p.scoring, p.allocation, p.measures),
    snakemake.log[0],
    snakemake.rule,
    p.language,  # the terminal and the log speak the report's language, as the data-check page does
)
