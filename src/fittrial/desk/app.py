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
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from fittrial.desk.intake import (
    choose_folder,
    data,
    data_check_page,
    facts_page,
    save_facts,
    save_mapping,
    start,
    switch_language,
    template,
    upload,
)
from fittrial.desk.jobs import CONFIG_NAME
from fittrial.desk.results import (
    cancel_job,
    design_file,
    design_page,
    download,
    progress,
    report_page,
    run_page,
    start_design,
    start_run,
    start_verify,
)
from fittrial.desk.session import (  # noqa: F401 - _templates and the config helpers are part of this interface
    COOKIE,
    Desk,
    _templates,
    save_config,
    shell_command,
    write_config,
)
from fittrial.language.i18n import Translator


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


__all__ = ["Desk", "create_app", "serve", "write_config", "save_config", "shell_command", "CONFIG_NAME"]
