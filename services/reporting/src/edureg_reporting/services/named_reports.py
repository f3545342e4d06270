"""The regulations' named reports (001 X, 002 §5, 003 IV, 004 §5–6) that are one table
or a few: of a group, a student, a teacher or the organisation, for a study period or
dates. Each builds `render.Table`s from the read models; the same tables go to the screen
(JSON), to XLSX and to PDF, so what a deputy sees is what they print.

Who may open which is decided by the caller's scope (http/named_reports.py): a group's by
services/reports.readable_group, a student's by student_reports.readable_student, a
teacher's by the teacher themself or the management, the organisation's by the
management. The figures are the standard ones (docs/reports.md)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import any_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.domain import sheets
from edureg_reporting.persistence.tables import (
    Attendance,
    GroupOccupancy,
    Lesson,
    Mark,
    MovementEntry,
    Organisation,
    PeriodMark,
    Student,
    Subject,
    TeachingLoad,
)
from edureg_reporting.render import Table, Value, number
from edureg_reporting.services import reports
from edureg_reporting.services.documents import DEFINITIONS, _title, range_title
from edureg_shared import grading

Scope = Literal["group", "student", "teacher", "organisation"]
MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
# The most rows one report lists (the movement book of a large college is the longest).
MAX_ROWS = 5000


@dataclass(frozen=True)
class Of:
    """What a report is of, for which dates, and the line saying when it was made."""

    session: AsyncSession
    tenant_id: uuid.UUID
    r: reports.Range
    made: str
    group: GroupOccupancy | None = None
    student: Student | None = None
    teacher_id: uuid.UUID | None = None
    # How the heading names the teacher (staff names do not reach reporting).
    teacher_label: str = ""


Build = Callable[[Of], Awaitable[list[Table]]]


@dataclass(frozen=True)
class Kind:
    key: str
    scope: Scope
    title: str
    build: Build
    # Without a period or dates: the last `default_days` up to today (None: the period
    # under way is asked for, as for every sheet).
    default_days: int | None = None
    dated: bool = True


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{number(value, 1)} %"


def _day(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def _period_line(of: Of) -> str:
    return f"Период: {range_title(of.r)}"


def _group_line(group: GroupOccupancy) -> str:
    return f"Группа (класс): {group.name}, {group.academic_year} учебный год"


async def _names(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    return dict(
        (
            await session.execute(
                select(Subject.subject_id, Subject.name).where(Subject.tenant_id == tenant_id)
            )
        ).all()
    )


async def _group_names(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    return {
        g: n or "Группа"
        for g, n in (
            await session.execute(
                select(GroupOccupancy.group_id, GroupOccupancy.name).where(
                    GroupOccupancy.tenant_id == tenant_id
                )
            )
        ).all()
    }


def _sorted_subjects(ids: set[uuid.UUID], names: dict[uuid.UUID, str]) -> list[uuid.UUID]:
    return sorted(ids, key=lambda s: names.get(s, "Предмет").casefold())


def _results(sheet: sheets.MarksSheet, subject: uuid.UUID) -> Counter[str]:
    """How many students have each result in a subject (5, 4, 3, 2, pass, fail)."""
    return Counter(
        c.result
        for row in sheet.rows
        if (c := row.cells.get(subject)) is not None and c.result is not None
    )


RESULT_COLUMNS = ("5", "4", "3", "2")


# -- a group's ---------------------------------------------------------------------------------


async def _sheets(of: Of) -> tuple[sheets.MarksSheet, sheets.AttendanceSheet]:
    assert of.group is not None
    marks = await reports.marks_sheet(of.session, of.tenant_id, of.group.group_id, of.r)
    attendance = await reports.attendance_sheet(of.session, of.tenant_id, of.group.group_id, of.r)
    return marks, attendance


async def group_attendance(of: Of) -> list[Table]:
    assert of.group is not None
    _, sheet = await _sheets(of)
    held = sum(sheet.lessons.values())
    rows: list[list[Value]] = []
    for i, row in enumerate(sheet.rows, start=1):
        share = None if not held else round(100 * (held - row.total_missed) / held, 1)
        rows.append(
            [
                i,
                row.display_name,
                held,
                row.total_missed,
                row.by_code.get("ill", 0),
                row.by_code.get("excused", 0),
                row.by_code.get("absent", 0),
                row.by_code.get("late", 0),
                _rate(share),
            ]
        )
    t = sheet.totals
    return [
        Table(
            title="Отчёт о посещаемости группы",
            subtitle=[_group_line(of.group), _period_line(of), of.made],
            columns=[
                "№",
                "Обучающийся",
                "Проведено уроков",
                "Пропущено",
                "по болезни",
                "по уважительной причине",
                "без причины",
                "Опозданий",
                "Посещаемость",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    held,
                    t["missed"],
                    t["ill"],
                    t["excused"],
                    t["absent"],
                    t["late"],
                    "",
                ]
            ],
            notes=[
                "Пропуск — отметки «н», «б», «у»; опоздание («оп») пропуском не считается. "
                "Посещаемость — доля проведённых уроков группы без пропуска."
            ],
            widths=[0.6, 4.0, 1.2, 1.2, 1.2, 1.5, 1.2, 1.2, 1.4],
            sheet="Посещаемость",
        )
    ]


async def _curator(of: Of, title: str) -> list[Table]:
    assert of.group is not None
    marks, attendance = await _sheets(of)
    names = dict(marks.subjects)
    missed = {row.student_id: row for row in attendance.rows}
    rows: list[list[Value]] = []
    for i, row in enumerate(marks.rows, start=1):
        failing = [
            names[s]
            for s, c in row.cells.items()
            if c.result is not None and not grading.passed(c.result)
        ]
        a = missed.get(row.student_id)
        rows.append(
            [
                i,
                row.display_name,
                row.average,
                sheets.CATEGORY_OF_ONE[row.category],
                ", ".join(sorted(failing)) or None,
                a.total_missed if a else 0,
                a.by_code.get("absent", 0) if a else 0,
                a.by_code.get("late", 0) if a else 0,
            ]
        )
    counts = ", ".join(f"{t} — {marks.categories.get(k, 0)}" for k, t in sheets.CATEGORIES.items())
    return [
        Table(
            title=title,
            subtitle=[_group_line(of.group), _period_line(of), of.made],
            columns=[
                "№",
                "Обучающийся",
                "Средний балл",
                "Итог",
                "Неудовлетворительно по предметам",
                "Пропущено уроков",
                "из них без причины",
                "Опозданий",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Успеваемость / качество",
                    marks.overall.average,
                    f"{_rate(marks.overall.success_rate)} / {_rate(marks.overall.quality_rate)}",
                    "",
                    attendance.totals["missed"],
                    attendance.totals["absent"],
                    attendance.totals["late"],
                ]
            ],
            notes=[f"Обучающихся: {len(marks.rows)}; {counts}.", *DEFINITIONS],
            widths=[0.6, 4.0, 1.2, 2.0, 4.0, 1.3, 1.3, 1.1],
            sheet="Отчёт куратора",
        )
    ]


async def curator(of: Of) -> list[Table]:
    return await _curator(of, "Отчёт куратора за период")


async def curator_preliminary(of: Of) -> list[Table]:
    # 001 10.2: the curator's preliminary report every two weeks.
    return await _curator(of, "Предварительный отчёт куратора (за две недели)")


async def group_results(of: Of) -> list[Table]:
    assert of.group is not None
    marks, _ = await _sheets(of)
    rows: list[list[Value]] = []
    for i, (subject, name) in enumerate(marks.subjects, start=1):
        f = marks.per_subject[subject]
        got = _results(marks, subject)
        rows.append(
            [
                i,
                name,
                f.counted,
                *(got.get(v, 0) for v in RESULT_COLUMNS),
                got.get("pass", 0),
                got.get("fail", 0),
                _rate(f.success_rate),
                _rate(f.quality_rate),
                f.average,
            ]
        )
    o = marks.overall
    return [
        Table(
            title="Результаты группы за период",
            subtitle=[_group_line(of.group), _period_line(of), of.made],
            columns=[
                "№",
                "Предмет",
                "Аттестовано",
                "«5»",
                "«4»",
                "«3»",
                "«2»",
                "Зачёт",
                "Незачёт",
                "Успеваемость",
                "Качество знаний",
                "Средний балл",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Группа",
                    o.counted,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    _rate(o.success_rate),
                    _rate(o.quality_rate),
                    o.average,
                ]
            ],
            notes=[
                "Итоги по предмету — сколько обучающихся получили каждую отметку (отметку за "
                "период или, если её нет, отметку по средневзвешенному баллу).",
                *DEFINITIONS,
            ],
            widths=[0.6, 4.0, *([1.1] * 10)],
            sheet="Результаты группы",
        )
    ]


async def _student_marks(
    of: Of, student_ids: set[uuid.UUID] | None = None
) -> list[tuple[uuid.UUID, uuid.UUID, date, str, int]]:
    """(student, subject, day, value, weight) in the range, in the order given."""
    stmt = select(Mark.student_id, Mark.subject_id, Mark.day, Mark.value, Mark.weight).where(
        Mark.tenant_id == of.tenant_id,
        Mark.day.between(of.r.start, of.r.end),
        Mark.value.is_not(None),
    )
    if of.group is not None and of.student is None:
        stmt = stmt.where(Mark.group_id == of.group.group_id)
    if of.student is not None:
        stmt = stmt.where(Mark.student_id == of.student.student_id)
    rows = (await of.session.execute(stmt.order_by(Mark.day, Mark.as_of))).all()
    return [(s, subj, d, v, w) for s, subj, d, v, w in rows if v is not None]


async def parent_letter(of: Of) -> list[Table]:
    """One letter per student (a page each in the PDF, a sheet each in the XLSX)."""
    assert of.group is not None
    marks, attendance = await _sheets(of)
    given: dict[tuple[uuid.UUID, uuid.UUID], list[str]] = defaultdict(list)
    for student, subject, _, value, _ in await _student_marks(of):
        given[(student, subject)].append(_title(value) or value)
    missed = {row.student_id: row for row in attendance.rows}
    letters = []
    for row in marks.rows:
        a = missed.get(row.student_id)
        lines: list[list[Value]] = []
        for i, (subject, name) in enumerate(marks.subjects, start=1):
            cell = row.cells.get(subject)
            values = given.get((row.student_id, subject), [])
            if cell is None and not values:
                continue
            lines.append(
                [
                    i,
                    name,
                    " ".join(values) or None,
                    cell.average if cell else None,
                    _title(cell.result) if cell else None,
                    a.missed.get(subject, 0) if a else 0,
                ]
            )
        letters.append(
            Table(
                title="Информационное письмо родителям (законным представителям)",
                subtitle=[
                    f"Обучающийся: {row.display_name}",
                    _group_line(of.group),
                    _period_line(of),
                    of.made,
                ],
                columns=["№", "Предмет", "Отметки", "Средний балл", "Итог", "Пропущено уроков"],
                rows=lines,
                footer=[
                    [
                        "",
                        "Всего",
                        None,
                        row.average,
                        sheets.CATEGORY_OF_ONE[row.category],
                        a.total_missed if a else 0,
                    ]
                ],
                notes=[
                    "Уважаемые родители (законные представители)! Сообщаем об успеваемости и "
                    "посещаемости вашего ребёнка за указанный период. Отметки и пропуски по дням "
                    "— в электронном дневнике.",
                    "Куратор (классный руководитель): ____________________",
                    "С письмом ознакомлен(а): ____________________",
                ],
                widths=[0.6, 3.5, 6.0, 1.3, 1.3, 1.4],
                sheet=row.display_name[:31],
            )
        )
    return letters or [
        Table(
            title="Информационное письмо родителям (законным представителям)",
            subtitle=[_group_line(of.group), _period_line(of), of.made],
            columns=["№", "Предмет", "Отметки", "Средний балл", "Итог", "Пропущено уроков"],
            rows=[],
            notes=["В группе за этот период нет обучающихся."],
        )
    ]


# -- a student's -------------------------------------------------------------------------------


def _student_line(of: Of) -> str:
    assert of.student is not None
    return f"Обучающийся: {of.student.display_name}"


async def _attendance_of_student(of: Of) -> dict[uuid.UUID, Counter[str]]:
    assert of.student is not None
    out: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for subject, code in (
        await of.session.execute(
            select(Attendance.subject_id, Attendance.code).where(
                Attendance.tenant_id == of.tenant_id,
                Attendance.student_id == of.student.student_id,
                Attendance.day.between(of.r.start, of.r.end),
                Attendance.code.is_not(None),
            )
        )
    ).all():
        out[subject][code] += 1
    return out


async def _period_marks_of_student(of: Of) -> dict[uuid.UUID, str]:
    assert of.student is not None
    if of.r.period is None:
        return {}
    rows = await of.session.execute(
        select(PeriodMark.subject_id, PeriodMark.value).where(
            PeriodMark.tenant_id == of.tenant_id,
            PeriodMark.student_id == of.student.student_id,
            PeriodMark.period_id == of.r.period.period_id,
            PeriodMark.kind == "period",
            PeriodMark.value.is_not(None),
        )
    )
    return {s: v for s, v in rows.all() if v is not None}


@dataclass
class _Line:
    values: list[tuple[str, int]]
    result: str | None
    average: float | None


async def _student_lines(of: Of) -> tuple[dict[uuid.UUID, _Line], dict[uuid.UUID, str]]:
    marks = await _student_marks(of)
    period_marks = await _period_marks_of_student(of)
    names = await _names(of.session, of.tenant_id)
    by_subject: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for _, subject, _, value, weight in marks:
        by_subject[subject].append((value, weight))
    lines = {}
    for subject in set(by_subject) | set(period_marks):
        values = by_subject.get(subject, [])
        average = grading.weighted_average(values)
        lines[subject] = _Line(
            values, period_marks.get(subject) or grading.suggest(average), average
        )
    return lines, names


async def student_average(of: Of) -> list[Table]:
    lines, names = await _student_lines(of)
    rows: list[list[Value]] = []
    for i, s in enumerate(_sorted_subjects(set(lines), names), start=1):
        line = lines[s]
        rows.append(
            [i, names.get(s, "Предмет"), len(line.values), line.average, _title(line.result)]
        )
    averages = [x.average for x in lines.values() if x.average is not None]
    overall = round(sum(averages) / len(averages), 2) if averages else None
    return [
        Table(
            title="Средний балл обучающегося",
            subtitle=[_student_line(of), _period_line(of), of.made],
            columns=["№", "Предмет", "Отметок", "Средневзвешенный балл", "Итог"],
            rows=rows,
            footer=[
                ["", "По всем предметам", sum(len(x.values) for x in lines.values()), overall, ""]
            ],
            notes=[
                "Средневзвешенный балл — сумма отметок, умноженных на вес вида работы, "
                "делённая на сумму весов; по всем предметам — среднее баллов предметов.",
                DEFINITIONS[1],
            ],
            widths=[0.6, 4.0, 1.2, 1.8, 1.2],
            sheet="Средний балл",
        )
    ]


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


async def student_dynamics(of: Of) -> list[Table]:
    """The weighted average per subject month by month, and to date (cumulative)."""
    marks = await _student_marks(of)
    names = await _names(of.session, of.tenant_id)
    months = _months(of.r.start, of.r.end)
    by: dict[uuid.UUID, dict[tuple[int, int], list[tuple[str, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for _, subject, day, value, weight in marks:
        by[subject][(day.year, day.month)].append((value, weight))
    rows: list[list[Value]] = []
    per_month: dict[tuple[int, int], list[float]] = defaultdict(list)
    for i, s in enumerate(_sorted_subjects(set(by), names), start=1):
        cells: list[Value] = [i, names.get(s, "Предмет")]
        so_far: list[tuple[str, int]] = []
        for month in months:
            got = by[s].get(month, [])
            so_far += got
            average = grading.weighted_average(got)
            cells.append(average)
            if average is not None:
                per_month[month].append(average)
        cells.append(grading.weighted_average(so_far))
        rows.append(cells)
    footer_cells: list[Value] = ["", "Среднее по предметам"]
    for month in months:
        month_averages = per_month.get(month, [])
        footer_cells.append(
            round(sum(month_averages) / len(month_averages), 2) if month_averages else None
        )
    footer_cells.append(None)
    return [
        Table(
            title="Динамика среднего балла обучающегося",
            subtitle=[_student_line(of), _period_line(of), of.made],
            columns=["№", "Предмет", *(f"{MONTHS[m - 1]} {y}" for y, m in months), "За период"],
            rows=rows,
            footer=[footer_cells],
            notes=[
                "В ячейке — средневзвешенный балл отметок этого месяца; «—» — отметок не было. "
                "«За период» — по всем отметкам периода."
            ],
            widths=[0.6, 4.0, *([1.1] * len(months)), 1.2],
            sheet="Динамика",
        )
    ]


async def student_progress(of: Of) -> list[Table]:
    lines, names = await _student_lines(of)
    attendance = await _attendance_of_student(of)
    subjects = _sorted_subjects(set(lines) | set(attendance), names)
    rows: list[list[Value]] = []
    for i, s in enumerate(subjects, start=1):
        line = lines.get(s)
        codes = attendance.get(s, Counter())
        rows.append(
            [
                i,
                names.get(s, "Предмет"),
                " ".join(_title(v) or v for v, _ in line.values) if line and line.values else None,
                line.average if line else None,
                _title(line.result) if line else None,
                sum(codes[c] for c in grading.MISSED),
                codes["ill"] + codes["excused"],
                codes["late"],
            ]
        )
    total = Counter[str]()
    for codes in attendance.values():
        total.update(codes)
    return [
        Table(
            title="Успеваемость и посещаемость обучающегося",
            subtitle=[_student_line(of), _period_line(of), of.made],
            columns=[
                "№",
                "Предмет",
                "Отметки",
                "Средний балл",
                "Итог",
                "Пропущено уроков",
                "из них по болезни и уважительной причине",
                "Опозданий",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    None,
                    None,
                    None,
                    sum(total[c] for c in grading.MISSED),
                    total["ill"] + total["excused"],
                    total["late"],
                ]
            ],
            notes=[DEFINITIONS[1]],
            widths=[0.6, 3.5, 5.0, 1.2, 1.0, 1.3, 2.0, 1.1],
            sheet="Успеваемость и посещаемость",
        )
    ]


async def student_quality(of: Of) -> list[Table]:
    lines, names = await _student_lines(of)
    rows: list[list[Value]] = []
    all_values: Counter[str] = Counter()
    for i, s in enumerate(_sorted_subjects(set(lines), names), start=1):
        line = lines[s]
        got = Counter(v for v, _ in line.values)
        all_values.update(got)
        five_point = sum(got[v] for v in grading.FIVE_POINT)
        good = got["5"] + got["4"]
        rows.append(
            [
                i,
                names.get(s, "Предмет"),
                *(got.get(v, 0) for v in RESULT_COLUMNS),
                _rate(round(100 * good / five_point, 1) if five_point else None),
                line.average,
                _title(line.result),
            ]
        )
    results = [x.result for x in lines.values() if x.result is not None]
    kind = sheets.category(results)
    five_point = sum(all_values[v] for v in grading.FIVE_POINT)
    return [
        Table(
            title="Результаты и качество знаний обучающегося",
            subtitle=[_student_line(of), _period_line(of), of.made],
            columns=[
                "№",
                "Предмет",
                "«5»",
                "«4»",
                "«3»",
                "«2»",
                "Доля «4» и «5»",
                "Средний балл",
                "Итог",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    *(all_values.get(v, 0) for v in RESULT_COLUMNS),
                    _rate(
                        round(100 * (all_values["5"] + all_values["4"]) / five_point, 1)
                        if five_point
                        else None
                    ),
                    None,
                    sheets.CATEGORY_OF_ONE[kind],
                ]
            ],
            notes=[
                "Число отметок каждого достоинства за период; доля «4» и «5» — среди отметок "
                "пятибалльной шкалы. Итог по предметам: отличник — только «5», хорошист — "
                "«4» и «5», неуспевающий — есть «2».",
                DEFINITIONS[1],
            ],
            widths=[0.6, 4.0, 0.9, 0.9, 0.9, 0.9, 1.4, 1.2, 1.0],
            sheet="Качество знаний",
        )
    ]


# -- a teacher's -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Load:
    group_id: uuid.UUID
    subject_id: uuid.UUID
    period_id: uuid.UUID
    hours: int


async def _loads(of: Of) -> list[_Load]:
    assert of.teacher_id is not None
    rows = await of.session.execute(
        select(
            TeachingLoad.group_id,
            TeachingLoad.subject_id,
            TeachingLoad.period_id,
            TeachingLoad.hours,
        ).where(
            TeachingLoad.tenant_id == of.tenant_id,
            TeachingLoad.teacher_user_id == of.teacher_id,
            TeachingLoad.active.is_(True),
        )
    )
    return [_Load(*row) for row in rows.all()]


async def _teacher_pairs(of: Of) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The teacher's (group, subject) pairs, ordered by group and subject name."""
    loads = await _loads(of)
    groups = await _group_names(of.session, of.tenant_id)
    names = await _names(of.session, of.tenant_id)
    periods = {p.period_id: p for p in await reports.periods(of.session, of.tenant_id)}
    # The load of the chosen dates only (not last year's groups).
    pairs = {
        (x.group_id, x.subject_id)
        for x in loads
        if (p := periods.get(x.period_id)) is not None
        and p.starts_on <= of.r.end
        and p.ends_on >= of.r.start
    }
    return sorted(
        pairs,
        key=lambda p: (groups.get(p[0], "").casefold(), names.get(p[1], "").casefold()),
    )


