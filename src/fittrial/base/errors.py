"""User-facing errors.

A mistake in the user's input is not a bug in the pipeline: it is reported as
one readable message per problem (file, row, column, value, what was expected)
and never as a Python traceback. Workflow scripts call :func:`run_user_step`,
which turns :class:`InputError` into that message and a non-zero exit.

Every text this module writes is an entry of the message catalogue
(:data:`TEXTS`, by key) or a problem's message as the code wrote it in
English; a :class:`Wording` says them in the user's language. This layer
cannot read the catalogue, so it writes English
(:data:`ENGLISH`); :func:`fittrial.language.problems.wording` gives the
wording of another language.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_PROBLEMS_SHOWN = 50
# The texts this module writes, by their key in the message catalogue (fittrial/language/locale/da.po holds each with
# this English as its msgid: tests/test_messages.py checks it), so that a Wording can say them in another language
TEXTS = {
    "err_column": "column '{column}'",
    "err_value": "value {value}",
    "err_empty_value": "<empty>",
    "err_cpr_hidden": "<a CPR-like number, not shown>",
    "err_input_contract": "The input data do not meet the input contract (see config/README.md)",
    "err_found_one": "1 problem found; nothing was analysed:",
    "err_found": "{n} problems found; nothing was analysed:",
    "err_more": "... and more ({n} in all); every one is in the log.",
    "err_n_rows": "{n} rows ({rows_detail})",
    "err_n_records": "{n} records ({rows_detail})",
    "err_values_found": "values found {found_detail}",
    "err_values_found_more": "values found {found_detail} and {n} other values",
    "err_disk_full": "the disk is full",
    "err_disk_quota": "the disk quota is used up",
    "err_read_only": "the file system is read-only",
    "err_permission": "permission denied",
    "err_disk_file": "Could not read or write '{file}': {reason} ({detail}). Free space or fix the permissions (or "
                     "point paths.derived, paths.reports and paths.logs in the config at a disk with room), then run "
                     "again; nothing half-written was left, and reports/ is unchanged.",
    "err_disk": "Could not read or write: {reason} ({detail}). Free space or fix the permissions (or point "
                "paths.derived, paths.reports and paths.logs in the config at a disk with room), then run again; "
                "nothing half-written was left, and reports/ is unchanged.",
    "err_interrupted": "Interrupted (Ctrl-C): the step stopped; nothing half-written was left, and reports/ is "
                       "unchanged. Run again to finish.",
    "err_internal": "Internal error in the pipeline (not in your data) in rule '{rule_name}': {error_detail}\nThe "
                    "full traceback is in the log {path}. Please report it to the maintainers with that log.",
}


class Wording:
    """How the texts of this module are said to the user: here in English (:data:`TEXTS`, and a problem's message
    as the code wrote it); :func:`fittrial.language.problems.wording` says them in the user's language."""

    language = "en"

    def __call__(self, key: str, **values: Any) -> str:
        """The text ``key`` of :data:`TEXTS` with ``values`` filled in."""
        return TEXTS[key].format(**values)

    def message(self, english: str) -> str:
        """A text written in English by the code (a problem's message, a row such as "row 7")."""
        return english


ENGLISH = Wording()

# A Danish CPR number: six digits (the birth date) and four, written together or with up to three separators of
# any kind between them (hyphen, en or em dash, minus, space, no-break space, full stop, slash, underscore, colon),
# not part of a longer number; a prefix such as "CPR:" does not hide it, since the digits are searched anywhere
CPR_SEPARATOR = r"[\s\u00a0\u202f\u2010-\u2015\u2212\-./_:]{0,3}"
CPR_LIKE = re.compile(rf"(?<!\d)\d{{6}}{CPR_SEPARATOR}\d{{4}}(?!\d)")
CPR_HIDDEN = TEXTS["err_cpr_hidden"]
# an operating-system error that is the machine's state, not a defect: the user can act on it
# (errno: the key of its reason in TEXTS)
DISK_ERRORS = {errno.ENOSPC: "err_disk_full", errno.EDQUOT: "err_disk_quota", errno.EROFS: "err_read_only",
               errno.EACCES: "err_permission", errno.EPERM: "err_permission"}


