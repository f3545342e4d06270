"""The year's marks of a group in a subject: each student's marks of the year's periods,
the year mark they suggest, the exam, the final mark the year and exam suggest, and for
colleges coursework and the qualification exam of a professional module. The teacher
decides and sets them in one save (001 8.6: the subject's teacher, or the class teacher
where the organisation allows it); every change keeps its history and is announced."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.domain import marks as rules
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import AcademicYear, StudyPeriod
from edureg_journal.services import org_settings
from edureg_journal.services.period_marks import mark_errors, write_marks
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor, Envelope

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
YearKind = Literal["year", "exam", "final", "coursework", "qualification"]


class YearMarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID
    kind: YearKind
    value: Annotated[str, Field(min_length=1, max_length=4)]


class SetYearMarks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: uuid.UUID
    subject_id: uuid.UUID
    academic_year_id: uuid.UUID
    marks: Annotated[list[YearMarkIn], Field(min_length=1, max_length=500)]


@dataclass
class YearRow:
    student_id: uuid.UUID
    display_name: str
    # The marks of the year's periods, in the periods' order (None: not set).
    periods: list[str | None]
    suggested_year: str | None
    suggested_final: str | None
    # What is set, by kind (year, exam, final, coursework, qualification).
    marks: dict[str, str] = field(default_factory=dict)


@dataclass
class YearSheet:
    year: AcademicYear
    periods: list[StudyPeriod]
    rows: list[YearRow]


async def _may_set(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    periods: list[StudyPeriod],
    settings: org_settings.OrgSettings | None,
) -> None:
    """The subject's teacher in the group in that year (load in one of its periods — a
    teacher of this year does not rewrite last year's final marks); where the
    organisation allows it (001 8.6), the class teacher."""
    for p in periods:
        if await repo.teaches(
            session,
            principal.tenant_id,
            principal.user_id,
            subject_id,
            group_id,
            period=p.period_id,
            any_subgroup=True,
        ):
            return
    if (
        settings is not None
        and settings.curator_sets_period_marks
        and await repo.curates(session, principal.tenant_id, principal.user_id, group_id)
    ):
        return
    raise Forbidden(
        "Оценки за год выставляет преподаватель этого предмета в этой группе в этом году"
    )


async def _year(session: AsyncSession, tenant_id: uuid.UUID, year_id: uuid.UUID) -> AcademicYear:
    year = await repo.academic_year(session, tenant_id, year_id)
    if year is None:
        raise NotFound("Учебный год не найден")
    return year


async def sheet(
    *,
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    academic_year_id: uuid.UUID,
    audited: bool = True,
) -> YearSheet:
    """For the subject's teachers in the group, its class teacher and the management."""
    tenant_id = principal.tenant_id
    year = await _year(session, tenant_id, academic_year_id)
    periods = await repo.periods_of_group(session, tenant_id, year.academic_year_id, group_id)
    if not principal.has("journal.read.all") and not await repo.curates(
        session, tenant_id, principal.user_id, group_id
    ):
        await _may_set(session, principal, group_id, subject_id, periods, None)
    ids = [p.period_id for p in periods]
    given: dict[uuid.UUID, dict[tuple[uuid.UUID, str], str]] = defaultdict(dict)
    for m in await repo.marks_for(
        session, tenant_id, group_id, subject_id, [*ids, year.academic_year_id]
    ):
        given[m.student_id][(m.period_id, m.kind)] = m.value
    rows: list[YearRow] = []
    seen: set[uuid.UUID] = set()
    for member in await repo.group_members_ever(session, tenant_id, group_id):
        if member.student_id in seen:
            continue
        seen.add(member.student_id)
        mine = given.get(member.student_id, {})
        by_period = [mine.get((pid, "period")) for pid in ids]
        marks = {
            kind: v
            for (pid, kind), v in mine.items()
            if pid == year.academic_year_id and kind in rules.YEAR_KINDS
        }
        suggested_year = rules.suggest_year(by_period) if ids else None
        rows.append(
            YearRow(
                student_id=member.student_id,
                display_name=member.display_name,
                periods=by_period,
                suggested_year=suggested_year,
                suggested_final=rules.suggest_final(
                    marks.get("year", suggested_year), marks.get("exam")
                ),
                marks=marks,
            )
        )
    if audited:
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=Actor(kind="user", id=principal.user_id),
            action="read",
            entity="year_marks",
            entity_id=group_id,
            details={"subject_id": str(subject_id), "academic_year_id": str(academic_year_id)},
        )
    return YearSheet(year, periods, rows)


