"""Audit trail: every change of a mark, an order or a personal file, and every read of a
minor's personal data, is recorded with who and when (152-FZ)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.events import tables
from edureg_shared.events.envelope import Actor

_md = MetaData()
AUDIT_LOG = tables.audit_log(_md)


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction. `details` holds ids and field
    names, not personal values."""
    await session.execute(
        AUDIT_LOG.insert().values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            actor_kind=actor.kind,
            actor_id=actor.id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details or {},
        )
    )


@dataclass(frozen=True)
class Entry:
    actor: Actor
    action: str
    entity: str
    entity_id: uuid.UUID | None
    details: dict[str, Any] = field(default_factory=dict)


async def record_many(session: AsyncSession, *, tenant_id: uuid.UUID, entries: list[Entry]) -> None:
    """Many audit rows in one statement (bulk event handling)."""
    if not entries:
        return
    conn = await session.connection()
    await conn.execute(
        AUDIT_LOG.insert(),
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "actor_kind": e.actor.kind,
                "actor_id": e.actor.id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "details": e.details,
            }
            for e in entries
        ],
    )
