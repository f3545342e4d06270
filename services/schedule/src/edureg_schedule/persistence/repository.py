"""All of schedule's SQL. Every query names the tenant as well (RLS backs it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import any_, delete, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.persistence.tables import (
    AcademicYear,
    BellSchedule,
    CalendarDay,
    CalendarFeed,
    Group,
    GroupMember,
    Holiday,
    LearnerLink,
    Lesson,
    LessonChange,
    LoadItem,
    Settings,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Teacher,
    TimetableEntry,
    TimetableWeek,
)
from edureg_shared.paging import PageRequest, paginate

T = TypeVar("T")


async def get(
    session: AsyncSession, model: type[T], tenant_id: uuid.UUID, id_: uuid.UUID
) -> T | None:
    """A tenant's row by its id (None for another organisation's: the caller says 404)."""
    return await session.get(model, (tenant_id, id_))


async def all_of(
    session: AsyncSession, model: type[T], tenant_id: uuid.UUID, *where: Any, order_by: Any = ()
) -> list[T]:
    stmt = select(model).where(model.tenant_id == tenant_id, *where)  # type: ignore[attr-defined]
    if order_by is not None:
        stmt = stmt.order_by(*(order_by if isinstance(order_by, tuple) else (order_by,)))
    return list((await session.scalars(stmt)).all())


async def page_of(
    session: AsyncSession,
    model: type[T],
    tenant_id: uuid.UUID,
    page: PageRequest,
    *where: Any,
    order_by: tuple[Any, ...],
) -> tuple[list[T], int]:
    stmt = select(model).where(model.tenant_id == tenant_id, *where).order_by(*order_by)  # type: ignore[attr-defined]
    return await paginate(session, stmt, page)


async def by_ids(
    session: AsyncSession, model: type[T], tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, T]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.scalars(
        select(model).where(model.tenant_id == tenant_id, model.id.in_(wanted))  # type: ignore[attr-defined]
    )
    return {r.id: r for r in rows.all()}  # type: ignore[attr-defined]


# -- calendar ------------------------------------------------------------------------------


async def find_year(session: AsyncSession, tenant_id: uuid.UUID, title: str) -> AcademicYear | None:
    return await session.scalar(
        select(AcademicYear).where(AcademicYear.tenant_id == tenant_id, AcademicYear.title == title)
    )


async def list_years(
    session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[AcademicYear], int]:
    return await page_of(
        session, AcademicYear, tenant_id, page, order_by=(AcademicYear.starts_on, AcademicYear.id)
    )


async def periods_of(
    session: AsyncSession, tenant_id: uuid.UUID, year_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StudyPeriod]]:
    rows = await session.scalars(
        select(StudyPeriod)
        .where(StudyPeriod.tenant_id == tenant_id, StudyPeriod.academic_year_id.in_(year_ids))
        .order_by(StudyPeriod.scope, StudyPeriod.starts_on)
    )
    out: dict[uuid.UUID, list[StudyPeriod]] = {}
    for p in rows.all():
        out.setdefault(p.academic_year_id, []).append(p)
    return out


async def year_of_day(
    session: AsyncSession, tenant_id: uuid.UUID, day: date
) -> AcademicYear | None:
    return await session.scalar(
        select(AcademicYear).where(
            AcademicYear.tenant_id == tenant_id,
            AcademicYear.starts_on <= day,
            AcademicYear.ends_on >= day,
        )
    )


async def holidays_between(
    session: AsyncSession, tenant_id: uuid.UUID, first: date, last: date
) -> list[Holiday]:
    return await all_of(
        session,
        Holiday,
        tenant_id,
        Holiday.starts_on <= last,
        Holiday.ends_on >= first,
        order_by=Holiday.starts_on,
    )


async def calendar_overrides(session: AsyncSession) -> dict[date, bool]:
    rows = await session.execute(select(CalendarDay.day, CalendarDay.working))
    return dict(rows.all())


async def periods_ended(
    session: AsyncSession, today: date, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    rows = await session.execute(
        text("SELECT tenant_id, period_id FROM public.schedule_periods_ended(:today, :limit)"),
        {"today": today, "limit": limit},
    )
    return [(t, p) for t, p in rows.all()]


async def mark_announced(
    session: AsyncSession, tenant_id: uuid.UUID, period_id: uuid.UUID
) -> StudyPeriod | None:
    """The period, marked announced now; None if another watcher did it first."""
    return await session.scalar(
        update(StudyPeriod)
        .where(
            StudyPeriod.tenant_id == tenant_id,
            StudyPeriod.id == period_id,
            StudyPeriod.ended_announced_at.is_(None),
        )
        .values(ended_announced_at=func.now())
        .returning(StudyPeriod)
    )


# -- groups, students, accounts (projections) ------------------------------------------


async def upsert_groups(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    stmt = insert(Group).values([{**r, "tenant_id": tenant_id} for r in rows])
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Group.tenant_id, Group.id],
            set_={
                "name": stmt.excluded.name,
                "grade": stmt.excluded.grade,
                "academic_year": stmt.excluded.academic_year,
                "curator_user_id": stmt.excluded.curator_user_id,
            },
        )
    )


async def set_members(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    """Each student is in the given group since the given date — unless a later move is
    already known (events of one student may come out of order). Of one student's rows
    in a batch the latest counts."""
    latest: dict[uuid.UUID, dict[str, Any]] = {}
    for r in rows:
        known = latest.get(r["student_id"])
        if known is None or known["since"] <= r["since"]:
            latest[r["student_id"]] = r
    if not latest:
        return
    stmt = insert(GroupMember).values(
        [{**r, "tenant_id": tenant_id, "active": True} for r in latest.values()]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[GroupMember.tenant_id, GroupMember.student_id],
            set_={
                "group_id": stmt.excluded.group_id,
                "display_name": stmt.excluded.display_name,
                "since": stmt.excluded.since,
                "active": True,
            },
            where=GroupMember.since <= stmt.excluded.since,
        )
    )


async def leave_subgroups(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Students (student, group) are no longer in that group's subgroups."""
    for student_id, group_id in rows:
        await session.execute(
            delete(SubgroupMember).where(
                SubgroupMember.tenant_id == tenant_id,
                SubgroupMember.student_id == student_id,
                SubgroupMember.subgroup_id.in_(
                    select(Subgroup.id).where(
                        Subgroup.tenant_id == tenant_id, Subgroup.group_id == group_id
                    )
                ),
            )
        )


