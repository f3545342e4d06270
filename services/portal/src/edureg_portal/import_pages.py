"""Importing students in the portal: upload a CSV or XLSX, see every bad row and field
(nothing saved), fix the file and upload it again, then start the import and watch its
progress (the page refreshes itself; no script). Contingent does the work."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from edureg_portal.identity_client import ServiceUnavailable
from edureg_portal.pages import (
    Shell,
    _call,
    _csrf_ok,
    _forbidden_form,
    _opened,
    _render,
    _service,
    _unavailable,
)

router = APIRouter(include_in_schema=False)

# Students are imported by the academic office, staff cards by the HR specialist.
KEYS = {"students": "imports", "staff": "staff_files"}


def _kind(value: object) -> str:
    return "staff" if value == "staff" else "students"


@router.get("/imports")
async def imports_page(request: Request, kind: str = "students") -> Response:
    kind = _kind(kind)
    shell = await _opened(request, KEYS[kind])
    if isinstance(shell, Response):
        return shell
    return _render(request, "imports.html", shell=shell, active=KEYS[kind], job=None, kind=kind)


@router.post("/imports")
async def upload(request: Request) -> Response:
    form = await request.form()
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    kind = _kind(form.get("kind"))
    shell = await _opened(request, KEYS[kind])
    if isinstance(shell, Response):
        return shell
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _render(
            request,
            "imports.html",
            422,
            shell=shell,
            active=KEYS[kind],
            job=None,
            kind=kind,
            error="Выберите файл CSV или XLSX",
        )
    content = await file.read()
    try:
        answer = await _service(request, "contingent").call(
            "POST",
            f"/api/v1/imports/{kind}",
            shell.token,
            files={"file": (file.filename, content)},
        )
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if not answer.ok:
        return _render(
            request,
            "imports.html",
            answer.status,
            shell=shell,
            active=KEYS[kind],
            job=None,
            kind=kind,
            error=str(answer.body.get("detail") or "Файл не принят"),
        )
    return RedirectResponse(f"/imports/{answer.body['id']}", status_code=303)


async def _opened_either(request: Request) -> Shell | Response:
    """The office's or the HR specialist's: contingent shows each its own imports."""
    shell = await _opened(request, "staff_files")
    if isinstance(shell, Response) and shell.status_code == 403:
        return await _opened(request, "imports")
    return shell


@router.get("/imports/{job_id}")
async def job_page(request: Request, job_id: uuid.UUID) -> Response:
    shell = await _opened_either(request)
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, "contingent", "GET", f"/api/v1/imports/{job_id}")
    if isinstance(answer, Response):
        return answer
    kind = _kind(answer.body.get("kind"))
    return _render(
        request, "imports.html", shell=shell, active=KEYS[kind], job=answer.body, kind=kind
    )


@router.post("/imports/{job_id}/apply")
async def apply(request: Request, job_id: uuid.UUID) -> Response:
    form = await request.form()
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    shell = await _opened_either(request)
    if isinstance(shell, Response):
        return shell
    body = {
        "number": str(form.get("number") or "").strip()[:24] or None,
        "order_date": str(form.get("order_date") or "") or None,
        "effective_date": str(form.get("effective_date") or "") or None,
    }
    answer = await _call(
        request,
        shell,
        "contingent",
        "POST",
        f"/api/v1/imports/{job_id}/apply",
        json=body,
        keep=(409, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/imports/{job_id}", status_code=303)
    job = await _call(request, shell, "contingent", "GET", f"/api/v1/imports/{job_id}")
    if isinstance(job, Response):
        return job
    kind = _kind(job.body.get("kind"))
    return _render(
        request,
        "imports.html",
        answer.status,
        shell=shell,
        active=KEYS[kind],
        job=job.body,
        kind=kind,
        error=str(answer.body.get("detail") or "Загрузка не запущена"),
    )
