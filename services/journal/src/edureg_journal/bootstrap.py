"""Composition root: settings → runtime (subscribers) → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_journal.config import Settings
from edureg_journal.http import homework as homework_routes
from edureg_journal.http import lessons as lesson_routes
from edureg_journal.http import plans as plan_routes
from edureg_journal.http import settings as settings_routes
from edureg_journal.http import year_marks as year_routes
from edureg_journal.http.routes import router
from edureg_journal.manifest import MANIFEST
from edureg_journal.messaging.subscribers import register
from edureg_journal.persistence.tables import Base
from edureg_shared.service import build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)
    return create_app(
        runtime,
        title="edureg: журнал",
        description="Составы групп по датам, уроки, оценки, посещаемость, итоговые оценки, дневник.",
        routers=[
            router,
            lesson_routes.router,
            settings_routes.router,
            plan_routes.router,
            homework_routes.router,
            year_routes.router,
        ],
        tables=Base.metadata,
    )
