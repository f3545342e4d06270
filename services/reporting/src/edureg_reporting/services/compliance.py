"""Deadline compliance and the figures of the regional monitoring.

An organisation's figures come from the counting functions under its own row-level
security; the region's from their `region_` wrappers, which run as the owner and return
counts per organisation, never a row about a child (migration 0003). The overdue items
of one organisation (lessons not entered in time: group, subject, day) are read in that
organisation's own scope."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Date, cast, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_reporting.domain import regulations as rules
from edureg_reporting.domain.regulations import Tally
from edureg_reporting.persistence.tables import (
    CalendarDay,
    GroupOccupancy,
    Lesson,
    LessonEntry,
    Organisation,
    OrganisationRule,
    RegionRule,
    Subject,
)
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound
from edureg_shared.grading import DEFAULT_THRESHOLDS
from edureg_shared.paging import check_range
from edureg_shared.workdays import ProductionCalendar

REGION_MONITOR = "region.reports.read"
REGION_RULES = "region.regulations.write"
OWN_RULES = "reporting.regulations.write"
# A school year and a bit: the longest range the monitoring counts at once.
MAX_DAYS = 400
OVERDUE_LIMIT = 500
COMPLETENESS = {
    "profile": "Карточка организации",
    "personal_files": "Личные дела обучающихся",
    "curricula": "Учебные планы групп",
    "timetables": "Расписание групп",
    "thematic_plans": "Тематические планы по предметам",
}


def ensure_regional(principal: Principal) -> None:
    """Regional figures are for the ministry's specialists: identity gives `region.*`
    rights to no one else (it drops them from any other organisation's tokens)."""
    if not principal.has(REGION_MONITOR) and not principal.has(REGION_RULES):
        raise Forbidden("Региональный мониторинг доступен специалистам министерства")


def check(start: date, end: date) -> None:
    check_range(start, end, max_days=MAX_DAYS, start_field="from", end_field="to")


async def calendar(session: AsyncSession) -> ProductionCalendar:
    rows = await session.execute(
        select(CalendarDay.day, CalendarDay.working).where(CalendarDay.working.is_not(None))
    )
    return ProductionCalendar(dict(rows.all()))


async def region_profile(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(RegionRule.code, RegionRule.value))
    return dict(rows.all())


async def own_profile(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, OrganisationRule]:
    rows = await session.scalars(
        select(OrganisationRule).where(OrganisationRule.tenant_id == tenant_id)
    )
    return {r.code: r for r in rows.all()}


async def save_region_profile(
    session: AsyncSession, principal: Principal, values: dict[str, int]
) -> None:
    if not principal.has(REGION_RULES):
        raise Forbidden("Региональный профиль сроков меняет администратор региона")
    rules.check_deadlines(values)
    # The profile is saved whole: a rule left out returns to its default.
    await session.execute(RegionRule.__table__.delete().where(RegionRule.code.not_in(list(values))))
    for code, value in sorted(values.items()):
        stmt = insert(RegionRule).values(code=code, value=value, updated_by=principal.user_id)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["code"],
                set_={"value": value, "updated_by": principal.user_id, "updated_at": text("now()")},
            )
        )


async def save_own_profile(
    session: AsyncSession,
    principal: Principal,
    values: dict[str, int],
    reasons: dict[str, str],
) -> None:
    """The organisation's own deadlines (the rest follow the region); each with the
    reason — the clause of its own regulation."""
    rules.check_deadlines(values)
    errors = [
        {"field": f"reasons.{code}", "message": "Укажите пункт своего положения"}
        for code in values
        if len((reasons.get(code) or "").strip()) < 3
    ]
    if errors:
        raise InvalidState("Сроки не сохранены: исправьте отмеченные поля", errors=errors)
    await session.execute(
        OrganisationRule.__table__.delete().where(
            OrganisationRule.tenant_id == principal.tenant_id,
            OrganisationRule.code.not_in(list(values)),
        )
    )
    for code, value in sorted(values.items()):
        row = {
            "value": value,
            "reason": reasons[code].strip()[:300],
            "updated_by": principal.user_id,
        }
        stmt = insert(OrganisationRule).values(tenant_id=principal.tenant_id, code=code, **row)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "code"], set_={**row, "updated_at": text("now()")}
            )
        )


