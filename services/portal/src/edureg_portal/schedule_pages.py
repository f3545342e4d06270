"""The schedule in the portal: the academic year, holidays and bells; rooms, subjects
and curricula; teaching load and subgroups; the timetable editor (a week grid per group
that names a clash the moment it is made); the day's changes; "my timetable" for
teachers, students and parents, with a calendar link for their phones. Schedule decides
and checks again."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from edureg_portal.admin_pages import _errors, _form_error
from edureg_portal.identity_client import Answer, ServiceUnavailable
from edureg_portal.pages import (
    ZONE,
    Shell,
    _call,
    _message,
    _opened,
    _posted_form,
    _render,
    _service,
)

router = APIRouter(include_in_schema=False)

WRITE = "schedule.write"
WEEKDAYS = {1: "Понедельник", 2: "Вторник", 3: "Среда", 4: "Четверг", 5: "Пятница", 6: "Суббота"}
SHORT_DAYS = {1: "Пн", 2: "Вт", 3: "Ср", 4: "Чт", 5: "Пт", 6: "Сб"}
PERIOD_KINDS = {
    "quarter": "четверти",
    "half": "полугодия",
    "semester": "семестры",
    "trimester": "триместры",
}
PERIOD_TITLES = {
    "quarter": "четверть",
    "half": "полугодие",
    "semester": "семестр",
    "trimester": "триместр",
}
PARITY = {"every": "каждую неделю", "odd": "числитель (нечётные)", "even": "знаменатель (чётные)"}
ROOM_KINDS = {
    "classroom": "учебный кабинет",
    "laboratory": "лаборатория",
    "computer": "компьютерный класс",
    "gym": "спортивный зал",
    "workshop": "мастерская",
    "hall": "актовый зал",
    "other": "другое",
}
SUBJECT_KINDS = {
    "discipline": "предмет, дисциплина",
    "module": "профессиональный модуль (ПМ)",
    "mdk": "МДК",
    "practice": "практика",
}
ASSESSMENTS = {
    "none": "нет",
    "exam": "экзамен",
    "graded_credit": "дифференцированный зачёт",
    "credit": "зачёт",
    "coursework": "курсовая работа",
    "qualification_exam": "квалификационный экзамен",
    "other": "другая форма",
}
CHANGE_KINDS = {
    "substitution": "замена преподавателя",
    "room_change": "другой кабинет",
    "moved": "перенос",
    "cancellation": "отмена",
    "restored": "восстановлено",
    "extra": "дополнительное занятие",
}
DAY_TYPES = {"weekday": "будни", "saturday": "суббота", "shortened": "сокращённый день"}


def _today() -> date:
    return datetime.now(ZONE).date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _date(text: str | None, default: date) -> date:
    """A date from the address or a form; anything else (or a year outside 2000–2100,
    where a week's arithmetic would leave the calendar) is `default`."""
    try:
        day = date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if 2000 <= day.year <= 2100 else default


def _clashes(answer: Answer | None) -> list[dict[str, Any]]:
    if answer is None or answer.ok:
        return []
    return [c for c in answer.body.get("clashes", []) if isinstance(c, dict)]


async def _lists(
    request: Request, shell: Shell, *names: str
) -> dict[str, list[dict[str, Any]]] | Response:
    """Several of schedule's lists at once (each of at most 200 items)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        path = {"years": "/api/v1/academic-years"}.get(name, f"/api/v1/{name}")
        params = {} if name in ("bells", "load/deviations") else {"limit": 200}
        found = await _call(request, shell, "schedule", "GET", path, **params)
        if isinstance(found, Response):
            return found
        out[name.replace("/", "_")] = list(found.body.get("items", []))
    return out


def _teacher_names(teachers: list[dict[str, Any]]) -> dict[str, str]:
    """Schedule's teachers (user id → display name)."""
    return {t["user_id"]: t["display_name"] for t in teachers}


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(i.get("id") or i.get("user_id")): i for i in items}


