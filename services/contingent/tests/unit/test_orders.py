"""The movement book's rules alone: no database, no web framework (runs in milliseconds).
Dates over the whole calendar by property-based tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg_contingent.domain.orders import (
    OrderKind,
    OrderStatus,
    StudentStatus,
    apply_order,
    check_dates,
    display_name,
    ensure_signable,
    shift_years,
    valid_name,
)
from edureg_contingent.domain.reasons import EXPULSION_REASONS, ensure_reason
from edureg_shared.errors import Conflict, InvalidState

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(days, st.integers(min_value=-3, max_value=3))
def test_shifting_by_years_keeps_the_day_or_ends_february(day: date, years: int) -> None:
    try:
        shifted = shift_years(day, years)
    except OverflowError:
        assert not 1 <= day.year + years <= 9999
        return
    assert shifted.year == day.year + years
    assert shifted.month == day.month
    if (day.month, day.day) == (2, 29):
        assert shifted.day in (28, 29)
    else:
        assert shifted.day == day.day


@given(days, st.integers(min_value=-800, max_value=800))
def test_dates_are_checked_both_ways_and_never_crash(order_date: date, offset: int) -> None:
    try:
        effective = order_date + timedelta(days=offset)
    except OverflowError:
        return
    try:
        check_dates(order_date, effective)
    except InvalidState:
        assert abs(offset) > 365
    else:
        assert abs(offset) <= 366


@pytest.mark.parametrize(
    ("order_date", "effective", "ok"),
    [
        (date(2028, 2, 29), date(2027, 2, 28), True),  # a leap day's year back
        (date(2028, 2, 29), date(2029, 2, 28), True),  # and forward
        (date(2028, 2, 29), date(2029, 3, 1), False),
        (date(2026, 12, 31), date(2027, 12, 31), True),
        (date(2026, 12, 31), date(2028, 1, 1), False),
        (date(2026, 9, 1), date(2024, 9, 1), False),  # was accepted: checked one way only
        (date(1, 1, 1), date(1, 6, 1), True),
        (date(9999, 12, 31), date(9999, 1, 1), True),
    ],
)
def test_boundary_dates(order_date: date, effective: date, ok: bool) -> None:
    if ok:
        check_dates(order_date, effective)
    else:
        with pytest.raises(InvalidState):
            check_dates(order_date, effective)


def test_each_order_kind_moves_a_student_from_one_state_only() -> None:
    assert apply_order(OrderKind.ENROLMENT, StudentStatus.PENDING) is StudentStatus.ACTIVE
    assert apply_order(OrderKind.EXPULSION, StudentStatus.ACTIVE) is StudentStatus.EXPELLED
    for kind, status in [
        (OrderKind.ENROLMENT, StudentStatus.ACTIVE),
        (OrderKind.ENROLMENT, StudentStatus.EXPELLED),
        (OrderKind.EXPULSION, StudentStatus.PENDING),
        (OrderKind.EXPULSION, StudentStatus.EXPELLED),
    ]:
        with pytest.raises(InvalidState):
            apply_order(kind, status)


def test_a_signed_order_is_never_signed_again() -> None:
    ensure_signable(OrderStatus.DRAFT)
    with pytest.raises(Conflict):
        ensure_signable(OrderStatus.SIGNED)


def test_names_and_reasons() -> None:
    assert valid_name("  Салтыков-Щедрин ") == "Салтыков-Щедрин"
    assert display_name("Иванова", "Анна") == "Иванова Анна"
    for bad in ("иванов", "Иванов1", "", "-Иванов"):
        with pytest.raises(ValueError, match="буквы"):
            valid_name(bad)
    assert all(ensure_reason(code) == code for code in EXPULSION_REASONS)
    with pytest.raises(ValueError, match="справочник"):
        ensure_reason("by_whim")
