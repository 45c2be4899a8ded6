"""The problems of the inputs and the config, and a workflow step's own messages, in the user's language.

The code writes a problem's message in English (an f-string at the place that
finds it); the message catalogue (``locale/da.po``) has an entry for every
such message, its ``msgid`` the English template, so that
:func:`fittrial.language.messages.translate` reads the English back to its
entry and writes it in the user's language with the same values. The
language is the report's (config ``report.language``): the terminal, the
step's log and the data-check page speak it as the report does.

:func:`wording` gives the :class:`~fittrial.base.errors.Wording` of a language
(what :meth:`~fittrial.base.errors.Problem.format`,
:meth:`~fittrial.base.errors.InputError.render` and the data-check page use),
:func:`config_report` the config problems the workflow prints before any job,
and :func:`run_user_step` runs a workflow script's step with its messages in
the report's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from fittrial.base import errors
from fittrial.base.errors import ENGLISH, Problem, Wording
from fittrial.language.messages import LANGUAGES, render, translate


class Localised(Wording):
    """The texts of :mod:`fittrial.base.errors` and the problems' messages in ``language``, from the message
    catalogue. A message the catalogue cannot read back stays English and is added to :attr:`missing`."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self.missing: list[str] = []

    def __call__(self, key: str, **values: Any) -> str:
        return render(key, self.language, **values)

    def message(self, english: str) -> str:
        return translate(english, self.language, missing=self.missing)


def language_of(config: Mapping[str, Any] | None) -> str:
    """The language of the user's messages: the config's ``report.language``, English when it names none the
    catalogue has (a config with that mistake is told so, in English)."""
    report = (config or {}).get("report") if isinstance(config, Mapping) else None
    language = report.get("language") if isinstance(report, Mapping) else None
    return language if language in LANGUAGES else "en"


def wording(language: str | None) -> Wording:
    """How the messages are said in ``language`` (English for None, "en" or a language the catalogue lacks)."""
    return Localised(language) if language in LANGUAGES and language != "en" else ENGLISH


def format_problem(problem: Problem, language: str) -> str:
    """A problem of the inputs as one line in ``language`` (:meth:`fittrial.base.errors.Problem.format`)."""
    return problem.format(wording(language))


def message(english: str, language: str) -> str:
    """A problem's message (written in English by the code) in ``language``."""
    return wording(language).message(english)


CONFIG_HEADER = "The configuration has problems; nothing was run."
INPUTS_MISSING_HEADER = "Input files are missing; nothing was run."


def config_report(problems: Iterable[str], config: Mapping[str, Any] | None,
                  header: str = CONFIG_HEADER) -> str:
    """What the workflow prints when the config has problems (before any job): the header and one line per
    problem, in the config's report language (:func:`language_of`)."""
    say = wording(language_of(config))
    return errors.hide_cpr("\n  - ".join([say.message(header), *(say.message(p) for p in problems)]), say)


def run_user_step(func: Callable[[], None], log_path: str | Path | None = None, rule: str | None = None,
                  language: str | None = None) -> None:
    """:func:`fittrial.base.errors.run_user_step` with its messages (an input error, a full disk, an interrupt, an
    internal error) in ``language`` (English when None). Every workflow script runs its step with this, passing
    ``language_of(snakemake.config)``: the package never reads the ``snakemake`` object itself."""
    errors.run_user_step(func, log_path, rule, wording(language))


__all__ = ["Localised", "wording", "language_of", "format_problem", "message", "config_report", "run_user_step",
           "CONFIG_HEADER", "INPUTS_MISSING_HEADER"]
