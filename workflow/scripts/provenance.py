"""Write reports/provenance.json (see fittrial.provenance.provenance)."""
import os
from pathlib import Path

from fittrial.errors import run_user_step
from fittrial.pipeline import write_json
from fittrial.provenance import provenance

from fittrial.settings import input_path

inputs = {name: input_path(snakemake.config["inputs"].get(name))
          for name in ("randomisation", "citizens", "who5", "fit_sessions")}
staging = Path(snakemake.output[0]).parent
outputs = {Path(f).relative_to(staging).as_posix(): f for f in snakemake.input.outputs}
run_user_step(
    lambda: write_json(provenance(snakemake.params.config, inputs, snakemake.params.config_files,
                                  snakemake.params.workflow_dir, os.path.getmtime(snakemake.input.started),
                                  outputs),
                       snakemake.output[0]),
    snakemake.log[0],
    snakemake.rule,
)
