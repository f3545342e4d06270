"""SQL of lessons, load, subgroups, marks and attendance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from edureg_journal.persistence.tables import (
    AcademicYear,
    Attendance,
    HomeworkFile,
    JournalChange,
    Lesson,
    Mark,
    PeriodMark,
    RosterMembership,
    StudyPeriod,
    SubgroupMember,
    SubgroupVersion,
    Teaching,
)


@dataclass(frozen=True)
class SubgroupSpell:
    """A student's time in a subgroup: from `since` to the day before `until`."""

    subgroup_id: uuid.UUID
    since: date
    until: date | None

    def covers(self, subgroup_id: uuid.UUID, day: date) -> bool:
        return (
            self.subgroup_id == subgroup_id
            and self.since <= day
            and (self.until is None or day < self.until)
        )


_LESSON_FIELDS = (
    "hours",
    "group_id",
    "subgroup_id",
    "subject_id",
    "subject",
    "teacher_ids",
    "day",
    "lesson_number",
    "starts_at",
    "ends_at",
    "room",
    "period_id",
    "status",
    "source_version",
)


async def upsert_lessons(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    """Lessons as schedule has them now; what the teacher entered stays."""
    latest: dict[Any, dict[str, Any]] = {}
    for r in rows:  # of one lesson in a batch, its newest version
        if r["id"] not in latest or latest[r["id"]]["source_version"] <= r["source_version"]:
            latest[r["id"]] = r
    values = [{**r, "tenant_id": tenant_id} for r in latest.values()]
    for i in range(0, len(values), 500):
        stmt = insert(Lesson).values(values[i : i + 500])
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[Lesson.tenant_id, Lesson.id],
                set_={k: getattr(stmt.excluded, k) for k in _LESSON_FIELDS},
                where=Lesson.source_version <= stmt.excluded.source_version,
            )
        )


async def flag_cancelled_with_entries(
    session: AsyncSession, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> None:
    """A cancelled lesson holding marks or attendance is flagged, never deleted."""
    held = select(Mark.lesson_id).where(Mark.tenant_id == tenant_id, Mark.lesson_id.in_(ids))
    attended = select(Attendance.lesson_id).where(
        Attendance.tenant_id == tenant_id, Attendance.lesson_id.in_(ids)
    )
    await session.execute(
        update(Lesson)
        .where(
            Lesson.tenant_id == tenant_id,
            Lesson.id.in_(ids),
            or_(Lesson.id.in_(held), Lesson.id.in_(attended)),
        )
        .values(flagged=True)
    )


async def lesson_for_update(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_id: uuid.UUID
) -> Lesson | None:
    return await session.get(Lesson, (tenant_id, lesson_id), with_for_update=True)


async def lesson(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_id: uuid.UUID
) -> Lesson | None:
    return await session.get(Lesson, (tenant_id, lesson_id))


async def teaches(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    teacher: uuid.UUID,
    subject: uuid.UUID,
    group: uuid.UUID,
    *,
    period: uuid.UUID | None = None,
    subgroup: uuid.UUID | None = None,
    any_subgroup: bool = False,
) -> bool:
    """The teacher has load for the subject in the group — for that period (when known)
    and that subgroup (load of the whole group covers its subgroups; `any_subgroup`: any
    of the group's, for the group's period marks)."""
    stmt = select(Teaching.load_id).where(
        Teaching.tenant_id == tenant_id,
        Teaching.removed.is_(False),
        Teaching.teacher_user_id == teacher,
        Teaching.subject_id == subject,
        Teaching.group_id == group,
    )
    if period is not None:
        stmt = stmt.where(Teaching.period_id == period)
    if not any_subgroup:
        stmt = stmt.where(
            or_(Teaching.subgroup_id.is_(None), Teaching.subgroup_id == subgroup)
            if subgroup is not None
            else Teaching.subgroup_id.is_(None)
        )
    return await session.scalar(stmt.limit(1)) is not None


async def set_teaching(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]], *, removed: bool
) -> None:
    """Load as schedule last announced it (`as_of` in each row): assigned, or removed —
    kept as a tombstone so that a late assignment cannot bring it back."""
    if not rows:
        return
    newest: dict[uuid.UUID, dict[str, Any]] = {}
    for r in rows:
        if r["load_id"] not in newest or r["as_of"] >= newest[r["load_id"]]["as_of"]:
            newest[r["load_id"]] = r
    stmt = insert(Teaching).values(
        [{**r, "tenant_id": tenant_id, "removed": removed} for r in newest.values()]
    )
    fields = ("teacher_user_id", "subject_id", "group_id", "subgroup_id", "period_id")
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Teaching.tenant_id, Teaching.load_id],
            set_={
                **{k: getattr(stmt.excluded, k) for k in fields},
                "removed": stmt.excluded.removed,
                "as_of": stmt.excluded.as_of,
            },
            where=Teaching.as_of <= stmt.excluded.as_of,
        )
    )


