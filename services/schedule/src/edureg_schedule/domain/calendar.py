"""Academic years, study periods (quarters, halves, semesters, trimesters), holidays and
exam sessions: what a valid calendar is. No I/O."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from edureg_shared.errors import InvalidState

PERIOD_KINDS = {"quarter": 4, "half": 2, "semester": 2, "trimester": 3}
PERIOD_TITLES = {
    "quarter": "четверть",
    "half": "полугодие",
    "semester": "семестр",
    "trimester": "триместр",
}
_SCOPE = re.compile(
    r"^(all|grade:(1[01]|[1-9])|group:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


@dataclass(frozen=True)
class Period:
    kind: str
    number: int
    starts_on: date
    ends_on: date


def check_year_bounds(title: str, starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise InvalidState("Учебный год должен заканчиваться позже, чем начинается")
    first, second = (int(y) for y in title.split("/"))
    if second != first + 1:
        raise InvalidState(f"Учебный год {title}: второй год должен следовать за первым")
    if starts_on.year != first or ends_on.year not in (first, second):
        raise InvalidState(f"Даты не соответствуют учебному году {title}")


def check_periods(starts_on: date, ends_on: date, periods: list[Period]) -> None:
    """One kind per scheme, numbers 1..n of that kind, within the year, no overlaps."""
    kinds = {p.kind for p in periods}
    if len(kinds) > 1:
        raise InvalidState("В одной схеме периоды должны быть одного вида")
    for p in periods:
        if p.ends_on < p.starts_on:
            raise InvalidState(f"Период {p.number}: окончание раньше начала")
        if p.starts_on < starts_on or p.ends_on > ends_on:
            raise InvalidState(f"Период {p.number} выходит за границы учебного года")
        if not 1 <= p.number <= PERIOD_KINDS[p.kind]:
            raise InvalidState(f"Недопустимый номер периода: {p.number}")
    if len({p.number for p in periods}) != len(periods):
        raise InvalidState("Номера периодов повторяются")
    ordered = sorted(periods, key=lambda p: p.starts_on)
    for a, b in itertools.pairwise(ordered):
        if b.starts_on <= a.ends_on:
            raise InvalidState(f"Периоды {a.number} и {b.number} пересекаются")
    if [p.number for p in ordered] != sorted(p.number for p in ordered):
        raise InvalidState("Периоды должны идти по порядку номеров")


def check_year(title: str, starts_on: date, ends_on: date, periods: list[Period]) -> None:
    check_year_bounds(title, starts_on, ends_on)
    check_periods(starts_on, ends_on, periods)


def check_scope(scope: str) -> tuple[int | None, uuid.UUID | None]:
    """`all`, `grade:<1..11>` or `group:<id>` → (grade, group id)."""
    if not _SCOPE.match(scope):
        raise InvalidState(
            "Схема периодов задаётся для всех, для параллели или для группы",
            errors=[{"field": "scope", "message": "Ожидается all, grade:N или group:<id>"}],
        )
    if scope.startswith("grade:"):
        return int(scope.split(":")[1]), None
    if scope.startswith("group:"):
        return None, uuid.UUID(scope.split(":", 1)[1])
    return None, None


def scheme_for(scopes: set[str], group_id: uuid.UUID, grade: int) -> str:
    """Which scheme a group follows: its own, else its parallel's, else the year's."""
    for scope in (f"group:{group_id}", f"grade:{grade}"):
        if scope in scopes:
            return scope
    return "all"


def check_range_in_year(
    what: str, first: date, last: date, year_start: date, year_end: date
) -> None:
    if last < first:
        raise InvalidState(f"{what}: окончание раньше начала")
    if first < year_start or last > year_end:
        raise InvalidState(f"{what} выходит за границы учебного года")


def check_holidays(holidays: list[tuple[date, date, frozenset[int] | None]]) -> None:
    """Holidays for the same grades must not overlap (`None`: every grade)."""
    ordered = sorted(holidays, key=lambda h: h[0])
    for a, b in itertools.combinations(ordered, 2):
        grades_meet = a[2] is None or b[2] is None or bool(a[2] & b[2])
        if grades_meet and a[0] <= b[1] and b[0] <= a[1]:
            raise InvalidState(
                f"Каникулы {a[0]:%d.%m.%Y}–{a[1]:%d.%m.%Y} и {b[0]:%d.%m.%Y}–{b[1]:%d.%m.%Y} "
                "пересекаются"
            )


def shift_year(day: date, years: int = 1) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_title(title: str) -> str:
    first, second = (int(y) for y in title.split("/"))
    return f"{first + 1}/{second + 1}"


def in_holidays(
    day: date, grade: int, holidays: list[tuple[date, date, frozenset[int] | None]]
) -> bool:
    return any(a <= day <= b and (g is None or grade in g) for a, b, g in holidays)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
