from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import GROUP_CREATED, GroupCreatedV1
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import Group
from edureg_contingent.services.commands import CreateGroup
from edureg_shared import audit
from edureg_shared.errors import Conflict, NotFound
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.events.outbox import add_event


async def create_group(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: CreateGroup, prefix: str = ""
) -> Group:
    if await repo.find_group(session, tenant_id, cmd.academic_year, cmd.name):
        raise Conflict(f"Группа «{cmd.name}» на {cmd.academic_year} учебный год уже есть")
    group = Group(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        name=cmd.name,
        grade=cmd.grade,
        academic_year=cmd.academic_year,
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
        Envelope(
            type=GROUP_CREATED,
            tenant_id=tenant_id,
            actor=actor,
            subject_id=group.id,
            data=GroupCreatedV1(
                group_id=group.id,
                name=group.name,
                grade=group.grade,
                academic_year=group.academic_year,
            ).model_dump(mode="json"),
        ),
        prefix=prefix,
    )
    return group


async def get_group(*, session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID) -> Group:
    group = await repo.get_group(session, tenant_id, group_id)
    if group is None:
        raise NotFound("Группа не найдена")
    return group


async def list_groups(*, session: AsyncSession, tenant_id: uuid.UUID) -> Sequence[Group]:
    return await repo.list_groups(session, tenant_id)
