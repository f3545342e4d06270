"""An organisation administrator's pages: positions and rights (003 3.3.2, 3.3.6), a staff
member's card (positions, login, disabling), user activity; the region's usage view.

Every form posts back here with the session's CSRF token; identity decides and checks
again (the portal only hides what the user may not do)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.identity_client import Answer
from edureg_portal.pages import (
    PAGE,
    Shell,
    _call,
    _csrf_ok,
    _forbidden_form,
    _list_page,
    _message,
    _opened,
    _pages,
    _posted,
    _render,
)

router = APIRouter(include_in_schema=False)

MANAGE_POSITIONS = "identity.positions.manage"
MANAGE_ACCOUNTS = "identity.accounts.manage"
SERVICES = {
    "identity": "Учётные записи",
    "contingent": "Контингент и приказы",
    "schedule": "Учебный год и расписание",
    "journal": "Журнал",
    "reporting": "Отчёты",
}
POSITION_KINDS = {"staff": "сотрудник", "student": "обучающийся", "guardian": "родитель"}


def _errors(answer: Answer | None) -> dict[str, str]:
    """A refusal's messages by field (none without a refusal)."""
    if answer is None:
        return {}
    return {
        str(e.get("field", "")): str(e.get("message", ""))
        for e in answer.body.get("errors") or []
        if isinstance(e, dict)
    }


def _messages(answer: Answer | None, *fields: str) -> list[str]:
    """A refusal's messages about `fields` (any field if none named), e.g. one per student
    an order cannot concern."""
    if answer is None:
        return []
    return [
        str(e.get("message"))
        for e in answer.body.get("errors") or []
        if isinstance(e, dict) and (not fields or e.get("field") in fields)
    ]


def _form_error(answer: Answer | None, fallback: str = "") -> str | None:
    """The sentence above a refused form: the fields say why when they can."""
    if answer is None:
        return None
    if str(answer.body.get("type", "")).endswith("validation-error"):
        return "Проверьте отмеченные поля"
    return str(answer.body.get("detail") or fallback)


async def _catalogue(request: Request, shell: Shell) -> list[dict[str, Any]] | Response:
    """The permissions a position may hold, grouped by service for the form."""
    answer = await _call(request, shell, "identity", "GET", "/api/v1/permissions")
    if isinstance(answer, Response):
        return answer
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in answer.body.get("items", []):
        groups.setdefault(p["service"], []).append(p)
    return [
        {"service": SERVICES.get(service, service), "permissions": perms}
        for service, perms in groups.items()
    ]


# -- positions ----------------------------------------------------------------------------------


@router.get("/positions")
async def positions_page(request: Request) -> Response:
    shell = await _opened(request, "positions")
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, "identity", "GET", "/api/v1/positions", limit=200)
    if isinstance(answer, Response):
        return answer
    return _render(
        request,
        "positions.html",
        shell=shell,
        active="positions",
        positions=answer.body.get("items", []),
        position_kinds=POSITION_KINDS,
        may_manage=shell.has(MANAGE_POSITIONS),
    )


async def _position_form(
    request: Request,
    shell: Shell,
    *,
    position: dict[str, Any] | None,
    values: dict[str, Any],
    status: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    catalogue = await _catalogue(request, shell)
    if isinstance(catalogue, Response):
        return catalogue
    editable = shell.has(MANAGE_POSITIONS) and (position is None or not position["builtin"])
    return _render(
        request,
        "position.html",
        status,
        shell=shell,
        active="positions",
        position=position,
        values=values,
        catalogue=catalogue,
        editable=editable,
        error=error,
        errors=errors or {},
    )


@router.get("/positions/new")
async def new_position_page(request: Request) -> Response:
    shell = await _opened(request, "positions")
    if isinstance(shell, Response):
        return shell
    return await _position_form(
        request, shell, position=None, values={"title": "", "permissions": []}
    )


@router.get("/positions/{position_id}")
async def position_page(request: Request, position_id: uuid.UUID) -> Response:
    shell = await _opened(request, "positions")
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, "identity", "GET", f"/api/v1/positions/{position_id}")
    if isinstance(answer, Response):
        return answer
    return await _position_form(request, shell, position=answer.body, values=answer.body)