@dataclass(frozen=True)
class Problem:
    """One violation of the input contract."""

    file: str
    message: str
    row: str | None = None
    column: str | None = None
    value: Any = None
    has_value: bool = False

    def format(self, wording: Wording | None = None) -> str:
        """The problem as one line: file, row, column, value, what is wrong and what is expected (in the language of
        ``wording``; English by default)."""
        say = wording or ENGLISH
        where = [self.file]
        if self.row is not None:
            where.append(say.message(self.row))
        if self.column is not None:
            where.append(say("err_column", column=self.column))
        text = ", ".join(where) + ": "
        if self.has_value:
            text += say("err_value", value=format_value(self.value, say)) + ": "
        return hide_cpr(text + say.message(self.message), say)


def hide_cpr(text: str, wording: Wording | None = None) -> str:
    """The text with every CPR-like number replaced by a placeholder: applied to everything the pipeline writes
    for a person to read (the terminal, the logs, the data-check page), so that no sink repeats one, whatever
    the text is (a value, a column name of a file read without its header row, an operating-system message)."""
    hidden = (wording or ENGLISH)("err_cpr_hidden")
    return CPR_LIKE.sub(lambda _: hidden, text)


class HideCPR:
    """A :mod:`logging` filter that hides CPR-like numbers in every record (see :func:`hide_cpr`)."""

    def filter(self, record: Any) -> bool:
        message = record.getMessage()
        if CPR_LIKE.search(message):
            record.msg, record.args = hide_cpr(message), ()
        return True


def format_value(value: Any, wording: Wording | None = None) -> str:
    """Show a value as the user typed it (quoted text, empty shown as <empty>)."""
    say = wording or ENGLISH
    if value is None or (isinstance(value, float) and value != value):
        return say("err_empty_value")
    text = str(value)
    if CPR_LIKE.search(text):  # never repeat a CPR number in a message, a log or a page
        return say("err_cpr_hidden")
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


class InputError(Exception):
    """The inputs break the contract; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem, header: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        self.header = header or TEXTS["err_input_contract"] + "."
        super().__init__(self.render())

    def render(self, wording: Wording | None = None) -> str:
        """One line per problem; the same problem in many rows of a column becomes one line with the rows and
        the values found (with their counts). In the language of ``wording`` (English by default)."""
        say = wording or ENGLISH
        n = len(self.problems)
        lines = [say.message(self.header), say("err_found_one") if n == 1 else say("err_found", n=n)]
        shown = 0
        for group in group_problems(self.problems):
            if shown >= MAX_PROBLEMS_SHOWN:
                lines.append("  " + say("err_more", n=n))
                break
            # a few rows with the same problem are listed one by one (each row named), more are summarised
            lines += ["  - " + p.format(say) for p in group] if len(group) <= GROUP_FROM else \
                ["  - " + summarise(group, wording=say)]
            shown += 1
        return hide_cpr("\n".join(lines), say)


GROUP_FROM = 3  # this many rows with the same problem in a column are listed one by one; more are summarised


def group_problems(problems: list[Problem]) -> list[list[Problem]]:
    """Problems grouped by file, column and message, in the order first seen."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.column, p.message), []).append(p)
    return list(groups.values())


def summarise(group: list[Problem], rows_shown: int = 8, values_shown: int = 8,
              wording: Wording | None = None) -> str:
    """One line for the same problem in many rows: file, column, the rows, the values found and their counts (in
    the language of ``wording``; English by default)."""
    say = wording or ENGLISH
    first = group[0]
    rows = [str(p.row).removeprefix("row ").removeprefix("record ") for p in group if p.row is not None]
    where = f"{first.file}, {say('err_column', column=first.column)}" if first.column is not None else first.file
    shown = ", ".join(rows[:rows_shown]) + (", ..." if len(rows) > rows_shown else "")
    records = str(first.row).startswith("record ")
    text = f"{where}: " + say("err_n_records" if records else "err_n_rows", n=len(group), rows_detail=shown)
    if first.has_value:
        counts: dict[str, int] = {}
        for p in group:
            key = format_value(p.value, say)
            counts[key] = counts.get(key, 0) + 1
        found = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        listed = ", ".join(f"{v} ({k})" for v, k in found[:values_shown])
        text += ": " + (say("err_values_found_more", found_detail=listed, n=len(found) - values_shown)
                        if len(found) > values_shown else say("err_values_found", found_detail=listed))
    return text + ": " + say.message(first.message)


