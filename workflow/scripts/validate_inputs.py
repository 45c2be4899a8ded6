"""Check the inputs against the contract; write typed tables (see fittrial.pipeline.validate_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import validate_step

run_user_step(
    lambda: validate_step(snakemake.params.inputs, snakemake.params.schema_dir, dict(snakemake.output.items()),
                          snakemake.params.blinded, snakemake.params.visits, snakemake.params.age_range,
                          snakemake.params.data_cutoff),
    snakemake.log[0],
    snakemake.rule,
)
