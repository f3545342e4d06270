"""Thematic plans (КТП): a teacher's ordered topics with hours for a subject in a group,
typed in or imported from XLSX; the topics given to the group's lessons of the subject in
their order (a two-hour topic takes two lessons), and how much of the plan is given."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.persistence import lessons as repo
from edureg_journal.persistence.tables import Lesson, PlanTopic, ThematicPlan
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Conflict, Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_events

READ_ALL = "journal.read.all"
MAX_TOPICS = 400


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    hours: Annotated[int, Field(ge=1, le=50)] = 1


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: uuid.UUID
    subject_id: uuid.UUID
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    # The plan's version as read (none for a new plan): 409 if someone saved it since.
    version: int | None = None
    topics: Annotated[list[TopicIn], Field(min_length=1, max_length=MAX_TOPICS)]


@dataclass
class Plan:
    plan: ThematicPlan
    topics: list[PlanTopic]


async def _topics(
    session: AsyncSession, tenant_id: uuid.UUID, plan_id: uuid.UUID
) -> list[PlanTopic]:
    rows = await session.scalars(
        select(PlanTopic)
        .where(PlanTopic.tenant_id == tenant_id, PlanTopic.plan_id == plan_id)
        .order_by(PlanTopic.position)
    )
    return list(rows.all())


async def save(*, session: AsyncSession, principal: Principal, cmd: PlanIn) -> Plan:
    """The teacher's own plan for a subject and group of their load, whole."""
    tenant_id = principal.tenant_id
    if not await repo.teaches(
        session, tenant_id, principal.user_id, cmd.subject_id, cmd.group_id, any_subgroup=True
    ):
        raise Forbidden("Тематический план составляет преподаватель этого предмета в этой группе")
    row = await session.scalar(
        select(ThematicPlan)
        .where(
            ThematicPlan.tenant_id == tenant_id,
            ThematicPlan.group_id == cmd.group_id,
            ThematicPlan.subject_id == cmd.subject_id,
            ThematicPlan.teacher_user_id == principal.user_id,
        )
        .with_for_update()
    )
    now = datetime.now(UTC)
    if (row.version if row else None) != cmd.version:
        raise Conflict(
            "План уже сохранили в другом окне: обновите страницу, ваши изменения не сохранены"
        )
    if row is None:
        row = ThematicPlan(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            group_id=cmd.group_id,
            subject_id=cmd.subject_id,
            teacher_user_id=principal.user_id,
            title=cmd.title,
            version=0,
            updated_by=principal.user_id,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
    else:
        await session.execute(
            delete(PlanTopic).where(PlanTopic.tenant_id == tenant_id, PlanTopic.plan_id == row.id)
        )
        row.title, row.updated_by, row.updated_at = cmd.title, principal.user_id, now
        row.version += 1
    session.add_all(
        PlanTopic(tenant_id=tenant_id, plan_id=row.id, position=i, title=t.title, hours=t.hours)
        for i, t in enumerate(cmd.topics)
    )
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="update",
        entity="thematic_plan",
        entity_id=row.id,
        details={"topics": len(cmd.topics), "hours": sum(t.hours for t in cmd.topics)},
    )
    await add_events(
        session,
        [
            c.PLAN_SAVED.envelope(
                tenant_id=tenant_id,
                actor=Actor(kind="user", id=principal.user_id),
                subject_id=row.id,
                data=c.PlanSavedV1(
                    plan_id=row.id,
                    group_id=row.group_id,
                    subject_id=row.subject_id,
                    teacher_user_id=row.teacher_user_id,
                    topics=len(cmd.topics),
                    hours=sum(t.hours for t in cmd.topics),
                    version=row.version,
                ),
            )
        ],
    )
    return Plan(row, await _topics(session, tenant_id, row.id))


def read_xlsx(content: bytes) -> list[TopicIn]:
    """Topics from the first sheet: a header row naming «Тема» and «Часы» (in any
    columns; no «Часы»: one hour each), then a topic per row; every bad row named,
    nothing taken if one is bad."""
    from openpyxl import load_workbook  # only an import reads spreadsheets

    def refuse(message: str, errors: list[dict[str, str]] | None = None) -> InvalidState:
        return InvalidState(message, errors=errors or [{"field": "file", "message": message}])

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # any way a file fails to be a workbook is the same answer
        raise refuse("Файл XLSX повреждён или это не таблица Excel") from e
    try:
        rows: list[list[Any]] = []
        for r in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_TOPICS + 20:
                raise refuse(f"В плане больше {MAX_TOPICS} тем")
    except InvalidState:
        raise
    except Exception as e:
        raise refuse("Файл XLSX повреждён или это не таблица Excel") from e
    finally:
        book.close()
    header = next(
        (
            (n, [str(c or "").strip().casefold() for c in r])
            for n, r in enumerate(rows)
            if any(str(c or "").strip().casefold() == "тема" for c in r)
        ),
        None,
    )
    if header is None:
        raise refuse("Не найдена строка заголовка со столбцом «Тема»")
    start, names = header
    topic_col = names.index("тема")
    hours_col = names.index("часы") if "часы" in names else None
    topics: list[TopicIn] = []
    errors: list[dict[str, str]] = []
    for n, r in enumerate(rows[start + 1 :], start=start + 2):
        cells = [*r, *([None] * len(names))]
        title = str(cells[topic_col] or "").strip()
        raw = cells[hours_col] if hours_col is not None else 1
        if not title and raw in (None, ""):
            continue
        hours = raw if isinstance(raw, int) else None
        if isinstance(raw, float) and raw.is_integer():
            hours = int(raw)
        elif isinstance(raw, str) and raw.strip().isdecimal() and raw.strip().isascii():
            hours = int(raw.strip())
        if not title or len(title) > 500:
            errors.append(
                {
                    "field": f"rows.{n}.title",
                    "message": f"Строка {n}: нет темы или она длиннее 500 знаков",
                }
            )
        if hours is None or not 1 <= hours <= 50:
            errors.append(
                {
                    "field": f"rows.{n}.hours",
                    "message": f"Строка {n}: часы — целое число от 1 до 50",
                }
            )
        if title and hours is not None and 1 <= hours <= 50 and len(title) <= 500:
            topics.append(TopicIn(title=title, hours=hours))
    if errors:
        raise refuse("План не загружен: исправьте строки файла", errors)
    if not topics:
        raise refuse("В файле нет ни одной темы")
    return topics


