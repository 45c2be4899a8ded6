"""The data-check page: every problem and oddity in the inputs, for the person who fixes the files.

:func:`render_data_check` turns the outcome of reading and validating the
inputs (:class:`CheckOutcome`) into one self-contained HTML page, in English
or Danish: a status line, one section per input file (what was read: format,
header row, rows, columns recognised under another name), the problems
grouped by file and kind with row, column, value and what was expected, and
the notes (oddities that are not errors) with their counts and what the
pipeline does with each. In Danish every text is Danish, the problems too:
they are written in English by the checks and read back to their entries of
the message catalogue (:mod:`fittrial.language.problems`).

The page points at rows of the user's files, so it is written outside
``reports/`` (config ``paths.data_check``) and is not for publication; CPR-like
numbers are never shown (see :func:`fittrial.base.errors.format_value`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fittrial.base.errors import Problem, Wording, format_value, group_problems, hide_cpr
from fittrial.language.i18n import texts
from fittrial.language.messages import messages, parse, render, translate
from fittrial.language.problems import wording as wording_of

# (pattern of the message, key of its kind in the message catalogue); the first match wins
KINDS: list[tuple[str, str]] = [
    ('could not be read|not a text|mixes two text encodings|unsupported file type|does not exist', 'dc_kind_file_cannot_be_read'),
    ('more than once in the header', 'dc_kind_column_appears_twice'),
    ('required column is missing', 'dc_kind_column_missing'),
    ('has no rows', 'dc_kind_empty_table'),
    ('CPR', 'dc_kind_cpr_like_number_instead_of_a_pseudonymised_id'),
    ('duplicate id', 'dc_kind_duplicate_id'),
    ('not in the \\w+ table', 'dc_kind_id_not_found_in_another_file'),
    ('different answers', 'dc_kind_conflicting_duplicate_who_5_forms'),
    ('data cut-off', 'dc_kind_date_after_the_data_cut_off'),
    ('ambiguous|month-first|date_format', 'dc_kind_ambiguous_date'),
    ('date', 'dc_kind_invalid_date'),
    ('^is empty', 'dc_kind_missing_value'),
    ('visit', 'dc_kind_visit_not_in_the_schedule'),
    ('caseworker|stratum|arm', 'dc_kind_inconsistent_randomisation'),
    ('', 'dc_kind_invalid_value'),
]


MAX_ROWS_PER_KIND = 200


@dataclass
class FileSummary:
    """What was read from one input file."""

    table: str
    path: str
    format: str
    header_row: int | None = None
    rows: int | None = None
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckOutcome:
    """The result of reading and checking the inputs: files read, problems (errors) and notes."""

    files: list[FileSummary]
    problems: list[Problem]
    notes: pd.DataFrame

    @property
    def ok(self) -> bool:
        return not self.problems


def kind_of(problem: Problem, language: str = "en") -> str:
    """The kind of a problem (for grouping), from its message."""
    for pattern, key in KINDS:
        if re.search(pattern, problem.message):
            return render(key, language)
    raise AssertionError("the last kind matches every message")  # pragma: no cover


def action_of(check: str, language: str = "en") -> str:
    """What the pipeline does with a note of this kind (the note's entry in the message catalogue has an
    ``action_<key>`` beside it)."""
    found = parse(check)
    key = f"action_{found[0]}" if found else ""
    return render(key if key in messages()["en"] else "action_default", language)


def _row(row: str | None, language: str) -> str:
    """A row label as the reader's language says it (row 7 / række 7)."""
    return "" if row is None else translate(str(row), language)


def _escaped(value: Any, wording: Wording | None = None) -> str:
    """A text of the page, HTML-escaped, with any CPR-like number hidden (the page names rows of the inputs)."""
    return html.escape(hide_cpr("" if value is None else str(value), wording))


