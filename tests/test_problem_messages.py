"""Every message a Danish user meets is Danish (issue 23, item 4): the problems of the inputs and the config in the
terminal, the step's log and the data-check page, from the same message catalogue as the report.

The checks write their messages in English; the catalogue has an entry for each (its msgid the English template),
and :mod:`fittrial.language.problems` reads a message back to its entry and says it in Danish. The corpus
(tests/problem_corpus.py) spoils a small trial and the example's config in many ways and collects every message the
checks give: one the catalogue cannot read back would reach a Danish user in English, and fails here with the case
that gave it. A check that gets a new message fails this test until the catalogue has it.
"""

from __future__ import annotations

import ast
import errno
import html
import re
from pathlib import Path

import pytest
from conftest import ROOT
from problem_corpus import CONFIG_CASES, INPUT_CASES, config_problems, input_outcomes

from fittrial.base.errors import ENGLISH, InputError, Problem
from fittrial.language.problems import (
    CONFIG_HEADER,
    INPUTS_MISSING_HEADER,
    Localised,
    config_report,
    format_problem,
    language_of,
    run_user_step,
    wording,
)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Problem], str]]:
    return input_outcomes(tmp_path_factory.mktemp("corpus"), "da")


@pytest.fixture(scope="module")
def config_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return config_problems(tmp_path_factory.mktemp("configs"))


def test_every_case_finds_problems(outcomes, config_cases):
    """A case that stopped finding its problems (the checks changed) would test nothing."""
    assert [name for name, (problems, _) in outcomes.items() if not problems] == []
    assert [name for name, problems in config_cases.items() if not problems] == []
    assert len(outcomes) == len(INPUT_CASES) and len(config_cases) >= len(CONFIG_CASES)


def test_every_input_problem_is_danish(outcomes):
    """Each problem as the terminal and the log show it (one line, and the grouped report of InputError) has no
    English the catalogue cannot read back."""
    untranslated: dict[str, list[str]] = {}
    for name, (problems, _) in outcomes.items():
        say = Localised("da")
        for p in problems:
            p.format(say)
        InputError(problems).render(say)
        if say.missing:
            untranslated[name] = sorted(set(say.missing))
    assert untranslated == {}, "\n".join(f"{k}: {v}" for k, v in untranslated.items())


def test_every_config_problem_is_danish(config_cases):
    untranslated = {}
    for name, problems in config_cases.items():
        say = Localised("da")
        for p in problems:
            say.message(p)
        if say.missing:
            untranslated[name] = sorted(set(say.missing))
    assert untranslated == {}, "\n".join(f"{k}: {v}" for k, v in untranslated.items())


def test_the_data_check_page_in_danish_has_no_english_problem(outcomes):
    """The page's problems are the Danish of their messages; no message stands there in English."""
    for name, (problems, page) in outcomes.items():
        assert "(på engelsk)" not in page and '<html lang="da">' in page, name
        text = html.unescape(page)
        for p in problems:
            danish = Localised("da").message(p.message)
            assert danish in text, (name, danish)
            if danish != p.message:
                assert p.message not in text, (name, p.message)


def test_danish_problems_read_naturally():
    problem = Problem("citizens (citizens.csv)", "expected a whole number from 15 to 120 or empty.", "row 7", "age",
                      "abc", True)
    assert format_problem(problem, "da") == ("citizens (citizens.csv), række 7, kolonne 'age': værdi 'abc': "
                                             "forventet et helt tal fra 15 til 120 eller tom.")
    assert format_problem(problem, "en") == problem.format() == (
        "citizens (citizens.csv), row 7, column 'age': value 'abc': expected a whole number from 15 to 120 or empty.")
    empty = Problem("who5 (who5.csv)", "is empty; expected text (may not be empty).", "record 3", "citizen_id", None,
                    True)
    assert format_problem(empty, "da") == ("who5 (who5.csv), post 3, kolonne 'citizen_id': værdi <tom>: er tom; "
                                           "forventet tekst (må ikke være tom).")
    cpr = Problem("who5 (who5.csv)", "expected text.", "row 2", "citizen_id", "010180-1234", True)
    assert "<et CPR-lignende nummer, vises ikke>" in format_problem(cpr, "da") and "1234" not in format_problem(cpr, "da")


