"""Teaching load (teacher × subject × group or subgroup × period) and subgroups, and the
load measured against the groups' curricula."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts.events import (
    LOAD_ASSIGNED,
    LOAD_REMOVED,
    SUBGROUP_DEFINED,
    LoadAssignedV1,
    LoadRemovedV1,
    SubgroupDefinedV1,
)
from edureg_schedule.domain import curriculum as rules
from edureg_schedule.domain.calendar import scheme_for
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import (
    CurriculumLine,
    Group,
    GroupMember,
    LoadItem,
    StudyPeriod,
    Subgroup,
    Subject,
)
from edureg_shared import audit, region
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest


class AssignLoad(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teacher_user_id: uuid.UUID
    # The teacher's name as the staff list shows it (for the timetable's screens).
    teacher_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    subject_id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None = None
    period_id: uuid.UUID
    hours: Annotated[int, Field(ge=1, le=2000)]


class SaveSubgroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    student_ids: Annotated[list[uuid.UUID], Field(max_length=100)] = []
    # From which day a changed composition applies (the journal keeps who was in the
    # subgroup on each day); by default from the day of the change.
    since: date | None = None


def _load_v1(row: LoadItem) -> dict[str, object]:
    return {
        "load_id": row.id,
        "teacher_user_id": row.teacher_user_id,
        "subject_id": row.subject_id,
        "group_id": row.group_id,
        "subgroup_id": row.subgroup_id,
        "period_id": row.period_id,
        "hours": row.hours,
    }


async def periods_for_group(
    session: AsyncSession, tenant_id: uuid.UUID, group: Group
) -> list[StudyPeriod]:
    """The study periods a group follows in its academic year (its own scheme, its
    parallel's, or the year's)."""
    year = await repo.find_year(session, tenant_id, group.academic_year)
    if year is None:
        return []
    periods = (await repo.periods_of(session, tenant_id, [year.id])).get(year.id, [])
    scope = scheme_for({p.scope for p in periods}, group.id, group.grade)
    return sorted((p for p in periods if p.scope == scope), key=lambda p: p.number)


async def assign(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: AssignLoad
) -> LoadItem:
    """Gives a teacher a subject in a group (or subgroup) for a period; assigning the
    same again changes its hours."""
    group = await repo.get(session, Group, tenant_id, cmd.group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    if await repo.get(session, Subject, tenant_id, cmd.subject_id) is None:
        raise NotFound("Предмет не найден")
    if cmd.subgroup_id:
        subgroup = await repo.get(session, Subgroup, tenant_id, cmd.subgroup_id)
        if subgroup is None or subgroup.group_id != group.id:
            raise NotFound("Подгруппа не найдена в этой группе")
    if cmd.period_id not in {p.id for p in await periods_for_group(session, tenant_id, group)}:
        raise InvalidState(
            "Этот период не относится к учебному году группы",
            errors=[{"field": "period_id", "message": "Не период этой группы"}],
        )
    if await repo.is_learner(session, tenant_id, cmd.teacher_user_id):
        raise InvalidState(
            "Нагрузку можно дать только сотруднику",
            errors=[
                {
                    "field": "teacher_user_id",
                    "message": "Это учётная запись обучающегося или родителя",
                }
            ],
        )
    await repo.upsert_teacher(session, tenant_id, cmd.teacher_user_id, cmd.teacher_name)
    found = await repo.all_of(
        session,
        LoadItem,
        tenant_id,
        LoadItem.teacher_user_id == cmd.teacher_user_id,
        LoadItem.subject_id == cmd.subject_id,
        LoadItem.group_id == cmd.group_id,
        (LoadItem.subgroup_id == cmd.subgroup_id)
        if cmd.subgroup_id
        else LoadItem.subgroup_id.is_(None),
        LoadItem.period_id == cmd.period_id,
        order_by=None,
    )
    if found:
        row = found[0]
        row.hours = cmd.hours
        action = "update"
    else:
        row = LoadItem(
            tenant_id=tenant_id, id=uuid.uuid4(), **cmd.model_dump(exclude={"teacher_name"})
        )
        session.add(row)
        action = "create"
    await session.flush()
    await audit.record(
        session, tenant_id=tenant_id, actor=actor, action=action, entity="load", entity_id=row.id
    )
    await add_event(
        session,
        LOAD_ASSIGNED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=row.id,
            data=LoadAssignedV1.model_validate(_load_v1(row)),
        ),
    )
    return row


async def remove(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, load_id: uuid.UUID
) -> None:
    row = await repo.get(session, LoadItem, tenant_id, load_id)
    if row is None:
        raise NotFound("Нагрузка не найдена")
    data = LoadRemovedV1.model_validate(_load_v1(row))
    await session.delete(row)
    await session.flush()
    await audit.record(
        session, tenant_id=tenant_id, actor=actor, action="delete", entity="load", entity_id=load_id
    )
    await add_event(
        session,
        LOAD_REMOVED.envelope(tenant_id=tenant_id, actor=actor, subject_id=load_id, data=data),
    )


async def list_load(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    page: PageRequest,
    group_id: uuid.UUID | None,
    teacher_user_id: uuid.UUID | None,
) -> tuple[list[LoadItem], int]:
    return await repo.list_load(
        session, tenant_id, page, group_id=group_id, teacher_user_id=teacher_user_id
    )


@dataclass
class DeviationView:
    deviation: rules.Deviation
    period_id: uuid.UUID | None


async def deviations(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID | None
) -> list[DeviationView]:
    """Under- and over-planned hours: every group with a curriculum, each subject and
    period whose load differs from the plan."""
    groups = await repo.all_of(
        session,
        Group,
        tenant_id,
        Group.curriculum_id.is_not(None),
        *([Group.id == group_id] if group_id else []),
        order_by=Group.name,
    )
    curriculum: dict[uuid.UUID, list[rules.Line]] = {}
    items: list[rules.LoadItem] = []
    number_to_period: dict[tuple[uuid.UUID, int], uuid.UUID] = {}
    for g in groups:
        lines = await repo.all_of(
            session,
            CurriculumLine,
            tenant_id,
            CurriculumLine.curriculum_id == g.curriculum_id,
            order_by=None,
        )
        curriculum[g.id] = [
            rules.Line(
                ln.subject_id,
                ln.period_number,
                ln.lecture_hours,
                ln.practical_hours,
                ln.self_study_hours,
                ln.assessment,
            )
            for ln in lines
        ]
        periods = await periods_for_group(session, tenant_id, g)
        numbers = {p.id: p.number for p in periods}
        number_to_period.update({(g.id, p.number): p.id for p in periods})
        for item in await repo.all_of(
            session, LoadItem, tenant_id, LoadItem.group_id == g.id, order_by=None
        ):
            if item.period_id in numbers:
                items.append(
                    rules.LoadItem(
                        item.teacher_user_id,
                        item.subject_id,
                        item.group_id,
                        item.subgroup_id,
                        numbers[item.period_id],
                        item.hours,
                    )
                )
    return [
        DeviationView(d, number_to_period.get((d.group_id, d.period_number)))
        for d in rules.compare_load(curriculum, items)
    ]


# -- subgroups -------------------------------------------------------------------------


@dataclass
class SubgroupView:
    subgroup: Subgroup
    student_ids: list[uuid.UUID]


async def save_subgroup(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group_id: uuid.UUID,
    cmd: SaveSubgroup,
    subgroup_id: uuid.UUID | None = None,
) -> SubgroupView:
    """A subgroup of a group with its members: students of that group only."""
    group = await repo.get(session, Group, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    if cmd.since is not None and abs((cmd.since - region.today()).days) > 366:
        raise InvalidState(
            "Подгруппа не сохранена: дата вне учебного года",
            errors=[{"field": "since", "message": "Дата состава — не дальше года от сегодня"}],
        )
    roster = {m.student_id for m in await repo.group_roster(session, tenant_id, group.id)}
    strangers = [s for s in cmd.student_ids if s not in roster]
    if strangers:
        raise InvalidState(
            "В подгруппу можно включить только обучающихся этой группы",
            errors=[{"field": "student_ids", "message": f"Не из этой группы: {len(strangers)}"}],
        )
    if subgroup_id is None:
        row = Subgroup(tenant_id=tenant_id, id=uuid.uuid4(), group_id=group.id, name=cmd.name)
        session.add(row)
    else:
        found = await repo.get(session, Subgroup, tenant_id, subgroup_id)
        if found is None or found.group_id != group.id:
            raise NotFound("Подгруппа не найдена")
        row = found
        row.name = cmd.name
    await session.flush()
    members = sorted(set(cmd.student_ids))
    await repo.replace_subgroup_members(session, tenant_id, row.id, members)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update" if subgroup_id else "create",
        entity="subgroup",
        entity_id=row.id,
        details={"members": len(members)},
    )
    await add_event(
        session,
        SUBGROUP_DEFINED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=row.id,
            data=SubgroupDefinedV1(
                subgroup_id=row.id,
                group_id=group.id,
                name=row.name,
                student_ids=members,
                since=cmd.since,
            ),
        ),
    )
    return SubgroupView(row, members)


async def subgroups(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> list[SubgroupView]:
    group = await repo.get(session, Group, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    rows = await repo.all_of(
        session, Subgroup, tenant_id, Subgroup.group_id == group.id, order_by=Subgroup.name
    )
    members = await repo.subgroup_members(session, tenant_id, [r.id for r in rows])
    return [SubgroupView(r, sorted(members.get(r.id, []))) for r in rows]


async def members(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, group_id: uuid.UUID
) -> list[GroupMember]:
    """A group's students (names) for making its subgroups: the read is audited."""
    group = await repo.get(session, Group, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    found = await repo.group_roster(session, tenant_id, group.id)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="read",
        entity="group_members",
        entity_id=group.id,
        details={"students": len(found)},
    )
    return found
