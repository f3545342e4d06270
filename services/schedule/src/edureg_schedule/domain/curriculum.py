"""Subjects and disciplines, curricula, and the teaching load measured against them.
No I/O.

Kinds (003 3.3.3, the federal standards of СПО): a school subject or a general
discipline (`discipline`: ОП.01, ОГСЭ.02, ЕН.01, or none for a school), a professional
module (`module`: ПМ.01) and the interdisciplinary courses (`mdk`: МДК.01.01, inside
ПМ.01) and practices (`practice`: УП.01, ПП.01) inside it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from edureg_shared.errors import InvalidState

Kind = Literal["discipline", "module", "mdk", "practice"]
Assessment = Literal[
    "none", "exam", "graded_credit", "credit", "coursework", "qualification_exam", "other"
]

KIND_TITLES = {
    "discipline": "дисциплина (предмет)",
    "module": "профессиональный модуль (ПМ)",
    "mdk": "междисциплинарный курс (МДК)",
    "practice": "практика (учебная, производственная)",
}
ASSESSMENT_TITLES = {
    "none": "нет",
    "exam": "экзамен",
    "graded_credit": "дифференцированный зачёт",
    "credit": "зачёт",
    "coursework": "курсовая работа",
    "qualification_exam": "квалификационный экзамен",
    "other": "другая форма",
}

_CODES: dict[str, re.Pattern[str]] = {
    "discipline": re.compile(r"^(ОП|ОГСЭ|ЕН|ОУД|УД|СГ|ОД|БД|ПД)\.\d{2}$"),
    "module": re.compile(r"^ПМ\.\d{2}$"),
    "mdk": re.compile(r"^МДК\.(\d{2})\.\d{2}$"),
    "practice": re.compile(r"^(УП|ПП)\.(\d{2})(\.\d{2})?$"),
}


def check_subject(
    *, kind: str, code: str | None, parent_kind: str | None, parent_code: str | None
) -> None:
    """A code matches its kind; an МДК or a practice sits inside a professional module
    whose number it carries (МДК.01.02 inside ПМ.01); a module and a discipline sit in
    nothing. A school subject has no code."""
    if kind in ("mdk", "practice") and parent_kind != "module":
        raise InvalidState("МДК и практика входят в профессиональный модуль: укажите ПМ")
    if kind in ("discipline", "module") and parent_kind is not None:
        raise InvalidState("Дисциплина и профессиональный модуль не входят в другой предмет")
    if code is None:
        if kind != "discipline":
            raise InvalidState("Для ПМ, МДК и практики нужен код по учебному плану")
        return
    match = _CODES[kind].match(code)
    if match is None:
        examples = {
            "discipline": "ОП.01",
            "module": "ПМ.01",
            "mdk": "МДК.01.01",
            "practice": "УП.01",
        }
        raise InvalidState(
            f"Код «{code}» не подходит для вида «{KIND_TITLES[kind]}» (например, {examples[kind]})"
        )
    if kind in ("mdk", "practice") and parent_code is not None:
        module_number = parent_code.split(".")[1]
        if match.group(2 if kind == "practice" else 1) != module_number:
            raise InvalidState(f"Код {code} не относится к модулю {parent_code}")


@dataclass(frozen=True)
class Line:
    """Hours of one subject in one period of a curriculum."""

    subject_id: uuid.UUID
    period_number: int
    lecture_hours: int
    practical_hours: int
    self_study_hours: int
    assessment: str

    @property
    def class_hours(self) -> int:
        """Hours taught with a teacher (what the load and the timetable must cover)."""
        return self.lecture_hours + self.practical_hours


def check_lines(lines: Iterable[Line], *, periods: int, max_total: int | None) -> int:
    """One line per subject and period, periods within the scheme, a module never holds
    hours of its own beyond its courses (checked by the caller) — and the curriculum's
    classroom total within `max_total` when the programme sets one. Returns the total."""
    seen: set[tuple[uuid.UUID, int]] = set()
    total = 0
    for line in lines:
        key = (line.subject_id, line.period_number)
        if key in seen:
            raise InvalidState(f"Предмет повторяется в периоде {line.period_number}")
        seen.add(key)
        if not 1 <= line.period_number <= periods:
            raise InvalidState(f"В учебном году нет периода {line.period_number}")
        if line.class_hours + line.self_study_hours == 0 and line.assessment == "none":
            raise InvalidState(
                f"Строка без часов и без формы аттестации (период {line.period_number})"
            )
        total += line.class_hours
    if max_total is not None and total > max_total:
        raise InvalidState(
            f"Аудиторных часов по плану {total}, это больше установленного предела {max_total}"
        )
    return total


@dataclass(frozen=True)
class LoadItem:
    teacher_id: uuid.UUID
    subject_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    period_number: int
    hours: int


@dataclass(frozen=True)
class Deviation:
    """Load hours against the curriculum for one group (or subgroup), subject, period:
    `planned` in the curriculum, `assigned` in the load (negative `difference`: hours no
    teacher has)."""

    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    subject_id: uuid.UUID
    period_number: int
    planned: int
    assigned: int

    @property
    def difference(self) -> int:
        return self.assigned - self.planned


def compare_load(
    curriculum: Mapping[uuid.UUID, list[Line]],
    load: Iterable[LoadItem],
) -> list[Deviation]:
    """Every (group, subject, period) whose load differs from its curriculum
    (`curriculum`: group → its curriculum's lines). Where a subject is split into
    subgroups, each subgroup must have the full hours; teachers taking the same group
    together (a lesson in pairs) count once per group: the hours of the group are the
    most any one teacher has for it, not their sum."""
    per_teacher: dict[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int], dict[uuid.UUID, int]]
    per_teacher = {}
    for item in load:
        key = (item.group_id, item.subgroup_id, item.subject_id, item.period_number)
        teachers = per_teacher.setdefault(key, {})
        teachers[item.teacher_id] = teachers.get(item.teacher_id, 0) + item.hours
    assigned = {key: max(t.values()) for key, t in per_teacher.items()}
    out: list[Deviation] = []
    covered: set[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, int]] = set()
    for group_id, lines in curriculum.items():
        for line in lines:
            base = (group_id, None, line.subject_id, line.period_number)
            split = [
                k
                for k in assigned
                if k[0] == group_id
                and k[1] is not None
                and k[2] == line.subject_id
                and k[3] == line.period_number
            ]
            keys = [base] if not split or base in assigned else split
            for key in keys:
                covered.add(key)
                given = assigned.get(key, 0)
                if given != line.class_hours:
                    out.append(Deviation(key[0], key[1], key[2], key[3], line.class_hours, given))
    for key, given in assigned.items():
        if key not in covered and key[0] in curriculum:
            out.append(Deviation(key[0], key[1], key[2], key[3], 0, given))
    return sorted(out, key=lambda d: (str(d.group_id), d.period_number, str(d.subject_id)))
