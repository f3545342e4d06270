"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.config import Settings
from edureg_journal.services import rosters
from edureg_shared.events.consumer import subscribe
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


def register(runtime: Runtime, settings: Settings) -> None:
    prefix = settings.nats_prefix

    async def student_enrolled(session: AsyncSession, events: list[Envelope]) -> None:
        """Adds the students to their groups' rosters from the orders' effective dates."""
        await rosters.on_students_enrolled(session=session, events=events, prefix=prefix)

    async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
        """Ends the students' roster memberships at the expulsion dates; the past stays."""
        await rosters.on_students_expelled(session=session, events=events, prefix=prefix)

    for event_type, handler in (
        ("contingent.student.enrolled", student_enrolled),
        ("contingent.student.expelled", student_expelled),
    ):
        subscribe(
            runtime.broker,
            settings=settings,
            db=runtime.db,
            service="journal",
            event_type=event_type,
            handler=handler,
        )