def _current_year(years: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    for y in years:
        if y["starts_on"] <= today.isoformat() <= y["ends_on"]:
            return y
    return years[-1] if years else None


def _group_periods(
    year: dict[str, Any] | None, group: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The periods a group follows: its own scheme, its parallel's, or the year's."""
    if not year or not group:
        return []
    scopes = {p["scope"] for p in year["periods"]}
    scope = next(
        (s for s in (f"group:{group['id']}", f"grade:{group['grade']}") if s in scopes),
        "all",
    )
    return [p for p in year["periods"] if p["scope"] == scope]


Call = tuple[str, str, Any] | None
Build = Callable[[str, dict[str, str], FormData, Shell, Request], Awaitable[Call]]
Again = Callable[[Request, Shell, str, dict[str, str], Answer], Awaitable[Response]]


def _id(values: dict[str, str], name: str) -> str:
    """A posted id, checked before it goes into a service's path (ValueError if not an
    id: the form was not sent from the page)."""
    return str(uuid.UUID(values.get(name, "")))


async def _act(
    request: Request,
    key: str,
    what: str,
    build: Build,
    again: Again,
    back: Callable[[dict[str, str], str], str],
) -> Response:
    """A form of a schedule page: its CSRF token and the page right checked, the call
    `build` makes of it sent with the user's token; on success back to the page, on a
    refusal the page again with what was typed and the service's words."""
    posted = await _posted_form(request, key)
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:300] for k, v in form.items() if k not in ("csrf", "student_ids")}
    try:
        call = await build(what, values, form, shell, request)
    except ValueError:
        return _message(request, 404, "Не найдено", "Такого объекта нет.", shell)
    if call is None:
        return RedirectResponse(back(values, ""), status_code=303)
    method, path, body = call
    answer = await _call(request, shell, "schedule", method, path, json=body, keep=(404, 409, 422))
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(back(values, what), status_code=303)
    return await again(request, shell, what, values, answer)


# -- the academic year, holidays, bells, settings --------------------------------------


async def _year_page(
    request: Request,
    shell: Shell,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
    done: str | None = None,
) -> Response:
    lists = await _lists(request, shell, "years", "bells", "groups")
    if isinstance(lists, Response):
        return lists
    settings = await _call(request, shell, "schedule", "GET", "/api/v1/settings")
    if isinstance(settings, Response):
        return settings
    today = _today()
    production = await _call(
        request, shell, "schedule", "GET", f"/api/v1/production-calendar/{today.year}"
    )
    if isinstance(production, Response):
        return production
    publications: dict[str, list[dict[str, Any]]] = {}
    for y in lists["years"]:
        found = await _call(
            request, shell, "schedule", "GET", f"/api/v1/academic-years/{y['id']}/publications"
        )
        if isinstance(found, Response):
            return found
        publications[y["id"]] = list(found.body.get("items", []))
    return _render(
        request,
        "schedule_year.html",
        answer.status if answer else 200,
        shell=shell,
        active="schedule_year",
        years=lists["years"],
        groups=_by_id(lists["groups"]),
        bells=lists["bells"],
        settings=settings.body,
        production=production.body,
        publications=publications,
        period_kinds=PERIOD_KINDS,
        period_titles=PERIOD_TITLES,
        day_types=DAY_TYPES,
        editable=shell.has(WRITE),
        form=form,
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
        done=done,
    )


@router.get("/schedule/year")
async def year_page(request: Request, done: str | None = None) -> Response:
    shell = await _opened(request, "schedule_year")
    if isinstance(shell, Response):
        return shell
    return await _year_page(request, shell, done=done)


def _periods_from(values: dict[str, str]) -> list[dict[str, Any]]:
    kind = values.get("kind") or "quarter"
    out = []
    for n in range(1, 5):
        start, end = values.get(f"p{n}_start"), values.get(f"p{n}_end")
        if start or end:
            out.append(
                {"kind": kind, "number": n, "starts_on": start or None, "ends_on": end or None}
            )
    return out


def _grades(text: str) -> list[int] | None:
    found = []
    for part in text.replace(" ", "").split(","):
        if part.isdecimal() and part.isascii() and 1 <= int(part) <= 11:
            found.append(int(part))
    return found or None


