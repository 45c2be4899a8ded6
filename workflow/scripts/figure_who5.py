"""Draw the WHO-5-by-arm figure (see fittrial.report_steps.figure_step)."""
from fittrial.errors import run_user_step
from fittrial.report_steps import figure_step

p = snakemake.params
run_user_step(lambda: figure_step(snakemake.input[0], snakemake.output.png, snakemake.output.svg, p.language, p.blinded,
                                  p.primary_visit), snakemake.log[0], snakemake.rule)
