"""A group's reports in the portal: the summary sheets of marks and of attendance for a
study period or dates, on screen and as XLSX and PDF downloads. Reporting decides who
sees which group (management, the curator, the group's teachers) and checks again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from edureg_portal.admin_pages import _form_error
from edureg_portal.identity_client import Answer
from edureg_portal.journal_pages import _field_errors
from edureg_portal.pages import (
    Shell,
    _call,
    _opened,
    _passed_file,
    _posted_form,
    _refused,
    _render,
)
from edureg_portal.schedule_pages import PERIOD_TITLES, _date, _today

router = APIRouter(include_in_schema=False)

SHEETS = {
    "marks": ("marks-summary", "Сводная ведомость успеваемости"),
    "attendance": ("attendance-summary", "Сводная ведомость посещаемости"),
}
FORMATS = {"xlsx": "Excel (XLSX)", "pdf": "PDF для печати"}


def _uuid(text: str | None) -> str | None:
    try:
        return str(uuid.UUID(text)) if text else None
    except ValueError:
        return None


def _file_range(period_id: str | None, start: str | None, end: str | None) -> dict[str, str]:
    """A file link's dates: its study period, else the dates it carries."""
    if _uuid(period_id):
        return {"period_id": str(_uuid(period_id))}
    return {k: v for k, v in (("from", start), ("to", end)) if v}


def _period_title(p: dict[str, Any]) -> str:
    return f"{p['number']} {PERIOD_TITLES.get(p['kind'], p['kind'])} ({p['starts_on'][:4]}/{int(p['starts_on'][:4]) + 1})"


def _range(
    periods: list[dict[str, Any]], period: str | None, start: str | None, end: str | None
) -> dict[str, str]:
    """What the sheet is for: the chosen period; else the dates typed; else the period
    under way today; else the last four weeks."""
    if period and any(p["period_id"] == period for p in periods):
        return {"period_id": period}
    if start or end:
        today = _today()
        return {
            "from": _date(start, today - timedelta(days=28)).isoformat(),
            "to": _date(end, today).isoformat(),
        }
    today = _today().isoformat()
    for p in periods:
        if p["scope"] == "all" and p["starts_on"] <= today <= p["ends_on"]:
            return {"period_id": p["period_id"]}
    return {"from": (_today() - timedelta(days=28)).isoformat(), "to": today}