async def _year_call(
    what: str, values: dict[str, str], form: FormData, shell: Shell, request: Request
) -> Call:
    if what == "new":
        body: dict[str, Any] = {
            "title": values.get("title", ""),
            "starts_on": values.get("starts_on") or None,
            "ends_on": values.get("ends_on") or None,
        }
        if values.get("copy_from"):
            body["copy_from"] = _id(values, "copy_from")
        else:
            body["periods"] = _periods_from(values)
        return "POST", "/api/v1/academic-years", body
    if what == "bells":
        bells = []
        for n in range(1, 13):
            start, end = values.get(f"b{n}_start"), values.get(f"b{n}_end")
            if start or end:
                bells.append({"number": n, "starts_at": start or None, "ends_at": end or None})
        shift, day_type = values.get("shift") or 1, values.get("day_type") or "weekday"
        return "PUT", "/api/v1/bells", {"shift": shift, "day_type": day_type, "bells": bells}
    if what == "settings":
        return (
            "PUT",
            "/api/v1/settings",
            {
                "soft_clashes": "warning" if values.get("soft_clashes") == "warning" else "error",
                "hours_per_lesson": values.get("hours_per_lesson") or 1,
            },
        )
    if what not in ("periods", "holiday", "publish"):
        return None
    year = f"/api/v1/academic-years/{_id(values, 'year_id')}"
    if what == "periods":
        body = {"scope": values.get("scope") or "all", "periods": _periods_from(values)}
        return "PUT", f"{year}/periods", body
    if what == "holiday":
        body = {
            "title": values.get("title", ""),
            "starts_on": values.get("starts_on") or None,
            "ends_on": values.get("ends_on") or None,
            "grades": _grades(values.get("grades", "")),
        }
        return "POST", f"{year}/holidays", body
    return "POST", f"{year}/publications", {"what": values.get("what")}


@router.post("/schedule/year/{what}")
async def year_action(request: Request, what: str) -> Response:
    async def again(
        request: Request, shell: Shell, form: str, values: dict[str, str], answer: Answer
    ) -> Response:
        return await _year_page(request, shell, form=form, values=values, answer=answer)

    return await _act(
        request,
        "schedule_year",
        what,
        _year_call,
        again,
        lambda values, done: f"/schedule/year?done={done}" if done else "/schedule/year",
    )


# -- rooms, subjects, curricula --------------------------------------------------------


