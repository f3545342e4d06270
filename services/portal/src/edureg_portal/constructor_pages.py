"""The report constructor in the portal (001 10.6): a dataset, its fields, filters by
dates and group, grouping and totals; the result on screen or as XLSX; definitions
saved for the organisation. Reporting checks every definition again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _form_error
from edureg_portal.identity_client import ServiceUnavailable
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _passed_file,
    _posted_form,
    _refused,
    _render,
    _service,
    _unavailable,
)

router = APIRouter(include_in_schema=False)
KEY = "constructor"


def _definition(form: Any, catalogue: dict[str, Any]) -> dict[str, Any]:
    """What the form asks, as a definition (reporting checks it)."""
    dataset = str(form.get("dataset") or "")
    ds = next((d for d in catalogue["datasets"] if d["key"] == dataset), None)
    keys = [f["key"] for f in ds["fields"]] if ds else []
    group_by = [k for k in keys if form.get(f"group-{k}")]
    fields = [k for k in keys if form.get(f"field-{k}")]
    aggregates = []
    for i in (1, 2):
        fn = str(form.get(f"agg{i}-fn") or "")
        if fn:
            aggregates.append({"fn": fn, "field": str(form.get(f"agg{i}-field") or "") or None})
    filters: list[dict[str, Any]] = []
    if ds and ds.get("dated_by"):
        for op, name in (("gte", "from"), ("lte", "to")):
            if form.get(name):
                filters.append({"field": ds["dated_by"], "op": op, "value": str(form.get(name))})
    if form.get("group"):
        filters.append({"field": "group", "op": "eq", "value": str(form.get("group"))})
    if aggregates:
        fields = [k for k in keys if k in group_by]
    return {
        "dataset": dataset,
        "fields": fields,
        "group_by": group_by,
        "aggregates": aggregates,
        "filters": filters,
    }


async def _page(
    request: Request,
    shell: Shell,
    *,
    dataset: str | None,
    form: dict[str, str] | None = None,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    errors: list[dict[str, str]] | None = None,
    status: int = 200,
    title: str | None = None,
) -> Response:
    catalogue = await _call(request, shell, "reporting", "GET", "/api/v1/constructor/datasets")
    if isinstance(catalogue, Response):
        return catalogue
    saved = await _call(request, shell, "reporting", "GET", "/api/v1/report-definitions")
    if isinstance(saved, Response):
        return saved
    sets = {d["key"]: d for d in catalogue.body["datasets"]}
    chosen = sets.get(dataset or "") or sets["marks"]
    return _render(
        request,
        "constructor.html",
        status,
        shell=shell,
        active=KEY,
        catalogue=catalogue.body,
        datasets=sets,
        ds=chosen,
        form=form or {},
        result=result,
        result_title=title,
        saved=saved.body.get("items", []),
        error=error,
        errors=errors or [],
    )


@router.get("/reports/constructor")
async def constructor_page(request: Request, dataset: str | None = None) -> Response:
    shell = await _opened(request, KEY)
    if isinstance(shell, Response):
        return shell
    return await _page(request, shell, dataset=dataset)


@router.post("/reports/constructor")
async def run_constructor(request: Request) -> Response:
    posted = await _posted_form(request, KEY)
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    catalogue = await _call(request, shell, "reporting", "GET", "/api/v1/constructor/datasets")
    if isinstance(catalogue, Response):
        return catalogue
    definition = _definition(form, catalogue.body)
    typed = {k: str(v) for k, v in form.items() if k != "csrf"}
    action = str(form.get("action") or "run")
    if action == "xlsx":
        try:
            answer, r = await _service(request, "reporting").download_json(
                "POST", "/api/v1/constructor/run?format=xlsx", shell.token, definition
            )
        except ServiceUnavailable:
            return _unavailable(request, shell)
        if answer.ok:
            return Response(
                r.content,
                media_type=r.headers.get("content-type", "application/octet-stream"),
                headers={
                    "Content-Disposition": r.headers.get("content-disposition", "attachment"),
                    "Cache-Control": "no-store",
                },
            )
        if answer.status != 422:
            return _refused(request, shell, answer)
    elif action == "save":
        answer_or = await _call(
            request,
            shell,
            "reporting",
            "POST",
            "/api/v1/report-definitions",
            json={"title": str(form.get("title") or "").strip(), "definition": definition},
            keep=(422,),
        )
        if isinstance(answer_or, Response):
            return answer_or
        answer = answer_or
        if answer.ok:
            return RedirectResponse("/reports/constructor?dataset=" + definition["dataset"], 303)
    else:
        answer_or = await _call(
            request,
            shell,
            "reporting",
            "POST",
            "/api/v1/constructor/run",
            json=definition,
            keep=(422,),
        )
        if isinstance(answer_or, Response):
            return answer_or
        answer = answer_or
        if answer.ok:
            return await _page(
                request, shell, dataset=definition["dataset"], form=typed, result=answer.body
            )
    return await _page(
        request,
        shell,
        dataset=definition["dataset"],
        form=typed,
        error=_form_error(answer),
        errors=list(answer.body.get("errors", [])),
        status=422,
    )


@router.get("/reports/constructor/saved/{definition_id}")
async def run_saved(request: Request, definition_id: uuid.UUID) -> Response:
    shell = await _opened(request, KEY)
    if isinstance(shell, Response):
        return shell
    found = await _call(
        request, shell, "reporting", "POST", f"/api/v1/report-definitions/{definition_id}/run"
    )
    if isinstance(found, Response):
        return found
    saved = await _call(request, shell, "reporting", "GET", "/api/v1/report-definitions")
    if isinstance(saved, Response):
        return saved
    title = next(
        (d["title"] for d in saved.body.get("items", []) if d["id"] == str(definition_id)), None
    )
    dataset = next(
        (
            d["definition"]["dataset"]
            for d in saved.body.get("items", [])
            if d["id"] == str(definition_id)
        ),
        None,
    )
    return await _page(request, shell, dataset=dataset, result=found.body, title=title)


@router.get("/reports/constructor/saved/{definition_id}/file")
async def saved_file(request: Request, definition_id: uuid.UUID) -> Response:
    shell = await _opened(request, KEY)
    if isinstance(shell, Response):
        return shell
    return await _passed_file(
        request,
        shell,
        "reporting",
        "POST",
        f"/api/v1/report-definitions/{definition_id}/run?format=xlsx",
    )


@router.post("/reports/constructor/saved/{definition_id}/delete")
async def delete_saved(request: Request, definition_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, KEY)
    if isinstance(posted, Response):
        return posted
    _, shell = posted
    answer = await _call(
        request, shell, "reporting", "DELETE", f"/api/v1/report-definitions/{definition_id}"
    )
    if isinstance(answer, Response):
        return answer
    return RedirectResponse("/reports/constructor", status_code=303)
