"""Academic years, period schemes, holidays, exam sessions, publications; the region's
production calendar; the watcher that announces the end of a period."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts.events import (
    ACADEMIC_YEAR_OPENED,
    CALENDAR_CHANGED,
    PERIOD_DEFINED,
    PERIOD_ENDED,
    PUBLISHED,
    AcademicYearOpenedV1,
    PeriodDefinedV1,
    PeriodEndedV1,
    PeriodV1,
    PublishedV1,
    WorkingCalendarChangedV1,
)
from edureg_schedule.domain import calendar as rules
from edureg_schedule.domain.calendar import Period
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import (
    AcademicYear,
    CalendarDay,
    ExamEvent,
    ExamSession,
    Group,
    Holiday,
    Publication,
    Room,
    StudyPeriod,
    Subject,
)
from edureg_schedule.services.catalogue import LocalTime
from edureg_schedule.services.common import saved
from edureg_shared import audit
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event, add_events
from edureg_shared.paging import PageRequest
from edureg_shared.workdays import ProductionCalendar

log = logging.getLogger("edureg.schedule.calendar")
SYSTEM = Actor(kind="service", id=None)

PeriodKind = Literal["quarter", "half", "semester", "trimester"]


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: PeriodKind
    number: Annotated[int, Field(ge=1, le=4)]
    starts_on: date
    ends_on: date


class CreateAcademicYear(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$", examples=["2026/2027"])]
    starts_on: date
    ends_on: date
    periods: Annotated[list[PeriodIn], Field(max_length=4)] = []
    # Open it from an earlier year: its period schemes and holidays, a year later.
    copy_from: uuid.UUID | None = None


class DefinePeriods(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Annotated[str, Field(max_length=60, examples=["all", "grade:10"])] = "all"
    periods: Annotated[list[PeriodIn], Field(min_length=1, max_length=4)]


class CreateHoliday(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: date
    ends_on: date
    grades: Annotated[list[Annotated[int, Field(ge=1, le=11)]], Field(max_length=11)] | None = None


class CreateExamSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    academic_year_id: uuid.UUID
    group_id: uuid.UUID
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: date
    ends_on: date


class CreateExamEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["consultation", "exam"]
    subject_id: uuid.UUID
    day: date
    starts_at: LocalTime
    ends_at: LocalTime
    room_id: uuid.UUID | None = None
    examiner_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=5)]

    @model_validator(mode="after")
    def _times(self) -> CreateExamEvent:
        if self.ends_at <= self.starts_at:
            raise ValueError("Окончание должно быть позже начала")
        return self


class Publish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    what: Literal["timetable", "holidays"]


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    working: bool
    note: Annotated[str, Field(max_length=300)] = ""


@dataclass
class YearView:
    year: AcademicYear
    periods: list[StudyPeriod]
    holidays: list[Holiday]


def _period_v1(p: StudyPeriod) -> PeriodV1:
    return PeriodV1(
        period_id=p.id,
        kind=p.kind,
        number=p.number,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        scope=p.scope,
    )


async def _view(session: AsyncSession, tenant_id: uuid.UUID, year: AcademicYear) -> YearView:
    periods = await repo.periods_of(session, tenant_id, [year.id])
    holidays = await repo.all_of(
        session, Holiday, tenant_id, Holiday.academic_year_id == year.id, order_by=Holiday.starts_on
    )
    return YearView(year=year, periods=periods.get(year.id, []), holidays=holidays)


async def _year(session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID) -> AcademicYear:
    year = await repo.get(session, AcademicYear, tenant_id, year_id)
    if year is None:
        raise NotFound("Учебный год не найден")
    return year


async def create_year(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateAcademicYear
) -> YearView:
    """A new academic year with its default periods — or opened from an earlier year
    (`copy_from`), whose period schemes and holidays it takes a year later."""
    rules.check_year_bounds(cmd.title, cmd.starts_on, cmd.ends_on)
    if await repo.find_year(session, tenant_id, cmd.title):
        raise Conflict(f"Учебный год {cmd.title} уже создан")
    year = AcademicYear(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        title=cmd.title,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
    )
    schemes: dict[str, list[Period]] = {}
    holidays: list[Holiday] = []
    if cmd.copy_from:
        source = await _year(session, tenant_id, cmd.copy_from)
        shift = int(cmd.title[:4]) - int(source.title[:4])
        if shift <= 0:
            raise InvalidState("Новый год открывается только из более раннего")
        for p in (await repo.periods_of(session, tenant_id, [source.id])).get(source.id, []):
            schemes.setdefault(p.scope, []).append(
                Period(
                    p.kind,
                    p.number,
                    rules.shift_year(p.starts_on, shift),
                    rules.shift_year(p.ends_on, shift),
                )
            )
        for h in await repo.all_of(
            session, Holiday, tenant_id, Holiday.academic_year_id == source.id
        ):
            holidays.append(
                Holiday(
                    tenant_id=tenant_id,
                    id=uuid.uuid4(),
                    academic_year_id=year.id,
                    title=h.title,
                    starts_on=rules.shift_year(h.starts_on, shift),
                    ends_on=rules.shift_year(h.ends_on, shift),
                    grades=h.grades,
                )
            )
    if cmd.periods:
        schemes["all"] = [Period(p.kind, p.number, p.starts_on, p.ends_on) for p in cmd.periods]
    for scheme in schemes.values():
        rules.check_periods(cmd.starts_on, cmd.ends_on, scheme)
    for h in holidays:
        rules.check_range_in_year("Каникулы", h.starts_on, h.ends_on, cmd.starts_on, cmd.ends_on)
    periods = [
        StudyPeriod(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            academic_year_id=year.id,
            scope=scope,
            kind=p.kind,
            number=p.number,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
        )
        for scope, scheme in schemes.items()
        for p in scheme
    ]
    session.add(year)
    await session.flush()
    session.add_all([*periods, *holidays])
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity="academic_year",
        entity_id=year.id,
    )
    await add_event(
        session,
        ACADEMIC_YEAR_OPENED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=year.id,
            data=AcademicYearOpenedV1(
                academic_year_id=year.id,
                title=year.title,
                starts_on=year.starts_on,
                ends_on=year.ends_on,
                periods=[_period_v1(p) for p in periods if p.scope == "all"],
                copied_from=cmd.copy_from,
            ),
        ),
    )
    await _announce_periods(session, tenant_id, actor, year.id, periods)
    return await _view(session, tenant_id, year)


async def _announce_periods(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    year_id: uuid.UUID,
    periods: list[StudyPeriod],
) -> None:
    await add_events(
        session,
        [
            PERIOD_DEFINED.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=p.id,
                data=PeriodDefinedV1(academic_year_id=year_id, period=_period_v1(p)),
            )
            for p in periods
        ],
    )


async def define_periods(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    year_id: uuid.UUID,
    cmd: DefinePeriods,
) -> YearView:
    """The periods of one scheme (the year's, a parallel's or a group's), saved whole: a
    period of the same number keeps its id (load and timetable refer to it); one no
    longer listed is removed unless load or a timetable uses it (409)."""
    year = await _year(session, tenant_id, year_id)
    _, group_id = rules.check_scope(cmd.scope)
    if group_id and await repo.get(session, Group, tenant_id, group_id) is None:
        raise NotFound("Группа не найдена")
    wanted = [Period(p.kind, p.number, p.starts_on, p.ends_on) for p in cmd.periods]
    rules.check_periods(year.starts_on, year.ends_on, wanted)
    existing = {
        p.number: p
        for p in await repo.all_of(
            session,
            StudyPeriod,
            tenant_id,
            StudyPeriod.academic_year_id == year.id,
            StudyPeriod.scope == cmd.scope,
        )
    }
    if existing and {p.kind for p in existing.values()} != {wanted[0].kind}:
        # Changing quarters to halves under existing load would orphan it.
        for p in existing.values():
            await session.delete(p)
        existing = {}
        await session.flush()
    kept: list[StudyPeriod] = []
    for p in wanted:
        row = existing.pop(p.number, None)
        if row is None:
            row = StudyPeriod(
                tenant_id=tenant_id, id=uuid.uuid4(), academic_year_id=year.id, scope=cmd.scope
            )
            session.add(row)
        if row.ends_on != p.ends_on:  # a new end: announced again when it passes
            row.ended_announced_at = None
        row.kind, row.number, row.starts_on, row.ends_on = p.kind, p.number, p.starts_on, p.ends_on
        kept.append(row)
    for row in existing.values():
        await session.delete(row)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="study_periods",
        entity_id=year.id,
        details={"scope": cmd.scope, "periods": len(kept)},
    )
    await _announce_periods(session, tenant_id, actor, year.id, kept)
    return await _view(session, tenant_id, year)


async def add_holiday(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    year_id: uuid.UUID,
    cmd: CreateHoliday,
) -> YearView:
    year = await _year(session, tenant_id, year_id)
    rules.check_range_in_year("Каникулы", cmd.starts_on, cmd.ends_on, year.starts_on, year.ends_on)
    others = await repo.all_of(session, Holiday, tenant_id, Holiday.academic_year_id == year.id)
    rules.check_holidays(
        [
            *((h.starts_on, h.ends_on, frozenset(h.grades) if h.grades else None) for h in others),
            (cmd.starts_on, cmd.ends_on, frozenset(cmd.grades) if cmd.grades else None),
        ]
    )
    row = Holiday(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        academic_year_id=year.id,
        title=cmd.title,
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        grades=sorted(set(cmd.grades)) if cmd.grades else None,
    )
    await saved(session, tenant_id, actor, row, "holiday")
    return await _view(session, tenant_id, year)


async def remove_holiday(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    year_id: uuid.UUID,
    holiday_id: uuid.UUID,
) -> YearView:
    year = await _year(session, tenant_id, year_id)
    row = await repo.get(session, Holiday, tenant_id, holiday_id)
    if row is None or row.academic_year_id != year.id:
        raise NotFound("Каникулы не найдены")
    await session.delete(row)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="delete",
        entity="holiday",
        entity_id=row.id,
    )
    await session.flush()
    return await _view(session, tenant_id, year)


async def list_years(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[YearView], int]:
    years, total = await repo.list_years(session, tenant_id, page)
    return [await _view(session, tenant_id, y) for y in years], total


async def get_year(*, session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID) -> YearView:
    return await _view(session, tenant_id, await _year(session, tenant_id, year_id))


# -- exam sessions ---------------------------------------------------------------------


@dataclass
class SessionView:
    session: ExamSession
    events: list[ExamEvent]


async def create_exam_session(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateExamSession
) -> SessionView:
    year = await _year(session, tenant_id, cmd.academic_year_id)
    if await repo.get(session, Group, tenant_id, cmd.group_id) is None:
        raise NotFound("Группа не найдена")
    rules.check_range_in_year("Сессия", cmd.starts_on, cmd.ends_on, year.starts_on, year.ends_on)
    row = ExamSession(tenant_id=tenant_id, id=uuid.uuid4(), **cmd.model_dump())
    await saved(session, tenant_id, actor, row, "exam_session")
    return SessionView(row, [])


async def add_exam_event(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    session_id: uuid.UUID,
    cmd: CreateExamEvent,
) -> SessionView:
    found = await repo.get(session, ExamSession, tenant_id, session_id)
    if found is None:
        raise NotFound("Сессия не найдена")
    if not found.starts_on <= cmd.day <= found.ends_on:
        raise InvalidState(
            f"Дата вне сессии ({found.starts_on:%d.%m.%Y}–{found.ends_on:%d.%m.%Y})",
            errors=[{"field": "day", "message": "Вне сроков сессии"}],
        )
    if await repo.get(session, Subject, tenant_id, cmd.subject_id) is None:
        raise NotFound("Предмет не найден")
    if cmd.room_id and await repo.get(session, Room, tenant_id, cmd.room_id) is None:
        raise NotFound("Кабинет не найден")
    known = await repo.teacher_names(session, tenant_id, cmd.examiner_ids)
    if set(cmd.examiner_ids) - set(known):
        raise InvalidState(
            "Экзаменатор не найден среди преподавателей",
            errors=[{"field": "examiner_ids", "message": "Нет такого преподавателя"}],
        )
    busy = await repo.all_of(
        session,
        ExamEvent,
        tenant_id,
        ExamEvent.day == cmd.day,
        ExamEvent.starts_at < cmd.ends_at,
        ExamEvent.ends_at > cmd.starts_at,
        order_by=None,
    )
    for other in busy:
        if cmd.room_id and other.room_id == cmd.room_id:
            raise Conflict("Кабинет в это время занят другим экзаменом или консультацией")
        if set(other.examiner_ids) & set(cmd.examiner_ids):
            raise Conflict("Экзаменатор в это время занят на другом экзамене или консультации")
    row = ExamEvent(tenant_id=tenant_id, id=uuid.uuid4(), session_id=found.id, **cmd.model_dump())
    await saved(session, tenant_id, actor, row, "exam_event")
    return await get_exam_session(session=session, tenant_id=tenant_id, session_id=found.id)


async def get_exam_session(
    *, session: AsyncSession, tenant_id: uuid.UUID, session_id: uuid.UUID
) -> SessionView:
    found = await repo.get(session, ExamSession, tenant_id, session_id)
    if found is None:
        raise NotFound("Сессия не найдена")
    events = await repo.all_of(
        session,
        ExamEvent,
        tenant_id,
        ExamEvent.session_id == found.id,
        order_by=(ExamEvent.day, ExamEvent.starts_at),
    )
    return SessionView(found, events)


async def list_exam_sessions(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID | None, page: PageRequest
) -> tuple[list[SessionView], int]:
    where = [ExamSession.group_id == group_id] if group_id else []
    rows, total = await repo.page_of(
        session,
        ExamSession,
        tenant_id,
        page,
        *where,
        order_by=(ExamSession.starts_on, ExamSession.id),
    )
    return [
        await get_exam_session(session=session, tenant_id=tenant_id, session_id=r.id) for r in rows
    ], total


# -- publications ----------------------------------------------------------------------


async def publish(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, year_id: uuid.UUID, cmd: Publish
) -> Publication:
    year = await _year(session, tenant_id, year_id)
    row = Publication(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        academic_year_id=year.id,
        what=cmd.what,
        published_at=datetime.now(UTC),
        published_by=actor.id,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="publish",
        entity=cmd.what,
        entity_id=year.id,
    )
    await add_event(
        session,
        PUBLISHED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=year.id,
            data=PublishedV1(
                academic_year_id=year.id, what=cmd.what, published_at=row.published_at
            ),
        ),
    )
    return row


async def publications(
    *, session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID
) -> list[Publication]:
    year = await _year(session, tenant_id, year_id)
    return await repo.all_of(
        session,
        Publication,
        tenant_id,
        Publication.academic_year_id == year.id,
        order_by=Publication.published_at,
    )


# -- the production calendar -----------------------------------------------------------


async def production_calendar(session: AsyncSession) -> ProductionCalendar:
    return ProductionCalendar(await repo.calendar_overrides(session))


async def set_calendar_day(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    day: date,
    cmd: CalendarDayIn | None,
) -> None:
    """The region's correction of one day (None: removed)."""
    if not 2000 <= day.year <= 2100:
        raise InvalidState("Календарь ведётся для 2000–2100 годов")
    row = await session.get(CalendarDay, day)
    if cmd is None:
        if row is None:
            raise NotFound("Поправки на этот день нет")
        await session.delete(row)
    elif row is None:
        session.add(CalendarDay(day=day, working=cmd.working, note=cmd.note, changed_by=actor.id))
    else:
        row.working, row.note, row.changed_by = cmd.working, cmd.note, actor.id
        row.changed_at = datetime.now(UTC)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="delete" if cmd is None else "update",
        entity="calendar_day",
        entity_id=None,
        details={"day": day.isoformat(), "working": None if cmd is None else cmd.working},
    )
    await add_event(
        session,
        CALENDAR_CHANGED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=None,
            data=WorkingCalendarChangedV1(day=day, working=None if cmd is None else cmd.working),
        ),
    )


