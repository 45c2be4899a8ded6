"""The report's tables of the trial's course (see fittrial.steps.report.course_tables_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import course_tables_step

tables = {k[len("table_"):]: v for k, v in snakemake.output.items() if k.startswith("table_")}
p = snakemake.params
run_user_step(lambda: course_tables_step(dict(snakemake.input.items()), p.visits, p.threshold, tables, p.blinded,
                                         p.primary_visit, p.outcomes),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
