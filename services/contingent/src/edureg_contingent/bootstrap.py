"""Composition root: settings → runtime → app."""

from __future__ import annotations

from fastapi import FastAPI

from edureg_contingent.config import Settings
from edureg_contingent.contracts.events import (
    GROUP_CREATED,
    STUDENT_ENROLLED,
    STUDENT_EXPELLED,
    GroupCreatedV1,
    StudentEnrolledV1,
    StudentExpelledV1,
)
from edureg_contingent.http.routes.api import router
from edureg_shared.service import build_runtime, create_app, document_event


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings, produces=True)
    document_event(runtime, STUDENT_ENROLLED, StudentEnrolledV1)
    document_event(runtime, STUDENT_EXPELLED, StudentExpelledV1)
    document_event(runtime, GROUP_CREATED, GroupCreatedV1)
    return create_app(
        runtime,
        title="edureg: контингент",
        description="Группы, личные дела и книга движения обучающихся (приказы).",
        routers=[router],
    )
