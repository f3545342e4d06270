"""Staff in the portal (004 4.3): the HR specialist's list of HR cards, a new card, and
hiring or dismissal orders drafted for the people ticked (signed on the order's page
like any order). Contingent decides and checks again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors, _form_error, _messages
from edureg_portal.identity_client import Answer
from edureg_portal.pages import (
    PAGE,
    Shell,
    _call,
    _opened,
    _posted_form,
    _render,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.staff.write"
STATUSES = {"pending": "карточка, не принят", "active": "работает", "dismissed": "уволен"}
POSITIONS = {"teacher": "учитель/преподаватель", "none": "без должности (назначит администратор)"}
CARD_FIELDS = [
    ("surname", "Фамилия"),
    ("name", "Имя"),
    ("patronymic", "Отчество"),
    ("job_title", "Должность по штатному расписанию"),
    ("education", "Образование"),
    ("qualification", "Квалификационная категория"),
    ("phone", "Телефон"),
    ("email", "Электронная почта"),
]


async def _page(
    request: Request,
    shell: Shell,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    found = await _call(request, shell, "contingent", "GET", "/api/v1/employees", limit=PAGE)
    if isinstance(found, Response):
        return found
    return _render(
        request,
        "staff_files.html",
        answer.status if answer else 200,
        shell=shell,
        active="staff_files",
        employees=found.body.get("items", []),
        statuses=STATUSES,
        positions=POSITIONS,
        card_fields=CARD_FIELDS,
        values=values or {},
        editable=shell.has(WRITE),
        error=_form_error(answer),
        errors=_errors(answer),
        problems=_messages(answer, "employee_ids"),
    )


@router.get("/staff-files")
async def staff_page(request: Request) -> Response:
    shell = await _opened(request, "staff_files")
    if isinstance(shell, Response):
        return shell
    return await _page(request, shell)


@router.post("/staff-files/{action}")
async def staff_action(request: Request, action: str) -> Response:
    posted = await _posted_form(request, "staff_files")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v)[:500] for k, v in form.items() if k not in ("csrf", "employees")}
    if action == "card":
        body: dict[str, Any] = {code: values.get(code, "").strip() for code, _ in CARD_FIELDS}
        path = "/api/v1/employees"
    elif action in ("hiring", "dismissal"):
        body = {
            "kind": action,
            "number": values.get("number", "").strip()[:30],
            "order_date": values.get("order_date") or None,
            "effective_date": values.get("effective_date") or None,
            "employee_ids": [str(e)[:36] for e in form.getlist("employees")][:500],
            "position_code": values.get("position_code") or "none",
        }
        path = "/api/v1/orders/staff"
    else:
        return RedirectResponse("/staff-files", status_code=303)
    answer = await _call(
        request, shell, "contingent", "POST", path, json=body, keep=(404, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        to = "/staff-files" if action == "card" else f"/orders/{answer.body['id']}"
        return RedirectResponse(to, status_code=303)
    values["employees"] = [str(e) for e in form.getlist("employees")]  # type: ignore[assignment]
    return await _page(request, shell, values=values, answer=answer)
