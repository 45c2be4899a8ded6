"""User-facing errors.

A mistake in the user's input is not a bug in the pipeline: it is reported as
one readable message per problem (file, row, column, value, what was expected)
and never as a Python traceback. Workflow scripts call :func:`run_user_step`,
which turns :class:`InputError` into that message and a non-zero exit.
"""

from __future__ import annotations

import errno
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_PROBLEMS_SHOWN = 50
# A Danish CPR number: six digits (the birth date) and four, written together or with up to three separators of
# any kind between them (hyphen, en or em dash, minus, space, no-break space, full stop, slash, underscore, colon),
# not part of a longer number; a prefix such as "CPR:" does not hide it, since the digits are searched anywhere
CPR_SEPARATOR = r"[\s\u00a0\u202f\u2010-\u2015\u2212\-./_:]{0,3}"
CPR_LIKE = re.compile(rf"(?<!\d)\d{{6}}{CPR_SEPARATOR}\d{{4}}(?!\d)")
CPR_HIDDEN = "<a CPR-like number, not shown>"
# an operating-system error that is the machine's state, not a defect: the user can act on it
DISK_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
               errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied"}


@dataclass(frozen=True)
class Problem:
    """One violation of the input contract."""

    file: str
    message: str
    row: str | None = None
    column: str | None = None
    value: Any = None
    has_value: bool = False

    def format(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(self.row)
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + ": "
        if self.has_value:
            text += f"value {format_value(self.value)}: "
        return hide_cpr(text + self.message)


def hide_cpr(text: str) -> str:
    """The text with every CPR-like number replaced by a placeholder: applied to everything the pipeline writes
    for a person to read (the terminal, the logs, the data-check page), so that no sink repeats one, whatever
    the text is (a value, a column name of a file read without its header row, an operating-system message)."""
    return CPR_LIKE.sub(CPR_HIDDEN, text)


class HideCPR:
    """A :mod:`logging` filter that hides CPR-like numbers in every record (see :func:`hide_cpr`)."""

    def filter(self, record: Any) -> bool:
        message = record.getMessage()
        if CPR_LIKE.search(message):
            record.msg, record.args = hide_cpr(message), ()
        return True


def format_value(value: Any) -> str:
    """Show a value as the user typed it (quoted text, empty shown as <empty>)."""
    if value is None or (isinstance(value, float) and value != value):
        return "<empty>"
    text = str(value)
    if CPR_LIKE.search(text):  # never repeat a CPR number in a message, a log or a page
        return CPR_HIDDEN
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


class InputError(Exception):
    """The inputs break the contract; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem, header: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        self.header = header or "The input data do not meet the input contract (see config/README.md)."
        super().__init__(self.render())

    def render(self) -> str:
        """One line per problem; the same problem in many rows of a column becomes one line with the rows and
        the values found (with their counts)."""
        n = len(self.problems)
        lines = [self.header, f"{n} problem{'s' if n != 1 else ''} found; nothing was analysed:"]
        shown = 0
        for group in group_problems(self.problems):
            if shown >= MAX_PROBLEMS_SHOWN:
                lines.append(f"  ... and more ({n} in all); every one is in the log.")
                break
            lines.append("  - " + (group[0].format() if len(group) <= GROUP_FROM else summarise(group)))
            shown += 1
        return hide_cpr("\n".join(lines))


GROUP_FROM = 3  # this many rows with the same problem in a column are listed one by one; more are summarised


def group_problems(problems: list[Problem]) -> list[list[Problem]]:
    """Problems grouped by file, column and message, in the order first seen."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.column, p.message), []).append(p)
    return list(groups.values())


def summarise(group: list[Problem], rows_shown: int = 8, values_shown: int = 8) -> str:
    """One line for the same problem in many rows: file, column, the rows, the values found and their counts."""
    first = group[0]
    rows = [str(p.row).removeprefix("row ").removeprefix("record ") for p in group if p.row is not None]
    word = str(first.row).split(" ")[0] + "s" if first.row else "rows"
    where = f"{first.file}, column '{first.column}'" if first.column is not None else first.file
    text = f"{where}: {len(group)} {word} ({', '.join(rows[:rows_shown])}{', ...' if len(rows) > rows_shown else ''})"
    if first.has_value:
        counts: dict[str, int] = {}
        for p in group:
            key = format_value(p.value)
            counts[key] = counts.get(key, 0) + 1
        found = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        text += ": values found " + ", ".join(f"{v} ({k})" for v, k in found[:values_shown])
        if len(found) > values_shown:
            text += f" and {len(found) - values_shown} other values"
    return text + ": " + first.message


def run_user_step(func: Callable[[], None], log_path: str | Path | None = None, rule: str | None = None) -> None:
    """Run one workflow step; report an :class:`InputError` without a traceback.

    The message goes to standard error (so the user sees it in the terminal) and
    to the rule's log file. Any other exception is a defect in the pipeline: its
    traceback goes to the log, and standard error gets one paragraph naming the
    rule and the log (and asking for a report), before it is re-raised.
    """
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
        func()
    except InputError as exc:
        message = "\n" + exc.render() + "\n"
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            _internal(exc, log_path, rule)
            raise
        where = f" '{hide_cpr(str(exc.filename))}'" if exc.filename else ""
        message = (f"\nCould not read or write{where}: {DISK_ERRORS[exc.errno]} ({exc.strerror}). Free space or fix the "
                   "permissions (or point paths.derived, paths.reports and paths.logs in the config at a disk with "
                   "room), then run again; nothing half-written was left, and reports/ is unchanged.\n")
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(1)
    except KeyboardInterrupt:
        message = ("\nInterrupted (Ctrl-C): the step stopped; nothing half-written was left, and reports/ is "
                   "unchanged. Run again to finish.\n")
        sys.stderr.write(message)
        _append(log_path, message)
        sys.exit(130)
    except Exception as exc:
        _internal(exc, log_path, rule)
        raise
    finally:
        if handler is not None:
            handler.close()


def _internal(exc: BaseException, log_path: str | Path | None, rule: str | None) -> None:
    """Log the traceback of a defect in the pipeline and tell the user where it is."""
    if log_path is not None:
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(hide_cpr(traceback.format_exc()))
    sys.stderr.write(f"\nInternal error in the pipeline (not in your data) in rule '{rule or '?'}': "
                     f"{type(exc).__name__}: {hide_cpr(str(exc))}\nThe full traceback is in the log {log_path}. Please report "
                     "it to the maintainers with that log.\n")


def _append(log_path: str | Path | None, message: str) -> None:
    """Add a message to the rule's log (if the disk lets us)."""
    if log_path is None:
        return
    try:
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(hide_cpr(message))
    except OSError:
        pass
