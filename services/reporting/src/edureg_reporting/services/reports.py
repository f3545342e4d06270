"""The group's reports: who may see them, for which dates, and what they count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.domain import sheets
from edureg_reporting.persistence.tables import (
    Attendance,
    GroupOccupancy,
    Lesson,
    Mark,
    Membership,
    Period,
    PeriodMark,
    Student,
    Subject,
    TeachingLoad,
)
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound
from edureg_shared.paging import check_range

ORGANISATION_REPORTS = "reporting.read"
# A school year and a bit: the longest range one sheet covers (docs/reports.md).
MAX_SHEET_DAYS = 400


@dataclass(frozen=True)
class Range:
    start: date
    end: date
    period: Period | None


def _groups_of(principal: Principal) -> object:
    """The groups a member of staff works in: curates, or teaches by their load."""
    return or_(
        GroupOccupancy.curator_user_id == principal.user_id,
        exists().where(
            TeachingLoad.tenant_id == GroupOccupancy.tenant_id,
            TeachingLoad.group_id == GroupOccupancy.group_id,
            TeachingLoad.teacher_user_id == principal.user_id,
            TeachingLoad.active.is_(True),
        ),
    )


async def readable_group(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID
) -> GroupOccupancy:
    """A group's reports are for the organisation's management (`reporting.read`), its
    curator and the teachers whose load is in it (001 10.1)."""
    group = await session.get(GroupOccupancy, (principal.tenant_id, group_id))
    if group is None or group.name is None:
        raise NotFound("Нет такой группы")
    if principal.has(ORGANISATION_REPORTS):
        return group
    mine = await session.scalar(
        select(GroupOccupancy.group_id).where(
            GroupOccupancy.tenant_id == principal.tenant_id,
            GroupOccupancy.group_id == group_id,
            _groups_of(principal),  # type: ignore[arg-type]
        )
    )
    if mine is None:
        raise Forbidden(
            "Отчёты группы видят её куратор, учителя, которые в ней работают, и администрация"
        )
    return group


async def report_groups(session: AsyncSession, principal: Principal) -> list[GroupOccupancy]:
    """The groups whose reports the caller may open."""
    stmt = select(GroupOccupancy).where(
        GroupOccupancy.tenant_id == principal.tenant_id, GroupOccupancy.name.is_not(None)
    )
    if not principal.has(ORGANISATION_REPORTS):
        stmt = stmt.where(_groups_of(principal))  # type: ignore[arg-type]
    rows = await session.scalars(
        stmt.order_by(
            GroupOccupancy.academic_year.desc(), GroupOccupancy.grade, GroupOccupancy.name
        )
    )
    return list(rows.all())


async def periods(session: AsyncSession, tenant_id: uuid.UUID) -> list[Period]:
    rows = await session.scalars(
        select(Period)
        .where(Period.tenant_id == tenant_id)
        .order_by(Period.starts_on.desc(), Period.scope, Period.number)
    )
    return list(rows.all())


async def resolve_range(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    period_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
) -> Range:
    """A study period, or dates from–to (both, at most `MAX_SHEET_DAYS` apart)."""
    if period_id is not None:
        period = await session.get(Period, (tenant_id, period_id))
        if period is None:
            raise NotFound("Нет такого учебного периода")
        return Range(period.starts_on, period.ends_on, period)
    if start is None or end is None:
        missing = [f for f, v in (("from", start), ("to", end)) if v is None]
        raise InvalidState(
            "Выберите учебный период или даты начала и конца",
            errors=[{"field": f, "message": "Укажите дату"} for f in missing],
        )
    check_range(start, end, max_days=MAX_SHEET_DAYS, start_field="from", end_field="to")
    return Range(start, end, None)


def _sort_key(name: str) -> str:
    return name.casefold().replace("ё", "е")


async def _students(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, r: Range
) -> list[tuple[uuid.UUID, str]]:
    """Everyone on the roster on any day of the range, and anyone with a mark in it."""
    on_roster = select(Membership.student_id).where(
        Membership.tenant_id == tenant_id,
        Membership.group_id == group_id,
        Membership.valid_from <= r.end,
        or_(Membership.valid_to.is_(None), Membership.valid_to > r.start),
        or_(Membership.valid_to.is_(None), Membership.valid_to > Membership.valid_from),
    )
    marked = select(Mark.student_id).where(
        Mark.tenant_id == tenant_id,
        Mark.group_id == group_id,
        Mark.day.between(r.start, r.end),
        Mark.value.is_not(None),
    )
    ids = set((await session.scalars(on_roster)).all()) | set((await session.scalars(marked)).all())
    if not ids:
        return []
    names: dict[uuid.UUID, str] = dict(
        (
            await session.execute(
                select(Student.student_id, Student.display_name).where(
                    Student.tenant_id == tenant_id, Student.student_id.in_(ids)
                )
            )
        ).all()
    )
    out = [(i, names.get(i) or "Обучающийся (имя ещё не получено)") for i in ids]
    return sorted(out, key=lambda x: (_sort_key(x[1]), str(x[0])))


async def _subjects(
    session: AsyncSession, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    if not ids:
        return []
    names: dict[uuid.UUID, str] = dict(
        (
            await session.execute(
                select(Subject.subject_id, Subject.name).where(
                    Subject.tenant_id == tenant_id, Subject.subject_id.in_(ids)
                )
            )
        ).all()
    )
    return sorted(((i, names.get(i, "Предмет")) for i in ids), key=lambda x: _sort_key(x[1]))


async def _lesson_subjects(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, r: Range
) -> dict[uuid.UUID, int]:
    """Lessons held (not cancelled, not still to come) per subject in the range."""
    last = min(r.end, datetime.now(UTC).date())
    rows = await session.execute(
        select(Lesson.subject_id, Lesson.day).where(
            Lesson.tenant_id == tenant_id,
            Lesson.group_id == group_id,
            Lesson.day.between(r.start, r.end),
            Lesson.status == "scheduled",
        )
    )
    out: dict[uuid.UUID, int] = {}
    for subject, day in rows.all():
        out[subject] = out.get(subject, 0) + (day <= last)
    return out


async def marks_sheet(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, r: Range
) -> sheets.MarksSheet:
    marks = (
        await session.execute(
            select(Mark.student_id, Mark.subject_id, Mark.value, Mark.weight).where(
                Mark.tenant_id == tenant_id,
                Mark.group_id == group_id,
                Mark.day.between(r.start, r.end),
                Mark.value.is_not(None),
            )
        )
    ).all()
    period_marks: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    if r.period is not None:
        rows = await session.execute(
            select(PeriodMark.student_id, PeriodMark.subject_id, PeriodMark.value).where(
                PeriodMark.tenant_id == tenant_id,
                PeriodMark.group_id == group_id,
                PeriodMark.period_id == r.period.period_id,
                PeriodMark.kind == "period",
                PeriodMark.value.is_not(None),
            )
        )
        period_marks = {(s, subj): v for s, subj, v in rows.all()}
    subject_ids = (
        set(await _lesson_subjects(session, tenant_id, group_id, r))
        | {m[1] for m in marks}
        | {k[1] for k in period_marks}
    )
    return sheets.marks_sheet(
        students=await _students(session, tenant_id, group_id, r),
        subjects=await _subjects(session, tenant_id, subject_ids),
        marks=[(s, subj, v, w) for s, subj, v, w in marks],
        period_marks=period_marks,
    )


async def attendance_sheet(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, r: Range
) -> sheets.AttendanceSheet:
    lessons = await _lesson_subjects(session, tenant_id, group_id, r)
    entries = (
        await session.execute(
            select(Attendance.student_id, Attendance.subject_id, Attendance.code).where(
                and_(
                    Attendance.tenant_id == tenant_id,
                    Attendance.group_id == group_id,
                    Attendance.day.between(r.start, r.end),
                    Attendance.code.is_not(None),
                )
            )
        )
    ).all()
    subject_ids = set(lessons) | {e[1] for e in entries}
    return sheets.attendance_sheet(
        students=await _students(session, tenant_id, group_id, r),
        subjects=await _subjects(session, tenant_id, subject_ids),
        lessons=lessons,
        entries=[(s, subj, c) for s, subj, c in entries if c is not None],
    )
