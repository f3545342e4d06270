"""The runtime every service composes: settings, database, broker, relay, HTTP app.

A service's bootstrap.py builds a `Runtime`, registers its subscribers and routers, and
calls `create_app`. The app's lifespan starts and stops everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from edureg_shared.auth import TokenVerifier
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Envelope
from edureg_shared.events.outbox import OutboxRelay
from edureg_shared.events.streams import ensure_streams
from edureg_shared.problems import install_error_handlers, problem
from edureg_shared.settings import ServiceSettings
from edureg_shared.telemetry import setup_telemetry, shutdown_telemetry

log = logging.getLogger("edureg.service")


@dataclass
class Runtime:
    settings: ServiceSettings
    db: Database
    broker: NatsBroker
    produces: bool = True
    relay: OutboxRelay | None = None
    background: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.service_name


def build_runtime(settings: ServiceSettings, *, produces: bool = True) -> Runtime:
    setup_telemetry(settings)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    broker = NatsBroker(
        # A cluster is given as a comma-separated list; the client also learns the others.
        [url.strip() for url in settings.nats_url.split(",") if url.strip()],
        # Reconnect for as long as it takes: the broker restarting must not end the service.
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        logger=logging.getLogger(f"edureg.{settings.service_name}.broker"),
        log_level=logging.DEBUG,
    )
    return Runtime(settings=settings, db=Database(engine), broker=broker, produces=produces)


def document_event(
    runtime: Runtime,
    event_type: str,
    model: type[BaseModel],
    version: int = 1,
    description: str | None = None,
) -> None:
    """Declare an event this service publishes, for the AsyncAPI document."""
    runtime.broker.publisher(
        f"{runtime.settings.nats_prefix}{event_type}.v{version}",
        title=f"{event_type} v{version}",
        description=description or model.__doc__,
        schema=model,
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime: Runtime = app.state.runtime
    s = runtime.settings
    await runtime.broker.connect()
    await ensure_streams(runtime.broker.connection, s.nats_prefix, s.nats_stream_replicas)
    await runtime.broker.start()
    if runtime.produces:
        runtime.relay = OutboxRelay(
            dsn=s.relay_database_url or s.database_url,
            nats=runtime.broker.connection,
            batch_size=s.outbox_batch_size,
            poll_interval=s.outbox_poll_interval_s,
        )
        runtime.background.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
    log.info("service started", extra={"port": s.http_port})
    try:
        yield
    finally:
        if runtime.relay:
            runtime.relay.stop()
        for task in runtime.background:
            task.cancel()
        for task in runtime.background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await runtime.broker.stop()
        await runtime.db.dispose()
        shutdown_telemetry()


def health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live", summary="Процесс жив")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Готов обслуживать: база данных и брокер доступны")
    async def ready() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(runtime.db.ping(), timeout=2.0)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            connected = runtime.broker.connection.is_connected
        except Exception:
            connected = False
        checks["broker"] = "ok" if connected else "unavailable"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ok", "checks": checks})
        return problem(
            503,
            "not-ready",
            "Сервис не готов",
            "Недоступны: " + ", ".join(k for k, v in checks.items() if v != "ok"),
            checks=checks,
        )

    @router.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi(runtime).to_jsonable())

    @router.get("/asyncapi", include_in_schema=False)
    async def asyncapi_html() -> HTMLResponse:
        from faststream.specification.asyncapi.site import get_asyncapi_html

        return HTMLResponse(get_asyncapi_html(asyncapi(runtime)))

    return router


def asyncapi(runtime: Runtime) -> Any:
    return AsyncAPI(
        runtime.broker,
        title=f"edureg {runtime.name}: события",
        version="1.0.0",
        description=f"События, которые публикует и принимает сервис {runtime.name}. "
        f"Каждое событие — конверт {Envelope.__name__} (JSON).",
    ).to_specification()


def create_app(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    verify_tokens: bool = True,
) -> FastAPI:
    s = runtime.settings
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=_lifespan)
    app.state.runtime = runtime
    if verify_tokens:
        app.state.token_verifier = TokenVerifier(
            jwks_url=s.jwks_url, issuer=s.jwt_issuer, audience=s.jwt_audience
        )
    install_error_handlers(app)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*")

    @app.middleware("http")
    async def _no_store(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        # Personal data must not linger in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
