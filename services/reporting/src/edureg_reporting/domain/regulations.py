"""The deadlines the regulations set, as data (a regional profile, and an organisation's
own where its regulation differs), and how an item is judged against them. Pure: no I/O.

Each rule says what is due, by when, and where the seeds say so. A rule reporting does
not compute yet (its events do not exist or do not carry the moment it needs) says so:
it is listed, editable, and shown as "не вычисляется", never as met."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from edureg_shared.errors import InvalidState
from edureg_shared.workdays import ProductionCalendar

Unit = Literal["working_days", "days", "september"]
Status = Literal["in_time", "late", "overdue", "pending"]
UNIT_TITLES = {
    "working_days": "рабочих дней",
    "days": "календарных дней",
    "september": "число сентября",
}


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    unit: Unit
    default: int
    reference: str
    computed: bool
    # The largest value an organisation may set (a deadline is not abolished by a setting).
    limit: int = 30


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "lesson_entry",
            "Оценки, посещаемость и тема урока внесены после урока",
            "working_days",
            1,
            "000 3.4.3, 003 3.3.5: не позднее одного дня после занятия "
            "(001 8.4: раз в две недели — 10 рабочих дней)",
            True,
        ),
        Rule(
            "timetable",
            "Расписание занятий на учебный год опубликовано",
            "september",
            15,
            "001 7: не позднее 15 сентября учебного года",
            True,
        ),
        Rule(
            "org_profile",
            "Карточка организации, лицензия и аккредитация заполнены",
            "september",
            15,
            "001 4.2: до 15 сентября учебного года",
            True,
        ),
        Rule(
            "accounts",
            "Учётные записи созданы после зачисления",
            "working_days",
            3,
            "001 2.6: в течение 3 рабочих дней",
            True,
        ),
        Rule(
            "personal_files",
            "Личное дело заполнено после зачисления",
            "working_days",
            3,
            "002: не позднее 3 рабочих дней; 004: 1 рабочий день",
            True,
        ),
        Rule(
            "orders",
            "Приказ о движении внесён",
            "working_days",
            3,
            "001 9, 003: в течение 3 рабочих дней с момента события",
            True,
        ),
        Rule(
            "period_marks",
            "Оценки за период выставлены",
            "days",
            0,
            "000 3.4.4, 003: не позднее дня окончания периода",
            True,
        ),
        Rule(
            "year_marks",
            "Годовые, экзаменационные и итоговые оценки выставлены",
            "days",
            2,
            "001 8.7: в течение двух дней после окончания периода",
            True,
        ),
        Rule(
            "absence_reasons",
            "Причины пропусков исправлены классным руководителем",
            "working_days",
            2,
            "001 8.3, 003: не позднее 2 рабочих дней после предоставления документа",
            True,
        ),
        Rule(
            "thematic_plans",
            "Тематическое планирование внесено по всем предметам",
            "september",
            15,
            "001 6.6: до 15 сентября; 003: до 2 сентября",
            True,
        ),
    )
}


def check_deadlines(values: Mapping[str, int]) -> None:
    """A profile's values: known rules, each within its bounds (the field named)."""
    errors = []
    for code, value in values.items():
        rule = RULES.get(code)
        if rule is None:
            errors.append({"field": f"rules.{code}", "message": "Нет такого правила"})
            continue
        low, high = (1, 30) if rule.unit == "september" else (0, rule.limit)
        if not low <= value <= high:
            errors.append({"field": f"rules.{code}", "message": f"Срок — от {low} до {high}"})
    if errors:
        raise InvalidState("Сроки не сохранены: исправьте отмеченные поля", errors=errors)


def effective(region: Mapping[str, int], own: Mapping[str, int]) -> dict[str, int]:
    """An organisation's deadlines: its own, else the region's, else the rule's default."""
    return {code: own.get(code, region.get(code, r.default)) for code, r in RULES.items()}


def due_date(rule: Rule, value: int, start: date, cal: ProductionCalendar) -> date:
    """The last day an item that became due on `start` may be done."""
    if rule.unit == "working_days":
        return cal.nth_working_day_after(start, value)
    if rule.unit == "days":
        return date.fromordinal(start.toordinal() + value)
    # "By the N-th of September" of the academic year `start` falls in.
    year = start.year if start.month >= 7 else start.year - 1
    return date(year, 9, value)


