"""A student's report card (табель) on screen, as XLSX and as PDF (001 10.1: for the
student, their guardians, their teachers and the management)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from edureg_reporting import render
from edureg_reporting.http.group_reports import Format, FormatQ, Signed, _file
from edureg_reporting.services import documents, student_reports
from edureg_shared import audit
from edureg_shared.errors import InvalidState

router = APIRouter(prefix="/api/v1", tags=["student reports"])


class MyStudent(BaseModel):
    student_id: uuid.UUID
    display_name: str


class PeriodColumn(BaseModel):
    period_id: uuid.UUID
    title: str


class SubjectRow(BaseModel):
    subject_id: uuid.UUID
    name: str
    average: float | None
    marks: int
    by_period: dict[uuid.UUID, str]
    final: dict[str, str]


class ReportCardRead(BaseModel):
    student_id: uuid.UUID
    display_name: str
    academic_year: str | None
    periods: list[PeriodColumn]
    subjects: list[SubjectRow]
    attendance: dict[str, int]


@router.get(
    "/my/students",
    response_model=list[MyStudent],
    summary="Обучающиеся, чьи отчёты мои (свои или моих детей)",
)
async def my_students(ctx: Signed) -> list[MyStudent]:
    return [
        MyStudent(student_id=s.student_id, display_name=s.display_name)
        for s in await student_reports.my_students(ctx.session, ctx.principal)
    ]


@router.get(
    "/students/{student_id}/report-card",
    response_model=ReportCardRead,
    summary="Табель успеваемости обучающегося за учебный год",
)
async def report_card(
    ctx: Signed,
    student_id: uuid.UUID,
    on: Annotated[
        date | None, Query(description="День учебного года (по умолчанию сегодня)")
    ] = None,
    format: FormatQ = Format.json,
) -> Any:
    if on is not None and not 2000 <= on.year <= 2100:
        raise InvalidState(
            "Дата вне учебных лет системы",
            errors=[{"field": "on", "message": "Год от 2000 до 2100"}],
        )
    student = await student_reports.readable_student(ctx.session, ctx.principal, student_id)
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read" if format is Format.json else "export",
        entity="student_report",
        entity_id=student_id,
        details={"report": "report_card", "format": format.value},
    )
    card = await student_reports.report_card(ctx.session, ctx.tenant_id, student, on)
    if format is not Format.json:
        made = f"Сформирован {render.stamp()}"
        return _file(
            documents.report_card_table(card, made), format, f"Табель {student.display_name}"
        )
    return ReportCardRead(
        student_id=student.student_id,
        display_name=student.display_name,
        academic_year=card.year.title if card.year else None,
        periods=[
            PeriodColumn(period_id=p.period_id, title=documents.period_title(p))
            for p in card.periods
        ],
        subjects=[SubjectRow(**vars(s)) for s in card.subjects],
        attendance=card.attendance,
    )
