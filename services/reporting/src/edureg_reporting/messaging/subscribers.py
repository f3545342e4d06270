"""Thin subscribers: each event type goes to its projection (services/projections.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.contracts import events as ev
from edureg_reporting.services import projections as p
from edureg_shared.events.contract import Consumes
from edureg_shared.events.envelope import Envelope
from edureg_shared.service import Runtime


def _handler(apply: Any, doc: str) -> Any:
    async def handle(session: AsyncSession, events: list[Envelope]) -> None:
        await apply(session=session, events=events)

    handle.__doc__ = doc
    return handle


# In the order a replay applies them (docs/reports.md): who and what first, then the
# journal that refers to them; the handlers do not rely on it.
HANDLERS: dict[Consumes, Any] = {
    ev.GROUP_CREATED: _handler(p.on_groups_created, "Names the groups and their curators."),
    ev.CURATOR_CHANGED: _handler(
        p.on_curators_changed, "Who curates a group (who sees its reports)."
    ),
    ev.STUDENT_ENROLLED: _handler(
        p.on_students_enrolled, "Counts the students into their groups and the movement report."
    ),
    ev.STUDENT_EXPELLED: _handler(
        p.on_students_expelled,
        "Counts the students out of their groups and into the movement report.",
    ),
    **{
        c: _handler(p.namer(c), "The name reports show for the student, as it is now.")
        for c in (
            ev.STUDENT_RENAMED,
            ev.STUDENT_TRANSFERRED,
            ev.STUDENT_PROMOTED,
            ev.STUDENT_RETAINED,
            ev.STUDENT_REINSTATED,
            ev.LEAVE_ENDED,
        )
    },
    ev.PROFILE_CHANGED: _handler(
        p.on_profiles_changed, "When the organisation's profile was complete (a deadline)."
    ),
    ev.ORGANISATION_REGISTERED: _handler(
        p.on_organisations_registered, "The region's organisations for the regional views."
    ),
    ev.ORGANISATION_STATUS: _handler(
        p.on_organisation_status, "An organisation archived or restored."
    ),
    ev.ACCOUNTS_PROVISIONED: _handler(
        p.on_accounts_provisioned,
        "Whose account is which student's (who sees a student's reports).",
    ),
    ev.SIGNED_IN: _handler(p.on_signed_in, "Sign-ins per day and kind of account (activity)."),
    ev.TIMETABLE_PUBLISHED: _handler(
        p.on_published, "When the timetable was first published (a deadline)."
    ),
    ev.CALENDAR_CHANGED: _handler(
        p.on_calendar_changed, "The region's working days (deadlines in working days)."
    ),
    ev.YEAR_OPENED: _handler(p.on_years_opened, "The study periods reports are asked for."),
    ev.PERIOD_DEFINED: _handler(p.on_periods_defined, "The study periods reports are asked for."),
    ev.LOAD_ASSIGNED: _handler(
        p.loads(True), "Which teachers work in a group (who sees its reports)."
    ),
    ev.LOAD_REMOVED: _handler(
        p.loads(False), "Which teachers work in a group (who sees its reports)."
    ),
    ev.LESSONS_SCHEDULED: _handler(p.on_lessons_scheduled, "The lessons due, and subjects' names."),
    **{
        c: _handler(p.lesson_changes(c), "The lessons due, and subjects' names.")
        for c in (ev.LESSON_CHANGED, ev.LESSON_CANCELLED)
    },
    ev.ROSTER_CHANGED: _handler(p.on_roster_changed, "Who was in a group on which days."),
    **{
        c: _handler(p.marks(c), "The marks reports count.")
        for c in (ev.MARK_RECORDED, ev.MARK_CHANGED, ev.MARK_DELETED)
    },
    ev.ATTENDANCE_RECORDED: _handler(p.on_attendance, "The attendance reports count."),
    ev.LESSON_CONDUCTED: _handler(
        p.on_lessons_conducted, "When a lesson was entered (the one-day deadline)."
    ),
    ev.PERIOD_MARK_SET: _handler(p.on_period_marks, "The period marks reports show."),
    ev.FILE_COMPLETENESS: _handler(
        p.on_file_completeness, "How complete each personal file is (data completeness)."
    ),
    ev.GROUP_PLAN_SET: _handler(
        p.on_group_plans, "Which groups have a curriculum (data completeness)."
    ),
    ev.ABSENCE_DOCUMENTED: _handler(
        p.on_absences_documented, "When a documented absence's reason was corrected."
    ),
    ev.PLAN_SAVED: _handler(
        p.on_plans_saved, "When a subject's thematic plan was first saved (a deadline)."
    ),
}
CONSUMES = tuple(HANDLERS)


def register(runtime: Runtime) -> None:
    for event, handler in HANDLERS.items():
        runtime.consume(event, handler)
