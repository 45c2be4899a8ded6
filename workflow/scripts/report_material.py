"""The report's tables and figures of effects (see fittrial.report_steps.report_material_step)."""
from fittrial.errors import run_user_step
from fittrial.report_steps import report_material_step

outputs = dict(snakemake.output.items())
tables = {k[len("table_"):]: v for k, v in outputs.items() if k.startswith("table_")}
figures = {k: v for k, v in outputs.items() if not k.startswith("table_")}
run_user_step(
    lambda: report_material_step(dict(snakemake.input.items()), snakemake.params.visits, snakemake.params.threshold,
                                 snakemake.params.language, tables, figures, snakemake.params.blinded,
                                 snakemake.params.primary_visit),
    snakemake.log[0],
    snakemake.rule,
)
