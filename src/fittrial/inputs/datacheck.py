"""The data-check page: every problem and oddity in the inputs, for the person who fixes the files.

:func:`render_data_check` turns the outcome of reading and validating the
inputs (:class:`CheckOutcome`) into one self-contained HTML page, in English
or Danish: a status line, one section per input file (what was read: format,
header row, rows, columns recognised under another name), the problems
grouped by file and kind with row, column, value and what was expected, and
the notes (oddities that are not errors) with their counts and what the
pipeline does with each.

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

from fittrial.base.errors import Problem, format_value, group_problems

# (pattern of the message, kind in English, kind in Danish); the first match wins
KINDS: list[tuple[str, str, str]] = [
    (r"could not be read|not a text|mixes two text encodings|unsupported file type|does not exist",
     "File cannot be read", "Filen kan ikke læses"),
    (r"more than once in the header", "Column appears twice", "Kolonne optræder to gange"),
    (r"required column is missing", "Column missing", "Kolonne mangler"),
    (r"has no rows", "Empty table", "Tom tabel"),
    (r"CPR", "CPR-like number instead of a pseudonymised id", "CPR-lignende nummer i stedet for et pseudonym"),
    (r"duplicate id", "Duplicate id", "Dubleret id"),
    (r"not in the \w+ table", "Id not found in another file", "Id findes ikke i en anden fil"),
    (r"different answers", "Conflicting duplicate WHO-5 forms", "Modstridende dubletter af WHO-5-skemaer"),
    (r"data cut-off", "Date after the data cut-off", "Dato efter dataudtrækket"),
    (r"ambiguous|month-first|date_format", "Ambiguous date", "Tvetydig dato"),
    (r"date", "Invalid date", "Ugyldig dato"),
    (r"^is empty", "Missing value", "Manglende værdi"),
    (r"visit", "Visit not in the schedule", "Besøg uden for besøgsplanen"),
    (r"caseworker|stratum|arm", "Inconsistent randomisation", "Inkonsistent randomisering"),
    (r"", "Invalid value", "Ugyldig værdi"),
]

# what the pipeline does with each kind of note (validation notes of fittrial.inputs.validation.check_trial)
ACTIONS: dict[str, tuple[str, str]] = {
    "identical duplicate WHO-5 form (counted once)": (
        "The form is used once; the copy is ignored.", "Skemaet bruges én gang; kopien ignoreres."),
    "ended without an end reason (dropout and completion set missing)": (
        "The course is kept; its dropout and completion outcomes are missing (handled as missing data).",
        "Forløbet beholdes; frafald og gennemførelse er ukendte (behandles som manglende data)."),
    "enrolled before the caseworker was randomised": (
        "Kept and analysed in the caseworker's allocated arm (intention to treat); counted in the data-quality "
        "table of the report.",
        "Beholdes og analyseres i medarbejderens randomiserede arm (intention to treat); tælles i rapportens "
        "tabel over datakvalitet."),
    "caseworker with no citizens (empty cluster)": (
        "Kept in the counts of randomised caseworkers; contributes no data to the analyses.",
        "Tælles med blandt de randomiserede medarbejdere; bidrager ikke med data til analyserne."),
    "FIT session recorded in the control arm (possible contamination)": (
        "Kept; the citizen is analysed in the allocated (control) arm; counted as possible contamination.",
        "Beholdes; borgeren analyseres i den randomiserede arm (kontrol); tælles som mulig kontaminering."),
    "WHO-5 form outside every visit window (not used)": (
        "Not used: its date falls in none of the visit windows of the config (visits).",
        "Bruges ikke: datoen ligger uden for alle besøgsvinduer i konfigurationen (visits)."),
    "WHO-5 form with no items answered (visit missing)": (
        "Not used; the citizen's WHO-5 at that visit is missing (handled as missing data).",
        "Bruges ikke; borgerens WHO-5 ved det besøg mangler (behandles som manglende data)."),
    "more than one WHO-5 form for a visit; the one nearest the target day was used": (
        "Not used: another form of the citizen lies nearer the visit's target day.",
        "Bruges ikke: et andet skema fra borgeren ligger nærmere besøgets måldag."),
    "course open with follow-up shorter than the outcome window (dropout and completion missing)": (
        "The course is kept; its dropout and completion outcomes are missing (handled as missing data).",
        "Forløbet beholdes; frafald og gennemførelse er ukendte (behandles som manglende data)."),
    "FIT session with a caseworker other than the citizen's": (
        "Kept and counted towards the citizen's FIT sessions (adherence).",
        "Beholdes og tælles med i borgerens FIT-sessioner (adhærens)."),
}

TEXT = {
    "en": {
        "title": "Data check of the trial inputs", "ok": "No errors: the inputs meet the input contract.",
        "errors": "{n} error(s) found: nothing was analysed. Correct the files (or the config) and run again.",
        "private": "This page points at rows of your files. It is for the person who prepares the data and is not "
                   "for publication; CPR-like numbers are never shown.",
        "files": "Input files", "file": "File", "table": "Table", "format": "Format", "header": "Header row",
        "rows": "Rows read", "renamed": "Columns recognised under another name", "problems": "Errors",
        "kind": "Kind", "row": "Row", "found": "Values found (count)", "all_rows": "Every row", "column": "Column", "value": "Value", "message": "What is wrong, what is expected",
        "notes": "Notes (not errors)", "check": "Note", "count": "Count", "action": "What the pipeline does",
        "no_notes": "No notes.", "not_read": "not read", "more": "... and {n} more of this kind (see the log).",
        "config": "Configuration", "contract": "The input contract is described in config/README.md.",
    },
    "da": {
        "title": "Datatjek af forsøgets inputdata", "ok": "Ingen fejl: inputdata overholder inputkontrakten.",
        "errors": "{n} fejl fundet: intet er analyseret. Ret filerne (eller konfigurationen), og kør igen.",
        "private": "Siden peger på rækker i jeres filer. Den er til den, der forbereder data, og må ikke "
                   "offentliggøres; CPR-lignende numre vises aldrig.",
        "files": "Inputfiler", "file": "Fil", "table": "Tabel", "format": "Format", "header": "Overskriftsrække",
        "rows": "Rækker læst", "renamed": "Kolonner genkendt under et andet navn", "problems": "Fejl",
        "kind": "Type", "row": "Række", "found": "Fundne værdier (antal)", "all_rows": "Alle rækker", "column": "Kolonne", "value": "Værdi",
        "message": "Hvad er forkert, hvad forventes (på engelsk)", "notes": "Bemærkninger (ikke fejl)",
        "check": "Bemærkning (på engelsk)", "count": "Antal", "action": "Hvad pipelinen gør",
        "no_notes": "Ingen bemærkninger.", "not_read": "ikke læst", "more": "... og {n} mere af samme type (se loggen).",
        "config": "Konfiguration", "contract": "Inputkontrakten er beskrevet i config/README.md.",
    },
}
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
    for pattern, en, da in KINDS:
        if re.search(pattern, problem.message):
            return da if language == "da" else en
    raise AssertionError("the last kind matches every message")  # pragma: no cover


def action_of(check: str, language: str = "en") -> str:
    """What the pipeline does with a note of this kind."""
    if re.fullmatch(r"WHO-5 form with \d+ missing item\(s\), scored missing", check):
        en, da = ("Scored missing (config scoring.who5_prorate_one_missing); the citizen's WHO-5 at that visit is "
                  "missing (handled as missing data).", "Scores som manglende (konfiguration "
                  "scoring.who5_prorate_one_missing); borgerens WHO-5 ved det besøg mangler (manglende data).")
        return da if language == "da" else en
    en, da = ACTIONS.get(check, ("Kept as it is; listed in the data-quality table of the report.",
                                 "Beholdes uændret; står i rapportens tabel over datakvalitet."))
    return da if language == "da" else en


def _row(row: str | None, language: str) -> str:
    """A row label as the reader's language says it (row 7 / række 7)."""
    if row is None:
        return ""
    if language != "da":
        return str(row)
    return re.sub(r"^row ", "række ", re.sub(r"^record ", "post ", re.sub(r"^header$", "overskrift", str(row))))


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def render_data_check(outcome: CheckOutcome, language: str = "en") -> str:
    """The data-check page as one self-contained HTML document."""
    t = TEXT["da" if language == "da" else "en"]
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
                            counts[format_value(p.value)] = counts.get(format_value(p.value), 0) + 1
                    found = ", ".join(f"{v} ({k})" for v, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
                    out.append(f"<tr><td>{_e(first.column or '')}</td><td class=\"num\">{len(group)}</td>"
                               f"<td>{_e(shown)}</td><td>{_e(found)}</td><td>{_e(first.message)}</td></tr>")
                out.append("</table>")
                if any(len(g) > 10 for g in group_problems(problems)):
                    out.append(f"<details><summary>{_e(t['all_rows'])}</summary>\n<table>\n<tr><th>{_e(t['row'])}"
                               f"</th><th>{_e(t['column'])}</th><th>{_e(t['value'])}</th></tr>")
                    for p in problems[:MAX_ROWS_PER_KIND]:
                        value = format_value(p.value) if p.has_value else ""
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
            rows = ", ".join(_row(r, language) for r in g["row"].head(20)) + (" ..." if len(g) > 20 else "")
            out.append(f"<tr><td>{_e(table)}</td><td>{_e(check)}</td><td class=\"num\">{len(g)}</td>"
                       f"<td>{_e(rows)}</td><td>{_e(action_of(str(check), language))}</td></tr>")
        out.append("</table>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


__all__ = ["CheckOutcome", "FileSummary", "render_data_check", "kind_of", "action_of"]
