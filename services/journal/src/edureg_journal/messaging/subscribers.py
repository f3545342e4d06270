"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts.events import STUDENT_ENROLLED, STUDENT_EXPELLED
from edureg_journal.services import rosters
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def student_enrolled(session: AsyncSession, events: list[Envelope]) -> None:
    """Adds the students to their groups' rosters from the orders' effective dates."""
    await rosters.on_students_enrolled(session=session, events=events)


async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Ends the students' roster memberships at the expulsion dates; the past stays."""
    await rosters.on_students_expelled(session=session, events=events)


HANDLERS = {STUDENT_ENROLLED: student_enrolled, STUDENT_EXPELLED: student_expelled}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
