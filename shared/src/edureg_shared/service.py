"""The runtime every service composes: settings, database, broker, relay, HTTP app.

A service's bootstrap.py builds a `Runtime`, registers its subscribers and routers, and
calls `create_app`. The app's lifespan starts and stops everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.security import SASLPlaintext
from faststream.specification import AsyncAPI
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from edureg_shared import metrics
from edureg_shared.auth import TokenVerifier
from edureg_shared.db import Database, check_service_role, create_engine
from edureg_shared.events.consumer import Consumer, Handler
from edureg_shared.events.contract import Consumes
from edureg_shared.events.envelope import Envelope, stream_name
from edureg_shared.events.manifest import ServiceManifest
from edureg_shared.events.outbox import OutboxRelay
from edureg_shared.limits import BodySizeLimit, NoStore
from edureg_shared.metrics import Metrics
from edureg_shared.problems import (
    document_problems,
    install_error_handlers,
    problem,
    register_constraints,
)
from edureg_shared.settings import ServiceSettings
from edureg_shared.telemetry import setup_telemetry, shutdown_telemetry

log = logging.getLogger("edureg.service")


@dataclass
class Runtime:
    settings: ServiceSettings
    manifest: ServiceManifest
    db: Database
    # The live connection (relay, consumers) ...
    broker: NatsBroker
    # ... and a never-connected broker that only describes the events for AsyncAPI.
    docs: NatsBroker
    relay: OutboxRelay | None = None
    consumers: list[Consumer] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)
    # The relay role's one connection that reads the outbox's depth at each scrape.
    metrics_engine: AsyncEngine | None = None
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    # Run once at start, after the database role is checked and before consumers start
    # (e.g. identity keeps every organisation's built-in positions in step with the code).
    on_start: list[Callable[[Runtime], Awaitable[None]]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.service_name

    def consume(self, event: Consumes, handler: Handler) -> None:
        """Apply every `event` with `handler` (once per event: see events/consumer.py).
        The event must be listed in the service's manifest."""
        if event not in self.manifest.consumes:
            raise ValueError(f"{event.type} v{event.version} is not in {self.name}'s manifest")
        self.consumers.append(
            Consumer(
                nats=lambda: self.broker.connection,
                settings=self.settings,
                db=self.db,
                manifest=self.manifest,
                event=event,
                handler=handler,
                metrics=self.metrics,
            )
        )
        prefix = self.settings.nats_prefix

        async def described(envelope: Envelope) -> None:
            """Documentation only: the consumer loop applies the events."""

        self.docs.subscriber(
            event.subject(prefix),
            stream=JStream(name=stream_name(event.producer, prefix), declare=False),
            durable=self.manifest.consumer_name(event),
            pull_sub=PullSub(batch_size=self.settings.consumer_batch_size),
            title=f"{self.name}: {event.type} v{event.version}",
            description=handler.__doc__,
        )(described)


def _ssl_context(settings: ServiceSettings) -> ssl.SSLContext | None:
    if not settings.nats_tls_ca_file:
        return None
    return ssl.create_default_context(cafile=settings.nats_tls_ca_file)


