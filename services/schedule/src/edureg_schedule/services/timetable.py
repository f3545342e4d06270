"""The weekly timetable (saved whole, clash-checked), the dated lessons it gives, one-off
changes, the views by group, teacher, room and "my timetable", and iCalendar feeds."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts.events import (
    LESSON_CANCELLED,
    LESSON_CHANGED,
    LESSONS_SCHEDULED,
    LessonCancelledV1,
    LessonChangedV1,
    LessonsScheduledV1,
    LessonV1,
)
from edureg_schedule.domain import ical
from edureg_schedule.domain import timetable as rules
from edureg_schedule.domain.bells import DEFAULT_BELLS, Bell
from edureg_schedule.domain.calendar import in_holidays
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import (
    CalendarFeed,
    Group,
    LearnerLink,
    Lesson,
    LessonChange,
    Room,
    StudyPeriod,
    Subgroup,
    Subject,
    TimetableEntry,
    TimetableWeek,
)
from edureg_schedule.services import calendar
from edureg_schedule.services.catalogue import bells_of, period
from edureg_schedule.services.load import periods_for_group
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_events
from edureg_shared.workdays import ProductionCalendar

EVENT_CHUNK = 500


class LessonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: Annotated[int, Field(ge=1, le=6, description="1 — понедельник … 6 — суббота")]
    lesson_number: Annotated[int, Field(ge=1, le=12)]
    parity: Literal["every", "odd", "even"] = "every"
    subject_id: uuid.UUID
    teacher_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=3)]
    room_id: uuid.UUID | None = None
    subgroup_id: uuid.UUID | None = None


class SaveWeek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The week's version as read (null for a week never saved): 409 if saved since.
    version: int | None = None
    # Save despite soft clashes (where the organisation allows them as warnings).
    accept_warnings: bool = False
    lessons: Annotated[list[LessonIn], Field(max_length=80)]


class Generate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # From which day lessons are (re)generated; earlier days are left as they are.
    since: date | None = None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ChangeLesson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["substitution", "room_change", "moved", "cancellation", "restored"]
    reason: Reason
    teacher_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=3)] | None = None
    room_id: uuid.UUID | None = None
    day: date | None = None
    lesson_number: Annotated[int, Field(ge=1, le=12)] | None = None
    version: int | None = None


class ExtraLesson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None
    day: date
    lesson_number: Annotated[int, Field(ge=1, le=12)]
    subject_id: uuid.UUID
    teacher_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=3)]
    room_id: uuid.UUID | None = None
    reason: Reason


@dataclass
class WeekView:
    group: Group
    period: StudyPeriod
    version: int | None
    entries: list[TimetableEntry]
    warnings: list[rules.Clash] = field(default_factory=list)
    generated_at: datetime | None = None


@dataclass
class LessonView:
    lesson: Lesson
    group: str
    subgroup: str | None
    subject: str
    teachers: list[tuple[uuid.UUID, str]]
    room: str | None
    reason: str | None
    # For a guardian's view: whose lesson it is.
    child: str | None = None


# -- helpers ---------------------------------------------------------------------------


def room_label(room: Room) -> str:
    return f"{room.number} ({room.building})" if room.building else room.number


class Bells:
    """Lesson times by shift and weekday: the organisation's bells, else the defaults."""

    def __init__(self, schedules: dict[tuple[int, str], list[Bell]]) -> None:
        self._schedules = schedules

    @classmethod
    async def load(cls, session: AsyncSession, tenant_id: uuid.UUID) -> Bells:
        rows = await repo.bell_schedules(session, tenant_id)
        return cls({(r.shift, r.day_type): bells_of(r) for r in rows})

    def of(self, shift: int, weekday: int) -> list[Bell]:
        if weekday == 6 and (shift, "saturday") in self._schedules:
            return self._schedules[(shift, "saturday")]
        if (shift, "weekday") in self._schedules:
            return self._schedules[(shift, "weekday")]
        return list(DEFAULT_BELLS.get(shift, DEFAULT_BELLS[1]))

    def times(self, shift: int, weekday: int, number: int) -> tuple[time, time] | None:
        for b in self.of(shift, weekday):
            if b.number == number:
                return b.starts_at, b.ends_at
        return None


async def _study_days(
    session: AsyncSession, tenant_id: uuid.UUID, first: date, last: date
) -> tuple[ProductionCalendar, list[tuple[date, date, frozenset[int] | None]]]:
    prod = await calendar.production_calendar(session)
    holidays = [
        (h.starts_on, h.ends_on, frozenset(h.grades) if h.grades else None)
        for h in await repo.holidays_between(session, tenant_id, first, last)
    ]
    return prod, holidays


def _is_study_day(
    prod: ProductionCalendar, holidays: list[tuple[date, date, frozenset[int] | None]], grade: int
) -> Callable[[date], bool]:
    return lambda d: (
        d.isoweekday() <= 6 and not prod.is_holiday(d) and not in_holidays(d, grade, holidays)
    )


