"""The report constructor's queries: a checked plan (domain/constructor.py) as one
SELECT over the organisation's own read models (its row-level security applies), every
column from a fixed map, every value a bound parameter, a time limit on the statement."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, outerjoin, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.domain import constructor as c
from edureg_reporting.persistence.tables import (
    Attendance,
    GroupOccupancy,
    Mark,
    Membership,
    MovementEntry,
    ReportDefinition,
    Student,
    Subject,
)
from edureg_shared import grading
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound

STATEMENT_TIMEOUT = "5s"
QUERY_CANCELED = "57014"


def _source(dataset: str, tenant_id: uuid.UUID) -> tuple[Any, dict[str, Any], list[Any]]:
    """The FROM, the columns by field key, and the conditions every query of it has."""
    if dataset == "students":
        base: Any = Membership
    elif dataset == "marks":
        base = Mark
    elif dataset == "attendance":
        base = Attendance
    else:
        base = MovementEntry
    joined: Any = outerjoin(
        base,
        Student,
        and_(Student.tenant_id == base.tenant_id, Student.student_id == base.student_id),
    ).outerjoin(
        GroupOccupancy,
        and_(GroupOccupancy.tenant_id == base.tenant_id, GroupOccupancy.group_id == base.group_id),
    )
    cols: dict[str, Any] = {
        "group": GroupOccupancy.name,
        "grade": GroupOccupancy.grade,
        "academic_year": GroupOccupancy.academic_year,
        "student": Student.display_name,
    }
    where: list[Any] = [base.tenant_id == tenant_id]
    if dataset in ("marks", "attendance"):
        joined = joined.outerjoin(
            Subject,
            and_(Subject.tenant_id == base.tenant_id, Subject.subject_id == base.subject_id),
        )
        cols |= {"subject": Subject.name, "day": base.day}
    if dataset == "students":
        cols |= {
            "valid_from": Membership.valid_from,
            "valid_to": Membership.valid_to,
            "active": Membership.valid_to.is_(None),
        }
    elif dataset == "marks":
        cols |= {
            "work_type": Mark.work_type,
            "value": Mark.value,
            "score": case(
                (Mark.value.in_(grading.FIVE_POINT), cast(Mark.value, Integer)), else_=None
            ),
            "weight": Mark.weight,
        }
        where.append(Mark.value.is_not(None))
    elif dataset == "attendance":
        cols["code"] = Attendance.code
        where.append(Attendance.code.is_not(None))
    else:
        cols |= {
            "kind": MovementEntry.kind,
            "order_number": MovementEntry.order_number,
            "order_date": MovementEntry.order_date,
            "effective_date": MovementEntry.effective_date,
        }
    return joined, cols, where


def _condition(col: Any, f: c.Filter) -> Any:
    if f.op == "eq":
        return col == f.value
    if f.op == "ne":
        return col != f.value
    if f.op == "in":
        return col.in_(f.value)
    if f.op == "gte":
        return col >= f.value
    return col <= f.value


def _aggregate(cols: dict[str, Any], a: c.Aggregate) -> Any:
    if a.fn == "count":
        return func.count(cols[a.field]) if a.field else func.count()
    col = cols[str(a.field)]
    if a.fn == "count_distinct":
        return func.count(col.distinct())
    if a.fn == "avg":
        return func.round(func.avg(col), 2)
    if a.fn == "sum":
        return func.sum(col)
    return func.min(col) if a.fn == "min" else func.max(col)


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return float(value)  # Decimal of an average
    return value


async def run(
    session: AsyncSession, tenant_id: uuid.UUID, plan: c.Plan
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    source, cols, where = _source(plan.dataset.key, tenant_id)
    where += [_condition(cols[f.field], f) for f in plan.filters]
    shown = [cols[k].label(k) for k in plan.fields]
    shown += [_aggregate(cols, a).label(a.key) for a in plan.aggregates]
    stmt = select(*shown).select_from(source).where(*where)
    if plan.aggregates:
        stmt = stmt.group_by(*(cols[k] for k in plan.group_by))
        stmt = stmt.order_by(*(cols[k] for k in plan.group_by))
    else:
        stmt = stmt.order_by(*(cols[k] for k in plan.fields))
    # A report the organisation's own data cannot answer in time stops, not the service.
    await session.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'"))
    try:
        async with session.begin_nested():
            rows = (await session.execute(stmt.limit(plan.limit))).all()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
            raise InvalidState(
                "Отчёт не построен за 5 секунд: сузьте период или добавьте условия"
            ) from exc
        raise
    return c.columns(plan), [[_json(v) for v in row] for row in rows]


async def definitions(session: AsyncSession, tenant_id: uuid.UUID) -> list[ReportDefinition]:
    rows = await session.scalars(
        select(ReportDefinition)
        .where(ReportDefinition.tenant_id == tenant_id)
        .order_by(ReportDefinition.title)
    )
    return list(rows.all())


async def definition(
    session: AsyncSession, tenant_id: uuid.UUID, definition_id: uuid.UUID
) -> ReportDefinition:
    found = await session.get(ReportDefinition, (tenant_id, definition_id))
    if found is None:
        raise NotFound("Нет такого отчёта конструктора")
    return found


async def save(
    session: AsyncSession, principal: Principal, title: str, body: dict[str, Any]
) -> ReportDefinition:
    c.check(body)
    saved = ReportDefinition(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        title=title.strip(),
        definition=body,
        created_by=principal.user_id,
    )
    session.add(saved)
    await session.flush()
    return saved


async def delete(session: AsyncSession, principal: Principal, definition_id: uuid.UUID) -> None:
    found = await definition(session, principal.tenant_id, definition_id)
    if found.created_by != principal.user_id:
        raise Forbidden("Удалить отчёт может только тот, кто его сохранил")
    await session.delete(found)
