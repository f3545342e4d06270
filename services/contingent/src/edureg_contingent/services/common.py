"""What several use cases do alike."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared import audit
from edureg_shared.events.envelope import Actor

Row = TypeVar("Row")


async def add_audited(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, row: Row, entity: str
) -> Row:
    """A new row of `entity`, saved, with its creation in the audit log (who, when)."""
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity=entity,
        entity_id=_id(row),
    )
    return row


def _id(row: Any) -> uuid.UUID:
    value = row.id
    assert isinstance(value, uuid.UUID)
    return value