def build_runtime(settings: ServiceSettings, manifest: ServiceManifest) -> Runtime:
    setup_telemetry(settings)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pgbouncer=settings.db_pgbouncer,
    )
    tls = _ssl_context(settings)
    security = (
        SASLPlaintext(
            username=settings.nats_user,
            password=settings.nats_password.get_secret_value() if settings.nats_password else "",
            ssl_context=tls,
        )
        if settings.nats_user
        else None
    )
    broker = NatsBroker(
        # A cluster is given as a comma-separated list; the client also learns the others.
        [url.strip() for url in settings.nats_url.split(",") if url.strip()],
        security=security,
        # Replies (publish acks, fetched messages) come to this service's own inbox
        # subjects, which no other service may subscribe to.
        inbox_prefix=f"_INBOX_{manifest.name}",
        # Reconnect for as long as it takes: the broker restarting must not end the service.
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        ping_interval=settings.nats_ping_interval_s,
        max_outstanding_pings=settings.nats_max_outstanding_pings,
        logger=logging.getLogger(f"edureg.{settings.service_name}.broker"),
        log_level=logging.DEBUG,
    )
    docs = NatsBroker(logger=None)
    for contract in manifest.publishes:
        docs.publisher(
            contract.subject(settings.nats_prefix),
            title=f"{contract.type} v{contract.version}",
            description=contract.description,
            schema=contract.model,
        )
    return Runtime(
        settings=settings, manifest=manifest, db=Database(engine), broker=broker, docs=docs
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime: Runtime = app.state.runtime
    s = runtime.settings
    # A service that could switch row-level security off must not run at all.
    await check_service_role(runtime.db.engine)
    if runtime.manifest.publishes and s.relay_database_url:
        relay_engine = create_engine(s.relay_database_url, pool_size=1, max_overflow=0)
        try:
            await check_service_role(relay_engine)
        finally:
            await relay_engine.dispose()
    for hook in runtime.on_start:
        await hook(runtime)
    await runtime.broker.connect()
    if runtime.manifest.publishes:
        runtime.relay = OutboxRelay(
            dsn=s.relay_database_url or s.database_url,
            nats=runtime.broker.connection,
            prefix=s.nats_prefix,
            batch_size=s.outbox_batch_size,
            poll_interval=s.outbox_poll_interval_s,
            metrics=runtime.metrics,
        )
        runtime.background.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
    for consumer in runtime.consumers:
        consumer.start()
    log.info("service started", extra={"port": s.http_port})
    try:
        yield
    finally:
        for consumer in runtime.consumers:
            await consumer.stop()
        if runtime.relay:
            runtime.relay.stop()
        for task in runtime.background:
            task.cancel()
        for task in runtime.background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await runtime.broker.stop()
        await runtime.db.dispose()
        if runtime.metrics_engine is not None:
            await runtime.metrics_engine.dispose()
        shutdown_telemetry()


_OUTBOX_DEPTH = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox"
)


async def sample_metrics(runtime: Runtime) -> None:
    """The figures read at scrape time: the pool's state, and the outbox's depth and
    age through the relay role (the app role may only insert there)."""
    runtime.metrics.sample_pool(runtime.db.engine)
    s = runtime.settings
    if not runtime.manifest.publishes:
        return
    if runtime.metrics_engine is None:
        runtime.metrics_engine = create_engine(
            s.relay_database_url or s.database_url,
            pool_size=1,
            max_overflow=0,
            pgbouncer=s.db_pgbouncer,
        )
    engine = runtime.metrics_engine

    async def depth() -> tuple[int, float]:
        async with engine.connect() as conn:
            rows, oldest = (await conn.execute(_OUTBOX_DEPTH)).one()
        return int(rows), float(oldest)

    try:  # connecting included: a scrape must not wait on a hung database
        rows, oldest = await asyncio.wait_for(depth(), 2.0)
    except Exception as exc:  # the database is away: the figures stay as they were
        log.warning("outbox depth not read", extra={"error_type": type(exc).__name__})
        return
    runtime.metrics.outbox_rows.set(rows)
    runtime.metrics.outbox_oldest.set(float(oldest))


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
        runtime.docs,
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
    tables: MetaData | None = None,
    extra_errors: dict[str, tuple[int, ...]] | None = None,
) -> FastAPI:
    """`tables`: the service's table metadata, so that a unique constraint the database
    enforces can be answered with a 409 naming its fields."""
    s = runtime.settings
    docs: dict[str, Any] = (
        {} if s.expose_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    )
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=_lifespan, **docs)
    app.state.runtime = runtime
    if verify_tokens:
        app.state.token_verifier = TokenVerifier(
            jwks_url=s.jwks_url, issuer=s.jwt_issuer, audience=s.jwt_audience
        )
    install_error_handlers(app)
    document_problems(app, extra_errors)
    if tables is not None:
        register_constraints(tables)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)
    token = s.metrics_token.get_secret_value() if s.metrics_token else None
    metrics.install(app, runtime.metrics, token=token, sample=lambda: sample_metrics(runtime))

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*")

    # Personal data must not linger in shared caches.
    app.add_middleware(NoStore)
    # Outermost: an oversized body is refused before any other work (authentication too).
    app.add_middleware(
        BodySizeLimit,
        max_bytes=s.max_body_bytes,
        upload_paths=s.upload_paths,
        max_upload_bytes=s.max_upload_bytes,
    )
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    _QuietServer(config).run()


def _quiet_server_class() -> Any:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn's server wakes ten times a second to refresh the Date header and look
        for a shutdown request; once a second does both (an idle service is at rest, a
        shutdown starts within a second)."""

        async def main_loop(self) -> None:
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 10) % 864000  # on_tick refreshes the headers at % 10
                await asyncio.sleep(1.0)

    return QuietServer


_QuietServer = _quiet_server_class()
