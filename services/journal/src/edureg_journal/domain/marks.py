"""Marks and attendance of a lesson: the scales, the work types and their weights, what a
valid grid is, the weighted average and the mark it suggests. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from edureg_shared.errors import InvalidState
from edureg_shared.grading import (
    ATTENDANCE,
    ATTENDANCE_TITLES,
    DEFAULT_THRESHOLDS,
    FIVE_POINT,
    PASS_FAIL,
    PERIOD_KINDS,
    VALUE_TITLES,
    VALUES,
    YEAR_KINDS,
    suggest,
    suggest_final,
    suggest_year,
    weighted_average,
)

__all__ = [
    "ATTENDANCE",
    "ATTENDANCE_TITLES",
    "DEFAULT_THRESHOLDS",
    "FIVE_POINT",
    "PASS_FAIL",
    "PERIOD_KINDS",
    "VALUES",
    "VALUE_TITLES",
    "YEAR_KINDS",
    "suggest",
    "suggest_final",
    "suggest_year",
    "weighted_average",
]

# An organisation's work types until it sets its own: (title, weight).
DEFAULT_WORK_TYPES: dict[str, tuple[str, int]] = {
    "lesson": ("Работа на уроке", 1),
    "oral": ("Устный ответ", 1),
    "homework": ("Домашняя работа", 1),
    "independent": ("Самостоятельная работа", 2),
    "practical": ("Практическая работа", 2),
    "test": ("Контрольная работа", 3),
}


@dataclass(frozen=True)
class MarkIn:
    student_id: uuid.UUID
    work_type: str
    value: str


@dataclass(frozen=True)
class AttendanceIn:
    student_id: uuid.UUID
    code: str
    reason: str | None


def check_grid(
    *,
    lesson_day: date,
    today: date,
    roster: set[uuid.UUID],
    work_types: set[str],
    marks: Iterable[MarkIn],
    attendance: Iterable[AttendanceIn],
) -> None:
    """A grid may be saved: not for a lesson still to come; every student on the roster of
    that day; every value on the scale, every work type the organisation's, one mark per
    student and work type, one attendance entry per student. Every bad field is named."""
    if lesson_day > today:
        raise InvalidState("Нельзя выставлять оценки и посещаемость за урок, который ещё не прошёл")
    errors: list[dict[str, str]] = []
    seen: set[tuple[uuid.UUID, str]] = set()
    for i, m in enumerate(marks):
        if m.student_id not in roster:
            errors.append(
                {
                    "field": f"marks.{i}.student_id",
                    "message": "Обучающегося нет в списке группы на дату урока",
                }
            )
        if m.value not in VALUES:
            errors.append(
                {
                    "field": f"marks.{i}.value",
                    "message": "Оценка вне шкалы (5, 4, 3, 2, 1, зачёт, незачёт)",
                }
            )
        if m.work_type not in work_types:
            errors.append({"field": f"marks.{i}.work_type", "message": "Нет такого вида работы"})
        if (m.student_id, m.work_type) in seen:
            errors.append(
                {"field": f"marks.{i}.work_type", "message": "Вторая оценка за тот же вид работы"}
            )
        seen.add((m.student_id, m.work_type))
    present: set[uuid.UUID] = set()
    for i, a in enumerate(attendance):
        if a.student_id not in roster:
            errors.append(
                {
                    "field": f"attendance.{i}.student_id",
                    "message": "Обучающегося нет в списке группы на дату урока",
                }
            )
        if a.code not in ATTENDANCE:
            errors.append(
                {"field": f"attendance.{i}.code", "message": "Нет такой отметки посещаемости"}
            )
        if a.student_id in present:
            errors.append(
                {"field": f"attendance.{i}.student_id", "message": "Вторая отметка посещаемости"}
            )
        present.add(a.student_id)
    if errors:
        raise InvalidState("Журнал урока не сохранён: исправьте отмеченные поля", errors=errors)


@dataclass(frozen=True)
class Change:
    kind: str  # "recorded", "changed", "deleted"
    student_id: uuid.UUID
    work_type: str
    old: str | None
    new: str | None


def diff_marks(old: Mapping[tuple[uuid.UUID, str], str], new: Iterable[MarkIn]) -> list[Change]:
    """What saving `new` over `old` (student, work type → value) does, mark by mark."""
    wanted = {(m.student_id, m.work_type): m.value for m in new}
    out: list[Change] = []
    for key, value in wanted.items():
        before = old.get(key)
        if before is None:
            out.append(Change("recorded", key[0], key[1], None, value))
        elif before != value:
            out.append(Change("changed", key[0], key[1], before, value))
    for key, before in old.items():
        if key not in wanted:
            out.append(Change("deleted", key[0], key[1], before, None))
    return out


def check_locked(changes: Iterable[Change], locked: set[uuid.UUID]) -> None:
    """Once a student's period mark is set, the teacher no longer changes that period's
    marks of that student (002 4.6, 004 4.10)."""
    errors = [
        {
            "field": "marks",
            "message": "За этот период оценка уже выставлена: текущие оценки не меняются",
        }
        for ch in changes
        if ch.student_id in locked
    ]
    if errors:
        raise InvalidState(
            "Оценка за период уже выставлена: текущие оценки этого периода изменить нельзя",
            errors=errors[:1],
        )
