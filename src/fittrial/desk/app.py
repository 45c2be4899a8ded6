"""The evaluator's desk: a local web app on 127.0.0.1 that takes a municipality evaluator from the Excel template to
the data check of their own trial, in Danish (English on a switch), without a terminal (issue 25).

Framework: Starlette with server-rendered Jinja2 pages and plain HTML forms (no JavaScript framework, no CDN: every
asset is in the package). Starlette because it is small (with uvicorn and python-multipart six pinned packages),
handles file uploads and long-running work off the request thread, and is tested in-process with its
``TestClient`` (httpx) without a browser; Shiny for Python and Streamlit bring a websocket runtime and many more
packages, and rerun-the-script models that fit a long Snakemake job badly.

The evaluation folder. Everything the app does happens in one folder on disk (the user names it): the uploaded
workbook under ``data/``, the config the app writes (``evaluation.yaml``, inputs and report language; the user may
edit it), and what the workflow writes (``data-check.html``, ``reports/``). Every page shows the equivalent command
(``fittrial check`` on that config, in that folder), so whatever the app did can be re-run and audited from the
command line. The data check is that command: Snakemake's ``check`` target on the project's Snakefile, run in the
folder (:func:`fittrial.base.command.snakemake_command`); its page is shown inline.

Safety: the server listens on 127.0.0.1 only; every request must carry the session's random token (in the URL as
``?token=...`` the first time, then a cookie), as Jupyter does, so another local user cannot reach it; uploads are
written only into the evaluation folder, under a name the app chooses; no request leaves the machine.
"""

from __future__ import annotations

import hmac
import html
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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

from fittrial.language.i18n import Translator

CONFIG_NAME = "evaluation.yaml"
UPLOAD_DIR = "data"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
COOKIE = "fittrial_desk"


STEP_DONE = re.compile(r"^(\d+) of (\d+) steps \(")
STEP_RULE = re.compile(r"^(?:local)?rule (\w+):")


