"""The evaluator's desk: a local web app on 127.0.0.1 that takes a municipality evaluator from the Excel template to
the report of their own trial and the plan of the next one, in Danish (English on a switch), without a terminal
(issue 25). The steps, one page each: 1 the evaluation folder and the template; 2 the data: upload the filled
workbook, checked by the workflow's own ``check`` target, its page inline; 3 the trial's facts, a form that writes
the config (:mod:`fittrial.desk.facts`), validated by the workflow's own checks; 4 run the whole evaluation in the
background with its progress, cancel; 5 the report inline, the PDF and a zip of ``reports/``, and ``verify`` as a
button; 6 plan the next trial: the design study from a short form (:mod:`fittrial.desk.plan`).

Framework: Starlette with server-rendered Jinja2 pages and plain HTML forms (no JavaScript framework, no CDN: every
asset is in the package). Starlette because it is small (with uvicorn and python-multipart six pinned packages),
handles file uploads and long-running work off the request thread, and is tested in-process with its
``TestClient`` (httpx) without a browser; Shiny for Python and Streamlit bring a websocket runtime and many more
packages, and rerun-the-script models that fit a long Snakemake job badly.

The evaluation folder. Everything the app does happens in one folder on disk (the user names it): the uploaded
workbook under ``data/``, the config the app writes (``evaluation.yaml``; the user may edit it, and a YAML mistake
in it is shown as a sentence with line and column, the file left as it is), and what the workflow writes
(``data-check.html``, ``reports/``). Every page shows the equivalent command (``fittrial check``, ``run``,
``verify`` or ``design`` on that config, in that folder), so whatever the app did can be re-run and audited from the
command line: each step runs that command's Snakemake target on the project's Snakefile in the folder
(:mod:`fittrial.desk.jobs`). A config is written only after the workflow has accepted it in a dry run.

Safety: the server listens on 127.0.0.1 only; every request must carry the session's random token (in the URL as
``?token=...`` the first time, then a cookie), as Jupyter does, so another local user cannot reach it; uploads are
written only into the evaluation folder, under a name the app chooses; no request leaves the machine; one job at a
time (and Snakemake's own lock on the folder, shown as a sentence).
"""

from __future__ import annotations

import hmac
import html
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from fittrial.base.command import ROOT
from fittrial.desk import facts
from fittrial.desk.jobs import CONFIG_NAME, Job, config_problems, run_check
from fittrial.inputs.configfile import UserError, read_config
from fittrial.inputs.validation import load_schema
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


