"""Orders of the movement book (книга движения): pure rules, no I/O.

What a use case asks here, it gets as a value or an error:
- may this draft be signed (`ensure_signable`), are its dates consistent (`check_dates`);
- what does an order of this kind do to a student in this state (`apply_order`);
the use cases in services/orders.py load the rows, call these, and store the result.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import date

from edureg_shared.errors import Conflict, InvalidState


class OrderKind(enum.StrEnum):
    ENROLMENT = "enrolment"
    EXPULSION = "expulsion"
    TRANSFER = "transfer"  # to another group of the organisation
    PROMOTION = "promotion"  # a whole group to the next grade or course
    RETENTION = "retention"  # to a group of the same grade (повторное обучение)
    GRADUATION = "graduation"  # a whole group, which then closes
    ACADEMIC_LEAVE = "academic_leave"
    LEAVE_RETURN = "leave_return"
    REINSTATEMENT = "reinstatement"  # after an expulsion
    CANCELLATION = "cancellation"  # of a signed order: its effects are undone
    HIRING = "hiring"  # staff (domain/staff.py)
    DISMISSAL = "dismissal"


# Orders about staff, not students (their rules: domain/staff.py).
STAFF_KINDS = frozenset({OrderKind.HIRING, OrderKind.DISMISSAL})


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class StudentStatus(enum.StrEnum):
    PENDING = "pending"  # in a draft enrolment order, not yet a student
    ACTIVE = "active"
    ON_LEAVE = "on_leave"  # academic leave: still a student, absent from the journal
    EXPELLED = "expelled"
    GRADUATED = "graduated"
    ANNULLED = "annulled"  # the enrolment order was cancelled: never was a student


# Statuses in which the person is a student of the organisation (accounts stay open).
STUDYING = frozenset({StudentStatus.ACTIVE, StudentStatus.ON_LEAVE})


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


# What each kind of order does: the states a student may be in, and the state after.
TRANSITIONS: dict[OrderKind, tuple[frozenset[StudentStatus], StudentStatus]] = {
    OrderKind.ENROLMENT: (frozenset({StudentStatus.PENDING}), StudentStatus.ACTIVE),
    OrderKind.EXPULSION: (STUDYING, StudentStatus.EXPELLED),
    OrderKind.TRANSFER: (frozenset({StudentStatus.ACTIVE}), StudentStatus.ACTIVE),
    OrderKind.PROMOTION: (frozenset({StudentStatus.ACTIVE}), StudentStatus.ACTIVE),
    OrderKind.RETENTION: (frozenset({StudentStatus.ACTIVE}), StudentStatus.ACTIVE),
    OrderKind.GRADUATION: (frozenset({StudentStatus.ACTIVE}), StudentStatus.GRADUATED),
    OrderKind.ACADEMIC_LEAVE: (frozenset({StudentStatus.ACTIVE}), StudentStatus.ON_LEAVE),
    OrderKind.LEAVE_RETURN: (frozenset({StudentStatus.ON_LEAVE}), StudentStatus.ACTIVE),
    OrderKind.REINSTATEMENT: (frozenset({StudentStatus.EXPELLED}), StudentStatus.ACTIVE),
}

# Why a student in another state cannot be in an order of the kind (shown to the user).
_REFUSALS: dict[OrderKind, str] = {
    OrderKind.ENROLMENT: "Обучающийся из приказа уже зачислен",
    OrderKind.EXPULSION: "Отчислить можно только обучающегося, зачисленного приказом",
    OrderKind.TRANSFER: "Перевести в другую группу можно только обучающегося, который учится",
    OrderKind.PROMOTION: "Перевести на следующий курс (в следующий класс) можно только "
    "обучающегося, который учится",
    OrderKind.RETENTION: "Оставить на повторное обучение можно только обучающегося, который учится",
    OrderKind.GRADUATION: "Выпустить можно только обучающегося, который учится",
    OrderKind.ACADEMIC_LEAVE: "Академический отпуск даётся обучающемуся, который учится "
    "и не находится в отпуске",
    OrderKind.LEAVE_RETURN: "Выйти из академического отпуска может только обучающийся, "
    "который в нём находится",
    OrderKind.REINSTATEMENT: "Восстановить можно только отчисленного обучающегося",
}

# Orders whose students move into the order's target group.
MOVES_GROUP = frozenset(
    {
        OrderKind.ENROLMENT,
        OrderKind.TRANSFER,
        OrderKind.PROMOTION,
        OrderKind.RETENTION,
        OrderKind.LEAVE_RETURN,
        OrderKind.REINSTATEMENT,
    }
)

MAX_LEAVE_YEARS = 2  # академический отпуск — не более двух лет (приказ Минобрнауки № 455)


def apply_order(kind: OrderKind, status: StudentStatus) -> StudentStatus:
    """The student's state after an order of `kind` is signed; an error if the order
    cannot apply to a student in `status`."""
    if kind not in TRANSITIONS:
        raise InvalidState("Этот приказ не меняет состояние обучающегося")
    allowed, after = TRANSITIONS[kind]
    if status not in allowed:
        raise InvalidState(_REFUSALS[kind])
    return after


def ensure_applicable(kind: OrderKind, status: StudentStatus) -> None:
    apply_order(kind, status)


def ensure_expellable(status: StudentStatus) -> None:
    ensure_applicable(OrderKind.EXPULSION, status)


@dataclass(frozen=True)
class GroupFacts:
    """What the rules need of a group."""

    id: uuid.UUID
    grade: int
    academic_year: str
    closed: bool = False


def check_target_group(kind: OrderKind, source: GroupFacts | None, target: GroupFacts) -> None:
    """Is `target` a group a student of `source` may move to by an order of `kind`?"""
    field = [{"field": "to_group_id", "message": ""}]

    def refuse(message: str) -> InvalidState:
        return InvalidState(message, errors=[{**field[0], "message": message}])

    if target.closed:
        raise refuse("Группа закрыта: в неё нельзя зачислить или перевести")
    if source is None:
        return
    if kind in (OrderKind.TRANSFER, OrderKind.RETENTION) and target.id == source.id:
        raise refuse("Обучающийся уже в этой группе: выберите другую")
    if kind is OrderKind.PROMOTION and target.grade != source.grade + 1:
        raise refuse(
            f"Перевод на следующий курс (в следующий класс): нужна группа {source.grade + 1}-го "
            f"класса (курса), а выбрана группа {target.grade}-го"
        )
    if kind is OrderKind.PROMOTION and target.academic_year <= source.academic_year:
        raise refuse("Группа для перевода должна быть следующего учебного года")
    if kind is OrderKind.RETENTION and target.grade != source.grade:
        raise refuse(
            "Повторное обучение: нужна группа того же класса (курса), "
            f"{source.grade}-го, а выбрана {target.grade}-го"
        )


def check_history(last_effective: date | None, effective: date) -> None:
    """An order takes effect no earlier than the student's latest movement: the history
    of a student reads in one direction."""
    if last_effective is not None and effective < last_effective:
        raise InvalidState(
            "Дата вступления в силу раньше предыдущего приказа по этому обучающемуся "
            f"({last_effective:%d.%m.%Y})",
            errors=[{"field": "effective_date", "message": "Раньше предыдущего приказа"}],
        )


def check_leave(start: date, until: date) -> None:
    """Academic leave runs from the order's effective date to `until`: after it, and for
    no more than two years."""
    try:
        latest = shift_years(start, MAX_LEAVE_YEARS)
    except OverflowError:
        latest = date.max
    if not start < until <= latest:
        raise InvalidState(
            "Академический отпуск: дата окончания позже начала и не дальше двух лет от него",
            errors=[{"field": "leave_until", "message": "От дня после начала до двух лет"}],
        )


@dataclass(frozen=True)
class Movement:
    """One student's move by one signed order, as the history keeps it."""

    order_id: uuid.UUID
    kind: OrderKind
    from_status: StudentStatus
    to_status: StudentStatus
    from_group_id: uuid.UUID | None
    to_group_id: uuid.UUID


