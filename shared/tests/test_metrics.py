"""The metrics endpoint and the request middleware (no database, no broker)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from edureg_shared import metrics
from edureg_shared.metrics import Metrics


def _app(token: str | None = None) -> tuple[FastAPI, Metrics]:
    app = FastAPI()

    @app.get("/api/v1/students/{student_id}")
    async def student(student_id: str) -> dict[str, str]:
        return {"id": student_id}

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    m = Metrics()
    metrics.install(app, m, token=token)
    return app, m


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_requests_are_counted_by_route_template_never_by_path() -> None:
    app, _ = _app()
    async with _client(app) as c:
        for _ in range(3):
            assert (await c.get("/api/v1/students/4b1f-secret-id")).status_code == 200
        assert (await c.get("/no/such/page/ivanov")).status_code == 404
        await c.get("/health/ready")
        text = (await c.get("/metrics")).text
    assert (
        'edureg_http_requests_total{method="GET",route="/api/v1/students/{student_id}",'
        'status="200"} 3.0' in text
    )
    assert 'route="unmatched",status="404"' in text
    assert "secret-id" not in text
    assert "ivanov" not in text
    assert "/health" not in text  # probes are not traffic
    assert re.search(
        r'edureg_http_request_duration_seconds_count\{method="GET",route="/api/v1/students/\{student_id\}"\} 3',
        text,
    )


async def test_a_scrape_needs_the_token_when_one_is_set() -> None:
    app, _ = _app(token="scrape-secret")
    async with _client(app) as c:
        refused = await c.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        wrong = await c.get("/metrics", headers={"Authorization": "Bearer other"})
        assert wrong.status_code == 401
        ok = await c.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert ok.status_code == 200
        assert "edureg_outbox_rows" in ok.text


def test_consumer_and_outbox_figures_are_exposed() -> None:
    m = Metrics()
    m.pending.labels("identity--contingent-student-enrolled").set(42)
    m.events.labels("identity--contingent-student-enrolled", "dead_lettered").inc()
    m.outbox_oldest.set(75.0)
    text = m.exposition().decode()
    assert (
        'edureg_consumer_pending_messages{consumer="identity--contingent-student-enrolled"} 42.0'
        in text
    )
    assert 'outcome="dead_lettered"} 1.0' in text
    assert "edureg_outbox_oldest_seconds 75.0" in text
