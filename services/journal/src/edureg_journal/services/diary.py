"""The diary of a student, for the student and their guardians: the lessons of the days
they were in their group, with topic, homework, their own marks and attendance, and the
weighted average per subject. Reached by relationship (whose account is whose), never by
a permission."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.domain import marks as rules
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import (
    Attendance,
    DiaryVisit,
    HomeworkFile,
    Lesson,
    Mark,
    PeriodMark,
    RosterMembership,
)
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import NotFound
from edureg_shared.events.envelope import Actor, Envelope


async def on_accounts_provisioned(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        d = c.ACCOUNTS_PROVISIONED.parse(e.data)
        rows += [
            {"user_id": a.user_id, "student_id": d.student_id, "kind": a.kind}
            for a in d.accounts
            if a.kind in ("student", "guardian")
        ]
    await repo.add_links(session, events[0].tenant_id, rows)


@dataclass
class DiaryDay:
    lesson: Lesson
    marks: list[Mark]
    attendance: Attendance | None
    files: list[HomeworkFile] = field(default_factory=list)


@dataclass
class Diary:
    student_id: uuid.UUID
    display_name: str
    lessons: list[DiaryDay] = field(default_factory=list)
    averages: dict[str, float] = field(default_factory=dict)
    # (subject, kind, value) of the marks for periods, the year, exams…
    period_marks: list[tuple[str, str, str]] = field(default_factory=list)
    # When this user last opened this diary (None: never); newer marks are shown as new.
    last_visit: datetime | None = None
    # The marks given or changed since then, in any week (the newest 50).
    new_marks: list[tuple[Mark, Lesson]] = field(default_factory=list)


async def _new_marks(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, since: datetime
) -> list[tuple[Mark, Lesson]]:
    rows = await session.execute(
        select(Mark, Lesson)
        .join(Lesson, (Lesson.tenant_id == Mark.tenant_id) & (Lesson.id == Mark.lesson_id))
        .where(
            Mark.tenant_id == tenant_id,
            Mark.student_id == student_id,
            Mark.updated_at > since,
        )
        .order_by(Mark.updated_at.desc())
        .limit(50)
    )
    return [(m, x) for m, x in rows.all()]


async def _visited(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    student_id: uuid.UUID,
    *,
    remember: bool,
) -> datetime | None:
    """The previous visit, and this one remembered (if it is one)."""
    before = await session.scalar(
        select(DiaryVisit.seen_at).where(
            DiaryVisit.tenant_id == tenant_id,
            DiaryVisit.user_id == user_id,
            DiaryVisit.student_id == student_id,
        )
    )
    if not remember:
        return before
    stmt = insert(DiaryVisit).values(
        tenant_id=tenant_id, user_id=user_id, student_id=student_id, seen_at=datetime.now(UTC)
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[DiaryVisit.tenant_id, DiaryVisit.user_id, DiaryVisit.student_id],
            set_={"seen_at": stmt.excluded.seen_at},
        )
    )
    return before


async def _period_marks(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    student_id: uuid.UUID,
    subjects: dict[uuid.UUID, str],
) -> list[tuple[str, str, str]]:
    rows = (
        await session.scalars(
            select(PeriodMark)
            .where(PeriodMark.tenant_id == tenant_id, PeriodMark.student_id == student_id)
            .order_by(PeriodMark.set_at)
        )
    ).all()
    missing = {r.subject_id for r in rows} - set(subjects)
    if missing:
        named = await session.execute(
            select(Lesson.subject_id, Lesson.subject)
            .where(Lesson.tenant_id == tenant_id, Lesson.subject_id.in_(missing))
            .distinct(Lesson.subject_id)
        )
        subjects = {**subjects, **{row[0]: row[1] for row in named.all()}}
    return [(subjects.get(r.subject_id, "—"), r.kind, r.value) for r in rows]


def present(
    x: Lesson, memberships: list[RosterMembership], subgroups: list[repo.SubgroupSpell]
) -> bool:
    """The student was in the lesson's group that day (and in its subgroup, if any)."""
    in_group = any(
        m.group_id == x.group_id
        and m.valid_from <= x.day
        and (m.valid_to is None or x.day < m.valid_to)
        for m in memberships
    )
    return in_group and (
        x.subgroup_id is None or any(s.covers(x.subgroup_id, x.day) for s in subgroups)
    )


async def diaries(
    *,
    session: AsyncSession,
    principal: Principal,
    first: date,
    last: date,
    student_id: uuid.UUID | None,
) -> list[Diary]:
    """The caller's own diary (a student) or each child's (a guardian; one child when
    `student_id` names one of them — another's is not found)."""
    tenant_id = principal.tenant_id
    students = await repo.students_of_user(session, tenant_id, principal.user_id, principal.kind)
    if student_id is not None:
        if student_id not in students:
            raise NotFound("Обучающийся не найден")
        students = [student_id]
    out = []
    for student in students:
        memberships = await repo.memberships_between(session, tenant_id, student, first, last)
        if not memberships:
            continue
        groups = list({m.group_id for m in memberships})
        mine = await repo.subgroups_of(session, tenant_id, student)

        lessons = [
            x
            for x in await repo.group_lessons(session, tenant_id, groups, first, last)
            if present(x, memberships, mine)
        ]
        marks, attendance = await repo.student_entries(
            session, tenant_id, student, [x.id for x in lessons]
        )
        by_lesson: dict[uuid.UUID, list[Mark]] = defaultdict(list)
        for m in marks:
            by_lesson[m.lesson_id].append(m)
        absent = {a.lesson_id: a for a in attendance}
        files: dict[uuid.UUID, list[HomeworkFile]] = defaultdict(list)
        for f in await repo.homework_files(session, tenant_id, [x.id for x in lessons]):
            files[f.lesson_id].append(f)
        diary = Diary(student, max(memberships, key=lambda m: m.valid_from).display_name)
        per_subject: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for x in lessons:
            diary.lessons.append(
                DiaryDay(x, by_lesson.get(x.id, []), absent.get(x.id), files.get(x.id, []))
            )
            per_subject[x.subject] += [(m.value, m.weight) for m in by_lesson.get(x.id, [])]
        # A visit is the diary opened on the current week: browsing other weeks keeps
        # what is new since the last one on show.
        today = datetime.now(UTC).date()
        diary.last_visit = await _visited(
            session, tenant_id, principal.user_id, student, remember=first <= today <= last
        )
        if diary.last_visit is not None:
            diary.new_marks = await _new_marks(session, tenant_id, student, diary.last_visit)
        diary.period_marks = await _period_marks(
            session, tenant_id, student, {x.subject_id: x.subject for x in lessons}
        )
        diary.averages = {
            subject: avg
            for subject, values in per_subject.items()
            if (avg := rules.weighted_average(values)) is not None
        }
        out.append(diary)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="read",
        entity="diary",
        entity_id=None,
        details={"students": [str(d.student_id) for d in out]},
    )
    return out
