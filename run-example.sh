#!/usr/bin/env bash
# Quick start 1: set up the environment and run the whole workflow on the bundled example trial
# (its settings: config/example.yaml). The report appears in reports/report.html. Extra arguments go to
# snakemake, e.g. `bash run-example.sh design`.
set -euo pipefail
cd "$(dirname "$0")"
bash tools/setup-env.sh
exec .venv/bin/snakemake --cores "${CORES:-2}" --configfile=config/example.yaml "$@"
