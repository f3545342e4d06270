"""The movement book in the portal (001 IV–V, 004 4.2–4.4): the register filtered by
kind, group and dates; an order drafted by the academic office (pick the kind, the group,
the students), its refusals shown by field and by student; signing; a cancelling order.

Every form posts back here with the session's CSRF token; contingent decides and checks
again (the portal only hides what the user may not do)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors, _form_error, _messages
from edureg_portal.identity_client import Answer, ServiceUnavailable
from edureg_portal.pages import (
    ORDER_KINDS,
    ORDER_STATUSES,
    PAGE,
    RELATIONS,
    Shell,
    _call,
    _opened,
    _pages,
    _posted_form,
    _refused,
    _render,
    _service,
    _unavailable,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.orders.write"
SIGN = "contingent.orders.sign"
STUDENT_STATUSES = {
    "pending": "в проекте приказа",
    "active": "обучается",
    "on_leave": "в академическом отпуске",
    "expelled": "отчислен",
    "graduated": "выпущен",
    "annulled": "зачисление отменено",
}
# Whose students each kind concerns, and what it asks for.
CHOOSE_FROM = {
    "expulsion": ("active", "on_leave"),
    "transfer": ("active",),
    "retention": ("active",),
    "academic_leave": ("active",),
    "leave_return": ("on_leave",),
    "reinstatement": ("expelled",),
    "promotion": ("active",),
    "graduation": ("active",),
}
WHOLE_GROUP = ("promotion", "graduation")  # everyone in the group but those ticked
TARGET = ("transfer", "retention", "promotion", "reinstatement", "leave_return")
FIELD_TITLES = {
    "number": "номер",
    "order_date": "дата приказа",
    "effective_date": "дата вступления в силу",
    "to_group_id": "группа",
    "group_id": "группа",
    "student_ids": "обучающиеся",
    "except_student_ids": "исключённые из приказа",
    "leave_until": "окончание отпуска",
    "reason_code": "основание",
    "surname": "фамилия",
    "name": "имя",
    "patronymic": "отчество",
    "birth_date": "дата рождения",
    "sex": "пол",
    "snils": "СНИЛС",
    "phone": "телефон",
    "relation": "кем приходится",
    "guardians": "законные представители",
}


def field_title(path: str) -> str:
    """A service's field path as the form names it: «Законный представитель: СНИЛС»."""
    parts = path.split(".")
    title = FIELD_TITLES.get(parts[-1], parts[-1] if not parts[-1].isdigit() else "данные")
    if "guardians" in parts[:-1]:
        return f"законный представитель: {title}"
    if parts[0] == "students" and len(parts) > 1:
        return f"обучающийся: {title}"
    return title


async def _groups(request: Request, shell: Shell) -> list[dict[str, Any]] | Response:
    answer = await _call(request, shell, "contingent", "GET", "/api/v1/groups", limit=200)
    if isinstance(answer, Response):
        return answer
    return list(answer.body.get("items", []))


