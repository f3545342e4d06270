"""Admissions in the portal (002 4.8): the year's campaign, applications, the ranking
per competition, and one enrolment order for the applicants ticked (signed on the
order's page). Contingent decides and checks again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _errors, _form_error, _messages
from edureg_portal.identity_client import Answer
from edureg_portal.order_pages import _groups
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _posted_form,
    _render,
)

router = APIRouter(include_in_schema=False)

WRITE = "contingent.admissions.write"
EDUCATION = {
    "basic_general": "основное общее (9 классов)",
    "secondary_general": "среднее общее (11 классов)",
    "vocational": "среднее профессиональное",
}
FUNDING = {"budget": "бюджет", "contract": "договор"}
FORMS = {"full_time": "очная", "part_time": "очно-заочная", "extramural": "заочная"}
STATUSES = {"applied": "подано заявление", "in_order": "в проекте приказа", "enrolled": "зачислен"}


def _problem(answer: Answer | None) -> tuple[str | None, dict[str, str], list[str]]:
    return _form_error(answer), _errors(answer), _messages(answer, "applicant_ids")


@router.get("/admissions")
async def admissions_page(request: Request) -> Response:
    shell = await _opened(request, "admissions")
    if isinstance(shell, Response):
        return shell
    return await _campaigns(request, shell)


async def _campaigns(
    request: Request,
    shell: Shell,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    found = await _call(request, shell, "contingent", "GET", "/api/v1/admissions", limit=50)
    if isinstance(found, Response):
        return found
    error, errors, _ = _problem(answer)
    return _render(
        request,
        "admissions.html",
        answer.status if answer else 200,
        shell=shell,
        active="admissions",
        campaigns=found.body.get("items", []),
        editable=shell.has(WRITE),
        values=values or {},
        error=error,
        errors=errors,
    )


@router.post("/admissions")
async def create_campaign(request: Request) -> Response:
    posted = await _posted_form(request, "admissions")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:200] for k, v in form.items() if k != "csrf"}
    body = {k: values.get(k) or None for k in ("year", "title", "starts_on", "ends_on")}
    answer = await _call(
        request, shell, "contingent", "POST", "/api/v1/admissions", json=body, keep=(409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/admissions/{answer.body['id']}", status_code=303)
    return await _campaigns(request, shell, values=values, answer=answer)


async def _campaign(
    request: Request,
    shell: Shell,
    campaign_id: uuid.UUID,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    ranking = await _call(
        request, shell, "contingent", "GET", f"/api/v1/admissions/{campaign_id}/ranking"
    )
    if isinstance(ranking, Response):
        return ranking
    specialties = await _call(request, shell, "contingent", "GET", "/api/v1/specialties", limit=200)
    if isinstance(specialties, Response):
        return specialties
    groups = await _groups(request, shell)
    if isinstance(groups, Response):
        return groups
    error, errors, listed = _problem(answer)
    return _render(
        request,
        "admission.html",
        answer.status if answer else 200,
        shell=shell,
        active="admissions",
        campaign_id=campaign_id,
        competitions=ranking.body.get("items", []),
        specialties=specialties.body.get("items", []),
        specialty_names={
            s["id"]: f"{s['code']} {s['name']}" for s in specialties.body.get("items", [])
        },
        groups=[g for g in groups if not g.get("closed_on")],
        education=EDUCATION,
        funding=FUNDING,
        forms=FORMS,
        statuses=STATUSES,
        editable=shell.has(WRITE),
        may_enrol=shell.has("contingent.orders.write"),
        form=form,
        values=values or {},
        error=error,
        errors=errors,
        listed=listed,
    )


@router.get("/admissions/{campaign_id}")
async def campaign_page(request: Request, campaign_id: uuid.UUID) -> Response:
    shell = await _opened(request, "admissions")
    if isinstance(shell, Response):
        return shell
    return await _campaign(request, shell, campaign_id)


@router.post("/admissions/{campaign_id}/{action}")
async def campaign_action(request: Request, campaign_id: uuid.UUID, action: str) -> Response:
    posted = await _posted_form(request, "admissions")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values: dict[str, Any] = {
        k: str(v).strip()[:200] for k, v in form.items() if k not in ("csrf", "applicants")
    }
    if action == "applicant":
        keys = [
            "surname",
            "name",
            "patronymic",
            "birth_date",
            "sex",
            "education_level",
            "specialty_id",
            "study_form",
            "funding",
            "applied_on",
            "certificate_average",
            "guardian_surname",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
        ]
        body: dict[str, Any] = {k: values.get(k) or None for k in keys}
        if body["certificate_average"]:
            body["certificate_average"] = str(body["certificate_average"]).replace(",", ".")
        path = f"/api/v1/admissions/{campaign_id}/applicants"
    elif action == "enrolment":
        body = {
            "number": values.get("number") or "",
            "order_date": values.get("order_date") or None,
            "effective_date": values.get("effective_date") or None,
            "group_id": values.get("group_id") or None,
            "applicant_ids": [str(a)[:36] for a in form.getlist("applicants")][:1000],
        }
        path = f"/api/v1/admissions/{campaign_id}/enrolment"
    else:
        return RedirectResponse(f"/admissions/{campaign_id}", status_code=303)
    answer = await _call(
        request, shell, "contingent", "POST", path, json=body, keep=(404, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        to = (
            f"/orders/{answer.body['id']}"
            if action == "enrolment"
            else f"/admissions/{campaign_id}"
        )
        return RedirectResponse(to, status_code=303)
    values["applicants"] = [str(a) for a in form.getlist("applicants")]
    return await _campaign(request, shell, campaign_id, form=action, values=values, answer=answer)
