from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg_shared.workdays import FEDERAL, ProductionCalendar


@pytest.mark.parametrize(("year", "working"), [(2024, 248), (2025, 247), (2026, 247)])
def test_published_years_have_the_official_number_of_working_days(year: int, working: int) -> None:
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    assert days - len(FEDERAL.days_off(year)) == working


def test_decree_transfers_are_applied() -> None:
    # 2025: the Saturday of 1 November was a working day, 3 November and 8 May were off.
    assert FEDERAL.is_working(date(2025, 11, 1))
    assert not FEDERAL.is_working(date(2025, 11, 3))
    assert not FEDERAL.is_working(date(2025, 5, 8))
    # 2026: 9 January off; 8 March (Sunday) moves to Monday 9 March.
    assert not FEDERAL.is_working(date(2026, 1, 9))
    assert not FEDERAL.is_working(date(2026, 3, 9))
    assert FEDERAL.is_working(date(2026, 3, 10))


def test_a_year_without_a_decree_follows_the_labour_code() -> None:
    # 2028: 23 February is a Wednesday; 8 March a Wednesday; 12 June a Monday; 4 November
    # a Saturday → Monday 6 November off. The New Year holidays are not moved.
    assert not FEDERAL.is_working(date(2028, 2, 23))
    assert not FEDERAL.is_working(date(2028, 11, 6))
    assert FEDERAL.is_working(date(2028, 1, 10))


def test_nth_working_day_after_skips_holidays_and_weekends() -> None:
    # Enrolled on Wednesday 30 December 2026: 31 December and 1–10 January are off.
    assert FEDERAL.nth_working_day_after(date(2026, 12, 30), 3) == date(2027, 1, 13)
    # Friday + 1 → Monday.
    assert FEDERAL.nth_working_day_after(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert FEDERAL.nth_working_day_after(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert FEDERAL.nth_working_day_before(date(2026, 11, 30), 1) == date(2026, 11, 27)


def test_the_regions_corrections_come_first() -> None:
    region = ProductionCalendar({date(2027, 1, 11): False, date(2027, 1, 9): True})
    assert not region.is_working(date(2027, 1, 11))
    assert region.is_holiday(date(2027, 1, 11))
    assert region.is_working(date(2027, 1, 9))
    assert region.nth_working_day_after(date(2027, 1, 8), 2) == date(2027, 1, 12)


def test_saturdays_are_not_holidays_but_new_year_saturdays_are() -> None:
    assert not FEDERAL.is_holiday(date(2026, 11, 28))
    assert FEDERAL.is_holiday(date(2026, 1, 3))


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 1)), st.integers(0, 40))
def test_after_and_before_are_inverse_on_working_days(day: date, n: int) -> None:
    while not FEDERAL.is_working(day):
        day += timedelta(days=1)
    later = FEDERAL.nth_working_day_after(day, n)
    assert FEDERAL.is_working(later)
    assert FEDERAL.nth_working_day_before(later, n) == day
    assert len(FEDERAL.working_days(day, later)) == n + 1