def ensure_cancellable(
    order_id: uuid.UUID,
    kind: OrderKind,
    status: OrderStatus,
    cancelled: bool,
    latest: dict[uuid.UUID, uuid.UUID | None],
) -> None:
    """A signed order, not a cancellation, not cancelled yet, and the latest order of
    each of its students (a later one must be cancelled first: history is undone from
    its end). `latest`: student → the order of their latest live movement."""
    if kind is OrderKind.CANCELLATION:
        raise InvalidState("Приказ об отмене отменить нельзя: подготовьте новый приказ")
    if kind in STAFF_KINDS:
        raise InvalidState(
            "Кадровый приказ исправляется новым кадровым приказом (о приёме или увольнении)"
        )
    if status is not OrderStatus.SIGNED:
        raise InvalidState("Отменить можно только подписанный приказ; проект можно не подписывать")
    if cancelled:
        raise Conflict("Этот приказ уже отменён")
    later = [s for s, o in latest.items() if o != order_id]
    if later:
        raise InvalidState(
            "По обучающимся из этого приказа есть более поздние приказы: сначала отмените их",
            errors=[{"field": "student_ids", "message": f"Более поздние приказы: {len(later)}"}],
        )


def undo(movement: Movement) -> tuple[StudentStatus, uuid.UUID]:
    """Where a cancelled movement leaves the student: their state and group before it
    (an enrolment undone leaves a record that never was a student)."""
    if movement.kind is OrderKind.ENROLMENT:
        return StudentStatus.ANNULLED, movement.to_group_id
    return movement.from_status, movement.from_group_id or movement.to_group_id


def display_name(surname: str, name: str) -> str:
    """How a student appears in rosters and reports: surname and name."""
    return f"{surname} {name}"
