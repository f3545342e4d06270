"""The diary in the portal, for a student and for a guardian (the child chosen in the
frame), phone-first: the week's lessons with topic, homework, marks (with the kind of
work and its weight) and attendance, and the averages per subject. Journal decides, by
relationship."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from edureg_portal.pages import _call, _opened, _render
from edureg_portal.schedule_pages import _date, _monday, _today, _week_days

router = APIRouter(include_in_schema=False)

ATTENDANCE = {
    "absent": "не был(а) на уроке",
    "ill": "болел(а)",
    "excused": "отсутствовал(а) по уважительной причине",
    "late": "опоздал(а)",
}
VALUES = {"pass": "зачёт", "fail": "незачёт"}


@router.get("/diary")
async def diary_page(request: Request, week: str | None = None) -> Response:
    shell = await _opened(request, "diary")
    if isinstance(shell, Response):
        return shell
    monday = _monday(_date(week, _today()))
    params = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}
    if shell.kind == "guardian" and shell.child and shell.child.get("person_id"):
        params["student_id"] = str(shell.child["person_id"])
    found = await _call(request, shell, "journal", "GET", "/api/v1/my/diary", keep=(404,), **params)
    if isinstance(found, Response):
        return found
    diaries = list(found.body.get("items", [])) if found.ok else []
    diary = diaries[0] if diaries else None
    days = _week_days(monday, (diary or {}).get("lessons", []))
    return _render(
        request,
        "diary.html",
        shell=shell,
        active="diary",
        diary=diary,
        days=days,
        today=_today(),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat(),
        attendance=ATTENDANCE,
        values=VALUES,
    )