class TokenMiddleware(BaseHTTPMiddleware):
    """Refuse every request without the session's token (query parameter ``token`` or the cookie it sets)."""

    async def dispatch(self, request: Request, call_next):
        desk: Desk = request.app.state.desk
        given = request.query_params.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), desk.token.encode()):
            t = Translator(desk.language)
            return PlainTextResponse(t("dk_forbidden"), status_code=403)
        response = await call_next(request)
        response.set_cookie(COOKIE, desk.token, httponly=True, samesite="strict")
        return response


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
    from fittrial.inputs.template import SHEETS

    desk: Desk = request.app.state.desk
    t = Translator(desk.language)
    return HTMLResponse(_templates[desk.language].get_template(name).render(t=t, desk=desk, command=shell_command(desk, command),
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


def _needs_folder(request: Request) -> Response | None:
    return RedirectResponse("/", status_code=303) if request.app.state.desk.folder is None else None


async def start(request: Request) -> Response:
    return page(request, "start.html")


async def choose_folder(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    form = await request.form()
    raw = str(form.get("folder") or "").strip()
    folder = Path(raw).expanduser() if raw else None
    if folder is None or (folder.exists() and not folder.is_dir()):
        return page(request, "start.html", error=Translator(desk.language)("dk_folder_bad", folder=raw))
    folder.mkdir(parents=True, exist_ok=True)
    desk.folder = folder.resolve()
    desk.last_check = {}
    return RedirectResponse("/data", status_code=303)


async def switch_language(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    lang = request.path_params["lang"]
    if lang in ("da", "en"):
        desk.language = lang
    return RedirectResponse(request.headers.get("referer") or "/", status_code=303)


async def template(request: Request) -> Response:
    """The Excel template (``fittrial-template``) in the interface's language, written into the folder's data/."""
    from fittrial.inputs.template import write_template

    desk: Desk = request.app.state.desk
    lang = request.query_params.get("lang", desk.language)
    lang = lang if lang in ("da", "en") else desk.language
    target_dir = (desk.folder / UPLOAD_DIR) if desk.folder else Path(request.app.state.scratch)
    target_dir.mkdir(parents=True, exist_ok=True)
    name = f"fit-data-template-{lang}.xlsx"
    path = target_dir / name
    if not path.exists():
        write_template(path, lang)
    return FileResponse(path, filename=name,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


async def data(request: Request) -> Response:
    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    return page(request, "data.html", check=desk.last_check, config_error=load_user_config(desk.folder)[1])


async def upload(request: Request) -> Response:
    """Save the uploaded workbook in the folder's data/ (the app's own name for it), write the config and run the
    data check."""
    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    t = Translator(desk.language)
    form = await request.form()
    upload = form.get("workbook")
    filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
    if not isinstance(upload, UploadFile) or Path(filename).suffix.lower() not in WORKBOOK_SUFFIXES:
        desk.last_check = {"error": t("dk_not_workbook", name=html.escape(Path(filename).name))}
        return page(request, "data.html", check=desk.last_check)
    if desk.busy:
        desk.last_check = {"error": t("dk_busy")}
        return page(request, "data.html", check=desk.last_check)
    target = desk.folder / UPLOAD_DIR
    target.mkdir(parents=True, exist_ok=True)
    name = "fit-data" + Path(filename).suffix.lower()
    try:
        write_config(desk.folder, name, desk.language)
    except UserError as problem:
        desk.last_check = {"error": str(problem)}
        return page(request, "data.html", check=desk.last_check)
    (target / name).write_bytes(await upload.read())
    desk.last_check = {**await run_in_threadpool(checked, desk.folder), "uploaded": Path(filename).name}
    return RedirectResponse("/data", status_code=303)


def checked(folder: Path) -> dict:
    """The data check (:func:`fittrial.desk.jobs.run_check`) and, when it failed, what the workbook lacks against
    the contract with the mappings proposed (:func:`fittrial.inputs.mapping.workbook_gaps`)."""
    from fittrial.inputs.mapping import workbook_gaps

    result = run_check(folder)
    if not result["passed"]:
        user, _ = load_user_config(folder)
        book = (user.get("inputs") or {}).get("workbook")
        if book and (folder / book).is_file():
            schemas = {name: load_schema(ROOT / "workflow" / "schemas" / f"{name}.schema.yaml")
                       for name in ("randomisation", "citizens", "who5", "fit_sessions")}
            inputs = {k: ({**v, "path": str(folder / v["path"])} if isinstance(v, dict) and v.get("path") else v)
                      for k, v in (user.get("inputs") or {}).items()}
            result["gaps"] = workbook_gaps(folder / book, schemas, inputs)
    return result


async def save_mapping(request: Request) -> Response:
    """The column and code mappings chosen in the form, written into the config (a table with one becomes
    ``{path, sheet, columns, values}``) when the workflow accepts it, then the data check again."""
    from fittrial.inputs.mapping import with_mappings
    from fittrial.inputs.template import TABLES, find_sheet

    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    gaps = desk.last_check.get("gaps")
    user, error = load_user_config(desk.folder)
    book = (user.get("inputs") or {}).get("workbook")
    if gaps is None or error or not book or desk.busy:
        return RedirectResponse("/data", status_code=303)
    form = await request.form()
    columns: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for i, gap in enumerate(gaps.columns):
        if (header := str(form.get(f"col-{i}") or "")) and header in gap.headers:
            columns.setdefault(gap.table, {})[gap.column] = header
    for i, gap in enumerate(gaps.codes):
        chosen = str(form.get(f"code-{i}") or "")
        if chosen == EMPTY_CODE:
            values.setdefault(gap.table, {}).setdefault(gap.column, {})[gap.code] = None
        elif chosen in gap.allowed:
            code: Any = int(chosen) if chosen.isdigit() else chosen
            values.setdefault(gap.table, {}).setdefault(gap.column, {})[gap.code] = code
    from openpyxl import load_workbook

    names = load_workbook(desk.folder / book, read_only=True).sheetnames
    sheets = {t: s for t in TABLES if (s := find_sheet(names, t))}
    new = {**user, "inputs": with_mappings(user["inputs"], book, sheets, columns, values)}
    problems = await run_in_threadpool(validated_save, desk.folder, new)
    if problems:
        desk.last_check = {**desk.last_check, "mapping_problems": problems}
        return RedirectResponse("/data", status_code=303)
    desk.last_check = {**await run_in_threadpool(checked, desk.folder),
                       "uploaded": desk.last_check.get("uploaded", book), "mapped": True}
    return RedirectResponse("/data", status_code=303)


def _folder_file(request: Request, *parts: str) -> Response:
    """A file the workflow wrote in the folder (the data-check page, the report, the design report), as it is."""
    desk: Desk = request.app.state.desk
    path = desk.folder.joinpath(*parts) if desk.folder else None
    if path is None or not path.is_file():
        return PlainTextResponse("", status_code=404)
    if path.suffix == ".html":
        return HTMLResponse(path.read_text(encoding="utf-8"))
    return FileResponse(path)


async def data_check_page(request: Request) -> Response:
    return _folder_file(request, "data-check.html")


async def facts_page(request: Request) -> Response:
    """Step 3: the trial's facts (:mod:`fittrial.desk.facts`), shown from the config in force."""
    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    user, error = load_user_config(desk.folder)
    values = facts.form_values(facts.merged(facts.read_defaults(ROOT), user))
    return page(request, "facts.html", values=values, error=error, sections=facts.SECTIONS,
                rows=facts.visit_rows(values), has_inputs=bool(user.get("inputs")), saved=None, problems=[])


async def save_facts(request: Request) -> Response:
    """Write the form into the folder's config when the workflow accepts it; else the problems as the workflow
    states them, with the form as the user filled it in."""
    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    user, error = load_user_config(desk.folder)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    context: dict[str, Any] = {"values": values, "sections": facts.SECTIONS, "rows": facts.visit_rows(values),
               "has_inputs": bool(user.get("inputs")), "error": error, "saved": None, "problems": []}
    if error or not user.get("inputs"):
        return page(request, "facts.html", **context)
    new = facts.updated_config(user, facts.read_defaults(ROOT), values)
    problems = await run_in_threadpool(validated_save, desk.folder, new)
    if problems:
        context["problems"] = problems
    else:
        context["saved"] = facts.changed_keys(user, new)
        if new.get("report", {}).get("language") in ("da", "en"):
            desk.language = new["report"]["language"]
    return page(request, "facts.html", **context)


async def run_page(request: Request) -> Response:
    """Step 4: run the whole evaluation (while it runs, the page's status line and progress bar follow it); step 5: the results, their downloads and verify."""
    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    return page(request, "run.html", command="run", run=desk.job_of(None), verify=desk.job_of("verify"),
                other=desk.busy and desk.job_of(None, "verify") is None,
                ready=bool(desk.last_check.get("passed")) or (desk.folder / CONFIG_NAME).exists(),
                report=(desk.folder / "reports" / "report.html").exists())


def _start(desk: Desk, target: str | None) -> None:
    if desk.folder is not None and not desk.busy:  # one job at a time (and Snakemake's own lock per folder)
        desk.job = Job(desk.folder, target)


async def start_run(request: Request) -> Response:
    if redirect := _needs_folder(request):
        return redirect
    _start(request.app.state.desk, None)
    return RedirectResponse("/run", status_code=303)


async def start_verify(request: Request) -> Response:
    if redirect := _needs_folder(request):
        return redirect
    _start(request.app.state.desk, "verify")
    return RedirectResponse("/run", status_code=303)


async def cancel_job(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    job = desk.job
    if job is not None:
        await run_in_threadpool(job.cancel)
    return RedirectResponse("/design" if job is not None and job.target == "design" else "/run", status_code=303)


async def progress(request: Request) -> Response:
    """The current job's progress as JSON, for the page's small script that updates the status line and the
    progress bar in place (no timed page refresh: a screen reader keeps its place) and reloads the page at the end."""
    from starlette.responses import JSONResponse

    desk: Desk = request.app.state.desk
    job = desk.job
    if job is None:
        return JSONResponse({"running": False})
    t = Translator(desk.language)
    text = t("dk_verify_running", seconds=job.elapsed()) if job.target == "verify" else \
        t("dk_run_running", done=job.done, total=job.total or "?", step=job.step or "…", seconds=job.elapsed())
    return JSONResponse({"running": job.running, "done": job.done, "total": job.total, "text": text})


async def report_page(request: Request) -> Response:
    return _folder_file(request, "reports", "report.html")


async def download(request: Request) -> Response:
    """The results to take away: the report's PDF, or every file of ``reports/`` as one zip (sorted, with fixed
    times, so the same results give the same zip). ``reports/`` holds only what may be published."""
    import io
    import zipfile

    desk: Desk = request.app.state.desk
    reports = desk.folder / "reports" if desk.folder else None
    if reports is None or not reports.is_dir():
        return PlainTextResponse("", status_code=404)
    if request.path_params["what"] == "pdf":
        pdf = reports / "report.pdf"
        return FileResponse(pdf, filename="report.pdf") if pdf.exists() else PlainTextResponse("", status_code=404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in reports.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(Path("reports") / path.relative_to(reports)), date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"content-disposition": 'attachment; filename="reports.zip"'})


async def design_page(request: Request) -> Response:
    """Step 6: plan the next trial (:mod:`fittrial.desk.plan`): a short form, the design study in the background,
    then its power figure and report."""
    from fittrial.desk import plan

    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    user, error = load_user_config(desk.folder)
    values = plan.form_values(facts.merged(facts.read_defaults(ROOT), user))
    return page(request, "design.html", command="design", values=values, error=error, problems=[],
                job=desk.job_of("design"), other=desk.busy and desk.job_of("design") is None,
                has_inputs=bool(user.get("inputs")), result=(desk.folder / "reports" / "design" / "design.html").exists())


async def start_design(request: Request) -> Response:
    from fittrial.desk import plan

    if redirect := _needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    user, error = load_user_config(desk.folder)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    problems = [] if error or not user.get("inputs") or desk.busy else \
        await run_in_threadpool(validated_save, desk.folder, plan.updated_config(user, values))
    if error or problems or not user.get("inputs") or desk.busy:
        return page(request, "design.html", command="design", values=values, error=error, problems=problems,
                    job=desk.job_of("design"), other=desk.busy, has_inputs=bool(user.get("inputs")),
                    result=(desk.folder / "reports" / "design" / "design.html").exists())
    _start(desk, "design")
    return RedirectResponse("/design", status_code=303)


async def design_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ("design.html", "power.png", "power.svg"):
        return PlainTextResponse("", status_code=404)
    return _folder_file(request, "reports", "design", name)


def create_app(folder: Path | None = None, language: str = "da", token: str | None = None,
               scratch: Path | None = None) -> Starlette:
    """The desk as an ASGI app (``folder``: an evaluation folder to open at once)."""
    import tempfile

    desk = Desk(language=language if language in ("da", "en") else "da")
    if token:
        desk.token = token
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        desk.folder = folder.resolve()
    app = Starlette(routes=[
        Route("/", start), Route("/folder", choose_folder, methods=["POST"]),
        Route("/language/{lang}", switch_language), Route("/template", template),
        Route("/data", data), Route("/upload", upload, methods=["POST"]), Route("/data-check", data_check_page),
        Route("/mapping", save_mapping, methods=["POST"]),
        Route("/facts", facts_page), Route("/facts", save_facts, methods=["POST"]),
        Route("/run", run_page), Route("/run/start", start_run, methods=["POST"]),
        Route("/verify", start_verify, methods=["POST"]), Route("/cancel", cancel_job, methods=["POST"]),
        Route("/progress", progress), Route("/report", report_page), Route("/download/{what:str}", download),
        Route("/design", design_page), Route("/design", start_design, methods=["POST"]),
        Route("/design/{name:str}", design_file),
    ], middleware=[Middleware(TokenMiddleware)])
    app.state.desk = desk
    app.state.scratch = str(scratch or tempfile.mkdtemp(prefix="fittrial-desk-"))
    return app


def serve(folder: Path | None = None, language: str = "da", port: int = 0, open_browser: bool = True) -> None:
    """Run the desk on 127.0.0.1 (a free port when ``port`` is 0), print its address with the token and open it
    in the browser."""
    import socket
    import webbrowser

    import uvicorn

    app = create_app(folder, language)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/?token={app.state.desk.token}"
    print(Translator(app.state.desk.language)("dk_started", url=url), file=sys.stderr, flush=True)
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


__all__ = ["Desk", "create_app", "serve", "write_config", "shell_command", "load_user_config", "validated_save",
           "CONFIG_NAME"]
