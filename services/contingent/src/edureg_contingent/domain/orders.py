"""Orders of the movement book (книга движения): pure rules, no I/O.

What a use case asks here, it gets as a value or an error:
- may this draft be signed (`ensure_signable`), are its dates consistent (`check_dates`);
- what does an order of this kind do to a student in this state (`apply_order`);
the use cases in services/orders.py load the rows, call these, and store the result.
"""

from __future__ import annotations

import enum
import re
from datetime import date

from edureg_shared.errors import Conflict, InvalidState


class OrderKind(enum.StrEnum):
    ENROLMENT = "enrolment"
    EXPULSION = "expulsion"


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class StudentStatus(enum.StrEnum):
    PENDING = "pending"  # in a draft enrolment order, not yet a student
    ACTIVE = "active"
    EXPELLED = "expelled"


_NAME = re.compile(r"^[А-ЯЁA-Z][А-ЯЁа-яёA-Za-z' \-]{0,99}$")


def valid_name(value: str) -> str:
    value = " ".join(value.split())
    if not _NAME.match(value):
        raise ValueError("Допустимы буквы, пробел, дефис и апостроф; первая буква заглавная")
    return value


def ensure_signable(status: OrderStatus) -> None:
    if status is not OrderStatus.DRAFT:
        raise Conflict("Приказ уже подписан; изменить его можно только новым приказом")


def shift_years(day: date, years: int) -> date:
    """The same calendar day `years` later (earlier if negative); 29 February becomes
    28 February in a year without it. None if that falls outside years 1–9999."""
    year = day.year + years
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    if day.month == 2 and day.day == 29 and not _leap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


MAX_EFFECT_DISTANCE_YEARS = 1


def check_dates(order_date: date, effective_date: date) -> None:
    """An order takes effect within a year of its date, before or after it (a late order
    records a move that already happened; an early one plans the next academic year)."""
    try:
        earliest = shift_years(order_date, -MAX_EFFECT_DISTANCE_YEARS)
    except OverflowError:
        earliest = date.min
    try:
        latest = shift_years(order_date, MAX_EFFECT_DISTANCE_YEARS)
    except OverflowError:
        latest = date.max
    if not earliest <= effective_date <= latest:
        raise InvalidState(
            "Дата вступления в силу отстоит от даты приказа больше чем на год",
            errors=[{"field": "effective_date", "message": "Больше года от даты приказа"}],
        )


def apply_order(kind: OrderKind, status: StudentStatus) -> StudentStatus:
    """The student's state after an order of `kind` is signed; an error if the order
    cannot apply to a student in `status`."""
    if kind is OrderKind.ENROLMENT:
        if status is not StudentStatus.PENDING:
            raise InvalidState("Обучающийся из приказа уже зачислен")
        return StudentStatus.ACTIVE
    if kind is OrderKind.EXPULSION:
        ensure_expellable(status)
        return StudentStatus.EXPELLED
    raise InvalidState("Неизвестный вид приказа")  # pragma: no cover - exhaustive enum


def ensure_expellable(status: StudentStatus) -> None:
    if status is not StudentStatus.ACTIVE:
        raise InvalidState("Отчислить можно только обучающегося, зачисленного приказом")


def display_name(surname: str, name: str) -> str:
    """How a student appears in rosters and reports: surname and name."""
    return f"{surname} {name}"