async def _names(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    subjects: Iterable[uuid.UUID] = (),
    rooms: Iterable[uuid.UUID | None] = (),
    teachers: Iterable[uuid.UUID] = (),
    groups: Iterable[uuid.UUID] = (),
    subgroups: Iterable[uuid.UUID | None] = (),
) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {}
    names.update(
        {k: v.name for k, v in (await repo.by_ids(session, Subject, tenant_id, subjects)).items()}
    )
    names.update(
        {
            k: room_label(v)
            for k, v in (
                await repo.by_ids(session, Room, tenant_id, [r for r in rooms if r])
            ).items()
        }
    )
    names.update(await repo.teacher_names(session, tenant_id, set(teachers)))
    names.update(
        {k: v.name for k, v in (await repo.by_ids(session, Group, tenant_id, groups)).items()}
    )
    names.update(
        {
            k: v.name
            for k, v in (
                await repo.by_ids(session, Subgroup, tenant_id, [s for s in subgroups if s])
            ).items()
        }
    )
    return names


async def _group(session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID) -> Group:
    group = await repo.get(session, Group, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    return group


async def _group_period(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, period_id: uuid.UUID
) -> tuple[Group, StudyPeriod]:
    group = await _group(session, tenant_id, group_id)
    found = await period(session, tenant_id, period_id)
    if found.id not in {p.id for p in await periods_for_group(session, tenant_id, group)}:
        raise InvalidState("Этот период не относится к учебному году группы")
    if group.closed_on is not None:
        raise InvalidState("Группа закрыта: расписание для неё не составляется")
    return group, found


# -- the weekly template ---------------------------------------------------------------


async def get_week(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, period_id: uuid.UUID
) -> WeekView:
    group, found = await _group_period(session, tenant_id, group_id, period_id)
    week = await repo.week(session, tenant_id, group.id, found.id)
    entries = await repo.entries(
        session,
        tenant_id,
        TimetableEntry.group_id == group.id,
        TimetableEntry.period_id == found.id,
    )
    return WeekView(
        group,
        found,
        week.version if week else None,
        entries,
        [],
        week.generated_at if week else None,
    )


async def _check_refs(
    session: AsyncSession, tenant_id: uuid.UUID, group: Group, lessons: list[LessonIn]
) -> None:
    subjects = await repo.by_ids(session, Subject, tenant_id, (x.subject_id for x in lessons))
    rooms = await repo.by_ids(session, Room, tenant_id, (x.room_id for x in lessons if x.room_id))
    subgroups = await repo.by_ids(
        session, Subgroup, tenant_id, (x.subgroup_id for x in lessons if x.subgroup_id)
    )
    teachers = await repo.teacher_names(
        session, tenant_id, {t for x in lessons for t in x.teacher_ids}
    )
    errors = []
    for i, x in enumerate(lessons):
        if x.subject_id not in subjects:
            errors.append({"field": f"lessons.{i}.subject_id", "message": "Нет такого предмета"})
        if x.room_id and x.room_id not in rooms:
            errors.append({"field": f"lessons.{i}.room_id", "message": "Нет такого кабинета"})
        if x.subgroup_id and (
            x.subgroup_id not in subgroups or subgroups[x.subgroup_id].group_id != group.id
        ):
            errors.append(
                {
                    "field": f"lessons.{i}.subgroup_id",
                    "message": "Нет такой подгруппы в этой группе",
                }
            )
        if set(x.teacher_ids) - set(teachers):
            errors.append(
                {
                    "field": f"lessons.{i}.teacher_ids",
                    "message": "Преподаватель без нагрузки в организации",
                }
            )
    if errors:
        raise InvalidState("В расписании есть ссылки на несуществующие объекты", errors=errors)


def _clash_json(clashes: Sequence[rules.Clash]) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "severity": c.severity, "message": c.message, "index": c.index}
        for c in clashes
    ]


async def _other_slots(
    session: AsyncSession, tenant_id: uuid.UUID, group: Group, found: StudyPeriod, bells: Bells
) -> list[rules.Slot]:
    """Every other week's lessons of the organisation whose period meets this one's dates."""
    periods = {
        p.id: p
        for p in await repo.all_of(
            session,
            StudyPeriod,
            tenant_id,
            StudyPeriod.starts_on <= found.ends_on,
            StudyPeriod.ends_on >= found.starts_on,
            order_by=None,
        )
    }
    entries = await repo.entries(session, tenant_id, TimetableEntry.period_id.in_(list(periods)))
    groups = await repo.by_ids(session, Group, tenant_id, {e.group_id for e in entries})
    out = []
    for e in entries:
        if e.group_id == group.id and e.period_id == found.id:
            continue
        g, p = groups[e.group_id], periods[e.period_id]
        times = bells.times(g.shift, e.weekday, e.lesson_number)
        if times is None:
            continue
        out.append(_slot(e, g, p, times))
    return out


def _slot(
    e: TimetableEntry | LessonIn, group: Group, p: StudyPeriod, times: tuple[time, time]
) -> rules.Slot:
    return rules.Slot(
        group_id=group.id,
        subgroup_id=e.subgroup_id,
        weekday=e.weekday,
        lesson_number=e.lesson_number,
        starts_at=times[0],
        ends_at=times[1],
        parity=e.parity,
        subject_id=e.subject_id,
        teacher_ids=tuple(e.teacher_ids),
        room_id=e.room_id,
        first_day=p.starts_on,
        last_day=p.ends_on,
        period_id=p.id,
    )


