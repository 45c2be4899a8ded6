"""The SLURM profile and the local test cluster's script, checked without a cluster (docs/cluster.md): the profile's
keys are ones Snakemake and the installed executor plugin read, the short steps run locally and only the simulation
studies (and large inputs' reading) go to the queue, and tools/slurm-local.sh ends only what it started and uses
sudo only when it is not root."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, small_params

from fittrial.design.simulate import simulate_trial, write_trial

PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
SCRIPT = ROOT / "tools" / "slurm-local.sh"
# the rules whose jobs go to the queue: the simulation studies' chunks and cells; the readers only for large inputs
QUEUED = {"simulation_chunk", "design_cell", "design_binary_cell"}
READERS = {"validate_inputs", "check"}
# Snakemake's own resources (the plugin passes mem_mb and runtime on as --mem and -t)
SNAKEMAKE_RESOURCES = {"mem_mb", "runtime", "disk_mb", "tmpdir", "threads"}


def profile() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


def plugin_source() -> str:
    import snakemake_executor_plugin_slurm

    folder = Path(snakemake_executor_plugin_slurm.__file__).parent
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")))


def test_every_plugin_setting_of_the_profile_is_read_by_the_installed_plugin():
    """A `slurm-*` key must be a field of the plugin's ExecutorSettings *and* be read somewhere in its code: plugin
    2.8.0 accepts `--slurm-no-account` (a field) but never reads it, and guesses an account all the same."""
    from snakemake_executor_plugin_slurm import ExecutorSettings

    fields = {f.name for f in dataclasses.fields(ExecutorSettings)}
    source = plugin_source()
    keys = [k for k in profile() if k.startswith("slurm-")]
    assert keys
    for key in keys:
        name = key.removeprefix("slurm-").replace("-", "_")
        assert name in fields, f"{key}: not a setting of the installed plugin"
        assert re.search(rf'settings\.{name}\b|"{name}"', source), f"{key}: a setting the installed plugin never reads"


def test_every_other_key_is_a_snakemake_option_and_every_resource_is_read():
    from snakemake.cli import get_argument_parser

    options = {s for action in get_argument_parser()._actions for s in action.option_strings}
    config = profile()
    for key in config:
        assert f"--{key}" in options, f"{key}: not an option of this Snakemake"
    source = plugin_source()
    resources = set(config["default-resources"]) | {r for rule in config["set-resources"].values() for r in rule}
    for name in resources - SNAKEMAKE_RESOURCES:
        assert re.search(rf'resources\.get\("{name}"\)|resources\.{name}\b', source), f"{name}: not read by the plugin"
    assert "jobs" in config and "slurm_partition" in config["default-resources"]
    # slurm_account is documented in the profile, commented out: a placeholder account would stop every run on a
    # cluster with accounting (the plugin checks it with sacctmgr/sshare)
    assert "# slurm_account:" in PROFILE.read_text(encoding="utf-8")


def test_every_key_of_the_profile_is_commented():
    lines = PROFILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*[\w-]+:", line) and "#" not in line:
            above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            assert above.lstrip().startswith("#"), f"profile key without a comment: {line.strip()}"


def test_the_readers_memory_grows_with_the_inputs():
    """validate_inputs and check ask for memory in proportion to their inputs: at least the measured peak with a
    quarter more (the reader peaks near 1.85 GiB on a 210 MB CSV; compressed formats need more per MB)."""
    expression = profile()["set-resources"]["validate_inputs"]["mem_mb"]
    assert profile()["set-resources"]["check"]["mem_mb"] == expression

    class Inputs(list):
        def __init__(self, sizes):
            super().__init__(sizes)
            self.size_files_mb = list(sizes.values())

    def mem_mb(sizes):
        return eval(expression, {"input": Inputs(sizes)})

    assert mem_mb({"in/who5.csv": 0.1}) >= 1000
    assert mem_mb({"big/who5.csv": 200}) >= 1.25 * 1.85 * 1024
    assert mem_mb({"b/who5.xlsx": 5}) >= 1000 + 1.25 * 24 * 5
    assert mem_mb({"b/who5.parquet": 3.5}) >= 1000 + 1.25 * 80 * 3.5
    # one workbook for every table is read once, not once per table
    assert mem_mb({"book.xlsx": 10}) == mem_mb(dict.fromkeys(["book.xlsx"] * 4, 10))


PROBE = """
import json
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings, StorageSettings
with SnakemakeApi(OutputSettings()) as api:
    workflow = api.workflow(resource_settings=ResourceSettings(), storage_settings=StorageSettings(),
                            config_settings=ConfigSettings(configfiles=[Path("my-trial.yaml").resolve()]),
                            snakefile=Path({snakefile!r}), workdir=Path.cwd())._workflow
    print(json.dumps({{rule.name: rule.name in workflow._localrules for rule in workflow.rules}}))