async def remove_members(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Students (student, group) are no longer in that group (nor its subgroups)."""
    for student_id, group_id in rows:
        await session.execute(
            update(GroupMember)
            .where(
                GroupMember.tenant_id == tenant_id,
                GroupMember.student_id == student_id,
                GroupMember.group_id == group_id,
            )
            .values(active=False)
        )
    await leave_subgroups(session, tenant_id, rows)


async def known_members(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, GroupMember]:
    """Every student schedule has known, in a group now or not."""
    rows = await session.scalars(
        select(GroupMember).where(
            GroupMember.tenant_id == tenant_id, GroupMember.student_id.in_(list(student_ids))
        )
    )
    return {m.student_id: m for m in rows.all()}


async def rename_members(
    session: AsyncSession, tenant_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> None:
    for student_id, name in names.items():
        await session.execute(
            update(GroupMember)
            .where(GroupMember.tenant_id == tenant_id, GroupMember.student_id == student_id)
            .values(display_name=name)
        )


async def add_links(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    if rows:
        await session.execute(
            insert(LearnerLink)
            .values([{**r, "tenant_id": tenant_id} for r in rows])
            .on_conflict_do_nothing()
        )


async def is_learner(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(LearnerLink.user_id)
        .where(LearnerLink.tenant_id == tenant_id, LearnerLink.user_id == user_id)
        .limit(1)
    )
    return found is not None


async def students_of_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, kind: str
) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(LearnerLink.student_id).where(
            LearnerLink.tenant_id == tenant_id,
            LearnerLink.user_id == user_id,
            LearnerLink.kind == kind,
        )
    )
    return list(rows.all())


async def members(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
) -> list[GroupMember]:
    return await all_of(
        session,
        GroupMember,
        tenant_id,
        GroupMember.student_id.in_(list(student_ids)),
        GroupMember.active.is_(True),
        order_by=GroupMember.display_name,
    )


async def group_roster(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> list[GroupMember]:
    return await all_of(
        session,
        GroupMember,
        tenant_id,
        GroupMember.group_id == group_id,
        GroupMember.active.is_(True),
        order_by=(GroupMember.display_name, GroupMember.student_id),
    )


async def group_sizes(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Students per group, and members per subgroup (both keyed by their id)."""
    out: dict[uuid.UUID, int] = {}
    rows = await session.execute(
        select(GroupMember.group_id, func.count())
        .where(GroupMember.tenant_id == tenant_id, GroupMember.active.is_(True))
        .group_by(GroupMember.group_id)
    )
    out.update(dict(rows.all()))
    rows = await session.execute(
        select(SubgroupMember.subgroup_id, func.count())
        .where(SubgroupMember.tenant_id == tenant_id)
        .group_by(SubgroupMember.subgroup_id)
    )
    out.update(dict(rows.all()))
    return out


async def subgroups_of_students(
    session: AsyncSession, tenant_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    rows = await session.execute(
        select(SubgroupMember.student_id, SubgroupMember.subgroup_id).where(
            SubgroupMember.tenant_id == tenant_id,
            SubgroupMember.student_id.in_(list(student_ids)),
        )
    )
    out: dict[uuid.UUID, set[uuid.UUID]] = {}
    for student, subgroup in rows.all():
        out.setdefault(student, set()).add(subgroup)
    return out


async def subgroup_members(
    session: AsyncSession, tenant_id: uuid.UUID, subgroup_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(
            SubgroupMember.tenant_id == tenant_id,
            SubgroupMember.subgroup_id.in_(list(subgroup_ids)),
        )
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for subgroup, student in rows.all():
        out.setdefault(subgroup, []).append(student)
    return out


async def replace_subgroup_members(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    subgroup_id: uuid.UUID,
    student_ids: list[uuid.UUID],
) -> None:
    await session.execute(
        delete(SubgroupMember).where(
            SubgroupMember.tenant_id == tenant_id, SubgroupMember.subgroup_id == subgroup_id
        )
    )
    if student_ids:
        await session.execute(
            insert(SubgroupMember).values(
                [
                    {"tenant_id": tenant_id, "subgroup_id": subgroup_id, "student_id": s}
                    for s in student_ids
                ]
            )
        )


async def upsert_teacher(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, name: str
) -> None:
    stmt = insert(Teacher).values(tenant_id=tenant_id, user_id=user_id, display_name=name)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Teacher.tenant_id, Teacher.user_id],
            set_={"display_name": stmt.excluded.display_name},
        )
    )


