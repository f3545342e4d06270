"""The read models, kept from the other services' events. Every handler is idempotent
per event (the inbox) and indifferent to the order events of different types arrive in:
rows several events touch keep the newest state (`repository.upsert_newest`)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.contracts import events as ev
from edureg_reporting.persistence import repository as repo
from edureg_reporting.persistence.tables import (
    AbsenceDocument,
    AcademicYear,
    AccountLink,
    Attendance,
    CalendarDay,
    GroupOccupancy,
    LastSignIn,
    Lesson,
    LessonEntry,
    Mark,
    MovementEntry,
    Organisation,
    Period,
    PeriodMark,
    PlanSave,
    ProfileSave,
    Publication,
    SignInDay,
    Student,
    TeachingLoad,
)
from edureg_shared.events.consumer import NotYet
from edureg_shared.events.envelope import Envelope
from edureg_shared.paging import PageRequest, check_range

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class MembershipNotYetKnown(NotYet):
    """A roster membership's end came before its beginning: retried later."""


# -- contingent ----------------------------------------------------------------------------


async def on_groups_created(*, session: AsyncSession, events: list[Envelope]) -> None:
    for event in events:
        data = ev.GROUP_CREATED.parse(event.data)
        await repo.upsert_group(
            session, event.tenant_id, data.group_id, data.name, data.grade, data.academic_year
        )
        await repo.set_curator(
            session, event.tenant_id, data.group_id, data.curator_user_id, event.occurred_at
        )


async def on_curators_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    for event in events:
        data = ev.CURATOR_CHANGED.parse(event.data)
        await repo.set_curator(
            session, event.tenant_id, data.group_id, data.curator_user_id, event.occurred_at
        )


async def on_profiles_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        d = ev.PROFILE_CHANGED.parse(e.data)
        rows.append(
            {
                "tenant_id": e.tenant_id,
                "event_id": e.id,
                "saved_at": e.occurred_at,
                "complete": d.complete,
                "missing": len(d.missing_fields),
            }
        )
    await session.execute(insert(ProfileSave).values(rows).on_conflict_do_nothing())


# -- identity ------------------------------------------------------------------------------


async def on_organisations_registered(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in events:
        d = ev.ORGANISATION_REGISTERED.parse(e.data)
        values = {
            "code": d.code,
            "kind": d.kind,
            "name": d.name,
            "short_name": d.short_name,
            "municipality": d.municipality,
        }
        stmt = insert(Organisation).values(
            organisation_id=d.organisation_id, as_of=e.occurred_at, **values
        )
        await session.execute(
            stmt.on_conflict_do_update(index_elements=["organisation_id"], set_=values)
        )


async def on_organisation_status(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Archived or restored; a status that came before the registration waits for it."""
    for e in events:
        d = ev.ORGANISATION_STATUS.parse(e.data)
        stmt = insert(Organisation).values(
            organisation_id=d.organisation_id,
            code="",
            kind="",
            name="",
            short_name="",
            municipality="",
            status=d.status,
            as_of=e.occurred_at,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["organisation_id"],
                set_={"status": d.status, "as_of": e.occurred_at},
                where=Organisation.as_of <= e.occurred_at,
            )
        )


async def on_accounts_provisioned(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    for e in sorted(events, key=lambda e: e.occurred_at, reverse=True):  # the first stays
        d = ev.ACCOUNTS_PROVISIONED.parse(e.data)
        for a in d.accounts:
            if a.kind in ("student", "guardian"):
                rows[(a.user_id, d.student_id)] = {
                    "tenant_id": e.tenant_id,
                    "user_id": a.user_id,
                    "student_id": d.student_id,
                    "kind": a.kind,
                    "provisioned_at": e.occurred_at,
                }
    if rows:
        # The first announcement is when the account was made: kept, never moved later.
        stmt = insert(AccountLink).values(list(rows.values()))
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "user_id", "student_id"],
                set_={"provisioned_at": stmt.excluded.provisioned_at},
                where=(AccountLink.provisioned_at.is_(None))
                | (AccountLink.provisioned_at > stmt.excluded.provisioned_at),
            )
        )


async def on_group_plans(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A group has a curriculum or not, by the newest event (a group not known yet is
    kept as a row without a name until contingent names it)."""
    for e in sorted(events, key=lambda e: e.occurred_at):
        d = ev.GROUP_PLAN_SET.parse(e.data)
        stmt = insert(GroupOccupancy).values(
            tenant_id=e.tenant_id,
            group_id=d.group_id,
            has_curriculum=d.curriculum_id is not None,
            curriculum_as_of=e.occurred_at,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "group_id"],
                set_={
                    "has_curriculum": stmt.excluded.has_curriculum,
                    "curriculum_as_of": stmt.excluded.curriculum_as_of,
                },
                where=(GroupOccupancy.curriculum_as_of.is_(None))
                | (GroupOccupancy.curriculum_as_of <= stmt.excluded.curriculum_as_of),
            )
        )