async def save_week(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group_id: uuid.UUID,
    period_id: uuid.UUID,
    cmd: SaveWeek,
) -> WeekView:
    """A group's week for a period, saved whole once every check passes: a double
    booking refuses it (409, naming each clash); a soft clash refuses it (422) unless the
    organisation takes soft clashes as warnings and the editor accepts them."""
    group, found = await _group_period(session, tenant_id, group_id, period_id)
    await repo.lock_timetable(session, tenant_id)
    week = await repo.week(session, tenant_id, group.id, found.id)
    if (week.version if week else None) != cmd.version:
        raise Conflict("Расписание этой группы уже изменил кто-то другой: откройте его заново")
    await _check_refs(session, tenant_id, group, cmd.lessons)
    bells = await Bells.load(session, tenant_id)
    slots = []
    for i, x in enumerate(cmd.lessons):
        times = bells.times(group.shift, x.weekday, x.lesson_number)
        if times is None:
            raise InvalidState(
                f"В расписании звонков {group.shift}-й смены нет {x.lesson_number}-го урока",
                errors=[{"field": f"lessons.{i}.lesson_number", "message": "Нет такого урока"}],
            )
        slots.append(_slot(x, group, found, times))
    others = await _other_slots(session, tenant_id, group, found, bells)
    names = await _names(
        session,
        tenant_id,
        subjects={s.subject_id for s in slots},
        rooms={s.room_id for s in [*slots, *others]},
        teachers={t for s in [*slots, *others] for t in s.teacher_ids},
        groups={s.group_id for s in [*slots, *others]},
        subgroups={s.subgroup_id for s in [*slots, *others]},
    )
    hard = rules.hard_clashes(slots, others, names)
    if hard:
        raise Conflict(hard[0].message, clashes=_clash_json(hard))
    settings = await repo.settings(session, tenant_id)
    prod, holidays = await _study_days(session, tenant_id, found.starts_on, found.ends_on)
    study_day = _is_study_day(prod, holidays, group.grade)
    rooms = await repo.by_ids(session, Room, tenant_id, {s.room_id for s in slots if s.room_id})
    facts = rules.Facts(
        names=names,
        room_capacity={k: r.capacity for k, r in rooms.items()},
        group_size=await repo.group_sizes(session, tenant_id),
        load_hours={
            (item.teacher_user_id, item.subject_id, item.group_id, item.subgroup_id): item.hours
            for item in await repo.load_of_period(session, tenant_id, [found.id], group_id=group.id)
        },
        occurrences={i: len(rules.dated_lessons(s, study_day)) for i, s in enumerate(slots)},
        hours_per_lesson=settings.hours_per_lesson,
    )
    soft = rules.soft_clashes(slots, facts)
    if soft and not (settings.soft_clashes == "warning" and cmd.accept_warnings):
        allowed = settings.soft_clashes == "warning"
        raise InvalidState(
            soft[0].message,
            clashes=_clash_json(soft),
            may_accept=allowed,
        )
    entries = await _store_week(session, tenant_id, actor, group, found, week, cmd.lessons)
    saved = await repo.week(session, tenant_id, group.id, found.id)
    assert saved is not None
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="timetable_week",
        entity_id=group.id,
        details={"period_id": str(found.id), "lessons": len(entries), "warnings": len(soft)},
    )
    return WeekView(group, found, saved.version, entries, soft, saved.generated_at)


def _key(x: TimetableEntry | LessonIn) -> tuple[int, int, str, uuid.UUID | None, uuid.UUID]:
    """What makes a week's entry the same entry when the week is saved again: another
    subject at that time is another lesson (its dated lessons are replaced, not
    renamed); another teacher or room is the same lesson changed."""
    return (x.weekday, x.lesson_number, x.parity, x.subgroup_id, x.subject_id)


async def _store_week(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group: Group,
    found: StudyPeriod,
    week: TimetableWeek | None,
    lessons: list[LessonIn],
) -> list[TimetableEntry]:
    """The entries replaced; one at the same day, number, parity, subgroup and subject
    keeps its id (its dated lessons stay the same lessons when generated again)."""
    if week is None:
        week = TimetableWeek(
            tenant_id=tenant_id, group_id=group.id, period_id=found.id, version=0, saved_by=actor.id
        )
        session.add(week)
        await session.flush()
    old = {
        _key(e): e
        for e in await repo.entries(
            session,
            tenant_id,
            TimetableEntry.group_id == group.id,
            TimetableEntry.period_id == found.id,
        )
    }
    kept: list[TimetableEntry] = []
    for x in lessons:
        row = old.pop(_key(x), None)
        if row is None:
            row = TimetableEntry(
                tenant_id=tenant_id, id=uuid.uuid4(), group_id=group.id, period_id=found.id
            )
            session.add(row)
        values = {
            "weekday": x.weekday,
            "lesson_number": x.lesson_number,
            "parity": x.parity,
            "subject_id": x.subject_id,
            "teacher_ids": list(x.teacher_ids),
            "room_id": x.room_id,
            "subgroup_id": x.subgroup_id,
        }
        for k, v in values.items():  # only what changed: an unchanged lesson is not rewritten
            if getattr(row, k, None) != v:
                setattr(row, k, v)
        kept.append(row)
    await repo.delete_entries(session, tenant_id, (e.id for e in old.values()))
    week.version += 1
    week.saved_at = datetime.now(UTC)
    week.saved_by = actor.id
    await session.flush()
    return sorted(kept, key=lambda e: (e.weekday, e.lesson_number, e.parity))


