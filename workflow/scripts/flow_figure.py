"""The CONSORT flow diagram from the published flow table (see fittrial.steps.report.flow_figure_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import flow_figure_step

i, o, p = snakemake.input, snakemake.output, snakemake.params
run_user_step(
    lambda: flow_figure_step(i.flow, i.citizens, i.fit_sessions, o.png, o.svg, p.language, p.blinded,
                             p.primary_visit, p.words),
    snakemake.log[0],
    snakemake.rule,
    language=language_of(snakemake.config),
)
