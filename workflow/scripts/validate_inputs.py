"""Check the inputs against the contract; write typed tables (and, when they fail, the data-check page; see
fittrial.steps.inputs)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.inputs import validate_step

p = snakemake.params
# the language of the messages (and of the page of inputs that fail) is read from the config, not a parameter of
# this step: switching it must not re-run the analysis (rule data_check_page renders the page of inputs that pass)
language = language_of(snakemake.config)
run_user_step(
    lambda: validate_step(p.inputs, p.schema_dir, dict(snakemake.output.items()), p.blinded, p.visits, p.age_range,
                          p.data_cutoff, p.data_check, language, p.scoring, p.blinding_key_file,
                          p.allocation, p.measures),
    snakemake.log[0],
    snakemake.rule,
    language,
)
