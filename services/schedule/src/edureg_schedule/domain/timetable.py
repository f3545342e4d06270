"""The weekly timetable: what makes a week valid (clashes), and the dated lessons a
week gives over a study period. No I/O.

A clash is *hard* (a teacher, a room, a group or a subgroup booked twice at the same
time) and always refuses the save, or *soft* (a room too small for the group, a teacher
without load for that subject and group, more lessons than the load's hours) and refuses
the save unless the organisation allows soft clashes as warnings and the editor accepts
them. Two lessons clash when their days and times overlap, their weeks can coincide
(every week, or the same parity: "числитель"/"знаменатель"), and their periods overlap
in dates (a quarter of the 5th grades and a half of the 10th)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal

Parity = Literal["every", "odd", "even"]
Severity = Literal["error", "warning"]

WEEKDAYS = {1: "пн", 2: "вт", 3: "ср", 4: "чт", 5: "пт", 6: "сб"}
PARITY_TITLES = {"every": "", "odd": " (числитель)", "even": " (знаменатель)"}


@dataclass(frozen=True)
class Slot:
    """One lesson of a weekly template, with its time resolved from the bells."""

    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    weekday: int
    lesson_number: int
    starts_at: time
    ends_at: time
    parity: Parity
    subject_id: uuid.UUID
    teacher_ids: tuple[uuid.UUID, ...]
    room_id: uuid.UUID | None
    first_day: date
    last_day: date
    period_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Clash:
    code: str
    severity: Severity
    message: str
    # Index of the offending lesson in the submitted week.
    index: int


@dataclass
class Facts:
    """What the checks need to know besides the lessons: names for the messages, sizes,
    capacities, and the teaching load (teacher, subject, group, subgroup) → hours."""

    names: Mapping[uuid.UUID, str] = field(default_factory=dict)
    room_capacity: Mapping[uuid.UUID, int] = field(default_factory=dict)
    group_size: Mapping[uuid.UUID, int] = field(default_factory=dict)
    load_hours: Mapping[tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID | None], int] = field(
        default_factory=dict
    )
    # How many times each lesson of the week happens in its period (from `occurrences`).
    occurrences: Mapping[int, int] = field(default_factory=dict)
    hours_per_lesson: int = 1


def _parities_meet(a: Parity, b: Parity) -> bool:
    return a == "every" or b == "every" or a == b


def _meet(a: Slot, b: Slot) -> bool:
    return (
        a.weekday == b.weekday
        and a.starts_at < b.ends_at
        and b.starts_at < a.ends_at
        and _parities_meet(a.parity, b.parity)
        and a.first_day <= b.last_day
        and b.first_day <= a.last_day
    )


def _groups_meet(a: Slot, b: Slot) -> bool:
    """The same group at once: unless both are different subgroups of it."""
    if a.group_id != b.group_id:
        return False
    return a.subgroup_id is None or b.subgroup_id is None or a.subgroup_id == b.subgroup_id


def _when(s: Slot) -> str:
    return (
        f"{WEEKDAYS.get(s.weekday, s.weekday)}, {s.lesson_number}-й урок{PARITY_TITLES[s.parity]}"
    )


def hard_clashes(
    week: Sequence[Slot], others: Iterable[Slot], names: Mapping[uuid.UUID, str]
) -> list[Clash]:
    """Double bookings of the submitted week, within itself and against every other
    lesson of the organisation (`others`: the other groups' weeks)."""

    def name(i: uuid.UUID | None) -> str:
        return names.get(i, "—") if i else "—"

    found: list[Clash] = []
    # Only lessons of the same weekday can meet: index them by it.
    earlier: dict[int, list[tuple[int | None, Slot]]] = {}
    for o in others:
        earlier.setdefault(o.weekday, []).append((None, o))
    for i, s in enumerate(week):
        for j, o in earlier.get(s.weekday, []):
            if not _meet(s, o):
                continue
            where = "в этой же неделе" if j is not None else f"у группы {name(o.group_id)}"
            for t in set(s.teacher_ids) & set(o.teacher_ids):
                found.append(
                    Clash(
                        "teacher_busy",
                        "error",
                        f"{_when(s)}: преподаватель {name(t)} уже ведёт занятие {where}",
                        i,
                    )
                )
            if s.room_id is not None and s.room_id == o.room_id:
                found.append(
                    Clash(
                        "room_busy",
                        "error",
                        f"{_when(s)}: кабинет {name(s.room_id)} уже занят {where}",
                        i,
                    )
                )
            if _groups_meet(s, o):
                code = "subgroup_busy" if s.subgroup_id and o.subgroup_id else "group_busy"
                who = name(s.subgroup_id) if code == "subgroup_busy" else name(s.group_id)
                found.append(Clash(code, "error", f"{_when(s)}: у {who} уже есть занятие", i))
        earlier.setdefault(s.weekday, []).append((i, s))
    return found


def soft_clashes(week: Sequence[Slot], facts: Facts) -> list[Clash]:
    """A room too small, a teacher without load, more lessons than the load's hours."""
    names = facts.names
    found: list[Clash] = []
    given: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID | None], int] = {}
    for i, s in enumerate(week):
        size = facts.group_size.get(s.subgroup_id or s.group_id)
        capacity = facts.room_capacity.get(s.room_id) if s.room_id else None
        if size is not None and capacity is not None and capacity < size:
            found.append(
                Clash(
                    "room_too_small",
                    "warning",
                    f"{_when(s)}: в кабинете {names.get(s.room_id, '—')} {capacity} мест, "  # type: ignore[arg-type]
                    f"а в группе {size} человек",
                    i,
                )
            )
        for t in s.teacher_ids:
            key = (t, s.subject_id, s.group_id, s.subgroup_id)
            if key not in facts.load_hours:
                found.append(
                    Clash(
                        "teacher_not_assigned",
                        "warning",
                        f"{_when(s)}: у преподавателя {names.get(t, '—')} нет нагрузки по "
                        f"предмету «{names.get(s.subject_id, '—')}» в этой группе",
                        i,
                    )
                )
                continue
            given[key] = given.get(key, 0) + facts.occurrences.get(i, 0) * facts.hours_per_lesson
    for key, hours in given.items():
        planned = facts.load_hours[key]
        if hours > planned:
            teacher, subject, _, _ = key
            index = next(
                i
                for i, s in enumerate(week)
                if teacher in s.teacher_ids and s.subject_id == subject
            )
            found.append(
                Clash(
                    "hours_beyond_plan",
                    "warning",
                    f"По предмету «{names.get(subject, '—')}» у преподавателя "
                    f"{names.get(teacher, '—')} выходит {hours} ч за период при нагрузке "
                    f"{planned} ч",
                    index,
                )
            )
    return found


