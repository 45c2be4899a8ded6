"""The message catalogue (issue 21): every text in English and Danish from one gettext file, read back from English
by its entry, never by rewriting words."""

from __future__ import annotations

import ast
import re
from collections import defaultdict

import pytest
from conftest import ROOT

from fittrial.language.messages import check, join, messages, parse, placeholders, render, text, translate, untranslated

PACKAGE = ROOT / "src" / "fittrial"


def test_every_entry_has_its_danish_with_the_same_placeholders():
    assert check() == []
    assert len(messages()["en"]) > 400
    assert [k for k in messages()["en"] if not messages()["en"][k].strip() or not messages()["da"][k].strip()] == []


def test_no_placeholder_is_named_as_a_parameter_of_render():
    """``render(key, language, **values)``: a placeholder called key or language could never be filled in."""
    clash = {k: t for k, t in messages()["en"].items() if {"key", "language"} & set(placeholders(t))}
    assert clash == {}


def test_every_text_of_the_error_messages_is_an_entry_with_its_english():
    """fittrial.base.errors cannot read the catalogue (a layer below it): the texts it writes (TEXTS) are entries
    whose English is the same, so that the user's language can be put in their place."""
    from fittrial.base.errors import TEXTS

    assert {k: v for k, v in TEXTS.items() if messages()["en"].get(k) != v} == {}


def test_a_template_with_literal_braces_is_read_back():
    """An escaped brace ("{{") in the middle of a template (a YAML example in a message) does not stop reading it
    back."""
    english = ("Codes of your own can be mapped to these in the config: inputs.citizens: {path: ..., values: {sex: "
               "{<your code>: <the contract's code>}}}")
    assert parse(english) == ("in_codes_hint", {"name": "citizens", "column": "sex"})
    assert untranslated(english) == []


def test_the_catalogue_is_a_gettext_file_babel_reads_without_complaint():
    from babel.messages.pofile import read_po

    path = PACKAGE / "language" / "locale" / "da.po"
    with open(path, "rb") as fh:
        catalogue = read_po(fh, locale="da", abort_invalid=True)
    contexts = [m.context for m in catalogue if m.id]
    assert len(contexts) == len(set(contexts)), "a key twice"
    assert all(not m.fuzzy for m in catalogue if m.id), "fuzzy entries are not used by gettext: review them"
    for m in catalogue:
        if m.id and placeholders(str(m.id)):
            assert "python-brace-format" in m.flags, m.context


def test_entries_with_the_same_english_have_the_same_danish():
    """Reading English back finds one entry per text: two entries with the same English must say the same in
    Danish, or the Danish would depend on which one is found."""
    by_english = defaultdict(set)
    for key, english in messages()["en"].items():
        by_english[english].add(messages()["da"][key])
    assert {e: d for e, d in by_english.items() if len(d) > 1} == {}


def test_every_entry_is_read_back_from_its_english():
    """Render each entry with distinct values, read it back: the entry found writes the same English (and so, by
    the test above, the same Danish) with the same values."""
    phrases = sorted({e for e in messages()["en"].values() if not placeholders(e) and 2 <= len(e.split()) <= 4
                     and re.fullmatch(r"[a-z][a-z -]+", e)})
    for key, english in messages()["en"].items():
        names = sorted(set(placeholders(english)))
        values = {n: phrases[k] for k, n in enumerate(names)}
        written = render(key, "en", **values)
        found = parse(written)
        assert found is not None, key
        assert render(found[0], "en", **found[1]) == written, (key, found)
        if names and found[0] != key:
            assert messages()["da"][found[0]] == messages()["da"][key] or \
                render(found[0], "da", **found[1]) == render(key, "da", **values), (key, found[0])


def test_translation_carries_values_capitals_and_full_stops():
    assert translate(text("fl_analysed", analyses="ANCOVA", population=text("fl_pop_visit", v=12)), "da") == \
        "Analyseret: ANCOVA (WHO-5 efter 12 måneder)"
    english = text("fl_pop_enrolled")
    assert translate(english[:1].upper() + english[1:] + ".", "da") == "Alle indskrevne borgere."
    assert translate("no such text in the catalogue", "da") == "no such text in the catalogue"
    assert untranslated("no such text in the catalogue") == ["no such text in the catalogue"]
    assert untranslated(text("fl_pop_visit", v=6)) == []
    assert join(["a", "b", "c"], "da") == "a, b og c" and join(["a"], "en") == "a"


def literal_keys() -> dict[str, list[str]]:
    """Keys the code asks the translator for by a literal string: ``t("key", ...)``, ``self("key")``,
    ``text("key")``, ``render("key", ...)``."""
    found = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else ""
            first = node.args[0]
            if name in ("t", "self", "text", "render", "tr") and isinstance(first, ast.Constant) and \
                    isinstance(first.value, str) and re.fullmatch(r"[a-z][\w:.]*", first.value):
                found[first.value].append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif name in ("t", "self", "text", "tr") and isinstance(first, ast.IfExp):
                for branch in (first.body, first.orelse):
                    if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                        found[branch.value].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_key_the_code_names_is_in_the_catalogue():
    keys = literal_keys()
    assert len(keys) > 100
    missing = {k: v for k, v in keys.items() if k not in messages()["en"]}
    assert missing == {}


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_missing_key_is_logged_not_silently_shown(language, caplog):
    from fittrial.language.i18n import Translator

    assert Translator(language)("no_such_key_anywhere") == "no_such_key_anywhere"
    assert "no_such_key_anywhere" in caplog.text


DANISH = re.compile(r"[æøåÆØÅ]|\b(ikke|borgere?|medarbejdere?|måneder|gruppen|forløb|frafald|kontrol|og|af|til|med)\b")
# data values and the code that folds Danish letters, not texts a reader reads
NOT_TEXT = {"Bostøtte", "ø", "å", "æ"}


def test_no_danish_text_outside_the_catalogue():
    """Every Danish text a reader sees is in locale/da.po: no string of the package, the workflow or the report
    template is Danish (docstrings and the example data's stratum names aside)."""
    found = []
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "workflow").rglob("*.py"), *(ROOT / "workflow").rglob("*.smk")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8")) if path.suffix == ".py" else None
        if tree is None:
            strings = re.findall(r'"([^"\\n]*)"', path.read_text(encoding="utf-8"))
        else:
            docs = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef,
                    ast.ClassDef, ast.AsyncFunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
            strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                       and id(n) not in docs]
        found += [f"{path.relative_to(ROOT)}: {s[:60]!r}" for s in strings if s not in NOT_TEXT and DANISH.search(s)]
    template = (PACKAGE / "report" / "templates" / "report.html").read_text(encoding="utf-8")
    found += [f"report.html: {m!r}" for m in re.findall(r">([^<>{}]*[æøåÆØÅ][^<>{}]*)<", template)]
    assert found == []
