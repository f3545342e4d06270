"""What several use cases do alike."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared import audit
from edureg_shared.events.envelope import Actor

Row = TypeVar("Row")


async def saved(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    row: Row,
    entity: str,
    *,
    action: str = "create",
    details: dict[str, Any] | None = None,
) -> Row:
    """`row` added (if new) and written, with who did what to it in the audit log."""
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=getattr(row, "id", None),
        details=details,
    )
    return row