async def set_marks(*, session: AsyncSession, principal: Principal, cmd: SetYearMarks) -> YearSheet:
    """Every mark checked (the scale, a student of the group, once per student and kind),
    then only the differences written, each with its history and event — or nothing."""
    tenant_id = principal.tenant_id
    year = await _year(session, tenant_id, cmd.academic_year_id)
    await _may_set(
        session,
        principal,
        cmd.group_id,
        cmd.subject_id,
        await repo.periods_of_group(session, tenant_id, year.academic_year_id, cmd.group_id),
        await org_settings.current(session, tenant_id),
    )
    members = {
        m.student_id for m in await repo.group_members_ever(session, tenant_id, cmd.group_id)
    }
    errors = mark_errors([(m.student_id, m.value) for m in cmd.marks], members)
    seen: set[tuple[uuid.UUID, str]] = set()
    for i, m in enumerate(cmd.marks):
        if (m.student_id, m.kind) in seen:
            errors.append(
                {"field": f"marks.{i}.kind", "message": "Эта оценка уже указана в запросе"}
            )
        seen.add((m.student_id, m.kind))
    if errors:
        raise InvalidState("Оценки за год не сохранены: исправьте отмеченные поля", errors=errors)
    changed = await write_marks(
        session,
        principal,
        group_id=cmd.group_id,
        subject_id=cmd.subject_id,
        period_id=year.academic_year_id,
        marks=[(m.student_id, m.kind, m.value) for m in cmd.marks],
    )
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="update",
        entity="year_marks",
        entity_id=cmd.group_id,
        details={"changed": changed},
    )
    return await sheet(
        session=session,
        principal=principal,
        group_id=cmd.group_id,
        subject_id=cmd.subject_id,
        academic_year_id=cmd.academic_year_id,
        audited=False,
    )


async def on_years(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Schedule's years and their periods (opened with its periods, or one defined)."""
    years: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    periods: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    placeholders: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}

    def period(e: Envelope, year_id: uuid.UUID, p: c.EndedPeriod) -> None:
        known = periods.get((e.tenant_id, p.period_id)) if p.period_id else None
        if p.period_id is not None and (known is None or known["as_of"] <= e.occurred_at):
            periods[(e.tenant_id, p.period_id)] = {
                "tenant_id": e.tenant_id,
                "period_id": p.period_id,
                "academic_year_id": year_id,
                "kind": p.kind,
                "number": p.number,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "scope": p.scope[:60],
                "as_of": e.occurred_at,
            }

    for e in sorted(events, key=lambda e: e.occurred_at):
        if e.type == c.ACADEMIC_YEAR_OPENED.type:
            y = c.ACADEMIC_YEAR_OPENED.parse(e.data)
            years[(e.tenant_id, y.academic_year_id)] = {
                "tenant_id": e.tenant_id,
                "academic_year_id": y.academic_year_id,
                "title": y.title[:100],
                "starts_on": y.starts_on,
                "ends_on": y.ends_on,
                "as_of": e.occurred_at,
            }
            for p in y.periods:
                period(e, y.academic_year_id, p)
        else:
            d = c.PERIOD_DEFINED.parse(e.data)
            period(e, d.academic_year_id, d.period)
            # A year whose opening journal never saw (opened before journal listened):
            # known from its periods until its own event, which then wins.
            first = d.period.starts_on.year - (d.period.starts_on.month < 7)
            placeholder = placeholders.setdefault(
                (e.tenant_id, d.academic_year_id),
                {
                    "tenant_id": e.tenant_id,
                    "academic_year_id": d.academic_year_id,
                    "title": f"{first}/{first + 1}",
                    "starts_on": d.period.starts_on,
                    "ends_on": d.period.ends_on,
                    "as_of": EPOCH,
                },
            )
            placeholder["starts_on"] = min(placeholder["starts_on"], d.period.starts_on)
            placeholder["ends_on"] = max(placeholder["ends_on"], d.period.ends_on)
    await repo.upsert_years(session, list(years.values()), list(periods.values()))
    await repo.add_years_if_unknown(session, [y for k, y in placeholders.items() if k not in years])