async def teacher_names(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, str]:
    stmt = select(Teacher.user_id, Teacher.display_name).where(Teacher.tenant_id == tenant_id)
    if ids is not None:
        stmt = stmt.where(Teacher.user_id.in_(list(ids)))
    rows = await session.execute(stmt.order_by(Teacher.display_name))
    return dict(rows.all())


# -- settings, bells -------------------------------------------------------------------


async def settings(session: AsyncSession, tenant_id: uuid.UUID) -> Settings:
    found = await session.get(Settings, tenant_id)
    return found or Settings(tenant_id=tenant_id, soft_clashes="error", hours_per_lesson=1)


async def bell_schedules(session: AsyncSession, tenant_id: uuid.UUID) -> list[BellSchedule]:
    return await all_of(
        session, BellSchedule, tenant_id, order_by=(BellSchedule.shift, BellSchedule.day_type)
    )


async def find_bells(
    session: AsyncSession, tenant_id: uuid.UUID, shift: int, day_type: str
) -> BellSchedule | None:
    return await session.scalar(
        select(BellSchedule).where(
            BellSchedule.tenant_id == tenant_id,
            BellSchedule.shift == shift,
            BellSchedule.day_type == day_type,
        )
    )


# -- load ------------------------------------------------------------------------------


async def load_of_period(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    period_ids: Iterable[uuid.UUID],
    *,
    group_id: uuid.UUID | None = None,
) -> list[LoadItem]:
    where = [LoadItem.period_id.in_(list(period_ids))]
    if group_id is not None:
        where.append(LoadItem.group_id == group_id)
    return await all_of(session, LoadItem, tenant_id, *where, order_by=None)


async def list_load(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    page: PageRequest,
    *,
    group_id: uuid.UUID | None,
    teacher_user_id: uuid.UUID | None,
) -> tuple[list[LoadItem], int]:
    where = []
    if group_id:
        where.append(LoadItem.group_id == group_id)
    if teacher_user_id:
        where.append(LoadItem.teacher_user_id == teacher_user_id)
    return await page_of(
        session,
        LoadItem,
        tenant_id,
        page,
        *where,
        order_by=(LoadItem.group_id, LoadItem.subject_id, LoadItem.id),
    )


# -- timetable -------------------------------------------------------------------------


async def lock_timetable(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Saves of one organisation's timetable and lessons take turns (a transaction-level
    advisory lock): two requests booking one room at the same moment are checked one
    after the other, and the second sees the first's lessons."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('schedule.timetable:' || :t, 0))"),
        {"t": str(tenant_id)},
    )


async def week(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, period_id: uuid.UUID
) -> TimetableWeek | None:
    return await session.get(TimetableWeek, (tenant_id, group_id, period_id))


async def entries(session: AsyncSession, tenant_id: uuid.UUID, *where: Any) -> list[TimetableEntry]:
    return await all_of(
        session,
        TimetableEntry,
        tenant_id,
        *where,
        order_by=(TimetableEntry.weekday, TimetableEntry.lesson_number, TimetableEntry.id),
    )


