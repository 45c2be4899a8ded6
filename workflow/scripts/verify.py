"""Re-run the analysis in a scratch directory and compare every published table and figure."""

from fittrial.base.errors import InputError, Problem
from fittrial.language.problems import language_of, message, run_user_step
from fittrial.publish.provenance import verify


def main():
    differences = verify(snakemake.params.snakefile, snakemake.params.config, snakemake.params.reports,
                         snakemake.threads or 1)
    if differences:
        raise InputError([Problem("reports", line) for line in differences],
                         header="verify: the published reports differ from a fresh re-run of the same inputs "
                                "and config.")
    print(message("verify: every published table, figure, provenance record and report equals a fresh re-run of the "
                  "same inputs and config.", language_of(snakemake.config)))


run_user_step(main, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
