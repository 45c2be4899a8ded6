"""The report's figures of effects and of the two-dimensional tipping point, in its language (see
fittrial.steps.report.report_figures_step and tipping_2d_figure_step)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.report import report_figures_step, tipping_2d_figure_step

figures = {k: v for k, v in snakemake.output.items() if not k.startswith("tipping_2d_")}
p = snakemake.params
out = snakemake.output


def step():
    report_figures_step(dict(snakemake.input.items()), p.visits, p.threshold, p.language, figures, p.blinded,
                        p.primary_visit, p.words)
    tipping_2d_figure_step(snakemake.input.tipping_2d, out.tipping_2d_png, out.tipping_2d_svg, p.language, p.blinded,
                           p.words)


run_user_step(step, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
