"""Check the inputs against the contract; write typed tables and the data-check page (see fittrial.steps.models)."""
from fittrial.language.problems import run_user_step
from fittrial.steps.inputs import validate_step

p = snakemake.params
run_user_step(
    lambda: validate_step(p.inputs, p.schema_dir, dict(snakemake.output.items()), p.blinded, p.visits, p.age_range,
                          p.data_cutoff, p.data_check, p.language, p.scoring, p.blinding_key_file,
                          p.allocation, p.measures),
    snakemake.log[0],
    snakemake.rule,
    p.language,  # the terminal and the log speak the report's language, as the data-check page does
)
