"""The report's tables and figures of effects (see fittrial.steps.report.report_material_step) and the
two-dimensional tipping point's table and figure (fittrial.steps.report.tipping_2d_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import report_material_step, tipping_2d_step

outputs = dict(snakemake.output.items())
tables = {k[len("table_"):]: v for k, v in outputs.items() if k.startswith("table_")}
figures = {k: v for k, v in outputs.items() if not k.startswith(("table_", "tipping_2d_"))}
p = snakemake.params
out = snakemake.output


def step():
    report_material_step(dict(snakemake.input.items()), p.visits, p.threshold, p.language, tables, figures, p.blinded,
                         p.primary_visit, p.outcomes, p.words)
    tipping_2d_step(snakemake.input.tipping_2d, out.tipping_2d_table, out.tipping_2d_png, out.tipping_2d_svg,
                    p.language, p.blinded, p.words)


run_user_step(step, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
