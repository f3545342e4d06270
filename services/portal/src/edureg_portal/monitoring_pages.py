"""Deadline compliance in the portal: the region's monitoring console (charts by
municipality, organisation and week; drill-down region → municipality → organisation →
rule → overdue lessons) and the regulation profile; an organisation's own compliance with
its own deadlines. Only counts and lessons — reporting returns no child to the region."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _form_error
from edureg_portal.identity_client import Answer
from edureg_portal.journal_pages import _field_errors
from edureg_portal.pages import Shell, _call, _message, _opened, _posted_form, _render
from edureg_portal.schedule_pages import _date, _today

router = APIRouter(include_in_schema=False)

KINDS = {"staff": "сотрудники", "student": "обучающиеся", "guardian": "родители"}
STATUS = {"overdue": "не внесён", "late": "внесён с опозданием"}


def _range(start: str | None, end: str | None) -> dict[str, str]:
    """The dates asked for; by default the school year so far (from 1 September)."""
    today = _today()
    year = today.year if today.month >= 9 else today.year - 1
    first = _date(start, date(year, 9, 1))
    last = _date(end, today)
    return {"from": first.isoformat(), "to": last.isoformat()}


def _rules(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in figures["rules"]}


def _bars(rows: list[tuple[str, float | None, str, str | None]]) -> list[dict[str, Any]]:
    """A bar chart's rows: (label, per cent or None, the figure's words, link)."""
    return [
        {
            "label": label,
            "value": value,
            "width": max(0.0, min(100.0, value or 0.0)),
            "note": note,
            "href": href,
        }
        for label, value, note, href in rows
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _rate_note(rule: dict[str, Any]) -> str:
    if not rule["due"]:
        return "нечего проверять"
    return f"{rule['in_time']} из {rule['due']} в срок"


def _completeness(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Bars of what is filled in: the card, groups' curricula and timetables, plans."""
    return _bars(
        [
            (
                c["title"],
                c["rate"],
                f"{c['filled']} из {c['total']}" if c["total"] else "нечего считать",
                None,
            )
            for c in figures.get("completeness", [])
        ]
    )


def _trend(trend: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": f"{w['week'][8:10]}.{w['week'][5:7]}",
            "value": w["rate"],
            "height": max(0.0, min(100.0, w["rate"] or 0.0)),
            "note": f"неделя с {w['week'][8:10]}.{w['week'][5:7]}: {w['in_time']} из {w['due']} в срок",
        }
        for w in trend
    ]


