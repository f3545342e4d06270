"""Orders of the movement book (книга движения): what may be signed and when."""

from __future__ import annotations

import enum
import re
from datetime import date

from edureg_shared.errors import InvalidState


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
        raise InvalidState("Приказ уже подписан; изменить его можно только новым приказом")


def ensure_dates(order_date: date, effective_date: date) -> None:
    if effective_date < order_date.replace(year=order_date.year - 1):
        raise InvalidState("Дата вступления в силу отстоит от даты приказа больше чем на год")


def ensure_expellable(status: StudentStatus) -> None:
    if status is not StudentStatus.ACTIVE:
        raise InvalidState("Отчислить можно только обучающегося, зачисленного приказом")
