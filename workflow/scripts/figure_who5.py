"""Draw the WHO-5-by-arm figure (see fittrial.report_steps.figure_step)."""
from fittrial.errors import run_user_step
from fittrial.report_steps import figure_step

run_user_step(lambda: figure_step(snakemake.input[0], snakemake.output.png, snakemake.output.svg), snakemake.log[0],
              snakemake.rule)
