"""The group sheets as tables for the files (render.py): headings, rows, the figures
under them and what the figures mean."""

from __future__ import annotations

from datetime import date

from edureg_reporting.domain import sheets
from edureg_reporting.persistence.tables import GroupOccupancy, Period
from edureg_reporting.render import Table, number
from edureg_reporting.services.reports import Range
from edureg_reporting.services.student_reports import FINAL_KINDS, ReportCard

PERIOD_TITLES = {
    "quarter": "четверть",
    "half": "полугодие",
    "semester": "семестр",
    "trimester": "триместр",
}

DEFINITIONS = [
    "Успеваемость — доля обучающихся без «2» (и «незачёта»); качество знаний — доля "
    "обучающихся только с «4» и «5»; считаются обучающиеся, у которых есть итог.",
    "Итог по предмету — отметка за период, если она выставлена, иначе отметка, которую "
    "даёт средневзвешенный балл (4,75 → 5, 3,75 → 4, 2,75 → 3).",
]


def period_title(p: Period) -> str:
    return f"{p.number} {PERIOD_TITLES.get(p.kind, p.kind)}"


def _day(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def range_title(r: Range) -> str:
    dates = f"с {_day(r.start)} по {_day(r.end)}"
    return f"{period_title(r.period)} ({dates})" if r.period else dates


def _group(group: GroupOccupancy) -> str:
    return f"Группа (класс): {group.name}, {group.academic_year} учебный год"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{number(value, 1)} %"


def marks_table(group: GroupOccupancy, r: Range, sheet: sheets.MarksSheet, made: str) -> Table:
    subjects = sheet.subjects
    rows = []
    for i, row in enumerate(sheet.rows, start=1):
        cells: list[str | int | float | None] = [i, row.display_name]
        for subject, _ in subjects:
            cell = row.cells.get(subject)
            if cell is None:
                cells.append(None)
            elif cell.period_mark is not None:
                cells.append(_title(cell.period_mark))
            else:
                cells.append(cell.average if cell.average is not None else _title(cell.result))
        cells += [row.average, sheets.CATEGORY_OF_ONE[row.category]]
        rows.append(cells)
    figures = sheet.per_subject
    footer = [
        [
            "",
            "Успеваемость",
            *(_rate(figures[s].success_rate) for s, _ in subjects),
            _rate(sheet.overall.success_rate),
            "",
        ],
        [
            "",
            "Качество знаний",
            *(_rate(figures[s].quality_rate) for s, _ in subjects),
            _rate(sheet.overall.quality_rate),
            "",
        ],
        ["", "Средний балл", *(figures[s].average for s, _ in subjects), sheet.overall.average, ""],
    ]
    counts = ", ".join(
        f"{title} — {sheet.categories.get(k, 0)}" for k, title in sheets.CATEGORIES.items()
    )
    return Table(
        title="Сводная ведомость успеваемости",
        subtitle=[_group(group), f"Период: {range_title(r)}", made],
        columns=["№", "Обучающийся", *(name for _, name in subjects), "Средний балл", "Итог"],
        rows=rows,
        footer=footer,
        notes=[f"Обучающихся: {len(sheet.rows)}; {counts}.", *DEFINITIONS],
        widths=[0.6, 4.0, *([1.2] * len(subjects)), 1.2, 2.0],
        sheet="Успеваемость",
    )


def _title(value: str | None) -> str | None:
    return {"pass": "зач.", "fail": "незач."}.get(value or "", value)


def attendance_table(
    group: GroupOccupancy, r: Range, sheet: sheets.AttendanceSheet, made: str
) -> Table:
    subjects = sheet.subjects
    rows = []
    for i, row in enumerate(sheet.rows, start=1):
        rows.append(
            [
                i,
                row.display_name,
                *(row.missed.get(s, 0) for s, _ in subjects),
                row.total_missed,
                row.by_code.get("ill", 0),
                row.by_code.get("excused", 0),
                row.by_code.get("absent", 0),
                row.by_code.get("late", 0),
            ]
        )
    t = sheet.totals
    footer = [
        [
            "",
            "Проведено уроков",
            *(sheet.lessons.get(s, 0) for s, _ in subjects),
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "Всего",
            *(sum(row.missed.get(s, 0) for row in sheet.rows) for s, _ in subjects),
            t["missed"],
            t["ill"],
            t["excused"],
            t["absent"],
            t["late"],
        ],
    ]
    return Table(
        title="Сводная ведомость посещаемости",
        subtitle=[_group(group), f"Период: {range_title(r)}", made],
        columns=[
            "№",
            "Обучающийся",
            *(name for _, name in subjects),
            "Пропущено уроков",
            "по болезни",
            "по уважит. причине",
            "без уважит. причины",
            "опозданий",
        ],
        rows=rows,
        footer=footer,
        notes=[
            "По предметам — пропущенные уроки (отсутствие по любой причине); опоздание "
            "пропуском не считается."
        ],
        widths=[0.6, 4.0, *([1.1] * len(subjects)), 1.3, 1.2, 1.2, 1.2, 1.2],
        sheet="Посещаемость",
    )


FINAL_TITLES = dict(zip(FINAL_KINDS, ("Годовая", "Экзамен", "Итоговая"), strict=True))


def report_card_table(card: ReportCard, made: str) -> Table:
    periods = card.periods
    rows: list[list[str | int | float | None]] = []
    for i, line in enumerate(card.subjects, start=1):
        rows.append(
            [
                i,
                line.name,
                *(_title(line.by_period.get(p.period_id)) for p in periods),
                *(_title(line.final.get(k)) for k in FINAL_TITLES),
                line.average,
            ]
        )
    a = card.attendance
    year = f"{card.year.title} учебный год" if card.year else "учебный год"
    return Table(
        title="Табель успеваемости",
        subtitle=[f"Обучающийся: {card.student.display_name}", year, made],
        columns=[
            "№",
            "Предмет",
            *(period_title(p) for p in periods),
            *FINAL_TITLES.values(),
            "Средний балл за год",
        ],
        rows=rows,
        notes=[
            f"Пропущено уроков: {a['absent'] + a['ill'] + a['excused']} (по болезни — "
            f"{a['ill']}, по уважительной причине — {a['excused']}, без уважительной "
            f"причины — {a['absent']}); опозданий — {a['late']}."
        ],
        widths=[0.6, 4.0, *([1.3] * (len(periods) + len(FINAL_TITLES))), 1.6],
        sheet="Табель",
    )


ACCOUNT_KINDS = {"staff": "Сотрудники", "student": "Обучающиеся", "guardian": "Родители"}


def activity_table(r: Range, days: dict[date, dict[str, int]], made: str) -> Table:
    """User activity (002 5.1, 004 6.1): sign-ins per day by staff, students, parents."""
    rows: list[list[str | int | float | None]] = []
    totals = dict.fromkeys(ACCOUNT_KINDS, 0)
    day = r.start
    while day <= r.end:
        counts = days.get(day, {})
        for k in ACCOUNT_KINDS:
            totals[k] += counts.get(k, 0)
        rows.append([_day(day), *(counts.get(k, 0) for k in ACCOUNT_KINDS), sum(counts.values())])
        day = date.fromordinal(day.toordinal() + 1)
    return Table(
        title="Активность пользователей",
        subtitle=[f"Период: {range_title(r)}", made],
        columns=["Дата", *ACCOUNT_KINDS.values(), "Всего входов"],
        rows=rows,
        footer=[["Итого", *totals.values(), sum(totals.values())]],
        notes=[
            "Входы в систему по паролю; без имён и логинов (они — в журнале входов организации)."
        ],
        widths=[1.5, 1.2, 1.2, 1.2, 1.2],
        sheet="Активность",
    )


def progress_summary_table(
    r: Range, lines: list[tuple[GroupOccupancy, sheets.MarksSheet]], made: str
) -> Table:
    """The organisation's summary progress report: one row per group, the region's
    standard figures, and the organisation's in the last row."""
    rows: list[list[str | int | float | None]] = []
    total_rated = total_success = total_quality = 0.0
    counts = dict.fromkeys(sheets.CATEGORIES, 0)
    for i, (group, sheet) in enumerate(lines, start=1):
        o = sheet.overall
        rows.append(
            [
                i,
                group.name,
                len(sheet.rows),
                o.counted,
                _rate(o.success_rate),
                _rate(o.quality_rate),
                o.average,
                *(
                    sheet.categories.get(k, 0)
                    for k in ("excellent", "good", "one_three", "failing")
                ),
            ]
        )
        total_rated += o.counted
        total_success += (o.success_rate or 0) * o.counted / 100
        total_quality += (o.quality_rate or 0) * o.counted / 100
        for k in counts:
            counts[k] += sheet.categories.get(k, 0)
    success = round(100 * total_success / total_rated, 1) if total_rated else None
    quality = round(100 * total_quality / total_rated, 1) if total_rated else None
    footer = [
        [
            "",
            "По организации",
            sum(len(s.rows) for _, s in lines),
            int(total_rated),
            _rate(success),
            _rate(quality),
            None,
            *(counts[k] for k in ("excellent", "good", "one_three", "failing")),
        ]
    ]
    return Table(
        title="Сводный отчёт об успеваемости",
        subtitle=[f"Период: {range_title(r)}", made],
        columns=[
            "№",
            "Группа",
            "Обучающихся",
            "С итогами",
            "Успеваемость",
            "Качество знаний",
            "Средний балл",
            "Отличники",
            "Хорошисты",
            "С одной «3»",
            "Неуспевающие",
        ],
        rows=rows,
        footer=footer,
        notes=DEFINITIONS,
        widths=[0.6, 2.0, 1.2, 1.2, 1.3, 1.3, 1.2, 1.2, 1.2, 1.2, 1.3],
        sheet="Успеваемость",
    )
