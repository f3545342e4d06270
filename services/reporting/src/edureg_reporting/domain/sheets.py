"""The summary sheets of a group (сводные ведомости): marks and attendance per student
and subject, with the standard figures (docs/reports.md). Pure: no I/O."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from edureg_shared import grading

CATEGORIES = {
    "excellent": "отличники",
    "good": "хорошисты",
    "one_three": "с одной «3»",
    "failing": "неуспевающие",
    "unrated": "не аттестованы",
    "other": "успевающие с «3»",
}

# The same, of one student (a row of the sheet).
CATEGORY_OF_ONE = {
    "excellent": "отличник",
    "good": "хорошист",
    "one_three": "с одной «3»",
    "failing": "неуспевающий",
    "unrated": "не аттестован",
    "other": "успевающий с «3»",
}


@dataclass(frozen=True)
class Cell:
    average: float | None
    marks: int
    period_mark: str | None
    # The period mark if it is set, otherwise the mark the average suggests.
    result: str | None


@dataclass(frozen=True)
class Row:
    student_id: uuid.UUID
    display_name: str
    cells: dict[uuid.UUID, Cell]
    average: float | None
    category: str


@dataclass(frozen=True)
class Figures:
    counted: int
    success_rate: float | None
    quality_rate: float | None
    average: float | None


@dataclass(frozen=True)
class MarksSheet:
    subjects: list[tuple[uuid.UUID, str]]
    rows: list[Row]
    per_subject: dict[uuid.UUID, Figures]
    overall: Figures
    categories: dict[str, int] = field(default_factory=dict)


def _mean(values: Iterable[float]) -> float | None:
    v = list(values)
    return round(sum(v) / len(v), 2) if v else None


def category(results: Sequence[str]) -> str:
    if not results:
        return "unrated"
    if not all(grading.passed(r) for r in results):
        return "failing"
    if all(r in ("5", "pass") for r in results):
        return "excellent"
    threes = sum(r == "3" for r in results)
    if threes == 0:
        return "good"
    return "one_three" if threes == 1 else "other"


def marks_sheet(
    *,
    students: Sequence[tuple[uuid.UUID, str]],
    subjects: Sequence[tuple[uuid.UUID, str]],
    marks: Iterable[tuple[uuid.UUID, uuid.UUID, str, int]],
    period_marks: Mapping[tuple[uuid.UUID, uuid.UUID], str],
    thresholds: tuple[float, float, float] = grading.DEFAULT_THRESHOLDS,
) -> MarksSheet:
    """`marks`: (student, subject, value, weight); `period_marks`: (student, subject) →
    value. A student's result in a subject is its period mark, or else the mark its
    weighted average suggests; success and quality count the students by those results."""
    by_cell: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[str, int]]] = defaultdict(list)
    for student, subject, value, weight in marks:
        by_cell[(student, subject)].append((value, weight))
    rows: list[Row] = []
    results_by_subject: dict[uuid.UUID, list[list[str]]] = defaultdict(list)
    averages_by_subject: dict[uuid.UUID, list[float]] = defaultdict(list)
    all_results: list[list[str]] = []
    categories = dict.fromkeys(CATEGORIES, 0)
    for student, name in students:
        cells: dict[uuid.UUID, Cell] = {}
        results: list[str] = []
        for subject, _ in subjects:
            given = by_cell.get((student, subject), [])
            average = grading.weighted_average(given)
            period_mark = period_marks.get((student, subject))
            result = period_mark or grading.suggest(average, thresholds)
            if not given and period_mark is None:
                continue
            cells[subject] = Cell(average, len(given), period_mark, result)
            if result is not None:
                results.append(result)
                results_by_subject[subject].append([result])
            if average is not None:
                averages_by_subject[subject].append(average)
        averages = [c.average for c in cells.values() if c.average is not None]
        kind = category(results)
        categories[kind] += 1
        all_results.append(results)
        rows.append(Row(student, name, cells, _mean(averages), kind))
    per_subject = {}
    for subject, _ in subjects:
        counted, success, quality = grading.rates(results_by_subject.get(subject, []))
        per_subject[subject] = Figures(
            counted, success, quality, _mean(averages_by_subject.get(subject, []))
        )
    counted, success, quality = grading.rates(all_results)
    overall = Figures(
        counted, success, quality, _mean(r.average for r in rows if r.average is not None)
    )
    return MarksSheet(list(subjects), rows, per_subject, overall, categories)


@dataclass(frozen=True)
class AttendanceRow:
    student_id: uuid.UUID
    display_name: str
    # Lessons missed per subject (absent, ill or excused; being late is not missing).
    missed: dict[uuid.UUID, int]
    by_code: dict[str, int]
    total_missed: int


@dataclass(frozen=True)
class AttendanceSheet:
    subjects: list[tuple[uuid.UUID, str]]
    lessons: dict[uuid.UUID, int]
    rows: list[AttendanceRow]
    totals: dict[str, int]


def attendance_sheet(
    *,
    students: Sequence[tuple[uuid.UUID, str]],
    subjects: Sequence[tuple[uuid.UUID, str]],
    lessons: Mapping[uuid.UUID, int],
    entries: Iterable[tuple[uuid.UUID, uuid.UUID, str]],
) -> AttendanceSheet:
    """`entries`: (student, subject, code); `lessons`: lessons held per subject."""
    missed: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(lambda: defaultdict(int))
    codes: dict[uuid.UUID, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(grading.ATTENDANCE, 0)
    )
    for student, subject, code in entries:
        if code not in grading.ATTENDANCE:
            continue
        codes[student][code] += 1
        if code in grading.MISSED:
            missed[student][subject] += 1
    rows = []
    totals = dict.fromkeys(grading.ATTENDANCE, 0) | {"missed": 0}
    for student, name in students:
        mine = dict(missed.get(student, {}))
        by_code = dict(codes.get(student, dict.fromkeys(grading.ATTENDANCE, 0)))
        total = sum(mine.values())
        for code, n in by_code.items():
            totals[code] += n
        totals["missed"] += total
        rows.append(AttendanceRow(student, name, mine, by_code, total))
    return AttendanceSheet(list(subjects), dict(lessons), rows, totals)
