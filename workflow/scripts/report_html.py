"""Render reports/report.html (see fittrial.report_steps.report_step)."""
from fittrial.errors import run_user_step
from fittrial.report_steps import report_step

inputs = dict(snakemake.input.items())
tables = {k[len("table_"):]: v for k, v in inputs.items() if k.startswith("table_")}
oc = inputs.get("operating_characteristics") or []  # the appendix's table, when the config names one that exists
for path in [oc] if isinstance(oc, str) else list(oc):
    tables["operating_characteristics"] = path
figures = {k[len("figure_"):]: v for k, v in inputs.items() if k.startswith("figure_")}
run_user_step(
    lambda: report_step(tables, figures, snakemake.input.provenance, snakemake.params.config, snakemake.output.html,
                        snakemake.output.pdf),
    snakemake.log[0],
    snakemake.rule,
)