async def _plans_page(
    request: Request,
    shell: Shell,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    lists = await _lists(request, shell, "rooms", "subjects", "curricula", "years", "groups")
    if isinstance(lists, Response):
        return lists
    return _render(
        request,
        "schedule_plans.html",
        answer.status if answer else 200,
        shell=shell,
        active="schedule_plans",
        **lists,
        subject_names=_by_id(lists["subjects"]),
        curriculum_names=_by_id(lists["curricula"]),
        room_kinds=ROOM_KINDS,
        subject_kinds=SUBJECT_KINDS,
        assessments=ASSESSMENTS,
        editable=shell.has(WRITE),
        form=form,
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
        line_rows=range(8),
    )


@router.get("/schedule/plans")
async def plans_page(request: Request) -> Response:
    shell = await _opened(request, "schedule_plans")
    if isinstance(shell, Response):
        return shell
    return await _plans_page(request, shell)


async def _plans_call(
    what: str, values: dict[str, str], form: FormData, shell: Shell, request: Request
) -> Call:
    if what == "room":
        body = {
            "number": values.get("number", ""),
            "building": values.get("building", ""),
            "capacity": values.get("capacity") or None,
            "kind": values.get("kind") or "classroom",
        }
        return "POST", "/api/v1/rooms", body
    if what == "subject":
        body = {
            "name": values.get("name", ""),
            "kind": values.get("kind") or "discipline",
            "code": values.get("code") or None,
            "cycle": values.get("cycle") or None,
            "parent_id": values.get("parent_id") or None,
        }
        return "POST", "/api/v1/subjects", body
    if what == "curriculum":
        lines = [
            {
                "subject_id": values[f"l{i}_subject"],
                "period_number": values.get(f"l{i}_period") or 1,
                "lecture_hours": values.get(f"l{i}_lecture") or 0,
                "practical_hours": values.get(f"l{i}_practical") or 0,
                "self_study_hours": values.get(f"l{i}_self") or 0,
                "assessment": values.get(f"l{i}_assessment") or "none",
            }
            for i in range(8)
            if values.get(f"l{i}_subject")
        ]
        body = {
            k: values.get(k) or None
            for k in (
                "title",
                "academic_year_id",
                "grade",
                "profile",
                "specialty_code",
                "max_class_hours",
            )
        }
        return (
            "POST",
            "/api/v1/curricula",
            {**body, "title": values.get("title", ""), "lines": lines},
        )
    if what == "assign":
        plan = {
            "curriculum_id": values.get("curriculum_id") or None,
            "shift": values.get("shift") or 1,
        }
        return "PUT", f"/api/v1/groups/{_id(values, 'group_id')}/plan", plan
    return None


@router.post("/schedule/plans/{what}")
async def plans_action(request: Request, what: str) -> Response:
    async def again(
        request: Request, shell: Shell, form: str, values: dict[str, str], answer: Answer
    ) -> Response:
        return await _plans_page(request, shell, form=form, values=values, answer=answer)

    return await _act(
        request, "schedule_plans", what, _plans_call, again, lambda values, done: "/schedule/plans"
    )


# -- load and subgroups ----------------------------------------------------------------


async def _staff(request: Request, shell: Shell, known: dict[str, str]) -> dict[str, str]:
    """Whom load may be given: the organisation's staff accounts (when the user may list
    them), and those who already teach."""
    staff = dict(known)
    if shell.has("identity.accounts.read"):
        found = await _call(
            request,
            shell,
            "identity",
            "GET",
            "/api/v1/accounts",
            kind="staff",
            limit=200,
            keep=(403,),
        )
        if not isinstance(found, Response) and found.ok:
            staff.update(
                {a["id"]: a["full_name"] for a in found.body.get("items", []) if a.get("active")}
            )
    return dict(sorted(staff.items(), key=lambda kv: kv[1]))


async def _load_page(
    request: Request,
    shell: Shell,
    group_id: str | None,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    lists = await _lists(
        request, shell, "load", "teachers", "subjects", "groups", "years", "load/deviations"
    )
    if isinstance(lists, Response):
        return lists
    groups = _by_id(lists["groups"])
    group = groups.get(group_id or "") or (lists["groups"][0] if lists["groups"] else None)
    subgroups: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    if group:
        found = await _call(
            request, shell, "schedule", "GET", f"/api/v1/groups/{group['id']}/subgroups"
        )
        if isinstance(found, Response):
            return found
        subgroups = list(found.body.get("items", []))
        found = await _call(
            request, shell, "schedule", "GET", f"/api/v1/groups/{group['id']}/members"
        )
        if isinstance(found, Response):
            return found
        members = list(found.body.get("items", []))
    periods = {p["id"]: p for y in lists["years"] for p in y["periods"]}
    teachers = _teacher_names(lists["teachers"])
    year = _current_year(lists["years"], _today())
    return _render(
        request,
        "schedule_load.html",
        answer.status if answer else 200,
        shell=shell,
        active="schedule_load",
        load=lists["load"],
        deviations=lists["load_deviations"],
        teachers=teachers,
        staff=await _staff(request, shell, teachers) if shell.has(WRITE) else teachers,
        subjects=_by_id(lists["subjects"]),
        groups=groups,
        group=group,
        periods=periods,
        group_periods=_group_periods(year, group),
        period_titles=PERIOD_TITLES,
        subgroups=subgroups,
        subgroup_names={s["id"]: s["name"] for s in subgroups},
        members=members,
        editable=shell.has(WRITE),
        form=form,
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
    )


@router.get("/schedule/load")
async def load_page(request: Request, group: str | None = None) -> Response:
    shell = await _opened(request, "schedule_load")
    if isinstance(shell, Response):
        return shell
    return await _load_page(request, shell, group)


async def _load_call(
    what: str, values: dict[str, str], form: FormData, shell: Shell, request: Request
) -> Call:
    if what == "remove":
        return "DELETE", f"/api/v1/load/{_id(values, 'load_id')}", None
    group = _id(values, "group_id")
    if what == "assign":
        teacher = values.get("teacher_user_id", "")
        teaching = await _call(request, shell, "schedule", "GET", "/api/v1/teachers", limit=200)
        if isinstance(teaching, Response):
            raise ValueError("schedule unavailable")
        known = await _staff(
            request,
            shell,
            _teacher_names(teaching.body.get("items", [])),
        )
        body = {
            "teacher_user_id": teacher or None,
            "teacher_name": known.get(teacher, ""),
            "subject_id": values.get("subject_id") or None,
            "group_id": group,
            "subgroup_id": values.get("subgroup_id") or None,
            "period_id": values.get("period_id") or None,
            "hours": values.get("hours") or None,
        }
        return "POST", "/api/v1/load", body
    if what == "subgroup":
        students = [str(s) for s in form.getlist("student_ids")][:100]
        members: dict[str, Any] = {"name": values.get("name", ""), "student_ids": students}
        if values.get("subgroup_id"):
            if values.get("since"):
                members["since"] = values["since"]
            return "PUT", f"/api/v1/groups/{group}/subgroups/{_id(values, 'subgroup_id')}", members
        return "POST", f"/api/v1/groups/{group}/subgroups", members
    return None


@router.post("/schedule/load/{what}")
async def load_action(request: Request, what: str) -> Response:
    async def again(
        request: Request, shell: Shell, form: str, values: dict[str, str], answer: Answer
    ) -> Response:
        group = values.get("group_id")
        return await _load_page(request, shell, group, form=form, values=values, answer=answer)

    def back(values: dict[str, str], done: str) -> str:
        group = values.get("group_id", "")
        return "/schedule/load" + (f"?{urlencode({'group': group})}" if group else "")

    return await _act(request, "schedule_load", what, _load_call, again, back)


# -- the timetable editor --------------------------------------------------------------


async def _timetable_page(
    request: Request,
    shell: Shell,
    group_id: str | None,
    period_id: str | None,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
    done: str | None = None,
    action: str = "add",
) -> Response:
    lists = await _lists(
        request, shell, "groups", "years", "subjects", "rooms", "teachers", "bells", "load"
    )
    if isinstance(lists, Response):
        return lists
    groups = _by_id(lists["groups"])
    group = groups.get(group_id or "") or (lists["groups"][0] if lists["groups"] else None)
    year = _current_year(lists["years"], _today())
    periods = _group_periods(year, group)
    period = next((p for p in periods if p["id"] == period_id), None) or next(
        (p for p in periods if p["starts_on"] <= _today().isoformat() <= p["ends_on"]),
        periods[0] if periods else None,
    )
    week: dict[str, Any] = {"lessons": [], "version": None}
    subgroups: list[dict[str, Any]] = []
    if group and period:
        found = await _call(
            request,
            shell,
            "schedule",
            "GET",
            f"/api/v1/groups/{group['id']}/timetable/{period['id']}",
        )
        if isinstance(found, Response):
            return found
        week = found.body
        found = await _call(
            request, shell, "schedule", "GET", f"/api/v1/groups/{group['id']}/subgroups"
        )
        if isinstance(found, Response):
            return found
        subgroups = list(found.body.get("items", []))
    shift = int(group.get("shift", 1)) if group else 1
    bells = next(
        (b for b in lists["bells"] if b["shift"] == shift and b["day_type"] == "weekday"), None
    )
    numbers = [b["number"] for b in bells["bells"]] if bells else list(range(1, 9))
    grid: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for entry in week.get("lessons", []):
        grid.setdefault((entry["weekday"], entry["lesson_number"]), []).append(entry)
    teachers = _teacher_names(lists["teachers"])
    # The teachers with load in this group first: whom the editor most likely wants.
    in_group = {
        item["teacher_user_id"]
        for item in lists["load"]
        if group and item["group_id"] == group["id"]
    }
    return _render(
        request,
        "timetable.html",
        answer.status if answer else 200,
        shell=shell,
        active="timetable",
        groups=groups,
        group=group,
        periods=periods,
        period=period,
        period_titles=PERIOD_TITLES,
        week=week,
        grid=grid,
        numbers=numbers,
        times={
            b["number"]: f"{b['starts_at']}–{b['ends_at']}"
            for b in (bells["bells"] if bells else [])
        },
        weekdays=SHORT_DAYS,
        weekday_names=WEEKDAYS,
        subjects=_by_id(lists["subjects"]),
        rooms=_by_id(lists["rooms"]),
        teachers=dict(sorted(teachers.items(), key=lambda kv: (kv[0] not in in_group, kv[1]))),
        subgroups={s["id"]: s["name"] for s in subgroups},
        parity=PARITY,
        editable=shell.has(WRITE),
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
        clashes=_clashes(answer),
        may_accept=bool(answer and answer.body.get("may_accept")),
        action=action,
        warnings=week.get("warnings", []),
        done=done,
    )


@router.get("/schedule/timetable")
async def timetable_page(
    request: Request, group: str | None = None, period: str | None = None, done: str | None = None
) -> Response:
    shell = await _opened(request, "timetable")
    if isinstance(shell, Response):
        return shell
    return await _timetable_page(request, shell, group, period, done=done)


def _entry(e: dict[str, Any]) -> dict[str, Any]:
    return {
        k: e.get(k)
        for k in (
            "weekday",
            "lesson_number",
            "parity",
            "subject_id",
            "teacher_ids",
            "room_id",
            "subgroup_id",
        )
    }


@router.post("/schedule/timetable/{group_id}/{period_id}/{what}")
async def timetable_action(
    request: Request, group_id: uuid.UUID, period_id: uuid.UUID, what: str
) -> Response:
    posted = await _posted_form(request, "timetable")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:300] for k, v in form.items() if k != "csrf"}
    base = f"/api/v1/groups/{group_id}/timetable/{period_id}"
    back = f"/schedule/timetable?group={group_id}&period={period_id}"
    if what == "generate":
        answer = await _call(
            request, shell, "schedule", "POST", f"{base}/lessons", json={}, keep=(404, 409, 422)
        )
        if isinstance(answer, Response):
            return answer
        if answer.ok:
            b = answer.body
            return RedirectResponse(
                f"{back}&done=generated-{b.get('created', 0)}-{b.get('updated', 0)}-{b.get('cancelled', 0)}",
                status_code=303,
            )
        return await _timetable_page(request, shell, str(group_id), str(period_id), answer=answer)
    current = await _call(request, shell, "schedule", "GET", base)
    if isinstance(current, Response):
        return current
    lessons = [_entry(e) for e in current.body.get("lessons", [])]
    if what == "add":
        teachers = [t for t in (values.get("teacher_id"), values.get("teacher2_id")) if t]
        lessons.append(
            {
                "weekday": values.get("weekday") or None,
                "lesson_number": values.get("lesson_number") or None,
                "parity": values.get("parity") or "every",
                "subject_id": values.get("subject_id") or None,
                "teacher_ids": list(dict.fromkeys(teachers)),
                "room_id": values.get("room_id") or None,
                "subgroup_id": values.get("subgroup_id") or None,
            }
        )
    elif what == "remove":
        entry = values.get("entry_id")
        lessons = [_entry(e) for e in current.body.get("lessons", []) if e["id"] != entry]
    else:
        return RedirectResponse(back, status_code=303)
    body = {
        "version": current.body.get("version"),
        "accept_warnings": values.get("accept_warnings") == "yes",
        "lessons": lessons,
    }
    answer = await _call(request, shell, "schedule", "PUT", base, json=body, keep=(404, 409, 422))
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"{back}&done={what}", status_code=303)
    return await _timetable_page(
        request, shell, str(group_id), str(period_id), values=values, answer=answer, action=what
    )


