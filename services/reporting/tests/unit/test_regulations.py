"""Deadlines as data, judged by the production calendar."""

from __future__ import annotations

from datetime import date

import pytest

from edureg_reporting.domain import regulations as r
from edureg_shared.errors import InvalidState
from edureg_shared.workdays import ProductionCalendar

CAL = ProductionCalendar()


def test_a_days_lesson_is_due_the_next_working_day() -> None:
    rule = r.RULES["lesson_entry"]
    friday = date(2026, 10, 9)
    assert r.due_date(rule, 1, friday, CAL) == date(2026, 10, 12)  # Monday
    # 4 November is a holiday: Tuesday's lesson is due on Thursday.
    assert r.due_date(rule, 1, date(2026, 11, 3), CAL) == date(2026, 11, 5)
    # A region's correction makes a Saturday working.
    sat = ProductionCalendar({date(2026, 10, 10): True})
    assert r.due_date(rule, 1, friday, sat) == date(2026, 10, 10)


def test_september_rules_fall_in_the_academic_year() -> None:
    rule = r.RULES["timetable"]
    assert r.due_date(rule, 15, date(2026, 9, 1), CAL) == date(2026, 9, 15)
    assert r.due_date(rule, 15, date(2027, 3, 1), CAL) == date(2026, 9, 15)


def test_judging_and_tallies() -> None:
    due, today = date(2026, 10, 12), date(2026, 12, 1)
    assert r.judge(date(2026, 10, 12), due, today) == "in_time"
    assert r.judge(date(2026, 10, 13), due, today) == "late"
    assert r.judge(None, due, today) == "overdue"
    assert r.judge(None, due, date(2026, 10, 11)) == "pending"
    tallies = r.lesson_entries(
        [
            ("a", date(2026, 10, 9), date(2026, 10, 12), 2),
            ("a", date(2026, 10, 9), None, 1),
            ("a", date(2026, 12, 30), None, 5),  # still to come
            ("b", date(2026, 10, 9), date(2026, 10, 14), 1),
        ],
        {"b": 10},
        today,
        CAL,
    )
    assert (tallies["a"].in_time, tallies["a"].overdue, tallies["a"].due) == (2, 1, 3)
    assert tallies["a"].rate == 66.7
    assert tallies["b"].rate == 100.0
    assert r.Tally().rate is None


def test_profiles_merge_and_are_checked() -> None:
    eff = r.effective({"lesson_entry": 2, "accounts": 5}, {"lesson_entry": 10})
    assert (eff["lesson_entry"], eff["accounts"], eff["orders"]) == (10, 5, 3)
    with pytest.raises(InvalidState) as e:
        r.check_deadlines({"lesson_entry": -1, "timetable": 31, "x": 1})
    assert {x["field"] for x in e.value.extra["errors"]} == {
        "rules.lesson_entry",
        "rules.timetable",
        "rules.x",
    }
