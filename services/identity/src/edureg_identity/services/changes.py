"""`identity.account.changed`: told whenever what an account may do or how it signs in
changes, for whoever mirrors accounts (the Keycloak mirror, later reporting)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.contracts.events import ACCOUNT_CHANGED, AccountChangedV1
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_events


async def announce(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    accounts: Iterable[tuple[uuid.UUID, str]],
) -> None:
    await add_events(
        session,
        [
            ACCOUNT_CHANGED.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=user_id,
                data=AccountChangedV1(user_id=user_id, kind=kind),  # type: ignore[arg-type,unused-ignore]
            )
            for user_id, kind in accounts
        ],
    )
