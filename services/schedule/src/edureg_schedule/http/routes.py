"""Schedule's HTTP API: thin routes over the use cases."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict

from edureg_schedule.domain.timetable import Clash
from edureg_schedule.services import calendar, catalogue, load, timetable
from edureg_schedule.services.calendar import (
    CalendarDayIn,
    CreateAcademicYear,
    CreateExamEvent,
    CreateExamSession,
    CreateHoliday,
    DefinePeriods,
    Publish,
)
from edureg_schedule.services.catalogue import (
    AssignCurriculum,
    CreateRoom,
    CreateSubject,
    SaveBells,
    SaveCurriculum,
    SaveSettings,
)
from edureg_schedule.services.load import AssignLoad, SaveSubgroup
from edureg_schedule.services.timetable import ChangeLesson, ExtraLesson, Generate, SaveWeek
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep, check_range, page_slice

Read = Annotated[Context, unit_of_work("schedule.read")]
Write = Annotated[Context, unit_of_work("schedule.write")]
Anyone = Annotated[Context, unit_of_work(None)]
Region = Annotated[Context, unit_of_work("region.calendar.write")]
MAX_DAYS = 62

years = APIRouter(prefix="/api/v1", tags=["academic years"])
plans = APIRouter(prefix="/api/v1", tags=["rooms, subjects, curricula, bells"])
loads = APIRouter(prefix="/api/v1", tags=["teaching load, subgroups"])
weeks = APIRouter(prefix="/api/v1", tags=["timetable"])
workdays = APIRouter(prefix="/api/v1", tags=["production calendar"])
feeds = APIRouter(tags=["calendar feeds"])


# -- schemas ---------------------------------------------------------------------------


class _Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PeriodRead(_Orm):
    id: uuid.UUID
    kind: str
    number: int
    starts_on: date
    ends_on: date
    scope: str


class HolidayRead(_Orm):
    id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    grades: list[int] | None


class AcademicYearRead(BaseModel):
    id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    periods: list[PeriodRead]
    holidays: list[HolidayRead]


class ExamEventRead(_Orm):
    id: uuid.UUID
    kind: str
    subject_id: uuid.UUID
    day: date
    starts_at: time
    ends_at: time
    room_id: uuid.UUID | None
    examiner_ids: list[uuid.UUID]


class ExamSessionRead(BaseModel):
    id: uuid.UUID
    academic_year_id: uuid.UUID
    group_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    events: list[ExamEventRead]


class PublicationRead(_Orm):
    id: uuid.UUID
    what: str
    published_at: datetime
    published_by: uuid.UUID


class RoomRead(_Orm):
    id: uuid.UUID
    number: str
    building: str
    capacity: int
    kind: str


class SubjectRead(_Orm):
    id: uuid.UUID
    name: str
    kind: str
    code: str | None
    cycle: str | None
    parent_id: uuid.UUID | None


class LineRead(_Orm):
    subject_id: uuid.UUID
    period_number: int
    lecture_hours: int
    practical_hours: int
    self_study_hours: int
    assessment: str


class CurriculumBrief(_Orm):
    id: uuid.UUID
    title: str
    academic_year_id: uuid.UUID
    grade: int | None
    profile: str | None
    specialty_code: str | None
    max_class_hours: int | None
    total_class_hours: int
    version: int


class CurriculumRead(CurriculumBrief):
    lines: list[LineRead]


class GroupRead(_Orm):
    id: uuid.UUID
    name: str
    grade: int
    academic_year: str
    curator_user_id: uuid.UUID | None
    shift: int
    curriculum_id: uuid.UUID | None


class BellRead(BaseModel):
    number: int
    starts_at: str
    ends_at: str


class BellScheduleRead(BaseModel):
    shift: int
    day_type: str
    bells: list[BellRead]
    default: bool


class SettingsRead(_Orm):
    soft_clashes: str
    hours_per_lesson: int


class LoadRead(_Orm):
    id: uuid.UUID
    teacher_user_id: uuid.UUID
    subject_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    period_id: uuid.UUID
    hours: int


class TeacherRead(BaseModel):
    user_id: uuid.UUID
    display_name: str


class DeviationRead(BaseModel):
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    subject_id: uuid.UUID
    period_number: int
    period_id: uuid.UUID | None
    planned: int
    assigned: int
    difference: int


class SubgroupRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    name: str
    student_ids: list[uuid.UUID]


class MemberRead(_Orm):
    student_id: uuid.UUID
    display_name: str


class EntryRead(_Orm):
    id: uuid.UUID
    weekday: int
    lesson_number: int
    parity: str
    subject_id: uuid.UUID
    teacher_ids: list[uuid.UUID]
    room_id: uuid.UUID | None
    subgroup_id: uuid.UUID | None


class ClashRead(BaseModel):
    code: str
    severity: str
    message: str
    index: int


class WeekRead(BaseModel):
    group_id: uuid.UUID
    period_id: uuid.UUID
    version: int | None
    generated_at: datetime | None
    lessons: list[EntryRead]
    warnings: list[ClashRead]


class GeneratedRead(BaseModel):
    created: int
    updated: int
    cancelled: int


class TeacherRef(BaseModel):
    id: uuid.UUID
    name: str


class LessonRead(BaseModel):
    id: uuid.UUID
    day: date
    lesson_number: int
    starts_at: time
    ends_at: time
    group_id: uuid.UUID
    group: str
    subgroup_id: uuid.UUID | None
    subgroup: str | None
    subject_id: uuid.UUID
    subject: str
    teachers: list[TeacherRef]
    room_id: uuid.UUID | None
    room: str | None
    status: str
    extra: bool
    changed: bool
    reason: str | None
    version: int
    child: str | None = None


class ChangeRead(BaseModel):
    id: uuid.UUID
    kind: str
    reason: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]
    lesson: LessonRead


class FeedRead(BaseModel):
    id: uuid.UUID
    # Shown once: the path of the secret link (the portal prefixes its own address).
    path: str


class WorkingDayRead(BaseModel):
    after: date
    n: int
    date: date


class CalendarDayRead(BaseModel):
    day: date
    working: bool
    holiday: bool
    corrected: bool
    note: str | None


class ProductionYearRead(BaseModel):
    year: int
    working_days: int
    days_off: list[CalendarDayRead]
    corrections: list[CalendarDayRead]


# -- academic years --------------------------------------------------------------------


def _year(view: calendar.YearView) -> AcademicYearRead:
    y = view.year
    return AcademicYearRead(
        id=y.id,
        title=y.title,
        starts_on=y.starts_on,
        ends_on=y.ends_on,
        periods=[PeriodRead.model_validate(p) for p in view.periods],
        holidays=[HolidayRead.model_validate(h) for h in view.holidays],
    )


@years.post(
    "/academic-years",
    status_code=status.HTTP_201_CREATED,
    response_model=AcademicYearRead,
    summary="Открыть учебный год (с периодами или из прошлого года)",
)
async def create_year(cmd: CreateAcademicYear, ctx: Write) -> AcademicYearRead:
    return _year(
        await calendar.create_year(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@years.get("/academic-years", response_model=Page[AcademicYearRead], summary="Учебные годы")
async def list_years(ctx: Read, page: PageDep) -> Page[AcademicYearRead]:
    views, total = await calendar.list_years(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([_year(v) for v in views], total, page)


@years.get("/academic-years/{year_id}", response_model=AcademicYearRead, summary="Учебный год")
async def get_year(year_id: uuid.UUID, ctx: Read) -> AcademicYearRead:
    return _year(
        await calendar.get_year(session=ctx.session, tenant_id=ctx.tenant_id, year_id=year_id)
    )


@years.put(
    "/academic-years/{year_id}/periods",
    response_model=AcademicYearRead,
    summary="Периоды одной схемы: для всех, параллели (grade:N) или группы (group:<id>)",
)
async def define_periods(year_id: uuid.UUID, cmd: DefinePeriods, ctx: Write) -> AcademicYearRead:
    return _year(
        await calendar.define_periods(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, year_id=year_id, cmd=cmd
        )
    )


@years.post(
    "/academic-years/{year_id}/holidays",
    status_code=status.HTTP_201_CREATED,
    response_model=AcademicYearRead,
    summary="Добавить каникулы",
)
async def add_holiday(year_id: uuid.UUID, cmd: CreateHoliday, ctx: Write) -> AcademicYearRead:
    return _year(
        await calendar.add_holiday(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, year_id=year_id, cmd=cmd
        )
    )


@years.delete(
    "/academic-years/{year_id}/holidays/{holiday_id}",
    response_model=AcademicYearRead,
    summary="Удалить каникулы",
)
async def remove_holiday(year_id: uuid.UUID, holiday_id: uuid.UUID, ctx: Write) -> AcademicYearRead:
    return _year(
        await calendar.remove_holiday(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            year_id=year_id,
            holiday_id=holiday_id,
        )
    )


@years.post(
    "/academic-years/{year_id}/publications",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicationRead,
    summary="Отметить публикацию расписания или каникул (для сроков)",
)
async def publish(year_id: uuid.UUID, cmd: Publish, ctx: Write) -> PublicationRead:
    return PublicationRead.model_validate(
        await calendar.publish(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, year_id=year_id, cmd=cmd
        )
    )


@years.get(
    "/academic-years/{year_id}/publications",
    response_model=list[PublicationRead],
    summary="Когда публиковалось",
)
async def publications(year_id: uuid.UUID, ctx: Read) -> list[PublicationRead]:
    rows = await calendar.publications(
        session=ctx.session, tenant_id=ctx.tenant_id, year_id=year_id
    )
    return [PublicationRead.model_validate(r) for r in rows]


def _session(view: calendar.SessionView) -> ExamSessionRead:
    s = view.session
    return ExamSessionRead(
        id=s.id,
        academic_year_id=s.academic_year_id,
        group_id=s.group_id,
        title=s.title,
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        events=[ExamEventRead.model_validate(e) for e in view.events],
    )


@years.post(
    "/exam-sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=ExamSessionRead,
    summary="Сессия группы",
)
async def create_exam_session(cmd: CreateExamSession, ctx: Write) -> ExamSessionRead:
    return _session(
        await calendar.create_exam_session(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@years.post(
    "/exam-sessions/{session_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=ExamSessionRead,
    summary="Консультация или экзамен сессии",
)
async def add_exam_event(
    session_id: uuid.UUID, cmd: CreateExamEvent, ctx: Write
) -> ExamSessionRead:
    return _session(
        await calendar.add_exam_event(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            session_id=session_id,
            cmd=cmd,
        )
    )


@years.get("/exam-sessions", response_model=Page[ExamSessionRead], summary="Сессии")
async def list_exam_sessions(
    ctx: Read, page: PageDep, group_id: uuid.UUID | None = None
) -> Page[ExamSessionRead]:
    views, total = await calendar.list_exam_sessions(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, page=page
    )
    return Page.of([_session(v) for v in views], total, page)


# -- the production calendar -----------------------------------------------------------


@workdays.get(
    "/working-days/nth",
    response_model=WorkingDayRead,
    summary="N-й рабочий день после даты (производственный календарь региона)",
)
async def nth_working_day(
    ctx: Anyone,
    after: date,
    n: Annotated[int, Query(ge=0, le=366)],
) -> WorkingDayRead:
    if not 2000 <= after.year <= 2100:
        raise InvalidState(
            "Календарь ведётся для 2000–2100 годов",
            errors=[{"field": "after", "message": "Год от 2000 до 2100"}],
        )
    prod = await calendar.production_calendar(ctx.session)
    return WorkingDayRead(after=after, n=n, date=prod.nth_working_day_after(after, n))


@workdays.get(
    "/production-calendar/{year}",
    response_model=ProductionYearRead,
    summary="Производственный календарь года",
)
async def production_year(
    year: Annotated[int, Path(ge=2000, le=2100)], ctx: Anyone
) -> ProductionYearRead:
    prod = await calendar.production_calendar(ctx.session)
    corrections = await calendar.calendar_corrections(ctx.session, year)
    notes = {c.day: c.note for c in corrections}
    off = prod.days_off(year)
    return ProductionYearRead(
        year=year,
        working_days=(date(year, 12, 31) - date(year, 1, 1)).days + 1 - len(off),
        days_off=[
            CalendarDayRead(
                day=d,
                working=False,
                holiday=prod.is_holiday(d),
                corrected=d in notes,
                note=notes.get(d),
            )
            for d in off
        ],
        corrections=[
            CalendarDayRead(
                day=c.day,
                working=c.working,
                holiday=prod.is_holiday(c.day),
                corrected=True,
                note=c.note,
            )
            for c in corrections
        ],
    )


@workdays.put(
    "/production-calendar/days/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Поправка региона: день рабочий или нерабочий",
)
async def set_calendar_day(day: date, cmd: CalendarDayIn, ctx: Region) -> Response:
    await calendar.set_calendar_day(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, day=day, cmd=cmd
    )
    return Response(status_code=204)


@workdays.delete(
    "/production-calendar/days/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Снять поправку региона",
)
async def clear_calendar_day(day: date, ctx: Region) -> Response:
    await calendar.set_calendar_day(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, day=day, cmd=None
    )
    return Response(status_code=204)


# -- rooms, subjects, curricula, groups, bells, settings -------------------------------


@plans.post(
    "/rooms",
    status_code=status.HTTP_201_CREATED,
    response_model=RoomRead,
    summary="Добавить кабинет",
)
async def create_room(cmd: CreateRoom, ctx: Write) -> RoomRead:
    return RoomRead.model_validate(
        await catalogue.create_room(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@plans.get("/rooms", response_model=Page[RoomRead], summary="Кабинеты")
async def list_rooms(ctx: Read, page: PageDep) -> Page[RoomRead]:
    rows, total = await catalogue.list_rooms(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([RoomRead.model_validate(r) for r in rows], total, page)


@plans.post(
    "/subjects",
    status_code=status.HTTP_201_CREATED,
    response_model=SubjectRead,
    summary="Добавить предмет",
)
async def create_subject(cmd: CreateSubject, ctx: Write) -> SubjectRead:
    return SubjectRead.model_validate(
        await catalogue.create_subject(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@plans.get("/subjects", response_model=Page[SubjectRead], summary="Предметы и дисциплины")
async def list_subjects(ctx: Read, page: PageDep) -> Page[SubjectRead]:
    rows, total = await catalogue.list_subjects(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([SubjectRead.model_validate(r) for r in rows], total, page)


def _curriculum(view: catalogue.CurriculumView) -> CurriculumRead:
    return CurriculumRead(
        **CurriculumBrief.model_validate(view.curriculum).model_dump(),
        lines=[LineRead.model_validate(ln) for ln in view.lines],
    )


@plans.post(
    "/curricula",
    status_code=status.HTTP_201_CREATED,
    response_model=CurriculumRead,
    summary="Учебный план",
)
async def create_curriculum(cmd: SaveCurriculum, ctx: Write) -> CurriculumRead:
    return _curriculum(
        await catalogue.save_curriculum(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@plans.put(
    "/curricula/{curriculum_id}", response_model=CurriculumRead, summary="Изменить учебный план"
)
async def save_curriculum(
    curriculum_id: uuid.UUID, cmd: SaveCurriculum, ctx: Write
) -> CurriculumRead:
    return _curriculum(
        await catalogue.save_curriculum(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            cmd=cmd,
            curriculum_id=curriculum_id,
        )
    )


@plans.get("/curricula", response_model=Page[CurriculumBrief], summary="Учебные планы")
async def list_curricula(ctx: Read, page: PageDep) -> Page[CurriculumBrief]:
    rows, total = await catalogue.list_curricula(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([CurriculumBrief.model_validate(r) for r in rows], total, page)


@plans.get("/curricula/{curriculum_id}", response_model=CurriculumRead, summary="Учебный план")
async def get_curriculum(curriculum_id: uuid.UUID, ctx: Read) -> CurriculumRead:
    return _curriculum(
        await catalogue.get_curriculum(
            session=ctx.session, tenant_id=ctx.tenant_id, curriculum_id=curriculum_id
        )
    )


@plans.get("/groups", response_model=Page[GroupRead], summary="Группы (для расписания)")
async def list_groups(ctx: Read, page: PageDep) -> Page[GroupRead]:
    rows, total = await catalogue.list_groups(
        session=ctx.session, tenant_id=ctx.tenant_id, page=page
    )
    return Page.of([GroupRead.model_validate(r) for r in rows], total, page)


@plans.put(
    "/groups/{group_id}/plan", response_model=GroupRead, summary="Учебный план и смена группы"
)
async def assign_curriculum(group_id: uuid.UUID, cmd: AssignCurriculum, ctx: Write) -> GroupRead:
    return GroupRead.model_validate(
        await catalogue.assign_curriculum(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            group_id=group_id,
            cmd=cmd,
        )
    )


@plans.get("/bells", response_model=list[BellScheduleRead], summary="Расписания звонков")
async def list_bells(ctx: Read) -> list[BellScheduleRead]:
    from edureg_schedule.domain.bells import DEFAULT_BELLS
    from edureg_schedule.persistence import repository as repo

    rows = await repo.bell_schedules(ctx.session, ctx.tenant_id)
    out = [
        BellScheduleRead(
            shift=r.shift,
            day_type=r.day_type,
            bells=[BellRead(**b) for b in r.bells],
            default=False,
        )
        for r in rows
    ]
    for shift, bells in DEFAULT_BELLS.items():
        if not any(r.shift == shift and r.day_type == "weekday" for r in rows):
            out.append(
                BellScheduleRead(
                    shift=shift,
                    day_type="weekday",
                    bells=[BellRead(**b) for b in catalogue.bells_json(list(bells))],
                    default=True,
                )
            )
    return sorted(out, key=lambda b: (b.shift, b.day_type))


@plans.put("/bells", response_model=BellScheduleRead, summary="Сохранить расписание звонков смены")
async def save_bells(cmd: SaveBells, ctx: Write) -> BellScheduleRead:
    row = await catalogue.save_bells(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
    )
    return BellScheduleRead(
        shift=row.shift,
        day_type=row.day_type,
        bells=[BellRead(**b) for b in row.bells],
        default=False,
    )


@plans.get("/settings", response_model=SettingsRead, summary="Настройки расписания организации")
async def get_settings(ctx: Read) -> SettingsRead:
    from edureg_schedule.persistence import repository as repo

    return SettingsRead.model_validate(await repo.settings(ctx.session, ctx.tenant_id))


@plans.put("/settings", response_model=SettingsRead, summary="Изменить настройки расписания")
async def save_settings(cmd: SaveSettings, ctx: Write) -> SettingsRead:
    return SettingsRead.model_validate(
        await catalogue.save_settings(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


# -- load, subgroups -------------------------------------------------------------------


@loads.post(
    "/load",
    status_code=status.HTTP_201_CREATED,
    response_model=LoadRead,
    summary="Назначить нагрузку",
)
async def assign_load(cmd: AssignLoad, ctx: Write) -> LoadRead:
    return LoadRead.model_validate(
        await load.assign(session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd)
    )


@loads.delete("/load/{load_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Снять нагрузку")
async def remove_load(load_id: uuid.UUID, ctx: Write) -> Response:
    await load.remove(
        session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, load_id=load_id
    )
    return Response(status_code=204)


@loads.get("/load", response_model=Page[LoadRead], summary="Нагрузка")
async def list_load(
    ctx: Read,
    page: PageDep,
    group_id: uuid.UUID | None = None,
    teacher_user_id: uuid.UUID | None = None,
) -> Page[LoadRead]:
    rows, total = await load.list_load(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        page=page,
        group_id=group_id,
        teacher_user_id=teacher_user_id,
    )
    return Page.of([LoadRead.model_validate(r) for r in rows], total, page)


@loads.get("/teachers", response_model=Page[TeacherRead], summary="Преподаватели с нагрузкой")
async def list_teachers(ctx: Read, page: PageDep) -> Page[TeacherRead]:
    from edureg_schedule.persistence import repository as repo

    names = await repo.teacher_names(ctx.session, ctx.tenant_id)
    items, total = page_slice(
        [TeacherRead(user_id=k, display_name=v) for k, v in names.items()], page
    )
    return Page.of(items, total, page)


@loads.get(
    "/load/deviations",
    response_model=list[DeviationRead],
    summary="Недовыполнение и перевыполнение плана нагрузкой",
)
async def deviations(ctx: Read, group_id: uuid.UUID | None = None) -> list[DeviationRead]:
    views = await load.deviations(session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id)
    return [
        DeviationRead(
            group_id=v.deviation.group_id,
            subgroup_id=v.deviation.subgroup_id,
            subject_id=v.deviation.subject_id,
            period_number=v.deviation.period_number,
            period_id=v.period_id,
            planned=v.deviation.planned,
            assigned=v.deviation.assigned,
            difference=v.deviation.difference,
        )
        for v in views
    ]


def _subgroup(view: load.SubgroupView) -> SubgroupRead:
    s = view.subgroup
    return SubgroupRead(id=s.id, group_id=s.group_id, name=s.name, student_ids=view.student_ids)


@loads.post(
    "/groups/{group_id}/subgroups",
    status_code=status.HTTP_201_CREATED,
    response_model=SubgroupRead,
    summary="Подгруппа с составом",
)
async def create_subgroup(group_id: uuid.UUID, cmd: SaveSubgroup, ctx: Write) -> SubgroupRead:
    return _subgroup(
        await load.save_subgroup(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            group_id=group_id,
            cmd=cmd,
        )
    )


@loads.put(
    "/groups/{group_id}/subgroups/{subgroup_id}",
    response_model=SubgroupRead,
    summary="Изменить подгруппу",
)
async def save_subgroup(
    group_id: uuid.UUID, subgroup_id: uuid.UUID, cmd: SaveSubgroup, ctx: Write
) -> SubgroupRead:
    return _subgroup(
        await load.save_subgroup(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            group_id=group_id,
            cmd=cmd,
            subgroup_id=subgroup_id,
        )
    )


@loads.get(
    "/groups/{group_id}/subgroups", response_model=list[SubgroupRead], summary="Подгруппы группы"
)
async def list_subgroups(group_id: uuid.UUID, ctx: Read) -> list[SubgroupRead]:
    return [
        _subgroup(v)
        for v in await load.subgroups(
            session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id
        )
    ]


@loads.get(
    "/groups/{group_id}/members",
    response_model=list[MemberRead],
    summary="Состав группы (для подгрупп; чтение записывается в журнал аудита)",
)
async def group_members(group_id: uuid.UUID, ctx: Write) -> list[MemberRead]:
    return [
        MemberRead.model_validate(m)
        for m in await load.members(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, group_id=group_id
        )
    ]


# -- timetable -------------------------------------------------------------------------


def _clashes(clashes: list[Clash]) -> list[ClashRead]:
    return [
        ClashRead(code=c.code, severity=c.severity, message=c.message, index=c.index)
        for c in clashes
    ]


def _week(view: timetable.WeekView) -> WeekRead:
    return WeekRead(
        group_id=view.group.id,
        period_id=view.period.id,
        version=view.version,
        generated_at=view.generated_at,
        lessons=[EntryRead.model_validate(e) for e in view.entries],
        warnings=_clashes(view.warnings),
    )


@weeks.get(
    "/groups/{group_id}/timetable/{period_id}",
    response_model=WeekRead,
    summary="Неделя группы в периоде",
)
async def get_week(group_id: uuid.UUID, period_id: uuid.UUID, ctx: Read) -> WeekRead:
    return _week(
        await timetable.get_week(
            session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, period_id=period_id
        )
    )


@weeks.put(
    "/groups/{group_id}/timetable/{period_id}",
    response_model=WeekRead,
    summary="Сохранить неделю группы (с проверкой накладок)",
    description=(
        "Накладка (преподаватель, кабинет, группа или подгруппа заняты) — 409 с перечнем "
        "`clashes`; мягкое нарушение (мал кабинет, нет нагрузки, часов больше плана) — 422, "
        "если организация не разрешила принимать их как предупреждения (`accept_warnings`)."
    ),
)
async def save_week(
    group_id: uuid.UUID, period_id: uuid.UUID, cmd: SaveWeek, ctx: Write
) -> WeekRead:
    return _week(
        await timetable.save_week(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            group_id=group_id,
            period_id=period_id,
            cmd=cmd,
        )
    )


@weeks.post(
    "/groups/{group_id}/timetable/{period_id}/lessons",
    response_model=GeneratedRead,
    summary="Сформировать занятия по датам на период",
)
async def generate(
    group_id: uuid.UUID, period_id: uuid.UUID, cmd: Generate, ctx: Write
) -> GeneratedRead:
    done = await timetable.generate(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        group_id=group_id,
        period_id=period_id,
        cmd=cmd,
    )
    return GeneratedRead(created=done.created, updated=done.updated, cancelled=done.cancelled)


def _lesson(view: timetable.LessonView) -> LessonRead:
    x = view.lesson
    return LessonRead(
        id=x.id,
        day=x.day,
        lesson_number=x.lesson_number,
        starts_at=x.starts_at,
        ends_at=x.ends_at,
        group_id=x.group_id,
        group=view.group,
        subgroup_id=x.subgroup_id,
        subgroup=view.subgroup,
        subject_id=x.subject_id,
        subject=view.subject,
        teachers=[TeacherRef(id=i, name=n) for i, n in view.teachers],
        room_id=x.room_id,
        room=view.room,
        status=x.status,
        extra=x.extra,
        changed=x.changed,
        reason=view.reason,
        version=x.version,
        child=view.child,
    )


def _range(first: date, last: date) -> None:
    check_range(first, last, max_days=MAX_DAYS, start_field="from", end_field="to")


@weeks.get(
    "/lessons",
    response_model=list[LessonRead],
    summary="Занятия по датам: группы, преподавателя или кабинета",
    description=f"Не больше {MAX_DAYS} дней за запрос; нужен один из фильтров.",
)
async def list_lessons(
    ctx: Read,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
) -> list[LessonRead]:
    _range(first, last)
    if not (group_id or teacher_id or room_id):
        raise InvalidState("Укажите группу, преподавателя или кабинет")
    views = await timetable.lessons(
        session=ctx.session,
        tenant_id=ctx.tenant_id,
        first=first,
        last=last,
        group_id=group_id,
        teacher_id=teacher_id,
        room_id=room_id,
    )
    return [_lesson(v) for v in views]


@weeks.post(
    "/lessons",
    status_code=status.HTTP_201_CREATED,
    response_model=LessonRead,
    summary="Дополнительное занятие",
)
async def add_extra_lesson(cmd: ExtraLesson, ctx: Write) -> LessonRead:
    return _lesson(
        await timetable.add_extra_lesson(
            session=ctx.session, tenant_id=ctx.tenant_id, actor=ctx.actor, cmd=cmd
        )
    )


@weeks.post(
    "/lessons/{lesson_id}/changes",
    response_model=LessonRead,
    summary="Замена, перенос, смена кабинета или отмена занятия (с причиной)",
)
async def change_lesson(lesson_id: uuid.UUID, cmd: ChangeLesson, ctx: Write) -> LessonRead:
    return _lesson(
        await timetable.change_lesson(
            session=ctx.session,
            tenant_id=ctx.tenant_id,
            actor=ctx.actor,
            lesson_id=lesson_id,
            cmd=cmd,
        )
    )


def _change(v: timetable.ChangeView) -> ChangeRead:
    return ChangeRead(
        id=v.change.id,
        kind=v.change.kind,
        reason=v.change.reason,
        changed_at=v.change.changed_at,
        before=v.change.before,
        after=v.change.after,
        lesson=_lesson(v.lesson),
    )


@weeks.get("/changes", response_model=list[ChangeRead], summary="Изменения расписания на день")
async def changes_of_day(ctx: Read, day: date) -> list[ChangeRead]:
    views = await timetable.changes_of_day(session=ctx.session, tenant_id=ctx.tenant_id, day=day)
    return [_change(v) for v in views]


@weeks.get(
    "/my/notices",
    response_model=list[ChangeRead],
    summary="Изменения расписания, о которых мне сообщили (куратору, преподавателям)",
    description=f"Не больше {MAX_DAYS} дней за запрос.",
)
async def my_notices(
    ctx: Read,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
) -> list[ChangeRead]:
    _range(first, last)
    views = await timetable.my_notices(
        session=ctx.session, principal=ctx.principal, first=first, last=last
    )
    return [_change(v) for v in views]


@weeks.get(
    "/my/lessons",
    response_model=list[LessonRead],
    summary="Моё расписание: преподавателя, обучающегося или детей родителя",
    description=f"Не больше {MAX_DAYS} дней за запрос.",
)
async def my_lessons(
    ctx: Anyone,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
) -> list[LessonRead]:
    _range(first, last)
    views = await timetable.my_lessons(
        session=ctx.session, principal=ctx.principal, first=first, last=last
    )
    return [_lesson(v) for v in views]


@weeks.post(
    "/my/calendar-feeds",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedRead,
    summary="Секретная ссылка на календарь iCalendar (своё расписание или группы)",
)
async def create_feed(ctx: Anyone, group_id: uuid.UUID | None = None) -> FeedRead:
    row, secret = await timetable.create_feed(
        session=ctx.session, principal=ctx.principal, group_id=group_id
    )
    return FeedRead(id=row.id, path=f"/ical/{ctx.tenant_id}/{secret}.ics")


@weeks.delete(
    "/my/calendar-feeds",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Отозвать все свои ссылки на календарь",
)
async def revoke_feeds(ctx: Anyone) -> Response:
    await timetable.revoke_feeds(session=ctx.session, principal=ctx.principal)
    return Response(status_code=204)


@feeds.get(
    "/ical/{tenant_id}/{secret}.ics",
    summary="Календарь iCalendar по секретной ссылке (без входа)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar_feed(tenant_id: uuid.UUID, secret: str, request: Request) -> Response:
    runtime = request.app.state.runtime
    if not 20 <= len(secret) <= 100:
        raise NotFound("Ссылка на календарь не найдена или отозвана")
    body = await timetable.render_feed(
        runtime.db, tenant_id, secret, ZoneInfo(runtime.settings.timezone)
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="timetable.ics"',
        },
    )


routers = [years, workdays, plans, loads, weeks, feeds]
