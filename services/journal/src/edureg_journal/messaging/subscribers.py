"""Thin subscribers: each translates an event into one service call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.contracts.events import (
    LEAVE_ENDED,
    LEAVE_STARTED,
    ORDER_CANCELLED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    STUDENT_GRADUATED,
    STUDENT_PROMOTED,
    STUDENT_REINSTATED,
    STUDENT_RENAMED,
    STUDENT_RETAINED,
    STUDENT_TRANSFERRED,
)
from edureg_journal.services import diary, lessons, periods, rosters, year_marks
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


async def student_enrolled(session: AsyncSession, events: list[Envelope]) -> None:
    """Adds the students to their groups' rosters from the orders' effective dates."""
    await rosters.on_students_enrolled(session=session, events=events)


async def student_expelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Ends the students' roster memberships at the expulsion dates; the past stays."""
    await rosters.on_students_expelled(session=session, events=events)


async def student_graduated(session: AsyncSession, events: list[Envelope]) -> None:
    """Ends the graduates' memberships at the graduation date."""
    await rosters.on_students_graduated(session=session, events=events)


async def student_moved(session: AsyncSession, events: list[Envelope]) -> None:
    """Moves the students from one group's roster to another's (transfer, promotion,
    retention)."""
    await rosters.on_students_moved(session=session, events=events)


async def leave_started(session: AsyncSession, events: list[Envelope]) -> None:
    """Takes students on academic leave out of their group's roster from its start."""
    await rosters.on_leave_started(session=session, events=events)


async def student_returned(session: AsyncSession, events: list[Envelope]) -> None:
    """Puts students back from leave, or reinstated, into a group's roster."""
    await rosters.on_students_returned(session=session, events=events)


async def student_renamed(session: AsyncSession, events: list[Envelope]) -> None:
    """Shows a corrected name in every roster of the student."""
    await rosters.on_students_renamed(session=session, events=events)


async def order_cancelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Undoes a cancelled order's effect on rosters."""
    await rosters.on_orders_cancelled(session=session, events=events)


async def lessons_scheduled(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps the lessons schedule generated (what the teacher entered stays)."""
    await lessons.on_lessons_scheduled(session=session, events=events)


async def lesson_changed(session: AsyncSession, events: list[Envelope]) -> None:
    """Applies a substitution, a move, another room, an extra lesson."""
    await lessons.on_lessons_changed(session=session, events=events, contract=c.LESSON_CHANGED)


async def lesson_cancelled(session: AsyncSession, events: list[Envelope]) -> None:
    """Marks a lesson cancelled; one that holds marks is flagged, never deleted."""
    await lessons.on_lessons_changed(session=session, events=events, contract=c.LESSON_CANCELLED)


async def load_assigned(session: AsyncSession, events: list[Envelope]) -> None:
    """Lets a teacher keep the journal of what their load gives them."""
    await lessons.on_load_assigned(session=session, events=events)


async def load_removed(session: AsyncSession, events: list[Envelope]) -> None:
    """Takes a teacher's journal away with their load."""
    await lessons.on_load_removed(session=session, events=events)


async def subgroup_defined(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps a subgroup's members (a subgroup's lesson lists them only)."""
    await lessons.on_subgroups_defined(session=session, events=events)


async def accounts_provisioned(session: AsyncSession, events: list[Envelope]) -> None:
    """Links the student's and the guardians' accounts to the student (the diary)."""
    await diary.on_accounts_provisioned(session=session, events=events)


async def group_created(session: AsyncSession, events: list[Envelope]) -> None:
    """Remembers each group's curator (reads the group's journal)."""
    await lessons.on_curators(session=session, events=events, contract=c.GROUP_CREATED)


async def curator_changed(session: AsyncSession, events: list[Envelope]) -> None:
    """The group's journal passes to its new curator."""
    await lessons.on_curators(session=session, events=events, contract=c.GROUP_CURATOR_CHANGED)


async def period_ended(session: AsyncSession, events: list[Envelope]) -> None:
    """Closes the ended study period's journal (read-only until an administrator reopens)."""
    await periods.on_periods_ended(session=session, events=events)


async def years_defined(session: AsyncSession, events: list[Envelope]) -> None:
    """Keeps the academic years and their periods (the year's marks are the year's)."""
    await year_marks.on_years(session=session, events=events)


HANDLERS = {
    c.ACADEMIC_YEAR_OPENED: years_defined,
    c.PERIOD_DEFINED: years_defined,
    c.PERIOD_ENDED: period_ended,
    c.GROUP_CREATED: group_created,
    c.GROUP_CURATOR_CHANGED: curator_changed,
    c.ACCOUNTS_PROVISIONED: accounts_provisioned,
    c.LESSONS_SCHEDULED: lessons_scheduled,
    c.LESSON_CHANGED: lesson_changed,
    c.LESSON_CANCELLED: lesson_cancelled,
    c.LOAD_ASSIGNED: load_assigned,
    c.LOAD_REMOVED: load_removed,
    c.SUBGROUP_DEFINED: subgroup_defined,
    STUDENT_ENROLLED: student_enrolled,
    STUDENT_EXPELLED: student_expelled,
    STUDENT_GRADUATED: student_graduated,
    STUDENT_TRANSFERRED: student_moved,
    STUDENT_PROMOTED: student_moved,
    STUDENT_RETAINED: student_moved,
    LEAVE_STARTED: leave_started,
    LEAVE_ENDED: student_returned,
    STUDENT_REINSTATED: student_returned,
    ORDER_CANCELLED: order_cancelled,
    STUDENT_RENAMED: student_renamed,
}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