def judge(done_on: date | None, due: date, today: date) -> Status:
    if done_on is not None:
        return "in_time" if done_on <= due else "late"
    return "overdue" if today > due else "pending"


@dataclass
class Tally:
    """A rule's items for one organisation: in time, late, overdue (not done and past
    its deadline), pending (not done, still in time)."""

    in_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0

    def add(self, status: Status, n: int = 1) -> None:
        setattr(self, status, getattr(self, status) + n)

    def merge(self, other: Tally) -> None:
        statuses: tuple[Status, ...] = ("in_time", "late", "overdue", "pending")
        for status in statuses:
            self.add(status, getattr(other, status))

    @property
    def due(self) -> int:
        """Items whose deadline has passed or that are done: what the rate counts."""
        return self.in_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """The share done in time, in per cent to one decimal (None: nothing due)."""
        return round(100 * self.in_time / self.due, 1) if self.due else None


def lesson_entries(
    rows: Iterable[tuple[Any, date, date | None, int]],
    deadlines: Mapping[Any, int],
    today: date,
    cal: ProductionCalendar,
) -> dict[Any, Tally]:
    """Per organisation, its lessons judged against its `lesson_entry` deadline: `rows`
    are (organisation, lesson day, day entered or None, how many lessons). A lesson
    still to come is not counted."""
    return lesson_entries_by_week(rows, deadlines, today, cal)[0]


def lesson_entries_by_week(
    rows: Iterable[tuple[Any, date, date | None, int]],
    deadlines: Mapping[Any, int],
    today: date,
    cal: ProductionCalendar,
) -> tuple[dict[Any, Tally], dict[tuple[Any, date], Tally]]:
    """The same judged once per row: per organisation, and per organisation and week
    (its Monday) for the trend."""
    rule = RULES["lesson_entry"]
    due: dict[tuple[date, int], date] = {}
    out: dict[Any, Tally] = {}
    weekly: dict[tuple[Any, date], Tally] = {}
    for org, day, entered, n in rows:
        if day > today:
            continue
        value = deadlines.get(org, rule.default)
        key = (day, value)
        if key not in due:
            due[key] = due_date(rule, value, day, cal)
        status = judge(entered, due[key], today)
        out.setdefault(org, Tally()).add(status, n)
        week = date.fromordinal(day.toordinal() - day.weekday())
        weekly.setdefault((org, week), Tally()).add(status, n)
    return out, weekly


def items_judged(
    rows: Iterable[tuple[Any, str, date, date | None, int]],
    deadline: Callable[[Any, str], int],
    today: date,
    cal: ProductionCalendar,
) -> list[tuple[Any, str, Tally]]:
    """Per organisation and rule, items judged by their deadline: `rows` are
    (organisation, rule, the day it became due from, the day done or None, how many). An
    item that becomes due from a day still to come is not counted."""
    out: dict[tuple[Any, str], Tally] = {}
    for org, code, start, done, n in rows:
        rule = RULES.get(code)
        if rule is None or start > today:
            continue
        due = due_date(rule, deadline(org, code), start, cal)
        out.setdefault((org, code), Tally()).add(judge(done, due, today), n)
    return [(org, code, tally) for (org, code), tally in out.items()]


def yearly(
    code: str,
    years: Iterable[tuple[Any, date]],
    done: Mapping[tuple[Any, date], date | None],
    deadlines: Mapping[Any, int],
    today: date,
) -> dict[Any, Tally]:
    """Per organisation, a once-a-year item ("by the N-th of September") of each of its
    academic years (organisation, year's first day) judged by the day it was done."""
    rule = RULES[code]
    out: dict[Any, Tally] = {}
    cal = ProductionCalendar()
    for org, starts_on in years:
        due = due_date(rule, deadlines.get(org, rule.default), starts_on, cal)
        out.setdefault(org, Tally()).add(judge(done.get((org, starts_on)), due, today))
    return out