async def _held(of: Of, group: uuid.UUID, subject: uuid.UUID) -> int:
    assert of.teacher_id is not None
    last = min(of.r.end, datetime.now(UTC).date())
    n = await of.session.scalar(
        select(func.count()).where(
            Lesson.tenant_id == of.tenant_id,
            Lesson.group_id == group,
            Lesson.subject_id == subject,
            any_(Lesson.teacher_ids) == of.teacher_id,
            Lesson.status == "scheduled",
            Lesson.day.between(of.r.start, last),
        )
    )
    return int(n or 0)


async def _teacher_rows(
    of: Of,
    line: Callable[
        [int, str, str, sheets.MarksSheet, uuid.UUID, uuid.UUID], Awaitable[list[Value]]
    ],
) -> list[list[Value]]:
    groups = await _group_names(of.session, of.tenant_id)
    names = await _names(of.session, of.tenant_id)
    cache: dict[uuid.UUID, sheets.MarksSheet] = {}
    rows = []
    for i, (group, subject) in enumerate(await _teacher_pairs(of), start=1):
        if group not in cache:
            cache[group] = await reports.marks_sheet(of.session, of.tenant_id, group, of.r)
        rows.append(
            await line(
                i,
                groups.get(group, "Группа"),
                names.get(subject, "Предмет"),
                cache[group],
                group,
                subject,
            )
        )
    return rows


