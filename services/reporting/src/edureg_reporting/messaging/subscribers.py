"""Thin subscribers: each translates an event into one projection update."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.config import Settings
from edureg_reporting.services import projections
from edureg_shared.events.consumer import subscribe
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def group_created(session: AsyncSession, event: Envelope) -> None:
    """Names the group in the occupancy report."""
    await projections.on_group_created(session=session, event=event)


async def student_enrolled(session: AsyncSession, event: Envelope) -> None:
    """Counts the student into the group and the movement report."""
    await projections.on_student_enrolled(session=session, event=event)


async def student_expelled(session: AsyncSession, event: Envelope) -> None:
    """Counts the student out of the group and into the movement report."""
    await projections.on_student_expelled(session=session, event=event)


def register(runtime: Runtime, settings: Settings) -> None:
    for event_type, handler in (
        ("contingent.group.created", group_created),
        ("contingent.student.enrolled", student_enrolled),
        ("contingent.student.expelled", student_expelled),
    ):
        subscribe(
            runtime.broker,
            settings=settings,
            db=runtime.db,
            service="reporting",
            event_type=event_type,
            handler=handler,
        )