def week_parity(day: date, first_day: date) -> Parity:
    """Odd ("числитель") for the first week of the period (the week holding its first
    day), even for the second, and so on."""
    monday = first_day - timedelta(days=first_day.weekday())
    return "odd" if ((day - monday).days // 7) % 2 == 0 else "even"


def occurs_on(slot: Slot, day: date, is_study_day: Callable[[date], bool]) -> bool:
    return (
        slot.first_day <= day <= slot.last_day
        and day.isoweekday() == slot.weekday
        and (slot.parity == "every" or week_parity(day, slot.first_day) == slot.parity)
        and is_study_day(day)
    )


def dated_lessons(
    slot: Slot, is_study_day: Callable[[date], bool], *, since: date | None = None
) -> list[date]:
    """The dates a weekly lesson takes place over its period (from `since` on), skipping
    holidays and the days `is_study_day` refuses."""
    first = max(slot.first_day, since) if since else slot.first_day
    offset = (slot.weekday - first.isoweekday()) % 7
    if (slot.last_day - first).days < offset:
        return []
    d = first + timedelta(days=offset)
    out = []
    weeks = (slot.last_day - d).days // 7 + 1 if d <= slot.last_day else 0
    for i in range(weeks):
        day = d + timedelta(days=7 * i)
        if occurs_on(slot, day, is_study_day):
            out.append(day)
    return out
