"""Steps 1-3 of the evaluator's desk (:mod:`fittrial.desk.app`): the evaluation folder and the template, the data
(upload, the workflow's data check, the mapping form) and the trial's facts."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from fittrial.base.command import ROOT
from fittrial.desk import facts
from fittrial.desk.jobs import run_check
from fittrial.desk.session import (
    EMPTY_CODE,
    UPLOAD_DIR,
    WORKBOOK_SUFFIXES,
    Desk,
    Opened,
    folder_file,
    load_user_config,
    needs_folder,
    opened,
    page,
    text_fields,
    validated_save,
    write_config,
)
from fittrial.inputs.configfile import UserError
from fittrial.inputs.validation import load_schema
from fittrial.language.i18n import Translator


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
    if redirect := needs_folder(request):
        return redirect
    desk: Desk = request.app.state.desk
    assert desk.folder is not None
    return page(request, "data.html", check=desk.last_check, config_error=load_user_config(desk.folder)[1])


async def upload(request: Request) -> Response:
    """Save the uploaded workbook in the folder's data/ (the app's own name for it), write the config and run the
    data check."""
    if redirect := needs_folder(request):
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

    if (o := opened(request)) is None:
        return RedirectResponse("/", status_code=303)
    desk, user = o.desk, o.user
    gaps = desk.last_check.get("gaps")
    book = (user.get("inputs") or {}).get("workbook")
    if gaps is None or o.error or not book or desk.busy:
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

    names = load_workbook(o.folder / book, read_only=True).sheetnames
    sheets = {t: s for t in TABLES if (s := find_sheet(names, t))}
    new = {**user, "inputs": with_mappings(user["inputs"], book, sheets, columns, values)}
    problems = await run_in_threadpool(validated_save, o.folder, new)
    if problems:
        desk.last_check = {**desk.last_check, "mapping_problems": problems}
        return RedirectResponse("/data", status_code=303)
    desk.last_check = {**await run_in_threadpool(checked, o.folder),
                       "uploaded": desk.last_check.get("uploaded", book), "mapped": True}
    return RedirectResponse("/data", status_code=303)


async def data_check_page(request: Request) -> Response:
    return folder_file(request, "data-check.html")


async def facts_page(request: Request) -> Response:
    """Step 3: the trial's facts (:mod:`fittrial.desk.facts`), shown from the config in force."""
    if (o := opened(request)) is None:
        return RedirectResponse("/", status_code=303)
    return _facts(request, o, facts.form_values(o.in_force()))


def _facts(request: Request, o: Opened, values: dict[str, str], **outcome: Any) -> Response:
    """The facts page with ``values`` in the form (``outcome``: ``saved`` keys or ``problems``)."""
    return page(request, "facts.html", values=values, error=o.error, sections=facts.SECTIONS,
                rows=facts.visit_rows(values), has_inputs=o.has_inputs, **{"saved": None, "problems": [], **outcome})


async def save_facts(request: Request) -> Response:
    """Write the form into the folder's config when the workflow accepts it; else the problems as the workflow
    states them, with the form as the user filled it in."""
    if (o := opened(request)) is None:
        return RedirectResponse("/", status_code=303)
    values = await text_fields(request)
    if o.error or not o.has_inputs:
        return _facts(request, o, values)
    new = facts.updated_config(o.user, facts.read_defaults(ROOT), values)
    problems = await run_in_threadpool(validated_save, o.folder, new)
    if problems:
        return _facts(request, o, values, problems=problems)
    if new.get("report", {}).get("language") in ("da", "en"):
        o.desk.language = new["report"]["language"]
    return _facts(request, o, values, saved=facts.changed_keys(o.user, new))


__all__ = ["start", "choose_folder", "switch_language", "template", "data", "upload", "checked", "save_mapping",
           "data_check_page", "facts_page", "save_facts"]
