"""Personal files in the portal (001 IV, 003 3.3.4): search by name and group; a file
read (every read audited by contingent), completed by the academic office with its
documents checked against the age, its history of changes; a curator reads the files of
their own groups only (contingent decides)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors, _form_error
from edureg_portal.identity_client import Answer
from edureg_portal.order_pages import STUDENT_STATUSES, _groups
from edureg_portal.pages import (
    ORDER_KINDS,
    PAGE,
    RELATIONS,
    Shell,
    _call,
    _opened,
    _pages,
    _posted_form,
    _render,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.students.write"
SECTIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Обучающийся",
        [
            ("surname", "Фамилия", "text"),
            ("name", "Имя", "text"),
            ("patronymic", "Отчество", "text"),
            ("birth_date", "Дата рождения", "date"),
            ("file_number", "Номер личного дела", "text"),
            ("citizenship", "Гражданство (код ОКСМ, например RUS)", "text"),
            ("foreign_language", "Иностранный язык", "text"),
        ],
    ),
    (
        "Адреса",
        [
            ("registration_address", "Адрес регистрации", "text"),
            ("residence_address", "Адрес проживания", "text"),
        ],
    ),
    (
        "Свидетельство о рождении",
        [
            ("birth_certificate_series", "Серия (например IV-АН)", "text"),
            ("birth_certificate_number", "Номер", "text"),
            ("birth_certificate_issued_on", "Дата выдачи", "date"),
        ],
    ),
    (
        "Паспорт (с 14 лет)",
        [
            ("passport_series", "Серия паспорта", "text"),
            ("passport_number", "Номер паспорта", "text"),
            ("passport_issued_on", "Дата выдачи паспорта", "date"),
            ("passport_issuer", "Кем выдан", "text"),
        ],
    ),
    ("СНИЛС", [("snils", "СНИЛС", "text")]),
]
TITLES = {code: title for _, fields in SECTIONS for code, title, _ in fields} | {
    "citizenship": "Гражданство",
    "birth_certificate_series": "Серия свидетельства о рождении",
    "birth_certificate_number": "Номер свидетельства о рождении",
    "birth_certificate_issued_on": "Дата выдачи свидетельства о рождении",
    "sex": "Пол",
    "social_statuses": "Социальный статус",
    "version": "версия",
}


@router.get("/students")
async def students_page(
    request: Request, q: str = "", group: str = "", offset: int = 0
) -> Response:
    shell = await _opened(request, "students")
    if isinstance(shell, Response):
        return shell
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    params: dict[str, Any] = {}
    if q.strip():
        params["q"] = q.strip()[:100]
    if group in {g["id"] for g in groups}:
        params["group_id"] = group
    answer = await _call(
        request,
        shell,
        "contingent",
        "GET",
        "/api/v1/students",
        limit=PAGE,
        offset=max(offset, 0),
        **params,
    )
    if isinstance(answer, Response):
        return answer
    query = "&".join(
        f"{k}={v}" for k, v in (("q", params.get("q")), ("group", params.get("group_id"))) if v
    )
    return _render(
        request,
        "students.html",
        shell=shell,
        active="students",
        students=answer.body.get("items", []),
        pages=_pages(answer, "/students" + (f"?{query}" if query else "")),
        groups=groups,
        group_names={g["id"]: g["name"] for g in groups},
        q=q,
        group=params.get("group_id", ""),
        statuses=STUDENT_STATUSES,
        may_export=shell.has("contingent.orders.write"),
    )


async def _file_page(
    request: Request,
    shell: Shell,
    student_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    found = await _call(request, shell, "contingent", "GET", f"/api/v1/students/{student_id}")
    if isinstance(found, Response):
        return found
    changes = await _call(
        request, shell, "contingent", "GET", f"/api/v1/students/{student_id}/changes", limit=50
    )
    if isinstance(changes, Response):
        return changes
    statuses = await _call(request, shell, "contingent", "GET", "/api/v1/social-statuses", limit=50)
    if isinstance(statuses, Response):
        return statuses
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    return _render(
        request,
        "student.html",
        answer.status if answer else 200,
        shell=shell,
        active="students",
        file=found.body,
        values=values if values is not None else found.body,
        sections=SECTIONS,
        titles=TITLES,
        social=statuses.body.get("items", []),
        social_names={s["code"]: s["title"] for s in statuses.body.get("items", [])},
        changes=changes.body.get("items", []),
        group_names={g["id"]: g["name"] for g in groups},
        statuses=STUDENT_STATUSES,
        relations=RELATIONS,
        kinds_of_order=ORDER_KINDS,
        editable=shell.has(WRITE),
        saved=saved,
        error=_form_error(answer),
        errors=_errors(answer),
    )


@router.get("/students/{student_id}")
async def student_page(request: Request, student_id: uuid.UUID, saved: bool = False) -> Response:
    shell = await _opened(request, "students")
    if isinstance(shell, Response):
        return shell
    return await _file_page(request, shell, student_id, saved=saved)


@router.post("/students/{student_id}")
async def save_student(request: Request, student_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "students")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    body: dict[str, Any] = {
        code: str(form.get(code) or "").strip()[:500] or None
        for code in TITLES
        if code not in ("social_statuses", "version")
    }
    body["citizenship"] = (body.get("citizenship") or "RUS").upper()
    body["social_statuses"] = [str(s)[:30] for s in form.getlist("social_statuses")][:8]
    try:
        body["version"] = int(str(form.get("version") or "0"))
    except ValueError:
        body["version"] = 0
    answer = await _call(
        request,
        shell,
        "contingent",
        "PUT",
        f"/api/v1/students/{student_id}",
        json=body,
        keep=(409, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/students/{student_id}?saved=1", status_code=303)
    return await _file_page(request, shell, student_id, values=body, answer=answer)


GUARDIAN_TITLES = {
    "surname": "Фамилия",
    "name": "Имя",
    "patronymic": "Отчество",
    "phone": "Телефон",
    "email": "Электронная почта",
    "snils": "СНИЛС",
}


async def _guardian_page(
    request: Request,
    shell: Shell,
    guardian_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    found = await _call(request, shell, "contingent", "GET", f"/api/v1/guardians/{guardian_id}")
    if isinstance(found, Response):
        return found
    return _render(
        request,
        "guardian.html",
        answer.status if answer else 200,
        shell=shell,
        active="students",
        guardian=found.body,
        values=values if values is not None else found.body,
        titles=GUARDIAN_TITLES,
        back=request.query_params.get("student", ""),
        saved=saved,
        error=_form_error(answer),
        errors=_errors(answer),
    )


@router.get("/guardians/{guardian_id}")
async def guardian_page(request: Request, guardian_id: uuid.UUID, saved: bool = False) -> Response:
    shell = await _opened(request, "students")
    if isinstance(shell, Response):
        return shell
    return await _guardian_page(request, shell, guardian_id, saved=saved)


@router.post("/guardians/{guardian_id}")
async def save_guardian(request: Request, guardian_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "students")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    body = {k: str(form.get(k) or "").strip()[:200] or None for k in GUARDIAN_TITLES}
    answer = await _call(
        request,
        shell,
        "contingent",
        "PUT",
        f"/api/v1/guardians/{guardian_id}",
        json=body,
        keep=(409, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/guardians/{guardian_id}?saved=1", status_code=303)
    return await _guardian_page(request, shell, guardian_id, values=body, answer=answer)
