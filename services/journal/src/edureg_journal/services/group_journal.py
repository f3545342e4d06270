"""The class teacher's (curator's) view: the group's journal across every subject for a
span of days (read), the reasons of absences corrected (001 8.3), and the history of one
student's marks and attendance. The management reads them too; no one else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import (
    Attendance,
    GroupCurator,
    JournalChange,
    Lesson,
    Mark,
    PeriodMark,
    RosterMembership,
)
from edureg_journal.services import periods
from edureg_journal.services.lessons import attendance_event
from edureg_shared import audit, region
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_events

READ_ALL = "journal.read.all"


async def _known(session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID) -> bool:
    for column, tenant in (
        (GroupCurator.group_id, GroupCurator.tenant_id),
        (RosterMembership.group_id, RosterMembership.tenant_id),
        (Lesson.group_id, Lesson.tenant_id),
    ):
        if await session.scalar(
            select(column).where(tenant == tenant_id, column == group_id).limit(1)
        ):
            return True
    return False


async def _may_read_group(session: AsyncSession, principal: Principal, group_id: uuid.UUID) -> None:
    if await repo.curates(session, principal.tenant_id, principal.user_id, group_id):
        return
    if not await _known(session, principal.tenant_id, group_id):
        raise NotFound("Группа не найдена")
    if principal.has(READ_ALL):
        return
    raise Forbidden(
        "Журнал класса по всем предметам видят его классный руководитель и администрация"
    )


async def curated_groups(*, session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(GroupCurator.group_id).where(
            GroupCurator.tenant_id == principal.tenant_id,
            GroupCurator.curator_user_id == principal.user_id,
        )
    )
    return list(rows.all())


@dataclass
class GroupJournal:
    students: list[RosterMembership]
    lessons: list[Lesson]
    marks: list[Mark]
    attendance: list[Attendance]


async def group_journal(
    *, session: AsyncSession, principal: Principal, group_id: uuid.UUID, first: date, last: date
) -> GroupJournal:
    tenant_id = principal.tenant_id
    await _may_read_group(session, principal, group_id)
    lessons = await repo.group_lessons(session, tenant_id, [group_id], first, last)
    ids = [x.id for x in lessons]
    members = (
        await session.scalars(
            select(RosterMembership)
            .where(
                RosterMembership.tenant_id == tenant_id,
                RosterMembership.group_id == group_id,
                RosterMembership.valid_from <= last,
                or_(RosterMembership.valid_to.is_(None), RosterMembership.valid_to > first),
                or_(
                    RosterMembership.valid_to.is_(None),
                    RosterMembership.valid_to > RosterMembership.valid_from,
                ),
            )
            .order_by(RosterMembership.display_name, RosterMembership.student_id)
        )
    ).all()
    # One row per student (a student who left and came back has two memberships).
    students = list({m.student_id: m for m in reversed(members)}.values())
    students.sort(key=lambda m: (m.display_name, str(m.student_id)))
    marks = await repo.marks_of_lessons(session, tenant_id, ids)
    attendance = (
        list(
            (
                await session.scalars(
                    select(Attendance).where(
                        Attendance.tenant_id == tenant_id, Attendance.lesson_id.in_(ids)
                    )
                )
            ).all()
        )
        if ids
        else []
    )
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="read",
        entity="group_journal",
        entity_id=group_id,
        details={"from": first.isoformat(), "to": last.isoformat()},
    )
    return GroupJournal(students, lessons, marks, attendance)


class ReasonIn(BaseModel):
    """The class teacher's correction of an absence: its kind and reason (a teacher
    records that the student was away; why is the class teacher's to say)."""

    model_config = ConfigDict(extra="forbid")

    code: Literal["absent", "ill", "excused"]
    reason: Annotated[str, Field(max_length=300)] | None = None
    # The day the student or their parent brought the document (a medical certificate, a
    # statement): the correction is due within 2 working days of it (001 8.3).
    document_on: date | None = None