async def teacher_subject(of: Of) -> list[Table]:
    async def line(
        i: int, group: str, name: str, sheet: sheets.MarksSheet, g: uuid.UUID, s: uuid.UUID
    ) -> list[Value]:
        f = sheet.per_subject.get(s)
        marks = sum(c.marks for row in sheet.rows if (c := row.cells.get(s)) is not None)
        period_marks = sum(
            1 for row in sheet.rows if (c := row.cells.get(s)) is not None and c.period_mark
        )
        return [
            i,
            group,
            name,
            len(sheet.rows),
            await _held(of, g, s),
            marks,
            f.average if f else None,
            _rate(f.success_rate if f else None),
            _rate(f.quality_rate if f else None),
            period_marks if of.r.period is not None else None,
        ]

    return [
        Table(
            title="Отчёт учителя по предмету за период",
            subtitle=[of.teacher_label, _period_line(of), of.made],
            columns=[
                "№",
                "Группа",
                "Предмет",
                "Обучающихся",
                "Проведено уроков",
                "Выставлено отметок",
                "Средний балл",
                "Успеваемость",
                "Качество знаний",
                "Отметок за период",
            ],
            rows=await _teacher_rows(of, line),
            notes=[
                "По группам и предметам нагрузки учителя. «Отметок за период» — сколько "
                "отметок за учебный период выставлено (итоговый отчёт — этот же отчёт за "
                "последний период или за год).",
                *DEFINITIONS,
            ],
            widths=[0.6, 1.5, 3.0, 1.2, 1.2, 1.2, 1.1, 1.2, 1.2, 1.2],
            sheet="Отчёт по предмету",
        )
    ]