# -- dated lessons ---------------------------------------------------------------------


@dataclass
class Generated:
    created: int
    updated: int
    cancelled: int


def _lesson_v1(lesson: Lesson, subject: str, room: str | None, hours: int = 1) -> LessonV1:
    return LessonV1(
        lesson_id=lesson.id,
        group_id=lesson.group_id,
        subgroup_id=lesson.subgroup_id,
        subject_id=lesson.subject_id,
        subject=subject,
        teacher_ids=list(lesson.teacher_ids),
        day=lesson.day,
        lesson_number=lesson.lesson_number,
        starts_at=lesson.starts_at,
        ends_at=lesson.ends_at,
        room=room,
        period_id=lesson.period_id,
        status=lesson.status,
        hours=hours,
    )


async def generate(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group_id: uuid.UUID,
    period_id: uuid.UUID,
    cmd: Generate,
) -> Generated:
    """The dated lessons of a group's week over its period (from `since`), skipping
    public holidays and the school holidays of its grade. Generated again after the week
    changed: a lesson of the same entry and day is updated, one no longer in the week is
    cancelled (never deleted: journal may hold marks for it), a lesson changed by hand
    is left alone."""
    group, found = await _group_period(session, tenant_id, group_id, period_id)
    await repo.lock_timetable(session, tenant_id)
    week = await repo.week(session, tenant_id, group.id, found.id)
    if week is None:
        raise InvalidState("Сначала составьте расписание недели для этой группы")
    hours = (await repo.settings(session, tenant_id)).hours_per_lesson
    # The first time, the whole period; afterwards from today on unless a day is given:
    # what already took place is not rewritten by a later change of the week.
    default = found.starts_on if week.generated_at is None else max(_today(), found.starts_on)
    since = max(cmd.since or default, found.starts_on)
    entries = await repo.entries(
        session,
        tenant_id,
        TimetableEntry.group_id == group.id,
        TimetableEntry.period_id == found.id,
    )
    bells = await Bells.load(session, tenant_id)
    prod, holidays = await _study_days(session, tenant_id, found.starts_on, found.ends_on)
    study_day = _is_study_day(prod, holidays, group.grade)
    existing = {
        (x.entry_id, x.planned_day): x
        for x in await repo.lessons_of_week(session, tenant_id, group.id, found.id, since)
    }
    new_rows: list[dict[str, Any]] = []
    touched: list[Lesson] = []
    wanted: set[tuple[uuid.UUID, date]] = set()
    for e in entries:
        times = bells.times(group.shift, e.weekday, e.lesson_number)
        if times is None:
            continue
        for day in rules.dated_lessons(_slot(e, group, found, times), study_day, since=since):
            wanted.add((e.id, day))
            fields = {
                "subgroup_id": e.subgroup_id,
                "lesson_number": e.lesson_number,
                "starts_at": times[0],
                "ends_at": times[1],
                "subject_id": e.subject_id,
                "teacher_ids": list(e.teacher_ids),
                "room_id": e.room_id,
            }
            lesson = existing.get((e.id, day))
            if lesson is None:
                new_rows.append(
                    {
                        "tenant_id": tenant_id,
                        "id": uuid.uuid4(),
                        "group_id": group.id,
                        "entry_id": e.id,
                        "period_id": found.id,
                        "day": day,
                        "planned_day": day,
                        "status": "scheduled",
                        "extra": False,
                        "changed": False,
                        "version": 1,
                        **fields,
                    }
                )
            elif not lesson.changed and (
                lesson.status != "scheduled"
                or any(getattr(lesson, k) != v for k, v in fields.items())
            ):
                for k, v in fields.items():
                    setattr(lesson, k, v)
                lesson.status = "scheduled"
                lesson.version += 1
                touched.append(lesson)
    await _check_against_changes(session, tenant_id, group, new_rows, since, found.ends_on)
    gone = [
        x
        for key, x in existing.items()
        if key not in wanted and not x.changed and x.status == "scheduled"
    ]
    for x in gone:
        x.status = "cancelled"
        x.version += 1
    await repo.insert_lessons(session, new_rows)
    week.generated_at = datetime.now(UTC)
    await session.flush()
    subjects = {
        k: v.name
        for k, v in (
            await repo.by_ids(
                session,
                Subject,
                tenant_id,
                {e.subject_id for e in entries} | {x.subject_id for x in gone},
            )
        ).items()
    }
    rooms = {
        k: room_label(v)
        for k, v in (
            await repo.by_ids(
                session,
                Room,
                tenant_id,
                {e.room_id for e in entries if e.room_id} | {x.room_id for x in gone if x.room_id},
            )
        ).items()
    }
    scheduled = [
        LessonV1(
            lesson_id=r["id"],
            group_id=group.id,
            subgroup_id=r["subgroup_id"],
            subject_id=r["subject_id"],
            subject=subjects.get(r["subject_id"], ""),
            teacher_ids=r["teacher_ids"],
            day=r["day"],
            lesson_number=r["lesson_number"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            room=rooms.get(r["room_id"]) if r["room_id"] else None,
            period_id=found.id,
            hours=hours,
        )
        for r in new_rows
    ] + [
        _lesson_v1(
            x, subjects.get(x.subject_id, ""), rooms.get(x.room_id) if x.room_id else None, hours
        )
        for x in touched
    ]
    events: list[Envelope] = [
        LESSONS_SCHEDULED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=group.id,
            data=LessonsScheduledV1(group_id=group.id, lessons=scheduled[i : i + EVENT_CHUNK]),
        )
        for i in range(0, len(scheduled), EVENT_CHUNK)
    ]
    events += [
        LESSON_CANCELLED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=x.id,
            data=LessonCancelledV1(
                lesson=_lesson_v1(
                    x,
                    subjects.get(x.subject_id, ""),
                    rooms.get(x.room_id) if x.room_id else None,
                    hours,
                ),
                notify_user_ids=[],
            ),
        )
        for x in gone
    ]
    await add_events(session, events)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="generate",
        entity="lessons",
        entity_id=group.id,
        details={
            "period_id": str(found.id),
            "created": len(new_rows),
            "updated": len(touched),
            "cancelled": len(gone),
        },
    )
    return Generated(len(new_rows), len(touched), len(gone))


