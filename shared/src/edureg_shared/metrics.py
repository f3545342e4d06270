"""Prometheus metrics of one service process, at `GET /metrics` (text exposition).

What each is for (the alerts that use them: deploy/prometheus/alerts.yml):
- `edureg_http_requests_total{method,route,status}` and
  `edureg_http_request_duration_seconds{method,route}`: request rates, errors and
  latency. `route` is the route's template (`/api/v1/students/{student_id}`), never
  the path itself: no ids, no names in a label;
- `edureg_consumer_pending_messages{consumer}`: events in the stream not yet delivered
  to that durable consumer (its lag), as the broker reported with the last fetch;
- `edureg_consumer_events_total{consumer,outcome}`: applied, retried, dead_lettered;
- `edureg_outbox_rows` and `edureg_outbox_oldest_seconds`: events written and not yet
  published, and how long the oldest has waited (read at each scrape by the relay role);
  `edureg_outbox_published_total`;
- `edureg_db_pool_connections{state}` (in_use, idle, overflow) and `edureg_db_pool_size`.

Scraped by the OpenTelemetry collector (deploy/otel-collector.yaml). With
`metrics_token` set, a scrape must carry it as a bearer token (the portal's port faces
the Ingress); without it the endpoint is open (development, tests).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edureg_shared.problems import problem

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"


class Metrics:
    """The metrics of one process (one registry: several apps in one test process do
    not mix their figures)."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "edureg_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "edureg_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.pending = Gauge(
            "edureg_consumer_pending_messages",
            "Events in the stream not yet delivered to the durable consumer (lag)",
            ["consumer"],
            registry=r,
        )
        self.events = Counter(
            "edureg_consumer_events",
            "Events handled by a consumer: applied, retried or dead_lettered",
            ["consumer", "outcome"],
            registry=r,
        )
        self.outbox_rows = Gauge(
            "edureg_outbox_rows", "Events written and not yet published", registry=r
        )
        self.outbox_oldest = Gauge(
            "edureg_outbox_oldest_seconds",
            "Age of the oldest event not yet published (0 when the outbox is empty)",
            registry=r,
        )
        self.published = Counter(
            "edureg_outbox_published", "Events the relay published", registry=r
        )
        self.pool = Gauge(
            "edureg_db_pool_connections",
            "Database connections of the service's pool, by state",
            ["state"],
            registry=r,
        )
        self.pool_size = Gauge(
            "edureg_db_pool_size", "Configured size of the database pool", registry=r
        )
        self.pool_max = Gauge(
            "edureg_db_pool_max",
            "Connections the pool may open at most (its size and overflow)",
            registry=r,
        )

    def sample_pool(self, engine: AsyncEngine) -> None:
        pool: Any = engine.pool
        with_size = all(hasattr(pool, m) for m in ("size", "checkedout", "checkedin", "overflow"))
        if not with_size:
            return
        self.pool_size.set(pool.size())
        self.pool_max.set(pool.size() + max(0, int(getattr(pool, "_max_overflow", 0))))
        self.pool.labels("in_use").set(pool.checkedout())
        self.pool.labels("idle").set(pool.checkedin())
        self.pool.labels("overflow").set(max(0, pool.overflow()))

    def exposition(self) -> bytes:
        return bytes(generate_latest(self.registry))


class RequestMetrics:
    """Counts and times every HTTP request by its route's template (pure ASGI)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = getattr(scope.get("route"), "path", None) or UNMATCHED
            if template != "/metrics" and not template.startswith("/health"):
                method = str(scope.get("method", ""))
                self.metrics.requests.labels(method, template, str(status)).inc()
                self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def install(
    app: FastAPI,
    metrics: Metrics,
    *,
    token: str | None,
    sample: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """`GET /metrics` on `app` and the request middleware; `sample` refreshes the figures
    read at scrape time (outbox, pool)."""

    @app.get("/metrics", include_in_schema=False)
    async def exposition(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return problem(401, "unauthorized", "Требуется вход", "Нужен ключ сбора метрик")
        if sample is not None:
            await sample()
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(RequestMetrics, metrics=metrics)
