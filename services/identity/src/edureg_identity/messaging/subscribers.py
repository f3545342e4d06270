"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity import mirror
from edureg_identity.contracts.events import (
    ACCOUNTS_REQUESTED,
    CALENDAR_CHANGED,
    EMPLOYEE_DISMISSED,
    EMPLOYEE_HIRED,
    GROUP_CREATED,
    GROUP_CURATOR_CHANGED,
    LEAVE_ENDED,
    ORDER_CANCELLED,
    OWN_ACCOUNT_CHANGED,
    OWN_ACCOUNT_DISABLED,
    OWN_ACCOUNTS_PROVISIONED,
    OWN_ORGANISATION_REGISTERED,
    STUDENT_EXPELLED,
    STUDENT_GRADUATED,
    STUDENT_PROMOTED,
    STUDENT_RETAINED,
    STUDENT_TRANSFERRED,
)
from edureg_identity.services import calendar, provisioning
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def accounts_requested(session: AsyncSession, events: list[Envelope]) -> None:
    """Creates the students' and guardians' accounts and links guardians to children."""
    await provisioning.on_accounts_requested(session=session, events=events)


async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Disables the students' accounts and guardians left without an active child."""
    await provisioning.on_students_expelled(session=session, events=events)


async def student_moved(session: AsyncSession, events: list[Envelope]) -> None:
    """The student's account follows them to their new group (and its curator)."""
    await provisioning.on_students_moved(session=session, events=events)


async def leave_ended(session: AsyncSession, events: list[Envelope]) -> None:
    """The student's account follows them back from leave into their group."""
    await provisioning.on_leave_ended(session=session, events=events)


async def order_cancelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Accounts follow a cancelled order's students back to where they were."""
    await provisioning.on_orders_cancelled(session=session, events=events)


async def employee_hired(session: AsyncSession, events: list[Envelope]) -> None:
    """Opens (or re-opens) the staff accounts of people a hiring order took on."""
    await provisioning.on_employees_hired(session=session, events=events)


async def employee_dismissed(session: AsyncSession, events: list[Envelope]) -> None:
    """Closes the staff accounts of people a dismissal order let go."""
    await provisioning.on_employees_dismissed(session=session, events=events)


async def group_created(session: AsyncSession, events: list[Envelope]) -> None:
    """Remembers each new group's curator."""
    await provisioning.on_groups_created(session=session, events=events)


async def curator_changed(session: AsyncSession, events: list[Envelope]) -> None:
    """Moves a group's curator rights to its new curator."""
    await provisioning.on_curators_changed(session=session, events=events)


async def mirror_account(session: AsyncSession, events: list[Envelope]) -> None:
    """Keycloak provider only: the account, as it is now, into the realm."""
    await mirror.on_account_events(session, events)


async def mirror_organisation(session: AsyncSession, events: list[Envelope]) -> None:
    """Keycloak provider only: the organisation as a Keycloak Organization."""
    await mirror.on_organisations_registered(session, events)


async def calendar_changed(session: AsyncSession, events: list[Envelope]) -> None:
    """Counts working days with the region's corrections (overdue credential slips)."""
    await calendar.on_calendar_changed(session=session, events=events)


HANDLERS = {
    ACCOUNTS_REQUESTED: accounts_requested,
    CALENDAR_CHANGED: calendar_changed,
    STUDENT_EXPELLED: student_expelled,
    STUDENT_GRADUATED: student_expelled,
    STUDENT_TRANSFERRED: student_moved,
    STUDENT_PROMOTED: student_moved,
    STUDENT_RETAINED: student_moved,
    LEAVE_ENDED: leave_ended,
    ORDER_CANCELLED: order_cancelled,
    EMPLOYEE_HIRED: employee_hired,
    EMPLOYEE_DISMISSED: employee_dismissed,
    GROUP_CREATED: group_created,
    GROUP_CURATOR_CHANGED: curator_changed,
    OWN_ACCOUNTS_PROVISIONED: mirror_account,
    OWN_ACCOUNT_CHANGED: mirror_account,
    OWN_ACCOUNT_DISABLED: mirror_account,
    OWN_ORGANISATION_REGISTERED: mirror_organisation,
}
CONSUMES = tuple(HANDLERS)


MIRROR = (OWN_ACCOUNTS_PROVISIONED, OWN_ACCOUNT_CHANGED, OWN_ACCOUNT_DISABLED)


def register(runtime: Runtime) -> None:
    mirror.configure(runtime.settings)
    for event, handler in HANDLERS.items():
        # The built-in provider mirrors nothing: its own events are not read back at all.
        if runtime.settings.provider == "keycloak" or event not in (
            *MIRROR,
            OWN_ORGANISATION_REGISTERED,
        ):
            runtime.consume(event, handler)