@router.get("/orders")
async def orders_page(
    request: Request,
    offset: int = 0,
    kind: str = "",
    group: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    shell = await _opened(request, "orders")
    if isinstance(shell, Response):
        return shell
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    filters = {
        "kind": kind if kind in ORDER_KINDS else "",
        "group_id": group if group in {g["id"] for g in groups} else "",
        "date_from": date_from[:10],
        "date_to": date_to[:10],
    }
    params = {k: v for k, v in filters.items() if v}
    answer = await _call(
        request,
        shell,
        "contingent",
        "GET",
        "/api/v1/orders",
        keep=(422,),
        limit=PAGE,
        offset=max(offset, 0),
        **params,
    )
    if isinstance(answer, Response):
        return answer
    query = "&".join(
        f"{k}={v}" for k, v in {**params, "group": params.pop("group_id", "")}.items() if v
    )
    return _render(
        request,
        "orders.html",
        shell=shell,
        active="orders",
        orders=answer.body.get("items", []) if answer.ok else [],
        error=None if answer.ok else "Проверьте даты отбора",
        pages=_pages(answer, "/orders" + (f"?{query}" if query else "")),
        kinds_of_order=ORDER_KINDS,
        statuses=ORDER_STATUSES,
        groups=groups,
        group_names={g["id"]: g["name"] for g in groups},
        filters=filters,
        export_query=query,
        may_draft=shell.has(WRITE),
    )


@router.get("/orders/new/{kind}")
async def new_order_page(request: Request, kind: str, group: str = "", order: str = "") -> Response:
    shell = await _opened(request, "orders")
    if isinstance(shell, Response):
        return shell
    if kind in ("hiring", "dismissal"):  # staff orders are drafted from the HR cards
        return RedirectResponse("/staff-files", status_code=303)
    if kind not in ORDER_KINDS:
        return RedirectResponse("/orders", status_code=303)
    return await _form(request, shell, kind, {"group": group, "cancelled_order_id": order})


async def _form(
    request: Request,
    shell: Shell,
    kind: str,
    values: dict[str, Any],
    *,
    status: int = 200,
    answer: Answer | None = None,
) -> Response:
    """The draft form of one kind: the group's students to tick once a group is chosen."""
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    group = values.get("group") if values.get("group") in {g["id"] for g in groups} else ""
    students: list[dict[str, Any]] = []
    if group and kind in CHOOSE_FROM:
        found = await _call(
            request,
            shell,
            "contingent",
            "GET",
            "/api/v1/students",
            group_id=group,
            status=list(CHOOSE_FROM[kind]),
            limit=200,
        )
        if isinstance(found, Response):
            return found
        students = list(found.body.get("items", []))
    reasons = await _call(
        request, shell, "contingent", "GET", "/api/v1/order-reasons", kind=kind, limit=50
    )
    if isinstance(reasons, Response):
        return reasons
    destinations: list[dict[str, Any]] = []
    if kind == "expulsion":
        found_orgs = await _call(
            request, shell, "contingent", "GET", "/api/v1/organisations", limit=200
        )
        if isinstance(found_orgs, Response):
            return found_orgs
        destinations = list(found_orgs.body.get("items", []))
    cancelled = None
    if kind == "cancellation" and values.get("cancelled_order_id"):
        got = await _call(
            request,
            shell,
            "contingent",
            "GET",
            f"/api/v1/orders/{values['cancelled_order_id']}",
        )
        if isinstance(got, Response):
            return got
        cancelled = got.body
    errors = _errors(answer)
    return _render(
        request,
        "order_form.html",
        status,
        shell=shell,
        active="orders",
        kind=kind,
        title=ORDER_KINDS[kind],
        values=values,
        groups=groups,
        open_groups=[g for g in groups if not g.get("closed_on")],
        group=group,
        students=students,
        student_statuses=STUDENT_STATUSES,
        whole_group=kind in WHOLE_GROUP,
        needs_target=kind in TARGET,
        reasons=reasons.body.get("items", []),
        relations=RELATIONS,
        cancelled=cancelled,
        destinations=destinations,
        kinds_of_order=ORDER_KINDS,
        error=_form_error(answer, "Проверьте поля формы"),
        errors=errors,
        student_errors=_messages(answer, "student_ids", "except_student_ids"),
        field_title=field_title,
    )


def _text(form: Any, name: str, limit: int = 100) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _body(kind: str, form: Any) -> tuple[str, dict[str, Any]]:
    """The service call a submitted form makes: its path and JSON body."""
    body: dict[str, Any] = {
        "number": _text(form, "number", 30),
        "order_date": _text(form, "order_date", 10) or None,
        "effective_date": _text(form, "effective_date", 10) or None,
    }
    reason = _text(form, "reason_code", 30)
    comment = _text(form, "reason_comment", 500)
    ticked = [str(s)[:36] for s in form.getlist("students")][:1000]
    if kind == "enrolment":
        guardian = {
            "surname": _text(form, "guardian_surname"),
            "name": _text(form, "guardian_name"),
            "patronymic": _text(form, "guardian_patronymic") or None,
            "relation": _text(form, "guardian_relation", 20) or "other",
            "phone": _text(form, "guardian_phone", 20) or None,
            "snils": _text(form, "guardian_snils", 20) or None,
        }
        student = {
            "surname": _text(form, "surname"),
            "name": _text(form, "name"),
            "patronymic": _text(form, "patronymic") or None,
            "birth_date": _text(form, "birth_date", 10) or None,
            "sex": _text(form, "sex", 1) or None,
            "guardians": [guardian] if guardian["surname"] or guardian["name"] else [],
        }
        body.update(group_id=_text(form, "group", 36) or None, students=[student])
        return "/api/v1/orders/enrolment", body
    if reason:
        body["reason_code"] = reason
    if comment:
        body["reason_comment"] = comment
    if kind == "expulsion":
        body["student_ids"] = ticked
        destination = _text(form, "transfer_to_organisation_id", 36)
        if destination:
            body["transfer_to_organisation_id"] = destination
            body["file_consent"] = form.get("file_consent") == "yes"
        return "/api/v1/orders/expulsion", body
    body["kind"] = kind
    target = _text(form, "to_group_id", 36) or None
    if kind == "cancellation":
        body["cancelled_order_id"] = _text(form, "cancelled_order_id", 36) or None
    elif kind == "promotion":
        body.update(
            from_group_id=_text(form, "group", 36) or None,
            to_group_id=target,
            except_student_ids=ticked,
        )
    elif kind == "graduation":
        body.update(group_id=_text(form, "group", 36) or None, except_student_ids=ticked)
    else:
        body["student_ids"] = ticked
        if kind in TARGET:
            body["to_group_id"] = target
        if kind == "academic_leave":
            body["leave_until"] = _text(form, "leave_until", 10) or None
    return "/api/v1/orders/movement", body


@router.post("/orders/new/{kind}")
async def create_order(request: Request, kind: str) -> Response:
    posted = await _posted_form(request, "orders")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    if kind not in ORDER_KINDS or kind in ("hiring", "dismissal"):
        return RedirectResponse("/orders", status_code=303)
    path, body = _body(kind, form)
    answer = await _call(
        request, shell, "contingent", "POST", path, json=body, keep=(404, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/orders/{answer.body['id']}", status_code=303)
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k != "csrf"}
    values["students"] = [str(s) for s in form.getlist("students")]
    return await _form(request, shell, kind, values, status=answer.status, answer=answer)


async def _order_page(
    request: Request,
    shell: Shell,
    order_id: uuid.UUID,
    *,
    refusal: Answer | None = None,
    signed: bool = False,
) -> Response:
    answer = await _call(request, shell, "contingent", "GET", f"/api/v1/orders/{order_id}")
    if isinstance(answer, Response):
        return answer
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    order = answer.body
    return _render(
        request,
        "order.html",
        refusal.status if refusal else 200,
        shell=shell,
        active="orders",
        order=order,
        just_signed=signed and order["status"] == "signed",
        group_names={g["id"]: g["name"] for g in groups},
        kinds_of_order=ORDER_KINDS,
        statuses=ORDER_STATUSES,
        may_sign=order["status"] == "draft" and shell.has(SIGN),
        may_cancel=order["status"] == "signed"
        and order["kind"] not in ("cancellation", "hiring", "dismissal")
        and not order.get("cancelled_by_order_id")
        and shell.has(WRITE),
        error=str(refusal.body.get("detail") or "Приказ не подписан") if refusal else None,
        problems=_messages(refusal),
    )


@router.get("/orders/{order_id}")
async def order_page(request: Request, order_id: uuid.UUID, signed: bool = False) -> Response:
    shell = await _opened(request, "orders")
    if isinstance(shell, Response):
        return shell
    return await _order_page(request, shell, order_id, signed=signed)


@router.post("/orders/{order_id}/sign")
async def sign_order(request: Request, order_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "orders")
    if isinstance(posted, Response):
        return posted
    _, shell = posted
    answer = await _call(
        request,
        shell,
        "contingent",
        "POST",
        f"/api/v1/orders/{order_id}/sign",
        keep=(409, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/orders/{order_id}?signed=1", status_code=303)
    return await _order_page(request, shell, order_id, refusal=answer)


# -- transfers between organisations -------------------------------------------------------

TRANSFER_STATUSES = {
    "pending": "ожидает решения",
    "accepted": "принят",
    "refused": "отказано",
    "withdrawn": "отозван отправителем",
}


@router.get("/transfers")
async def transfers_page(request: Request) -> Response:
    shell = await _opened(request, "transfers")
    if isinstance(shell, Response):
        return shell
    incoming = await _call(
        request, shell, "contingent", "GET", "/api/v1/transfers/incoming", limit=PAGE
    )
    if isinstance(incoming, Response):
        return incoming
    outgoing = await _call(
        request, shell, "contingent", "GET", "/api/v1/transfers/outgoing", limit=PAGE
    )
    if isinstance(outgoing, Response):
        return outgoing
    return _render(
        request,
        "transfers.html",
        shell=shell,
        active="transfers",
        incoming=incoming.body.get("items", []),
        outgoing=outgoing.body.get("items", []),
        statuses=TRANSFER_STATUSES,
    )


async def _transfer_page(
    request: Request,
    shell: Shell,
    request_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    found = await _call(
        request, shell, "contingent", "GET", f"/api/v1/transfers/incoming/{request_id}"
    )
    if isinstance(found, Response):
        return found
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    return _render(
        request,
        "transfer.html",
        answer.status if answer else 200,
        shell=shell,
        active="transfers",
        transfer=found.body,
        statuses=TRANSFER_STATUSES,
        relations=RELATIONS,
        kinds_of_order=ORDER_KINDS,
        open_groups=[g for g in groups if not g.get("closed_on")],
        values=values or {},
        error=str(answer.body.get("detail") or "Проверьте поля формы") if answer else None,
        errors=_errors(answer),
    )


@router.get("/transfers/{request_id}")
async def transfer_page(request: Request, request_id: uuid.UUID) -> Response:
    shell = await _opened(request, "transfers")
    if isinstance(shell, Response):
        return shell
    return await _transfer_page(request, shell, request_id)


@router.post("/transfers/{request_id}/{decision}")
async def decide_transfer(request: Request, request_id: uuid.UUID, decision: str) -> Response:
    posted = await _posted_form(request, "transfers")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    if decision == "accept":
        body: dict[str, Any] = {
            "number": _text(form, "number", 30),
            "order_date": _text(form, "order_date", 10) or None,
            "effective_date": _text(form, "effective_date", 10) or None,
            "group_id": _text(form, "group", 36) or None,
        }
        path = f"/api/v1/transfers/incoming/{request_id}/enrolment"
    elif decision == "refuse":
        body = {"reason": _text(form, "reason", 500)}
        path = f"/api/v1/transfers/incoming/{request_id}/refuse"
    else:
        return RedirectResponse(f"/transfers/{request_id}", status_code=303)
    answer = await _call(request, shell, "contingent", "POST", path, json=body, keep=(409, 422))
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        to = f"/orders/{answer.body['id']}" if decision == "accept" else "/transfers"
        return RedirectResponse(to, status_code=303)
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    return await _transfer_page(request, shell, request_id, values=values, answer=answer)


async def _csv_download(request: Request, key: str, path: str, **params: Any) -> Response:
    """A service's CSV export, handed to the browser as the download it is."""
    shell = await _opened(request, key)
    if isinstance(shell, Response):
        return shell
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    try:
        answer, r = await _service(request, "contingent").download(
            "GET", path + (f"?{query}" if query else ""), shell.token
        )
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if not answer.ok and r.status_code != 200:
        return _refused(request, shell, answer)
    return Response(
        content=r.content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": r.headers.get("content-disposition", "attachment"),
            "Cache-Control": "no-store",
        },
    )


@router.get("/orders-export.csv")
async def export_book(
    request: Request, kind: str = "", group: str = "", date_from: str = "", date_to: str = ""
) -> Response:
    return await _csv_download(
        request,
        "orders",
        "/api/v1/exports/orders.csv",
        kind=kind if kind in ORDER_KINDS else "",
        group_id=group[:36],
        date_from=date_from[:10],
        date_to=date_to[:10],
    )


@router.get("/students-register.csv")
async def export_register(request: Request) -> Response:
    return await _csv_download(request, "students", "/api/v1/exports/contingent-register.csv")
