"""The message catalogue: every text the pipeline shows a reader, by key, in English and Danish.

The texts are in ``locale/da.po``, a gettext catalogue that a translator edits
with any PO editor (Poedit, Weblate, a text editor) without reading Python:
each entry's ``msgctxt`` is its key, ``msgid`` the English text and ``msgstr``
the Danish. A placeholder ``{name}`` is filled in by the code, the same in
both languages; a value whose name ends in ``_list`` is a list, joined with
", " and "and" ("og"). Another language is a copy of the file with its own
``msgstr``s (and its code in :data:`LANGUAGES`).

The published tables hold English (they stay machine-readable in both
languages); their texts (row labels, reasons, method descriptions) are
written with :func:`text`. The report shows them in its language with
:func:`translate`, which finds the entry an English text was written from
(the English text works as the message id, as gettext's msgid does) and
writes the same entry, with the same values, in the other language; a value
that is itself a text of the catalogue is translated too. No text is
rewritten word by word.
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path
from typing import Any, Callable, Mapping

LANGUAGES = ("en", "da")
CATALOGUE_FILE = Path(__file__).resolve().parent / "locale" / "da.po"
JOINERS = {"en": " and ", "da": " og "}
# placeholders whose values are shown as they are, never translated (file names, error details, data values)
VERBATIM = ("path", "file", "detail", "key", "value", "name", "stratum", "level", "column", "code")


@functools.cache
def messages() -> dict[str, dict[str, str]]:
    """{language: {key: text}} read from the catalogue (English from the ``msgid``s, Danish from the
    ``msgstr``s)."""
    from babel.messages.pofile import read_po

    with open(CATALOGUE_FILE, "rb") as fh:
        catalogue = read_po(fh, locale="da")
    out: dict[str, dict[str, str]] = {"en": {}, "da": {}}
    for message in catalogue:
        if not message.id or message.context is None:
            continue
        out["en"][message.context] = str(message.id)
        out["da"][message.context] = str(message.string)
    return out


def placeholders(template: str) -> list[str]:
    """The placeholder names of a template, in order (repeats kept)."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def join(items: list[str], language: str = "en") -> str:
    """``a, b and c`` ("a, b og c")."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + JOINERS[language] + items[-1] if items else ""


def render(key: str, language: str = "en", **values: Any) -> str:
    """The text of ``key`` in ``language`` with ``values`` filled in (a list value of a ``*_list`` placeholder is
    joined). Raises KeyError for a key the catalogue does not have."""
    template = messages()[language][key]
    filled = {k: join(v, language) if k.endswith("_list") and isinstance(v, (list, tuple)) else v
              for k, v in values.items()}
    return template.format(**filled) if placeholders(template) else template


def text(key: str, **values: Any) -> str:
    """The English text of ``key`` (what a published table holds), with ``values`` filled in."""
    return render(key, "en", **values)


# --- reading English back: which entry, which values -------------------------------------------------------------

@functools.cache
def _patterns() -> tuple[dict[str, str], list[tuple[int, str, re.Pattern[str]]]]:
    """(English text -> key for the entries without placeholders, [(literal length, key, pattern)] for the others,
    most specific first)."""
    exact: dict[str, str] = {}
    patterns = []
    for key, template in messages()["en"].items():
        names = placeholders(template)
        if not names:
            exact.setdefault(template, key)
            continue
        regex, literal, seen = "", 0, set()
        for text_part, field, _, _ in string.Formatter().parse(template):
            regex += re.escape(text_part)
            literal += len(text_part)
            if field:
                regex += f"(?P={field})" if field in seen else f"(?P<{field}>.+?)"
                seen.add(field)
        patterns.append((literal, key, re.compile(regex + r"\Z", re.S)))
    patterns.sort(key=lambda p: (-p[0], p[1]))
    return exact, patterns


def parse(english: str) -> tuple[str, dict[str, str]] | None:
    """The entry an English text was written from and its values, or None. Among several entries that match, the
    one with the most fixed text wins (the most specific)."""
    exact, patterns = _patterns()
    if english in exact:
        return exact[english], {}
    for _, key, pattern in patterns:
        m = pattern.match(english)
        if m:
            return key, m.groupdict()
    return None


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
PHRASE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")  # two words: a text a reader would read as English


def translate(english: str, language: str, number: Callable[[str], str] | None = None,
              missing: list[str] | None = None) -> str:
    """An English text of the catalogue in ``language``: its entry written in that language with its values, each
    value translated in turn when it is a text of the catalogue, and written by ``number`` when it is a number
    (e.g. a decimal comma). A text the catalogue does not have stays as it is and is added to ``missing``. A
    first capital and a final full stop of the English carry over."""
    if language == "en" or not english:
        return english
    core, stop = (english[:-1], ".") if english.endswith(".") else (english, "")
    hit = parse(core)
    capital = False
    if hit is None and core[:1].isupper():
        hit = parse(core[:1].lower() + core[1:])
        capital = hit is not None
    if hit is None:
        if missing is not None and PHRASE.search(english):
            missing.append(english)
        return english
    key, values = hit
    out = {name: _value(name, value, language, number, missing) for name, value in values.items()}
    result = render(key, language, **out) + stop
    return result[:1].upper() + result[1:] if capital else result


def _value(name: str, value: str, language: str, number: Callable[[str], str] | None,
           missing: list[str] | None) -> str:
    if name.endswith(VERBATIM):
        return value
    if NUMBER.fullmatch(value):
        return number(value) if number else value
    if name.endswith("_list"):
        items = re.split(r", | and ", value)
        return join([_value(name[:-5], item, language, number, missing) for item in items], language)
    if parse(value) is not None or (value[:1].isupper() and parse(value[:1].lower() + value[1:]) is not None):
        return translate(value, language, number, missing)
    if missing is not None and PHRASE.search(value):
        missing.append(value)
    return value


def untranslated(english: str) -> list[str]:
    """The parts of an English text (itself or a value within it) that the catalogue does not have: what a Danish
    report would show in English. Empty when the whole text translates."""
    missing: list[str] = []
    translate(english, "da", missing=missing)
    return missing


__all__ = ["LANGUAGES", "messages", "render", "text", "join", "parse", "translate", "untranslated", "placeholders"]


def check(catalogue: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Problems of the catalogue: an entry without its Danish, or whose Danish has other placeholders than its
    English."""
    catalogue = catalogue or messages()
    problems = []
    for key, english in catalogue["en"].items():
        danish = catalogue["da"].get(key, "")
        if not danish:
            problems.append(f"{key}: no Danish text")
        elif sorted(set(placeholders(english))) != sorted(set(placeholders(danish))):
            problems.append(f"{key}: placeholders {sorted(set(placeholders(english)))} in English but "
                            f"{sorted(set(placeholders(danish)))} in Danish")
    return problems