def run_user_step(func: Callable[[], None], log_path: str | Path | None = None, rule: str | None = None,
                  wording: Wording | None = None) -> None:
    """Run one workflow step; report an :class:`InputError` without a traceback.

    The message goes to standard error (so the user sees it in the terminal) and
    to the rule's log file. Any other exception is a defect in the pipeline: its
    traceback goes to the log, and standard error gets one paragraph naming the
    rule and the log (and asking for a report), before it is re-raised. The
    messages are in the language of ``wording`` (English by default; workflow
    scripts call :func:`fittrial.language.problems.run_user_step`, which
    passes the report's language).
    """
    say = wording or ENGLISH
    handler = None
    if log_path is not None:
        import logging

        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(HideCPR())
        logger = logging.getLogger("fittrial")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        if os.environ.get(PROFILE_ENV):  # for tools/benchmark.py: the step's own time, function by function
            import cProfile

            Path(os.environ[PROFILE_ENV]).mkdir(parents=True, exist_ok=True)
            cProfile.runctx("func()", {}, {"func": func},
                            str(Path(os.environ[PROFILE_ENV]) / f"{rule or 'step'}.{os.getpid()}.prof"))
        else:
            func()
    except InputError as exc:
        message = "\n" + exc.render(say) + "\n"
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            _internal(exc, log_path, rule, say)
            raise
        reason = say(DISK_ERRORS[exc.errno])
        message = "\n" + hide_cpr(say("err_disk_file", file=str(exc.filename), reason=reason, detail=exc.strerror)
                                  if exc.filename else say("err_disk", reason=reason, detail=exc.strerror), say) + "\n"
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(1)
    except KeyboardInterrupt:
        message = "\n" + say("err_interrupted") + "\n"
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(130)
    except Exception as exc:
        _internal(exc, log_path, rule, say)
        raise
    finally:
        if handler is not None:
            handler.close()
        if os.environ.get(RESOURCES_ENV):
            record_resources(os.environ[RESOURCES_ENV], rule)


RESOURCES_ENV = "FITTRIAL_RESOURCES"
PROFILE_ENV = "FITTRIAL_PROFILE"  # a folder: each step's cProfile statistics are written there


def record_resources(path: str | Path, rule: str | None) -> None:
    """Append this process's CPU time (user + system, imports included), peak memory, wall time and end (Unix
    time) to ``path`` as one JSON line (``tools/benchmark.py --only scale`` sets ``FITTRIAL_RESOURCES``: the CPU of every job of a run)."""
    import json
    import resource
    import time

    usage = resource.getrusage(resource.RUSAGE_SELF)
    end = time.time()
    try:  # the process's wall time, from its start time since boot (Linux)
        with open("/proc/self/stat", encoding="ascii") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime", encoding="ascii") as fh:
            wall: float | None = round(float(fh.read().split()[0]) - started, 2)
    except (OSError, ValueError, IndexError):
        wall = None
    line = json.dumps({"rule": rule, "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                       "max_rss_mib": round(usage.ru_maxrss / 1024, 1), "wall_s": wall, "end": round(end, 2)})
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _internal(exc: BaseException, log_path: str | Path | None, rule: str | None, wording: Wording | None = None) -> None:
    """Log the traceback of a defect in the pipeline and tell the user where it is."""
    say = wording or ENGLISH
    if log_path is not None:
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(hide_cpr(traceback.format_exc(), say))
    sys.stderr.write("\n" + say("err_internal", rule_name=rule or "?", error_detail=f"{type(exc).__name__}: "
                                 f"{hide_cpr(str(exc), say)}", path=str(log_path)) + "\n")


def _append(log_path: str | Path | None, message: str) -> None:
    """Add a message to the rule's log (if the disk lets us)."""
    if log_path is None:
        return
    try:
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(hide_cpr(message))
    except OSError:
        pass
