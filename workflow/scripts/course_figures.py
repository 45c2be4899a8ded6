"""The report's figures of the trial's course, in its language (see fittrial.steps.report.course_figures_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import course_figures_step

p = snakemake.params
run_user_step(lambda: course_figures_step(dict(snakemake.input.items()), p.threshold, p.language,
                                          dict(snakemake.output.items()), p.blinded, p.primary_visit, p.words),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