async def teacher_results(of: Of) -> list[Table]:
    async def line(
        i: int, group: str, name: str, sheet: sheets.MarksSheet, g: uuid.UUID, s: uuid.UUID
    ) -> list[Value]:
        f = sheet.per_subject.get(s)
        got = _results(sheet, s)
        return [
            i,
            group,
            name,
            f.counted if f else 0,
            *(got.get(v, 0) for v in RESULT_COLUMNS),
            _rate(f.success_rate if f else None),
            _rate(f.quality_rate if f else None),
        ]

    return [
        Table(
            title="Результаты по предмету",
            subtitle=[of.teacher_label, _period_line(of), of.made],
            columns=[
                "№",
                "Группа",
                "Предмет",
                "Аттестовано",
                "«5»",
                "«4»",
                "«3»",
                "«2»",
                "Успеваемость",
                "Качество знаний",
            ],
            rows=await _teacher_rows(of, line),
            notes=[
                "Сколько обучающихся получили каждую отметку за период (отметку за период "
                "или по средневзвешенному баллу).",
                *DEFINITIONS,
            ],
            widths=[0.6, 1.5, 3.0, 1.2, 0.9, 0.9, 0.9, 0.9, 1.2, 1.2],
            sheet="Результаты",
        )
    ]


async def teacher_hours(of: Of) -> list[Table]:
    """Hours of the load (planned for its period) against the lessons given."""
    assert of.teacher_id is not None
    loads = await _loads(of)
    groups = await _group_names(of.session, of.tenant_id)
    names = await _names(of.session, of.tenant_id)
    today = datetime.now(UTC).date()
    periods = {p.period_id: p for p in await reports.periods(of.session, of.tenant_id)}
    # A load per subgroup of one group, subject and period is one line: its hours add up
    # and its lessons (of every subgroup) are counted once.
    merged: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for x in loads:
        merged[(x.group_id, x.subject_id, x.period_id)] += x.hours
    lines = []
    for x in (_Load(g, s, p, h) for (g, s, p), h in merged.items()):
        p = periods.get(x.period_id)
        if p is None or p.ends_on < of.r.start or p.starts_on > of.r.end:
            continue
        counted = (
            await of.session.execute(
                select(Lesson.status, Lesson.day, func.sum(Lesson.hours))
                .where(
                    Lesson.tenant_id == of.tenant_id,
                    Lesson.group_id == x.group_id,
                    Lesson.subject_id == x.subject_id,
                    any_(Lesson.teacher_ids) == of.teacher_id,
                    Lesson.day.between(p.starts_on, p.ends_on),
                )
                .group_by(Lesson.status, Lesson.day)
            )
        ).all()
        held = [(status == "scheduled", day <= today, n) for status, day, n in counted]
        given = sum(n for on, past, n in held if on and past)
        ahead = sum(n for on, past, n in held if on and not past)
        cancelled = sum(n for on, _, n in held if not on)
        lines.append(
            (
                groups.get(x.group_id, "Группа"),
                names.get(x.subject_id, "Предмет"),
                f"{p.number} {p.kind}",
                p,
                x.hours,
                given,
                ahead,
                cancelled,
            )
        )
    lines.sort(key=lambda t: (t[0].casefold(), t[1].casefold(), t[3].starts_on))
    rows: list[list[Value]] = []
    for i, (group, name, _, p, hours, given, ahead, cancelled) in enumerate(lines, start=1):
        rows.append(
            [
                i,
                group,
                name,
                f"{_day(p.starts_on)}–{_day(p.ends_on)}",
                hours,
                given,
                ahead,
                cancelled,
                hours - given,
                _rate(round(100 * given / hours, 1) if hours else None),
            ]
        )
    planned = sum(t[4] for t in lines)
    given_all = sum(t[5] for t in lines)
    return [
        Table(
            title="Выполнение учебной нагрузки: часы по плану и проведённые",
            subtitle=[of.teacher_label, _period_line(of), of.made],
            columns=[
                "№",
                "Группа",
                "Предмет",
                "Период нагрузки",
                "По плану, ч",
                "Проведено, ч",
                "Запланировано в расписании, ч",
                "Отменено",
                "Осталось дать, ч",
                "Выполнено",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    "",
                    "",
                    planned,
                    given_all,
                    sum(t[6] for t in lines),
                    sum(t[7] for t in lines),
                    planned - given_all,
                    _rate(round(100 * given_all / planned, 1) if planned else None),
                ]
            ],
            notes=[
                "Нагрузка — строки нагрузки учителя, период которых пересекает выбранные "
                "даты; часы считаются за весь период нагрузки. Один урок расписания — один "
                "академический час; проведён — урок не отменён и его день наступил.",
            ],
            widths=[0.6, 1.5, 3.0, 2.4, 1.1, 1.1, 1.5, 1.0, 1.2, 1.1],
            sheet="Часы",
        )
    ]


