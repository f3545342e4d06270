"""The teacher's journal in the portal: the week's lessons, and a lesson's grid — topic,
homework, every student's attendance and marks by kind of work — typed in with the
keyboard (Tab, arrows, Enter) and saved once; a refused save keeps every entry on the
screen with the error next to its field. Journal decides and checks again."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from edureg_portal.admin_pages import _form_error
from edureg_portal.identity_client import Answer, ServiceUnavailable
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _passed_file,
    _posted_form,
    _render,
    _service,
    _shell,
    _unavailable,
)
from edureg_portal.schedule_pages import PERIOD_TITLES, _date, _monday, _today, _week_days

router = APIRouter(include_in_schema=False)

ATTENDANCE = {"": "—", "absent": "н", "ill": "б", "excused": "у", "late": "оп"}
# What a teacher types → the value journal keeps.
TYPED = {
    "5": "5",
    "4": "4",
    "3": "3",
    "2": "2",
    "1": "1",
    "зач": "pass",
    "незач": "fail",
    "з": "pass",
    "н": "fail",
}
SHOWN = {"pass": "зач", "fail": "незач"}
# Column heads short enough for a grid on a laptop; the full name is the field's label.
SHORT = {
    "lesson": "Урок",
    "oral": "Устн.",
    "homework": "ДЗ",
    "independent": "Сам. р.",
    "practical": "Практ.",
    "test": "К/р",
}


@router.get("/journal")
async def my_lessons(request: Request, week: str | None = None) -> Response:
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    monday = _monday(_date(week, _today()))
    found = await _call(
        request,
        shell,
        "schedule",
        "GET",
        "/api/v1/my/lessons",
        **{"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()},
    )
    if isinstance(found, Response):
        return found
    lessons = list(found.body.get("items", []))
    days = _week_days(monday, lessons)
    return _render(
        request,
        "journal_week.html",
        shell=shell,
        active="journal",
        days=days,
        today=_today(),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat(),
    )


def _field_errors(answer: Answer, where: dict[str, str]) -> dict[str, str]:
    """The service's errors by the form's field names (`where`: its field → the form's)."""
    return {
        where.get(str(e.get("field")), str(e.get("field"))): str(e.get("message"))
        for e in answer.body.get("errors", [])
        if isinstance(e, dict)
    }


def _entries(grid: dict[str, Any]) -> dict[str, str]:
    """The form's fields from a grid as journal has it."""
    values: dict[str, str] = {
        # An empty topic is offered from the teacher's thematic plan.
        "topic": grid.get("topic") or grid.get("planned_topic") or "",
        "homework": grid.get("homework") or "",
        "delivery": grid.get("delivery") or "offline",
        "platform": grid.get("platform") or "",
        "online_starts_at": (grid.get("online_starts_at") or "")[:5],
    }
    for m in grid.get("marks", []):
        values[f"m-{m['student_id']}-{m['work_type']}"] = SHOWN.get(m["value"], m["value"])
    for a in grid.get("attendance", []):
        values[f"a-{a['student_id']}"] = a["code"]
        values[f"r-{a['student_id']}"] = a.get("reason") or ""
    return values


async def _grid_page(
    request: Request,
    shell: Shell,
    lesson_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
    attached: bool = False,
) -> Response:
    found = await _call(request, shell, "journal", "GET", f"/api/v1/lessons/{lesson_id}/grid")
    if isinstance(found, Response):
        return found
    grid = found.body
    return _render(
        request,
        "journal_grid.html",
        answer.status if answer else 200,
        shell=shell,
        active="journal",
        grid=grid,
        values=values if values is not None else _entries(grid),
        version=(values or {}).get("version") or grid["version"],
        work_types=list(grid["work_types"].items()),
        short=SHORT,
        attendance=ATTENDANCE,
        field_errors=field_errors or {},
        error=_form_error(answer),
        saved=saved,
        attached=attached,
    )


@router.get("/journal/lessons/{lesson_id}")
async def grid_page(
    request: Request, lesson_id: uuid.UUID, saved: bool = False, attached: bool = False
) -> Response:
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    return await _grid_page(request, shell, lesson_id, saved=saved, attached=attached)


@router.get("/journal/lessons/{lesson_id}/history")
async def lesson_history(request: Request, lesson_id: uuid.UUID) -> Response:
    """Every change of the lesson's marks and attendance: old, new, who and when."""
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    grid = await _call(request, shell, "journal", "GET", f"/api/v1/lessons/{lesson_id}/grid")
    if isinstance(grid, Response):
        return grid
    found = await _call(request, shell, "journal", "GET", f"/api/v1/lessons/{lesson_id}/changes")
    if isinstance(found, Response):
        return found
    names = {s["student_id"]: s["display_name"] for s in grid.body["students"]}
    who = {str(shell.me.get("id")): "вы"}
    if shell.has("identity.accounts.read"):
        staff = await _call(
            request,
            shell,
            "identity",
            "GET",
            "/api/v1/accounts",
            kind="staff",
            limit=200,
            keep=(403,),
        )
        if not isinstance(staff, Response) and staff.ok:
            who = {a["id"]: a["full_name"] for a in staff.body.get("items", [])} | who
    return _render(
        request,
        "journal_lesson_history.html",
        shell=shell,
        active="journal",
        grid=grid.body,
        changes=found.body.get("items", []),
        names=names,
        who=who,
        work_types=grid.body["work_types"],
        shown=SHOWN,
        attendance=ATTENDANCE,
    )


# -- homework files ---------------------------------------------------------------------

# Journal takes up to 8 MiB; a little more is read so that journal says it is too large.
HOMEWORK_FILE_BYTES = 8 * 1024 * 1024 + 1


@router.post("/homework/{lesson_id}/files")
async def attach_homework_file(request: Request, lesson_id: uuid.UUID) -> Response:
    """A file attached to the lesson's homework at once (its own form: the grid's typed
    entries are saved by the grid's button)."""
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await _grid_page(
            request,
            shell,
            lesson_id,
            field_errors={"file": "Выберите файл"},
            answer=Answer(422, {"detail": "Файл не прикреплён"}),
        )
    content = await file.read(HOMEWORK_FILE_BYTES)
    try:
        answer = await _service(request, "journal").call(
            "POST",
            f"/api/v1/homework/{lesson_id}/files",
            shell.token,
            files={"file": (file.filename, content)},
        )
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if answer.ok:
        return RedirectResponse(f"/journal/lessons/{lesson_id}?attached=true", status_code=303)
    if answer.status not in (403, 404, 409, 413, 422):
        return await _grid_page(request, shell, lesson_id, answer=answer)
    said = [str(e.get("message")) for e in answer.body.get("errors", []) if isinstance(e, dict)]
    return await _grid_page(
        request,
        shell,
        lesson_id,
        field_errors={"file": "; ".join(said) or str(answer.body.get("detail") or "")},
        answer=answer,
    )


@router.post("/homework/{lesson_id}/files/{file_id}/remove")
async def remove_homework_file(
    request: Request, lesson_id: uuid.UUID, file_id: uuid.UUID
) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    _, shell = posted
    answer = await _call(
        request,
        shell,
        "journal",
        "DELETE",
        f"/api/v1/homework/{lesson_id}/files/{file_id}",
        keep=(403, 404, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/journal/lessons/{lesson_id}", status_code=303)
    return await _grid_page(request, shell, lesson_id, answer=answer)


@router.get("/homework/{lesson_id}/files/{file_id}")
async def homework_file(request: Request, lesson_id: uuid.UUID, file_id: uuid.UUID) -> Response:
    """The file for whoever journal lets have it: the lesson's teachers and readers, its
    students and their guardians (from the diary)."""
    shell = await _shell(request)
    if isinstance(shell, Response):
        return shell
    return await _passed_file(
        request, shell, "journal", "GET", f"/api/v1/homework/{lesson_id}/files/{file_id}"
    )


@router.post("/journal/lessons/{lesson_id}")
async def save_grid(request: Request, lesson_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:2000] for k, v in form.items() if k != "csrf"}
    marks: list[dict[str, Any]] = []
    where: dict[str, str] = {}  # journal's field name → the form's
    typo: dict[str, str] = {}
    attendance: list[dict[str, Any]] = []
    everyone: list[dict[str, str]] = []
    for key, typed in values.items():
        if key.startswith("all-") and typed:
            value = TYPED.get(typed.lower())
            if value is None:
                typo[key] = "Оценка: 5, 4, 3, 2, 1, зач или незач"
                continue
            where[f"everyone.{len(everyone)}.value"] = key
            everyone.append({"work_type": key[4:], "value": value})
        elif key.startswith("m-") and typed:
            student, work_type = key[2:38], key[39:]
            value = TYPED.get(typed.lower())
            if value is None:
                typo[key] = "Оценка: 5, 4, 3, 2, 1, зач или незач"
                continue
            where[f"marks.{len(marks)}.value"] = key
            where[f"marks.{len(marks)}.student_id"] = key
            marks.append({"student_id": student, "work_type": work_type, "value": value})
        elif key.startswith("a-") and typed:
            student = key[2:]
            where[f"attendance.{len(attendance)}.code"] = key
            where[f"attendance.{len(attendance)}.student_id"] = key
            attendance.append(
                {"student_id": student, "code": typed, "reason": values.get(f"r-{student}") or None}
            )
    if typo:
        return await _grid_page(
            request,
            shell,
            lesson_id,
            values=values,
            field_errors=typo,
            answer=Answer(422, {"detail": "Журнал урока не сохранён: исправьте отмеченные поля"}),
        )
    try:
        version = int(values.get("version", "0"))
    except ValueError:
        version = -1
    body = {
        "version": version,
        "topic": values.get("topic") or None,
        "homework": values.get("homework") or None,
        "marks": marks,
        "attendance": attendance,
        "everyone": everyone,
        "delivery": "online" if values.get("delivery") == "online" else "offline",
        "platform": values.get("platform") or None,
        "online_starts_at": values.get("online_starts_at") or None,
    }
    answer = await _call(
        request,
        shell,
        "journal",
        "PUT",
        f"/api/v1/lessons/{lesson_id}/grid",
        json=body,
        keep=(403, 404, 409, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/journal/lessons/{lesson_id}?saved=true", status_code=303)
    errors = _field_errors(answer, where)
    return await _grid_page(
        request, shell, lesson_id, values=values, field_errors=errors, answer=answer
    )


# -- period marks ----------------------------------------------------------------------


async def _my_load(
    request: Request, shell: Shell
) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]] | Response:
    """The user's teaching load and the names of its groups and subjects (schedule's)."""
    load = await _call(
        request,
        shell,
        "schedule",
        "GET",
        "/api/v1/load",
        teacher_user_id=shell.me.get("id"),
        limit=200,
    )
    if isinstance(load, Response):
        return load
    names: dict[str, dict[str, str]] = {}
    for what in ("groups", "subjects"):
        found = await _call(request, shell, "schedule", "GET", f"/api/v1/{what}", limit=200)
        if isinstance(found, Response):
            return found
        names[what] = {i["id"]: i["name"] for i in found.body.get("items", [])}
    return list(load.body.get("items", [])), names


def _typed_marks(
    values: dict[str, str], parse: Callable[[str], dict[str, str] | None]
) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    """The marks typed in a sheet's cells (`parse` tells a cell's key: whose, which),
    where journal's field names point back to the form's, and the cells mistyped."""
    marks: list[dict[str, str]] = []
    where: dict[str, str] = {}
    typo: dict[str, str] = {}
    for key, typed in values.items():
        parsed = parse(key)
        if parsed is None or not typed:
            continue
        value = TYPED.get(typed.lower())
        if value is None:
            typo[key] = "Оценка: 5, 4, 3, 2, 1, зач или незач"
            continue
        where[f"marks.{len(marks)}.value"] = key
        where[f"marks.{len(marks)}.student_id"] = key
        marks.append({**parsed, "value": value})
    return marks, where, typo


async def _load_and_years(
    request: Request, shell: Shell
) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]], list[dict[str, Any]]] | Response:
    """The user's load with its names, and schedule's academic years with their periods
    (what the period and year sheets are chosen from)."""
    taught = await _my_load(request, shell)
    if isinstance(taught, Response):
        return taught
    years = await _call(request, shell, "schedule", "GET", "/api/v1/academic-years", limit=200)
    if isinstance(years, Response):
        return years
    return taught[0], taught[1], list(years.body.get("items", []))


