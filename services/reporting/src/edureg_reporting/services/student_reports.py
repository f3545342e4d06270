"""A student's reports: the report card (табель) of an academic year — period, year, exam
and final marks per subject with the year's weighted average — and attendance. For the
student, their guardians, the teachers and curators of their groups, and the
organisation's management (001 10.1)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.persistence.tables import (
    AcademicYear,
    AccountLink,
    Attendance,
    GroupOccupancy,
    Mark,
    Membership,
    Period,
    PeriodMark,
    Student,
    Subject,
    TeachingLoad,
)
from edureg_reporting.services.reports import ORGANISATION_REPORTS
from edureg_shared import grading
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, NotFound

FINAL_KINDS = ("year", "exam", "final")


async def readable_student(
    session: AsyncSession, principal: Principal, student_id: uuid.UUID
) -> Student:
    student = await session.get(Student, (principal.tenant_id, student_id))
    if student is None:
        raise NotFound("Нет такого обучающегося")
    if principal.has(ORGANISATION_REPORTS):
        return student
    own = await session.scalar(
        select(AccountLink.student_id).where(
            AccountLink.tenant_id == principal.tenant_id,
            AccountLink.user_id == principal.user_id,
            AccountLink.student_id == student_id,
        )
    )
    if own is not None:
        return student
    if principal.kind == "staff":
        # A teacher or curator of a group the student is (or was) in.
        theirs = await session.scalar(
            select(Membership.group_id)
            .join(
                GroupOccupancy,
                (GroupOccupancy.tenant_id == Membership.tenant_id)
                & (GroupOccupancy.group_id == Membership.group_id),
            )
            .where(
                Membership.tenant_id == principal.tenant_id,
                Membership.student_id == student_id,
                or_(
                    GroupOccupancy.curator_user_id == principal.user_id,
                    exists().where(
                        TeachingLoad.tenant_id == Membership.tenant_id,
                        TeachingLoad.group_id == Membership.group_id,
                        TeachingLoad.teacher_user_id == principal.user_id,
                        TeachingLoad.active.is_(True),
                    ),
                ),
            )
            .limit(1)
        )
        if theirs is not None:
            return student
    raise Forbidden(
        "Отчёты обучающегося видят он сам, его родители, его учителя и классный "
        "руководитель, администрация"
    )


async def my_students(session: AsyncSession, principal: Principal) -> list[Student]:
    rows = await session.scalars(
        select(Student)
        .join(
            AccountLink,
            (AccountLink.tenant_id == Student.tenant_id)
            & (AccountLink.student_id == Student.student_id),
        )
        .where(Student.tenant_id == principal.tenant_id, AccountLink.user_id == principal.user_id)
        .order_by(Student.display_name)
    )
    return list(rows.all())


@dataclass
class SubjectLine:
    subject_id: uuid.UUID
    name: str
    average: float | None = None
    marks: int = 0
    by_period: dict[uuid.UUID, str] = field(default_factory=dict)
    final: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportCard:
    student: Student
    year: AcademicYear | None
    periods: list[Period]
    subjects: list[SubjectLine]
    attendance: dict[str, int]


async def report_card(
    session: AsyncSession, tenant_id: uuid.UUID, student: Student, on: date | None = None
) -> ReportCard:
    day = on or datetime.now(UTC).date()
    years = list(
        (
            await session.scalars(
                select(AcademicYear)
                .where(AcademicYear.tenant_id == tenant_id, AcademicYear.starts_on <= day)
                .order_by(AcademicYear.starts_on.desc())
                .limit(1)
            )
        ).all()
    )
    year = years[0] if years else None
    start, end = (year.starts_on, year.ends_on) if year else (date(day.year - 1, 9, 1), day)
    periods = []
    if year is not None:
        periods = list(
            (
                await session.scalars(
                    select(Period)
                    .where(
                        Period.tenant_id == tenant_id,
                        Period.academic_year_id == year.academic_year_id,
                        Period.scope == "all",
                    )
                    .order_by(Period.starts_on)
                )
            ).all()
        )
    lines: dict[uuid.UUID, SubjectLine] = {}
    marks: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for subject, value, weight in (
        await session.execute(
            select(Mark.subject_id, Mark.value, Mark.weight).where(
                Mark.tenant_id == tenant_id,
                Mark.student_id == student.student_id,
                Mark.day.between(start, end),
                Mark.value.is_not(None),
            )
        )
    ).all():
        marks[subject].append((value, weight))
    period_ids = {p.period_id for p in periods}
    given = (
        await session.execute(
            select(
                PeriodMark.subject_id, PeriodMark.period_id, PeriodMark.kind, PeriodMark.value
            ).where(
                PeriodMark.tenant_id == tenant_id,
                PeriodMark.student_id == student.student_id,
                PeriodMark.value.is_not(None),
            )
        )
    ).all()
    names: dict[uuid.UUID, str] = dict(
        (
            await session.execute(
                select(Subject.subject_id, Subject.name).where(Subject.tenant_id == tenant_id)
            )
        ).all()
    )
    for subject, values in marks.items():
        line = lines.setdefault(subject, SubjectLine(subject, names.get(subject, "Предмет")))
        line.average = grading.weighted_average(values)
        line.marks = len(values)
    for subject, period_id, kind, value in given:
        # Journal keys the year's marks by the academic year (older ones by a period).
        this_year = period_id in period_ids or (
            year is not None and period_id == year.academic_year_id
        )
        if not this_year or kind not in ("period", *FINAL_KINDS):
            continue  # another year's, or coursework and the like
        if kind == "period" and period_id not in period_ids:
            continue
        line = lines.setdefault(subject, SubjectLine(subject, names.get(subject, "Предмет")))
        if kind == "period":
            line.by_period[period_id] = value
        elif year is not None and period_id == year.academic_year_id:
            line.final[kind] = value  # the year's own mark wins over an older period-keyed one
        else:
            line.final.setdefault(kind, value)
    attendance = dict.fromkeys(grading.ATTENDANCE, 0)
    for (code,) in (
        await session.execute(
            select(Attendance.code).where(
                Attendance.tenant_id == tenant_id,
                Attendance.student_id == student.student_id,
                Attendance.day.between(start, end),
                Attendance.code.is_not(None),
            )
        )
    ).all():
        if code in attendance:
            attendance[code] += 1
    return ReportCard(
        student=student,
        year=year,
        periods=periods,
        subjects=sorted(lines.values(), key=lambda x: x.name.casefold()),
        attendance=attendance,
    )
