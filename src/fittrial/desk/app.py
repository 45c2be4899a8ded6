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
import secrets
import subprocess
import sys
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


@dataclass
class Desk:
    """The state of one app session: its token, the evaluation folder (None until chosen) and the language."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    folder: Path | None = None
    language: str = "da"
    last_check: dict = field(default_factory=dict)


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
    config.setdefault("inputs", {})
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
        Route("/data-check", data_check_page),
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


__all__ = ["Desk", "create_app", "serve", "run_check", "write_config", "check_command"]