async def on_absences_documented(*, session: AsyncSession, events: list[Envelope]) -> None:
    """The first correction on each document: a later one on the same day's document
    keeps the first time; a newer document (another day) replaces it."""
    for e in sorted(events, key=lambda e: ev.ABSENCE_DOCUMENTED.parse(e.data).corrected_at):
        d = ev.ABSENCE_DOCUMENTED.parse(e.data)
        stmt = insert(AbsenceDocument).values(
            tenant_id=e.tenant_id,
            lesson_id=d.lesson_id,
            student_id=d.student_id,
            group_id=d.group_id,
            document_on=d.document_on,
            corrected_at=d.corrected_at,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "lesson_id", "student_id"],
                set_={
                    "document_on": stmt.excluded.document_on,
                    "corrected_at": stmt.excluded.corrected_at,
                },
                where=(AbsenceDocument.document_on < stmt.excluded.document_on)
                | (
                    (AbsenceDocument.document_on == stmt.excluded.document_on)
                    & (AbsenceDocument.corrected_at > stmt.excluded.corrected_at)
                ),
            )
        )


async def on_plans_saved(*, session: AsyncSession, events: list[Envelope]) -> None:
    first: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    for e in events:
        d = ev.PLAN_SAVED.parse(e.data)
        key = (d.group_id, d.subject_id)
        if d.topics > 0 and (key not in first or e.occurred_at < first[key]["first_saved_at"]):
            first[key] = {
                "tenant_id": e.tenant_id,
                "group_id": d.group_id,
                "subject_id": d.subject_id,
                "first_saved_at": e.occurred_at,
            }
    if first:
        stmt = insert(PlanSave).values(list(first.values()))
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "group_id", "subject_id"],
                set_={"first_saved_at": stmt.excluded.first_saved_at},
                where=PlanSave.first_saved_at > stmt.excluded.first_saved_at,
            )
        )


async def on_signed_in(*, session: AsyncSession, events: list[Envelope]) -> None:
    days: Counter[tuple[Any, ...]] = Counter()
    last: dict[uuid.UUID, dict[str, Any]] = {}
    for e in events:
        d = ev.SIGNED_IN.parse(e.data)
        days[(e.occurred_at.date(), d.kind)] += 1
        if d.user_id not in last or e.occurred_at > last[d.user_id]["last_at"]:
            last[d.user_id] = {
                "tenant_id": e.tenant_id,
                "user_id": d.user_id,
                "kind": d.kind,
                "last_at": e.occurred_at,
            }
    tenant_id = events[0].tenant_id
    for (day, kind), n in sorted(days.items()):
        stmt = insert(SignInDay).values(tenant_id=tenant_id, day=day, kind=kind, sign_ins=n)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "day", "kind"],
                set_={"sign_ins": SignInDay.sign_ins + n},
            )
        )
    await repo.upsert_newest(
        session, LastSignIn, list(last.values()), key=("tenant_id", "user_id"), newer="last_at"
    )


async def _name(session: AsyncSession, events: list[Envelope], contract: Any) -> None:
    await repo.upsert_newest(
        session,
        Student,
        [
            {
                "tenant_id": e.tenant_id,
                "student_id": (d := contract.parse(e.data)).student_id,
                "display_name": d.display_name,
                "as_of": e.occurred_at,
            }
            for e in events
        ],
        key=("tenant_id", "student_id"),
    )


def namer(contract: Any) -> Any:
    async def handle(*, session: AsyncSession, events: list[Envelope]) -> None:
        await _name(session, events, contract)

    return handle


