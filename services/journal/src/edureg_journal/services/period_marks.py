"""Period marks: for a group, subject and period, each student's weighted average of the
period's marks and the mark it suggests (002 §6); the teacher decides and sets it, after
which that period's marks are no longer the teacher's to change."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.domain import marks as rules
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import JournalChange, PeriodMark, StudyPeriod
from edureg_journal.services import org_settings, periods
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_events

Kind = Literal["period", "year", "exam", "final", "coursework", "qualification"]


class PeriodMarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID
    value: Annotated[str, Field(min_length=1, max_length=4)]


class SetPeriodMarks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: uuid.UUID
    subject_id: uuid.UUID
    period_id: uuid.UUID
    kind: Kind = "period"
    marks: Annotated[list[PeriodMarkIn], Field(min_length=1, max_length=100)]


@dataclass
class Row:
    student_id: uuid.UUID
    display_name: str
    average: float | None
    suggested: str | None
    marks: dict[str, str]


async def teaches_or_curates(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    settings: org_settings.OrgSettings | None = None,
) -> None:
    """The subject's teacher in the group sets its period marks; where the organisation
    says so (001 8.5), the class teacher too, for every subject of their class."""
    if await repo.teaches(
        session, principal.tenant_id, principal.user_id, subject_id, group_id, any_subgroup=True
    ):
        return
    if (
        settings is not None
        and settings.curator_sets_period_marks
        and await repo.curates(session, principal.tenant_id, principal.user_id, group_id)
    ):
        return
    raise Forbidden("Оценки за период выставляет преподаватель этого предмета в этой группе")


async def sheet(
    *,
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_id: uuid.UUID,
) -> list[Row]:
    """Every student who was in the group: the period's average, the suggestion, what is
    set (by kind). For the subject's teachers, the curator and the management."""
    tenant_id = principal.tenant_id
    settings = await org_settings.current(session, tenant_id)
    if not principal.has("journal.read.all") and not await repo.curates(
        session, tenant_id, principal.user_id, group_id
    ):
        await teaches_or_curates(session, principal, group_id, subject_id)
    lessons = await repo.period_lessons(session, tenant_id, group_id, subject_id, period_id)
    marks = await repo.marks_of_lessons(session, tenant_id, [x.id for x in lessons])
    by_student: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for m in marks:
        by_student[m.student_id].append((m.value, m.weight))
    set_marks: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    for p in await repo.period_marks(session, tenant_id, group_id, subject_id, period_id):
        set_marks[p.student_id][p.kind] = p.value
    seen: set[uuid.UUID] = set()
    out = []
    for m in await repo.group_members_ever(session, tenant_id, group_id):
        if m.student_id in seen:
            continue
        seen.add(m.student_id)
        average = rules.weighted_average(by_student.get(m.student_id, []))
        out.append(
            Row(
                m.student_id,
                m.display_name,
                average,
                rules.suggest(average, settings.thresholds),
                set_marks.get(m.student_id, {}),
            )
        )
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="read",
        entity="period_marks",
        entity_id=group_id,
    )
    return out


async def set_marks(
    *, session: AsyncSession, principal: Principal, cmd: SetPeriodMarks
) -> list[Row]:
    tenant_id = principal.tenant_id
    await teaches_or_curates(
        session,
        principal,
        cmd.group_id,
        cmd.subject_id,
        await org_settings.current(session, tenant_id),
    )
    if cmd.kind != "period":
        raise InvalidState(
            "Оценки за год, экзамен и итоговые выставляются в ведомости года",
            errors=[{"field": "kind", "message": "Здесь — только оценки за период"}],
        )
    if not await repo.period_lessons(
        session, tenant_id, cmd.group_id, cmd.subject_id, cmd.period_id
    ) and not await session.get(StudyPeriod, (tenant_id, cmd.period_id)):
        raise NotFound("Учебный период не найден")
    await periods.check_open(session, tenant_id, cmd.period_id)
    members = {
        m.student_id for m in await repo.group_members_ever(session, tenant_id, cmd.group_id)
    }
    errors = mark_errors([(m.student_id, m.value) for m in cmd.marks], members)
    if errors:
        raise InvalidState(
            "Оценки за период не сохранены: исправьте отмеченные поля", errors=errors
        )
    await write_marks(
        session,
        principal,
        group_id=cmd.group_id,
        subject_id=cmd.subject_id,
        period_id=cmd.period_id,
        marks=[(m.student_id, cmd.kind, m.value) for m in cmd.marks],
    )
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="update",
        entity="period_marks",
        entity_id=cmd.group_id,
    )
    return await sheet(
        session=session,
        principal=principal,
        group_id=cmd.group_id,
        subject_id=cmd.subject_id,
        period_id=cmd.period_id,
    )


def mark_errors(
    marks: list[tuple[uuid.UUID, str]], members: set[uuid.UUID]
) -> list[dict[str, str]]:
    """Each (student, value) off the scale or of a student never in the group, named."""
    errors = []
    for i, (student_id, value) in enumerate(marks):
        if value not in rules.VALUES:
            errors.append(
                {
                    "field": f"marks.{i}.value",
                    "message": "Оценка вне шкалы (5, 4, 3, 2, 1, зачёт, незачёт)",
                }
            )
        if student_id not in members:
            errors.append(
                {"field": f"marks.{i}.student_id", "message": "Обучающийся не из этой группы"}
            )
    return errors


async def write_marks(
    session: AsyncSession,
    principal: Principal,
    *,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_id: uuid.UUID,
    marks: list[tuple[uuid.UUID, str, str]],
) -> int:
    """The marks (student, kind, value) of a period — or of a year, keyed by its id —
    that differ from those set: written with their history and announced; how many."""
    tenant_id = principal.tenant_id
    existing = {
        (p.student_id, p.kind): p
        for p in await repo.period_marks(session, tenant_id, group_id, subject_id, period_id)
    }
    actor = Actor(kind="user", id=principal.user_id)
    now = datetime.now(UTC)
    events = []
    for student_id, kind, value in marks:
        row = existing.get((student_id, kind))
        previous = row.value if row else None
        if previous == value:
            continue
        if row is None:
            session.add(
                PeriodMark(
                    tenant_id=tenant_id,
                    group_id=group_id,
                    subject_id=subject_id,
                    period_id=period_id,
                    kind=kind,
                    student_id=student_id,
                    value=value,
                    set_by=principal.user_id,
                    set_at=now,
                )
            )
        else:
            row.value, row.set_by, row.set_at = value, principal.user_id, now
        session.add(
            JournalChange(
                tenant_id=tenant_id,
                id=uuid.uuid4(),
                lesson_id=period_id,
                student_id=student_id,
                what="period",
                work_type=kind,
                old={"value": previous} if previous else None,
                new={"value": value},
                changed_by=principal.user_id,
            )
        )
        events.append(
            c.PERIOD_MARK_SET.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=student_id,
                data=c.PeriodMarkV1(
                    group_id=group_id,
                    subject_id=subject_id,
                    period_id=period_id,
                    kind=kind,
                    student_id=student_id,
                    value=value,
                    previous=previous,
                ),
            )
        )
    await session.flush()
    await add_events(session, events)
    return len(events)


async def locked_students(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
    period_id: uuid.UUID | None,
) -> set[uuid.UUID]:
    """Students whose mark for the period is set (their period's marks are closed)."""
    if period_id is None:
        return set()
    return {
        p.student_id
        for p in await repo.period_marks(session, tenant_id, group_id, subject_id, period_id)
        if p.kind == "period"
    }
