# FIT trial evaluation workflow. Logic lives in the fittrial package (src/fittrial);
# rules are in workflow/rules, the input contract in config/README.md.
import sys

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


# a user's own config must name its inputs (never the bundled example's); then the schema (every mistake as a
# sentence naming the key, the value and what is expected), and its defaults
from fittrial.inputs.validation import load_schema
from fittrial.steps.config import apply_user_inputs, schema_problems
from fittrial.language.problems import config_report

SCHEMA = f"{workflow.basedir}/workflow/schemas/config.schema.yaml"
if problems := apply_user_inputs(config, workflow.configfiles, f"{workflow.basedir}/config/config.yaml") or \
        schema_problems(config, load_schema(SCHEMA)):
    sys.exit(config_report(problems, config))
validate(config, SCHEMA, set_default=True)


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/validation.smk"
include: "workflow/rules/design.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
