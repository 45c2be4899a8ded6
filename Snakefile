# FIT trial evaluation workflow. Logic lives in the fittrial package (src/fittrial);
# rules are in workflow/rules, the input contract in config/README.md.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml", set_default=True)


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/validation.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