async def calendar_corrections(session: AsyncSession, year: int) -> list[CalendarDay]:
    from sqlalchemy import select

    rows = await session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    )
    return list(rows.all())


# -- period ends -----------------------------------------------------------------------


async def announce_ended_periods(db: Database, today: date, *, limit: int = 500) -> int:
    """Announce `period.ended` for every period whose last day is before `today` and is
    not announced yet, each in its organisation's own transaction (two watchers never
    announce one period twice: the mark is taken with a conditional update)."""
    async with db.unscoped_session() as session:
        due = await repo.periods_ended(session, today, limit)
    announced = 0
    for tenant_id, period_id in due:
        async with db.tenant_session(tenant_id) as session:
            period = await repo.mark_announced(session, tenant_id, period_id)
            if period is None:
                continue
            await add_event(
                session,
                PERIOD_ENDED.envelope(
                    tenant_id=tenant_id,
                    actor=SYSTEM,
                    subject_id=period.id,
                    data=PeriodEndedV1(
                        academic_year_id=period.academic_year_id, period=_period_v1(period)
                    ),
                ),
            )
            announced += 1
    return announced


async def watch_period_ends(db: Database, interval_s: float) -> None:
    while True:
        try:
            await announce_ended_periods(db, datetime.now(UTC).date())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the next round tries again
            log.warning("period watch failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(interval_s)
