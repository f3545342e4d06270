"""Lessons from schedule's events, who teaches what, and the lesson grid: a teacher saves
the topic, homework, every student's marks and attendance of one lesson in one request,
atomically, with the grid's version (a second teacher saving the same grid is told)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.domain import marks as rules
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import (
    Attendance,
    HomeworkFile,
    JournalChange,
    Lesson,
    Mark,
    RosterMembership,
)
from edureg_journal.services import org_settings, period_marks, periods, plans
from edureg_shared import audit, region
from edureg_shared.auth import Principal
from edureg_shared.errors import Conflict, Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_events

WRITE = "journal.marks.write"
READ_ALL = "journal.read.all"


def _row(lesson: c.ScheduledLesson) -> dict[str, object]:
    return {
        "id": lesson.lesson_id,
        "group_id": lesson.group_id,
        "subgroup_id": lesson.subgroup_id,
        "subject_id": lesson.subject_id,
        "subject": lesson.subject[:200],
        "teacher_ids": list(lesson.teacher_ids),
        "day": lesson.day,
        "lesson_number": lesson.lesson_number,
        "starts_at": lesson.starts_at,
        "ends_at": lesson.ends_at,
        "room": lesson.room,
        "period_id": lesson.period_id,
        "status": lesson.status,
        "source_version": lesson.version,
        "hours": max(1, min(lesson.hours, 4)),
    }


async def on_lessons_scheduled(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = [_row(x) for e in events for x in c.LESSONS_SCHEDULED.parse(e.data).lessons]
    await repo.upsert_lessons(session, events[0].tenant_id, rows)


async def on_lessons_changed(
    *, session: AsyncSession, events: list[Envelope], contract: c.Consumes
) -> None:
    """A change or a cancellation: the lesson as it is now; a cancelled one that holds
    marks or attendance is flagged, never deleted."""
    lessons = [contract.parse(e.data).lesson for e in events]
    await repo.upsert_lessons(session, events[0].tenant_id, [_row(x) for x in lessons])
    cancelled = [x.lesson_id for x in lessons if x.status == "cancelled"]
    if cancelled:
        await repo.flag_cancelled_with_entries(session, events[0].tenant_id, cancelled)


async def on_load_assigned(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = [{**c.LOAD_ASSIGNED.parse(e.data).model_dump(), "as_of": e.occurred_at} for e in events]
    await repo.set_teaching(session, events[0].tenant_id, rows, removed=False)


async def on_load_removed(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = [{**c.LOAD_REMOVED.parse(e.data).model_dump(), "as_of": e.occurred_at} for e in events]
    await repo.set_teaching(session, events[0].tenant_id, rows, removed=True)


async def on_subgroups_defined(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in sorted(events, key=lambda e: e.occurred_at):
        d = c.SUBGROUP_DEFINED.parse(e.data)
        await repo.set_subgroup(
            session,
            e.tenant_id,
            d.subgroup_id,
            d.student_ids,
            # Without a day named, the change applies from its own day (the region's).
            since=d.since or region.local_date(e.occurred_at),
            as_of=e.occurred_at,
        )


# -- the grid --------------------------------------------------------------------------


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID
    work_type: Annotated[str, Field(min_length=1, max_length=30)] = "lesson"
    value: Annotated[str, Field(min_length=1, max_length=4)]


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID
    code: Literal["absent", "ill", "excused", "late"]
    reason: Annotated[str, Field(max_length=300)] | None = None


class EveryoneIn(BaseModel):
    """One mark for the whole class: every student on the day's roster who is not absent
    and has no other mark of that kind in the same save."""

    model_config = ConfigDict(extra="forbid")

    work_type: Annotated[str, Field(min_length=1, max_length=30)] = "lesson"
    value: Annotated[str, Field(min_length=1, max_length=4)]


class SaveGrid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The grid's version as read: 409 if someone saved it since.
    version: int
    topic: Annotated[str, Field(max_length=500)] | None = None
    homework: Annotated[str, Field(max_length=2000)] | None = None
    # Distance learning (003 3.3.5): "online" needs the platform; its time if it differs
    # from the timetable's.
    delivery: Literal["offline", "online"] | None = None
    platform: Annotated[str, Field(max_length=300)] | None = None
    online_starts_at: time | None = None
    marks: Annotated[list[MarkIn], Field(max_length=300)] = []
    attendance: Annotated[list[AttendanceIn], Field(max_length=100)] = []
    everyone: Annotated[list[EveryoneIn], Field(max_length=10)] = []


@dataclass
class Grid:
    lesson: Lesson
    roster: list[RosterMembership]
    marks: list[Mark]
    attendance: list[Attendance]
    settings: org_settings.OrgSettings
    locked: bool
    planned_topic: str | None
    files: list[HomeworkFile]


async def may_keep(
    session: AsyncSession,
    principal: Principal,
    lesson: Lesson,
    settings: org_settings.OrgSettings | None = None,
) -> None:
    """A teacher keeps the journal of a lesson they teach (by the lesson or their load);
    the management corrects any journal only where the organisation's settings say so."""
    if principal.user_id in lesson.teacher_ids:
        return
    if await repo.teaches(
        session, principal.tenant_id, principal.user_id, lesson.subject_id, lesson.group_id
    ):
        return
    if settings is not None and settings.management_edits and principal.has(org_settings.EDIT_ANY):
        return
    raise Forbidden("Журнал этого урока ведёт его преподаватель")