async def _check_against_changes(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group: Group,
    rows: list[dict[str, Any]],
    first: date,
    last: date,
) -> None:
    """New dated lessons must not meet a lesson changed by hand (a substitution, a
    move, an extra lesson) of another group: the weeks' check cannot see those."""
    if not rows:
        return
    changed = await repo.changed_lessons(session, tenant_id, first, last, other_than=group.id)
    by_day: dict[date, list[Lesson]] = {}
    for x in changed:
        by_day.setdefault(x.day, []).append(x)
    for r in rows:
        for x in by_day.get(r["day"], []):
            if not (r["starts_at"] < x.ends_at and x.starts_at < r["ends_at"]):
                continue
            shared = set(r["teacher_ids"]) & set(x.teacher_ids)
            if shared or (r["room_id"] is not None and r["room_id"] == x.room_id):
                names = await _names(
                    session, tenant_id, teachers=shared, rooms={x.room_id}, groups={x.group_id}
                )
                who = (
                    f"преподаватель {names.get(next(iter(shared)), '—')}"
                    if shared
                    else f"кабинет {names.get(x.room_id, '—')}"
                )
                raise Conflict(
                    f"{r['day']:%d.%m.%Y}, {r['lesson_number']}-й урок: {who} уже занят(а) "
                    f"изменённым занятием группы {names.get(x.group_id, '—')}",
                    clashes=[
                        {
                            "code": "teacher_busy" if shared else "room_busy",
                            "severity": "error",
                            "message": "Накладка с заменой или переносом",
                            "index": 0,
                        }
                    ],
                )


def _today() -> date:
    return datetime.now(UTC).date()


# -- one-off changes -------------------------------------------------------------------


def _snapshot(lesson: Lesson) -> dict[str, Any]:
    return {
        "day": lesson.day.isoformat(),
        "lesson_number": lesson.lesson_number,
        "teacher_ids": [str(t) for t in lesson.teacher_ids],
        "room_id": str(lesson.room_id) if lesson.room_id else None,
        "status": lesson.status,
    }


async def _check_day(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    group: Group,
    day: date,
    lesson_number: int,
    subgroup_id: uuid.UUID | None,
    subject_id: uuid.UUID,
    teacher_ids: list[uuid.UUID],
    room_id: uuid.UUID | None,
    other_than: uuid.UUID | None,
) -> tuple[time, time]:
    """A dated lesson may be put here: inside an academic year, with a bell for it, and
    no teacher, room, group or subgroup already busy then (409 naming it)."""
    if await repo.year_of_day(session, tenant_id, day) is None:
        raise InvalidState(
            f"{day:%d.%m.%Y} не входит ни в один учебный год",
            errors=[{"field": "day", "message": "Вне учебного года"}],
        )
    if day.isoweekday() == 7:
        raise InvalidState(
            "Занятия в воскресенье не ставятся", errors=[{"field": "day", "message": "Воскресенье"}]
        )
    bells = await Bells.load(session, tenant_id)
    times = bells.times(group.shift, day.isoweekday(), lesson_number)
    if times is None:
        raise InvalidState(
            f"В расписании звонков нет {lesson_number}-го урока",
            errors=[{"field": "lesson_number", "message": "Нет такого урока"}],
        )
    if set(teacher_ids) - set(await repo.teacher_names(session, tenant_id, teacher_ids)):
        raise InvalidState(
            "Преподаватель не найден",
            errors=[{"field": "teacher_ids", "message": "Нет такого преподавателя"}],
        )
    if room_id and await repo.get(session, Room, tenant_id, room_id) is None:
        raise NotFound("Кабинет не найден")
    await repo.lock_timetable(session, tenant_id)
    meeting = await repo.lessons_meeting(
        session,
        tenant_id,
        day,
        group_id=group.id,
        teacher_ids=teacher_ids,
        room_id=room_id,
        other_than=other_than,
    )
    groups = await repo.by_ids(session, Group, tenant_id, {m.group_id for m in meeting})

    def slot(
        group_id: uuid.UUID,
        number: int,
        sub: uuid.UUID | None,
        subj: uuid.UUID,
        teachers: Sequence[uuid.UUID],
        room: uuid.UUID | None,
        t: tuple[time, time],
    ) -> rules.Slot:
        return rules.Slot(
            group_id,
            sub,
            day.isoweekday(),
            number,
            t[0],
            t[1],
            "every",
            subj,
            tuple(teachers),
            room,
            day,
            day,
        )

    mine = slot(group.id, lesson_number, subgroup_id, subject_id, teacher_ids, room_id, times)
    others = [
        slot(
            m.group_id,
            m.lesson_number,
            m.subgroup_id,
            m.subject_id,
            m.teacher_ids,
            m.room_id,
            (m.starts_at, m.ends_at),
        )
        for m in meeting
        if m.group_id in groups
    ]
    names = await _names(
        session,
        tenant_id,
        rooms={room_id, *(m.room_id for m in meeting)},
        teachers={*teacher_ids, *(t for m in meeting for t in m.teacher_ids)},
        groups={group.id, *(m.group_id for m in meeting)},
        subgroups={subgroup_id, *(m.subgroup_id for m in meeting)},
    )
    clashes = rules.hard_clashes([mine], others, names)
    if clashes:
        raise Conflict(clashes[0].message, clashes=_clash_json(clashes))
    return times


