"""Thematic plans (КТП): saved, imported from XLSX, and their coverage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel

from edureg_journal.services import plans
from edureg_journal.services.plans import PlanIn
from edureg_shared.errors import InvalidState
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["thematic plans"])
Read = Annotated[Context, unit_of_work(None, any_of=("journal.rosters.read", "journal.read.all"))]
Write = Annotated[Context, unit_of_work("journal.marks.write")]

MAX_FILE = 1024 * 1024


class TopicRead(BaseModel):
    position: int
    title: str
    hours: int


class PlanRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    subject_id: uuid.UUID
    teacher_user_id: uuid.UUID
    title: str
    version: int
    updated_at: datetime
    hours: int
    topics: list[TopicRead]


def _plan(p: plans.Plan) -> PlanRead:
    return PlanRead(
        id=p.plan.id,
        group_id=p.plan.group_id,
        subject_id=p.plan.subject_id,
        teacher_user_id=p.plan.teacher_user_id,
        title=p.plan.title,
        version=p.plan.version,
        updated_at=p.plan.updated_at,
        hours=sum(t.hours for t in p.topics),
        topics=[TopicRead(position=t.position, title=t.title, hours=t.hours) for t in p.topics],
    )


@router.get("/plans", response_model=list[PlanRead], summary="Тематические планы группы")
async def list_plans(
    ctx: Read, group_id: uuid.UUID, subject_id: uuid.UUID | None = None
) -> list[PlanRead]:
    found = await plans.listed(
        session=ctx.session, principal=ctx.principal, group_id=group_id, subject_id=subject_id
    )
    return [_plan(p) for p in found]


@router.put(
    "/plans",
    response_model=PlanRead,
    summary="Сохранить свой тематический план предмета в группе (целиком)",
)
async def save_plan(cmd: PlanIn, ctx: Write) -> PlanRead:
    return _plan(await plans.save(session=ctx.session, principal=ctx.principal, cmd=cmd))


@router.post(
    "/plans/import",
    response_model=PlanRead,
    summary="Загрузить свой тематический план из XLSX (столбцы «Тема» и «Часы»)",
    description="Заменяет темы плана; при любой ошибке в строках ничего не сохраняется.",
)
async def import_plan(
    file: UploadFile, ctx: Write, group_id: uuid.UUID, subject_id: uuid.UUID, title: str = "КТП"
) -> PlanRead:
    content = await file.read(MAX_FILE + 1)
    if len(content) > MAX_FILE:
        raise InvalidState(
            "Файл плана больше 1 МБ", errors=[{"field": "file", "message": "Файл больше 1 МБ"}]
        )
    topics = plans.read_xlsx(content)
    existing = await plans.current(
        ctx.session, ctx.tenant_id, ctx.principal.user_id, group_id, subject_id
    )
    cmd = PlanIn(
        group_id=group_id,
        subject_id=subject_id,
        title=(title.strip() or "КТП")[:200],
        version=existing.version if existing else None,
        topics=topics,
    )
    return _plan(await plans.save(session=ctx.session, principal=ctx.principal, cmd=cmd))


class CoveredLesson(BaseModel):
    lesson_id: uuid.UUID
    day: date
    given: bool


class CoveredTopic(TopicRead):
    lessons: list[CoveredLesson]


class CoverageRead(BaseModel):
    plan: PlanRead
    topics: list[CoveredTopic]
    planned_hours: int
    scheduled_to_date: int
    given_to_date: int
    beyond_plan: int


@router.get(
    "/plans/{plan_id}/coverage",
    response_model=CoverageRead,
    summary="Выполнение плана: темы по датам уроков, запланировано и проведено",
)
async def plan_coverage(plan_id: uuid.UUID, ctx: Read) -> CoverageRead:
    c = await plans.coverage(session=ctx.session, principal=ctx.principal, plan_id=plan_id)
    return CoverageRead(
        plan=_plan(c.plan),
        topics=[
            CoveredTopic(
                position=a.topic.position,
                title=a.topic.title,
                hours=a.topic.hours,
                lessons=[
                    CoveredLesson(lesson_id=x.id, day=x.day, given=x.topic_entered_at is not None)
                    for x in a.lessons
                ],
            )
            for a in c.topics
        ],
        planned_hours=c.planned_hours,
        scheduled_to_date=c.scheduled_to_date,
        given_to_date=c.given_to_date,
        beyond_plan=c.beyond_plan,
    )
