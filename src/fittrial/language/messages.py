"""The message catalogue: every text the pipeline shows a reader, by key, in English and Danish.

The texts are in ``locale/da.po``, a gettext catalogue that a translator edits
with any PO editor (Poedit, Weblate, a text editor) without reading Python:
each entry's ``msgctxt`` is its key, ``msgid`` the English text and ``msgstr``
the Danish. A placeholder ``{name}`` is filled in by the code, the same in
both languages; a value whose name ends in ``_list`` is a list, joined with
", " and "and" ("og"). Another language is a copy of the file with its own
``msgstr``s (and its code in :data:`LANGUAGES`). A value whose name ends in
``_items`` is a list joined with ", " only.

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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "da")
CATALOGUE_FILE = Path(__file__).resolve().parent / "locale" / "da.po"
# placeholders whose values are shown as they are, never translated (file names, error details, data values)
VERBATIM = ("path", "file", "detail", "key", "value", "name", "stratum", "level", "column", "code", "outcome",
            "variable", "seed")


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


def join(items: Sequence[object], language: str = "en") -> str:
    """``a, b and c`` ("a, b og c")."""
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + render("w_and", language) + words[-1] if words \
        else ""


def render(key: str, language: str = "en", **values: Any) -> str:
    """The text of ``key`` in ``language`` with ``values`` filled in (a list value of a ``*_list`` placeholder is
    joined). Raises KeyError for a key the catalogue does not have."""
    template = messages()[language][key]
    filled = {k: (join(v, language) if k.endswith("_list") else ", ".join(str(i) for i in v))
              if isinstance(v, (list, tuple)) and k.endswith(("_list", "_items")) else v for k, v in values.items()}
    return template.format(**filled) if "{" in template else template  # "{{" is a brace of the text itself


def text(key: str, **values: Any) -> str:
    """The English text of ``key`` (what a published table holds), with ``values`` filled in."""
    return render(key, "en", **values)


# --- reading English back: which entry, which values -------------------------------------------------------------

@functools.cache
def _patterns() -> tuple[dict[str, str], list[tuple[int, str, re.Pattern[str], bool, tuple]]]:
    """(English text -> key for the entries without placeholders, [(literal length, key, pattern, structural,
    parts)] for the others, most specific first; a structural entry has no letters of its own, e.g. ``{mean}
    ({sd})``; ``parts``: the template as (literal, placeholder) pairs)."""
    exact: dict[str, str] = {}
    patterns = []
    for key, template in messages()["en"].items():
        if not placeholders(template):
            exact.setdefault(template.replace("{{", "{").replace("}}", "}"), key)
            continue
        regex, literal, seen, letters, pending = "", 0, set(), False, ""
        parts: list[tuple[str, str | None]] = []
        for text_part, field, _, _ in string.Formatter().parse(template):
            regex += re.escape(text_part)
            literal += len(text_part)
            letters = letters or bool(re.search(r"[A-Za-z]", text_part))
            pending += text_part  # an escaped brace ("{{") ends a literal without a placeholder: joined to the next
            if field:
                parts.append((pending, field))
                pending = ""
                regex += f"(?P={field})" if field in seen else f"(?P<{field}>.+?)"
                seen.add(field)
        if pending:
            parts.append((pending, None))
        patterns.append((literal, key, re.compile(regex + r"\Z", re.S), not letters, tuple(parts)))
    patterns.sort(key=lambda p: (-p[0], p[1]))
    return exact, patterns


def parse(english: str) -> tuple[str, dict[str, str]] | None:
    """The entry an English text was written from and its values, or None. Among several entries that match, the
    one with the most fixed text wins (the most specific). Every value must fit its placeholder
    (:func:`_known`); among the ways to split the text into values, the first that fits is taken."""
    exact, patterns = _patterns()
    if english in exact:
        return exact[english], {}
    for _, key, pattern, structural, parts in patterns:
        # the template's first and last fixed texts must begin and end the text: a cheap test before the pattern
        if not english.startswith(parts[0][0]) or (parts[-1][1] is None and not english.endswith(parts[-1][0])):
            continue
        if pattern.match(english):
            values = _split(parts, english, structural)
            if values is not None:
                return key, values
    return None


def _split(parts: tuple, english: str, structural: bool) -> dict[str, str] | None:
    """The values of a template (``parts``: (literal, placeholder) pairs) in ``english``, each fitting its
    placeholder, or None."""
    def step(i: int, pos: int, values: dict[str, str]) -> dict[str, str] | None:
        literal, field = parts[i]
        if not english.startswith(literal, pos):
            return None
        pos += len(literal)
        if not field:
            return values if pos == len(english) and i == len(parts) - 1 else None
        following = parts[i + 1][0] if i + 1 < len(parts) else ""
        if i + 1 >= len(parts) or (not following and not parts[i + 1][1]):
            ends = [len(english)]
        elif following:
            ends = [m.start() for m in re.finditer(re.escape(following), english[pos + 1:])]
            ends = [pos + 1 + e for e in ends]
        else:
            ends = list(range(pos + 1, len(english)))
        for end in ends:
            value = english[pos:end]
            if (field in values and values[field] != value) or not _known(field, value, structural):
                continue
            found = step(i + 1, end, {**values, field: value}) if i + 1 < len(parts) else \
                ({**values, field: value} if end == len(english) else None)
            if found is not None:
                return found
        return None

    return step(0, 0, {})


def _known(name: str, value: str, structural: bool = False) -> bool:
    """Can ``value`` fill placeholder ``name``? A verbatim one (a file, a data value) takes any text; any other a
    number, a text of the catalogue, or a single word (a code, a name); in an entry with no words of its own, not
    a single word either."""
    if name.endswith(VERBATIM) or NUMBER.fullmatch(value) or (not structural and not re.search(r"\s", value)):
        return True
    if name.endswith(("_list", "_items")) and segments(value) is None:
        return all(_known(_base(name), item, structural) for item in _items(name, value))
    return segments(value) is not None


def _base(name: str) -> str:
    return name.rsplit("_", 1)[0] if name.endswith(("_list", "_items")) else name


def _items(name: str, value: str) -> list[str]:
    """The items of a list value: "a, b and c" (``*_list``) or "a, b, c" (``*_items``)."""
    return re.split(r", | and " if name.endswith("_list") else r", ", value)


SEPARATORS = re.compile(r"; |\. (?=[A-Z])")


@functools.lru_cache(maxsize=4096)
def segments(english: str) -> tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] | None:
    """An English text as entries of the catalogue: itself, or clauses joined by "; " or sentences by ". ", each
    one an entry (a method text is its clauses). Each segment: (separator before it, capital "" or "C", key,
    values); None when no such reading exists."""
    def one(part: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
        hit = parse(part)
        if hit is not None:
            return "", hit[0], tuple(hit[1].items())
        if part[:1].isupper():
            hit = parse(part[:1].lower() + part[1:])
            if hit is not None:
                return "C", hit[0], tuple(hit[1].items())
        return None

    whole = one(english)
    if whole is not None:
        return (("",) + whole,)
    cuts = [(m.start(), m.end()) for m in SEPARATORS.finditer(english)]
    if not cuts:
        return None
    # reading[i]: a reading of english[:starts[i]] (start 0 and the end of every separator)
    starts = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(english)]
    reading: dict[int, tuple] = {0: ()}
    for j, e in enumerate(ends):
        for i in range(j + 1):
            if starts[i] not in reading:
                continue
            piece = one(english[starts[i]:e])
            if piece is not None:
                sep = english[ends[i - 1]:starts[i]] if i else ""
                reading.setdefault(e if j == len(ends) - 1 else starts[j + 1], reading[starts[i]] + ((sep,) + piece,))
                break
    return reading.get(len(english))


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
PHRASE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")  # two words: a text a reader would read as English


def translate(english: str, language: str, number: Callable[[str], str] | None = None,
              missing: list[str] | None = None, named: Mapping[str, Callable[[str], str]] | None = None) -> str:
    """An English text of the catalogue in ``language``: its entries (:func:`segments`) written in that language
    with their values, each value translated in turn when it is a text of the catalogue, written by ``number``
    when it is a number (e.g. a decimal comma) and by ``named[name]`` when the placeholder is named there (e.g. an
    outcome's code as its label). A text the catalogue does not have stays as it is and is added to ``missing``. A
    first capital and a final full stop of the English carry over."""
    if language == "en" or not english:
        return english
    core, stop = (english[:-1], ".") if english.endswith(".") and not english.endswith("..") else (english, "")
    found = segments(core)
    if found is None:
        if missing is not None and PHRASE.search(english):
            missing.append(english)
        return english
    out = []
    for sep, capital, key, values in found:
        filled = {name: _value(name, value, language, number, missing, named) for name, value in values}
        piece = render(key, language, **filled)
        out.append(sep + (piece[:1].upper() + piece[1:] if capital else piece))
    return "".join(out) + stop


def _value(name: str, value: str, language: str, number: Callable[[str], str] | None,
           missing: list[str] | None, named: Mapping[str, Callable[[str], str]] | None) -> str:
    base = _base(name)
    listed = name.endswith(("_list", "_items"))

    def joined(items: list[str]) -> str:
        return join(items, language) if name.endswith("_list") else ", ".join(items)

    if named and base in named:
        return joined([named[base](v) for v in _items(name, value)]) if listed else named[base](value)
    if name.endswith(VERBATIM):
        return value
    if NUMBER.fullmatch(value):
        return number(value) if number else value
    if listed and segments(value) is None:
        return joined([_value(base, item, language, number, missing, named) for item in _items(name, value)])
    if segments(value) is not None:
        return translate(value, language, number, missing, named)
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
