"""Large reports as background jobs that never hang (the reporting issue, item 7).

A job is queued by a request and taken by a worker of any reporting process
(`claim_report_job`: the oldest waiting one, SKIP LOCKED). The worker builds it step by
step (a group at a time), and after every step, in its own short transaction, records
its progress and beats the job's heart; it stops at a cancellation or when the job's time
limit is reached (failed, with a Russian message). A worker that dies leaves a job whose
heart stopped: after the lease another worker takes it again, and after its last attempt
it is failed — never left "running". A finished job keeps its file for download."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from edureg_reporting import render
from edureg_reporting.persistence.tables import ReportJob, ReportSchedule, SignInDay
from edureg_reporting.services import documents, named_reports, reports
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, InvalidState, NotFound

log = logging.getLogger("edureg.report_jobs")

KINDS = {
    "marks_all": "Сводные ведомости успеваемости всех групп",
    "attendance_all": "Сводные ведомости посещаемости всех групп",
    "activity": "Активность пользователей",
}
NAMED = "named."


def job_kinds() -> dict[str, str]:
    """What may be ordered or scheduled: the big sheets, the activity report, and the
    named reports of the regulations — the organisation's, and the groups' built for
    every group at once (e.g. the curators' preliminary reports every two weeks, 001)."""
    out = dict(KINDS)
    for k in named_reports.KINDS.values():
        if k.scope == "organisation":
            out[NAMED + k.key] = k.title
        elif k.scope == "group":
            out[NAMED + k.key] = f"{k.title} — все группы"
    return out


FORMATS = ("xlsx", "pdf")
STATUS_TITLES = {
    "queued": "в очереди",
    "running": "строится",
    "done": "готов",
    "failed": "не построен",
    "cancelled": "отменён",
}
# How often a worker looks for the day's scheduled reports.
SCHEDULE_TICK_S = 60.0
# A user's jobs waiting or running at once: a click too many waits for the others.
MAX_OPEN = 3
DIED = "Отчёт не построен: его обработка прерывалась несколько раз. Попробуйте позже или выберите меньший период."
TOO_LONG = "Отчёт не построен за {minutes} мин.: выберите меньший период."
BROKEN = "Отчёт не построен из-за внутренней ошибки. Попробуйте позже; если повторится — сообщите администратору."


async def submit(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str,
    fmt: str,
    period_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
) -> ReportJob:
    errors = []
    if kind not in job_kinds():
        errors.append({"field": "kind", "message": "Нет такого отчёта"})
    if fmt not in FORMATS:
        errors.append({"field": "format", "message": "Формат: xlsx или pdf"})
    if errors:
        raise InvalidState("Отчёт не заказан: исправьте отмеченные поля", errors=errors)
    r = await reports.resolve_range(
        session, principal.tenant_id, period_id=period_id, start=start, end=end
    )
    open_jobs = await session.scalar(
        select(func.count())
        .select_from(ReportJob)
        .where(
            ReportJob.tenant_id == principal.tenant_id,
            ReportJob.requested_by == principal.user_id,
            ReportJob.status.in_(("queued", "running")),
        )
    )
    if (open_jobs or 0) >= MAX_OPEN:
        raise Conflict(f"У вас уже {MAX_OPEN} отчёта в работе: дождитесь их или отмените")
    params = {"from": r.start.isoformat(), "to": r.end.isoformat()}
    if r.period is not None:
        params["period_id"] = str(r.period.period_id)
    job = ReportJob(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        kind=kind,
        format=fmt,
        params=params,
        status="queued",
        requested_by=principal.user_id,
    )
    session.add(job)
    await session.flush()
    return job


async def mine(session: AsyncSession, principal: Principal) -> list[ReportJob]:
    rows = await session.scalars(
        select(ReportJob)
        .where(
            ReportJob.tenant_id == principal.tenant_id,
            ReportJob.requested_by == principal.user_id,
        )
        .order_by(ReportJob.created_at.desc())
        .limit(20)
    )
    return list(rows.all())


async def get(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID, *, with_file: bool = False
) -> ReportJob:
    """One of the caller's own jobs (anyone else's is not found)."""
    stmt = select(ReportJob).where(
        ReportJob.tenant_id == principal.tenant_id,
        ReportJob.id == job_id,
        ReportJob.requested_by == principal.user_id,
    )
    if with_file:
        stmt = stmt.options(undefer(ReportJob.file))
    job = await session.scalar(stmt)
    if job is None:
        raise NotFound("Нет такого отчёта")
    return job


async def cancel(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> ReportJob:
    job = await get(session, principal, job_id)
    if job.status not in ("queued", "running"):
        raise InvalidState("Отчёт уже не строится: отменять нечего")
    job.status = "cancelled"
    job.finished_at = datetime.now(UTC)
    await session.flush()
    return job


async def create_schedule(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str,
    fmt: str,
    days: list[int],
    period_days: int,
) -> ReportSchedule:
    errors = []
    if kind not in job_kinds():
        errors.append({"field": "kind", "message": "Нет такого отчёта"})
    if fmt not in FORMATS:
        errors.append({"field": "format", "message": "Формат: xlsx или pdf"})
    if not days or any(not 1 <= d <= 31 for d in days) or len(set(days)) != len(days):
        errors.append({"field": "days", "message": "Числа месяца от 1 до 31, без повторов"})
    if not 1 <= period_days <= 400:
        errors.append({"field": "period_days", "message": "От 1 до 400 дней"})
    if errors:
        raise InvalidState("Расписание не сохранено: исправьте отмеченные поля", errors=errors)
    schedule = ReportSchedule(
        tenant_id=principal.tenant_id,
        id=uuid.uuid4(),
        kind=kind,
        format=fmt,
        days=sorted(days),
        period_days=period_days,
        created_by=principal.user_id,
    )
    session.add(schedule)
    await session.flush()
    return schedule


async def schedules(session: AsyncSession, principal: Principal) -> list[ReportSchedule]:
    rows = await session.scalars(
        select(ReportSchedule)
        .where(
            ReportSchedule.tenant_id == principal.tenant_id,
            ReportSchedule.created_by == principal.user_id,
        )
        .order_by(ReportSchedule.created_at)
    )
    return list(rows.all())


async def delete_schedule(
    session: AsyncSession, principal: Principal, schedule_id: uuid.UUID
) -> None:
    found = await session.scalar(
        select(ReportSchedule).where(
            ReportSchedule.tenant_id == principal.tenant_id,
            ReportSchedule.id == schedule_id,
            ReportSchedule.created_by == principal.user_id,
        )
    )
    if found is None:
        raise NotFound("Нет такого расписания")
    await session.delete(found)


def _range(job: ReportJob) -> tuple[uuid.UUID | None, date, date]:
    p = job.params
    period = uuid.UUID(p["period_id"]) if p.get("period_id") else None
    return period, date.fromisoformat(p["from"]), date.fromisoformat(p["to"])


class Stopped(Exception):
    """The job was cancelled, or ran out of time, while it was being built."""


class Worker:
    """Takes and builds jobs in one reporting process (several processes share them)."""

    def __init__(self, db: Database, settings: Any) -> None:
        self.db = db
        self.settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A job was queued here: look now, not at the next poll."""
        self._wake.set()

    def wake_after_commit(self, session: AsyncSession) -> None:
        """Look as soon as the transaction that queued a job has committed."""
        event.listen(session.sync_session, "after_commit", lambda _: self.wake(), once=True)

    async def run_schedules(self, today: date) -> int:
        """Queue today's scheduled reports: `due_report_schedules` marks each schedule run
        and queues its job in one statement (each once a day, whichever worker gets there
        first; nothing lost between the two); returns how many were queued."""
        async with self.db.unscoped_session() as session:
            due = (
                await session.execute(
                    text("SELECT tenant_id, id FROM due_report_schedules(:today)"), {"today": today}
                )
            ).all()
        return len(due)

    async def run(self) -> None:
        last_schedules = 0.0
        while True:
            if time.monotonic() - last_schedules > SCHEDULE_TICK_S:
                last_schedules = time.monotonic()
                try:
                    zone = ZoneInfo(self.settings.timezone)
                    await self.run_schedules(datetime.now(zone).date())
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("report schedules paused", extra={"error_type": type(exc).__name__})
            try:
                claimed = await self.claim()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again later
                log.warning("report jobs paused", extra={"error_type": type(exc).__name__})
                claimed = None
            if claimed is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.report_job_poll_s)
                self._wake.clear()
                continue
            await self.build(*claimed)

    async def claim(self) -> tuple[uuid.UUID, uuid.UUID] | None:
        async with self.db.unscoped_session() as session:
            row = (
                await session.execute(
                    text("SELECT tenant_id, id FROM claim_report_job(:lease, :attempts, :error)"),
                    {
                        "lease": self.settings.report_job_lease_s,
                        "attempts": self.settings.report_job_max_attempts,
                        "error": DIED,
                    },
                )
            ).first()
        return (row[0], row[1]) if row else None

    async def _beat(
        self, tenant_id: uuid.UUID, job_id: uuid.UUID, attempt: int, done: int, total: int
    ) -> None:
        """Progress and a heartbeat, in a transaction of their own; raises Stopped if the
        job was cancelled meanwhile, its time is up, or another worker has taken it."""
        async with self.db.tenant_session(tenant_id) as session:
            job = await session.get(ReportJob, (tenant_id, job_id), with_for_update=True)
            if job is None or job.status != "running" or job.attempts != attempt:
                raise Stopped("cancelled or taken over")
            started = job.started_at or datetime.now(UTC)
            if (
                datetime.now(UTC) - started
            ).total_seconds() > self.settings.report_job_time_limit_s:
                job.status = "failed"
                job.error = TOO_LONG.format(
                    minutes=max(1, self.settings.report_job_time_limit_s // 60)
                )
                job.finished_at = datetime.now(UTC)
                raise_after = True
            else:
                job.done_steps, job.total_steps = done, total
                job.heartbeat_at = datetime.now(UTC)
                raise_after = False
        if raise_after:
            raise Stopped("time limit")

    async def _keep_alive(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
        """The heart beats on while a long step (the first query, the file's rendering)
        runs, so no other worker takes a job that is only slow."""
        every = max(0.5, self.settings.report_job_lease_s / 3)
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):
                async with self.db.tenant_session(tenant_id) as session:
                    await session.execute(
                        update(ReportJob)
                        .where(
                            ReportJob.tenant_id == tenant_id,
                            ReportJob.id == job_id,
                            ReportJob.status == "running",
                        )
                        .values(heartbeat_at=datetime.now(UTC))
                    )

    async def build(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
        alive = asyncio.create_task(self._keep_alive(tenant_id, job_id))
        try:
            await self._build(tenant_id, job_id)
        except Stopped:
            return
        except asyncio.CancelledError:
            raise  # the process stops: the job's heart stops, another worker takes it
        except Exception:
            log.exception("report job failed", extra={"job_id": str(job_id)})
            with contextlib.suppress(Exception):
                async with self.db.tenant_session(tenant_id) as session:
                    await session.execute(
                        update(ReportJob)
                        .where(
                            ReportJob.tenant_id == tenant_id,
                            ReportJob.id == job_id,
                            ReportJob.status == "running",
                        )
                        .values(status="failed", error=BROKEN, finished_at=datetime.now(UTC))
                    )
        finally:
            alive.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await alive

    async def _build(self, tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
        async with self.db.tenant_session(tenant_id) as session:
            job = await session.get(ReportJob, (tenant_id, job_id))
            if job is None:
                return
            kind, fmt, attempt = job.kind, job.format, job.attempts
            period_id, start, end = _range(job)
            r = await reports.resolve_range(
                session, tenant_id, period_id=period_id, start=start, end=end
            )
            management = Principal(
                user_id=job.requested_by,
                tenant_id=tenant_id,
                permissions=frozenset({reports.ORGANISATION_REPORTS}),
            )
            groups = await reports.report_groups(session, management)
            named = _named(kind)
            if kind == "activity" or (named is not None and named.scope == "organisation"):
                groups = []
            if kind == "activity":
                days = await activity(session, tenant_id, r.start, r.end)
        await self._beat(tenant_id, job_id, attempt, 0, len(groups))
        made = f"Сформирован {render.stamp()}"
        tables = []
        if kind == "activity":
            tables.append(documents.activity_table(r, days, made))
        if named is not None and named.scope == "organisation":
            async with self.db.tenant_session(tenant_id) as session:
                tables += await named.build(named_reports.Of(session, tenant_id, r, made))
        for i, group in enumerate(groups, start=1):
            async with self.db.tenant_session(tenant_id) as session:
                if named is not None:
                    built = await named.build(
                        named_reports.Of(session, tenant_id, r, made, group=group)
                    )
                elif kind == "marks_all":
                    sheet = await reports.marks_sheet(session, tenant_id, group.group_id, r)
                    built = [documents.marks_table(group, r, sheet, made)]
                else:
                    att = await reports.attendance_sheet(session, tenant_id, group.group_id, r)
                    built = [documents.attendance_table(group, r, att, made)]
            for table in built:
                table.sheet = group.name or table.sheet
            tables += built
            await self._beat(tenant_id, job_id, attempt, i, len(groups))
        if not tables:  # an organisation without groups
            tables.append(
                render.Table(
                    title=job_kinds().get(kind, kind),
                    subtitle=[f"Период: {documents.range_title(r)}"],
                    columns=["Сведения"],
                    rows=[["В организации нет групп"]],
                )
            )
        body = await asyncio.to_thread(render.xlsx if fmt == "xlsx" else _pdf, *tables)
        async with self.db.tenant_session(tenant_id) as session:
            await session.execute(
                update(ReportJob)
                .where(
                    ReportJob.tenant_id == tenant_id,
                    ReportJob.id == job_id,
                    ReportJob.status == "running",
                    ReportJob.attempts == attempt,
                )
                .values(
                    status="done",
                    file=body,
                    filename=f"{job_kinds().get(kind, kind)}.{fmt}",
                    finished_at=datetime.now(UTC),
                    done_steps=len(groups),
                    total_steps=len(groups),
                )
            )


def _named(kind: str) -> named_reports.Kind | None:
    return named_reports.KINDS.get(kind[len(NAMED) :]) if kind.startswith(NAMED) else None


async def activity(
    session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date
) -> dict[date, dict[str, int]]:
    """Sign-ins per day and kind of account (staff, student, guardian)."""
    rows = await session.execute(
        select(SignInDay.day, SignInDay.kind, SignInDay.sign_ins)
        .where(SignInDay.tenant_id == tenant_id, SignInDay.day.between(start, end))
        .order_by(SignInDay.day)
    )
    out: dict[date, dict[str, int]] = {}
    for day, kind, n in rows.all():
        out.setdefault(day, {})[kind] = n
    return out


def _pdf(*tables: render.Table) -> bytes:
    return render.pdf(*tables, created=datetime.now(UTC))
