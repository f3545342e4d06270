from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import (
    GROUP_CREATED,
    GROUP_CURATOR_CHANGED,
    GroupCreatedV1,
    GroupCuratorChangedV1,
)
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import CuratorChange, Department, Group, Specialty
from edureg_contingent.services.commands import (
    AssignCurator,
    CreateDepartment,
    CreateGroup,
    CreateSpecialty,
)
from edureg_contingent.services.common import add_audited
from edureg_shared import audit
from edureg_shared.errors import Conflict, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest


async def create_group(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateGroup
) -> Group:
    if await repo.find_group(session, tenant_id, cmd.academic_year, cmd.name):
        raise Conflict(
            "Группа с таким названием на этот учебный год уже есть",
            errors=[
                {"field": "academic_year", "message": "Значение уже занято"},
                {"field": "name", "message": "Значение уже занято"},
            ],
        )
    study_form = cmd.study_form
    if cmd.department_id and not await repo.get_department(session, tenant_id, cmd.department_id):
        raise NotFound("Отделение не найдено")
    if cmd.specialty_id:
        specialty = await repo.get_specialty(session, tenant_id, cmd.specialty_id)
        if specialty is None:
            raise NotFound("Специальность не найдена")
        study_form = study_form or specialty.study_form
    group = Group(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        name=cmd.name,
        grade=cmd.grade,
        academic_year=cmd.academic_year,
        curator_user_id=cmd.curator_user_id,
        department_id=cmd.department_id,
        specialty_id=cmd.specialty_id,
        study_form=study_form,
        funding=cmd.funding,
    )
    session.add(group)
    await session.flush()
    if cmd.curator_user_id:
        _record_curator(session, group, None, actor)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity="group",
        entity_id=group.id,
    )
    await add_event(
        session,
        GROUP_CREATED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=group.id,
            data=GroupCreatedV1(
                group_id=group.id,
                name=group.name,
                grade=group.grade,
                academic_year=group.academic_year,
                curator_user_id=group.curator_user_id,
            ),
        ),
    )
    return group


async def assign_curator(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    group_id: uuid.UUID,
    cmd: AssignCurator,
) -> Group:
    """Appoint, replace or remove a group's curator; the change is audited and announced
    (identity limits what a curator may do to the students of their own groups)."""
    group = await repo.get_group(session, tenant_id, group_id, for_update=True)
    if group is None:
        raise NotFound("Группа не найдена")
    if group.curator_user_id == cmd.curator_user_id:
        return group
    previous = group.curator_user_id
    group.curator_user_id = cmd.curator_user_id
    _record_curator(session, group, previous, actor)
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="assign_curator",
        entity="group",
        entity_id=group.id,
        details={
            "previous": str(previous) if previous else None,
            "curator_user_id": str(cmd.curator_user_id) if cmd.curator_user_id else None,
        },
    )
    await add_event(
        session,
        GROUP_CURATOR_CHANGED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=group.id,
            data=GroupCuratorChangedV1(group_id=group.id, curator_user_id=cmd.curator_user_id),
        ),
    )
    return group


async def get_group(*, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID) -> Group:
    group = await repo.get_group(session, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    return group


async def list_groups(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Group], int]:
    return await repo.list_groups(session, tenant_id, page)


def _record_curator(
    session: AsyncSession, group: Group, previous: uuid.UUID | None, actor: Actor
) -> None:
    assert actor.id is not None
    session.add(
        CuratorChange(
            tenant_id=group.tenant_id,
            id=uuid.uuid4(),
            group_id=group.id,
            curator_user_id=group.curator_user_id,
            previous_user_id=previous,
            changed_by=actor.id,
        )
    )


async def curator_history(
    *, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, page: PageRequest
) -> tuple[list[CuratorChange], int]:
    if await repo.get_group(session, tenant_id, group_id) is None:
        raise NotFound("Группа не найдена")
    return await repo.curator_changes(session, tenant_id, group_id, page)


async def create_department(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateDepartment
) -> Department:
    department = Department(tenant_id=tenant_id, id=uuid.uuid4(), name=cmd.name)
    return await add_audited(session, tenant_id, actor, department, "department")


async def create_specialty(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateSpecialty
) -> Specialty:
    specialty = Specialty(tenant_id=tenant_id, id=uuid.uuid4(), **cmd.model_dump())
    return await add_audited(session, tenant_id, actor, specialty, "specialty")


async def list_departments(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Department], int]:
    return await repo.list_departments(session, tenant_id, page)


async def list_specialties(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[Specialty], int]:
    return await repo.list_specialties(session, tenant_id, page)
