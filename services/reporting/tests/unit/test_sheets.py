"""The figures of the summary sheets, by the standard definitions (docs/reports.md)."""

from __future__ import annotations

import uuid

from edureg_reporting.domain import sheets
from edureg_shared import grading

A, B, C, D = (uuid.uuid4() for _ in range(4))
MATHS, ART = uuid.uuid4(), uuid.uuid4()
STUDENTS = [(A, "А"), (B, "Б"), (C, "В"), (D, "Г")]
SUBJECTS = [(MATHS, "Математика"), (ART, "ИЗО")]


def test_rates_count_students_not_marks() -> None:
    # One student with a 2 among 5s fails; quality needs every result 4 or 5.
    assert grading.rates([["5", "2"], ["4", "4"], ["3"], []]) == (3, 66.7, 33.3)
    assert grading.rates([]) == (0, None, None)
    assert grading.rates([["pass", "5"], ["fail"]]) == (2, 50.0, 50.0)


def test_a_period_mark_outweighs_the_average_and_categories_follow_results() -> None:
    sheet = sheets.marks_sheet(
        students=STUDENTS,
        subjects=SUBJECTS,
        marks=[
            (A, MATHS, "5", 1),
            (A, ART, "5", 1),
            (B, MATHS, "4", 1),
            (B, MATHS, "5", 3),  # 4.75 → 5
            (B, ART, "3", 1),
            (C, MATHS, "2", 2),
            (C, MATHS, "pass", 1),  # pass/fail do not count in the average
        ],
        period_marks={(A, ART): "4", (C, MATHS): "3"},
    )
    rows = {r.student_id: r for r in sheet.rows}
    assert rows[A].cells[ART].result == "4"
    assert rows[A].category == "good"
    assert (rows[B].cells[MATHS].average, rows[B].cells[MATHS].result) == (4.75, "5")
    assert rows[B].category == "one_three"
    assert (rows[C].cells[MATHS].average, rows[C].cells[MATHS].result) == (2.0, "3")
    assert rows[C].cells[MATHS].marks == 2
    assert rows[D].category == "unrated"
    assert rows[D].cells == {}
    assert sheet.categories["unrated"] == 1
    assert sheet.per_subject[MATHS].counted == 3
    assert sheet.per_subject[MATHS].success_rate == 100.0
    assert sheet.per_subject[MATHS].quality_rate == 66.7
    assert sheet.per_subject[ART].average == 4.0
    assert sheet.overall.counted == 3  # Г has no result: not counted


def test_categories() -> None:
    assert sheets.category(["5", "pass"]) == "excellent"
    assert sheets.category(["5", "4"]) == "good"
    assert sheets.category(["3", "5"]) == "one_three"
    assert sheets.category(["3", "3"]) == "other"
    assert sheets.category(["5", "fail"]) == "failing"
    assert sheets.category([]) == "unrated"


def test_attendance_counts_missed_lessons_and_leaves_lateness_out() -> None:
    sheet = sheets.attendance_sheet(
        students=STUDENTS[:2],
        subjects=SUBJECTS,
        lessons={MATHS: 10, ART: 2},
        entries=[(A, MATHS, "ill"), (A, MATHS, "absent"), (A, ART, "late"), (B, ART, "excused")],
    )
    a, b = sheet.rows
    assert (a.total_missed, a.missed, a.by_code["late"]) == (2, {MATHS: 2}, 1)
    assert (b.total_missed, b.by_code["excused"]) == (1, 1)
    assert sheet.totals == {"absent": 1, "ill": 1, "excused": 1, "late": 1, "missed": 3}
