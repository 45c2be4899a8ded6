"""Suppress further what all tables together would reveal, and publish the tables (see
fittrial.steps.report.disclosure_control_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import disclosure_control_step

drafts = {k[len("draft_"):]: v for k, v in snakemake.input.items() if k.startswith("draft_")}
published = {k[len("table_"):]: v for k, v in snakemake.output.items() if k.startswith("table_")}
p = snakemake.params
run_user_step(
    lambda: disclosure_control_step(drafts, published, snakemake.input.citizens, snakemake.input.who5_long,
                                    snakemake.input.randomisation, p.threshold, list(p.outcomes),
                                    list(p.age_breaks), snakemake.output.record, p.hide_sizes),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