async def may_read(session: AsyncSession, principal: Principal, lesson: Lesson) -> None:
    """A lesson's journal (every student's marks) is read by its teachers, the group's
    curator, and those who read every journal (the director, the deputies, the office)."""
    if principal.has(READ_ALL) or await repo.curates(
        session, principal.tenant_id, principal.user_id, lesson.group_id
    ):
        return
    try:
        await may_keep(session, principal, lesson)
    except Forbidden:
        raise Forbidden(
            "Журнал урока видят его преподаватели, куратор группы и администрация"
        ) from None


async def on_curators(
    *, session: AsyncSession, events: list[Envelope], contract: c.Consumes
) -> None:
    rows: dict[uuid.UUID, tuple[uuid.UUID | None, datetime]] = {}
    for e in sorted(events, key=lambda e: e.occurred_at):
        d = contract.parse(e.data)
        rows[d.group_id] = (d.curator_user_id, e.occurred_at)
    await repo.set_curators(session, events[0].tenant_id, rows)


async def grid(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    lesson_id: uuid.UUID,
    principal: Principal | None = None,
) -> Grid:
    found = await repo.lesson(session, tenant_id, lesson_id)
    if found is None:
        raise NotFound("Урок не найден")
    if principal is not None:
        await may_read(session, principal, found)
    return Grid(
        found,
        await repo.roster_of_lesson(session, tenant_id, found),
        await repo.marks_of(session, tenant_id, found.id),
        await repo.attendance_of(session, tenant_id, found.id),
        await org_settings.current(session, tenant_id),
        await periods.is_locked(session, tenant_id, found.period_id),
        await plans.planned_topic(session, tenant_id, found),
        await repo.homework_files(session, tenant_id, [found.id]),
    )