def render_data_check(outcome: CheckOutcome, language: str = "en") -> str:
    """The data-check page as one self-contained HTML document."""
    say = wording_of(language)

    def _e(value: Any) -> str:  # every text of the page: a CPR-like number hidden in the page's language
        return _escaped(value, say)

    t = {k[len("dc_"):]: v for k, v in texts(language).items() if k.startswith("dc_")}
    out = [f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n<title>{_e(t["title"])}'
           "</title>\n<style>\nbody { font-family: Arial, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em;"
           " color: #222; line-height: 1.4; }\ntable { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: "
           "0.88em; }\nth, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }"
           "\nth { background: #f2f2f2; }\ntd.num { text-align: right; }\n.status { padding: 0.6em 1em; "
           "border-left: 4px solid; }\n.bad { background: #fbeeee; border-color: #b00020; }\n.good { background: "
           "#eef7ee; border-color: #2e7d32; }\n.small { font-size: 0.85em; color: #555; }\n"
           "@media print { body { max-width: none; margin: 0; } table { page-break-inside: auto; } }\n"
           f"</style>\n</head>\n<body>\n<h1>{_e(t['title'])}</h1>"]
    n = len(outcome.problems)
    status = t["ok"] if outcome.ok else t["errors"].format(n=n)
    out.append(f'<p class="status {"good" if outcome.ok else "bad"}">{_e(status)}</p>')
    out.append(f'<p class="small">{_e(t["private"])} {_e(t["contract"])}</p>')

    out.append(f"<h2>{_e(t['files'])}</h2>\n<table>\n<tr><th>{_e(t['table'])}</th><th>{_e(t['file'])}</th>"
               f"<th>{_e(t['format'])}</th><th>{_e(t['header'])}</th><th>{_e(t['rows'])}</th>"
               f"<th>{_e(t['renamed'])}</th></tr>")
    for f in outcome.files:
        renamed = ", ".join(f"{theirs} → {ours}" for theirs, ours in f.renamed.items())
        out.append(f"<tr><td>{_e(f.table)}</td><td>{_e(f.path)}</td><td>{_e(f.format)}</td>"
                   f"<td class=\"num\">{_e(f.header_row if f.header_row is not None else '')}</td>"
                   f"<td class=\"num\">{_e(f.rows if f.rows is not None else t['not_read'])}</td>"
                   f"<td>{_e(renamed)}</td></tr>")
    out.append("</table>")

    if outcome.problems:
        out.append(f"<h2>{_e(t['problems'])} ({n})</h2>")
        by_file: dict[str, dict[str, list[Problem]]] = {}
        for p in outcome.problems:
            by_file.setdefault(p.file, {}).setdefault(kind_of(p, language), []).append(p)
        for file, kinds in by_file.items():
            out.append(f"<h3>{_e(file)}</h3>")
            for kind, problems in kinds.items():
                out.append(f"<h4>{_e(kind)} ({len(problems)})</h4>\n<table>\n<tr><th>{_e(t['column'])}</th>"
                           f"<th>{_e(t['count'])}</th><th>{_e(t['row'])}</th><th>{_e(t['found'])}</th>"
                           f"<th>{_e(t['message'])}</th></tr>")
                for group in group_problems(problems):
                    first = group[0]
                    rows = [_row(p.row, language) for p in group if p.row is not None]
                    shown = ", ".join(rows[:10]) + (", ..." if len(rows) > 10 else "")
                    counts: dict[str, int] = {}
                    for p in group:
                        if p.has_value:
                            value = format_value(p.value, say)
                            counts[value] = counts.get(value, 0) + 1
                    found = ", ".join(f"{v} ({k})" for v, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
                    out.append(f"<tr><td>{_e(first.column or '')}</td><td class=\"num\">{len(group)}</td>"
                               f"<td>{_e(shown)}</td><td>{_e(found)}</td>"
                               f"<td>{_e(say.message(first.message))}</td></tr>")
                out.append("</table>")
                if any(len(g) > 10 for g in group_problems(problems)):
                    out.append(f"<details><summary>{_e(t['all_rows'])}</summary>\n<table>\n<tr><th>{_e(t['row'])}"
                               f"</th><th>{_e(t['column'])}</th><th>{_e(t['value'])}</th></tr>")
                    for p in problems[:MAX_ROWS_PER_KIND]:
                        value = format_value(p.value, say) if p.has_value else ""
                        out.append(f"<tr><td>{_e(_row(p.row, language))}</td><td>{_e(p.column or '')}</td>"
                                   f"<td>{_e(value)}</td></tr>")
                    out.append("</table>")
                    if len(problems) > MAX_ROWS_PER_KIND:
                        out.append(f'<p class="small">{_e(t["more"].format(n=len(problems) - MAX_ROWS_PER_KIND))}</p>')
                    out.append("</details>")

    out.append(f"<h2>{_e(t['notes'])}</h2>")
    notes = outcome.notes
    if notes is None or notes.empty:
        out.append(f"<p>{_e(t['no_notes'])}</p>")
    else:
        out.append(f"<table>\n<tr><th>{_e(t['table'])}</th><th>{_e(t['check'])}</th><th>{_e(t['count'])}</th>"
                   f"<th>{_e(t['row'])}</th><th>{_e(t['action'])}</th></tr>")
        for (table, check), g in notes.groupby(["table", "check"], sort=True):
            noted = ", ".join(_row(r, language) for r in g["row"].head(20)) + (" ..." if len(g) > 20 else "")
            out.append(f"<tr><td>{_e(table)}</td><td>{_e(translate(str(check), language))}</td><td class=\"num\">{len(g)}</td>"
                       f"<td>{_e(noted)}</td><td>{_e(action_of(str(check), language))}</td></tr>")
        out.append("</table>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


__all__ = ["CheckOutcome", "FileSummary", "render_data_check", "kind_of", "action_of"]
