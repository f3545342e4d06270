"""The organisation's structure in the portal (004 4.2): departments, specialties and
professions by their ОКСО codes, and a new group with its specialty, department, study
form and funding. Contingent decides and checks again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors, _form_error
from edureg_portal.identity_client import Answer
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _posted_form,
    _render,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.groups.write"
LEVELS = {"ppssz": "ППССЗ (специалисты среднего звена)", "ppkrs": "ППКРС (рабочие, служащие)"}
FORMS = {"full_time": "очная", "part_time": "очно-заочная", "extramural": "заочная"}
FUNDING = {
    "federal": "федеральный бюджет",
    "regional": "бюджет субъекта РФ",
    "municipal": "местный бюджет",
    "contract": "по договорам (платно)",
}


async def _page(
    request: Request,
    shell: Shell,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    lists = {}
    for name in ("departments", "specialties", "groups"):
        found = await _call(request, shell, "contingent", "GET", f"/api/v1/{name}", limit=200)
        if isinstance(found, Response):
            return found
        lists[name] = found.body.get("items", [])
    return _render(
        request,
        "structure.html",
        answer.status if answer else 200,
        shell=shell,
        active="structure",
        **lists,
        levels=LEVELS,
        forms=FORMS,
        funding=FUNDING,
        editable=shell.has(WRITE),
        form=form,
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
    )


@router.get("/structure")
async def structure_page(request: Request) -> Response:
    shell = await _opened(request, "structure")
    if isinstance(shell, Response):
        return shell
    return await _page(request, shell)


@router.post("/structure/{what}")
async def add(request: Request, what: str) -> Response:
    posted = await _posted_form(request, "structure")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:300] for k, v in form.items() if k != "csrf"}
    body: dict[str, Any]
    if what == "department":
        path, body = "/api/v1/departments", {"name": values.get("name", "")}
    elif what == "specialty":
        path = "/api/v1/specialties"
        body = {k: values.get(k) or None for k in ("code", "name", "qualification", "level")}
        body["study_form"] = values.get("study_form") or None
        body["duration_months"] = values.get("duration_months") or None
    elif what == "group":
        path = "/api/v1/groups"
        body = {
            k: values.get(k) or None
            for k in ("name", "grade", "academic_year", "department_id", "specialty_id")
        }
        body["study_form"] = values.get("study_form") or None
        body["funding"] = values.get("funding") or None
    else:
        return RedirectResponse("/structure", status_code=303)
    answer = await _call(
        request, shell, "contingent", "POST", path, json=body, keep=(404, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/structure", status_code=303)
    return await _page(request, shell, form=what, values=values, answer=answer)
