"""Composition root: settings → runtime → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_schedule.config import Settings
from edureg_schedule.http.routes import router
from edureg_schedule.manifest import MANIFEST
from edureg_schedule.persistence.tables import Base
from edureg_shared.service import build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    return create_app(
        runtime,
        title="edureg: учебный год и расписание",
        description="Учебные годы и периоды (далее — учебные планы, нагрузка, расписание).",
        routers=[router],
        tables=Base.metadata,
    )