@dataclass
class Figures:
    """One organisation's (or the region's) monitoring figures for a range."""

    rules: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in rules.RULES})
    groups: int = 0
    students: int = 0
    enrolled: int = 0
    expelled: int = 0
    sign_ins: dict[str, int] = field(default_factory=dict)
    # Data completeness: what → (filled, of how many) — curricula, timetables, thematic
    # plans, the organisation's card.
    completeness: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Students with a result in the range; of them without a 2; with only 4s and 5s.
    rated: int = 0
    succeeded: int = 0
    good: int = 0

    @property
    def success_rate(self) -> float | None:
        return round(100 * self.succeeded / self.rated, 1) if self.rated else None

    @property
    def quality_rate(self) -> float | None:
        return round(100 * self.good / self.rated, 1) if self.rated else None

    def merge(self, other: Figures) -> None:
        for code, tally in other.rules.items():
            self.rules[code].merge(tally)
        self.groups += other.groups
        self.students += other.students
        self.enrolled += other.enrolled
        self.expelled += other.expelled
        self.rated += other.rated
        self.succeeded += other.succeeded
        self.good += other.good
        for kind, n in other.sign_ins.items():
            self.sign_ins[kind] = self.sign_ins.get(kind, 0) + n
        for what, (filled, total) in other.completeness.items():
            was = self.completeness.get(what, (0, 0))
            self.completeness[what] = (was[0] + filled, was[1] + total)


async def _call(session: AsyncSession, name: str, args: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(f"SELECT * FROM {name}({args})"), params)).all())


async def figures(
    session: AsyncSession,
    *,
    start: date,
    end: date,
    today: date,
    zone: str,
    region: bool,
) -> tuple[dict[uuid.UUID, Figures], dict[tuple[uuid.UUID, date], Tally]]:
    """Figures per organisation, and the lesson-entry tally per organisation and week
    (the trend): for the caller's organisation, or (`region`) for every one."""
    prefix = "region_" if region else ""
    cal = await calendar(session)
    regional = await region_profile(session)
    own: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for tenant, code, value in await _call(session, f"{prefix}rule_values", ""):
        own[tenant][code] = value
    out: dict[uuid.UUID, Figures] = defaultdict(Figures)

    def deadline(tenant: uuid.UUID, code: str) -> int:
        return rules.effective(regional, own.get(tenant, {}))[code]

    last = min(end, today)
    entries = await _call(
        session, f"{prefix}lesson_entry_counts", ":f, :t, :z", f=start, t=last, z=zone
    )
    tenants = {r[0] for r in entries}
    per_lesson, weekly = rules.lesson_entries_by_week(
        entries, {t: deadline(t, "lesson_entry") for t in tenants}, today, cal
    )
    for tenant, tally in per_lesson.items():
        out[tenant].rules["lesson_entry"] = tally
    trend: dict[tuple[uuid.UUID, date], Tally] = defaultdict(Tally, weekly)
    yearly = await _call(session, f"{prefix}yearly_items", ":f, :t, :z", f=start, t=end, z=zone)
    for code, column in (("timetable", 2), ("org_profile", 3)):
        years = [(r[0], r[1]) for r in yearly]
        done = {(r[0], r[1]): r[column] for r in yearly}
        for tenant, tally in rules.yearly(
            code, years, done, {t: deadline(t, code) for t, _ in years}, today
        ).items():
            out[tenant].rules[code] = tally
    # Orders, accounts, period and year marks: (organisation, rule, due from, done on, n).
    items = await _call(session, f"{prefix}deadline_items", ":f, :t, :z", f=start, t=end, z=zone)
    for tenant, code, tally in rules.items_judged(items, deadline, today, cal):
        out[tenant].rules[code].merge(tally)
    for tenant, what, filled, total in await _call(
        session, f"{prefix}completeness_counts", ":f, :t", f=start, t=end
    ):
        out[tenant].completeness[what] = (filled, total)
    for f in out.values():  # an organisation that never saved its card: 0 of 1
        f.completeness.setdefault("profile", (0, 1))
    for tenant, groups, students in await _call(session, f"{prefix}occupancy_counts", ""):
        out[tenant].groups, out[tenant].students = groups, students
    for tenant, kind, n in await _call(
        session, f"{prefix}movement_counts", ":f, :t", f=start, t=end
    ):
        if kind == "enrolled":
            out[tenant].enrolled = n
        elif kind == "expelled":
            out[tenant].expelled = n
    for tenant, kind, n in await _call(
        session, f"{prefix}sign_in_counts", ":f, :t", f=start, t=end
    ):
        out[tenant].sign_ins[kind] = n
    five, four, three = DEFAULT_THRESHOLDS
    for tenant, rated, succeeded, good in await _call(
        session,
        f"{prefix}quality_counts",
        ":f, :t, :five, :four, :three",
        f=start,
        t=end,
        five=five,
        four=four,
        three=three,
    ):
        out[tenant].rated, out[tenant].succeeded, out[tenant].good = rated, succeeded, good
    return dict(out), dict(trend)


async def organisations(session: AsyncSession) -> dict[uuid.UUID, Organisation]:
    rows = await session.scalars(select(Organisation))
    return {o.organisation_id: o for o in rows.all()}


async def organisation(session: AsyncSession, organisation_id: uuid.UUID) -> Organisation:
    found = await session.get(Organisation, organisation_id)
    if found is None or not found.name:
        raise NotFound("Нет такой организации")
    return found


