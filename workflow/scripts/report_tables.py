"""The report's tables of effects and the two-dimensional tipping point's table (see
fittrial.steps.report.report_tables_step and tipping_2d_table_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import report_tables_step, tipping_2d_table_step

tables = {k[len("table_"):]: v for k, v in snakemake.output.items() if k.startswith("table_")}
p = snakemake.params


def step():
    report_tables_step(dict(snakemake.input.items()), p.visits, p.threshold, tables, p.blinded, p.outcomes)
    tipping_2d_table_step(snakemake.input.tipping_2d, snakemake.output.tipping_2d_table, p.blinded)


run_user_step(step, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
