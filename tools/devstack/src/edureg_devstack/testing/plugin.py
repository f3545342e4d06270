"""Pytest plugin (loaded from the root pytest config): the `infra` fixture and helpers."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.settings import ServiceSettings

T = TypeVar("T")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Real PostgreSQL and NATS JetStream for this test run only (never the machine's)."""
    started = Infra.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def issuer() -> TestIssuer:
    """Signs tokens for one service's own tests (cross-service tests use identity)."""
    return TestIssuer()


@pytest.fixture
async def nats_prefix(infra: Infra) -> str:
    """A subject/stream prefix of this test's own, so tests share one NATS server safely;
    its streams are created here, by the admin user, as in a deployment."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    await infra.create_streams(prefix)
    return prefix


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 30.0,
    interval: float = 0.1,
    message: str = "condition not met",
) -> T:
    """Poll `probe` until `until(result)` holds or the deadline passes (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if until(last):
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{message} within {timeout}s; last value: {last!r}")


@contextlib.asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s lifespan (broker, relay) and give an HTTP client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with `status`; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


S = TypeVar("S", bound=ServiceSettings)


def service_settings(
    cls: type[S], infra: Infra, db: ServiceDatabase, nats_prefix: str, **overrides: Any
) -> S:
    """A service's settings for its own tests: this run's database copy and NATS, a
    private subject prefix, and short retry delays so retries are observable quickly."""
    service = cls.model_fields["service_name"].default
    values: dict[str, Any] = {
        "database_url": db.app_url,
        "relay_database_url": db.relay_url,
        **infra.service_env(service),
        "nats_prefix": nats_prefix,
        "outbox_poll_interval_s": 0.2,
        "consumer_max_deliver": 3,
        "consumer_backoff_base_s": 0.05,
        "consumer_backoff_max_s": 0.2,
        **overrides,
    }
    return cls(**values)
