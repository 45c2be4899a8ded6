"""Write the design report and its tables (see fittrial.steps.design)."""
from fittrial.language.problems import language_of, run_user_step
from fittrial.steps.design import report_step

run_user_step(lambda: report_step(snakemake.input.parameters, list(snakemake.input.cells),
                                  list(snakemake.input.binary_cells), snakemake.params.options,
                                  snakemake.params.language, dict(snakemake.output),
                                  snakemake.params.lmm_df),
              snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