"""


def local_rules(work: Path) -> dict[str, bool]:
    """Each rule of the workflow, parsed as Snakemake parses it for a run in ``work``: local (localrules) or not."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", PROBE.format(snakefile=str(ROOT / "Snakefile"))], cwd=work,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_only_the_simulation_studies_and_large_inputs_reading_go_to_the_queue(tmp_path):
    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    (tmp_path / "my-trial.yaml").write_text(yaml.safe_dump({"inputs": {k: str(v) for k, v in paths.items()}}),
                                            encoding="utf-8")
    rules = local_rules(tmp_path)
    assert QUEUED <= set(rules) and READERS <= set(rules) and len(rules) > 20, sorted(rules)
    assert {name for name, local in rules.items() if not local} == QUEUED
    # inputs of 100 MB or more: reading them goes to the queue too (a sparse file: nothing is read at parse time)
    big = tmp_path / "in" / "who5_big.csv"
    shutil.copyfile(paths["who5"], big)
    os.truncate(big, 101_000_000)
    config = {"inputs": {**{k: str(v) for k, v in paths.items()}, "who5": str(big)}}
    (tmp_path / "my-trial.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    rules = local_rules(tmp_path)
    assert {name for name, local in rules.items() if not local} == QUEUED | READERS


def code_lines() -> list[str]:
    """The script's lines without comments and without the text of its here-documents."""
    lines, in_heredoc, end = [], False, ""
    for line in SCRIPT.read_text(encoding="utf-8").splitlines():
        if in_heredoc:
            in_heredoc = line.strip() != end
            continue
        code = line.split(" #")[0] if not line.lstrip().startswith("#") else ""
        if match := re.search(r"<<-?\s*'?(\w+)'?", code):
            in_heredoc, end = True, match.group(1)
        lines.append(code)
    return lines


def test_slurm_local_script_ends_only_its_own_daemons_and_uses_sudo_only_when_not_root():
    code = code_lines()
    text = "\n".join(code)
    assert not re.search(r"\b(pkill|killall)\b", text), "ends processes by name"
    assert "daemons.pid" in text and re.search(r"kill -TERM \"\$pid\"", text)
    sudo = [i for i, line in enumerate(code) if re.search(r"(^|[;&|(]|\bexec)\s*sudo\b", line)]
    assert len(sudo) == 1, "sudo used other than to re-run the script when not root"
    opening = max(i for i, line in enumerate(code[: sudo[0]]) if line.startswith("if "))
    assert re.search(r'id -u\)" -ne 0', code[opening]), code[opening]
    # apt-get waits for a dpkg/apt lock another process holds
    assert all("DPkg::Lock::Timeout" in line for line in code if re.search(r"\bapt-get\b\s+-", line))
    assert re.search(r"apt_get (update|install)", text)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("sudo") is not None or shutil.which("setpriv") is None,
                    reason="needs root (to run the script as another user) and no sudo")
def test_slurm_local_script_says_what_it_needs_without_root_or_sudo():
    proc = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "bash", str(SCRIPT)],
                          capture_output=True, text=True, timeout=60, cwd="/")
    assert proc.returncode == 1
    assert "needs root" in proc.stderr and "sudo is not installed" in proc.stderr
    assert "apt-get" in proc.stderr and "/etc/slurm/slurm.conf" in proc.stderr
