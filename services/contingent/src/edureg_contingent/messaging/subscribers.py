"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import ORGANISATION_REGISTERED
from edureg_contingent.services import transfers
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def organisation_registered(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps the region's registry: where a student may be transferred."""
    await transfers.on_organisations_registered(session=session, events=events)


HANDLERS = {ORGANISATION_REGISTERED: organisation_registered}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
