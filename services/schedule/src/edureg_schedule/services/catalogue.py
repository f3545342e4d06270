"""Rooms, subjects and disciplines, curricula, bells and the organisation's timetable
settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts.events import GROUP_PLAN_SET, GroupPlanSetV1
from edureg_schedule.domain import bells as bell_rules
from edureg_schedule.domain import curriculum as rules
from edureg_schedule.domain.calendar import PERIOD_KINDS
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import (
    AcademicYear,
    BellSchedule,
    Curriculum,
    CurriculumLine,
    Group,
    Room,
    Settings,
    StudyPeriod,
    Subject,
)
from edureg_schedule.services.common import saved
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Укажите время без часового пояса (по местному времени)")
    return value


# A time of day in the organisation's local time (never with an offset).
LocalTime = Annotated[time, AfterValidator(_local)]
RoomKind = Literal["classroom", "laboratory", "computer", "gym", "workshop", "hall", "other"]
SubjectKind = Literal["discipline", "module", "mdk", "practice"]
AssessmentForm = Literal[
    "none", "exam", "graded_credit", "credit", "coursework", "qualification_exam", "other"
]


class CreateRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[Text, Field(max_length=20)]
    building: Annotated[str, Field(max_length=100)] = ""
    capacity: Annotated[int, Field(ge=1, le=1000)]
    kind: RoomKind = "classroom"


class CreateSubject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(max_length=200)]
    kind: SubjectKind = "discipline"
    code: Annotated[str, Field(max_length=20)] | None = None
    cycle: Annotated[str, Field(max_length=100)] | None = None
    parent_id: uuid.UUID | None = None


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: uuid.UUID
    period_number: Annotated[int, Field(ge=1, le=4)]
    lecture_hours: Annotated[int, Field(ge=0, le=2000)] = 0
    practical_hours: Annotated[int, Field(ge=0, le=2000)] = 0
    self_study_hours: Annotated[int, Field(ge=0, le=2000)] = 0
    assessment: AssessmentForm = "none"


class SaveCurriculum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(max_length=200)]
    academic_year_id: uuid.UUID
    grade: Annotated[int, Field(ge=1, le=11)] | None = None
    profile: Annotated[str, Field(max_length=100)] | None = None
    specialty_code: Annotated[str, Field(pattern=r"^\d{2}\.\d{2}\.\d{2}$")] | None = None
    max_class_hours: Annotated[int, Field(ge=1, le=20000)] | None = None
    lines: Annotated[list[LineIn], Field(max_length=500)]
    # For a change of an existing curriculum: the version read (409 if someone saved since).
    version: int | None = None


class AssignCurriculum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curriculum_id: uuid.UUID | None
    shift: Annotated[int, Field(ge=1, le=3)] = 1


class BellIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[int, Field(ge=1, le=12)]
    starts_at: LocalTime
    ends_at: LocalTime


class SaveBells(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shift: Annotated[int, Field(ge=1, le=3)] = 1
    day_type: Literal["weekday", "saturday", "shortened"] = "weekday"
    bells: Annotated[list[BellIn], Field(min_length=1, max_length=12)]


class SaveSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    soft_clashes: Literal["error", "warning"] = "error"
    hours_per_lesson: Annotated[int, Field(ge=1, le=2)] = 1


# -- rooms, subjects -------------------------------------------------------------------


async def create_room(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateRoom
) -> Room:
    row = Room(tenant_id=tenant_id, id=uuid.uuid4(), **cmd.model_dump())
    session.add(row)
    await session.flush()
    await audit.record(
        session, tenant_id=tenant_id, actor=actor, action="create", entity="room", entity_id=row.id
    )
    return row


async def list_rooms(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Room], int]:
    return await repo.page_of(
        session, Room, tenant_id, page, order_by=(Room.building, Room.number, Room.id)
    )


async def create_subject(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateSubject
) -> Subject:
    parent = await repo.get(session, Subject, tenant_id, cmd.parent_id) if cmd.parent_id else None
    if cmd.parent_id and parent is None:
        raise NotFound("Профессиональный модуль не найден")
    code = cmd.code.strip() if cmd.code and cmd.code.strip() else None
    rules.check_subject(
        kind=cmd.kind,
        code=code,
        parent_kind=parent.kind if parent else None,
        parent_code=parent.code if parent else None,
    )
    row = Subject(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        name=cmd.name,
        kind=cmd.kind,
        code=code,
        cycle=cmd.cycle or None,
        parent_id=parent.id if parent else None,
    )
    await saved(session, tenant_id, actor, row, "subject")
    return row


async def list_subjects(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Subject], int]:
    return await repo.page_of(
        session,
        Subject,
        tenant_id,
        page,
        order_by=(Subject.code.nulls_last(), Subject.name, Subject.id),
    )


# -- curricula -------------------------------------------------------------------------


@dataclass
class CurriculumView:
    curriculum: Curriculum
    lines: list[CurriculumLine]


async def _periods_in_year(session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID) -> int:
    periods = (await repo.periods_of(session, tenant_id, [year_id])).get(year_id, [])
    kinds = {p.kind for p in periods}
    return max((PERIOD_KINDS[k] for k in kinds), default=2)


async def save_curriculum(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    cmd: SaveCurriculum,
    curriculum_id: uuid.UUID | None = None,
) -> CurriculumView:
    """A curriculum saved whole, its classroom hours totalled and checked."""
    if await repo.get(session, AcademicYear, tenant_id, cmd.academic_year_id) is None:
        raise NotFound("Учебный год не найден")
    subjects = await repo.by_ids(
        session, Subject, tenant_id, (line.subject_id for line in cmd.lines)
    )
    for i, line in enumerate(cmd.lines):
        if line.subject_id not in subjects:
            raise InvalidState(
                "Предмет не найден",
                errors=[{"field": f"lines.{i}.subject_id", "message": "Нет такого предмета"}],
            )
        if subjects[line.subject_id].kind == "module" and line.lecture_hours + line.practical_hours:
            raise InvalidState(
                f"Часы профессионального модуля «{subjects[line.subject_id].name}» задаются по его МДК и практикам"
            )
    lines = [rules.Line(**line.model_dump()) for line in cmd.lines]
    total = rules.check_lines(
        lines,
        periods=await _periods_in_year(session, tenant_id, cmd.academic_year_id),
        max_total=cmd.max_class_hours,
    )
    fields = cmd.model_dump(exclude={"lines", "version"})
    if curriculum_id is None:
        row = Curriculum(
            tenant_id=tenant_id, id=uuid.uuid4(), version=1, total_class_hours=total, **fields
        )
        session.add(row)
        action = "create"
    else:
        found = await session.get(Curriculum, (tenant_id, curriculum_id), with_for_update=True)
        if found is None:
            raise NotFound("Учебный план не найден")
        if cmd.version is not None and cmd.version != found.version:
            raise Conflict("Учебный план уже изменил кто-то другой: откройте его заново")
        row = found
        for k, v in fields.items():
            setattr(row, k, v)
        row.total_class_hours = total
        row.version += 1
        action = "update"
        for old in await repo.all_of(
            session, CurriculumLine, tenant_id, CurriculumLine.curriculum_id == row.id
        ):
            await session.delete(old)
    await session.flush()
    session.add_all(
        [
            CurriculumLine(tenant_id=tenant_id, curriculum_id=row.id, **line.model_dump())
            for line in cmd.lines
        ]
    )
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        entity="curriculum",
        entity_id=row.id,
    )
    return await get_curriculum(session=session, tenant_id=tenant_id, curriculum_id=row.id)


async def get_curriculum(
    *, session: AsyncSession, tenant_id: uuid.UUID, curriculum_id: uuid.UUID
) -> CurriculumView:
    row = await repo.get(session, Curriculum, tenant_id, curriculum_id)
    if row is None:
        raise NotFound("Учебный план не найден")
    lines = await repo.all_of(
        session,
        CurriculumLine,
        tenant_id,
        CurriculumLine.curriculum_id == row.id,
        order_by=(CurriculumLine.period_number, CurriculumLine.subject_id),
    )
    return CurriculumView(row, lines)


async def list_curricula(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Curriculum], int]:
    return await repo.page_of(
        session, Curriculum, tenant_id, page, order_by=(Curriculum.title, Curriculum.id)
    )


async def assign_curriculum(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group_id: uuid.UUID,
    cmd: AssignCurriculum,
) -> Group:
    group = await repo.get(session, Group, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    if (
        cmd.curriculum_id
        and await repo.get(session, Curriculum, tenant_id, cmd.curriculum_id) is None
    ):
        raise NotFound("Учебный план не найден")
    group.curriculum_id = cmd.curriculum_id
    group.shift = cmd.shift
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="group_plan",
        entity_id=group.id,
        details={
            "curriculum_id": str(cmd.curriculum_id) if cmd.curriculum_id else None,
            "shift": cmd.shift,
        },
    )
    await add_event(
        session,
        GROUP_PLAN_SET.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=group.id,
            data=GroupPlanSetV1(
                group_id=group.id, curriculum_id=cmd.curriculum_id, shift=cmd.shift
            ),
        ),
    )
    return group


async def list_groups(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Group], int]:
    return await repo.page_of(
        session,
        Group,
        tenant_id,
        page,
        Group.closed_on.is_(None),
        order_by=(Group.academic_year, Group.grade, Group.name, Group.id),
    )


# -- bells, settings -------------------------------------------------------------------


def bells_json(bells: list[bell_rules.Bell]) -> list[dict[str, object]]:
    return [
        {
            "number": b.number,
            "starts_at": b.starts_at.isoformat("minutes"),
            "ends_at": b.ends_at.isoformat("minutes"),
        }
        for b in sorted(bells, key=lambda b: b.number)
    ]


def bells_of(row: BellSchedule) -> list[bell_rules.Bell]:
    return [
        bell_rules.Bell(
            int(b["number"]),
            time.fromisoformat(str(b["starts_at"])),
            time.fromisoformat(str(b["ends_at"])),
        )
        for b in row.bells
    ]


async def save_bells(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: SaveBells
) -> BellSchedule:
    bells = [bell_rules.Bell(b.number, b.starts_at, b.ends_at) for b in cmd.bells]
    bell_rules.check_bells(bells)
    row = await repo.find_bells(session, tenant_id, cmd.shift, cmd.day_type)
    if row is None:
        row = BellSchedule(
            tenant_id=tenant_id, id=uuid.uuid4(), shift=cmd.shift, day_type=cmd.day_type
        )
        session.add(row)
    row.bells = bells_json(bells)
    await session.flush()
    await audit.record(
        session, tenant_id=tenant_id, actor=actor, action="update", entity="bells", entity_id=row.id
    )
    return row


async def save_settings(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: SaveSettings
) -> Settings:
    row = await session.get(Settings, tenant_id)
    if row is None:
        row = Settings(tenant_id=tenant_id)
        session.add(row)
    row.soft_clashes, row.hours_per_lesson = cmd.soft_clashes, cmd.hours_per_lesson
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="schedule_settings",
        entity_id=None,
    )
    return row


async def period(session: AsyncSession, tenant_id: uuid.UUID, period_id: uuid.UUID) -> StudyPeriod:
    found = await repo.get(session, StudyPeriod, tenant_id, period_id)
    if found is None:
        raise NotFound("Период не найден")
    return found
