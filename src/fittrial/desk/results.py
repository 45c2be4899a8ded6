"""Steps 4-6 of the evaluator's desk (:mod:`fittrial.desk.app`): the run with its progress and cancel, the results
(report, PDF, zip, verify) and the plan of the next trial."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from fittrial.desk.jobs import CONFIG_NAME, Job
from fittrial.desk.session import Desk, Opened, folder_file, needs_folder, opened, page, text_fields, validated_save
from fittrial.language.i18n import Translator


async def run_page(request: Request) -> Response:
    """Step 4: run the whole evaluation (while it runs, the page's status line and progress bar follow it); step 5: the results, their downloads and verify."""
    if redirect := needs_folder(request):
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
    if redirect := needs_folder(request):
        return redirect
    _start(request.app.state.desk, None)
    return RedirectResponse("/run", status_code=303)


async def start_verify(request: Request) -> Response:
    if redirect := needs_folder(request):
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
    return folder_file(request, "reports", "report.html")


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

    if (o := opened(request)) is None:
        return RedirectResponse("/", status_code=303)
    return _design(request, o, plan.form_values(o.in_force()))


def _design(request: Request, o: Opened, values: dict[str, str], problems: list[str] | None = None) -> Response:
    """The design page with ``values`` in the form, its job's progress or outcome and the result when there is one."""
    job = o.desk.job_of("design")
    return page(request, "design.html", command="design", values=values, error=o.error, problems=problems or [],
                job=job, other=o.desk.busy and job is None, has_inputs=o.has_inputs,
                result=(o.folder / "reports" / "design" / "design.html").exists())


async def start_design(request: Request) -> Response:
    """Write the design form into the config when the workflow accepts it and start the design study."""
    from fittrial.desk import plan

    if (o := opened(request)) is None:
        return RedirectResponse("/", status_code=303)
    values = await text_fields(request)
    if o.error or not o.has_inputs or o.desk.busy:
        return _design(request, o, values)
    problems = await run_in_threadpool(validated_save, o.folder, plan.updated_config(o.user, values))
    if problems:
        return _design(request, o, values, problems)
    _start(o.desk, "design")
    return RedirectResponse("/design", status_code=303)


async def design_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ("design.html", "power.png", "power.svg"):
        return PlainTextResponse("", status_code=404)
    return folder_file(request, "reports", "design", name)


__all__ = ["run_page", "start_run", "start_verify", "cancel_job", "progress", "report_page", "download",
           "design_page", "start_design", "design_file"]
