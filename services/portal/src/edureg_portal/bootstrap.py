"""The portal: a web front over the services' APIs, with no database of its own.
Ready means identity answers (without it nobody can sign in)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from edureg_portal import (
    admin_pages,
    admissions_pages,
    constructor_pages,
    diary_pages,
    import_pages,
    journal_pages,
    monitoring_pages,
    order_pages,
    profile_pages,
    report_pages,
    schedule_pages,
    staff_pages,
    structure_pages,
    student_pages,
)
from edureg_portal.config import Settings
from edureg_portal.identity_client import IdentityClient, ServiceClient
from edureg_portal.pages import router
from edureg_portal.security import SecurityHeaders
from edureg_shared import metrics
from edureg_shared.limits import BodySizeLimit
from edureg_shared.metrics import Metrics
from edureg_shared.problems import install_error_handlers, problem
from edureg_shared.telemetry import setup_telemetry, shutdown_telemetry


def create(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    setup_telemetry(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as client:
            app.state.identity = IdentityClient(settings.identity_url, client)
            app.state.services = {
                "identity": app.state.identity,
                "contingent": ServiceClient(settings.contingent_url, client),
                "schedule": ServiceClient(settings.schedule_url, client),
                "journal": ServiceClient(settings.journal_url, client),
                "reporting": ServiceClient(settings.reporting_url, client),
            }
            yield
        shutdown_telemetry()

    docs: dict[str, Any] = (
        {} if settings.expose_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    )
    app = FastAPI(
        **docs,
        title="edureg: портал",
        version="0.1.0",
        lifespan=lifespan,
        description="Веб-консоли для сотрудников, обучающихся и родителей.",
    )
    app.state.settings = settings
    app.state.csrf_secret = settings.csrf_secret.get_secret_value().encode() or secrets.token_bytes(
        32
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), "static")

    @app.get("/health/live", tags=["health"], summary="Процесс жив")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], summary="Готов: сервис входа доступен")
    async def ready() -> JSONResponse:
        if await app.state.identity.ready():
            return JSONResponse({"status": "ok", "checks": {"identity": "ok"}})
        return problem(
            503,
            "not-ready",
            "Сервис не готов",
            "Недоступен сервис входа",
            checks={"identity": "unavailable"},
        )

    app.include_router(router)
    app.include_router(admin_pages.router)
    app.include_router(order_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(student_pages.router)
    app.include_router(staff_pages.router)
    app.include_router(structure_pages.router)
    app.include_router(admissions_pages.router)
    app.include_router(import_pages.router)
    app.include_router(schedule_pages.router)
    app.include_router(diary_pages.router)
    app.include_router(journal_pages.router)
    app.include_router(report_pages.router)
    app.include_router(monitoring_pages.router)
    app.include_router(constructor_pages.router)
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    metrics.install(app, Metrics(), token=token)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_paths=settings.upload_paths,
        max_upload_bytes=settings.max_upload_bytes,
    )
    return app
