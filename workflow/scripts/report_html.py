"""Draw the CONSORT flow diagram from the published flow table (see fittrial.steps.report.flow_figure_step), write
provenance.json (see fittrial.publish.provenance.provenance), then render report.html and report.pdf (see
fittrial.steps.report.report_step)."""
import json
import os
from pathlib import Path

from fittrial.language.problems import language_of, run_user_step
from fittrial.publish.audit import public_audit
from fittrial.publish.provenance import provenance, published_record
from fittrial.steps.config import input_path
from fittrial.steps.models import write_json
from fittrial.steps.report import flow_figure_step, report_step

inputs = dict(snakemake.input.items())
tables = {k[len("table_"):]: v for k, v in inputs.items() if k.startswith("table_")}
oc = inputs.get("operating_characteristics") or []  # the appendix's table, when the config names one that exists
for path in [oc] if isinstance(oc, str) else list(oc):
    tables["operating_characteristics"] = path
figures = {"flow": snakemake.output.flow_png,
           **{k[len("figure_"):]: v for k, v in inputs.items() if k.startswith("figure_")}}
trial_inputs = {name: input_path(snakemake.config["inputs"].get(name))
                for name in ("randomisation", "citizens", "who5", "fit_sessions")}
staging = Path(snakemake.output.provenance).parent
hashed = {Path(f).relative_to(staging).as_posix(): f
          for f in [*snakemake.input.hashed, snakemake.output.flow_png, snakemake.output.flow_svg]}
p = snakemake.params


def step():
    flow_figure_step(snakemake.input.table_flow, snakemake.input.flow_citizens, snakemake.input.flow_fit_sessions,
                     snakemake.output.flow_png, snakemake.output.flow_svg, p.language, p.blinded, p.primary_visit,
                     p.words)
    write_json(provenance(snakemake.params.config, trial_inputs, snakemake.params.config_files,
                          snakemake.params.workflow_dir, os.path.getmtime(snakemake.input.started), hashed,
                          published_record(), public_audit(json.loads(Path(snakemake.input.audit).read_text(encoding="utf-8")))),
               snakemake.output.provenance)
    report_step(tables, figures, snakemake.output.provenance, snakemake.params.config, snakemake.output.html,
                snakemake.output.pdf)


run_user_step(step, snakemake.log[0], snakemake.rule, language=language_of(snakemake.config))
