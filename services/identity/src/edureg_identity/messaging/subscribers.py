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

    async def student_enrolled(session: AsyncSession, event: Envelope) -> None:
        """Creates the student's and guardians' accounts and links guardians to the child."""
        await provisioning.on_student_enrolled(session=session, event=event, prefix=prefix)

    async def student_expelled(session: AsyncSession, event: Envelope) -> None:
        """Disables the student's account and guardians left without an active child."""
        await provisioning.on_student_expelled(session=session, event=event, prefix=prefix)

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