async def save_grid(
    *, session: AsyncSession, principal: Principal, lesson_id: uuid.UUID, cmd: SaveGrid
) -> Grid:
    """The whole grid of a lesson, or nothing: every mark and attendance entry checked
    (the roster of that day, the scale, the work types, no lesson to come), then the
    differences written with their history and announced."""
    tenant_id = principal.tenant_id
    actor = Actor(kind="user", id=principal.user_id)
    lesson = await repo.lesson_for_update(session, tenant_id, lesson_id)
    if lesson is None:
        raise NotFound("Урок не найден")
    await org_settings.share_lock(session, tenant_id)
    settings = await org_settings.current(session, tenant_id)
    await may_keep(session, principal, lesson, settings)
    if lesson.status == "cancelled":
        raise InvalidState("Урок отменён в расписании: его журнал не заполняется")
    await periods.check_open(session, tenant_id, lesson.period_id)
    if cmd.version != lesson.version:
        raise Conflict(
            "Журнал этого урока уже сохранил кто-то другой: обновите страницу, ваши записи не сохранены"
        )
    roster = await repo.roster_of_lesson(session, tenant_id, lesson)
    wanted_marks = [rules.MarkIn(m.student_id, m.work_type, m.value) for m in cmd.marks]
    wanted_attendance = [rules.AttendanceIn(a.student_id, a.code, a.reason) for a in cmd.attendance]
    # Only the entries of students on the day's roster are the grid's: a mark of someone
    # no longer listed for that day (an order cancelled since) is kept, never erased by a
    # save that could not show it.
    listed = {m.student_id for m in roster}
    old_marks = {
        (m.student_id, m.work_type): m
        for m in await repo.marks_of(session, tenant_id, lesson.id)
        if m.student_id in listed
    }
    # The organisation's work types in use, and any a mark of this lesson already has (a
    # type switched off since keeps its marks).
    if cmd.delivery == "online" and not (cmd.platform or "").strip():
        raise InvalidState(
            "Журнал урока не сохранён: исправьте отмеченные поля",
            errors=[{"field": "platform", "message": "Укажите платформу дистанционного урока"}],
        )
    rules.check_grid(
        lesson_day=lesson.day,
        today=datetime.now(UTC).date(),
        roster=listed,
        work_types=settings.active() | {k[1] for k in old_marks},
        marks=wanted_marks,
        attendance=wanted_attendance,
    )
    active = settings.active()
    stale = [
        {"field": f"marks.{i}.work_type", "message": "Этот вид работы отключён в настройках"}
        for i, m in enumerate(wanted_marks)
        if m.work_type not in active and (m.student_id, m.work_type) not in old_marks
    ]
    if stale:
        raise InvalidState("Журнал урока не сохранён: исправьте отмеченные поля", errors=stale)
    curator = await repo.curates(session, tenant_id, principal.user_id, lesson.group_id)
    old_att = {
        a.student_id: a
        for a in await repo.attendance_of(session, tenant_id, lesson.id)
        if a.student_id in listed
    }
    _check_reasons(principal.user_id, curator, old_att, wanted_attendance)
    now = datetime.now(UTC)
    locked = await period_marks.locked_students(
        session, tenant_id, lesson.group_id, lesson.subject_id, lesson.period_id
    )
    wanted_marks += _for_everyone(cmd, active, listed - locked, wanted_marks, wanted_attendance)
    changes = rules.diff_marks({k: m.value for k, m in old_marks.items()}, wanted_marks)
    rules.check_locked(changes, locked)
    events: list[Envelope] = []
    history: list[JournalChange] = []
    contracts = {"recorded": c.MARK_RECORDED, "changed": c.MARK_CHANGED, "deleted": c.MARK_DELETED}
    for ch in changes:
        key = (ch.student_id, ch.work_type)
        if ch.kind == "deleted":
            await session.delete(old_marks[key])
        elif ch.kind == "changed":
            row = old_marks[key]
            row.value, row.updated_by, row.updated_at = ch.new, principal.user_id, now
        else:
            session.add(
                Mark(
                    tenant_id=tenant_id,
                    lesson_id=lesson.id,
                    student_id=ch.student_id,
                    work_type=ch.work_type,
                    value=ch.new,
                    weight=settings.weight(ch.work_type),
                    updated_by=principal.user_id,
                    updated_at=now,
                )
            )
        history.append(
            JournalChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                lesson_id=lesson.id,
                student_id=ch.student_id,
                what="mark",
                work_type=ch.work_type,
                old={"value": ch.old} if ch.old else None,
                new={"value": ch.new} if ch.new else None,
                changed_by=principal.user_id,
            )
        )
        events.append(
            contracts[ch.kind].envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=ch.student_id,
                data=c.MarkV1(
                    lesson_id=lesson.id,
                    group_id=lesson.group_id,
                    subject_id=lesson.subject_id,
                    day=lesson.day,
                    student_id=ch.student_id,
                    work_type=ch.work_type,
                    # A mark keeps the weight it was given with (weights set later
                    # apply to new marks).
                    weight=old_marks[key].weight
                    if key in old_marks
                    else settings.weight(ch.work_type),
                    value=ch.new,
                    previous=ch.old,
                ),
            )
        )
    new_att = {a.student_id: a for a in wanted_attendance}
    for student in set(old_att) | set(new_att):
        before, after = old_att.get(student), new_att.get(student)
        if (
            before is not None
            and after is not None
            and (before.code, before.reason) == (after.code, after.reason)
        ):
            continue
        if after is None:
            await session.delete(before)
        elif before is None:
            session.add(
                Attendance(
                    tenant_id=tenant_id,
                    lesson_id=lesson.id,
                    student_id=student,
                    code=after.code,
                    reason=after.reason,
                    updated_by=principal.user_id,
                    updated_at=now,
                )
            )
        else:
            before.code, before.reason, before.updated_by, before.updated_at = (
                after.code,
                after.reason,
                principal.user_id,
                now,
            )
        history.append(
            JournalChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                lesson_id=lesson.id,
                student_id=student,
                what="attendance",
                old={"code": before.code, "reason": before.reason} if before else None,
                new={"code": after.code, "reason": after.reason} if after else None,
                changed_by=principal.user_id,
            )
        )
        events.append(attendance_event(actor, lesson, student, after.code if after else None))
    if cmd.topic and lesson.topic_entered_at is None:
        lesson.topic_entered_at = now
        events.append(
            c.LESSON_CONDUCTED.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=lesson.id,
                data=c.LessonConductedV1(
                    lesson_id=lesson.id,
                    group_id=lesson.group_id,
                    subject_id=lesson.subject_id,
                    day=lesson.day,
                    entered_at=now,
                ),
            )
        )
    if changes and lesson.marks_entered_at is None:
        lesson.marks_entered_at = now
    if wanted_attendance and lesson.attendance_entered_at is None:
        lesson.attendance_entered_at = now
    lesson.topic, lesson.homework = cmd.topic, cmd.homework
    online = cmd.delivery == "online"
    lesson.delivery = cmd.delivery
    lesson.platform = ((cmd.platform or "").strip() or None) if online else None
    lesson.online_starts_at = cmd.online_starts_at if online else None
    lesson.version += 1
    session.add_all(history)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="lesson_grid",
        entity_id=lesson.id,
        details={"marks": len(changes), "entries": len(history)},
    )
    await add_events(session, events)
    return await grid(session=session, tenant_id=tenant_id, lesson_id=lesson.id)