async def _save_position(request: Request, position_id: uuid.UUID | None) -> Response:
    form = await request.form()
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    shell = await _opened(request, "positions")
    if isinstance(shell, Response):
        return shell
    values = {
        "title": str(form.get("title") or "")[:200],
        "permissions": [str(p)[:100] for p in form.getlist("permissions")][:100],
    }
    if position_id is None:
        answer = await _call(
            request, shell, "identity", "POST", "/api/v1/positions", json=values, keep=(409, 422)
        )
    else:
        answer = await _call(
            request,
            shell,
            "identity",
            "PUT",
            f"/api/v1/positions/{position_id}",
            json=values,
            keep=(409, 422),
        )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/positions", status_code=303)
    position = None
    if position_id is not None:
        current = await _call(request, shell, "identity", "GET", f"/api/v1/positions/{position_id}")
        if isinstance(current, Response):
            return current
        position = current.body
    return await _position_form(
        request,
        shell,
        position=position,
        values=values,
        status=answer.status,
        error=str(answer.body.get("detail") or "Проверьте поля формы"),
        errors=_errors(answer),
    )


@router.post("/positions/new")
async def create_position(request: Request) -> Response:
    return await _save_position(request, None)


@router.post("/positions/{position_id}")
async def update_position(request: Request, position_id: uuid.UUID) -> Response:
    return await _save_position(request, position_id)


