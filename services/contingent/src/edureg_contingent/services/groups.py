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
from edureg_contingent.persistence.tables import Group
from edureg_contingent.services.commands import AssignCurator, CreateGroup
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
    group = Group(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        name=cmd.name,
        grade=cmd.grade,
        academic_year=cmd.academic_year,
        curator_user_id=cmd.curator_user_id,
    )
    session.add(group)
    await session.flush()
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