async def delete_entries(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> None:
    ids = list(ids)
    if ids:
        await session.execute(
            delete(TimetableEntry).where(
                TimetableEntry.tenant_id == tenant_id, TimetableEntry.id.in_(ids)
            )
        )


async def lessons_of_week(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    period_id: uuid.UUID,
    since: date,
) -> list[Lesson]:
    return await all_of(
        session,
        Lesson,
        tenant_id,
        Lesson.group_id == group_id,
        Lesson.period_id == period_id,
        Lesson.planned_day >= since,
        Lesson.entry_id.is_not(None),
        order_by=None,
    )


async def insert_lessons(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), 1000):
        await session.execute(insert(Lesson).values(rows[i : i + 1000]))


async def lessons_between(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    first: date,
    last: date,
    *,
    group_ids: Sequence[uuid.UUID] | None = None,
    teacher_id: uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
    include_cancelled: bool = True,
) -> list[Lesson]:
    where: list[Any] = [Lesson.day >= first, Lesson.day <= last]
    if group_ids is not None:
        where.append(Lesson.group_id.in_(list(group_ids)))
    if teacher_id is not None:
        where.append(literal(teacher_id, UUID(as_uuid=True)) == any_(Lesson.teacher_ids))
    if room_id is not None:
        where.append(Lesson.room_id == room_id)
    if not include_cancelled:
        where.append(Lesson.status == "scheduled")
    return await all_of(
        session, Lesson, tenant_id, *where, order_by=(Lesson.day, Lesson.starts_at, Lesson.id)
    )


async def changed_lessons(
    session: AsyncSession, tenant_id: uuid.UUID, first: date, last: date, *, other_than: uuid.UUID
) -> list[Lesson]:
    """Scheduled lessons changed by hand (substitutions, moves, extra lessons) of other
    groups between two dates."""
    return await all_of(
        session,
        Lesson,
        tenant_id,
        Lesson.day >= first,
        Lesson.day <= last,
        Lesson.changed.is_(True),
        Lesson.status == "scheduled",
        Lesson.group_id != other_than,
        order_by=None,
    )


async def lessons_meeting(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    day: date,
    *,
    group_id: uuid.UUID,
    teacher_ids: Sequence[uuid.UUID],
    room_id: uuid.UUID | None,
    other_than: uuid.UUID | None,
) -> list[Lesson]:
    """The day's scheduled lessons that share the group, a teacher or the room."""
    shares: list[Any] = [Lesson.group_id == group_id]
    if teacher_ids:
        shares.append(Lesson.teacher_ids.overlap(list(teacher_ids)))
    if room_id is not None:
        shares.append(Lesson.room_id == room_id)
    where: list[Any] = [Lesson.day == day, Lesson.status == "scheduled", or_(*shares)]
    if other_than is not None:
        where.append(Lesson.id != other_than)
    return await all_of(session, Lesson, tenant_id, *where, order_by=None)


async def changes_of_day(
    session: AsyncSession, tenant_id: uuid.UUID, day: date
) -> list[LessonChange]:
    return await all_of(
        session,
        LessonChange,
        tenant_id,
        LessonChange.day == day,
        order_by=(LessonChange.changed_at, LessonChange.id),
    )


async def notices(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, first: date, last: date
) -> list[LessonChange]:
    """The changes a user was told of (a curator of the group, a teacher concerned)."""
    return await all_of(
        session,
        LessonChange,
        tenant_id,
        literal(user_id, UUID(as_uuid=True)) == any_(LessonChange.notified),
        LessonChange.day >= first,
        LessonChange.day <= last,
        order_by=(LessonChange.day, LessonChange.changed_at),
    )


async def last_change_reasons(
    session: AsyncSession, tenant_id: uuid.UUID, lesson_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    ids = list(lesson_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(LessonChange.lesson_id, LessonChange.reason)
        .where(LessonChange.tenant_id == tenant_id, LessonChange.lesson_id.in_(ids))
        .order_by(LessonChange.changed_at, LessonChange.id)
    )
    # The latest change's reason wins.
    return dict(rows.all())


# -- feeds -----------------------------------------------------------------------------


async def feed_by_secret(
    session: AsyncSession, tenant_id: uuid.UUID, secret_hash: str
) -> CalendarFeed | None:
    return await session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.tenant_id == tenant_id,
            CalendarFeed.secret_hash == secret_hash,
            CalendarFeed.revoked_at.is_(None),
        )
    )


async def revoke_feeds(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> int:
    result = await session.execute(
        update(CalendarFeed)
        .where(
            CalendarFeed.tenant_id == tenant_id,
            CalendarFeed.user_id == user_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
