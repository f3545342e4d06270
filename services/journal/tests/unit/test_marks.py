import uuid
from datetime import date

import pytest

from edureg_journal.domain import marks as rules
from edureg_journal.domain.marks import (
    AttendanceIn,
    MarkIn,
    check_grid,
    diff_marks,
    suggest,
    weighted_average,
)
from edureg_shared.errors import InvalidState

A, B, STRANGER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TYPES = {"lesson", "test"}
DAY = date(2026, 9, 7)


def test_a_valid_grid_passes() -> None:
    check_grid(
        lesson_day=DAY,
        today=DAY,
        roster={A, B},
        work_types=TYPES,
        marks=[MarkIn(A, "lesson", "5"), MarkIn(A, "test", "4"), MarkIn(B, "lesson", "pass")],
        attendance=[AttendanceIn(B, "ill", "справка")],
    )


def test_every_bad_field_is_named() -> None:
    with pytest.raises(InvalidState) as caught:
        check_grid(
            lesson_day=DAY,
            today=DAY,
            roster={A, B},
            work_types=TYPES,
            marks=[
                MarkIn(A, "lesson", "6"),
                MarkIn(STRANGER, "lesson", "5"),
                MarkIn(A, "lesson", "4"),
                MarkIn(B, "dance", "5"),
            ],
            attendance=[
                AttendanceIn(B, "ill", None),
                AttendanceIn(B, "late", None),
                AttendanceIn(A, "asleep", None),
            ],
        )
    fields = [e["field"] for e in caught.value.extra["errors"]]
    assert fields == [
        "marks.0.value",
        "marks.1.student_id",
        "marks.2.work_type",
        "marks.3.work_type",
        "attendance.1.student_id",
        "attendance.2.code",
    ]


def test_a_lesson_still_to_come_takes_no_marks() -> None:
    with pytest.raises(InvalidState, match="ещё не прошёл"):
        check_grid(
            lesson_day=DAY,
            today=date(2026, 9, 6),
            roster={A},
            work_types=TYPES,
            marks=[],
            attendance=[],
        )


def test_the_diff_names_what_was_recorded_changed_and_deleted() -> None:
    old = {(A, "lesson"): "4", (B, "lesson"): "3"}
    changes = diff_marks(old, [MarkIn(A, "lesson", "5"), MarkIn(A, "test", "4")])
    assert {(c.kind, c.student_id, c.work_type, c.old, c.new) for c in changes} == {
        ("changed", A, "lesson", "4", "5"),
        ("recorded", A, "test", None, "4"),
        ("deleted", B, "lesson", "3", None),
    }
    assert diff_marks(old, [MarkIn(A, "lesson", "4"), MarkIn(B, "lesson", "3")]) == []


@pytest.mark.parametrize(
    ("marks", "average", "suggested"),
    [
        ([("5", 1), ("5", 3), ("4", 1)], 4.8, "5"),
        ([("5", 1), ("4", 3)], 4.25, "4"),
        ([("4", 1), ("3", 3), ("pass", 2)], 3.25, "3"),
        ([("3", 1), ("2", 3)], 2.25, "2"),
        ([("pass", 1)], None, None),
        # 002 §6: exactly at a threshold rounds up.
        ([("5", 3), ("4", 1)], 4.75, "5"),
        ([("4", 3), ("3", 1)], 3.75, "4"),
    ],
)
def test_weighted_average_and_the_suggested_mark(
    marks: list[tuple[str, int]], average: float | None, suggested: str | None
) -> None:
    assert weighted_average(marks) == average
    assert suggest(weighted_average(marks)) == suggested


def test_a_set_period_mark_closes_that_students_marks() -> None:
    from edureg_journal.domain.marks import Change, check_locked

    check_locked([Change("changed", B, "lesson", "3", "4")], locked={A})
    with pytest.raises(InvalidState, match="уже выставлена"):
        check_locked([Change("recorded", A, "test", None, "5")], locked={A})


@pytest.mark.parametrize(
    ("periods", "year"),
    [
        (["3", "4", "4", "5"], "4"),  # 4.0
        (["4", "4", "5", "5"], "5"),  # 4.5: rounded up
        (["4", "4", "4", "5"], "4"),  # 4.25
        (["2", "3"], "3"),  # 2.5
        (["2", "2", "2"], "2"),
        (["5", None], None),  # a period without its mark: nothing to suggest yet
        ([], None),
        (["pass", "pass"], "pass"),
        (["pass", "fail"], "fail"),
        (["pass", "5"], None),  # mixed scales: the teacher decides
    ],
)
def test_the_year_mark_is_the_rounded_mean_of_the_periods(
    periods: list[str | None], year: str | None
) -> None:
    assert rules.suggest_year(periods) == year


@pytest.mark.parametrize(
    ("year", "exam", "final"),
    [
        ("4", None, "4"),  # no exam: the year's
        ("4", "5", "5"),  # 4.5
        ("4", "3", "4"),  # 3.5
        ("5", "3", "4"),
        ("3", "2", "3"),  # 2.5
        (None, "5", None),  # no year mark yet
        ("pass", "pass", "pass"),
        ("pass", "fail", "fail"),
        ("5", "pass", None),
    ],
)
def test_the_final_mark_comes_from_the_year_and_the_exam(
    year: str | None, exam: str | None, final: str | None
) -> None:
    assert rules.suggest_final(year, exam) == final
