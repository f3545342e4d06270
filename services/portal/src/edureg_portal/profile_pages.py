"""The organisation's digital profile in the portal: the card with its empty fields
marked, saved as a whole (two editors at once: the second is told), and its history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors
from edureg_portal.identity_client import Answer
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _posted_form,
    _render,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.profile.write"
# The card's fields in the order of the form, with their labels and input types.
SECTIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Наименование и реквизиты",
        [
            ("full_name", "Полное наименование", "text"),
            ("short_name", "Сокращённое наименование", "text"),
            ("inn", "ИНН", "text"),
            ("kpp", "КПП", "text"),
            ("ogrn", "ОГРН", "text"),
        ],
    ),
    (
        "Адреса, руководитель, контакты",
        [
            ("legal_address", "Юридический адрес", "text"),
            ("actual_address", "Фактический адрес", "text"),
            ("head_name", "Руководитель (ФИО)", "text"),
            ("head_position", "Должность руководителя", "text"),
            ("phone", "Телефон", "tel"),
            ("email", "Электронная почта", "email"),
            ("website", "Сайт", "text"),
        ],
    ),
    (
        "Лицензия",
        [
            ("licence_number", "Номер лицензии", "text"),
            ("licence_date", "Дата выдачи", "date"),
            ("licence_issuer", "Кем выдана", "text"),
        ],
    ),
    (
        "Государственная аккредитация",
        [
            ("accreditation_number", "Номер свидетельства", "text"),
            ("accreditation_date", "Дата выдачи", "date"),
            ("accreditation_valid_until", "Действует до", "date"),
        ],
    ),
]
TITLES = {code: title for _, fields in SECTIONS for code, title, _ in fields} | {
    "accredited": "Есть государственная аккредитация",
    "licence_date": "Дата выдачи лицензии",
    "licence_issuer": "Кем выдана лицензия",
    "accreditation_date": "Дата аккредитации",
    "accreditation_valid_until": "Срок действия аккредитации",
}


async def _page(
    request: Request,
    shell: Shell,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    current = await _call(request, shell, "contingent", "GET", "/api/v1/profile")
    if isinstance(current, Response):
        return current
    history = await _call(request, shell, "contingent", "GET", "/api/v1/profile/history", limit=50)
    if isinstance(history, Response):
        return history
    return _render(
        request,
        "profile_org.html",
        answer.status if answer else 200,
        shell=shell,
        active="org_profile",
        profile=current.body,
        values=values if values is not None else current.body,
        version=(values or {}).get("version", current.body["version"]),
        sections=SECTIONS,
        titles=TITLES,
        history=history.body.get("items", []),
        editable=shell.has(WRITE),
        saved=saved,
        error=str(answer.body.get("detail") or "Проверьте поля") if answer else None,
        errors=_errors(answer),
    )


@router.get("/organisation/profile")
async def profile_page(request: Request, saved: bool = False) -> Response:
    shell = await _opened(request, "org_profile")
    if isinstance(shell, Response):
        return shell
    return await _page(request, shell, saved=saved)


@router.post("/organisation/profile")
async def save_profile(request: Request) -> Response:
    posted = await _posted_form(request, "org_profile")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    body: dict[str, Any] = {
        code: str(form.get(code) or "").strip()[:500] for code in TITLES if code != "accredited"
    }
    body["accredited"] = form.get("accredited") == "yes"
    try:
        body["version"] = int(str(form.get("version") or "0"))
    except ValueError:
        body["version"] = 0
    answer = await _call(
        request, shell, "contingent", "PUT", "/api/v1/profile", json=body, keep=(409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/organisation/profile?saved=1", status_code=303)
    return await _page(request, shell, values=body, answer=answer)