@router.post("/positions/{position_id}/delete")
async def delete_position(
    request: Request, position_id: uuid.UUID, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    done = await _posted(
        request, csrf, "positions", "identity", "DELETE", f"/api/v1/positions/{position_id}"
    )
    if isinstance(done, Response):
        return done
    return RedirectResponse("/positions", status_code=303)


# -- a staff member's card ---------------------------------------------------------------------


async def _staff_card(
    request: Request,
    shell: Shell,
    account_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    account = await _call(request, shell, "identity", "GET", f"/api/v1/accounts/{account_id}")
    if isinstance(account, Response):
        return account
    if account.body.get("kind") != "staff":
        return _message(
            request,
            404,
            "Не найдено",
            "Карточка есть только у сотрудников: доступ обучающихся и родителей следует "
            "за приказами.",
            shell,
        )
    held = await _call(
        request, shell, "identity", "GET", f"/api/v1/accounts/{account_id}/positions"
    )
    if isinstance(held, Response):
        return held
    positions = await _call(request, shell, "identity", "GET", "/api/v1/positions", limit=200)
    if isinstance(positions, Response):
        return positions
    return _render(
        request,
        "staff.html",
        status,
        shell=shell,
        active="accounts",
        account=account.body,
        held={p["id"] for p in held.body.get("items", [])},
        positions=[p for p in positions.body.get("items", []) if p["account_kind"] == "staff"],
        is_self=account.body.get("id") == str(shell.me.get("id")),
        may_manage_positions=shell.has(MANAGE_POSITIONS),
        may_manage_account=shell.has(MANAGE_ACCOUNTS),
        error=error,
        notice=notice,
    )


@router.get("/accounts/{account_id}")
async def staff_page(request: Request, account_id: uuid.UUID) -> Response:
    shell = await _opened(request, "accounts")
    if isinstance(shell, Response):
        return shell
    return await _staff_card(request, shell, account_id)


async def _act_on_account(
    request: Request, account_id: uuid.UUID, method: str, path: str, json: Any, done: str
) -> Response:
    shell = await _opened(request, "accounts")
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, "identity", method, path, json=json, keep=(403, 409, 422))
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return await _staff_card(request, shell, account_id, notice=done)
    return await _staff_card(
        request,
        shell,
        account_id,
        status=answer.status,
        error=str(answer.body.get("detail") or "Действие не выполнено"),
    )


@router.post("/accounts/{account_id}/positions")
async def set_positions(request: Request, account_id: uuid.UUID) -> Response:
    form = await request.form()
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    ids = [str(p) for p in form.getlist("positions")][:50]
    return await _act_on_account(
        request,
        account_id,
        "PUT",
        f"/api/v1/accounts/{account_id}/positions",
        {"position_ids": ids},
        "Должности сохранены. Новые права действуют со следующего входа сотрудника.",
    )


@router.post("/accounts/{account_id}/login")
async def change_login(
    request: Request,
    account_id: uuid.UUID,
    login: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    return await _act_on_account(
        request,
        account_id,
        "PUT",
        f"/api/v1/accounts/{account_id}/login",
        {"login": login},
        "Логин изменён.",
    )


@router.post("/accounts/{account_id}/state/{action}")
async def set_state(
    request: Request,
    account_id: uuid.UUID,
    action: str,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if action not in ("disable", "enable"):
        return _message(request, 404, "Не найдено", "Такого действия нет.")
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    return await _act_on_account(
        request,
        account_id,
        "POST",
        f"/api/v1/accounts/{account_id}/{action}",
        None,
        "Учётная запись отключена, её сеансы завершены."
        if action == "disable"
        else "Учётная запись снова действует.",
    )


# -- activity -----------------------------------------------------------------------------------


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@router.get("/activity")
async def activity_page(
    request: Request,
    start: str | None = None,
    end: str | None = None,
    kind: str = "",
    offset: int = 0,
) -> Response:
    shell = await _opened(request, "activity")
    if isinstance(shell, Response):
        return shell
    today = datetime.now(UTC).date()
    # The regulations' report is every two weeks: that is the default period.
    first, last = _day(start, today - timedelta(days=13)), _day(end, today)
    kind = kind if kind in ("staff", "student", "guardian") else ""
    params: dict[str, Any] = {"from": str(first), "to": str(last), "limit": PAGE}
    params["offset"] = max(offset, 0)
    if kind:
        params["kind"] = kind
    answer = await _call(
        request, shell, "identity", "GET", "/api/v1/activity", keep=(422,), **params
    )
    if isinstance(answer, Response):
        return answer
    base = f"/activity?start={first}&end={last}&kind={kind}"
    return _render(
        request,
        "activity.html",
        shell=shell,
        active="activity",
        start=first,
        end=last,
        kind=kind,
        rows=answer.body.get("items", []) if answer.ok else [],
        error=None if answer.ok else answer.body.get("detail"),
        pages=_pages(answer, base) if answer.ok else None,
    )


# -- region -------------------------------------------------------------------------------------


@router.get("/region/usage")
async def usage_page(request: Request, days: int = 14, offset: int = 0) -> Response:
    days = days if 1 <= days <= 366 else 14
    return await _list_page(
        request,
        "usage",
        "identity",
        "/api/v1/region/usage",
        "usage.html",
        items="rows",
        base=f"/region/usage?days={days}",
        offset=offset,
        params={"days": days},
        days=days,
    )


# -- one sign-in for a person working in several organisations ------------------------


@router.get("/region/accounts/join")
async def join_page(request: Request) -> Response:
    shell = await _opened(request, "join")
    if isinstance(shell, Response):
        return shell
    return _render(request, "join.html", shell=shell, active="join", form={}, errors={})


@router.post("/region/accounts/join")
async def join_accounts(
    request: Request,
    login: Annotated[str, Form(max_length=64)] = "",
    account_login: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    form = {"login": login.strip(), "account_login": account_login.strip()}
    done = await _posted(
        request,
        csrf,
        "join",
        "identity",
        "POST",
        "/api/v1/region/accounts/join",
        json=form,
        keep=(404, 409, 422),
    )
    if isinstance(done, Response):
        return done
    shell, answer = done
    if not answer.ok:
        return _render(
            request,
            "join.html",
            answer.status,
            shell=shell,
            active="join",
            form=form,
            errors=_errors(answer),
            error=answer.body.get("detail") or "Проверьте поля формы",
        )
    return _render(
        request,
        "join.html",
        shell=shell,
        active="join",
        form={},
        errors={},
        joined=answer.body,
        kinds=POSITION_KINDS,
    )
