"""Composition root: settings → runtime → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_contingent.config import Settings
from edureg_contingent.http.routes.api import router
from edureg_contingent.manifest import MANIFEST
from edureg_contingent.messaging.subscribers import register
from edureg_contingent.persistence.tables import Base
from edureg_shared.service import build_runtime, create_app


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, MANIFEST)
    register(runtime)
    return create_app(
        runtime,
        title="edureg: контингент",
        description="Группы, личные дела и книга движения обучающихся (приказы).",
        routers=[router],
        tables=Base.metadata,
    )
