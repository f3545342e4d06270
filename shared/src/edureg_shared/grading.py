"""The scales and the figures every service counts marks by: the five-point scale and
pass/fail, the attendance codes, the weighted average, the mark an average suggests, and
the standard rates of a set of results (docs/reports.md). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable

# The five-point scale, and pass/fail ("зачёт"/"незачёт") for credit-only work.
FIVE_POINT = ("5", "4", "3", "2", "1")
PASS_FAIL = ("pass", "fail")
VALUES = {*FIVE_POINT, *PASS_FAIL}
VALUE_TITLES = {"pass": "зачёт", "fail": "незачёт"}

ATTENDANCE = {"absent": "н", "ill": "б", "excused": "у", "late": "оп"}
ATTENDANCE_TITLES = {
    "absent": "отсутствовал(а)",
    "ill": "болел(а)",
    "excused": "уважительная причина",
    "late": "опоздал(а)",
}
# A late student was at the lesson; the other codes are a missed lesson.
MISSED = ("absent", "ill", "excused")

# 002 §6: from the weighted average, 4.75 → 5, 3.75 → 4, 2.75 → 3, below → 2.
DEFAULT_THRESHOLDS = (4.75, 3.75, 2.75)

PERIOD_KINDS = {
    "period": "за период (четверть, полугодие, семестр)",
    "year": "годовая",
    "exam": "экзаменационная",
    "final": "итоговая",
    "coursework": "за курсовую работу",
    "qualification": "квалификационный экзамен (ПМ)",
}


def weighted_average(marks: Iterable[tuple[str, int]]) -> float | None:
    """The weighted average of the five-point marks (pass/fail do not count)."""
    total = weight = 0
    for value, w in marks:
        if value in FIVE_POINT:
            total += int(value) * w
            weight += w
    return round(total / weight, 2) if weight else None


def suggest(
    average: float | None, thresholds: tuple[float, float, float] = DEFAULT_THRESHOLDS
) -> str | None:
    """The period mark the average suggests; the teacher decides."""
    if average is None:
        return None
    five, four, three = thresholds
    if average >= five:
        return "5"
    if average >= four:
        return "4"
    if average >= three:
        return "3"
    return "2"


# The marks of the year, set once its periods (or its exam) are over.
YEAR_KINDS = ("year", "exam", "final", "coursework", "qualification")


def _rounded(mean: float) -> str:
    """By the rules of rounding: 4.5 → 5, 4.49 → 4 (never below 2)."""
    return str(max(2, min(5, int(mean + 0.5 + 1e-9))))


def suggest_year(period_marks: Iterable[str | None]) -> str | None:
    """The year mark the marks of the year's periods suggest: their arithmetic mean,
    rounded (3, 4, 4, 5 → 4; 4, 4, 5, 5 → 5); a credit subject's: зачёт when every period
    is. None until every period has its mark, or when five-point and credit are mixed.
    The teacher decides."""
    marks = list(period_marks)
    if not marks or any(m is None for m in marks):
        return None
    if all(m in PASS_FAIL for m in marks):
        return "pass" if all(m == "pass" for m in marks) else "fail"
    if not all(m in FIVE_POINT for m in marks):
        return None
    return _rounded(sum(int(m) for m in marks if m is not None) / len(marks))


def suggest_final(year: str | None, exam: str | None) -> str | None:
    """The final mark: the year's when there was no exam; with an exam, the mean of the
    year and exam marks, rounded (year 4, exam 5 → 5; year 4, exam 3 → 4). Credit: зачёт
    when both are. The teacher decides."""
    if year is None:
        return None
    if exam is None:
        return year
    if year in PASS_FAIL and exam in PASS_FAIL:
        return "pass" if year == exam == "pass" else "fail"
    if year in FIVE_POINT and exam in FIVE_POINT:
        return _rounded((int(year) + int(exam)) / 2)
    return None


def passed(result: str) -> bool:
    """A result without a 2 (or 1, or a "незачёт")."""
    return result in ("5", "4", "3", "pass")


def good(result: str) -> bool:
    """A result of 4 or 5 (a "зачёт" counts: it is not below the standard)."""
    return result in ("5", "4", "pass")


def rates(results_per_student: Iterable[Iterable[str]]) -> tuple[int, float | None, float | None]:
    """(students counted, success rate %, quality of knowledge %) of students' results:
    success is the share of students without a 2 in any of their results, quality the
    share with only 4s and 5s. A student with no result is not counted."""
    counted = succeeded = quality = 0
    for results in results_per_student:
        mine = list(results)
        if not mine:
            continue
        counted += 1
        succeeded += all(passed(r) for r in mine)
        quality += all(good(r) for r in mine)
    if not counted:
        return 0, None, None
    return counted, round(100 * succeeded / counted, 1), round(100 * quality / counted, 1)
