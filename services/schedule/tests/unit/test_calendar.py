from __future__ import annotations

from datetime import date

import pytest

from edureg_schedule.domain.calendar import Period, check_year
from edureg_shared.errors import InvalidState

START, END = date(2026, 9, 1), date(2027, 5, 31)


def halves(second_start: date = date(2027, 1, 9)) -> list[Period]:
    return [Period("half", 1, START, date(2026, 12, 28)), Period("half", 2, second_start, END)]


def test_a_valid_year_with_two_halves_passes() -> None:
    check_year("2026/2027", START, END, halves())


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        (halves(date(2026, 12, 1)), "пересекаются"),
        ([Period("half", 1, date(2026, 8, 1), END)], "выходит за границы"),
        ([Period("half", 3, START, END)], "номер периода"),
        (
            [
                Period("half", 1, START, date(2026, 12, 1)),
                Period("quarter", 2, date(2027, 1, 9), END),
            ],
            "одного вида",
        ),
        ([Period("quarter", 1, date(2026, 11, 1), date(2026, 10, 1))], "окончание раньше начала"),
    ],
)
def test_invalid_periods_are_refused_with_a_russian_reason(
    periods: list[Period], message: str
) -> None:
    with pytest.raises(InvalidState, match=message):
        check_year("2026/2027", START, END, periods)


def test_year_dates_must_match_the_title_and_be_ordered() -> None:
    with pytest.raises(InvalidState, match="не соответствуют"):
        check_year("2025/2026", START, END, [])
    with pytest.raises(InvalidState, match="позже"):
        check_year("2026/2027", END, START, [])