class Run:
    """The whole workflow (``fittrial run``'s Snakemake command) running in the evaluation folder, in the background,
    with its progress read from Snakemake's own lines ("3 of 22 steps (14%) done", "rule icc:")."""

    def __init__(self, folder: Path):
        from fittrial.base.command import snakemake_command

        self.folder = folder
        self.started = time.monotonic()
        self.ended: float | None = None
        self.done, self.total, self.step = 0, 0, ""
        self.lines: list[str] = []
        self.cancelled = False
        argv = snakemake_command(None, CONFIG_NAME, here=folder)
        self.process = subprocess.Popen(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            line = line.rstrip()
            self.lines = (self.lines + [line])[-40:]
            if m := STEP_DONE.match(line):
                self.done, self.total = int(m.group(1)), int(m.group(2))
            elif m := STEP_RULE.match(line):
                self.step = m.group(1)
        self.process.wait()
        self.ended = time.monotonic()

    @property
    def running(self) -> bool:
        return self.ended is None

    @property
    def succeeded(self) -> bool:
        return self.ended is not None and self.process.returncode == 0 and not self.cancelled

    def elapsed(self) -> int:
        return int((self.ended or time.monotonic()) - self.started)

    def message(self) -> str:
        """The user-facing message of a failed run: Snakemake's and the step's own last lines, no traceback."""
        keep = [line for line in self.lines if line and not line.startswith(("Traceback", "  File ", "    "))]
        return "\n".join(keep[-12:])

    def cancel(self) -> None:
        """Stop Snakemake and its jobs (the whole process group, as Ctrl-C does): ``reports/`` is written only by
        the last step, so a cancelled run leaves it as it was."""
        if self.running:
            self.cancelled = True
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.reader.join(timeout=10)


@dataclass
class Desk:
    """The state of one app session: its token, the evaluation folder (None until chosen), the language, the last
    data check and the current (or last) run."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    folder: Path | None = None
    language: str = "da"
    last_check: dict = field(default_factory=dict)
    run: Run | None = None


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


_templates = Environment(loader=PackageLoader("fittrial.desk", "templates"), autoescape=select_autoescape())


def page(request: Request, name: str, **context) -> HTMLResponse:
    desk: Desk = request.app.state.desk
    t = Translator(desk.language)
    return HTMLResponse(_templates.get_template(name).render(t=t, desk=desk, command=check_command(desk), **context))


def check_command(desk: Desk) -> str:
    """The command line that does what the app's data check does, for the user to re-run it."""
    return f"cd {desk.folder} && fittrial check {CONFIG_NAME}" if desk.folder else ""


def write_config(folder: Path, workbook: str, language: str) -> Path:
    """The evaluation folder's config: the workbook as the one input and the report language; keys the user added
    to an existing config are kept."""
    path = folder / CONFIG_NAME
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
    config["inputs"] = {"workbook": f"{UPLOAD_DIR}/{workbook}"}
    config.setdefault("report", {})["language"] = language
    path.write_text("# written by the evaluator's desk (fittrial app); you may edit it\n"
                    + yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def run_check(folder: Path, timeout: float = 600) -> dict:
    """``fittrial check evaluation.yaml`` in ``folder`` (Snakemake's check target): whether the inputs passed, the
    data-check page when it was written, and the command's own message (its last lines) when it failed early."""
    from fittrial.base.command import snakemake_command

    argv = snakemake_command("check", CONFIG_NAME, cores="1", here=folder)
    proc = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=timeout)
    page_path = folder / "data-check.html"
    message = "\n".join(line for line in proc.stderr.splitlines()[-12:] if line.strip())
    return {"passed": proc.returncode == 0, "page": page_path.exists(), "message": message if proc.returncode else ""}


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
    desk: Desk = request.app.state.desk
    if desk.folder is None:
        return RedirectResponse("/", status_code=303)
    return page(request, "data.html", check=desk.last_check)


async def upload(request: Request) -> Response:
    """Save the uploaded workbook in the folder's data/ (the app's own name for it), write the config and run the
    data check."""
    desk: Desk = request.app.state.desk
    if desk.folder is None:
        return RedirectResponse("/", status_code=303)
    t = Translator(desk.language)
    form = await request.form()
    upload = form.get("workbook")
    filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
    if not isinstance(upload, UploadFile) or Path(filename).suffix.lower() not in WORKBOOK_SUFFIXES:
        desk.last_check = {"error": t("dk_not_workbook", name=html.escape(Path(filename).name))}
        return page(request, "data.html", check=desk.last_check)
    target = desk.folder / UPLOAD_DIR
    target.mkdir(parents=True, exist_ok=True)
    name = "fit-data" + Path(filename).suffix.lower()
    (target / name).write_bytes(await upload.read())
    write_config(desk.folder, name, desk.language)

    desk.last_check = {**await run_in_threadpool(run_check, desk.folder), "uploaded": Path(filename).name}
    return RedirectResponse("/data", status_code=303)


async def data_check_page(request: Request) -> Response:
    """The folder's data-check page (the workflow's own, shown inline in a frame)."""
    desk: Desk = request.app.state.desk
    path = desk.folder / "data-check.html" if desk.folder else None
    if path is None or not path.exists():
        return PlainTextResponse("", status_code=404)
    return HTMLResponse(path.read_text(encoding="utf-8"))


async def run_page(request: Request) -> Response:
    """Step 3: run the whole evaluation; while it runs the page refreshes itself every 2 seconds with the progress."""
    desk: Desk = request.app.state.desk
    if desk.folder is None:
        return RedirectResponse("/", status_code=303)
    run = desk.run if desk.run is not None and desk.run.folder == desk.folder else None
    return page(request, "run.html", run=run, ready=bool(desk.last_check.get("passed")),
                report=(desk.folder / "reports" / "report.html").exists())


async def start_run(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    if desk.folder is None:
        return RedirectResponse("/", status_code=303)
    if desk.run is None or not desk.run.running:  # one run at a time
        desk.run = Run(desk.folder)
    return RedirectResponse("/run", status_code=303)


async def cancel_run(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    if desk.run is not None:
        await run_in_threadpool(desk.run.cancel)
    return RedirectResponse("/run", status_code=303)


async def report_page(request: Request) -> Response:
    """The folder's report (reports/report.html), as the workflow wrote it."""
    desk: Desk = request.app.state.desk
    path = desk.folder / "reports" / "report.html" if desk.folder else None
    if path is None or not path.exists():
        return PlainTextResponse("", status_code=404)
    return HTMLResponse(path.read_text(encoding="utf-8"))


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
        Route("/data", data), Route("/upload", upload, methods=["POST"]),
        Route("/data-check", data_check_page), Route("/run", run_page),
        Route("/run/start", start_run, methods=["POST"]), Route("/run/cancel", cancel_run, methods=["POST"]),
        Route("/report", report_page), Route("/download/{what:str}", download),
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


__all__ = ["Desk", "Run", "create_app", "serve", "run_check", "write_config", "check_command"]