async def _notify(
    session: AsyncSession, tenant_id: uuid.UUID, group: Group, *teachers: Iterable[uuid.UUID]
) -> list[uuid.UUID]:
    users = {t for ts in teachers for t in ts}
    if group.curator_user_id:
        users.add(group.curator_user_id)
    return sorted(users, key=str)


async def change_lesson(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    lesson_id: uuid.UUID,
    cmd: ChangeLesson,
) -> LessonView:
    """A one-off change of a dated lesson, with its reason; kept in the lesson's history,
    announced to journal, the group's curator and the teachers before and after."""
    await repo.lock_timetable(session, tenant_id)
    lesson = await session.get(Lesson, (tenant_id, lesson_id), with_for_update=True)
    if lesson is None:
        raise NotFound("Занятие не найдено")
    if cmd.version is not None and cmd.version != lesson.version:
        raise Conflict("Занятие уже изменил кто-то другой: откройте его заново")
    if lesson.status == "cancelled" and cmd.kind not in ("restored", "cancellation"):
        raise InvalidState("Занятие отменено: сначала верните его")
    group = await _group(session, tenant_id, lesson.group_id)
    before = _snapshot(lesson)
    teachers_before = list(lesson.teacher_ids)
    if cmd.kind == "cancellation":
        if lesson.status == "cancelled":
            raise InvalidState("Занятие уже отменено")
        lesson.status = "cancelled"
    else:
        teacher_ids = list(lesson.teacher_ids)
        room_id, day, number = lesson.room_id, lesson.day, lesson.lesson_number
        if cmd.kind == "substitution":
            if not cmd.teacher_ids:
                raise InvalidState(
                    "Укажите, кто заменяет",
                    errors=[{"field": "teacher_ids", "message": "Обязательное поле"}],
                )
            teacher_ids = list(cmd.teacher_ids)
        elif cmd.kind == "room_change":
            if cmd.room_id is None:
                raise InvalidState(
                    "Укажите кабинет", errors=[{"field": "room_id", "message": "Обязательное поле"}]
                )
            room_id = cmd.room_id
        elif cmd.kind == "moved":
            if cmd.day is None or cmd.lesson_number is None:
                raise InvalidState(
                    "Укажите новый день и урок",
                    errors=[{"field": "day", "message": "Обязательное поле"}],
                )
            day, number = cmd.day, cmd.lesson_number
            room_id = cmd.room_id or room_id
        elif cmd.kind == "restored" and lesson.status != "cancelled":
            raise InvalidState("Занятие не отменено")
        times = await _check_day(
            session,
            tenant_id,
            group=group,
            day=day,
            lesson_number=number,
            subgroup_id=lesson.subgroup_id,
            subject_id=lesson.subject_id,
            teacher_ids=teacher_ids,
            room_id=room_id,
            other_than=lesson.id,
        )
        lesson.teacher_ids, lesson.room_id, lesson.day, lesson.lesson_number = (
            teacher_ids,
            room_id,
            day,
            number,
        )
        lesson.starts_at, lesson.ends_at = times
        lesson.status = "scheduled"
    lesson.changed = True
    lesson.version += 1
    notify = await _notify(session, tenant_id, group, teachers_before, lesson.teacher_ids)
    session.add(
        LessonChange(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            lesson_id=lesson.id,
            day=lesson.day,
            kind=cmd.kind,
            reason=cmd.reason,
            before=before,
            after=_snapshot(lesson),
            notified=notify,
            changed_by=actor.id,
        )
    )
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action=cmd.kind,
        entity="lesson",
        entity_id=lesson.id,
    )
    view = (await _views(session, tenant_id, [lesson]))[0]
    hours = (await repo.settings(session, tenant_id)).hours_per_lesson
    data = _lesson_v1(lesson, view.subject, view.room, hours)
    if cmd.kind == "cancellation":
        event = LESSON_CANCELLED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=lesson.id,
            data=LessonCancelledV1(lesson=data, notify_user_ids=notify),
        )
    else:
        event = LESSON_CHANGED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=lesson.id,
            data=LessonChangedV1(lesson=data, change=cmd.kind, notify_user_ids=notify),
        )
    await add_events(session, [event])
    return view


