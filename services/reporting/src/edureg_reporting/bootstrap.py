"""Composition root: settings → runtime (subscribers) → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_reporting.config import Settings
from edureg_reporting.http import group_reports, monitoring
from edureg_reporting.http.routes import router
from edureg_reporting.manifest import MANIFEST
from edureg_reporting.messaging.subscribers import register
from edureg_reporting.persistence.tables import Base
from edureg_shared.service import build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)
    return create_app(
        runtime,
        title="edureg: отчёты",
        description="Отчёты по событиям других сервисов: наполняемость, движение, сводные ведомости групп.",
        routers=[router, group_reports.router, monitoring.router],
        tables=Base.metadata,
    )
