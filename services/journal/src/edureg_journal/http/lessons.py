"""The lesson grid: marks and attendance of one lesson."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from edureg_journal.domain.marks import PERIOD_KINDS
from edureg_journal.http.schemas import (
    GridAttendance,
    GridMark,
    GridRead,
    GridStudent,
    HomeworkFileRead,
    JournalChangeRead,
)
from edureg_journal.services import (
    diary,
    group_journal,
    lessons,
    org_settings,
    period_marks,
    periods,
)
from edureg_journal.services.lessons import SaveGrid
from edureg_journal.services.period_marks import SetPeriodMarks
from edureg_shared import audit
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import check_range

router = APIRouter(prefix="/api/v1", tags=["lessons, marks, attendance"])
# A teacher or curator reads the lessons they relate to; the management every lesson.
Read = Annotated[Context, unit_of_work(None, any_of=("journal.rosters.read", "journal.read.all"))]
Write = Annotated[Context, unit_of_work("journal.marks.write")]
# A lesson's grid: its teachers, or the management where the organisation allows it.
GridWrite = Annotated[
    Context, unit_of_work(None, any_of=("journal.marks.write", "journal.marks.write.any"))
]
Anyone = Annotated[Context, unit_of_work(None)]


def _read(g: lessons.Grid) -> GridRead:
    x = g.lesson
    return GridRead(
        lesson_id=x.id,
        group_id=x.group_id,
        subgroup_id=x.subgroup_id,
        subject=x.subject,
        day=x.day,
        lesson_number=x.lesson_number,
        hours=x.hours,
        status=x.status,
        flagged=x.flagged,
        topic=x.topic,
        homework=x.homework,
        delivery=x.delivery,
        platform=x.platform,
        online_starts_at=x.online_starts_at,
        version=x.version,
        students=[
            GridStudent(student_id=m.student_id, display_name=m.display_name) for m in g.roster
        ],
        marks=[GridMark.model_validate(m) for m in g.marks],
        attendance=[GridAttendance.model_validate(a) for a in g.attendance],
        # The organisation's work types in use, and any this lesson's marks still have.
        work_types={
            w.code: w.title
            for w in g.settings.work_types
            if w.active or any(m.work_type == w.code for m in g.marks)
        },
        locked=g.locked,
        planned_topic=g.planned_topic,
        homework_files=[HomeworkFileRead.model_validate(f) for f in g.files],
    )


@router.get(
    "/lessons/{lesson_id}/grid",
    response_model=GridRead,
    summary="Журнал урока: список, оценки, посещаемость",
)
async def get_grid(lesson_id: uuid.UUID, ctx: Read) -> GridRead:
    found = await lessons.grid(
        session=ctx.session, tenant_id=ctx.tenant_id, lesson_id=lesson_id, principal=ctx.principal
    )
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="read",
        entity="lesson_grid",
        entity_id=lesson_id,
    )
    return _read(found)


@router.put(
    "/lessons/{lesson_id}/grid",
    response_model=GridRead,
    summary="Сохранить журнал урока целиком (тема, задание, оценки, посещаемость)",
    description="Всё или ничего; `version` — прочитанная версия (409, если журнал урока уже сохранили).",
)
async def save_grid(lesson_id: uuid.UUID, cmd: SaveGrid, ctx: GridWrite) -> GridRead:
    return _read(
        await lessons.save_grid(
            session=ctx.session, principal=ctx.principal, lesson_id=lesson_id, cmd=cmd
        )
    )


@router.get(
    "/lessons/{lesson_id}/changes",
    response_model=list[JournalChangeRead],
    summary="История изменений оценок и посещаемости урока",
)
async def changes(lesson_id: uuid.UUID, ctx: Read) -> list[JournalChangeRead]:
    rows = await lessons.changes(session=ctx.session, principal=ctx.principal, lesson_id=lesson_id)
    return [JournalChangeRead.model_validate(r) for r in rows]


class DiaryMark(BaseModel):
    work_type: str
    title: str
    weight: int
    value: str
    # Given or changed since this user last opened the diary.
    new: bool


class DiaryLesson(BaseModel):
    lesson_id: uuid.UUID
    day: date
    lesson_number: int
    starts_at: time
    ends_at: time
    subject: str
    status: str
    topic: str | None
    homework: str | None
    # Distance learning: "online", where, from what time.
    delivery: str | None
    platform: str | None
    online_starts_at: time | None
    marks: list[DiaryMark]
    attendance: str | None
    attendance_reason: str | None
    homework_files: list[HomeworkFileRead] = []


class DiaryPeriodMark(BaseModel):
    subject: str
    kind: str
    title: str
    value: str


class DiaryNewMark(BaseModel):
    lesson_id: uuid.UUID
    day: date
    subject: str
    title: str
    value: str


class DiaryRead(BaseModel):
    student_id: uuid.UUID
    display_name: str
    lessons: list[DiaryLesson]
    averages: dict[str, float]
    period_marks: list[DiaryPeriodMark]
    last_visit: datetime | None
    # Given or changed since the last visit, in any week (the newest 50).
    new_marks: list[DiaryNewMark]


@router.get(
    "/my/diary",
    response_model=list[DiaryRead],
    summary="Дневник: свой (обучающегося) или детей (родителя)",
    description="Не больше 62 дней за запрос.",
)
async def my_diary(
    ctx: Anyone,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
    student_id: uuid.UUID | None = None,
) -> list[DiaryRead]:
    check_range(first, last, max_days=62, start_field="from", end_field="to")
    found = await diary.diaries(
        session=ctx.session, principal=ctx.principal, first=first, last=last, student_id=student_id
    )
    settings = await org_settings.current(ctx.session, ctx.tenant_id)
    return [
        DiaryRead(
            student_id=d.student_id,
            display_name=d.display_name,
            averages=d.averages,
            last_visit=d.last_visit,
            new_marks=[
                DiaryNewMark(
                    lesson_id=x.id,
                    day=x.day,
                    subject=x.subject,
                    title=settings.title(m.work_type),
                    value=m.value,
                )
                for m, x in d.new_marks
            ],
            period_marks=[
                DiaryPeriodMark(
                    subject=subject, kind=kind, title=PERIOD_KINDS.get(kind, kind), value=value
                )
                for subject, kind, value in d.period_marks
            ],
            lessons=[
                DiaryLesson(
                    lesson_id=x.lesson.id,
                    day=x.lesson.day,
                    lesson_number=x.lesson.lesson_number,
                    starts_at=x.lesson.starts_at,
                    ends_at=x.lesson.ends_at,
                    subject=x.lesson.subject,
                    status=x.lesson.status,
                    topic=x.lesson.topic,
                    homework=x.lesson.homework,
                    delivery=x.lesson.delivery,
                    platform=x.lesson.platform,
                    online_starts_at=x.lesson.online_starts_at,
                    marks=[
                        DiaryMark(
                            work_type=m.work_type,
                            title=settings.title(m.work_type),
                            weight=m.weight,
                            value=m.value,
                            new=d.last_visit is not None and m.updated_at > d.last_visit,
                        )
                        for m in x.marks
                    ],
                    attendance=x.attendance.code if x.attendance else None,
                    attendance_reason=x.attendance.reason if x.attendance else None,
                    homework_files=[HomeworkFileRead.model_validate(f) for f in x.files],
                )
                for x in d.lessons
            ],
        )
        for d in found
    ]


class PeriodRowRead(BaseModel):
    student_id: uuid.UUID
    display_name: str
    average: float | None
    suggested: str | None
    marks: dict[str, str]


def _rows(rows: list[period_marks.Row]) -> list[PeriodRowRead]:
    return [
        PeriodRowRead(
            student_id=r.student_id,
            display_name=r.display_name,
            average=r.average,
            suggested=r.suggested,
            marks=r.marks,
        )
        for r in rows
    ]


@router.get(
    "/period-marks",
    response_model=list[PeriodRowRead],
    summary="Ведомость за период: средний балл, предлагаемая и выставленная оценки",
)
async def period_sheet(
    ctx: Read, group_id: uuid.UUID, subject_id: uuid.UUID, period_id: uuid.UUID
) -> list[PeriodRowRead]:
    return _rows(
        await period_marks.sheet(
            session=ctx.session,
            principal=ctx.principal,
            group_id=group_id,
            subject_id=subject_id,
            period_id=period_id,
        )
    )


@router.put(
    "/period-marks",
    response_model=list[PeriodRowRead],
    summary="Выставить оценки за период (после этого текущие оценки периода не меняются)",
)
async def set_period_marks(cmd: SetPeriodMarks, ctx: Write) -> list[PeriodRowRead]:
    return _rows(
        await period_marks.set_marks(session=ctx.session, principal=ctx.principal, cmd=cmd)
    )


class GroupJournalLesson(BaseModel):
    lesson_id: uuid.UUID
    day: date
    lesson_number: int
    subject: str
    status: str
    topic: str | None
    locked: bool


class GroupJournalAttendance(GridAttendance):
    lesson_id: uuid.UUID


class GroupJournalMark(GridMark):
    lesson_id: uuid.UUID


class GroupJournalRead(BaseModel):
    group_id: uuid.UUID
    students: list[GridStudent]
    lessons: list[GroupJournalLesson]
    marks: list[GroupJournalMark]
    attendance: list[GroupJournalAttendance]
    work_types: dict[str, str]


@router.get(
    "/my/curated-groups",
    response_model=list[uuid.UUID],
    summary="Группы, где я классный руководитель (куратор)",
)
async def my_groups(ctx: Anyone) -> list[uuid.UUID]:
    return await group_journal.curated_groups(session=ctx.session, principal=ctx.principal)


@router.get(
    "/groups/{group_id}/journal",
    response_model=GroupJournalRead,
    summary="Журнал класса по всем предметам за дни (классный руководитель, администрация)",
    description="Не больше 31 дня за запрос.",
)
async def get_group_journal(
    group_id: uuid.UUID,
    ctx: Read,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
) -> GroupJournalRead:
    check_range(first, last, max_days=31, start_field="from", end_field="to")
    found = await group_journal.group_journal(
        session=ctx.session, principal=ctx.principal, group_id=group_id, first=first, last=last
    )
    settings = await org_settings.current(ctx.session, ctx.tenant_id)
    closed = {
        x.lock.period_id
        for x in await periods.list_locks(session=ctx.session, tenant_id=ctx.tenant_id)
        if x.lock.locked
    }
    return GroupJournalRead(
        group_id=group_id,
        students=[
            GridStudent(student_id=m.student_id, display_name=m.display_name)
            for m in found.students
        ],
        lessons=[
            GroupJournalLesson(
                lesson_id=x.id,
                day=x.day,
                lesson_number=x.lesson_number,
                subject=x.subject,
                status=x.status,
                topic=x.topic,
                locked=x.period_id in closed,
            )
            for x in found.lessons
        ],
        marks=[GroupJournalMark.model_validate(m) for m in found.marks],
        attendance=[GroupJournalAttendance.model_validate(a) for a in found.attendance],
        work_types={w.code: w.title for w in settings.work_types},
    )


@router.put(
    "/lessons/{lesson_id}/attendance/{student_id}",
    response_model=GridAttendance,
    summary="Классный руководитель: вид и причина пропуска (001 8.3)",
)
async def correct_reason(
    lesson_id: uuid.UUID, student_id: uuid.UUID, cmd: group_journal.ReasonIn, ctx: Read
) -> GridAttendance:
    row = await group_journal.correct_reason(
        session=ctx.session,
        principal=ctx.principal,
        lesson_id=lesson_id,
        student_id=student_id,
        cmd=cmd,
    )
    return GridAttendance.model_validate(row)


class StudentChangeRead(JournalChangeRead):
    lesson_id: uuid.UUID
    day: date | None
    subject: str | None


@router.get(
    "/students/{student_id}/changes",
    response_model=list[StudentChangeRead],
    summary="История изменений оценок и посещаемости обучающегося (последние 500)",
)
async def student_changes(student_id: uuid.UUID, ctx: Read) -> list[StudentChangeRead]:
    found = await group_journal.student_history(
        session=ctx.session, principal=ctx.principal, student_id=student_id
    )
    return [
        StudentChangeRead(
            **JournalChangeRead.model_validate(ch).model_dump(),
            lesson_id=ch.lesson_id,
            day=lesson.day if lesson else None,
            subject=lesson.subject if lesson else None,
        )
        for ch, lesson in found
    ]