async def add_extra_lesson(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: ExtraLesson
) -> LessonView:
    group = await _group(session, tenant_id, cmd.group_id)
    if await repo.get(session, Subject, tenant_id, cmd.subject_id) is None:
        raise NotFound("Предмет не найден")
    if cmd.subgroup_id:
        sub = await repo.get(session, Subgroup, tenant_id, cmd.subgroup_id)
        if sub is None or sub.group_id != group.id:
            raise NotFound("Подгруппа не найдена в этой группе")
    times = await _check_day(
        session,
        tenant_id,
        group=group,
        day=cmd.day,
        lesson_number=cmd.lesson_number,
        subgroup_id=cmd.subgroup_id,
        subject_id=cmd.subject_id,
        teacher_ids=list(cmd.teacher_ids),
        room_id=cmd.room_id,
        other_than=None,
    )
    periods = [
        p
        for p in await periods_for_group(session, tenant_id, group)
        if p.starts_on <= cmd.day <= p.ends_on
    ]
    lesson = Lesson(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        group_id=group.id,
        subgroup_id=cmd.subgroup_id,
        entry_id=None,
        period_id=periods[0].id if periods else None,
        day=cmd.day,
        lesson_number=cmd.lesson_number,
        starts_at=times[0],
        ends_at=times[1],
        subject_id=cmd.subject_id,
        teacher_ids=list(cmd.teacher_ids),
        room_id=cmd.room_id,
        status="scheduled",
        extra=True,
        changed=True,
        version=1,
    )
    session.add(lesson)
    await session.flush()
    notify = await _notify(session, tenant_id, group, lesson.teacher_ids)
    session.add(
        LessonChange(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            lesson_id=lesson.id,
            day=lesson.day,
            kind="extra",
            reason=cmd.reason,
            before={},
            after=_snapshot(lesson),
            notified=notify,
            changed_by=actor.id,
        )
    )
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity="lesson",
        entity_id=lesson.id,
    )
    view = (await _views(session, tenant_id, [lesson]))[0]
    await add_events(
        session,
        [
            LESSON_CHANGED.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=lesson.id,
                data=LessonChangedV1(
                    lesson=_lesson_v1(
                        lesson,
                        view.subject,
                        view.room,
                        (await repo.settings(session, tenant_id)).hours_per_lesson,
                    ),
                    change="extra",
                    notify_user_ids=notify,
                ),
            )
        ],
    )
    return view


# -- views -----------------------------------------------------------------------------


async def _views(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    lessons: Sequence[Lesson],
    whose: dict[uuid.UUID, str] | None = None,
) -> list[LessonView]:
    names = await _names(
        session,
        tenant_id,
        subjects={x.subject_id for x in lessons},
        rooms={x.room_id for x in lessons},
        teachers={t for x in lessons for t in x.teacher_ids},
        groups={x.group_id for x in lessons},
        subgroups={x.subgroup_id for x in lessons},
    )
    reasons = await repo.last_change_reasons(
        session, tenant_id, [x.id for x in lessons if x.changed]
    )
    return [
        LessonView(
            lesson=x,
            group=names.get(x.group_id, ""),
            subgroup=names.get(x.subgroup_id) if x.subgroup_id else None,
            subject=names.get(x.subject_id, ""),
            teachers=[(t, names.get(t, "")) for t in x.teacher_ids],
            room=names.get(x.room_id) if x.room_id else None,
            reason=reasons.get(x.id),
            child=(whose or {}).get(x.id),
        )
        for x in lessons
    ]


async def lessons(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    first: date,
    last: date,
    group_id: uuid.UUID | None,
    teacher_id: uuid.UUID | None,
    room_id: uuid.UUID | None,
) -> list[LessonView]:
    rows = await repo.lessons_between(
        session,
        tenant_id,
        first,
        last,
        group_ids=[group_id] if group_id else None,
        teacher_id=teacher_id,
        room_id=room_id,
    )
    return await _views(session, tenant_id, rows)


@dataclass
class ChangeView:
    change: LessonChange
    lesson: LessonView


async def changes_of_day(
    *, session: AsyncSession, tenant_id: uuid.UUID, day: date
) -> list[ChangeView]:
    changes = await repo.changes_of_day(session, tenant_id, day)
    rows = await repo.by_ids(session, Lesson, tenant_id, {c.lesson_id for c in changes})
    views = {v.lesson.id: v for v in await _views(session, tenant_id, list(rows.values()))}
    return [ChangeView(c, views[c.lesson_id]) for c in changes if c.lesson_id in views]


async def my_notices(
    *, session: AsyncSession, principal: Principal, first: date, last: date
) -> list[ChangeView]:
    """The lesson changes the caller was told of: as the group's curator or a teacher
    before or after the change."""
    changes = await repo.notices(session, principal.tenant_id, principal.user_id, first, last)
    rows = await repo.by_ids(session, Lesson, principal.tenant_id, {c.lesson_id for c in changes})
    views = {
        v.lesson.id: v for v in await _views(session, principal.tenant_id, list(rows.values()))
    }
    return [ChangeView(c, views[c.lesson_id]) for c in changes if c.lesson_id in views]