def test_the_grouped_report_in_danish():
    problems = [Problem("citizens (c.csv)", "expected one of F, M or empty.", f"row {k}", "sex", "X", True)
                for k in range(2, 14)] + [Problem("who5 (w.csv)", "the table has no rows.")]
    error = InputError(problems, "The input data do not meet the input contract (see config/README.md). The "
                                 "data-check page lists every problem: data-check.html")
    danish = error.render(wording("da"))
    assert danish.splitlines()[:2] == [
        "Inputdata overholder ikke inputkontrakten (se config/README.md). Datatjek-siden viser alle problemer: "
        "data-check.html", "13 problemer fundet; intet er analyseret:"]
    assert "  - citizens (c.csv), kolonne 'sex': 12 rækker (2, 3, 4, 5, 6, 7, 8, 9, ...): fundne værdier 'X' (12): " \
           "forventet en af K, M eller tom." in danish
    assert "  - who5 (w.csv): tabellen har ingen rækker." in danish
    assert error.render() == error.render(ENGLISH) and "13 problems found; nothing was analysed:" in error.render()
    assert InputError(problems[:1]).render(wording("da")).splitlines()[1] == "1 problem fundet; intet er analyseret:"


def test_config_problems_are_printed_in_the_config_language():
    problems = ["analysis.primary_visit: 9 is not one of the visits of the schedule (0, 6, 12)."]
    assert config_report(problems, {"report": {"language": "da"}}) == (
        "Konfigurationen har problemer; intet er kørt.\n  - analysis.primary_visit: 9 er ikke et af besøgene i "
        "besøgsplanen (0, 6, 12).")
    # English as before; a language the catalogue lacks (itself a config mistake) is told in English
    for config in ({"report": {"language": "en"}}, {"report": {"language": "de"}}, {}, None, {"report": "da"}):
        assert config_report(problems, config) == "The configuration has problems; nothing was run.\n  - " + problems[0]
    missing = ["inputs.who5: the file 'w.csv' does not exist (paths are relative to the working directory '/x')"]
    assert config_report(missing, {"report": {"language": "da"}}, INPUTS_MISSING_HEADER) == (
        "Inputfiler mangler; intet er kørt.\n  - inputs.who5: filen 'w.csv' findes ikke (stier er relative til "
        "arbejdsmappen '/x')")
    assert CONFIG_HEADER.startswith("The configuration has problems")
    assert language_of({"report": {"language": "da"}}) == "da" and language_of({"report": {"language": "xx"}}) == "en"


def test_run_user_step_speaks_the_language_it_is_given(tmp_path, capsys):
    """A workflow script passes its job's report language (``language_of(snakemake.config)``): the step's
    messages, on the terminal and in the log, are in that language."""

    def bad_input():
        raise InputError([Problem("who5 (w.csv)", "the table has no rows.")])

    log = tmp_path / "step.log"
    with pytest.raises(SystemExit):
        run_user_step(bad_input, log, "validate_inputs", "da")
    err = capsys.readouterr().err
    assert "Inputdata overholder ikke inputkontrakten" in err and "tabellen har ingen rækker." in err
    assert "tabellen har ingen rækker." in log.read_text(encoding="utf-8")

    def full_disk():
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.parquet"))

    with pytest.raises(SystemExit):
        run_user_step(full_disk, log, "analysis_data", "da")
    err = capsys.readouterr().err
    assert "Kunne ikke læse eller skrive" in err and "disken er fuld" in err and "x.parquet" in err

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(SystemExit):
        run_user_step(interrupted, log, "analysis_data", "da")
    assert "Afbrudt (Ctrl-C)" in capsys.readouterr().err

    def defect():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_user_step(defect, log, "icc", "da")
    assert "Intern fejl i pipelinen (ikke i jeres data) i reglen 'icc': RuntimeError: boom" in capsys.readouterr().err
    for language in ("en", None):  # English, also when a script passes none
        with pytest.raises(SystemExit):
            run_user_step(bad_input, log, "check", language)
        assert "the table has no rows." in capsys.readouterr().err


