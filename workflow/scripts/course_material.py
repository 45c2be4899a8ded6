"""The report's tables and figures of the trial's course (see fittrial.steps.report.course_material_step) and
the WHO-5-by-arm figure (fittrial.steps.report.figure_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import course_material_step, figure_step

outputs = dict(snakemake.output.items())
tables = {k[len("table_"):]: v for k, v in outputs.items() if k.startswith("table_")}
figures = {k: v for k, v in outputs.items() if not k.startswith(("table_", "who5_"))}
p = snakemake.params


def step():
    course_material_step(dict(snakemake.input.items()), p.visits, p.threshold, p.language, tables, figures, p.blinded,
                         p.primary_visit, p.outcomes, p.words)
    figure_step(snakemake.input.who5_by_arm, snakemake.output.who5_png, snakemake.output.who5_svg, p.language,
                p.blinded, p.primary_visit, p.words)


run_user_step(step, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
