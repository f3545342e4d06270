"""Composition root: settings → runtime (subscribers) → app."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from edureg_reporting.config import Settings
from edureg_reporting.http import (
    constructor,
    group_reports,
    jobs,
    monitoring,
    named_reports,
    student_reports,
)
from edureg_reporting.http.routes import router
from edureg_reporting.manifest import MANIFEST
from edureg_reporting.messaging.subscribers import register
from edureg_reporting.persistence.tables import Base
from edureg_reporting.services.jobs import Worker
from edureg_shared.service import Runtime, build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)
    worker = Worker(runtime.db, settings)

    async def start_worker(rt: Runtime) -> None:
        rt.background.append(asyncio.create_task(worker.run(), name="report-jobs"))

    runtime.on_start.append(start_worker)
    app = create_app(
        runtime,
        title="edureg: отчёты",
        description=(
            "Отчёты по событиям других сервисов: сводные ведомости групп, соблюдение сроков, "
            "региональный мониторинг, большие отчёты в фоне."
        ),
        routers=[
            router,
            group_reports.router,
            student_reports.router,
            named_reports.router,
            monitoring.router,
            jobs.router,
            constructor.router,
        ],
        tables=Base.metadata,
    )
    app.state.report_worker = worker
    return app
