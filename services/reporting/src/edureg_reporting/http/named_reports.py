"""The named reports (services/named_reports.py) of a group, a student, a teacher and the
organisation: on screen as the tables the files hold, as XLSX and as PDF."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from edureg_reporting.http.group_reports import (
    Format,
    FormatQ,
    From,
    OrgReports,
    PeriodId,
    PeriodRead,
    Signed,
    To,
    _file,
    _made,
    _period,
)
from edureg_reporting.persistence.tables import TeachingLoad
from edureg_reporting.services import named_reports, reports, student_reports
from edureg_reporting.services.named_reports import Kind, Of, Scope
from edureg_shared import audit
from edureg_shared.errors import Forbidden, NotFound
from edureg_shared.http import Context

router = APIRouter(prefix="/api/v1", tags=["named reports"])

Cell = str | int | float | None


class KindRead(BaseModel):
    key: str
    scope: Scope
    title: str
    dated: bool
    default_days: int | None


class TableRead(BaseModel):
    title: str
    subtitle: list[str]
    columns: list[str]
    rows: list[list[Cell]]
    footer: list[list[Cell]]
    notes: list[str]


class NamedReport(BaseModel):
    kind: str
    title: str
    scope: Scope
    start: date
    end: date
    period: PeriodRead | None
    tables: list[TableRead]


@router.get(
    "/named-reports", response_model=list[KindRead], summary="Отчёты по положениям: перечень"
)
async def kinds(ctx: Signed) -> list[KindRead]:
    return [
        KindRead(
            key=k.key, scope=k.scope, title=k.title, dated=k.dated, default_days=k.default_days
        )
        for k in named_reports.KINDS.values()
    ]


def _kind(key: str, scope: Scope) -> Kind:
    kind = named_reports.KINDS.get(key)
    if kind is None or kind.scope != scope:
        raise NotFound("Нет такого отчёта")
    return kind


async def _range(
    ctx: Context,
    kind: Kind,
    period_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
) -> reports.Range:
    today = datetime.now(UTC).date()
    if not kind.dated:
        return reports.Range(today, today, None)
    if kind.default_days and period_id is None and start is None and end is None:
        return reports.Range(today - timedelta(days=kind.default_days - 1), today, None)
    return await reports.resolve_range(
        ctx.session, ctx.tenant_id, period_id=period_id, start=start, end=end
    )


async def _answer(
    ctx: Context,
    kind: Kind,
    of: Of,
    fmt: Format,
    entity: str,
    entity_id: uuid.UUID,
    name: str,
) -> Any:
    # Who opened which report (most name children): 152-FZ.
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read" if fmt is Format.json else "export",
        entity=entity,
        entity_id=entity_id,
        details={
            "report": kind.key,
            "format": fmt.value,
            "from": of.r.start.isoformat(),
            "to": of.r.end.isoformat(),
        },
    )
    tables = await kind.build(of)
    if fmt is not Format.json:
        return _file(tables, fmt, f"{kind.title} {name}".strip())
    return NamedReport(
        kind=kind.key,
        title=kind.title,
        scope=kind.scope,
        start=of.r.start,
        end=of.r.end,
        period=_period(of.r.period),
        tables=[
            TableRead(
                title=t.title,
                subtitle=t.subtitle,
                columns=t.columns,
                rows=t.rows,
                footer=t.footer,
                notes=t.notes,
            )
            for t in tables
        ],
    )


@router.get(
    "/groups/{group_id}/reports/{key}",
    response_model=NamedReport,
    summary="Отчёт группы по положению (посещаемость, отчёт куратора, результаты, письмо родителям)",
    description="Для куратора группы, учителей, которые в ней работают, и администрации.",
)
async def group_report(
    ctx: Signed,
    group_id: uuid.UUID,
    key: str,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    kind = _kind(key, "group")
    group = await reports.readable_group(ctx.session, ctx.principal, group_id)
    r = await _range(ctx, kind, period_id, start, end)
    of = Of(ctx.session, ctx.tenant_id, r, _made(), group=group)
    return await _answer(ctx, kind, of, format, "report", group_id, group.name or "")


@router.get(
    "/students/{student_id}/reports/{key}",
    response_model=NamedReport,
    summary="Отчёт обучающегося (средний балл, динамика, успеваемость и посещаемость, качество)",
    description="Для самого обучающегося, его родителей, его учителей и куратора, администрации.",
)
async def student_report(
    ctx: Signed,
    student_id: uuid.UUID,
    key: str,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    kind = _kind(key, "student")
    student = await student_reports.readable_student(ctx.session, ctx.principal, student_id)
    r = await _range(ctx, kind, period_id, start, end)
    of = Of(ctx.session, ctx.tenant_id, r, _made(), student=student)
    return await _answer(ctx, kind, of, format, "student_report", student_id, student.display_name)


@router.get(
    "/teachers/{teacher}/reports/{key}",
    response_model=NamedReport,
    summary="Отчёт учителя (по предмету, результаты, часы по плану и проведённые)",
    description="`teacher`: `me` — свой; идентификатор учителя — для администрации.",
)
async def teacher_report(
    ctx: Signed,
    teacher: str,
    key: str,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    kind = _kind(key, "teacher")
    if ctx.principal.kind != "staff":
        raise Forbidden("Отчёты учителя — для сотрудников")
    teacher_id = ctx.principal.user_id
    label = "Учитель: отчёт по своей нагрузке"
    if teacher != "me":
        try:
            teacher_id = uuid.UUID(teacher)
        except ValueError:
            raise NotFound("Нет такого учителя") from None
    if teacher_id != ctx.principal.user_id:
        if not ctx.principal.has(reports.ORGANISATION_REPORTS):
            raise Forbidden("Отчёты учителя видят он сам и администрация")
        has_load = await ctx.session.scalar(
            select(TeachingLoad.load_id)
            .where(
                TeachingLoad.tenant_id == ctx.tenant_id,
                TeachingLoad.teacher_user_id == teacher_id,
            )
            .limit(1)
        )
        if has_load is None:
            raise NotFound("Нет такого учителя: у него нет учебной нагрузки в организации")
        label = f"Учитель (идентификатор): {teacher_id}"
    r = await _range(ctx, kind, period_id, start, end)
    of = Of(ctx.session, ctx.tenant_id, r, _made(), teacher_id=teacher_id, teacher_label=label)
    return await _answer(ctx, kind, of, format, "report", teacher_id, "")


@router.get(
    "/organisation/reports/{key}",
    response_model=NamedReport,
    summary="Отчёт организации (кураторы, предметы, наполняемость, движение, ОШ-1 / СПО-1)",
    description="Для администрации организации.",
)
async def organisation_report(
    ctx: OrgReports,
    key: str,
    period_id: PeriodId = None,
    start: From = None,
    end: To = None,
    format: FormatQ = Format.json,
) -> Any:
    kind = _kind(key, "organisation")
    r = await _range(ctx, kind, period_id, start, end)
    of = Of(ctx.session, ctx.tenant_id, r, _made())
    return await _answer(ctx, kind, of, format, "report", ctx.tenant_id, "")