@router.get("/region/monitoring")
async def region_page(
    request: Request,
    municipality: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    shell = await _opened(request, "monitoring")
    if isinstance(shell, Response):
        return shell
    params = _range(start, end)
    answer = await _call(
        request, shell, "reporting", "GET", "/api/v1/region/monitoring", keep=(422,), **params
    )
    if isinstance(answer, Response):
        return answer
    data = answer.body if answer.ok else None
    scope = None
    orgs: list[dict[str, Any]] = []
    by_municipality: list[dict[str, Any]] = []
    if data:
        names = [m["municipality"] for m in data["municipalities"]]
        scope = municipality if municipality in names else None
        chosen = next((m for m in data["municipalities"] if m["municipality"] == scope), None)
        figures = chosen or data["region"]
        orgs = [o for o in data["organisations"] if scope is None or o["municipality"] == scope]
        by_municipality = _bars(
            [
                (
                    m["municipality"] or "без района",
                    _rules(m)["lesson_entry"]["rate"],
                    _rate_note(_rules(m)["lesson_entry"]),
                    "/region/monitoring?"
                    + urlencode({"municipality": m["municipality"], **params}),
                )
                for m in data["municipalities"]
            ]
        )
        org_bars = _bars(
            [
                (
                    o["short_name"],
                    _rules(o)["lesson_entry"]["rate"],
                    _rate_note(_rules(o)["lesson_entry"]),
                    f"/region/monitoring/organisations/{o['organisation_id']}?{urlencode(params)}",
                )
                for o in orgs
            ]
        )
    quality_bars = _bars(
        [
            (
                o["short_name"],
                o["quality_rate"],
                f"успеваемость {_percent(o['success_rate'])}, с оценками {o['rated_students']}",
                None,
            )
            for o in orgs
        ]
    )
    # Data completeness for the chosen scope (the region, or one district).
    filled = _completeness(figures) if data else []
    return _render(
        request,
        "monitoring_region.html",
        shell=shell,
        active="monitoring",
        params=params,
        data=data,
        scope=scope,
        figures=_rules(figures) if data else {},
        totals=figures if data else None,
        municipalities=by_municipality,
        org_bars=org_bars if data else [],
        quality_bars=quality_bars,
        filled=filled,
        orgs=[{**o, "r": _rules(o)} for o in orgs],
        trend=_trend(data["trend"]) if data else [],
        kinds=KINDS,
        error=_form_error(answer) if not answer.ok else None,
    )


async def _organisation(
    request: Request,
    shell: Shell,
    key: str,
    figures_path: str,
    overdue_path: str,
    params: dict[str, str],
    **context: Any,
) -> Response:
    found = await _call(request, shell, "reporting", "GET", figures_path, keep=(422,), **params)
    if isinstance(found, Response):
        return found
    overdue = None
    if found.ok:
        o = await _call(request, shell, "reporting", "GET", overdue_path, **params)
        if isinstance(o, Response):
            return o
        overdue = o.body
    data = found.body if found.ok else None
    return _render(
        request,
        "monitoring_org.html",
        found.status if not found.ok else 200,
        shell=shell,
        active=key,
        params=params,
        data=data,
        figures=_rules(data) if data else {},
        filled=_completeness(data) if data else [],
        trend=_trend(data["trend"]) if data else [],
        overdue=overdue,
        statuses=STATUS,
        kinds=KINDS,
        error=_form_error(found) if not found.ok else None,
        **context,
    )


@router.get("/region/monitoring/organisations/{organisation_id}")
async def region_organisation_page(
    request: Request,
    organisation_id: uuid.UUID,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    shell = await _opened(request, "monitoring")
    if isinstance(shell, Response):
        return shell
    return await _organisation(
        request,
        shell,
        "monitoring",
        f"/api/v1/region/organisations/{organisation_id}/monitoring",
        f"/api/v1/region/organisations/{organisation_id}/overdue",
        _range(start, end),
        base=f"/region/monitoring/organisations/{organisation_id}",
        regional=True,
    )


ITEM_STATUS = {"overdue": "не сделано, срок прошёл", "late": "сделано с опозданием:"}


async def _items_page(
    request: Request, shell: Shell, key: str, path: str, back: str, params: dict[str, str]
) -> Response:
    found = await _call(request, shell, "reporting", "GET", path, keep=(404, 422), **params)
    if isinstance(found, Response):
        return found
    if found.status == 404:
        detail = str(found.body.get("detail") or "Такого правила или организации нет.")
        return _message(request, 404, "Не найдено", detail, shell)
    return _render(
        request,
        "monitoring_items.html",
        found.status if not found.ok else 200,
        shell=shell,
        active=key,
        page=found.body if found.ok else None,
        back=back,
        params=params,
        statuses=ITEM_STATUS,
        error=_form_error(found) if not found.ok else None,
    )


@router.get("/region/monitoring/organisations/{organisation_id}/rules/{rule}")
async def region_items_page(
    request: Request,
    organisation_id: uuid.UUID,
    rule: str,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    shell = await _opened(request, "monitoring")
    if isinstance(shell, Response):
        return shell
    params = _range(start, end)
    return await _items_page(
        request,
        shell,
        "monitoring",
        f"/api/v1/region/organisations/{organisation_id}/items",
        f"/region/monitoring/organisations/{organisation_id}?{urlencode(params)}",
        {**params, "rule": rule[:40]},
    )


@router.get("/reports/compliance/rules/{rule}")
async def own_items_page(
    request: Request,
    rule: str,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    shell = await _opened(request, "compliance")
    if isinstance(shell, Response):
        return shell
    params = _range(start, end)
    return await _items_page(
        request,
        shell,
        "compliance",
        "/api/v1/compliance/items",
        f"/reports/compliance?{urlencode(params)}",
        {**params, "rule": rule[:40]},
    )


async def _own_rules(request: Request, shell: Shell) -> list[dict[str, Any]] | Response:
    found = await _call(request, shell, "reporting", "GET", "/api/v1/regulations")
    if isinstance(found, Response):
        return found
    return list(found.body.get("items", []))


@router.get("/reports/compliance")
async def own_page(
    request: Request,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    saved: bool = False,
) -> Response:
    shell = await _opened(request, "compliance")
    if isinstance(shell, Response):
        return shell
    settings = await _own_rules(request, shell)
    if isinstance(settings, Response):
        return settings
    return await _organisation(
        request,
        shell,
        "compliance",
        "/api/v1/compliance",
        "/api/v1/compliance/overdue",
        _range(start, end),
        base="/reports/compliance",
        regional=False,
        settings=settings,
        may_edit=shell.has("reporting.regulations.write"),
        saved=saved,
        field_errors={},
    )


def _typed(form: Any, prefix: str) -> tuple[dict[str, int], dict[str, str]]:
    """The deadlines typed in a form (`<prefix>-<code>`); a field left empty is not sent."""
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, value in form.items():
        if not key.startswith(prefix) or not str(value).strip():
            continue
        code = key[len(prefix) :]
        try:
            values[code] = int(str(value).strip())
        except ValueError:
            errors[f"{prefix}{code}"] = "Введите целое число"
    return values, errors


@router.post("/reports/compliance")
async def save_own_rules(request: Request) -> Response:
    posted = await _posted_form(request, "compliance")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values, errors = _typed(form, "own-")
    reasons = {c: str(form.get(f"reason-{c}") or "") for c in values}
    answer: Answer | None = None
    if not errors:
        done = await _call(
            request,
            shell,
            "reporting",
            "PUT",
            "/api/v1/regulations",
            json={"rules": values, "reasons": reasons},
            keep=(422,),
        )
        if isinstance(done, Response):
            return done
        if done.ok:
            return RedirectResponse("/reports/compliance?saved=1", status_code=303)
        answer = done
        errors = _field_errors(
            done,
            {
                **{f"rules.{c}": f"own-{c}" for c in values},
                **{f"reasons.{c}": f"reason-{c}" for c in values},
            },
        )
    settings = await _own_rules(request, shell)
    if isinstance(settings, Response):
        return settings
    for s in settings:  # what was typed stays on the screen
        s["own"] = values.get(s["code"], s["own"])
        s["reason"] = reasons.get(s["code"], s["reason"])
    page = await _organisation(
        request,
        shell,
        "compliance",
        "/api/v1/compliance",
        "/api/v1/compliance/overdue",
        _range(None, None),
        base="/reports/compliance",
        regional=False,
        settings=settings,
        may_edit=True,
        saved=False,
        field_errors=errors,
        form_error=_form_error(answer, "Проверьте отмеченные поля")
        if answer
        else "Проверьте отмеченные поля",
    )
    page.status_code = 422
    return page


@router.get("/region/regulations")
async def region_rules_page(request: Request, saved: bool = False) -> Response:
    shell = await _opened(request, "regulations")
    if isinstance(shell, Response):
        return shell
    return await _region_rules(request, shell, saved=saved)


async def _region_rules(
    request: Request,
    shell: Shell,
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    typed: dict[str, int] | None = None,
    status: int = 200,
) -> Response:
    found = await _call(request, shell, "reporting", "GET", "/api/v1/region/regulations")
    if isinstance(found, Response):
        return found
    rules = list(found.body.get("items", []))
    for r in rules:
        if typed and r["code"] in typed:
            r["region"] = typed[r["code"]]
    return _render(
        request,
        "monitoring_rules.html",
        status,
        shell=shell,
        active="regulations",
        rules=rules,
        may_edit=shell.has("region.regulations.write"),
        saved=saved,
        field_errors=errors or {},
        error="Проверьте отмеченные поля" if errors else None,
    )


@router.post("/region/regulations")
async def save_region_rules(request: Request) -> Response:
    posted = await _posted_form(request, "regulations")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values, errors = _typed(form, "region-")
    if not errors:
        done = await _call(
            request,
            shell,
            "reporting",
            "PUT",
            "/api/v1/region/regulations",
            json={"rules": values},
            keep=(422,),
        )
        if isinstance(done, Response):
            return done
        if done.ok:
            return RedirectResponse("/region/regulations?saved=1", status_code=303)
        errors = _field_errors(done, {f"rules.{c}": f"region-{c}" for c in values})
    return await _region_rules(request, shell, errors=errors, typed=values, status=422)
