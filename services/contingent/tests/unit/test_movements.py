"""Every kind of order of the movement book, alone: the states it applies to, where it
takes a student, which groups a student may move to, the history's direction, leave's
length, what a cancellation may undo and where it leaves the student."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg_contingent.domain.access import reads_every_file
from edureg_contingent.domain.orders import (
    STAFF_KINDS,
    STUDYING,
    TRANSITIONS,
    GroupFacts,
    Movement,
    OrderKind,
    OrderStatus,
    StudentStatus,
    apply_order,
    check_history,
    check_leave,
    check_target_group,
    ensure_cancellable,
    undo,
)
from edureg_contingent.domain.reasons import ORDER_REASONS, ensure_order_reason
from edureg_shared.errors import Conflict, InvalidState

EXPECTED = {
    # kind: {state before: state after}; every other state is refused.
    OrderKind.ENROLMENT: {StudentStatus.PENDING: StudentStatus.ACTIVE},
    OrderKind.EXPULSION: {
        StudentStatus.ACTIVE: StudentStatus.EXPELLED,
        StudentStatus.ON_LEAVE: StudentStatus.EXPELLED,
    },
    OrderKind.TRANSFER: {StudentStatus.ACTIVE: StudentStatus.ACTIVE},
    OrderKind.PROMOTION: {StudentStatus.ACTIVE: StudentStatus.ACTIVE},
    OrderKind.RETENTION: {StudentStatus.ACTIVE: StudentStatus.ACTIVE},
    OrderKind.GRADUATION: {StudentStatus.ACTIVE: StudentStatus.GRADUATED},
    OrderKind.ACADEMIC_LEAVE: {StudentStatus.ACTIVE: StudentStatus.ON_LEAVE},
    OrderKind.LEAVE_RETURN: {StudentStatus.ON_LEAVE: StudentStatus.ACTIVE},
    OrderKind.REINSTATEMENT: {StudentStatus.EXPELLED: StudentStatus.ACTIVE},
}


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("status", list(StudentStatus))
def test_each_kind_applies_to_its_states_only(kind: OrderKind, status: StudentStatus) -> None:
    expected = EXPECTED[kind].get(status)
    if expected is None:
        with pytest.raises(InvalidState) as refused:
            apply_order(kind, status)
        assert refused.value.detail  # a Russian sentence for the secretary
    else:
        assert apply_order(kind, status) is expected


def test_every_kind_but_cancellation_has_its_rule() -> None:
    assert set(TRANSITIONS) == set(OrderKind) - {OrderKind.CANCELLATION} - STAFF_KINDS
    with pytest.raises(InvalidState):
        apply_order(OrderKind.CANCELLATION, StudentStatus.ACTIVE)
    # Nobody graduated, expelled or annulled counts as studying (their accounts close).
    assert StudentStatus.ON_LEAVE in STUDYING
    assert not {StudentStatus.EXPELLED, StudentStatus.GRADUATED, StudentStatus.ANNULLED} & STUDYING


def _group(grade: int, year: str = "2026/2027", closed: bool = False) -> GroupFacts:
    return GroupFacts(id=uuid.uuid4(), grade=grade, academic_year=year, closed=closed)


def test_which_groups_a_student_may_move_to() -> None:
    five = _group(5)
    other_five = _group(5)
    six_next = _group(6, "2027/2028")
    six_same_year = _group(6)
    five_next = _group(5, "2027/2028")
    check_target_group(OrderKind.TRANSFER, five, other_five)
    check_target_group(OrderKind.PROMOTION, five, six_next)
    check_target_group(OrderKind.RETENTION, five, five_next)
    check_target_group(OrderKind.ENROLMENT, None, five)
    refused = [
        (OrderKind.TRANSFER, five, five),  # the same group
        (OrderKind.PROMOTION, five, other_five),  # not the next grade
        (OrderKind.PROMOTION, five, _group(7, "2027/2028")),
        (OrderKind.PROMOTION, five, six_same_year),  # not the next year
        (OrderKind.RETENTION, five, six_next),  # another grade
        (OrderKind.RETENTION, five, five),
        (OrderKind.TRANSFER, five, _group(5, closed=True)),  # a closed group
        (OrderKind.ENROLMENT, None, _group(5, closed=True)),
    ]
    for kind, source, target in refused:
        with pytest.raises(InvalidState) as e:
            check_target_group(kind, source, target)
        assert e.value.extra["errors"][0]["field"] == "to_group_id"


days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(days, days)
def test_history_reads_in_one_direction(last: date, effective: date) -> None:
    if effective < last:
        with pytest.raises(InvalidState):
            check_history(last, effective)
    else:
        check_history(last, effective)
    check_history(None, effective)  # the first movement


@given(days, st.integers(min_value=-5, max_value=800))
def test_leave_is_after_its_start_and_at_most_two_years(start: date, length: int) -> None:
    try:
        until = start + timedelta(days=length)
    except OverflowError:
        return
    within = length > 0 and (
        until.year < start.year + 2
        or (until.year == start.year + 2 and (until.month, until.day) <= (start.month, start.day))
    )
    if within:
        check_leave(start, until)
    else:
        with pytest.raises(InvalidState):
            check_leave(start, until)


def test_leave_from_a_leap_day() -> None:
    check_leave(date(2028, 2, 29), date(2030, 2, 28))
    with pytest.raises(InvalidState):
        check_leave(date(2028, 2, 29), date(2030, 3, 1))


def test_what_a_cancellation_may_undo() -> None:
    order, later = uuid.uuid4(), uuid.uuid4()
    s1, s2 = uuid.uuid4(), uuid.uuid4()
    ensure_cancellable(order, OrderKind.TRANSFER, OrderStatus.SIGNED, False, {s1: order, s2: order})
    with pytest.raises(InvalidState, match="более поздние"):
        ensure_cancellable(
            order, OrderKind.TRANSFER, OrderStatus.SIGNED, False, {s1: order, s2: later}
        )
    with pytest.raises(InvalidState, match="подписанный"):
        ensure_cancellable(order, OrderKind.TRANSFER, OrderStatus.DRAFT, False, {s1: order})
    with pytest.raises(Conflict):
        ensure_cancellable(order, OrderKind.TRANSFER, OrderStatus.SIGNED, True, {s1: None})
    with pytest.raises(InvalidState, match="отмене"):
        ensure_cancellable(order, OrderKind.CANCELLATION, OrderStatus.SIGNED, False, {})
    with pytest.raises(InvalidState, match="Кадровый"):
        ensure_cancellable(order, OrderKind.HIRING, OrderStatus.SIGNED, False, {})


def test_undoing_a_movement_puts_the_student_back() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()

    def moved(kind: OrderKind, before: StudentStatus, after: StudentStatus) -> Movement:
        return Movement(
            order_id=uuid.uuid4(),
            kind=kind,
            from_status=before,
            to_status=after,
            from_group_id=None if kind is OrderKind.ENROLMENT else a,
            to_group_id=a if kind is OrderKind.ENROLMENT else b,
        )

    assert undo(moved(OrderKind.ENROLMENT, StudentStatus.PENDING, StudentStatus.ACTIVE)) == (
        StudentStatus.ANNULLED,
        a,
    )
    assert undo(moved(OrderKind.TRANSFER, StudentStatus.ACTIVE, StudentStatus.ACTIVE)) == (
        StudentStatus.ACTIVE,
        a,
    )
    assert undo(moved(OrderKind.EXPULSION, StudentStatus.ON_LEAVE, StudentStatus.EXPELLED)) == (
        StudentStatus.ON_LEAVE,
        a,
    )


def test_reasons_of_each_kind() -> None:
    assert ensure_order_reason("transfer", None) is None
    assert ensure_order_reason("academic_leave", "medical") == "medical"
    for kind, catalogue in ORDER_REASONS.items():
        for code in catalogue:
            assert ensure_order_reason(kind, code) == code
    with pytest.raises(ValueError, match="справочник"):
        ensure_order_reason("academic_leave", "completed")
    with pytest.raises(ValueError, match="справочник"):
        ensure_order_reason("promotion", "own_request")
    with pytest.raises(ValueError, match="основание"):
        ensure_order_reason("expulsion", None)


def test_only_the_office_reads_every_file() -> None:
    assert reads_every_file({"contingent.students.read", "contingent.orders.write"})
    assert reads_every_file({"contingent.orders.sign"})
    assert not reads_every_file({"contingent.students.read", "contingent.groups.read"})


def test_staff_orders_take_on_and_let_go() -> None:
    from edureg_contingent.domain.staff import EmployeeStatus as E
    from edureg_contingent.domain.staff import apply_staff_order, hire_position

    assert apply_staff_order("hiring", E.PENDING) is E.ACTIVE
    assert apply_staff_order("hiring", E.DISMISSED) is E.ACTIVE  # taken on again
    assert apply_staff_order("dismissal", E.ACTIVE) is E.DISMISSED
    for kind, status in (
        ("hiring", E.ACTIVE),
        ("dismissal", E.PENDING),
        ("dismissal", E.DISMISSED),
    ):
        with pytest.raises(InvalidState):
            apply_staff_order(kind, status)
    assert hire_position("teacher") == "teacher"
    with pytest.raises(ValueError, match="администратор"):
        hire_position("admin")  # an HR order never makes an administrator