# -- the day's changes -----------------------------------------------------------------


async def _changes_page(
    request: Request,
    shell: Shell,
    day: date,
    group_id: str | None,
    *,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    changes = await _call(request, shell, "schedule", "GET", "/api/v1/changes", day=day.isoformat())
    if isinstance(changes, Response):
        return changes
    lists = await _lists(request, shell, "groups", "rooms", "teachers")
    if isinstance(lists, Response):
        return lists
    lessons: list[dict[str, Any]] = []
    if group_id:
        found = await _dated_lessons(request, shell, day, day, group_id=group_id)
        if isinstance(found, Response):
            return found
        lessons = found
    return _render(
        request,
        "schedule_changes.html",
        answer.status if answer else 200,
        shell=shell,
        active="schedule_changes",
        day=day,
        previous=(day - timedelta(days=1)).isoformat(),
        following=(day + timedelta(days=1)).isoformat(),
        changes=changes.body.get("items", []),
        groups=_by_id(lists["groups"]),
        group_id=group_id,
        lessons=lessons,
        rooms=_by_id(lists["rooms"]),
        teachers=_teacher_names(lists["teachers"]),
        change_kinds=CHANGE_KINDS,
        editable=shell.has(WRITE),
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
        clashes=_clashes(answer),
    )


@router.get("/schedule/changes")
async def changes_page(
    request: Request, day: str | None = None, group: str | None = None
) -> Response:
    shell = await _opened(request, "schedule_changes")
    if isinstance(shell, Response):
        return shell
    return await _changes_page(request, shell, _date(day, _today()), group)


@router.post("/schedule/changes/{lesson_id}")
async def change_lesson(request: Request, lesson_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "schedule_changes")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:500] for k, v in form.items() if k != "csrf"}
    kind = values.get("kind") or "substitution"
    body: dict[str, Any] = {"kind": kind, "reason": values.get("reason", "")}
    if kind == "substitution":
        body["teacher_ids"] = [values["teacher_id"]] if values.get("teacher_id") else None
    if kind == "room_change":
        body["room_id"] = values.get("room_id") or None
    answer = await _call(
        request,
        shell,
        "schedule",
        "POST",
        f"/api/v1/lessons/{lesson_id}/changes",
        json=body,
        keep=(404, 409, 422),
    )
    if isinstance(answer, Response):
        return answer
    day = _date(values.get("day"), _today())
    if answer.ok:
        return RedirectResponse(
            f"/schedule/changes?day={day.isoformat()}&group={values.get('group_id', '')}",
            status_code=303,
        )
    return await _changes_page(
        request, shell, day, values.get("group_id"), values=values, answer=answer
    )