async def set_subgroup(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    subgroup_id: uuid.UUID,
    students: list[uuid.UUID],
    *,
    since: date,
    as_of: datetime,
) -> None:
    """The subgroup's composition from `since`: those no longer in it leave that day
    (kept for the days before), newcomers join that day; the first composition applies
    from the subgroup's start. An older definition than the last applied is ignored."""
    known = await session.get(SubgroupVersion, (tenant_id, subgroup_id), with_for_update=True)
    if known is not None and known.as_of >= as_of:
        return
    if known is None:
        session.add(SubgroupVersion(tenant_id=tenant_id, subgroup_id=subgroup_id, as_of=as_of))
        # The subgroup's first composition holds from its start; one known from before
        # versions were kept (members, no version) changes from `since` like any other.
        members = await session.scalar(
            select(SubgroupMember.student_id)
            .where(SubgroupMember.tenant_id == tenant_id, SubgroupMember.subgroup_id == subgroup_id)
            .limit(1)
        )
        if members is None:
            since = date.min
    else:
        known.as_of = as_of
    wanted = set(students)
    covered: set[uuid.UUID] = set()
    for row in (
        await session.scalars(
            select(SubgroupMember).where(
                SubgroupMember.tenant_id == tenant_id,
                SubgroupMember.subgroup_id == subgroup_id,
                or_(SubgroupMember.until.is_(None), SubgroupMember.until > since),
            )
        )
    ).all():
        if row.student_id in wanted and row.until is None and row.since <= since:
            covered.add(row.student_id)  # stays on
        elif row.since >= since:
            await session.delete(row)  # would only have begun from then
        else:
            row.until = since  # left that day; the days before are kept
    await session.flush()
    newcomers = sorted(wanted - covered)
    if newcomers:
        stmt = insert(SubgroupMember).values(
            [
                {
                    "tenant_id": tenant_id,
                    "subgroup_id": subgroup_id,
                    "student_id": s,
                    "since": since,
                    "until": None,
                }
                for s in newcomers
            ]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "subgroup_id", "student_id", "since"],
                set_={"until": None},
            )
        )


async def roster_of_lesson(
    session: AsyncSession, tenant_id: uuid.UUID, lesson: Lesson
) -> list[RosterMembership]:
    """The group's students on the lesson's day (its subgroup's, for a subgroup lesson)."""
    stmt = select(RosterMembership).where(
        RosterMembership.tenant_id == tenant_id,
        RosterMembership.group_id == lesson.group_id,
        RosterMembership.valid_from <= lesson.day,
        or_(RosterMembership.valid_to.is_(None), RosterMembership.valid_to > lesson.day),
    )
    if lesson.subgroup_id is not None:
        stmt = stmt.where(
            RosterMembership.student_id.in_(
                select(SubgroupMember.student_id).where(
                    SubgroupMember.tenant_id == tenant_id,
                    SubgroupMember.subgroup_id == lesson.subgroup_id,
                    SubgroupMember.since <= lesson.day,
                    or_(SubgroupMember.until.is_(None), SubgroupMember.until > lesson.day),
                )
            )
        )
    return list(
        (
            await session.scalars(
                stmt.order_by(RosterMembership.display_name, RosterMembership.student_id)
            )
        ).all()
    )


async def marks_of(session: AsyncSession, tenant_id: uuid.UUID, lesson_id: uuid.UUID) -> list[Mark]:
    rows = await session.scalars(
        select(Mark)
        .where(Mark.tenant_id == tenant_id, Mark.lesson_id == lesson_id)
        .order_by(Mark.student_id)
    )
    return list(rows.all())


async def attendance_of(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_id: uuid.UUID
) -> list[Attendance]:
    rows = await session.scalars(
        select(Attendance).where(
            Attendance.tenant_id == tenant_id, Attendance.lesson_id == lesson_id
        )
    )
    return list(rows.all())


async def history(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_id: uuid.UUID
) -> list[JournalChange]:
    rows = await session.scalars(
        select(JournalChange)
        .where(JournalChange.tenant_id == tenant_id, JournalChange.lesson_id == lesson_id)
        .order_by(JournalChange.changed_at, JournalChange.id)
    )
    return list(rows.all())


