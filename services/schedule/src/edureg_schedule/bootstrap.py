"""Composition root: settings → runtime → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_schedule.config import Settings
from edureg_schedule.contracts.events import ACADEMIC_YEAR_CREATED, AcademicYearCreatedV1
from edureg_schedule.http.routes import router
from edureg_shared.service import build_runtime, create_app, document_event


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, produces=True)
    document_event(runtime, ACADEMIC_YEAR_CREATED, AcademicYearCreatedV1)
    return create_app(
        runtime,
        title="edureg: учебный год и расписание",
        description="Учебные годы и периоды (далее — учебные планы, нагрузка, расписание).",
        routers=[router],
    )
