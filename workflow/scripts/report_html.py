"""Render reports/report.html (see fittrial.pipeline.report_step)."""
from fittrial.errors import run_user_step
from fittrial.pipeline import report_step

tables = {key[len("table_"):]: value for key, value in snakemake.input.items() if key.startswith("table_")}
inputs = {name: snakemake.config["inputs"].get(name) for name in ("randomisation", "citizens", "who5", "fit_sessions")}
run_user_step(
    lambda: report_step(tables, snakemake.input.figure, inputs, snakemake.params.config, snakemake.output[0]),
    snakemake.log[0],
)
