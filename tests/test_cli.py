"""The ``fittrial`` front end (issue 23, item 5): a mistake in the config file itself is one sentence in the user's
language before Snakemake starts, and the Snakemake command line it builds does not depend on Snakemake's argument
rules. Fast: Snakemake is not started (its process is replaced), except in the test marked slow."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, small_params

from fittrial.language.messages import messages
from fittrial.steps import cli

BIN = Path(sys.executable).parent


class FakeSnakemake:
    """Stands in for subprocess.Popen: records the command line, starts nothing."""

    calls: list[list[str]] = []

    def __init__(self, argv, **_):
        FakeSnakemake.calls.append(list(argv))

    def __enter__(self):
        return self

    def __exit__(self, *_):
        return False

    def wait(self):
        return 3  # Snakemake's own exit code is passed on


@pytest.fixture()
def snakemake(monkeypatch):
    FakeSnakemake.calls = []
    monkeypatch.setattr(cli.subprocess, "Popen", FakeSnakemake)
    return FakeSnakemake.calls


@pytest.fixture()
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def fails(argv: list[str], capsys) -> str:
    """Run the front end, expecting a user's mistake: exit code 1, one line on stderr, no traceback."""
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("fittrial: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- the command line -------------------------------------------------------------------------------------------

def test_the_command_line_runs_the_projects_snakefile_here_with_the_config_in_the_equals_form(tmp_path):
    argv = cli.snakemake_command("check", "my-trial.yaml", here=tmp_path)
    assert argv == [sys.executable, "-m", "snakemake", "check", "--snakefile", str(ROOT / "Snakefile"),
                    "--directory", str(tmp_path), "--configfile=my-trial.yaml", "--cores", "all",
                    "--workflow-profile", str(ROOT / "profiles" / "default")]


def test_the_default_target_is_no_target_and_options_pass_on_last(tmp_path):
    argv = cli.snakemake_command(None, "t.yaml", cores="2", dry_run=True, profile=ROOT / "profiles" / "slurm",
                                 extra=["--forcerun", "icc"], here=tmp_path)
    assert argv[3:5] == ["--snakefile", str(ROOT / "Snakefile")]
    assert argv[argv.index("--cores") + 1] == "2" and "--configfile=t.yaml" in argv
    assert argv[argv.index("--profile") + 1] == str(ROOT / "profiles" / "slurm")
    assert argv[-3:] == ["--dry-run", "--forcerun", "icc"]
    assert not [a for a in argv if a in cli.COMMANDS]


@pytest.mark.parametrize("command,target", [("check", "check"), ("run", None), ("verify", "verify"),
                                            ("validate", "validate"), ("design", "design")])
def test_each_subcommand_runs_its_target(command, target, here, snakemake, capsys):
    write(here / "my-trial.yaml", "inputs: {randomisation: r.csv}\n")
    assert cli.main([command, "my-trial.yaml"]) == 3
    [argv] = snakemake
    assert argv[:3] == [sys.executable, "-m", "snakemake"]
    assert (argv[3] == target) if target else argv[3].startswith("--")
    assert "--configfile=my-trial.yaml" in argv and argv[argv.index("--directory") + 1] == str(here)
    assert "Running Snakemake: snakemake " in capsys.readouterr().err


def test_options_and_what_follows_the_double_dash(here, snakemake):
    write(here / "my-trial.yaml", "inputs: {}\n")
    cli.main(["run", "my-trial.yaml", "--cores", "1", "--dry-run", "--profile", "slurm", "--", "--forceall",
              "--keep-going"])
    [argv] = snakemake
    assert argv[argv.index("--cores") + 1] == "1"
    assert argv[argv.index("--profile") + 1] == str((ROOT / "profiles" / "slurm").resolve())
    assert argv[-3:] == ["--dry-run", "--forceall", "--keep-going"]


def test_profiles_are_found_here_or_in_the_project(tmp_path):
    assert cli.find_profile(None) is None
    assert cli.find_profile("profiles/default", here=tmp_path) is None  # always given as the workflow profile
    assert cli.find_profile("profiles/slurm", here=tmp_path) == (ROOT / "profiles" / "slurm").resolve()
    (tmp_path / "mine").mkdir()
    assert cli.find_profile("mine", here=tmp_path) == (tmp_path / "mine").resolve()
    assert cli.find_profile("a-named-profile", here=tmp_path) == "a-named-profile"  # ~/.config/snakemake
    with pytest.raises(cli.UserError, match="profiles/nope"):
        cli.find_profile("profiles/nope", here=tmp_path)


# --- the config file's own mistakes: one sentence, before Snakemake -------------------------------------------------

def test_a_yaml_syntax_error_names_the_file_line_and_column(here, snakemake, capsys):
    write(here / "my-trial.yaml", "inputs:\n  randomisation: r.csv\n citizens: c.csv\n")
    err = fails(["check", "my-trial.yaml"], capsys)
    assert "'my-trial.yaml'" in err and "line 3, column 2" in err and "not valid YAML" in err
    assert snakemake == []


def test_a_key_given_twice_is_refused_with_both_lines(here, snakemake, capsys):
    """YAML keeps the last of two equal keys without a word: two analysis blocks, or who5 given twice under
    inputs, silently dropped one (issue 23 audit, K24 and K42)."""
    write(here / "my-trial.yaml", "inputs:\n  who5: old.csv\n  who5: new.csv\n")
    err = fails(["check", "my-trial.yaml"], capsys)
    assert "'who5' twice" in err and "line 2 and line 3" in err
    write(here / "my-trial.yaml", "report: {language: da}\nanalysis:\n  outcome_window_days: 300\nanalysis:\n"
                                  "  lmm_df: kenward_roger\n")
    err = fails(["check", "my-trial.yaml"], capsys)
    assert "nøglen 'analysis' to gange" in err and "linje 2 og linje 4" in err
    assert snakemake == []


def test_a_tab_in_the_indentation_names_its_line(here, snakemake, capsys):
    write(here / "t.yaml", "report:\n  language: en\ninputs:\n\trandomisation: r.csv\n")
    err = fails(["run", "t.yaml"], capsys)
    assert "line 4, column 1" in err and "tabs" in err


def test_a_missing_config_file(here, snakemake, capsys):
    err = fails(["run", "no-such-trial.yaml"], capsys)
    assert "'no-such-trial.yaml' does not exist" in err and str(here) in err
    (here / "folder.yaml").mkdir()
    assert "is a folder" in fails(["run", "folder.yaml"], capsys)
    assert snakemake == []


@pytest.mark.parametrize("text,expected", [("- inputs\n- report\n", "holds a list"),
                                           ("just some words\n", "holds a single value ('just some words')"),
                                           ("", "is empty"), ("# only a comment\n", "is empty"),
                                           ("42\n", "holds a single value ('42')")])
def test_a_config_that_is_not_a_mapping(text, expected, here, snakemake, capsys):
    write(here / "my-trial.yaml", text)
    err = fails(["check", "my-trial.yaml"], capsys)
    assert "'my-trial.yaml'" in err and expected in err
    assert snakemake == []


def test_a_config_that_is_not_utf8(here, snakemake, capsys):
    (here / "latin1.yaml").write_bytes("inputs:\n  citizens: borgere.csv\n# Skovlå\n".encode("latin-1"))
    assert "not UTF-8 text (line 3" in fails(["check", "latin1.yaml"], capsys)


def test_danish_when_the_report_is_danish(here, snakemake, capsys):
    """report.language: da gives the front end's messages in Danish, also when the YAML has an error elsewhere."""
    write(here / "da.yaml", "report:\n  language: da\ninputs:\n  randomisation: r.csv\n citizens: c.csv\n")
    err = fails(["check", "da.yaml"], capsys)
    assert err.startswith("fittrial: Konfigurationsfilen 'da.yaml' er ikke gyldig YAML i linje 5, kolonne 2"), err
    write(here / "flow.yaml", "report: {language: da}\ninputs: [\n")
    assert "Konfigurationsfilen 'flow.yaml' er ikke gyldig YAML" in fails(["check", "flow.yaml"], capsys)
    write(here / "ok.yaml", "report: {language: da}\ninputs: {}\n")
    assert "Snakemake-profilen 'profiles/nope' blev ikke fundet" in \
        fails(["run", "ok.yaml", "--profile", "profiles/nope"], capsys)
    assert cli.main(["run", "ok.yaml"]) == 3
    assert "Kører Snakemake: snakemake" in capsys.readouterr().err


def test_english_when_the_language_cannot_be_read(here, snakemake, capsys):
    write(here / "x.yaml", "report:\n  language: de\ninputs:\n  a: 1\n b: 2\n")
    assert "is not valid YAML at line 5" in fails(["check", "x.yaml"], capsys)
    assert cli.language_of("", None) == "en" and cli.language_of("", {"report": "da"}) == "en"
    assert cli.language_of("report:\n  # the language\n  language: 'da'  # Danish\n", None) == "da"
    assert cli.language_of("other:\n  language: da\n", None) == "en"


def test_every_message_of_the_front_end_is_in_both_languages():
    from fittrial.inputs import configfile

    keys = {node.args[0].value for module in (cli, configfile)
            for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "render"
            and isinstance(node.args[0], ast.Constant)}
    assert len(keys) >= 10
    for key in keys:
        assert messages()["en"][key] and messages()["da"][key] and messages()["da"][key] != messages()["en"][key]


# --- help and usage ---------------------------------------------------------------------------------------------

def test_help_in_plain_words(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {name} " in out for name in cli.COMMANDS) and "fittrial check my-trial.yaml" in out
    for name in cli.COMMANDS:
        with pytest.raises(SystemExit) as stop:
            cli.main([name, "--help"])
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: fittrial {name} CONFIG" in out and all(o in out for o in ("--cores", "--dry-run", "--profile"))


def test_a_wrong_command_line_is_a_users_mistake(here, capsys):
    assert cli.main([]) == 1 and "COMMAND" in capsys.readouterr().err
    for argv in (["frob", "x.yaml"], ["run"], ["run", "x.yaml", "--cores", "0"], ["check", "x.yaml", "--frob"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 1, argv
        assert "Traceback" not in capsys.readouterr().err


def test_the_installed_command_reports_without_a_traceback(tmp_path):
    """The console script as a user runs it (or the module, where the package is not installed)."""
    write(tmp_path / "bad.yaml", "inputs:\n  a: [1, 2\n")
    script = BIN / "fittrial"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "fittrial.steps.cli"]
    proc = subprocess.run([*argv, "check", "bad.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == "", proc
    assert proc.stderr.startswith("fittrial: The config file 'bad.yaml' is not valid YAML at line 3, column 1")
    assert "Traceback" not in proc.stderr


def test_it_is_a_console_script_that_nothing_in_the_package_imports():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["fittrial"] == "fittrial.steps.cli:main"
    importers = [p for p in (ROOT / "src" / "fittrial").rglob("*.py")
                 if "steps.cli" in p.read_text(encoding="utf-8") and p.name != "cli.py"]
    assert importers == []


# --- through Snakemake -----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_check_writes_the_page_and_fails_on_input_errors(tmp_path):
    from fittrial.design.simulate import simulate_trial, write_trial

    paths = write_trial(simulate_trial(small_params(4)), tmp_path / "in")
    citizens = paths["citizens"].read_text(encoding="utf-8").splitlines()
    header = citizens[0].split(",")
    row = citizens[1].split(",")
    row[header.index("sex")] = "X"
    paths["citizens"].write_text("\n".join([citizens[0], ",".join(row), *citizens[2:]]) + "\n", encoding="utf-8")
    (tmp_path / "my-trial.yaml").write_text(yaml.safe_dump({"inputs": {k: str(v) for k, v in paths.items()}}),
                                            encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "fittrial.steps.cli", "check", "my-trial.yaml", "--cores", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0, proc.stderr[-2000:]
    assert (tmp_path / "data-check.html").exists()
    assert "sex" in (tmp_path / "data-check.html").read_text(encoding="utf-8")