# -- the organisation's ------------------------------------------------------------------------


async def _all_groups(of: Of) -> list[GroupOccupancy]:
    rows = await of.session.scalars(
        select(GroupOccupancy)
        .where(GroupOccupancy.tenant_id == of.tenant_id, GroupOccupancy.name.is_not(None))
        .order_by(GroupOccupancy.academic_year.desc(), GroupOccupancy.grade, GroupOccupancy.name)
    )
    return list(rows.all())


async def curator_summary(of: Of) -> list[Table]:
    rows: list[list[Value]] = []
    totals = Counter[str]()
    for i, g in enumerate(await _all_groups(of), start=1):
        m = await reports.marks_sheet(of.session, of.tenant_id, g.group_id, of.r)
        a = await reports.attendance_sheet(of.session, of.tenant_id, g.group_id, of.r)
        totals.update(
            {
                "students": len(m.rows),
                "failing": m.categories.get("failing", 0),
                "missed": a.totals["missed"],
                "absent": a.totals["absent"],
            }
        )
        rows.append(
            [
                i,
                g.name,
                "назначен" if g.curator_user_id else "не назначен",
                len(m.rows),
                m.overall.average,
                _rate(m.overall.success_rate),
                _rate(m.overall.quality_rate),
                m.categories.get("excellent", 0),
                m.categories.get("failing", 0),
                a.totals["missed"],
                a.totals["absent"],
            ]
        )
    return [
        Table(
            title="Сводный отчёт кураторов",
            subtitle=[_period_line(of), of.made],
            columns=[
                "№",
                "Группа",
                "Куратор",
                "Обучающихся",
                "Средний балл",
                "Успеваемость",
                "Качество знаний",
                "Отличников",
                "Неуспевающих",
                "Пропущено уроков",
                "из них без причины",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    "",
                    totals["students"],
                    "",
                    "",
                    "",
                    "",
                    totals["failing"],
                    totals["missed"],
                    totals["absent"],
                ]
            ],
            notes=[
                "По каждой группе — то, что её куратор сдаёт в своём отчёте за период.",
                *DEFINITIONS,
            ],
            widths=[0.6, 1.5, 1.5, 1.2, 1.1, 1.2, 1.2, 1.1, 1.2, 1.2, 1.2],
            sheet="Сводный отчёт кураторов",
        )
    ]