def test_every_workflow_script_runs_its_step_in_the_users_language():
    """Each script's messages (an input error, a full disk, Ctrl-C) take the report's language: it runs its step
    with fittrial.language.problems.run_user_step, never with the English one of fittrial.base.errors."""
    scripts = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    english = [s.name for s in scripts if re.search(r"from fittrial\.base\.errors import[^\n]*run_user_step",
                                                    s.read_text(encoding="utf-8"))]
    assert english == []
    assert [s.name for s in scripts if "run_user_step(" in s.read_text(encoding="utf-8") and not re.search(
        r"from fittrial\.language\.problems import [^\n]*\brun_user_step\b", s.read_text(encoding="utf-8"))] == []
    # ... in the job's language, which the script hands over: the package never reads the snakemake object
    calls = [(s.name, node) for s in scripts for node in ast.walk(ast.parse(s.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_user_step"]
    assert len(calls) >= 30
    silent = [name for name, call in calls if len(call.args) < 4 and not any(k.arg == "language" for k in call.keywords)]
    assert silent == []
    package = [str(f.relative_to(ROOT)) for f in (ROOT / "src").rglob("*.py")
               if re.search(r"""modules(?:\.get)?[(\[]["']__main__|getattr\([^)]*["']snakemake["']""",
                            f.read_text(encoding="utf-8"))]
    assert package == []


def test_the_workflow_prints_config_problems_in_the_report_language():
    """The Snakefile and common.smk print the config's problems with config_report (never an English header)."""
    for path in (ROOT / "Snakefile", ROOT / "workflow" / "rules" / "common.smk"):
        text = path.read_text(encoding="utf-8")
        assert "nothing was run.\\n" not in text, path
        assert "config_report(" in text, path


def test_english_is_unchanged_by_the_catalogue(outcomes):
    """English users read exactly what the checks wrote."""
    problems = [p for found, _ in outcomes.values() for p in found][:200]
    assert [format_problem(p, "en") for p in problems] == [p.format() for p in problems]
    assert wording("en") is ENGLISH and wording(None) is ENGLISH


def test_no_text_of_the_package_says_it_is_shown_in_english():
    assert "på engelsk" not in Path(ROOT / "src" / "fittrial" / "language" / "locale" / "da.po").read_text("utf-8")


@pytest.mark.parametrize("english", [
    "verify: the published reports differ from a fresh re-run of the same inputs and config.",
    "verify: every published table, figure, provenance record and report equals a fresh re-run of the same inputs "
    "and config.",
    "report.html: missing from the published reports", "tables/effects.csv: published but not produced by the re-run",
    "report.pdf: differs from the re-run",
    "report.html: differs from the re-run (line 12: '<p>a</p>' published, '<p>b</p>' re-run)",
    "provenance.json: differs from the re-run (30 lines published, 31 re-run)",
    "tables/icc.csv: differs from the re-run (shape (3, 4) published, (3, 5) re-run)",
    "tables/icc.csv: differs from the re-run (2 cells differ; e.g. row 2 column icc: '0.1' vs '0.2')",
    "the re-run failed:\nError in rule icc:\n    boom",
])
def test_what_verify_says_is_danish(english):
    """`fittrial verify` (workflow/scripts/verify.py, fittrial.publish.provenance.compare_outputs) speaks the
    report's language too."""
    say = Localised("da")
    assert say.message(english) != english and say.missing == []