# -- exam sessions ---------------------------------------------------------------------


async def _exams_page(
    request: Request,
    shell: Shell,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Response:
    lists = await _lists(
        request, shell, "exam-sessions", "groups", "years", "subjects", "rooms", "teachers"
    )
    if isinstance(lists, Response):
        return lists
    return _render(
        request,
        "schedule_exams.html",
        answer.status if answer else 200,
        shell=shell,
        active="schedule_exams",
        sessions=lists["exam-sessions"],
        groups=_by_id(lists["groups"]),
        years=lists["years"],
        subjects=_by_id(lists["subjects"]),
        rooms=_by_id(lists["rooms"]),
        teachers=_teacher_names(lists["teachers"]),
        editable=shell.has(WRITE),
        form=form,
        values=values or {},
        error=_form_error(answer),
        errors=_errors(answer),
    )


@router.get("/schedule/exams")
async def exams_page(request: Request) -> Response:
    shell = await _opened(request, "schedule_exams")
    if isinstance(shell, Response):
        return shell
    return await _exams_page(request, shell)


async def _exams_call(
    what: str, values: dict[str, str], form: FormData, shell: Shell, request: Request
) -> Call:
    if what == "session":
        keys = ("academic_year_id", "group_id", "title", "starts_on", "ends_on")
        return "POST", "/api/v1/exam-sessions", {k: values.get(k) or None for k in keys}
    if what == "event":
        fields = ("kind", "subject_id", "day", "starts_at", "ends_at", "room_id")
        body: dict[str, Any] = {k: values.get(k) or None for k in fields}
        body["examiner_ids"] = [values["examiner_id"]] if values.get("examiner_id") else []
        return "POST", f"/api/v1/exam-sessions/{_id(values, 'session_id')}/events", body
    return None


@router.post("/schedule/exams/{what}")
async def exams_action(request: Request, what: str) -> Response:
    async def again(
        request: Request, shell: Shell, form: str, values: dict[str, str], answer: Answer
    ) -> Response:
        return await _exams_page(request, shell, form=form, values=values, answer=answer)

    return await _act(
        request, "schedule_exams", what, _exams_call, again, lambda values, done: "/schedule/exams"
    )


# -- lessons by date: of a group, a teacher, a room -------------------------------------


async def _dated_lessons(
    request: Request, shell: Shell, first: date, last: date, **filters: str
) -> list[dict[str, Any]] | Response:
    """Schedule's lessons between two days for a group, a teacher or a room (none when
    the filter is not one of the organisation's)."""
    found = await _call(
        request,
        shell,
        "schedule",
        "GET",
        "/api/v1/lessons",
        keep=(404, 422),
        **{"from": first.isoformat(), "to": last.isoformat()},
        **filters,
    )
    if isinstance(found, Response):
        return found
    return list(found.body.get("items", [])) if found.ok else []


def _week_days(
    monday: date, lessons: list[dict[str, Any]]
) -> list[tuple[date, str, list[dict[str, Any]]]]:
    days: dict[str, list[dict[str, Any]]] = {}
    for lesson in lessons:
        days.setdefault(lesson["day"], []).append(lesson)
    return [
        (
            monday + timedelta(days=i),
            WEEKDAYS[i + 1],
            days.get((monday + timedelta(days=i)).isoformat(), []),
        )
        for i in range(6)
    ]


@router.get("/schedule/lessons")
async def lessons_page(
    request: Request,
    week: str | None = None,
    group: str | None = None,
    teacher: str | None = None,
    room: str | None = None,
) -> Response:
    shell = await _opened(request, "schedule_lessons")
    if isinstance(shell, Response):
        return shell
    lists = await _lists(request, shell, "groups", "teachers", "rooms")
    if isinstance(lists, Response):
        return lists
    monday = _monday(_date(week, _today()))
    asked = {"group_id": group, "teacher_id": teacher, "room_id": room}
    chosen = {k: v for k, v in asked.items() if v}
    if not chosen and lists["groups"]:
        chosen = {"group_id": lists["groups"][0]["id"]}
    lessons: list[dict[str, Any]] = []
    if chosen:
        found = await _dated_lessons(request, shell, monday, monday + timedelta(days=6), **chosen)
        if isinstance(found, Response):
            return found
        lessons = found
    query = urlencode({k.split("_")[0]: v for k, v in chosen.items()})
    return _render(
        request,
        "schedule_lessons.html",
        shell=shell,
        active="schedule_lessons",
        groups=_by_id(lists["groups"]),
        teachers=_teacher_names(lists["teachers"]),
        rooms=_by_id(lists["rooms"]),
        chosen=chosen,
        week_days=_week_days(monday, lessons),
        monday=monday,
        today=_today(),
        previous=f"/schedule/lessons?week={(monday - timedelta(days=7)).isoformat()}&{query}",
        following=f"/schedule/lessons?week={(monday + timedelta(days=7)).isoformat()}&{query}",
    )


# -- my timetable ----------------------------------------------------------------------


@router.get("/my/timetable")
async def my_timetable(
    request: Request, week: str | None = None, feed: str | None = None
) -> Response:
    shell = await _opened(request, "my_timetable")
    if isinstance(shell, Response):
        return shell
    monday = _monday(_date(week, _today()))
    sunday = monday + timedelta(days=6)
    found = await _call(
        request,
        shell,
        "schedule",
        "GET",
        "/api/v1/my/lessons",
        **{"from": monday.isoformat(), "to": sunday.isoformat()},
    )
    if isinstance(found, Response):
        return found
    notices: list[dict[str, Any]] = []
    if shell.kind == "staff" and shell.has("schedule.read"):
        told = await _call(
            request,
            shell,
            "schedule",
            "GET",
            "/api/v1/my/notices",
            **{"from": monday.isoformat(), "to": sunday.isoformat()},
        )
        if isinstance(told, Response):
            return told
        notices = list(told.body.get("items", []))
    days: dict[str, list[dict[str, Any]]] = {}
    for lesson in found.body.get("items", []):
        days.setdefault(lesson["day"], []).append(lesson)
    week_days = [
        (
            monday + timedelta(days=i),
            WEEKDAYS[i + 1],
            days.get((monday + timedelta(days=i)).isoformat(), []),
        )
        for i in range(6)
    ]
    return _render(
        request,
        "my_timetable.html",
        shell=shell,
        active="my_timetable",
        week_days=week_days,
        monday=monday,
        today=_today(),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat(),
        feed=feed,
        change_kinds=CHANGE_KINDS,
        notices=notices,
    )


@router.post("/my/timetable/feed")
async def my_feed(request: Request) -> Response:
    posted = await _posted_form(request, "my_timetable")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    if form.get("action") == "revoke":
        answer = await _call(request, shell, "schedule", "DELETE", "/api/v1/my/calendar-feeds")
        if isinstance(answer, Response):
            return answer
        return RedirectResponse("/my/timetable?feed=revoked", status_code=303)
    path = "/api/v1/my/calendar-feeds"
    if form.get("group_id"):  # a group's timetable, for staff who read it
        try:
            path += "?" + urlencode({"group_id": str(uuid.UUID(str(form.get("group_id"))))})
        except ValueError:
            return _message(request, 404, "Не найдено", "Такой группы нет.", shell)
    answer = await _call(request, shell, "schedule", "POST", path)
    if isinstance(answer, Response):
        return answer
    # The portal's address as the person's browser reached it: their phone subscribes there.
    url = str(request.base_url).rstrip("/") + str(answer.body.get("path", ""))
    return _render(
        request,
        "message.html",
        shell=shell,
        title="Ссылка на календарь",
        text=(
            "Добавьте эту ссылку в календарь телефона (подписка по адресу). Она показывается "
            f"один раз; не пересылайте её другим: {url}"
        ),
    )


@router.get("/ical/{tenant_id}/{secret}.ics")
async def calendar_feed(request: Request, tenant_id: uuid.UUID, secret: str) -> Response:
    """The schedule's calendar feed behind the portal's address (phones subscribe here):
    the secret link is the credential; nothing of the user's session is used."""
    if len(secret) > 100:
        return _message(request, 404, "Не найдено", "Ссылка на календарь не найдена или отозвана.")
    try:
        r = await _service(request, "schedule")._request(
            "GET", f"/ical/{tenant_id}/{secret}.ics", None, 10.0
        )
    except ServiceUnavailable:
        return _message(request, 503, "Сервис временно недоступен", "Попробуйте позже.")
    if r.status_code != 200:
        return _message(request, 404, "Не найдено", "Ссылка на календарь не найдена или отозвана.")
    return Response(
        r.content,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
