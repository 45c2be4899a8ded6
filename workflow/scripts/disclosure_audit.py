"""Audit every published count together (see fittrial.steps.report.disclosure_audit_step)."""
from fittrial.base.errors import run_user_step
from fittrial.steps.report import disclosure_audit_step

tables = {k[len("table_"):]: v for k, v in snakemake.input.items() if k.startswith("table_")}
run_user_step(
    lambda: disclosure_audit_step(tables, snakemake.input.citizens, snakemake.input.who5_long,
                                  snakemake.input.randomisation, snakemake.params.threshold,
                                  list(snakemake.params.outcomes), list(snakemake.params.age_breaks),
                                  snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
)