async def _choices(
    request: Request, shell: Shell
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | Response:
    groups = await _call(request, shell, "reporting", "GET", "/api/v1/report-groups")
    if isinstance(groups, Response):
        return groups
    periods = await _call(request, shell, "reporting", "GET", "/api/v1/periods")
    if isinstance(periods, Response):
        return periods
    return groups.body.get("items", []), periods.body.get("items", [])


@router.get("/reports")
async def reports_page(
    request: Request,
    group: str | None = None,
    sheet: str = "marks",
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    shell = await _opened(request, "reports")
    if isinstance(shell, Response):
        return shell
    found = await _choices(request, shell)
    if isinstance(found, Response):
        return found
    groups, periods = found
    ids = [g["group_id"] for g in groups]
    chosen = _uuid(group)
    if chosen not in ids:
        chosen = ids[0] if ids else None
    sheet = sheet if sheet in SHEETS else "marks"
    params = _range(periods, _uuid(period), start, end)
    report: dict[str, Any] | None = None
    error = None
    if chosen:
        answer = await _call(
            request,
            shell,
            "reporting",
            "GET",
            f"/api/v1/groups/{chosen}/{SHEETS[sheet][0]}",
            keep=(422,),
            **params,
        )
        if isinstance(answer, Response):
            return answer
        if answer.ok:
            report = answer.body
        else:
            error = str(answer.body.get("detail") or "Отчёт не построен")
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    if report and sheet == "marks":
        cells = {(r["student_id"], c["subject_id"]): c for r in report["rows"] for c in r["cells"]}
    return _render(
        request,
        "reports.html",
        shell=shell,
        active="reports",
        groups=groups,
        group=chosen,
        periods={p["period_id"]: _period_title(p) for p in periods if p["scope"] == "all"},
        sheets={k: v[1] for k, v in SHEETS.items()},
        sheet=sheet,
        chosen_period=params.get("period_id"),
        start=params.get("from", report["start"] if report else ""),
        end=params.get("to", report["end"] if report else ""),
        report=report,
        cells=cells,
        figures={f["subject_id"]: f for f in (report or {}).get("per_subject", [])},
        formats=FORMATS,
        downloads={
            fmt: "/reports/file?"
            + urlencode({"group": chosen, "sheet": sheet, "format": fmt, **params})
            for fmt in FORMATS
        }
        if chosen
        else {},
        error=error,
        organisation_downloads={
            fmt: "/reports/organisation/file?" + urlencode({"format": fmt, **params})
            for fmt in FORMATS
        }
        if shell.has("reporting.read")
        else {},
    )


@router.get("/reports/organisation/file")
async def organisation_file(
    request: Request,
    format: str,
    period_id: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    """The organisation's summary progress report as a file (its management's)."""
    shell = await _opened(request, "reports")
    if isinstance(shell, Response):
        return shell
    if format not in FORMATS:
        return _refused(request, shell, Answer(status=404, body={"detail": "Такого формата нет"}))
    params = {"format": format, **_file_range(period_id, start, end)}
    return await _passed_file(
        request,
        shell,
        "reporting",
        "GET",
        f"/api/v1/organisation/progress-summary?{urlencode(params)}",
    )


@router.get("/reports/file")
async def report_file(
    request: Request,
    group: str,
    sheet: str,
    format: str,
    period_id: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    """The sheet as a file, passed on from reporting as it is (never cached: it names
    children)."""
    shell = await _opened(request, "reports")
    if isinstance(shell, Response):
        return shell
    chosen = _uuid(group)
    if chosen is None or sheet not in SHEETS or format not in FORMATS:
        return _refused(request, shell, Answer(status=404, body={"detail": "Такого отчёта нет"}))
    params = {"format": format, **_file_range(period_id, start, end)}
    path = f"/api/v1/groups/{chosen}/{SHEETS[sheet][0]}?{urlencode(params)}"
    return await _passed_file(request, shell, "reporting", "GET", path)


# -- large reports in the background ---------------------------------------------------------


async def _jobs_page(
    request: Request,
    shell: Shell,
    *,
    error: str | None = None,
    status: int = 200,
    schedule_errors: dict[str, str] | None = None,
) -> Response:
    found = await _call(request, shell, "reporting", "GET", "/api/v1/report-jobs")
    if isinstance(found, Response):
        return found
    periods = await _call(request, shell, "reporting", "GET", "/api/v1/periods")
    if isinstance(periods, Response):
        return periods
    items = found.body.get("items", [])
    planned = await _call(request, shell, "reporting", "GET", "/api/v1/report-schedules")
    if isinstance(planned, Response):
        return planned
    # What may be ordered: reporting's list (the big sheets, activity, the named reports).
    offered = await _call(request, shell, "reporting", "GET", "/api/v1/report-jobs/kinds")
    if isinstance(offered, Response):
        return offered
    return _render(
        request,
        "report_jobs.html",
        status,
        schedules=planned.body.get("items", []),
        schedule_errors=schedule_errors or {},
        shell=shell,
        active="report_jobs",
        jobs=items,
        working=any(j["status"] in ("queued", "running") for j in items),
        job_kinds={k["kind"]: k["title"] for k in offered.body.get("items", [])},
        formats=FORMATS,
        periods={
            p["period_id"]: _period_title(p)
            for p in periods.body.get("items", [])
            if p["scope"] == "all"
        },
        error=error,
    )


@router.get("/reports/jobs")
async def jobs_page(request: Request) -> Response:
    shell = await _opened(request, "report_jobs")
    if isinstance(shell, Response):
        return shell
    return await _jobs_page(request, shell)


@router.post("/reports/jobs")
async def order_job(request: Request) -> Response:
    posted = await _posted_form(request, "report_jobs")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    body: dict[str, Any] = {
        "kind": str(form.get("kind") or ""),
        "format": str(form.get("format") or ""),
    }
    period = _uuid(str(form.get("period") or ""))
    if period:
        body["period_id"] = period
    else:
        body |= {k: str(form.get(f) or "") or None for k, f in (("start", "from"), ("end", "to"))}
    return await _act(request, shell, "POST", "/api/v1/report-jobs", body, keep=(409, 422))


async def _act(
    request: Request,
    shell: Shell,
    method: str,
    path: str,
    body: Any = None,
    *,
    keep: tuple[int, ...] = (422,),
) -> Response:
    """A change on the jobs page: back to the page when done, or the page with why not."""
    answer = await _call(request, shell, "reporting", method, path, json=body, keep=keep)
    if isinstance(answer, Response):
        return answer
    if answer.ok:
        return RedirectResponse("/reports/jobs", status_code=303)
    return await _jobs_page(
        request,
        shell,
        error=_form_error(answer),
        status=answer.status,
        schedule_errors=_field_errors(answer, {}),
    )


@router.post("/reports/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "report_jobs")
    if isinstance(posted, Response):
        return posted
    _, shell = posted
    return await _act(request, shell, "POST", f"/api/v1/report-jobs/{job_id}/cancel")


@router.get("/reports/jobs/{job_id}/file")
async def job_file(request: Request, job_id: uuid.UUID) -> Response:
    shell = await _opened(request, "report_jobs")
    if isinstance(shell, Response):
        return shell
    return await _passed_file(
        request, shell, "reporting", "GET", f"/api/v1/report-jobs/{job_id}/file"
    )


# -- a student's report card -----------------------------------------------------------------


async def _card_page(request: Request, shell: Shell, key: str, student: str, base: str) -> Response:
    found = await _call(
        request, shell, "reporting", "GET", f"/api/v1/students/{student}/report-card"
    )
    if isinstance(found, Response):
        return found
    return _render(
        request,
        "report_card.html",
        shell=shell,
        active=key,
        card=found.body,
        downloads={fmt: f"{base}/file?format={fmt}" for fmt in FORMATS},
        formats=FORMATS,
    )


async def _my_student(request: Request, shell: Shell) -> str | Response:
    """Whose card a student or guardian opens: the chosen child's, or the student's own."""
    if shell.kind == "guardian":
        if not shell.child or not shell.child.get("person_id"):
            return _refused(
                request, shell, Answer(404, {"detail": "Табель ребёнка ещё не доступен"})
            )
        return str(shell.child["person_id"])
    mine = await _call(request, shell, "reporting", "GET", "/api/v1/my/students")
    if isinstance(mine, Response):
        return mine
    items = mine.body.get("items", [])
    if not items:
        return _refused(request, shell, Answer(404, {"detail": "Табель ещё не сформирован"}))
    return str(items[0]["student_id"])


@router.get("/report-card")
async def my_card(request: Request) -> Response:
    """The student's own card, or the chosen child's for a guardian."""
    shell = await _opened(request, "report_card")
    if isinstance(shell, Response):
        return shell
    student = await _my_student(request, shell)
    if isinstance(student, Response):
        return student
    return await _card_page(request, shell, "report_card", student, "/report-card")


@router.get("/reports/students/{student_id}")
async def student_card(request: Request, student_id: uuid.UUID) -> Response:
    shell = await _opened(request, "reports")
    if isinstance(shell, Response):
        return shell
    return await _card_page(
        request, shell, "reports", str(student_id), f"/reports/students/{student_id}"
    )


async def _card_file(request: Request, shell: Shell, student: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return _refused(request, shell, Answer(404, {"detail": "Такого формата нет"}))
    return await _passed_file(
        request, shell, "reporting", "GET", f"/api/v1/students/{student}/report-card?format={fmt}"
    )


@router.get("/report-card/file")
async def my_card_file(request: Request, format: str = "pdf") -> Response:
    shell = await _opened(request, "report_card")
    if isinstance(shell, Response):
        return shell
    student = await _my_student(request, shell)
    if isinstance(student, Response):
        return student
    return await _card_file(request, shell, student, format)


@router.get("/reports/students/{student_id}/file")
async def student_card_file(
    request: Request, student_id: uuid.UUID, format: str = "pdf"
) -> Response:
    shell = await _opened(request, "reports")
    if isinstance(shell, Response):
        return shell
    return await _card_file(request, shell, str(student_id), format)


@router.post("/reports/schedules")
async def add_schedule(request: Request) -> Response:
    posted = await _posted_form(request, "report_jobs")
    if isinstance(posted, Response):
        return posted
    form, shell = posted
    typed = str(form.get("days") or "").replace(";", ",")
    try:
        days = [int(d) for d in typed.split(",") if d.strip()]
        period = int(str(form.get("period_days") or "14"))
    except ValueError:
        return await _jobs_page(
            request,
            shell,
            error="Проверьте отмеченные поля",
            status=422,
            schedule_errors={"days": "Числа через запятую, например: 15, 30"},
        )
    body = {
        "kind": str(form.get("kind") or ""),
        "format": str(form.get("format") or ""),
        "days": days,
        "period_days": period,
    }
    return await _act(request, shell, "POST", "/api/v1/report-schedules", body)


@router.post("/reports/schedules/{schedule_id}/delete")
async def remove_schedule(request: Request, schedule_id: uuid.UUID) -> Response:
    posted = await _posted_form(request, "report_jobs")
    if isinstance(posted, Response):
        return posted
    _, shell = posted
    return await _act(request, shell, "DELETE", f"/api/v1/report-schedules/{schedule_id}")


# -- the regulations' named reports ----------------------------------------------------------

SCOPE_TITLES = {
    "group": "Отчёты группы",
    "student": "Отчёты обучающегося",
    "teacher": "Отчёты учителя (по своей нагрузке)",
    "organisation": "Отчёты организации",
}


def _scopes(shell: Shell) -> set[str]:
    if shell.kind in ("student", "guardian"):
        return {"student"}
    scopes = {"group", "student", "teacher"}
    if shell.has("reporting.read"):
        scopes.add("organisation")
    return scopes


def _named_params(
    kind: dict[str, Any],
    periods: list[dict[str, Any]],
    period: str | None,
    start: str | None,
    end: str | None,
) -> dict[str, str]:
    """The dates a named report is for: none for one of today (occupancy); the last two
    weeks for the curator's preliminary report unless others are chosen; else as the
    sheets (the chosen period, the dates typed, the period under way)."""
    if not kind["dated"]:
        return {}
    if kind["default_days"] and not (_uuid(period) or start or end):
        return {}
    return _range(periods, _uuid(period), start, end)


async def _named_target(
    request: Request,
    shell: Shell,
    kind: dict[str, Any],
    groups: list[dict[str, Any]],
    group: str | None,
    student: str | None,
    params: dict[str, str],
) -> tuple[str | None, dict[str, Any]] | Response:
    """Where reporting keeps the report, and what the page offers to choose (groups and
    their students); None while the user still has to choose."""
    offered: dict[str, Any] = {"group": None, "students": [], "student": None}
    scope, key = kind["scope"], kind["key"]
    if scope == "teacher":
        return f"/api/v1/teachers/me/reports/{key}", offered
    if scope == "organisation":
        return f"/api/v1/organisation/reports/{key}", offered
    if scope == "student" and shell.kind in ("student", "guardian"):
        mine = await _my_student(request, shell)
        if isinstance(mine, Response):
            return mine
        return f"/api/v1/students/{mine}/reports/{key}", offered
    ids = [g["group_id"] for g in groups]
    chosen = _uuid(group)
    offered["group"] = chosen if chosen in ids else (ids[0] if ids else None)
    if offered["group"] is None:
        return None, offered
    if scope == "group":
        return f"/api/v1/groups/{offered['group']}/reports/{key}", offered
    # A student of the chosen group, as its summary sheet lists them.
    sheet = await _call(
        request,
        shell,
        "reporting",
        "GET",
        f"/api/v1/groups/{offered['group']}/marks-summary",
        keep=(422,),
        **(
            params
            or {"from": (_today() - timedelta(days=28)).isoformat(), "to": _today().isoformat()}
        ),
    )
    if isinstance(sheet, Response):
        return sheet
    offered["students"] = [
        {"student_id": r["student_id"], "display_name": r["display_name"]}
        for r in (sheet.body.get("rows", []) if sheet.ok else [])
    ]
    listed = [s["student_id"] for s in offered["students"]]
    picked = _uuid(student)
    offered["student"] = picked if picked in listed else (listed[0] if listed else None)
    if offered["student"] is None:
        return None, offered
    return f"/api/v1/students/{offered['student']}/reports/{key}", offered


async def _named_choices(
    request: Request, shell: Shell
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]] | Response:
    found = await _call(request, shell, "reporting", "GET", "/api/v1/named-reports")
    if isinstance(found, Response):
        return found
    scopes = _scopes(shell)
    kinds = [k for k in found.body.get("items", []) if k["scope"] in scopes]
    if shell.kind in ("student", "guardian"):  # their own reports: no groups to choose
        periods = await _call(request, shell, "reporting", "GET", "/api/v1/periods")
        if isinstance(periods, Response):
            return periods
        return kinds, periods.body.get("items", []), []
    both = await _choices(request, shell)
    if isinstance(both, Response):
        return both
    groups, listed = both
    return kinds, listed, groups


@router.get("/reports/named")
async def named_reports_page(
    request: Request,
    kind: str | None = None,
    group: str | None = None,
    student: str | None = None,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    """Every named report the user may open: pick one, its group or student and the
    dates; see it as the file will print, and download it as XLSX or PDF."""
    shell = await _opened(request, "named_reports")
    if isinstance(shell, Response):
        return shell
    found = await _named_choices(request, shell)
    if isinstance(found, Response):
        return found
    kinds, periods, groups = found
    by_key = {k["key"]: k for k in kinds}
    chosen = by_key.get(kind or "") or (kinds[0] if kinds else None)
    report: dict[str, Any] | None = None
    error = None
    offered: dict[str, Any] = {"group": None, "students": [], "student": None}
    params: dict[str, str] = {}
    path = None
    if chosen:
        params = _named_params(chosen, periods, period, start, end)
        target = await _named_target(request, shell, chosen, groups, group, student, params)
        if isinstance(target, Response):
            return target
        path, offered = target
        if path is None:
            error = "Выберите группу и обучающегося: у вас пока нет групп с обучающимися"
        else:
            answer = await _call(
                request, shell, "reporting", "GET", path, keep=(404, 422), **params
            )
            if isinstance(answer, Response):
                return answer
            if answer.ok:
                report = answer.body
            else:
                error = str(answer.body.get("detail") or "Отчёт не построен")
    file_query = {
        k: v
        for k, v in {
            "kind": chosen["key"] if chosen else None,
            "group": offered["group"],
            "student": offered["student"],
            **params,
        }.items()
        if v
    }
    return _render(
        request,
        "named_reports.html",
        shell=shell,
        active="named_reports",
        report_kinds=kinds,
        scope_titles=SCOPE_TITLES,
        chosen=chosen,
        groups=groups,
        offered=offered,
        periods={p["period_id"]: _period_title(p) for p in periods if p["scope"] == "all"},
        chosen_period=params.get("period_id"),
        start=params.get("from", report["start"] if report else ""),
        end=params.get("to", report["end"] if report else ""),
        report=report,
        error=error,
        formats=FORMATS,
        downloads={
            fmt: "/reports/named/file?" + urlencode({**file_query, "format": fmt})
            for fmt in FORMATS
        }
        if report
        else {},
    )


@router.get("/reports/named/file")
async def named_report_file(
    request: Request,
    kind: str,
    format: str,
    group: str | None = None,
    student: str | None = None,
    period_id: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Response:
    """A named report as a file, passed on from reporting as it is (never cached)."""
    shell = await _opened(request, "named_reports")
    if isinstance(shell, Response):
        return shell
    found = await _named_choices(request, shell)
    if isinstance(found, Response):
        return found
    kinds, _, groups = found
    chosen = {k["key"]: k for k in kinds}.get(kind)
    if chosen is None or format not in FORMATS:
        return _refused(request, shell, Answer(status=404, body={"detail": "Такого отчёта нет"}))
    params = _file_range(period_id, start, end)
    target = await _named_target(request, shell, chosen, groups, group, student, params)
    if isinstance(target, Response):
        return target
    path, offered = target
    # Never a file of another group or student than the one asked for.
    mismatch = (group and offered["group"] and offered["group"] != _uuid(group)) or (
        student and offered["student"] and offered["student"] != _uuid(student)
    )
    if path is None or mismatch:
        return _refused(request, shell, Answer(status=404, body={"detail": "Такого отчёта нет"}))
    return await _passed_file(
        request, shell, "reporting", "GET", f"{path}?{urlencode({**params, 'format': format})}"
    )
