"""The Russian production calendar: which days are working days, and "the N-th working
day after D" that every "within N working days" rule of the regulations uses (accounts
within 3 working days of enrolment, orders within 3 working days, absence reasons within
2 working days...). Pure: no I/O.

Where the days come from, in order:
1. the region's own corrections (`overrides`: a day made working or non-working, kept by
   the schedule service and edited by the regional administrator — for a year whose
   government decree is not published yet, or a regional holiday);
2. a published government decree on day transfers (`PUBLISHED`: 2024–2026);
3. otherwise the Labour Code (art. 112): Saturdays and Sundays, the federal non-working
   holidays, and a holiday falling on a Saturday or Sunday moves to the next working day
   (except the New Year holidays of 1–8 January, which only a decree moves).

It lives in the shared library, not in one service's domain, because every service
applies the same calendar in the same form (ADR 0010)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

# Art. 112 of the Labour Code: the non-working public holidays (month, day).
FEDERAL_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8),
    (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4),
)  # fmt: skip
NEW_YEAR = {(1, d) for d in range(1, 9)}


def _d(text: str) -> date:
    return date.fromisoformat(text)


# The government's decrees on day transfers: (extra days off, Saturdays made working).
PUBLISHED: dict[int, tuple[frozenset[date], frozenset[date]]] = {
    # The government's decree on day transfers in 2024.
    2024: (
        frozenset(map(_d, ("2024-04-29", "2024-04-30", "2024-05-10", "2024-12-30", "2024-12-31"))),
        frozenset(map(_d, ("2024-04-27", "2024-11-02", "2024-12-28"))),
    ),
    # The decree for 2025 (23 February, a Sunday, moved to 8 May).
    2025: (
        frozenset(map(_d, ("2025-05-02", "2025-05-08", "2025-06-13", "2025-11-03", "2025-12-31"))),
        frozenset(map(_d, ("2025-11-01",))),
    ),
    # The decree for 2026: 3 and 4 January to 9 January and 31 December; 8 March (a
    # Sunday) and 9 May (a Saturday) move by art. 112.
    2026: (
        frozenset(map(_d, ("2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31"))),
        frozenset(),
    ),
}


def _labour_code_days_off(year: int) -> set[date]:
    """Non-working days of a year with no decree: holidays, and a holiday on a weekend
    moved to the next working day (the New Year holidays are not moved)."""
    holidays = {date(year, m, d) for m, d in FEDERAL_HOLIDAYS}
    off = set(holidays)
    for h in sorted(holidays):
        if h.weekday() >= 5 and (h.month, h.day) not in NEW_YEAR:
            moved = h + timedelta(days=1)
            while moved.weekday() >= 5 or moved in off:
                moved += timedelta(days=1)
            off.add(moved)
    return off


class ProductionCalendar:
    """Working days of the region. `overrides` maps a date to True (a working day) or
    False (a day off), above the decree and the Labour Code."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        known = self._years.get(year)
        if known is None:
            holidays = {date(year, m, d) for m, d in FEDERAL_HOLIDAYS}
            if year in PUBLISHED:
                extra, working = PUBLISHED[year]
                known = (frozenset(holidays | extra), working)
            else:
                known = (frozenset(_labour_code_days_off(year)), frozenset())
            self._years[year] = known
        return known

    def is_working(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        off, working = self._year(day.year)
        if day in working:
            return True
        return day.weekday() < 5 and day not in off

    def is_holiday(self, day: date) -> bool:
        """A non-working day other than an ordinary Saturday or Sunday: a public holiday,
        a day off moved by a decree, or one the region declared. Schools that study on
        Saturdays have no lessons on these days, and do on ordinary Saturdays."""
        if day in self._overrides:
            return not self._overrides[day]
        off, working = self._year(day.year)
        return day in off and day not in working

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1): an item due "within n working days
        of D" is overdue from the day after this one. n = 0 gives `day` itself."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = day
        while n > 0:
            d += timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d

    def nth_working_day_before(self, day: date, n: int) -> date:
        """The n-th working day before `day`: something made before it has had its n
        working days by `day`."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = day
        while n > 0:
            d -= timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d

    def working_days(self, first: date, last: date) -> list[date]:
        """Every working day from `first` to `last`, both included."""
        out = []
        d = first
        while d <= last:
            if self.is_working(d):
                out.append(d)
            d += timedelta(days=1)
        return out

    def days_off(self, year: int) -> list[date]:
        """Every non-working day of `year` (weekends included), in order."""
        d, out = date(year, 1, 1), []
        while d.year == year:
            if not self.is_working(d):
                out.append(d)
            d += timedelta(days=1)
        return out


FEDERAL = ProductionCalendar()