async def _file_missing(session: AsyncSession, rows: list[tuple[Envelope, uuid.UUID, int]]) -> None:
    """How complete each personal file is, by the newest announcement."""
    for e, student_id, missing in sorted(rows, key=lambda r: r[0].occurred_at):
        # A student not named yet (the enrolment's event still on its way) is kept with
        # no name and the oldest time, so that the name, whenever it comes, wins.
        stmt = insert(Student).values(
            tenant_id=e.tenant_id,
            student_id=student_id,
            display_name="",
            as_of=EPOCH,
            file_missing=missing,
            file_as_of=e.occurred_at,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "student_id"],
                set_={"file_missing": missing, "file_as_of": e.occurred_at},
                where=(Student.file_as_of.is_(None)) | (Student.file_as_of <= e.occurred_at),
            )
        )
        if missing == 0:  # the first time it was complete, whatever the order of events
            await session.execute(
                update(Student)
                .where(Student.tenant_id == e.tenant_id, Student.student_id == student_id)
                .values(
                    file_complete_at=func.least(
                        func.coalesce(Student.file_complete_at, e.occurred_at), e.occurred_at
                    )
                )
            )


async def on_file_completeness(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        d = ev.FILE_COMPLETENESS.parse(e.data)
        rows.append((e, d.student_id, d.missing))
    await _file_missing(session, rows)


async def on_students_enrolled(*, session: AsyncSession, events: list[Envelope]) -> None:
    parsed = [(e, ev.STUDENT_ENROLLED.parse(e.data)) for e in events]
    await _name(session, events, ev.STUDENT_ENROLLED)
    await _file_missing(
        session,
        [(e, d.student_id, d.file_missing) for e, d in parsed if d.file_missing is not None],
    )
    await _count(
        session, events[0].tenant_id, Counter(d.group_id for _, d in parsed), enrolled=True
    )
    await repo.add_movements(
        session,
        [
            {
                "tenant_id": e.tenant_id,
                "event_id": e.id,
                "kind": "enrolled",
                "group_id": d.group_id,
                "student_id": d.student_id,
                "order_number": d.order_number,
                "order_date": d.order_date,
                "effective_date": d.valid_from,
                "recorded_at": e.occurred_at,
            }
            for e, d in parsed
        ],
    )


async def on_students_expelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    parsed = [(e, ev.STUDENT_EXPELLED.parse(e.data)) for e in events]
    await _count(
        session, events[0].tenant_id, Counter(d.group_id for _, d in parsed), enrolled=False
    )
    await repo.add_movements(
        session,
        [
            {
                "tenant_id": e.tenant_id,
                "event_id": e.id,
                "kind": "expelled",
                "group_id": d.group_id,
                "student_id": d.student_id,
                "order_number": d.order_number,
                "order_date": d.order_date,
                "effective_date": d.valid_to,
                "recorded_at": e.occurred_at,
            }
            for e, d in parsed
        ],
    )


async def _count(
    session: AsyncSession, tenant_id: uuid.UUID, per_group: Counter[uuid.UUID], *, enrolled: bool
) -> None:
    for group_id, n in sorted(per_group.items()):  # a fixed order: no deadlocks between replicas
        await repo.count_movement(
            session,
            tenant_id,
            group_id,
            enrolled=n if enrolled else 0,
            expelled=0 if enrolled else n,
        )


# -- schedule ------------------------------------------------------------------------------


def _period_row(e: Envelope, year: uuid.UUID, p: ev.PeriodView) -> dict[str, Any]:
    return {
        "tenant_id": e.tenant_id,
        "period_id": p.period_id,
        "academic_year_id": year,
        "kind": p.kind,
        "number": p.number,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "scope": p.scope,
    }


async def _periods(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    rows = [r for r in rows if r["period_id"] is not None]
    if not rows:
        return
    stmt = insert(Period).values(list({r["period_id"]: r for r in rows}.values()))
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "period_id"],
            set_={c: stmt.excluded[c] for c in rows[0] if c not in ("tenant_id", "period_id")},
        )
    )