def attendance_event(
    actor: Actor, lesson: Lesson, student: uuid.UUID, code: str | None
) -> Envelope:
    """`attendance.recorded` for a student's entry of a lesson (no names)."""
    return c.ATTENDANCE_RECORDED.envelope(
        tenant_id=lesson.tenant_id,
        actor=actor,
        subject_id=student,
        data=c.AttendanceV1(
            lesson_id=lesson.id,
            group_id=lesson.group_id,
            subject_id=lesson.subject_id,
            day=lesson.day,
            student_id=student,
            code=code,
        ),
    )


def _check_reasons(
    user_id: uuid.UUID,
    curator: bool,
    old: dict[uuid.UUID, Attendance],
    wanted: list[rules.AttendanceIn],
) -> None:
    """Why a student was away is the class teacher's to say (001 8.3): a teacher records
    a new absence or lateness, or takes one back, but does not change the kind or the
    reason of an absence someone else has recorded or corrected."""
    if curator:
        return
    errors = []
    for i, a in enumerate(wanted):
        before = old.get(a.student_id)
        if (
            before is not None
            and before.updated_by != user_id
            and before.code != "late"
            and a.code != "late"
            and (before.code, before.reason) != (a.code, a.reason)
        ):
            errors.append(
                {
                    "field": f"attendance.{i}.code",
                    "message": "Причину этого пропуска уже указал классный руководитель",
                }
            )
    if errors:
        raise Forbidden(
            "Вид и причину пропуска, отмеченного другим, меняет классный руководитель",
            errors=errors,
        )


def _for_everyone(
    cmd: SaveGrid,
    work_types: set[str],
    roster: set[uuid.UUID],
    marks: list[rules.MarkIn],
    attendance: list[rules.AttendanceIn],
) -> list[rules.MarkIn]:
    """The marks a whole-class mark gives: to each student on the roster who is present
    (late counts as present) and has no mark of that kind in this save."""
    errors = []
    for i, e in enumerate(cmd.everyone):
        if e.value not in rules.VALUES:
            errors.append(
                {
                    "field": f"everyone.{i}.value",
                    "message": "Оценка вне шкалы (5, 4, 3, 2, 1, зачёт, незачёт)",
                }
            )
        if e.work_type not in work_types:
            errors.append({"field": f"everyone.{i}.work_type", "message": "Нет такого вида работы"})
    if errors:
        raise InvalidState("Журнал урока не сохранён: исправьте отмеченные поля", errors=errors)
    away = {a.student_id for a in attendance if a.code != "late"}
    out: list[rules.MarkIn] = []
    for e in cmd.everyone:
        given = {m.student_id for m in [*marks, *out] if m.work_type == e.work_type}
        out += [rules.MarkIn(s, e.work_type, e.value) for s in sorted(roster - given - away)]
    return out


async def changes(
    *, session: AsyncSession, principal: Principal, lesson_id: uuid.UUID
) -> list[JournalChange]:
    tenant_id = principal.tenant_id
    found = await repo.lesson(session, tenant_id, lesson_id)
    if found is None:
        raise NotFound("Урок не найден")
    await may_read(session, principal, found)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="read",
        entity="lesson_changes",
        entity_id=lesson_id,
    )
    return await repo.history(session, tenant_id, lesson_id)