async def lessons_on(
    session: AsyncSession, tenant_id: uuid.UUID, first: date, last: date, teacher: uuid.UUID
) -> list[Lesson]:
    rows = await session.scalars(
        select(Lesson)
        .where(
            Lesson.tenant_id == tenant_id,
            Lesson.day >= first,
            Lesson.day <= last,
            Lesson.teacher_ids.contains([teacher]),
        )
        .order_by(Lesson.day, Lesson.starts_at)
    )
    return list(rows.all())


async def add_links(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    from edureg_journal.persistence.tables import LearnerLink

    if rows:
        await session.execute(
            insert(LearnerLink)
            .values([{**r, "tenant_id": tenant_id} for r in rows])
            .on_conflict_do_nothing()
        )


async def students_of_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, kind: str
) -> list[uuid.UUID]:
    from edureg_journal.persistence.tables import LearnerLink

    rows = await session.scalars(
        select(LearnerLink.student_id).where(
            LearnerLink.tenant_id == tenant_id,
            LearnerLink.user_id == user_id,
            LearnerLink.kind == kind,
        )
    )
    return list(rows.all())


async def memberships_between(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, first: date, last: date
) -> list[RosterMembership]:
    rows = await session.scalars(
        select(RosterMembership).where(
            RosterMembership.tenant_id == tenant_id,
            RosterMembership.student_id == student_id,
            RosterMembership.valid_from <= last,
            or_(RosterMembership.valid_to.is_(None), RosterMembership.valid_to > first),
            or_(
                RosterMembership.valid_to.is_(None),
                RosterMembership.valid_to > RosterMembership.valid_from,
            ),
        )
    )
    return list(rows.all())


async def group_lessons(
    session: AsyncSession, tenant_id: uuid.UUID, group_ids: list[uuid.UUID], first: date, last: date
) -> list[Lesson]:
    rows = await session.scalars(
        select(Lesson)
        .where(
            Lesson.tenant_id == tenant_id,
            Lesson.group_id.in_(group_ids),
            Lesson.day >= first,
            Lesson.day <= last,
        )
        .order_by(Lesson.day, Lesson.starts_at, Lesson.id)
    )
    return list(rows.all())


async def subgroups_of(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID
) -> list[SubgroupSpell]:
    """The student's subgroups with the days they were in each."""
    rows = await session.execute(
        select(SubgroupMember.subgroup_id, SubgroupMember.since, SubgroupMember.until).where(
            SubgroupMember.tenant_id == tenant_id, SubgroupMember.student_id == student_id
        )
    )
    return [SubgroupSpell(*row) for row in rows.all()]


async def student_entries(
    session: AsyncSession, tenant_id: uuid.UUID, student_id: uuid.UUID, lesson_ids: list[uuid.UUID]
) -> tuple[list[Mark], list[Attendance]]:
    marks = await session.scalars(
        select(Mark).where(
            Mark.tenant_id == tenant_id,
            Mark.student_id == student_id,
            Mark.lesson_id.in_(lesson_ids),
        )
    )
    attendance = await session.scalars(
        select(Attendance).where(
            Attendance.tenant_id == tenant_id,
            Attendance.student_id == student_id,
            Attendance.lesson_id.in_(lesson_ids),
        )
    )
    return list(marks.all()), list(attendance.all())


async def set_curators(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    rows: dict[uuid.UUID, tuple[uuid.UUID | None, datetime]],
) -> None:
    """Each group's curator as of the newest event (`rows`: group → (curator, as of))."""
    from edureg_journal.persistence.tables import GroupCurator

    if not rows:
        return
    stmt = insert(GroupCurator).values(
        [
            {"tenant_id": tenant_id, "group_id": g, "curator_user_id": u, "as_of": at}
            for g, (u, at) in rows.items()
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[GroupCurator.tenant_id, GroupCurator.group_id],
            set_={"curator_user_id": stmt.excluded.curator_user_id, "as_of": stmt.excluded.as_of},
            where=GroupCurator.as_of <= stmt.excluded.as_of,
        )
    )


async def curates(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, group_id: uuid.UUID
) -> bool:
    from edureg_journal.persistence.tables import GroupCurator

    found = await session.scalar(
        select(GroupCurator.group_id).where(
            GroupCurator.tenant_id == tenant_id,
            GroupCurator.group_id == group_id,
            GroupCurator.curator_user_id == user_id,
        )
    )
    return found is not None


async def period_marks(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_id: uuid.UUID,
) -> list[PeriodMark]:
    return await marks_for(session, tenant_id, group_id, subject_id, [period_id])


async def period_lessons(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_id: uuid.UUID,
) -> list[Lesson]:
    rows = await session.scalars(
        select(Lesson).where(
            Lesson.tenant_id == tenant_id,
            Lesson.group_id == group_id,
            Lesson.subject_id == subject_id,
            Lesson.period_id == period_id,
        )
    )
    return list(rows.all())