@dataclass(frozen=True)
class Overdue:
    lesson_id: uuid.UUID
    group_id: uuid.UUID
    group: str
    subject: str
    day: date
    lesson_number: int
    due: date
    status: str
    entered_on: date | None


async def overdue_lessons(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    start: date,
    end: date,
    today: date,
    zone: str,
    deadline: int,
) -> tuple[list[Overdue], int]:
    """The organisation's lessons not entered in time (overdue first, then late): the
    group, the subject and the day, no child. At most `OVERDUE_LIMIT` items, and the
    count of all."""
    cal = await calendar(session)
    rule = rules.RULES["lesson_entry"]
    entered = LessonEntry.entered_at.op("AT TIME ZONE")(zone)
    rows = await session.execute(
        select(
            Lesson.lesson_id,
            Lesson.group_id,
            GroupOccupancy.name,
            Subject.name,
            Lesson.day,
            Lesson.lesson_number,
            entered,
        )
        .outerjoin(
            LessonEntry,
            (LessonEntry.tenant_id == Lesson.tenant_id)
            & (LessonEntry.lesson_id == Lesson.lesson_id),
        )
        .outerjoin(
            GroupOccupancy,
            (GroupOccupancy.tenant_id == Lesson.tenant_id)
            & (GroupOccupancy.group_id == Lesson.group_id),
        )
        .outerjoin(
            Subject,
            (Subject.tenant_id == Lesson.tenant_id) & (Subject.subject_id == Lesson.subject_id),
        )
        .where(
            Lesson.tenant_id == tenant_id,
            Lesson.status == "scheduled",
            Lesson.day.between(start, min(end, today)),
            # Only those that may be overdue or late: not entered, or entered after the
            # lesson's own day (entered the same day is always in time).
            (LessonEntry.entered_at.is_(None)) | (cast(entered, Date) > Lesson.day),
        )
        .order_by(Lesson.day, Lesson.lesson_number, Lesson.lesson_id)
    )
    items = []
    for lesson_id, group_id, group, subject, day, number, at in rows.all():
        due = rules.due_date(rule, deadline, day, cal)
        done_on = at.date() if at is not None else None
        status = rules.judge(done_on, due, today)
        if status in ("overdue", "late"):
            items.append(
                Overdue(
                    lesson_id,
                    group_id,
                    group or "—",
                    subject or "—",
                    day,
                    number,
                    due,
                    status,
                    done_on,
                )
            )
    items.sort(key=lambda i: (i.status != "overdue", i.day, i.group, i.lesson_number))
    return items[:OVERDUE_LIMIT], len(items)


# The rules whose items `deadline_item_list` lists (the journal's lessons: overdue_lessons).
ITEM_RULES = (
    "orders",
    "accounts",
    "period_marks",
    "year_marks",
    "thematic_plans",
    "absence_reasons",
    "personal_files",
)


@dataclass(frozen=True)
class Item:
    """One item of a rule done late or not at all: its group and subject, or an order's
    number — never a child."""

    group: str | None
    subject: str | None
    label: str | None
    starts_on: date
    due: date
    status: str
    done_on: date | None


async def overdue_items(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    rule: str,
    start: date,
    end: date,
    today: date,
    zone: str,
    deadline: int,
) -> tuple[list[Item], int]:
    """The organisation's items of `rule` overdue or late (overdue first), read in its
    own scope; at most `OVERDUE_LIMIT`, and the count of all."""
    cal = await calendar(session)
    r = rules.RULES[rule]
    rows = (
        await session.execute(
            text(
                "SELECT group_id, subject_id, label, starts_on, done_on "
                "FROM deadline_item_list(:f, :t, :z) WHERE code = :c AND tenant_id = :tenant"
            ),
            {"f": start, "t": end, "z": zone, "c": rule, "tenant": tenant_id},
        )
    ).all()
    groups: dict[uuid.UUID, str | None] = dict(
        (
            await session.execute(
                select(GroupOccupancy.group_id, GroupOccupancy.name).where(
                    GroupOccupancy.tenant_id == tenant_id
                )
            )
        ).all()
    )
    subjects: dict[uuid.UUID, str] = dict(
        (
            await session.execute(
                select(Subject.subject_id, Subject.name).where(Subject.tenant_id == tenant_id)
            )
        ).all()
    )
    items = []
    for group_id, subject_id, label, starts_on, done_on in rows:
        if starts_on > today:
            continue
        due = rules.due_date(r, deadline, starts_on, cal)
        status = rules.judge(done_on, due, today)
        if status in ("overdue", "late"):
            items.append(
                Item(
                    groups.get(group_id) if group_id else None,
                    subjects.get(subject_id) if subject_id else None,
                    label,
                    starts_on,
                    due,
                    status,
                    done_on,
                )
            )
    items.sort(key=lambda i: (i.status != "overdue", i.starts_on, i.group or "", i.label or ""))
    return items[:OVERDUE_LIMIT], len(items)
