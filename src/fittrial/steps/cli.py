"""The ``fittrial`` command: a short front end that runs the project's workflow on a user's config file.

``fittrial check my-trial.yaml`` (or ``run``, ``verify``, ``validate``, ``design``) runs the project's Snakefile
with Snakemake from the same Python environment, in the current folder, with ``--configfile=my-trial.yaml``, so a
user never meets Snakemake's argument rules (``--configfile FILE check`` reads ``check`` as a second config file).
Before Snakemake starts, the config file is read here and a missing file, a YAML syntax error (with file, line and
column) or a top level that is not a mapping is reported as one sentence, in the report's language
(``report.language``; English when it cannot be read). Exit codes: 0 success, 1 a user's mistake, otherwise
Snakemake's own code. :func:`snakemake_command` returns the command line without running it. ``fittrial app``
starts the evaluator's desk (:mod:`fittrial.desk.app`) instead. Nothing in the package but the desk imports this
module.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from fittrial.base.command import ROOT, snakemake_command  # noqa: F401 - part of this module's interface
from fittrial.inputs.configfile import UserError, language_of, read_config  # noqa: F401 - part of this interface
from fittrial.language.messages import render

USER_ERROR = 1
# subcommand -> (Snakemake target, None for the default target; what it does, in plain words)
COMMANDS: dict[str, tuple[str | None, str]] = {
    "check": ("check", "Check the input files against the input contract and write the data-check page "
                       "(data-check.html); nothing is analysed. Ends with an error when the inputs have errors."),
    "run": (None, "Run the whole evaluation: check the inputs, fit the models and write the report and its tables "
                  "to reports/ (only when every step succeeds)."),
    "verify": ("verify", "Run the analysis again in a scratch folder and compare every published file in reports/ "
                         "with it (after a run)."),
    "validate": ("validate", "Run the simulation study of the analyses' operating characteristics (long: minutes "
                             "to hours)."),
    "design": ("design", "Plan the next trial: sample size and power by simulation (long: minutes to hours)."),
}
EXAMPLES = """examples:
  fittrial check my-trial.yaml             check the inputs only, write data-check.html
  fittrial run my-trial.yaml               the whole evaluation, the report in reports/
  fittrial verify my-trial.yaml            re-run and compare with what reports/ holds
  fittrial run my-trial.yaml --dry-run     show what would run, run nothing
  fittrial run my-trial.yaml -- --forceall anything after -- goes to snakemake as it is
"""


class Parser(argparse.ArgumentParser):
    """argparse, but a wrong command line is a user's mistake: exit code 1 (argparse's own is 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USER_ERROR, f"{self.prog}: {message}\n")


def cores(value: str) -> str:
    if value == "all" or (value.isdigit() and int(value) >= 1):
        return value
    raise argparse.ArgumentTypeError(f"'{value}' is not a number of cores; expected a whole number of 1 or more, "
                                     "or 'all'")


def parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("config", metavar="CONFIG", help="your trial's config file (YAML), e.g. my-trial.yaml; "
                        "paths in it are read from the current folder")
    common.add_argument("--cores", "-c", type=cores, default="all", metavar="N",
                        help="how many CPU cores to use at most (default: all of this machine's cores)")
    common.add_argument("--dry-run", "-n", action="store_true", help="show which steps would run; run nothing")
    common.add_argument("--profile", metavar="DIR", default=None,
                        help="a Snakemake profile folder, e.g. profiles/slurm to send the jobs to a SLURM cluster "
                             "(looked for here, then in the project folder; default: the project's "
                             "profiles/default, which is always read too)")
    main = Parser(prog="fittrial", formatter_class=argparse.RawDescriptionHelpFormatter,
                  description="Run the FIT trial evaluation on your trial's config file, with Snakemake underneath.\n"
                              "Results are written in the current folder (reports/, data/derived/, logs/,\n"
                              "data-check.html). Options after -- are passed on to snakemake unchanged;\n"
                              "'fittrial COMMAND --help' tells more about each command.",
                  epilog=EXAMPLES)
    sub = main.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (_, what) in COMMANDS.items():
        sub.add_parser(name, parents=[common], help=what, description=what + " Options after -- are passed on to "
                       "snakemake unchanged.", usage=f"fittrial {name} CONFIG [--cores N] [--dry-run] [--profile DIR] "
                       "[-- SNAKEMAKE OPTIONS]")
    app = sub.add_parser("app", help="Open the evaluator's desk: a web page on this computer that takes you from "
                         "the Excel template to the data check, without the terminal (Danish by default).",
                         description="Start the evaluator's desk on 127.0.0.1 (this computer only, with a random "
                         "token in its address) and open it in the browser. Stop it with Ctrl-C.")
    app.add_argument("--folder", metavar="DIR", default=None, help="the evaluation folder to open at once")
    app.add_argument("--language", choices=("da", "en"), default="da", help="the interface's language (da)")
    app.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    app.add_argument("--no-browser", action="store_true", help="print the address only; open no browser")
    return main


def find_profile(profile: str | None, root: Path = ROOT, here: Path | None = None) -> Path | str | None:
    """The profile folder to give Snakemake besides the project's default (None: only the default): as given when
    it exists, else in the project folder or its profiles/ folder; a bare name found nowhere is passed on as it is
    (Snakemake looks in ~/.config/snakemake). Raises UserError for a path that does not exist."""
    if profile is None:
        return None
    here = here or Path.cwd()
    for candidate in (here / profile, root / profile, root / "profiles" / profile):
        if candidate.is_dir():
            found = candidate.resolve()
            return None if found == (root / "profiles" / "default").resolve() else found
    if "/" in profile or profile.startswith("."):
        raise UserError(render("cli_profile_missing", "en", path=profile))
    return profile


def main(argv: Sequence[str] | None = None) -> int:
    """``fittrial COMMAND CONFIG [--cores N] [--dry-run] [--profile DIR] [-- SNAKEMAKE OPTIONS]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    cli = parser()
    args = cli.parse_args(argv)
    if args.command is None:
        cli.print_help(sys.stderr)
        return USER_ERROR
    if args.command == "app":
        from fittrial.desk.app import serve

        try:
            serve(Path(args.folder) if args.folder else None, args.language, args.port, not args.no_browser)
        except KeyboardInterrupt:
            pass
        return 0
    language = "en"
    try:
        _, language = read_config(args.config)
        if not (ROOT / "Snakefile").is_file():
            raise UserError(render("cli_no_workflow", language, path=ROOT / "Snakefile"))
        try:
            profile = find_profile(args.profile)
        except UserError:
            raise UserError(render("cli_profile_missing", language, path=args.profile)) from None
    except UserError as problem:
        print(f"fittrial: {problem}", file=sys.stderr)
        return USER_ERROR
    command = snakemake_command(COMMANDS[args.command][0], args.config, args.cores, args.dry_run, profile, extra)
    shown = ["snakemake", *command[3:]]
    print("fittrial: " + render("cli_running", language, command=shlex.join(shown)), file=sys.stderr, flush=True)
    with subprocess.Popen(command) as process:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches Snakemake too: let it stop its jobs and clean up
            return process.wait()


if __name__ == "__main__":
    sys.exit(main())
