"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.config import Settings
from edureg_identity.services import provisioning
from edureg_shared.events.consumer import subscribe
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


def register(runtime: Runtime, settings: Settings) -> None:
    prefix = settings.nats_prefix

    async def student_enrolled(session: AsyncSession, events: list[Envelope]) -> None:
        """Creates the students' and guardians' accounts and links guardians to children."""
        await provisioning.on_students_enrolled(session=session, events=events, prefix=prefix)

    async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
        """Disables the students' accounts and guardians left without an active child."""
        await provisioning.on_students_expelled(session=session, events=events, prefix=prefix)

    for event_type, handler in (
        ("contingent.student.enrolled", student_enrolled),
        ("contingent.student.expelled", student_expelled),
    ):
        subscribe(
            runtime.broker,
            settings=settings,
            db=runtime.db,
            service="identity",
            event_type=event_type,
            handler=handler,
        )
