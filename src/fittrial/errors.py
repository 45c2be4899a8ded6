"""User-facing errors.

A mistake in the user's input is not a bug in the pipeline: it is reported as
one readable message per problem (file, row, column, value, what was expected)
and never as a Python traceback. Workflow scripts call :func:`run_user_step`,
which turns :class:`InputError` into that message and a non-zero exit.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

MAX_PROBLEMS_SHOWN = 50


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
        return text + self.message


def format_value(value: Any) -> str:
    """Show a value as the user typed it (quoted text, empty shown as <empty>)."""
    if value is None or (isinstance(value, float) and value != value):
        return "<empty>"
    text = str(value)
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
        n = len(self.problems)
        lines = [self.header, f"{n} problem{'s' if n != 1 else ''} found; nothing was analysed:"]
        for p in self.problems[:MAX_PROBLEMS_SHOWN]:
            lines.append(f"  - {p.format()}")
        if n > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {n - MAX_PROBLEMS_SHOWN} more of the same kinds.")
        return "\n".join(lines)


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
        logger = logging.getLogger("fittrial")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        func()
    except InputError as exc:
        message = "\n" + exc.render() + "\n"
        sys.stderr.write(message)
        if log_path is not None:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(message)
        sys.exit(1)
    except Exception as exc:
        if log_path is not None:
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc())
        sys.stderr.write(f"\nInternal error in the pipeline (not in your data) in rule '{rule or '?'}': "
                         f"{type(exc).__name__}: {exc}\nThe full traceback is in the log {log_path}. Please report "
                         "it to the maintainers with that log.\n")
        raise
    finally:
        if handler is not None:
            handler.close()