async def subject_results(of: Of) -> list[Table]:
    """Results by subject across the organisation's groups."""
    counted: Counter[uuid.UUID] = Counter()
    success: Counter[uuid.UUID] = Counter()
    quality: Counter[uuid.UUID] = Counter()
    results: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    averages: dict[uuid.UUID, list[float]] = defaultdict(list)
    names: dict[uuid.UUID, str] = {}
    for g in await _all_groups(of):
        m = await reports.marks_sheet(of.session, of.tenant_id, g.group_id, of.r)
        names |= dict(m.subjects)
        for s, _ in m.subjects:
            got = _results(m, s)
            results[s].update(got)
            n = sum(got.values())
            counted[s] += n
            success[s] += sum(k for v, k in got.items() if grading.passed(v))
            quality[s] += sum(k for v, k in got.items() if v in ("5", "4", "pass"))
            averages[s].extend(
                c.average
                for row in m.rows
                if (c := row.cells.get(s)) is not None and c.average is not None
            )
    rows: list[list[Value]] = []
    for i, s in enumerate(_sorted_subjects(set(counted), names), start=1):
        n = counted[s]
        rows.append(
            [
                i,
                names.get(s, "Предмет"),
                n,
                *(results[s].get(v, 0) for v in RESULT_COLUMNS),
                _rate(round(100 * success[s] / n, 1) if n else None),
                _rate(round(100 * quality[s] / n, 1) if n else None),
                round(sum(averages[s]) / len(averages[s]), 2) if averages[s] else None,
            ]
        )
    return [
        Table(
            title="Результаты по предметам (организация)",
            subtitle=[_period_line(of), of.made],
            columns=[
                "№",
                "Предмет",
                "Аттестовано",
                "«5»",
                "«4»",
                "«3»",
                "«2»",
                "Успеваемость",
                "Качество знаний",
                "Средний балл",
            ],
            rows=rows,
            notes=[
                "Итоги всех групп по предмету: итог обучающегося — отметка за период или "
                "отметка по средневзвешенному баллу.",
                *DEFINITIONS,
            ],
            widths=[0.6, 4.0, *([1.1] * 8)],
            sheet="Результаты по предметам",
        )
    ]