async def marks_of_lessons(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_ids: list[uuid.UUID]
) -> list[Mark]:
    if not lesson_ids:
        return []
    rows = await session.scalars(
        select(Mark).where(Mark.tenant_id == tenant_id, Mark.lesson_id.in_(lesson_ids))
    )
    return list(rows.all())


async def group_members_ever(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> list[RosterMembership]:
    rows = await session.scalars(
        select(RosterMembership)
        .where(
            RosterMembership.tenant_id == tenant_id,
            RosterMembership.group_id == group_id,
            or_(
                RosterMembership.valid_to.is_(None),
                RosterMembership.valid_to > RosterMembership.valid_from,
            ),
        )
        .order_by(RosterMembership.display_name, RosterMembership.student_id)
    )
    return list(rows.all())


async def homework_files(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_ids: list[uuid.UUID]
) -> list[HomeworkFile]:
    """The lessons' homework files, without their content, in the order attached."""
    if not lesson_ids:
        return []
    rows = await session.scalars(
        select(HomeworkFile)
        .where(HomeworkFile.tenant_id == tenant_id, HomeworkFile.lesson_id.in_(lesson_ids))
        .order_by(HomeworkFile.uploaded_at, HomeworkFile.id)
    )
    return list(rows.all())


async def homework_file(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    lesson_id: uuid.UUID,
    file_id: uuid.UUID,
    *,
    with_content: bool = False,
) -> HomeworkFile | None:
    stmt = select(HomeworkFile).where(
        HomeworkFile.tenant_id == tenant_id,
        HomeworkFile.lesson_id == lesson_id,
        HomeworkFile.id == file_id,
    )
    if with_content:
        stmt = stmt.options(undefer(HomeworkFile.content))
    return (await session.scalars(stmt)).one_or_none()


async def academic_year(
    session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID
) -> AcademicYear | None:
    return await session.get(AcademicYear, (tenant_id, year_id))


async def academic_years(session: AsyncSession, tenant_id: uuid.UUID) -> list[AcademicYear]:
    rows = await session.scalars(
        select(AcademicYear)
        .where(AcademicYear.tenant_id == tenant_id)
        .order_by(AcademicYear.starts_on.desc())
    )
    return list(rows.all())


async def periods_of_group(
    session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID, group_id: uuid.UUID
) -> list[StudyPeriod]:
    """The year's periods the group's lessons fall in (a parallel's or the group's own
    scheme among them); before any lesson, the year's periods for everyone."""
    taught = select(Lesson.period_id).where(
        Lesson.tenant_id == tenant_id, Lesson.group_id == group_id, Lesson.period_id.is_not(None)
    )
    base = select(StudyPeriod).where(
        StudyPeriod.tenant_id == tenant_id, StudyPeriod.academic_year_id == year_id
    )
    order = (StudyPeriod.starts_on, StudyPeriod.number)
    found = list(
        (
            await session.scalars(base.where(StudyPeriod.period_id.in_(taught)).order_by(*order))
        ).all()
    )
    if found:
        return found
    return list(
        (await session.scalars(base.where(StudyPeriod.scope == "all").order_by(*order))).all()
    )


async def marks_for(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_ids: list[uuid.UUID],
) -> list[PeriodMark]:
    """The group's marks of a subject set for these periods (or a year: its id)."""
    if not period_ids:
        return []
    rows = await session.scalars(
        select(PeriodMark).where(
            PeriodMark.tenant_id == tenant_id,
            PeriodMark.group_id == group_id,
            PeriodMark.subject_id == subject_id,
            PeriodMark.period_id.in_(period_ids),
        )
    )
    return list(rows.all())


async def upsert_years(
    session: AsyncSession, rows: list[dict[str, Any]], periods: list[dict[str, Any]]
) -> None:
    """Schedule's years and periods as last announced, by the events' time (`as_of` in
    each row): a redefined period replaces the earlier definition, an older one arriving
    late changes nothing."""
    for table, key, fields, values in (
        (AcademicYear, "academic_year_id", ("title", "starts_on", "ends_on"), rows),
        (
            StudyPeriod,
            "period_id",
            ("academic_year_id", "kind", "number", "starts_on", "ends_on", "scope"),
            periods,
        ),
    ):
        if not values:
            continue
        t: Any = table
        stmt = insert(t).values(values)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", key],
                set_={k: stmt.excluded[k] for k in (*fields, "as_of")},
                where=t.as_of <= stmt.excluded.as_of,
            )
        )


async def add_years_if_unknown(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Years known only from their periods: added, never over a year's own announcement."""
    if rows:
        await session.execute(insert(AcademicYear).values(rows).on_conflict_do_nothing())
