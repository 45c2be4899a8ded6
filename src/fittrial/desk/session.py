"""The evaluator's desk's session and its pages (:mod:`fittrial.desk.app`): the session state (:class:`Desk`), page
rendering (every value a page shows passes :func:`fittrial.base.errors.hide_cpr`), and the evaluation folder's config
as the desk reads, validates and writes it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response

from fittrial.desk.jobs import CONFIG_NAME, Job, config_problems
from fittrial.inputs.configfile import UserError, read_config
from fittrial.language.i18n import Translator

UPLOAD_DIR = "data"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
COOKIE = "fittrial_desk"
CANDIDATE = ".evaluation-candidate.yaml"
EMPTY_CODE = "__empty__"  # the mapping form's choice "read as empty" for a code
HEADER = "# written by the evaluator's desk (fittrial app); you may edit it\n"


@dataclass
class Desk:
    """The state of one app session: its token, the evaluation folder (None until chosen), the language, the last
    data check and the current (or last) job: the evaluation, verify or the design study, one at a time."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    folder: Path | None = None
    language: str = "da"
    last_check: dict = field(default_factory=dict)
    job: Job | None = None

    def job_of(self, *targets: str | None) -> Job | None:
        """The current (or last) job in this folder when it is one of ``targets``."""
        job = self.job
        return job if job is not None and job.folder == self.folder and job.target in targets else None

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running


def _environment(language: str) -> Environment:
    """The pages' templates; every value a page shows passes :func:`fittrial.base.errors.hide_cpr` (in the page's
    language), so no CPR-like number from a workbook (a header, a code, a message) reaches the screen."""
    from fittrial.base.errors import hide_cpr
    from fittrial.language.problems import wording

    say = wording(language)
    return Environment(loader=PackageLoader("fittrial.desk", "templates"), autoescape=select_autoescape(),
                       finalize=lambda value: hide_cpr(value, say) if isinstance(value, str) else value)


_templates = {language: _environment(language) for language in ("da", "en")}


def page(request: Request, name: str, command: str = "check", **context: Any) -> HTMLResponse:
    """A page of the desk in the session's language, with the command line that does the same (``command``)."""
    from fittrial.inputs.template import SHEETS

    desk: Desk = request.app.state.desk
    template = _templates[desk.language].get_template(name)
    return HTMLResponse(template.render(t=Translator(desk.language), desk=desk, command=shell_command(desk, command),
                                        sheet_names=SHEETS[desk.language], **context))


def shell_command(desk: Desk, what: str = "check") -> str:
    """The command line that does what the page does (``fittrial check``, ``run``, ``verify``, ``design``), for
    the user to re-run it."""
    return f"cd {desk.folder} && fittrial {what} {CONFIG_NAME}" if desk.folder else ""


def load_user_config(folder: Path) -> tuple[dict, str]:
    """The folder's config as the user (or the app) left it ({} when there is none yet) and "" or, when it cannot
    be read (a YAML error in a hand edit), the sentence that says where (file, line, column)."""
    if not (folder / CONFIG_NAME).exists():
        return {}, ""
    try:
        return read_config(CONFIG_NAME, here=folder)[0], ""
    except UserError as problem:
        return {}, str(problem)


class _Dumper(yaml.SafeDumper):
    """YAML as a person writes it: no anchors and aliases (``&id001``) for values that happen to be shared."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def save_config(folder: Path, config: dict, name: str = CONFIG_NAME) -> Path:
    """Write ``config`` as ``name`` in the folder: sorted keys, short lists on one line, no aliases."""
    path = folder / name
    path.write_text(HEADER + yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=True,
                                       default_flow_style=None, width=110), encoding="utf-8")
    return path


def write_config(folder: Path, workbook: str, language: str) -> Path:
    """The evaluation folder's config with the workbook as the one input (and the report language when the config
    has none); every other key the user or the facts form wrote is kept, and so are the column and code mappings
    of the workbook's tables (the mapping form's). Raises UserError when the config cannot be
    read: the user's file is never overwritten."""
    config = read_config(CONFIG_NAME, here=folder)[0] if (folder / CONFIG_NAME).exists() else {}
    book = f"{UPLOAD_DIR}/{workbook}"
    kept = {k: v for k, v in (config.get("inputs") or {}).items() if isinstance(v, dict) and v.get("path") == book}
    config["inputs"] = {"workbook": book, **kept}
    config.setdefault("report", {}).setdefault("language", language)
    return save_config(folder, config)


def validated_save(folder: Path, config: dict) -> list[str]:
    """Write ``config`` as the folder's config only when the workflow accepts it (a dry run of a candidate file,
    :func:`fittrial.desk.jobs.config_problems`); the problems otherwise, the config on disk unchanged."""
    candidate = save_config(folder, config, CANDIDATE)
    try:
        problems = config_problems(folder, CANDIDATE)
        if not problems:
            candidate.replace(folder / CONFIG_NAME)
        return problems
    finally:
        candidate.unlink(missing_ok=True)


def needs_folder(request: Request) -> Response | None:
    return RedirectResponse("/", status_code=303) if request.app.state.desk.folder is None else None


@dataclass
class Opened:
    """The session with its evaluation folder and the folder's config as the user left it (``error``: the sentence
    saying why it cannot be read, else "")."""

    desk: Desk
    folder: Path
    user: dict
    error: str

    @property
    def has_inputs(self) -> bool:
        return bool(self.user.get("inputs"))

    def in_force(self) -> dict:
        """The config in force: the user's over the workflow's defaults."""
        from fittrial.base.command import ROOT
        from fittrial.desk.facts import merged, read_defaults

        return merged(read_defaults(ROOT), self.user)


def opened(request: Request) -> Opened | None:
    """The session's folder and its config; None before a folder is chosen (the page then goes to the start)."""
    desk: Desk = request.app.state.desk
    if desk.folder is None:
        return None
    user, error = load_user_config(desk.folder)
    return Opened(desk, desk.folder, user, error)


async def text_fields(request: Request) -> dict[str, str]:
    """A posted form's text fields (an unchecked box is absent, as browsers send it)."""
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def folder_file(request: Request, *parts: str) -> Response:
    """A file the workflow wrote in the folder (the data-check page, the report, the design report), as it is."""
    desk: Desk = request.app.state.desk
    path = desk.folder.joinpath(*parts) if desk.folder else None
    if path is None or not path.is_file():
        return PlainTextResponse("", status_code=404)
    if path.suffix == ".html":
        return HTMLResponse(path.read_text(encoding="utf-8"))
    return FileResponse(path)


__all__ = ["Desk", "page", "shell_command", "load_user_config", "save_config", "write_config", "validated_save",
           "needs_folder", "folder_file", "Opened", "opened", "text_fields", "CONFIG_NAME", "UPLOAD_DIR", "WORKBOOK_SUFFIXES", "COOKIE", "EMPTY_CODE"]