async def on_years_opened(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    years = {}
    for e in events:
        data = ev.YEAR_OPENED.parse(e.data)
        rows += [_period_row(e, data.academic_year_id, p) for p in data.periods]
        years[data.academic_year_id] = {
            "tenant_id": e.tenant_id,
            "academic_year_id": data.academic_year_id,
            "title": data.title,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
        }
    await _periods(session, rows)
    stmt = insert(AcademicYear).values(list(years.values()))
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "academic_year_id"],
            set_={c: stmt.excluded[c] for c in ("title", "starts_on", "ends_on")},
        )
    )


async def on_published(*, session: AsyncSession, events: list[Envelope]) -> None:
    """The first publication counts for the deadline; a republication does not move it."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in events:
        d = ev.TIMETABLE_PUBLISHED.parse(e.data)
        key = (d.academic_year_id, d.what)
        if key not in rows or d.published_at < rows[key]["published_at"]:
            rows[key] = {
                "tenant_id": e.tenant_id,
                "academic_year_id": d.academic_year_id,
                "what": d.what,
                "published_at": d.published_at,
            }
    stmt = insert(Publication).values(list(rows.values()))
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "academic_year_id", "what"],
            set_={"published_at": func.least(Publication.published_at, stmt.excluded.published_at)},
        )
    )


async def on_calendar_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    """The region's corrections of the production calendar (region-wide, no tenant); a
    removed correction stays as a row without a value, so an older event cannot revive it."""
    latest: dict[date, Envelope] = {}
    for e in events:
        d = ev.CALENDAR_CHANGED.parse(e.data)
        if d.day not in latest or e.occurred_at > latest[d.day].occurred_at:
            latest[d.day] = e
    for day, e in sorted(latest.items()):
        working = ev.CALENDAR_CHANGED.parse(e.data).working
        stmt = insert(CalendarDay).values(day=day, working=working, as_of=e.occurred_at)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["day"],
                set_={"working": working, "as_of": e.occurred_at},
                where=(CalendarDay.as_of.is_(None)) | (CalendarDay.as_of < e.occurred_at),
            )
        )


async def on_periods_defined(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        data = ev.PERIOD_DEFINED.parse(e.data)
        rows.append(_period_row(e, data.academic_year_id, data.period))
    await _periods(session, rows)


def loads(active: bool) -> Any:
    contract = ev.LOAD_ASSIGNED if active else ev.LOAD_REMOVED

    async def handle(*, session: AsyncSession, events: list[Envelope]) -> None:
        await repo.upsert_newest(
            session,
            TeachingLoad,
            [
                {
                    "tenant_id": e.tenant_id,
                    "load_id": (d := contract.parse(e.data)).load_id,
                    "teacher_user_id": d.teacher_user_id,
                    "subject_id": d.subject_id,
                    "group_id": d.group_id,
                    "period_id": d.period_id,
                    "hours": d.hours,
                    "active": active,
                    "as_of": e.occurred_at,
                }
                for e in events
            ],
            key=("tenant_id", "load_id"),
        )

    return handle


async def _lessons(
    session: AsyncSession, tenant_id: uuid.UUID, lessons: list[ev.LessonView]
) -> None:
    if not lessons:
        return
    await repo.name_subjects(session, tenant_id, {x.subject_id: x.subject for x in lessons})
    await repo.upsert_newest(
        session,
        Lesson,
        [
            {
                "tenant_id": tenant_id,
                "lesson_id": x.lesson_id,
                "group_id": x.group_id,
                "subgroup_id": x.subgroup_id,
                "subject_id": x.subject_id,
                "teacher_ids": x.teacher_ids,
                "day": x.day,
                "lesson_number": x.lesson_number,
                "period_id": x.period_id,
                "status": x.status,
                "version": x.version,
                "hours": max(1, min(x.hours, 4)),
            }
            for x in lessons
        ],
        key=("tenant_id", "lesson_id"),
        newer="version",
    )


async def on_lessons_scheduled(*, session: AsyncSession, events: list[Envelope]) -> None:
    lessons = [x for e in events for x in ev.LESSONS_SCHEDULED.parse(e.data).lessons]
    await _lessons(session, events[0].tenant_id, lessons)


def lesson_changes(contract: Any) -> Any:
    async def handle(*, session: AsyncSession, events: list[Envelope]) -> None:
        lessons = [contract.parse(e.data).lesson for e in events]
        await _lessons(session, events[0].tenant_id, lessons)

    return handle


# -- journal -------------------------------------------------------------------------------


async def on_roster_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in events:
        d = ev.ROSTER_CHANGED.parse(e.data)
        if d.change == "added":
            await repo.open_membership(session, e.tenant_id, d.group_id, d.student_id, d.date)
        elif not await repo.close_membership(
            session, e.tenant_id, d.group_id, d.student_id, d.date
        ):
            raise MembershipNotYetKnown(str(e.id))


def marks(contract: Any) -> Any:
    async def handle(*, session: AsyncSession, events: list[Envelope]) -> None:
        await repo.upsert_newest(
            session,
            Mark,
            [
                {
                    "tenant_id": e.tenant_id,
                    "lesson_id": (d := contract.parse(e.data)).lesson_id,
                    "student_id": d.student_id,
                    "work_type": d.work_type,
                    "group_id": d.group_id,
                    "subject_id": d.subject_id,
                    "day": d.day,
                    "value": d.value,
                    "weight": d.weight,
                    "as_of": e.occurred_at,
                }
                for e in events
            ],
            key=("tenant_id", "lesson_id", "student_id", "work_type"),
        )

    return handle


async def on_attendance(*, session: AsyncSession, events: list[Envelope]) -> None:
    await repo.upsert_newest(
        session,
        Attendance,
        [
            {
                "tenant_id": e.tenant_id,
                "lesson_id": (d := ev.ATTENDANCE_RECORDED.parse(e.data)).lesson_id,
                "student_id": d.student_id,
                "group_id": d.group_id,
                "subject_id": d.subject_id,
                "day": d.day,
                "code": d.code,
                "as_of": e.occurred_at,
            }
            for e in events
        ],
        key=("tenant_id", "lesson_id", "student_id"),
    )


async def on_lessons_conducted(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    for e in events:
        d = ev.LESSON_CONDUCTED.parse(e.data)
        row = {
            "tenant_id": e.tenant_id,
            "lesson_id": d.lesson_id,
            "group_id": d.group_id,
            "subject_id": d.subject_id,
            "day": d.day,
            "entered_at": d.entered_at,
        }
        if d.lesson_id not in rows or d.entered_at < rows[d.lesson_id]["entered_at"]:
            rows[d.lesson_id] = row
    stmt = insert(LessonEntry).values(list(rows.values()))
    # The first entry counts for the deadline; a later one does not move it.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "lesson_id"],
            set_={"entered_at": func.least(LessonEntry.entered_at, stmt.excluded.entered_at)},
        )
    )


async def on_period_marks(*, session: AsyncSession, events: list[Envelope]) -> None:
    await repo.upsert_newest(
        session,
        PeriodMark,
        [
            {
                "tenant_id": e.tenant_id,
                "student_id": (d := ev.PERIOD_MARK_SET.parse(e.data)).student_id,
                "subject_id": d.subject_id,
                "period_id": d.period_id,
                "kind": d.kind,
                "group_id": d.group_id,
                "value": d.value,
                "as_of": e.occurred_at,
            }
            for e in events
        ],
        key=("tenant_id", "student_id", "subject_id", "period_id", "kind"),
    )
    # When each mark was first set (the "marks set by" deadlines): a later correction
    # does not re-date it, an earlier event arriving late does.
    for e in events:
        d = ev.PERIOD_MARK_SET.parse(e.data)
        await session.execute(
            update(PeriodMark)
            .where(
                PeriodMark.tenant_id == e.tenant_id,
                PeriodMark.student_id == d.student_id,
                PeriodMark.subject_id == d.subject_id,
                PeriodMark.period_id == d.period_id,
                PeriodMark.kind == d.kind,
            )
            .values(
                first_set_at=func.least(
                    func.coalesce(PeriodMark.first_set_at, e.occurred_at), e.occurred_at
                )
            )
        )


# -- reads ----------------------------------------------------------------------------------

# A school year and a bit: the longest period a movement report covers at once.
MAX_MOVEMENT_DAYS = 400


async def occupancy(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[GroupOccupancy], int]:
    return await repo.occupancy(session, tenant_id, page)


async def movement(
    *, session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date, page: PageRequest
) -> tuple[list[MovementEntry], int]:
    check_range(start, end, max_days=MAX_MOVEMENT_DAYS, start_field="from", end_field="to")
    return await repo.movement(session, tenant_id, start, end, page)