async def occupancy(of: Of) -> list[Table]:
    groups = await _all_groups(of)
    rows: list[list[Value]] = [
        [i, g.name, g.grade, g.academic_year, g.active_students, g.enrolled_total, g.expelled_total]
        for i, g in enumerate(groups, start=1)
    ]
    return [
        Table(
            title="Наполняемость групп (классов)",
            subtitle=[f"На {_day(datetime.now(UTC).date())}", of.made],
            columns=[
                "№",
                "Группа",
                "Класс / курс",
                "Учебный год",
                "Обучается сейчас",
                "Зачислено всего",
                "Отчислено всего",
            ],
            rows=rows,
            footer=[
                [
                    "",
                    "Всего",
                    "",
                    "",
                    sum(g.active_students for g in groups),
                    sum(g.enrolled_total for g in groups),
                    sum(g.expelled_total for g in groups),
                ]
            ],
            notes=["По приказам о зачислении и отчислении (книга движения)."],
            widths=[0.6, 2.0, 1.2, 1.5, 1.4, 1.4, 1.4],
            sheet="Наполняемость",
        )
    ]


MOVEMENT_TITLES = {"enrolled": "зачислен(а)", "expelled": "отчислен(а)"}


async def movement(of: Of) -> list[Table]:
    entries = list(
        (
            await of.session.scalars(
                select(MovementEntry)
                .where(
                    MovementEntry.tenant_id == of.tenant_id,
                    MovementEntry.effective_date.between(of.r.start, of.r.end),
                )
                .order_by(MovementEntry.effective_date, MovementEntry.order_number)
                .limit(MAX_ROWS + 1)
            )
        ).all()
    )
    cut = len(entries) > MAX_ROWS
    entries = entries[:MAX_ROWS]
    groups = await _group_names(of.session, of.tenant_id)
    students: dict[uuid.UUID, str] = dict(
        (
            await of.session.execute(
                select(Student.student_id, Student.display_name).where(
                    Student.tenant_id == of.tenant_id,
                    Student.student_id.in_({e.student_id for e in entries}),
                )
            )
        ).all()
    )
    kinds = Counter(e.kind for e in entries)
    rows: list[list[Value]] = [
        [
            i,
            students.get(e.student_id, "Обучающийся (имя ещё не получено)"),
            MOVEMENT_TITLES.get(e.kind, e.kind),
            groups.get(e.group_id, "Группа"),
            _day(e.effective_date),
            f"№ {e.order_number} от {_day(e.order_date)}",
        ]
        for i, e in enumerate(entries, start=1)
    ]
    notes = [
        "Зачислено: "
        + str(kinds.get("enrolled", 0))
        + "; отчислено: "
        + str(kinds.get("expelled", 0))
        + ". Перевод между группами — отчисление из одной и зачисление в другую."
    ]
    if cut:
        notes.append(f"Показаны первые {MAX_ROWS} записей: выберите даты короче.")
    return [
        Table(
            title="Движение обучающихся",
            subtitle=[_period_line(of), of.made],
            columns=["№", "Обучающийся", "Движение", "Группа", "С даты", "Приказ"],
            rows=rows,
            notes=notes,
            widths=[0.6, 4.0, 1.5, 1.5, 1.3, 2.5],
            sheet="Движение",
        )
    ]


