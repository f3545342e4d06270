"""An organisation's positions and who holds which (003 3.3.2, 3.3.6): the administrator
creates positions with a chosen set of permissions and assigns several to one person.

What the actor may grant is read from the database, not only from their token: a right
taken away a minute ago cannot be passed on with a token issued before. A change reaches
the holders' tokens at their next renewal (access tokens live minutes).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.domain import positions as rules
from edureg_identity.domain.permissions import MANAGE_POSITIONS, token_permissions
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import Position, User
from edureg_identity.services import changes
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Conflict, NotFound
from edureg_shared.events.envelope import Actor


@dataclass(frozen=True)
class PositionWrite:
    title: str
    permissions: list[str]


@dataclass(frozen=True)
class Listed:
    position: Position
    holders: int


async def actor_permissions(session: AsyncSession, principal: Principal) -> frozenset[str]:
    """What the caller holds now: their token's rights that the database still grants."""
    grants = await repo.grants_of(session, principal.tenant_id, principal.user_id)
    held = token_permissions(principal.kind, set(grants.permissions), grants.organisation_kind)
    return frozenset(held) & principal.permissions


async def _organisation_kind(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    org = await repo.get_organisation(session, tenant_id)
    return org.kind if org else "school"


def _actor(principal: Principal) -> Actor:
    return Actor(kind="user", id=principal.user_id)


async def ensure_someone_manages(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """After a change to positions or accounts: someone active still manages positions."""
    await session.flush()
    rules.check_someone_still_manages(
        await repo.count_holding(session, tenant_id, MANAGE_POSITIONS)
    )


async def list_positions(*, session: AsyncSession, principal: Principal) -> list[Listed]:
    rows = await repo.list_positions(session, principal.tenant_id)
    return [Listed(position=p, holders=n) for p, n in rows]


async def get_position(
    *, session: AsyncSession, principal: Principal, position_id: uuid.UUID
) -> Listed:
    position = await repo.get_position(session, principal.tenant_id, position_id)
    if position is None:
        raise NotFound("Должность не найдена")
    return Listed(
        position=position,
        holders=await repo.holders_count(session, principal.tenant_id, position_id),
    )


async def _check_title_free(
    session: AsyncSession, tenant_id: uuid.UUID, title: str, but: uuid.UUID | None = None
) -> None:
    if await repo.position_title_taken(session, tenant_id, title, but=but):
        raise Conflict(
            f"Должность «{title}» уже есть",
            errors=[{"field": "title", "message": "Такое название уже занято"}],
        )


async def create_position(
    *, session: AsyncSession, principal: Principal, cmd: PositionWrite
) -> Position:
    title = rules.check_title(cmd.title)
    perms = rules.check_permissions(
        cmd.permissions,
        organisation_kind=await _organisation_kind(session, principal.tenant_id),
        actor_permissions=await actor_permissions(session, principal),
    )
    await _check_title_free(session, principal.tenant_id, title)
    position = Position(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        # A stable code for tokens and logs; people see the title.
        code=f"own-{uuid.uuid4().hex[:12]}",
        title=title,
        permissions=perms,
        builtin=False,
        account_kind="staff",
    )
    session.add(position)
    await session.flush()
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=_actor(principal),
        action="create",
        entity="position",
        entity_id=position.id,
        details={"permissions": perms},
    )
    await session.refresh(position)
    return position


async def update_position(
    *,
    session: AsyncSession,
    principal: Principal,
    position_id: uuid.UUID,
    cmd: PositionWrite,
) -> Listed:
    position = await repo.get_position(session, principal.tenant_id, position_id, for_update=True)
    if position is None:
        raise NotFound("Должность не найдена")
    rules.check_editable(builtin=position.builtin)
    held = await actor_permissions(session, principal)
    title = rules.check_title(cmd.title)
    perms = rules.check_permissions(
        cmd.permissions,
        organisation_kind=await _organisation_kind(session, principal.tenant_id),
        actor_permissions=held,
    )
    # Taking a right away from the position's holders needs that right too.
    rules.check_not_beyond(held, position.permissions)
    await _check_title_free(session, principal.tenant_id, title, but=position.id)
    before = sorted(position.permissions)
    position.title = title
    position.permissions = perms
    position.updated_at = datetime.now(UTC)
    await ensure_someone_manages(session, principal.tenant_id)
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=_actor(principal),
        action="update",
        entity="position",
        entity_id=position.id,
        details={"permissions_before": before, "permissions": perms},
    )
    if set(before) != set(perms):
        await changes.announce(
            session,
            principal.tenant_id,
            _actor(principal),
            await repo.holders(session, principal.tenant_id, position.id),
        )
    return Listed(
        position=position,
        holders=await repo.holders_count(session, principal.tenant_id, position.id),
    )


async def delete_position(
    *, session: AsyncSession, principal: Principal, position_id: uuid.UUID
) -> None:
    position = await repo.get_position(session, principal.tenant_id, position_id, for_update=True)
    if position is None:
        raise NotFound("Должность не найдена")
    rules.check_deletable(
        builtin=position.builtin,
        holders=await repo.holders_count(session, principal.tenant_id, position.id),
    )
    rules.check_not_beyond(await actor_permissions(session, principal), position.permissions)
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=_actor(principal),
        action="delete",
        entity="position",
        entity_id=position.id,
        details={"title": position.title, "permissions": sorted(position.permissions)},
    )
    await repo.delete_position(session, position)


async def _staff_target(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await repo.get_user(session, principal.tenant_id, user_id, for_update=True)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    return user


async def positions_of(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> list[Position]:
    user = await repo.get_user(session, principal.tenant_id, user_id)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    return await repo.positions_of_user(session, principal.tenant_id, user_id)


async def set_positions(
    *,
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    position_ids: Sequence[uuid.UUID],
) -> list[Position]:
    """Replace the positions a staff member holds (several at once, 003 3.3.2)."""
    user = await _staff_target(session, principal, user_id)
    wanted = list(dict.fromkeys(position_ids))
    found = await repo.positions_by_ids(session, principal.tenant_id, wanted)
    if len(found) != len(wanted):
        raise NotFound("Должность не найдена")
    current = await repo.positions_of_user(session, principal.tenant_id, user.id)
    rules.check_assignment(
        actor_id=principal.user_id,
        actor_permissions=await actor_permissions(session, principal),
        target_id=user.id,
        target_kind=user.kind,
        before=frozenset(p for pos in current for p in pos.permissions),
        after=frozenset(p for pos in found for p in pos.permissions),
        assignable=all(p.account_kind == "staff" for p in found),
    )
    await repo.set_user_positions(session, principal.tenant_id, user.id, wanted)
    await ensure_someone_manages(session, principal.tenant_id)
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=_actor(principal),
        action="set_positions",
        entity="user",
        entity_id=user.id,
        details={
            "before": sorted(p.code for p in current),
            "after": sorted(p.code for p in found),
        },
    )
    await changes.announce(session, principal.tenant_id, _actor(principal), [(user.id, user.kind)])
    return sorted(found, key=lambda p: p.title)
