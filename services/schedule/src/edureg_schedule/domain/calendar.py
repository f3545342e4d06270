"""Academic years and study periods (quarters, halves, semesters, trimesters): what a
valid calendar is. No I/O."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from edureg_shared.errors import InvalidState

PERIOD_KINDS = {"quarter": 4, "half": 2, "semester": 2, "trimester": 3}


@dataclass(frozen=True)
class Period:
    kind: str
    number: int
    starts_on: date
    ends_on: date


def check_year(title: str, starts_on: date, ends_on: date, periods: list[Period]) -> None:
    if ends_on <= starts_on:
        raise InvalidState("Учебный год должен заканчиваться позже, чем начинается")
    first, second = (int(y) for y in title.split("/"))
    if starts_on.year != first or ends_on.year not in (first, second):
        raise InvalidState(f"Даты не соответствуют учебному году {title}")
    kinds = {p.kind for p in periods}
    if len(kinds) > 1:
        raise InvalidState("В одном учебном году периоды должны быть одного вида")
    for p in periods:
        if p.ends_on < p.starts_on:
            raise InvalidState(f"Период {p.number}: окончание раньше начала")
        if p.starts_on < starts_on or p.ends_on > ends_on:
            raise InvalidState(f"Период {p.number} выходит за границы учебного года")
        if not 1 <= p.number <= PERIOD_KINDS[p.kind]:
            raise InvalidState(f"Недопустимый номер периода: {p.number}")
    ordered = sorted(periods, key=lambda p: p.starts_on)
    for a, b in itertools.pairwise(ordered):
        if b.starts_on <= a.ends_on:
            raise InvalidState(f"Периоды {a.number} и {b.number} пересекаются")
    if len({p.number for p in periods}) != len(periods):
        raise InvalidState("Номера периодов повторяются")
