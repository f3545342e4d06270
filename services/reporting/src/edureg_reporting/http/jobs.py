"""Large reports as background jobs: ordered, watched (progress), cancelled, downloaded."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from edureg_reporting import render
from edureg_reporting.persistence.tables import ReportJob
from edureg_reporting.services import jobs
from edureg_shared import audit
from edureg_shared.downloads import disposition
from edureg_shared.errors import InvalidState
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["report jobs"])
Management = Annotated[Context, unit_of_work("reporting.read")]


class OrderJob(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: str
    format: Literal["xlsx", "pdf"]
    period_id: uuid.UUID | None = None
    start: date | None = None
    end: date | None = None


class JobRead(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    format: str
    params: dict[str, str]
    status: str
    status_title: str
    done_steps: int
    total_steps: int
    progress: int
    attempts: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _read(job: ReportJob) -> JobRead:
    progress = (
        100
        if job.status == "done"
        else (int(100 * job.done_steps / job.total_steps) if job.total_steps else 0)
    )
    return JobRead(
        id=job.id,
        kind=job.kind,
        title=jobs.job_kinds().get(job.kind, job.kind),
        format=job.format,
        params=job.params,
        status=job.status,
        status_title=jobs.STATUS_TITLES.get(job.status, job.status),
        done_steps=job.done_steps,
        total_steps=job.total_steps,
        progress=progress,
        attempts=job.attempts,
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


class JobKindRead(BaseModel):
    kind: str
    title: str


@router.get(
    "/report-jobs/kinds",
    response_model=list[JobKindRead],
    summary="Какие отчёты можно заказать в фоне или по расписанию",
)
async def job_kinds(ctx: Management) -> list[JobKindRead]:
    return [JobKindRead(kind=k, title=t) for k, t in jobs.job_kinds().items()]


@router.post(
    "/report-jobs",
    response_model=JobRead,
    status_code=202,
    summary="Заказать большой отчёт (строится в фоне)",
    description="`kind`: "
    + ", ".join(f"`{k}` — {v}" for k, v in jobs.KINDS.items())
    + "; и отчёты по положениям: `named.<ключ>` (список — `GET /api/v1/report-jobs/kinds`)"
    + f". Не больше {jobs.MAX_OPEN} отчётов в работе у одного пользователя.",
)
async def order(ctx: Management, cmd: OrderJob, request: Request) -> JobRead:
    job = await jobs.submit(
        ctx.session,
        ctx.principal,
        kind=cmd.kind,
        fmt=cmd.format,
        period_id=cmd.period_id,
        start=cmd.start,
        end=cmd.end,
    )
    await ctx.session.refresh(job)
    # The worker of this process looks at once once the order is committed.
    request.app.state.report_worker.wake_after_commit(ctx.session)
    return _read(job)


@router.get("/report-jobs", response_model=list[JobRead], summary="Мои отчёты")
async def mine(ctx: Management) -> list[JobRead]:
    return [_read(j) for j in await jobs.mine(ctx.session, ctx.principal)]


@router.get("/report-jobs/{job_id}", response_model=JobRead, summary="Отчёт и его ход")
async def one(ctx: Management, job_id: uuid.UUID) -> JobRead:
    return _read(await jobs.get(ctx.session, ctx.principal, job_id))


@router.post("/report-jobs/{job_id}/cancel", response_model=JobRead, summary="Отменить отчёт")
async def cancel(ctx: Management, job_id: uuid.UUID) -> JobRead:
    return _read(await jobs.cancel(ctx.session, ctx.principal, job_id))


@router.get(
    "/report-jobs/{job_id}/file",
    summary="Скачать готовый отчёт",
    responses={200: {"content": {render.XLSX_TYPE: {}, render.PDF_TYPE: {}}}},
)
async def download(ctx: Management, job_id: uuid.UUID) -> Response:
    job = await jobs.get(ctx.session, ctx.principal, job_id, with_file=True)
    if job.status != "done" or job.file is None:
        raise InvalidState("Отчёт ещё не готов")
    await audit.record(
        ctx.session,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        action="export",
        entity="report_job",
        entity_id=job.id,
        details={"kind": job.kind, "format": job.format, **job.params},
    )
    return Response(
        job.file,
        media_type=render.XLSX_TYPE if job.format == "xlsx" else render.PDF_TYPE,
        headers={"Content-Disposition": disposition(job.filename or f"report.{job.format}")},
    )


class NewSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    format: Literal["xlsx", "pdf"]
    days: list[int] = Field(max_length=31)
    period_days: int = 14


class ScheduleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    format: str
    days: list[int]
    period_days: int
    last_run_on: date | None


@router.get(
    "/report-schedules", response_model=list[ScheduleRead], summary="Мои отчёты по расписанию"
)
async def my_schedules(ctx: Management) -> list[ScheduleRead]:
    return [
        ScheduleRead.model_validate(s) for s in await jobs.schedules(ctx.session, ctx.principal)
    ]


@router.post(
    "/report-schedules",
    response_model=ScheduleRead,
    status_code=201,
    summary="Заказывать отчёт по расписанию",
    description="В каждое из чисел месяца `days` (число больше последнего дня месяца — в его "
    "последний день) в очередь встаёт отчёт за последние `period_days` дней; файлы — в «Моих отчётах».",
)
async def add_schedule(ctx: Management, cmd: NewSchedule) -> ScheduleRead:
    s = await jobs.create_schedule(
        ctx.session,
        ctx.principal,
        kind=cmd.kind,
        fmt=cmd.format,
        days=cmd.days,
        period_days=cmd.period_days,
    )
    return ScheduleRead.model_validate(s)


@router.delete("/report-schedules/{schedule_id}", status_code=204, summary="Убрать расписание")
async def remove_schedule(ctx: Management, schedule_id: uuid.UUID) -> Response:
    await jobs.delete_schedule(ctx.session, ctx.principal, schedule_id)
    return Response(status_code=204)