async def _period_page(
    request: Request,
    shell: Shell,
    chosen: str | None,
    *,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    taught = await _load_and_years(request, shell)
    if isinstance(taught, Response):
        return taught
    load, names, years = taught
    periods = {p["id"]: p for y in years for p in y["periods"]}
    options = {}
    for item in load:
        key = f"{item['group_id']}.{item['subject_id']}.{item['period_id']}"
        p = periods.get(item["period_id"], {})
        options[key] = (
            f"{names['groups'].get(item['group_id'], '—')}, {names['subjects'].get(item['subject_id'], '—')}, "
            f"{p.get('number', '')} {PERIOD_TITLES.get(p.get('kind', ''), '')}"
        )
    settings = await _call(request, shell, "journal", "GET", "/api/v1/settings")
    if isinstance(settings, Response):
        return settings
    rows: list[dict[str, Any]] = []
    if chosen not in options:
        chosen = next(iter(options), None)
    if chosen:
        group, subject, period = chosen.split(".")
        found = await _call(
            request,
            shell,
            "journal",
            "GET",
            "/api/v1/period-marks",
            group_id=group,
            subject_id=subject,
            period_id=period,
        )
        if isinstance(found, Response):
            return found
        rows = list(found.body.get("items", []))
    shown = (
        values
        if values is not None
        else {
            f"p-{r['student_id']}": SHOWN.get(
                r["marks"].get("period", ""), r["marks"].get("period", "")
            )
            for r in rows
        }
    )
    return _render(
        request,
        "journal_periods.html",
        answer.status if answer else 200,
        shell=shell,
        active="journal",
        options=options,
        chosen=chosen,
        rows=rows,
        values=shown,
        field_errors=field_errors or {},
        error=_form_error(answer),
        saved=saved,
        shown=SHOWN,
        thresholds={k: str(v).replace(".", ",") for k, v in settings.body["thresholds"].items()},
    )


@router.get("/journal/periods")
async def period_marks_page(
    request: Request, sheet: str | None = None, saved: bool = False
) -> Response:
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    return await _period_page(request, shell, sheet, saved=saved)


@router.post("/journal/periods")
async def set_period_marks(request: Request) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:200] for k, v in form.items() if k != "csrf"}
    chosen = values.get("sheet", "")
    try:
        group, subject, period = (str(uuid.UUID(part)) for part in chosen.split("."))
    except ValueError:
        return await _period_page(request, shell, None)
    marks, where, typo = _typed_marks(
        values, lambda key: {"student_id": key[2:]} if key.startswith("p-") else None
    )
    if typo or not marks:
        problem = Answer(
            422, {"detail": "Оценки за период не сохранены: исправьте отмеченные поля"}
        )
        return await _period_page(
            request, shell, chosen, values=values, field_errors=typo, answer=problem
        )
    body = {
        "group_id": group,
        "subject_id": subject,
        "period_id": period,
        "kind": "period",
        "marks": marks,
    }
    answer = await _call(
        request, shell, "journal", "PUT", "/api/v1/period-marks", json=body, keep=(403, 404, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/journal/periods?sheet={chosen}&saved=true", status_code=303)
    errors = _field_errors(answer, where)
    return await _period_page(
        request, shell, chosen, values=values, field_errors=errors, answer=answer
    )


# -- year, exam and final marks --------------------------------------------------------

YEAR_KINDS = {
    "year": "Годовая",
    "exam": "Экзамен",
    "final": "Итоговая",
    "coursework": "Курсовая работа",
    "qualification": "Квалификационный экзамен",
}
# Colleges' kinds, shown when asked for or when one is set.
COLLEGE_KINDS = ("coursework", "qualification")


async def _year_page(
    request: Request,
    shell: Shell,
    chosen: str | None,
    *,
    more: bool = False,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    taught = await _load_and_years(request, shell)
    if isinstance(taught, Response):
        return taught
    load, names, years = taught
    year_of = {p["id"]: y for y in years for p in y["periods"]}
    options: dict[str, str] = {}
    for item in load:
        year = year_of.get(item["period_id"])
        if year is None:
            continue
        key = f"{item['group_id']}.{item['subject_id']}.{year['id']}"
        options[key] = (
            f"{names['groups'].get(item['group_id'], '—')}, "
            f"{names['subjects'].get(item['subject_id'], '—')}, {year.get('title', '')}"
        )
    if chosen not in options:
        chosen = next(iter(options), None)
    sheet: dict[str, Any] = {"periods": [], "rows": []}
    if chosen:
        group, subject, year_id = chosen.split(".")
        found = await _call(
            request,
            shell,
            "journal",
            "GET",
            "/api/v1/year-marks",
            keep=(404,),
            group_id=group,
            subject_id=subject,
            academic_year_id=year_id,
        )
        if isinstance(found, Response):
            return found
        if found.ok:
            sheet = found.body
        elif answer is None:
            answer = Answer(404, {"detail": "Учебный год ещё не получен журналом из расписания"})
    rows = sheet["rows"]
    more = more or any(k in r["marks"] for r in rows for k in COLLEGE_KINDS)
    kinds = [k for k in YEAR_KINDS if more or k not in COLLEGE_KINDS]
    shown = (
        values
        if values is not None
        else {
            f"{k}-{r['student_id']}": SHOWN.get(r["marks"].get(k, ""), r["marks"].get(k, ""))
            for r in rows
            for k in kinds
        }
    )
    return _render(
        request,
        "journal_year.html",
        answer.status if answer else 200,
        shell=shell,
        active="journal",
        options=options,
        chosen=chosen,
        sheet=sheet,
        rows=rows,
        year_kinds=[(k, YEAR_KINDS[k]) for k in kinds],
        more=more,
        values=shown,
        field_errors=field_errors or {},
        error=_form_error(answer),
        saved=saved,
        shown=SHOWN,
    )


@router.get("/journal/year")
async def year_marks_page(
    request: Request, sheet: str | None = None, more: bool = False, saved: bool = False
) -> Response:
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    return await _year_page(request, shell, sheet, more=more, saved=saved)


@router.post("/journal/year")
async def set_year_marks(request: Request) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    values = {k: str(v).strip()[:200] for k, v in form.items() if k != "csrf"}
    chosen = values.get("sheet", "")
    more = values.get("more") == "true"
    try:
        group, subject, year = (str(uuid.UUID(part)) for part in chosen.split("."))
    except ValueError:
        return await _year_page(request, shell, None)

    def year_key(key: str) -> dict[str, str] | None:
        kind, _, student = key.partition("-")
        return {"student_id": student, "kind": kind} if kind in YEAR_KINDS else None

    marks, where, typo = _typed_marks(values, year_key)
    if typo or not marks:
        problem = Answer(422, {"detail": "Оценки за год не сохранены: исправьте отмеченные поля"})
        return await _year_page(
            request, shell, chosen, more=more, values=values, field_errors=typo, answer=problem
        )
    body = {"group_id": group, "subject_id": subject, "academic_year_id": year, "marks": marks}
    answer = await _call(
        request, shell, "journal", "PUT", "/api/v1/year-marks", json=body, keep=(403, 404, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        extra = "&more=true" if more else ""
        return RedirectResponse(f"/journal/year?sheet={chosen}&saved=true{extra}", status_code=303)
    errors = _field_errors(answer, where)
    return await _year_page(
        request, shell, chosen, more=more, values=values, field_errors=errors, answer=answer
    )


# -- the organisation's journal settings, closed periods -------------------------------


def _number(typed: str) -> float | str:
    """A typed number, or the text itself for journal to refuse (never NaN or infinity,
    which no JSON carries)."""
    try:
        value = float(typed.replace(",", "."))
    except ValueError:
        return typed
    return value if math.isfinite(value) else typed


async def _settings_page(
    request: Request,
    shell: Shell,
    *,
    values: dict[str, Any] | None = None,
    field_errors: dict[str, str] | None = None,
    answer: Answer | None = None,
    done: str | None = None,
) -> Response:
    found = await _call(request, shell, "journal", "GET", "/api/v1/settings")
    if isinstance(found, Response):
        return found
    closed = await _call(request, shell, "journal", "GET", "/api/v1/periods/closed")
    if isinstance(closed, Response):
        return closed
    settings = found.body
    rows = values["work_types"] if values else settings["work_types"]
    return _render(
        request,
        "journal_settings.html",
        answer.status if answer else 200,
        shell=shell,
        active="journal_settings",
        settings=values or settings,
        rows=[*rows, *({"code": "", "title": "", "weight": "", "active": True} for _ in range(2))],
        closed=closed.body.get("items", []),
        may_edit=shell.has("journal.settings.write"),
        may_reopen=shell.has("journal.periods.manage"),
        field_errors=field_errors or {},
        error=_form_error(answer),
        done=done,
    )


@router.get("/journal/settings")
async def settings_page(request: Request, done: str | None = None) -> Response:
    shell = await _opened(request, "journal_settings")
    if isinstance(shell, Response):
        return shell
    notices = {"saved": "Настройки журнала сохранены.", "period": "Период изменён."}
    return await _settings_page(request, shell, done=notices.get(done or ""))


@router.post("/journal/settings")
async def save_settings(request: Request) -> Response:
    posted = await _posted_form(request, "journal_settings")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    rows: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for i in range(40):
        code = str(form.get(f"code-{i}") or "").strip()[:30]
        title = str(form.get(f"title-{i}") or "").strip()[:100]
        weight = str(form.get(f"weight-{i}") or "").strip()[:3]
        if not (code or title or weight):
            continue
        n = len(rows)
        for field in ("code", "title", "weight"):
            where[f"work_types.{n}.{field}"] = f"{field}-{i}"
        rows.append(
            {
                "code": code,
                "title": title,
                "weight": int(weight) if weight.isdecimal() and weight.isascii() else weight,
                "active": form.get(f"active-{i}") == "on",
            }
        )
    body = {
        "work_types": rows,
        "thresholds": {
            k: _number(str(form.get(f"t-{k}") or "")) for k in ("five", "four", "three")
        },
        "management_edits": form.get("management_edits") == "on",
        "curator_sets_period_marks": form.get("curator_sets_period_marks") == "on",
    }
    version = str(form.get("version") or "")
    if version.isdecimal() and version.isascii():
        body["version"] = int(version)
    for k in ("five", "four", "three"):
        where[f"thresholds.{k}"] = f"t-{k}"
    answer = await _call(
        request, shell, "journal", "PUT", "/api/v1/settings", json=body, keep=(403, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/journal/settings?done=saved", status_code=303)
    errors: dict[str, str] = {}
    for e in answer.body.get("errors", []):
        if isinstance(e, dict):
            field = str(e.get("field"))
            errors.setdefault(
                where.get(field, "t-five" if field == "thresholds" else field),
                str(e.get("message")),
            )
    return await _settings_page(request, shell, values=body, field_errors=errors, answer=answer)


@router.post("/journal/settings/periods/{period_id}")
async def reopen_or_close(request: Request, period_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "journal_settings")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    action = "close" if form.get("action") == "close" else "reopen"
    answer = await _call(
        request,
        shell,
        "journal",
        "POST",
        f"/api/v1/periods/{period_id}/{action}",
        json={"reason": str(form.get("reason") or "").strip()[:500]},
        keep=(403, 404, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/journal/settings?done=period", status_code=303)
    return await _settings_page(
        request,
        shell,
        field_errors={f"reason-{period_id}": "Укажите причину (не короче 5 знаков)"}
        if str(answer.body.get("type", "")).endswith("validation-error")
        else {},
        answer=answer,
    )


# -- the class teacher's journal of the class ------------------------------------------

ABSENCES = {"absent": "н — без причины", "ill": "б — болел(а)", "excused": "у — уважительная"}
CHANGED = {"mark": "оценка", "attendance": "посещаемость", "period": "оценка за период"}


async def _class_groups(
    request: Request, shell: Shell
) -> tuple[dict[str, str], set[str]] | Response:
    """The groups whose journal the user reads across subjects — their own classes (the
    management: every group), by the names schedule knows — and which are their own."""
    found = await _call(request, shell, "schedule", "GET", "/api/v1/groups", limit=200)
    if isinstance(found, Response):
        return found
    names = {g["id"]: g["name"] for g in found.body.get("items", [])}
    mine = await _call(request, shell, "journal", "GET", "/api/v1/my/curated-groups")
    if isinstance(mine, Response):
        return mine
    own = {str(g) for g in mine.body.get("items", [])}
    if shell.has("journal.read.all"):
        return names, own
    return {g: names.get(g, "класс") for g in own}, own


async def _class_page(
    request: Request,
    shell: Shell,
    group: str | None,
    week: str | None,
    *,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    found_groups = await _class_groups(request, shell)
    if isinstance(found_groups, Response):
        return found_groups
    groups, own = found_groups
    if group not in groups:
        group = next(iter(groups), None)
    monday = _monday(_date(week, _today()))
    journal: dict[str, Any] | None = None
    if group:
        found = await _call(
            request,
            shell,
            "journal",
            "GET",
            f"/api/v1/groups/{group}/journal",
            **{"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()},
        )
        if isinstance(found, Response):
            return found
        journal = found.body
    cells: dict[tuple[str, str], list[str]] = {}
    absences: list[dict[str, Any]] = []
    if journal:
        names = {s["student_id"]: s["display_name"] for s in journal["students"]}
        lessons = {x["lesson_id"]: x for x in journal["lessons"]}
        for m in journal["marks"]:
            cells.setdefault((m["student_id"], m["lesson_id"]), []).append(
                SHOWN.get(m["value"], m["value"])
            )
        for a in journal["attendance"]:
            cells.setdefault((a["student_id"], a["lesson_id"]), []).insert(
                0, ATTENDANCE.get(a["code"], a["code"])
            )
            if a["code"] != "late" and a["lesson_id"] in lessons:
                absences.append(
                    {
                        **a,
                        "name": names.get(a["student_id"], "—"),
                        "lesson": lessons[a["lesson_id"]],
                    }
                )
        absences.sort(key=lambda a: (a["lesson"]["day"], a["lesson"]["lesson_number"], a["name"]))
    return _render(
        request,
        "journal_class.html",
        answer.status if answer else 200,
        shell=shell,
        active="class_journal",
        groups=groups,
        group=group,
        journal=journal,
        cells=cells,
        absences=absences,
        choices=ABSENCES,
        may_correct=group in own,
        week=monday.isoformat(),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat(),
        error=_form_error(answer),
        saved=saved,
    )


@router.get("/journal/class")
async def class_page(
    request: Request, group: str | None = None, week: str | None = None, saved: bool = False
) -> Response:
    shell = await _opened(request, "class_journal")
    if isinstance(shell, Response):
        return shell
    return await _class_page(request, shell, group, week, saved=saved)


@router.post("/journal/class/absences")
async def correct_absence(request: Request) -> Response:
    posted = await _posted_form(request, "class_journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    group, week = str(form.get("group") or ""), str(form.get("week") or "")
    try:
        lesson, student = uuid.UUID(str(form.get("lesson"))), uuid.UUID(str(form.get("student")))
    except ValueError:
        return await _class_page(request, shell, group, week)
    body = {
        "code": str(form.get("code") or ""),
        "reason": str(form.get("reason") or "").strip()[:300] or None,
        "document_on": str(form.get("document_on") or "").strip()[:10] or None,
    }
    answer = await _call(
        request,
        shell,
        "journal",
        "PUT",
        f"/api/v1/lessons/{lesson}/attendance/{student}",
        json=body,
        keep=(403, 404, 422),
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(
            f"/journal/class?group={group}&week={week}&saved=true", status_code=303
        )
    return await _class_page(request, shell, group, week, answer=answer)


@router.get("/journal/students/{student_id}/history")
async def student_history(request: Request, student_id: uuid.UUID) -> Response:
    shell = await _opened(request, "class_journal")
    if isinstance(shell, Response):
        return shell
    found = await _call(request, shell, "journal", "GET", f"/api/v1/students/{student_id}/changes")
    if isinstance(found, Response):
        return found
    return _render(
        request,
        "journal_history.html",
        shell=shell,
        active="class_journal",
        changes=found.body.get("items", []),
        what=CHANGED,
        shown=SHOWN,
        attendance=ATTENDANCE,
    )


# -- thematic plans --------------------------------------------------------------------


def _topic_lines(text: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One topic a line, «Тема; часы» (no hours: one)."""
    topics: list[dict[str, Any]] = []
    bad: list[int] = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, _, hours = line.rpartition(";") if ";" in line else (line, "", "1")
        hours = hours.strip()
        if not title.strip() or not (hours.isdecimal() and hours.isascii()):
            bad.append(n)
            continue
        topics.append({"title": title.strip()[:500], "hours": int(hours)})
    errors = (
        {"topics": "Строки " + ", ".join(map(str, bad)) + ": нужно «Тема; часы»"} if bad else {}
    )
    return topics, errors


async def _plans_page(
    request: Request,
    shell: Shell,
    chosen: str | None,
    *,
    typed: str | None = None,
    field_errors: dict[str, str] | None = None,
    answer: Answer | None = None,
    saved: bool = False,
) -> Response:
    taught = await _my_load(request, shell)
    if isinstance(taught, Response):
        return taught
    load, names = taught
    options = {
        f"{i['group_id']}.{i['subject_id']}": f"{names['groups'].get(i['group_id'], '—')}, "
        f"{names['subjects'].get(i['subject_id'], '—')}"
        for i in load
    }
    if chosen not in options:
        chosen = next(iter(options), None)
    plan: dict[str, Any] | None = None
    coverage: dict[str, Any] | None = None
    if chosen:
        group, subject = chosen.split(".")
        found = await _call(
            request, shell, "journal", "GET", "/api/v1/plans", group_id=group, subject_id=subject
        )
        if isinstance(found, Response):
            return found
        mine = [
            p for p in found.body.get("items", []) if p["teacher_user_id"] == shell.me.get("id")
        ]
        plan = mine[0] if mine else None
        if plan:
            c = await _call(
                request, shell, "journal", "GET", f"/api/v1/plans/{plan['id']}/coverage"
            )
            if isinstance(c, Response):
                return c
            coverage = c.body
    text = (
        typed
        if typed is not None
        else "\n".join(f"{t['title']}; {t['hours']}" for t in (plan or {}).get("topics", []))
    )
    return _render(
        request,
        "journal_plans.html",
        answer.status if answer else 200,
        shell=shell,
        active="journal",
        options=options,
        chosen=chosen,
        plan=plan,
        coverage=coverage,
        text=text,
        field_errors=field_errors or {},
        error=_form_error(answer),
        saved=saved,
    )


@router.get("/journal/plans")
async def plans_page(request: Request, sheet: str | None = None, saved: bool = False) -> Response:
    shell = await _opened(request, "journal")
    if isinstance(shell, Response):
        return shell
    return await _plans_page(request, shell, sheet, saved=saved)


def _chosen(value: str) -> tuple[str, str] | None:
    try:
        group, subject = (str(uuid.UUID(part)) for part in value.split("."))
    except ValueError:
        return None
    return group, subject


@router.post("/journal/plans")
async def save_plan(request: Request) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    chosen = str(form.get("sheet") or "")
    pair = _chosen(chosen)
    if pair is None:
        return await _plans_page(request, shell, None)
    typed = str(form.get("topics") or "")[:100_000]
    topics, errors = _topic_lines(typed)
    if errors or not topics:
        problem = Answer(422, {"detail": "План не сохранён: исправьте темы"})
        return await _plans_page(
            request,
            shell,
            chosen,
            typed=typed,
            field_errors=errors or {"topics": "Впишите хотя бы одну тему"},
            answer=problem,
        )
    version = str(form.get("version") or "")
    body = {
        "group_id": pair[0],
        "subject_id": pair[1],
        "title": str(form.get("title") or "КТП").strip()[:200] or "КТП",
        "version": int(version) if version.isdecimal() else None,
        "topics": topics,
    }
    answer = await _call(
        request, shell, "journal", "PUT", "/api/v1/plans", json=body, keep=(403, 409, 422)
    )
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse(f"/journal/plans?sheet={chosen}&saved=true", status_code=303)
    return await _plans_page(
        request,
        shell,
        chosen,
        typed=typed,
        field_errors={
            "topics": "; ".join(
                str(e.get("message")) for e in answer.body.get("errors", []) if isinstance(e, dict)
            )
        }
        if answer.body.get("errors")
        else {},
        answer=answer,
    )


@router.post("/journal/plans/import")
async def import_plan(request: Request) -> Response:
    posted = await _posted_form(request, "journal")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    chosen = str(form.get("sheet") or "")
    pair = _chosen(chosen)
    file = form.get("file")
    if pair is None or not isinstance(file, UploadFile) or not file.filename:
        return await _plans_page(
            request,
            shell,
            chosen if pair else None,
            field_errors={"file": "Выберите файл XLSX"},
            answer=Answer(422, {"detail": "План не загружен"}),
        )
    content = await file.read(1024 * 1024 + 1)
    try:
        answer = await _service(request, "journal").call(
            "POST",
            "/api/v1/plans/import",
            shell.token,
            params={"group_id": pair[0], "subject_id": pair[1], "title": "КТП"},
            files={"file": (file.filename, content)},
        )
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if answer.ok:
        return RedirectResponse(f"/journal/plans?sheet={chosen}&saved=true", status_code=303)
    rows = [str(e.get("message")) for e in answer.body.get("errors", []) if isinstance(e, dict)]
    return await _plans_page(
        request,
        shell,
        chosen,
        field_errors={"file": "; ".join(rows) or str(answer.body.get("detail") or "")},
        answer=answer,
    )
