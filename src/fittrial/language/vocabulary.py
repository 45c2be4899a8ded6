"""The trial's own words: what it calls its clusters, individuals, arms and primary outcome, put in the place of the
FIT trial's words in every text of the report.

The report's texts (the message catalogue, :mod:`fittrial.language.messages`)
are written with the FIT trial's words: caseworker, citizen, FIT, usual
practice, WHO-5. A trial with its own (config ``units``, ``arms``,
``outcome``, ``binary_outcomes``; see config/README.md) gets them in their
place by :meth:`Vocabulary.localise`: whole words only, longest first,
genitive -s and capitals kept. Which words and phrases are the FIT trial's,
in each language, is itself in the catalogue (the ``voc_*`` entries: forms
separated by ``|``, a phrase and its replacement by ``=``), so a translator
sees them beside the texts they occur in. With the default config nothing is
replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fittrial.base.catalogue import _texts, primary_outcome
from fittrial.language.messages import render


@dataclass
class Vocabulary:
    """The trial's own words in one language, and :meth:`localise`, which puts them in the place of the FIT trial's
    words in a text of the report (whole words only, longest first; genitive -s and capitals kept). With the
    default config it changes nothing."""

    language: str = "en"
    replacements: list[tuple[str, str]] = field(default_factory=list)

    def localise(self, text: Any) -> Any:
        if not isinstance(text, str) or not self.replacements or not text:
            return text
        return self._pattern.sub(lambda m: self._lookup[m.group(0)], text)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for old, new in self.replacements:
            if old == new:
                continue
            table[old] = new
            if old[:1].islower():
                table[old[:1].upper() + old[1:]] = new[:1].upper() + new[1:]
        genitives = {}
        for old, new in table.items():
            if not old.endswith(("s", "5")):
                genitives[old + "s"] = new + ("'" if new.endswith("s") else "s")
        table.update({k: v for k, v in genitives.items() if k not in table})
        self._lookup = table
        words = sorted(table, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])") \
            if words else re.compile(r"(?!x)x")


def forms(key: str, language: str, **values: str) -> list[str]:
    """The ``|``-separated forms of a ``voc_*`` entry (none for "(none)")."""
    text = render(key, language, **values)
    return [] if text == "(none)" else text.split("|")


def phrases(key: str, language: str, **values: str) -> list[tuple[str, str]]:
    """The (phrase, replacement) pairs of a ``voc_*`` entry ("a=b|c=d")."""
    return [tuple(p.split("=", 1)) for p in forms(key, language, **values)]  # type: ignore[misc]


def vocabulary(config: Mapping[str, Any] | None, language: str, pairs_design: bool = False) -> Vocabulary:
    """The trial's words in ``language`` (config ``units``, ``arms``, ``outcome``), as a :class:`Vocabulary`;
    ``pairs_design``: the strata are matched pairs (a pair-matched trial), and the texts say so."""
    config = config or {}
    pairs: list[tuple[str, str]] = phrases("voc_pairs", language) if pairs_design else []
    units = config.get("units") or {}
    for role in ("cluster", "individual"):
        given = (units.get(role) or {}).get(language)
        if given:
            ours = forms(f"voc_{role}", language)
            theirs = [str(w) for w in given]
            if len(theirs) > 1 and theirs[1].endswith("et"):  # a neuter noun (barnet): nogen -> noget, en -> et
                pairs += [(f"{a} {ours[0]}", f"{b} {theirs[0]}") for a, b in phrases("voc_neuter", language)]
            pairs += list(zip(ours, theirs))
    if (units.get("individual") or {}).get(language):  # sex in words that fit any individuals
        pairs += phrases("voc_sex", language)
    arms = config.get("arms") or {}
    for role in ("intervention", "control"):
        given = _texts(arms.get(role)).get(language)
        if given:
            pairs.append((forms(f"voc_{role}", language)[0], given))
            if role == "control":  # the summary's "worked as usual"
                pairs += phrases("voc_worked_as_usual", language, control=given)
    if config.get("binary_outcomes") is not None:  # the trial's own binary outcomes are not the course outcomes
        pairs += phrases("voc_course_outcomes", language)
    outcome = primary_outcome(config)
    if not outcome.is_who5:
        name, short = outcome.name.get(language), outcome.short.get(language)
        lo, hi = (f"{x:g}" for x in outcome.range)
        span = f"{lo}{render('voc_range_to', language)}{hi}" if float(outcome.range[0]) < 0 else f"{lo}-{hi}"
        if name:
            pairs += phrases("voc_outcome_name", language, name=name, range=span)
        if short:
            pairs += phrases("voc_outcome_short", language, short=short, range=span)
        unit = outcome.unit.get(language)
        if unit:
            pairs += [(word, unit) for word in forms("voc_points", language) if word != unit]
    return Vocabulary(language, pairs)


__all__ = ["Vocabulary", "vocabulary"]
