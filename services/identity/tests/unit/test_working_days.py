from datetime import date

import pytest

from edureg_identity.services.slips import working_days_before


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        # Wednesday: Tue, Mon, then the Friday before.
        (date(2026, 11, 25), 3, date(2026, 11, 20)),
        # Monday: Fri, Thu, Wed of the week before.
        (date(2026, 11, 23), 3, date(2026, 11, 18)),
        # Sunday and Saturday count nothing: Fri, Thu, Wed.
        (date(2026, 11, 29), 3, date(2026, 11, 25)),
        (date(2026, 11, 28), 3, date(2026, 11, 25)),
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
        (date(2026, 11, 30), 1, date(2026, 11, 27)),
        # 4 November (National Unity Day) is a public holiday: Thursday 5 → Tuesday 3.
        (date(2026, 11, 5), 1, date(2026, 11, 3)),
        # The New Year holidays (and 31 December, 9 January): 12 January 2026 → 26 December.
        (date(2026, 1, 12), 3, date(2025, 12, 26)),
    ],
)
def test_working_days_before(today: date, days: int, expected: date) -> None:
    assert working_days_before(today, days) == expected
