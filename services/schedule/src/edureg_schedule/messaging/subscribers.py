"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts import events as c
from edureg_schedule.services import projections
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def group_created(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps the groups the timetable is made for."""
    await projections.on_groups_created(session=session, events=events)


async def curator_changed(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps each group's curator (told of the group's lesson changes)."""
    await projections.on_curators_changed(session=session, events=events)


async def group_closed(session: AsyncSession, events: list[Envelope]) -> None:
    """A closed group gets no timetable."""
    await projections.on_groups_closed(session=session, events=events)


def _joined(contract: c.Consumes):  # type: ignore[no-untyped-def]
    async def handler(session: AsyncSession, events: list[Envelope]) -> None:
        """Puts the students into their group (for sizes, subgroups, their timetable)."""
        await projections.on_joined(session=session, events=events, contract=contract)

    return handler


def _moved(contract: c.Consumes):  # type: ignore[no-untyped-def]
    async def handler(session: AsyncSession, events: list[Envelope]) -> None:
        """Moves the students to their new group."""
        await projections.on_moved(session=session, events=events, contract=contract)

    return handler


def _left(contract: c.Consumes):  # type: ignore[no-untyped-def]
    async def handler(session: AsyncSession, events: list[Envelope]) -> None:
        """Takes the students out of their group and its subgroups."""
        await projections.on_left(session=session, events=events, contract=contract)

    return handler


async def order_cancelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Puts students back where a cancelled order found them."""
    await projections.on_orders_cancelled(session=session, events=events)


async def student_renamed(session: AsyncSession, events: list[Envelope]) -> None:
    """Shows a corrected name in subgroup lists and parents' timetables."""
    await projections.on_renamed(session=session, events=events)


async def accounts_provisioned(session: AsyncSession, events: list[Envelope]) -> None:
    """Links the student's and the guardians' accounts to the student ("my timetable")."""
    await projections.on_accounts_provisioned(session=session, events=events)


async def account_disabled(session: AsyncSession, events: list[Envelope]) -> None:
    """Revokes a disabled account's calendar links."""
    await projections.on_accounts_disabled(session=session, events=events)


HANDLERS = {
    c.GROUP_CREATED: group_created,
    c.CURATOR_CHANGED: curator_changed,
    c.GROUP_CLOSED: group_closed,
    c.STUDENT_ENROLLED: _joined(c.STUDENT_ENROLLED),
    c.LEAVE_ENDED: _joined(c.LEAVE_ENDED),
    c.STUDENT_REINSTATED: _joined(c.STUDENT_REINSTATED),
    c.STUDENT_TRANSFERRED: _moved(c.STUDENT_TRANSFERRED),
    c.STUDENT_PROMOTED: _moved(c.STUDENT_PROMOTED),
    c.STUDENT_RETAINED: _moved(c.STUDENT_RETAINED),
    c.STUDENT_EXPELLED: _left(c.STUDENT_EXPELLED),
    c.STUDENT_GRADUATED: _left(c.STUDENT_GRADUATED),
    c.LEAVE_STARTED: _left(c.LEAVE_STARTED),
    c.ORDER_CANCELLED: order_cancelled,
    c.STUDENT_RENAMED: student_renamed,
    c.ACCOUNTS_PROVISIONED: accounts_provisioned,
    c.ACCOUNT_DISABLED: account_disabled,
}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