async def state_form(of: Of) -> list[Table]:
    """What the state statistical form (ОШ-1 for schools, СПО-1 for colleges) can take
    from the system, and what must be typed in."""
    org = await of.session.get(Organisation, of.tenant_id)
    college = org is not None and org.kind == "college"
    form = "СПО-1" if college else "ОШ-1"
    unit = "Курс" if college else "Класс"
    groups = await _all_groups(of)
    year = max((g.academic_year or "" for g in groups), default="")
    by_grade: dict[int | None, list[GroupOccupancy]] = defaultdict(list)
    for g in groups:
        if g.academic_year == year:
            by_grade[g.grade].append(g)
    moved = Counter(
        kind
        for (kind,) in (
            await of.session.execute(
                select(MovementEntry.kind).where(
                    MovementEntry.tenant_id == of.tenant_id,
                    MovementEntry.effective_date.between(of.r.start, of.r.end),
                )
            )
        ).all()
    )
    rows: list[list[Value]] = []
    students = 0
    for i, grade in enumerate(sorted(by_grade, key=lambda x: (x is None, x or 0)), start=1):
        gs = by_grade[grade]
        n = sum(g.active_students for g in gs)
        students += n
        rows.append([i, grade if grade is not None else "не указан", len(gs), n])
    typed_in = (
        [
            "численность по специальностям и профессиям, формам обучения и источникам "
            "финансирования",
            "приём и выпуск по специальностям",
            "распределение по полу и возрасту, обучающиеся с ОВЗ и инвалидностью, "
            "иностранные граждане",
            "сведения о педагогических работниках",
        ]
        if college
        else [
            "распределение обучающихся по полу и году рождения",
            "обучающиеся с ОВЗ и инвалидностью, иностранные граждане",
            "язык обучения, сменность, группы продлённого дня",
            "сведения о педагогических работниках",
        ]
    )
    return [
        Table(
            title=f"Сведения для формы {form}: что выводится из системы",
            subtitle=[
                f"{org.name if org else 'Организация'}",
                f"Учебный год групп: {year or '—'}",
                f"Движение: {range_title(of.r)}",
                of.made,
            ],
            columns=["№", unit, "Групп (классов)", "Обучающихся"],
            rows=rows,
            footer=[
                ["", "Всего", sum(len(v) for v in by_grade.values()), students],
                ["", "Зачислено за период", "", moved.get("enrolled", 0)],
                ["", "Отчислено за период", "", moved.get("expelled", 0)],
            ],
            notes=[
                "Выводится из системы: число групп (классов) и обучающихся по "
                f"{'курсам' if college else 'классам'} на сегодня и движение по приказам за "
                "выбранные даты.",
                "Вносится в форму вручную (этих сведений в системе отчётов нет — персональные "
                "данные сюда не передаются): " + "; ".join(typed_in) + ".",
            ],
            widths=[0.6, 2.0, 1.6, 1.6],
            sheet=form,
        )
    ]


def catalogue() -> dict[str, Kind]:
    kinds = [
        Kind("attendance", "group", "Отчёт о посещаемости группы", group_attendance),
        Kind("curator", "group", "Отчёт куратора за период", curator),
        Kind(
            "curator_preliminary",
            "group",
            "Предварительный отчёт куратора (раз в две недели)",
            curator_preliminary,
            default_days=14,
        ),
        Kind("group_results", "group", "Результаты группы за период", group_results),
        Kind("parent_letter", "group", "Информационное письмо родителям", parent_letter),
        Kind("average", "student", "Средний балл", student_average),
        Kind("dynamics", "student", "Динамика среднего балла", student_dynamics),
        Kind("progress", "student", "Успеваемость и посещаемость", student_progress),
        Kind("quality", "student", "Результаты и качество знаний", student_quality),
        Kind("subject", "teacher", "Отчёт по предмету за период", teacher_subject),
        Kind("results", "teacher", "Результаты по предмету", teacher_results),
        Kind("hours", "teacher", "Часы: по плану и проведённые", teacher_hours),
        Kind("curator_summary", "organisation", "Сводный отчёт кураторов", curator_summary),
        Kind("subject_results", "organisation", "Результаты по предметам", subject_results),
        Kind("occupancy", "organisation", "Наполняемость групп", occupancy, dated=False),
        Kind("movement", "organisation", "Движение обучающихся", movement),
        Kind("state_form", "organisation", "Сведения для ОШ-1 / СПО-1", state_form),
    ]
    return {k.key: k for k in kinds}


KINDS = catalogue()