async def current(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    group_id: uuid.UUID,
    subject_id: uuid.UUID,
) -> ThematicPlan | None:
    return await session.scalar(
        select(ThematicPlan).where(
            ThematicPlan.tenant_id == tenant_id,
            ThematicPlan.group_id == group_id,
            ThematicPlan.subject_id == subject_id,
            ThematicPlan.teacher_user_id == user_id,
        )
    )


async def listed(
    *,
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    subject_id: uuid.UUID | None,
) -> list[Plan]:
    """A group's plans: the teacher's own; every plan of the group for its class teacher
    and those who read every journal."""
    tenant_id = principal.tenant_id
    stmt = select(ThematicPlan).where(
        ThematicPlan.tenant_id == tenant_id, ThematicPlan.group_id == group_id
    )
    if subject_id is not None:
        stmt = stmt.where(ThematicPlan.subject_id == subject_id)
    if not principal.has(READ_ALL) and not await repo.curates(
        session, tenant_id, principal.user_id, group_id
    ):
        stmt = stmt.where(ThematicPlan.teacher_user_id == principal.user_id)
    rows = (await session.scalars(stmt.order_by(ThematicPlan.updated_at))).all()
    return [Plan(p, await _topics(session, tenant_id, p.id)) for p in rows]


@dataclass
class Assigned:
    topic: PlanTopic
    lessons: list[Lesson]


@dataclass
class Coverage:
    plan: Plan
    topics: list[Assigned]
    planned_hours: int
    scheduled_to_date: int  # lessons held (by the timetable) up to today
    given_to_date: int  # of those, with a topic entered
    beyond_plan: int  # lessons after the plan's last hour


def assign(topics: list[PlanTopic], lessons: list[Lesson]) -> list[Assigned]:
    """Topics to lessons in order: each hour of a topic takes the next lesson."""
    out = [Assigned(t, []) for t in topics]
    hours = [a for a in out for _ in range(a.topic.hours)]
    for hour, lesson in zip(hours, lessons, strict=False):
        hour.lessons.append(lesson)
    return out


async def _subject_lessons(
    session: AsyncSession, tenant_id: uuid.UUID, plan: ThematicPlan
) -> list[Lesson]:
    rows = await session.scalars(
        select(Lesson)
        .where(
            Lesson.tenant_id == tenant_id,
            Lesson.group_id == plan.group_id,
            Lesson.subject_id == plan.subject_id,
            Lesson.status != "cancelled",
            Lesson.teacher_ids.contains([plan.teacher_user_id]),
        )
        .order_by(Lesson.day, Lesson.lesson_number, Lesson.id)
    )
    return list(rows.all())


async def coverage(*, session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Coverage:
    tenant_id = principal.tenant_id
    row = await session.get(ThematicPlan, (tenant_id, plan_id))
    if row is None:
        raise NotFound("Тематический план не найден")
    if (
        row.teacher_user_id != principal.user_id
        and not principal.has(READ_ALL)
        and not await repo.curates(session, tenant_id, principal.user_id, row.group_id)
    ):
        raise Forbidden("План видят его автор, классный руководитель и администрация")
    topics = await _topics(session, tenant_id, row.id)
    lessons = await _subject_lessons(session, tenant_id, row)
    today = datetime.now(UTC).date()
    held = [x for x in lessons if x.day <= today]
    planned = sum(t.hours for t in topics)
    return Coverage(
        Plan(row, topics),
        assign(topics, lessons),
        planned,
        len(held),
        sum(1 for x in held if x.topic_entered_at is not None),
        max(len(lessons) - planned, 0),
    )


async def planned_topic(session: AsyncSession, tenant_id: uuid.UUID, lesson: Lesson) -> str | None:
    """The topic the plan of this lesson's teacher gives it (the grid offers it)."""
    for teacher in lesson.teacher_ids:
        plan = await current(session, tenant_id, teacher, lesson.group_id, lesson.subject_id)
        if plan is None:
            continue
        for a in assign(
            await _topics(session, tenant_id, plan.id),
            await _subject_lessons(session, tenant_id, plan),
        ):
            if any(x.id == lesson.id for x in a.lessons):
                return a.topic.title
    return None