async def correct_reason(
    *,
    session: AsyncSession,
    principal: Principal,
    lesson_id: uuid.UUID,
    student_id: uuid.UUID,
    cmd: ReasonIn,
) -> Attendance:
    """Only the group's class teacher, only an absence already recorded (not a presence
    turned into one, not a lateness), only in an open period; kept in the history."""
    tenant_id = principal.tenant_id
    lesson = await repo.lesson_for_update(session, tenant_id, lesson_id)
    if lesson is None:
        raise NotFound("Урок не найден")
    if not await repo.curates(session, tenant_id, principal.user_id, lesson.group_id):
        raise Forbidden("Причины пропусков отмечает классный руководитель группы")
    row = await session.get(Attendance, (tenant_id, lesson_id, student_id), with_for_update=True)
    if row is None or row.code == "late":
        raise NotFound("Пропуск этого обучающегося на уроке не отмечен")
    if lesson.status == "cancelled":
        raise InvalidState("Урок отменён в расписании: его журнал не заполняется")
    await periods.check_open(session, tenant_id, lesson.period_id)
    if cmd.document_on is not None and cmd.document_on > region.today():
        raise InvalidState(
            "Причина не сохранена: дата документа ещё не наступила",
            errors=[{"field": "document_on", "message": "Документ не может быть из будущего"}],
        )
    reason = (cmd.reason or "").strip() or None
    changed = (row.code, row.reason) != (cmd.code, reason)
    if not changed and cmd.document_on is None:
        return row
    now = datetime.now(UTC)
    actor = Actor(kind="user", id=principal.user_id)
    events = []
    if changed:
        old = {"code": row.code, "reason": row.reason}
        row.code, row.reason = cmd.code, reason
        row.updated_by, row.updated_at = principal.user_id, now
        session.add(
            JournalChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                lesson_id=lesson_id,
                student_id=student_id,
                what="attendance",
                old=old,
                new={"code": cmd.code, "reason": reason},
                changed_by=principal.user_id,
                changed_at=now,
            )
        )
        lesson.version += 1  # a grid open in a teacher's browser is stale now
        events.append(attendance_event(actor, lesson, student_id, cmd.code))
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="attendance_reason",
        entity_id=lesson_id,
        details={
            "student_id": str(student_id),
            **({"document_on": cmd.document_on.isoformat()} if cmd.document_on else {}),
        },
    )
    if cmd.document_on is not None:
        events.append(
            c.ABSENCE_DOCUMENTED.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=student_id,
                data=c.AbsenceDocumentedV1(
                    lesson_id=lesson.id,
                    group_id=lesson.group_id,
                    student_id=student_id,
                    day=lesson.day,
                    document_on=cmd.document_on,
                    corrected_at=now,
                ),
            )
        )
    await add_events(session, events)
    return row


async def student_history(
    *, session: AsyncSession, principal: Principal, student_id: uuid.UUID
) -> list[tuple[JournalChange, Lesson | None]]:
    """Every change of the student's marks, attendance and period marks, newest first
    (the last 500): for the class teacher of a group the student was ever in, and the
    management. A student of another organisation is not found."""
    tenant_id = principal.tenant_id
    memberships = (
        await session.scalars(
            select(RosterMembership).where(
                RosterMembership.tenant_id == tenant_id,
                RosterMembership.student_id == student_id,
            )
        )
    ).all()
    if not memberships:
        raise NotFound("Обучающийся не найден")
    everything = principal.has(READ_ALL)
    curated = (
        set() if everything else set(await curated_groups(session=session, principal=principal))
    )
    if not everything and not {m.group_id for m in memberships} & curated:
        raise Forbidden(
            "Историю оценок обучающегося видят его классный руководитель и администрация"
        )
    # A class teacher sees what was entered in their group's lessons, and the period
    # marks while the student is in their group — not the student's life elsewhere.
    # Period marks: those of the groups they curate (a period mark's change is kept
    # under its period; the mark itself names the group).
    mine_periods = {
        (p.period_id, p.kind)
        for p in (
            await session.scalars(
                select(PeriodMark).where(
                    PeriodMark.tenant_id == tenant_id,
                    PeriodMark.student_id == student_id,
                    PeriodMark.group_id.in_(curated),
                )
            )
        ).all()
    }
    changes = (
        await session.scalars(
            select(JournalChange)
            .where(JournalChange.tenant_id == tenant_id, JournalChange.student_id == student_id)
            .order_by(JournalChange.changed_at.desc(), JournalChange.id)
            .limit(500)
        )
    ).all()
    lessons = {
        x.id: x
        for x in (
            await session.scalars(
                select(Lesson).where(
                    Lesson.tenant_id == tenant_id,
                    Lesson.id.in_({ch.lesson_id for ch in changes}),
                )
            )
        ).all()
    }
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="read",
        entity="student_changes",
        entity_id=student_id,
    )
    out = []
    for ch in changes:
        lesson = lessons.get(ch.lesson_id)
        if (
            everything
            or (lesson is not None and lesson.group_id in curated)
            or (ch.what == "period" and (ch.lesson_id, ch.work_type) in mine_periods)
        ):
            out.append((ch, lesson))
    return out