async def my_lessons(
    *, session: AsyncSession, principal: Principal, first: date, last: date
) -> list[LessonView]:
    """A teacher's own lessons; a student's group's (their subgroups only); a
    guardian's children's, each marked with the child's name."""
    tenant_id = principal.tenant_id
    if principal.kind == "staff":
        rows = await repo.lessons_between(
            session, tenant_id, first, last, teacher_id=principal.user_id
        )
        return await _views(session, tenant_id, rows)
    students = await repo.students_of_user(session, tenant_id, principal.user_id, principal.kind)
    members = await repo.members(session, tenant_id, students)
    if not members:
        return []
    subgroups = await repo.subgroups_of_students(
        session, tenant_id, [m.student_id for m in members]
    )
    rows = await repo.lessons_between(
        session, tenant_id, first, last, group_ids=list({m.group_id for m in members})
    )
    visible: list[Lesson] = []
    whose: dict[uuid.UUID, str] = {}
    for x in rows:
        children = [
            m
            for m in members
            if m.group_id == x.group_id
            and (x.subgroup_id is None or x.subgroup_id in subgroups.get(m.student_id, set()))
        ]
        if children:
            visible.append(x)
            whose[x.id] = ", ".join(_first_name(m.display_name) for m in children)
    return await _views(
        session, tenant_id, visible, whose if principal.kind == "guardian" else None
    )


def _first_name(display_name: str) -> str:
    """A child's first name (display names are "Surname Name"): what a parent's own
    timetable needs to tell two children apart, and no more."""
    parts = display_name.split()
    return parts[1] if len(parts) > 1 else display_name


# -- iCalendar feeds -------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_feed(
    *, session: AsyncSession, principal: Principal, group_id: uuid.UUID | None
) -> tuple[CalendarFeed, str]:
    """A new secret link for the caller (their own lessons, or a group's for staff who
    read the timetable). The secret is shown once; only its hash is kept."""
    if group_id is not None:
        if principal.kind != "staff" or not principal.has("schedule.read"):
            raise NotFound("Группа не найдена")
        await _group(session, principal.tenant_id, group_id)
    secret = secrets.token_urlsafe(32)
    row = CalendarFeed(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        user_id=principal.user_id,
        group_id=group_id,
        secret_hash=_hash(secret),
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="create",
        entity="calendar_feed",
        entity_id=row.id,
    )
    return row, secret


async def revoke_feeds(*, session: AsyncSession, principal: Principal) -> int:
    count = await repo.revoke_feeds(session, principal.tenant_id, principal.user_id)
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="revoke",
        entity="calendar_feed",
        entity_id=None,
        details={"revoked": count},
    )
    return count


FEED_PAST_DAYS = 14
# A link works for a school year at most: then a new one is taken from the portal.
FEED_VALID_DAYS = 366
FEED_FUTURE_DAYS = 120


async def render_feed(db: Database, tenant_id: uuid.UUID, secret: str, zone: ZoneInfo) -> str:
    """The feed behind a secret link (404 for an unknown or revoked one): the lessons of
    the last two weeks and the next four months."""
    async with db.tenant_session(tenant_id) as session:
        feed = await repo.feed_by_secret(session, tenant_id, _hash(secret))
        if feed is None or feed.created_at < datetime.now(UTC) - timedelta(days=FEED_VALID_DAYS):
            raise NotFound("Ссылка на календарь не найдена, отозвана или устарела")
        today = datetime.now(zone).date()
        first, last = (
            today - timedelta(days=FEED_PAST_DAYS),
            today + timedelta(days=FEED_FUTURE_DAYS),
        )
        if feed.group_id is not None:
            group = await _group(session, tenant_id, feed.group_id)
            rows = await repo.lessons_between(session, tenant_id, first, last, group_ids=[group.id])
            views = await _views(session, tenant_id, rows)
            title = f"Расписание группы {group.name}"
        else:
            kind = await _kind_of_user(session, tenant_id, feed.user_id)
            principal = Principal(
                user_id=feed.user_id, tenant_id=tenant_id, permissions=frozenset(), kind=kind
            )
            views = await my_lessons(session=session, principal=principal, first=first, last=last)
            title = "Моё расписание"
    stamp = datetime.now(UTC)
    events = [
        ical.CalendarEvent(
            uid=v.lesson.id,
            starts=datetime.combine(v.lesson.day, v.lesson.starts_at, zone),
            ends=datetime.combine(v.lesson.day, v.lesson.ends_at, zone),
            summary=v.subject
            + (f" ({v.subgroup})" if v.subgroup else "")
            + (f" — {v.child}" if v.child else ""),
            location=v.room,
            description="; ".join(
                filter(None, [f"Группа {v.group}", ", ".join(n for _, n in v.teachers), v.reason])
            ),
            cancelled=v.lesson.status == "cancelled",
            sequence=v.lesson.version,
            stamp=stamp,
        )
        for v in views
    ]
    return ical.render(title, events)


async def _kind_of_user(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """A feed's owner as schedule knows them: a student's or a guardian's account by its
    links, otherwise staff (their own lessons as a teacher)."""
    links = await repo.all_of(
        session, LearnerLink, tenant_id, LearnerLink.user_id == user_id, order_by=None
    )
    return links[0].kind if links else "staff"
