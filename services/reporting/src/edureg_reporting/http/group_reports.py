"""A group's reports (001 10.1): on screen (JSON), as XLSX and as a printable PDF."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from edureg_reporting import render
from edureg_reporting.domain import sheets
from edureg_reporting.persistence.tables import GroupOccupancy
from edureg_reporting.services import documents, reports
from edureg_shared import audit
from edureg_shared.downloads import disposition
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["group reports"])
# Anyone signed in: what each caller may see is narrowed by relationship (services/reports.py).
Signed = Annotated[Context, unit_of_work(None)]
OrgReports = Annotated[Context, unit_of_work(reports.ORGANISATION_REPORTS)]


class Format(StrEnum):
    json = "json"
    xlsx = "xlsx"
    pdf = "pdf"


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    group_id: uuid.UUID
    name: str | None
    grade: int | None
    academic_year: str | None
    active_students: int


class PeriodRead(BaseModel):
    period_id: uuid.UUID
    kind: str
    number: int
    title: str
    starts_on: date
    ends_on: date
    scope: str


class Subject(BaseModel):
    subject_id: uuid.UUID
    name: str


class CellRead(BaseModel):
    subject_id: uuid.UUID
    average: float | None
    marks: int
    period_mark: str | None
    result: str | None


class FiguresRead(BaseModel):
    counted: int
    success_rate: float | None
    quality_rate: float | None
    average: float | None


class MarksRow(BaseModel):
    student_id: uuid.UUID
    display_name: str
    cells: list[CellRead]
    average: float | None
    category: str
    category_title: str


class SubjectFigures(FiguresRead):
    subject_id: uuid.UUID


class MarksSummary(BaseModel):
    group: GroupRead
    start: date
    end: date
    period: PeriodRead | None
    subjects: list[Subject]
    rows: list[MarksRow]
    per_subject: list[SubjectFigures]
    overall: FiguresRead
    categories: dict[str, int]


class AttendanceRow(BaseModel):
    student_id: uuid.UUID
    display_name: str
    missed: dict[uuid.UUID, int]
    by_code: dict[str, int]
    total_missed: int


class AttendanceSummary(BaseModel):
    group: GroupRead
    start: date
    end: date
    period: PeriodRead | None
    subjects: list[Subject]
    lessons: dict[uuid.UUID, int]
    rows: list[AttendanceRow]
    totals: dict[str, int]


def _period(p: Any) -> PeriodRead | None:
    if p is None:
        return None
    return PeriodRead(
        period_id=p.period_id,
        kind=p.kind,
        number=p.number,
        title=documents.period_title(p),
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        scope=p.scope,
    )


@router.get("/report-groups", response_model=list[GroupRead], summary="Группы для отчётов")
async def report_groups(ctx: Signed) -> list[GroupRead]:
    """The groups whose reports the caller may open: all of the organisation's for its
    management, otherwise those the caller curates or teaches in."""
    return [
        GroupRead.model_validate(g) for g in await reports.report_groups(ctx.session, ctx.principal)
    ]


@router.get("/periods", response_model=list[PeriodRead], summary="Учебные периоды")
async def periods(ctx: Signed) -> list[PeriodRead]:
    return [p for p in map(_period, await reports.periods(ctx.session, ctx.tenant_id)) if p]


PeriodId = Annotated[uuid.UUID | None, Query(description="Учебный период (вместо дат)")]
From = Annotated[date | None, Query(alias="from", description="Начало (если не период)")]
To = Annotated[date | None, Query(alias="to", description="Конец, включительно")]
FormatQ = Annotated[Format, Query(description="json — на экран, xlsx или pdf — файлом")]


async def _prepare(
    ctx: Context,
    group_id: uuid.UUID,
    report: str,
    fmt: Format,
    period_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
) -> tuple[GroupOccupancy, reports.Range]:
    group = await reports.readable_group(ctx.session, ctx.principal, group_id)
    r = await reports.resolve_range(
        ctx.session, ctx.tenant_id, period_id=period_id, start=start, end=end
    )
    # Who opened which group's sheet (it names children): 152-FZ.
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read" if fmt is Format.json else "export",
        entity="report",
        entity_id=group_id,
        details={
            "report": report,
            "format": fmt.value,
            "from": r.start.isoformat(),
            "to": r.end.isoformat(),
        },
    )
    return group, r


def _file(table: render.Table | list[render.Table], fmt: Format, name: str) -> Response:
    """One table, or several (a letter per student): a sheet or a page each."""
    tables = table if isinstance(table, list) else [table]
    now = datetime.now(UTC)
    if fmt is Format.xlsx:
        body, media = render.xlsx(*tables), render.XLSX_TYPE
    else:
        body, media = render.pdf(*tables, created=now), render.PDF_TYPE
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": disposition(f"{name}.{fmt.value}")},
    )


def _made() -> str:
    return f"Сформирована {render.stamp()}"


@router.get(
    "/groups/{group_id}/marks-summary",
    response_model=MarksSummary,
    summary="Сводная ведомость успеваемости группы",
    description=f"За учебный период или даты (не длиннее {reports.MAX_SHEET_DAYS} дней).",
)
async def marks_summary(
    ctx: Signed,
    group_id: uuid.UUID,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    group, r = await _prepare(ctx, group_id, "marks_summary", format, period_id, start, end)
    sheet = await reports.marks_sheet(ctx.session, ctx.tenant_id, group_id, r)
    if format is not Format.json:
        table = documents.marks_table(group, r, sheet, _made())
        return _file(table, format, f"Сводная ведомость успеваемости {group.name}")
    return MarksSummary(
        group=GroupRead.model_validate(group),
        start=r.start,
        end=r.end,
        period=_period(r.period),
        subjects=[Subject(subject_id=i, name=n) for i, n in sheet.subjects],
        rows=[
            MarksRow(
                student_id=row.student_id,
                display_name=row.display_name,
                cells=[CellRead(subject_id=s, **vars(c)) for s, c in row.cells.items()],
                average=row.average,
                category=row.category,
                category_title=sheets.CATEGORY_OF_ONE[row.category],
            )
            for row in sheet.rows
        ],
        per_subject=[SubjectFigures(subject_id=s, **vars(f)) for s, f in sheet.per_subject.items()],
        overall=FiguresRead(**vars(sheet.overall)),
        categories=sheet.categories,
    )


@router.get(
    "/groups/{group_id}/attendance-summary",
    response_model=AttendanceSummary,
    summary="Сводная ведомость посещаемости группы",
    description=f"За учебный период или даты (не длиннее {reports.MAX_SHEET_DAYS} дней).",
)
async def attendance_summary(
    ctx: Signed,
    group_id: uuid.UUID,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    group, r = await _prepare(ctx, group_id, "attendance_summary", format, period_id, start, end)
    sheet = await reports.attendance_sheet(ctx.session, ctx.tenant_id, group_id, r)
    if format is not Format.json:
        table = documents.attendance_table(group, r, sheet, _made())
        return _file(table, format, f"Сводная ведомость посещаемости {group.name}")
    return AttendanceSummary(
        group=GroupRead.model_validate(group),
        start=r.start,
        end=r.end,
        period=_period(r.period),
        subjects=[Subject(subject_id=i, name=n) for i, n in sheet.subjects],
        lessons=sheet.lessons,
        rows=[AttendanceRow(**vars(row)) for row in sheet.rows],
        totals=sheet.totals,
    )


class GroupProgress(BaseModel):
    group: GroupRead
    students: int
    figures: FiguresRead
    categories: dict[str, int]


class ProgressSummary(BaseModel):
    start: date
    end: date
    period: PeriodRead | None
    groups: list[GroupProgress]


@router.get(
    "/organisation/progress-summary",
    response_model=ProgressSummary,
    summary="Сводный отчёт об успеваемости по организации (все группы)",
    description=f"Для администрации. За учебный период или даты (не длиннее {reports.MAX_SHEET_DAYS} дней).",
)
async def progress_summary(
    ctx: OrgReports,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    r = await reports.resolve_range(
        ctx.session, ctx.tenant_id, period_id=period_id, start=start, end=end
    )
    groups = await reports.report_groups(ctx.session, ctx.principal)
    lines = [
        (g, await reports.marks_sheet(ctx.session, ctx.tenant_id, g.group_id, r)) for g in groups
    ]
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read" if format is Format.json else "export",
        entity="report",
        entity_id=ctx.tenant_id,
        details={
            "report": "progress_summary",
            "format": format.value,
            "from": r.start.isoformat(),
            "to": r.end.isoformat(),
        },
    )
    if format is not Format.json:
        table = documents.progress_summary_table(r, lines, _made())
        return _file(table, format, "Сводный отчёт об успеваемости")
    return ProgressSummary(
        start=r.start,
        end=r.end,
        period=_period(r.period),
        groups=[
            GroupProgress(
                group=GroupRead.model_validate(g),
                students=len(sheet.rows),
                figures=FiguresRead(**vars(sheet.overall)),
                categories=sheet.categories,
            )
            for g, sheet in lines
        ],
    )
