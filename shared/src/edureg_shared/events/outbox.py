"""Transactional outbox: events are rows written with the change they describe.

`add_event` inserts into the outbox inside the caller's transaction. The `OutboxRelay`
publishes committed rows in order to JetStream with `Nats-Msg-Id` = event id, waits
for each publish ack, and only then deletes the rows. A relay killed between publish and
delete publishes again after restart; JetStream's duplicate window drops the copy and
consumers' inboxes drop anything older.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import asyncpg
from nats.aio.client import Client as NatsClient
from nats.js.errors import NoStreamResponseError
from opentelemetry import propagate
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.events import tables
from edureg_shared.events.envelope import Envelope, subject_for
from edureg_shared.metrics import Metrics

log = logging.getLogger("edureg.outbox")

_md = MetaData()
OUTBOX = tables.outbox(_md)


def _trace_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


async def add_event(session: AsyncSession, event: Envelope) -> None:
    """Write `event` to the outbox in the caller's transaction (never publish directly)."""
    await add_events(session, [event])


async def add_events(session: AsyncSession, events: list[Envelope]) -> None:
    if not events:
        return
    headers = _trace_headers()
    # Core executemany on the session's connection: no RETURNING, which the app role
    # (INSERT-only on the outbox) could not read anyway.
    conn = await session.connection()
    await conn.execute(
        OUTBOX.insert(),
        [
            {
                "id": e.id,
                "tenant_id": e.tenant_id,
                # Without the deployment's prefix: the relay adds it when it publishes.
                "subject": subject_for(e.type, e.schema_version),
                "payload": e.model_dump_json(),
                "headers": headers,
            }
            for e in events
        ],
    )


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class OutboxRelay:
    """Drains one service's outbox into JetStream. Safe to run in several replicas."""

    def __init__(
        self,
        *,
        dsn: str,
        nats: NatsClient,
        prefix: str = "",
        batch_size: int = 500,
        poll_interval: float = 1.0,
        publish_timeout: float = 5.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._dsn = asyncpg_dsn(dsn)
        self._nats = nats
        self._prefix = prefix
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._publish_timeout = publish_timeout
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published = 0

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._run_connected()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Database or broker away: keep the rows, try again shortly.
                log.warning("outbox relay paused: %s", type(exc).__name__)
                await self._sleep(1.0)

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=seconds)
        self._wakeup.clear()

    async def _run_connected(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn)
        try:
            await conn.add_listener("outbox", lambda *_: self._wakeup.set())
            while not self._stopping.is_set():
                sent = await self.drain_once(conn)
                if sent < self._batch_size:
                    await self._sleep(self._poll_interval)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def drain_once(self, conn: asyncpg.Connection) -> int:
        """Publish one batch, oldest first; returns how many rows were published."""
        async with conn.transaction():
            rows = await conn.fetch(
                "SELECT seq, id, subject, payload, headers FROM outbox "
                "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            if not rows:
                return 0
            js = self._nats.jetstream(timeout=self._publish_timeout)
            # Pipelined: all publishes in flight at once, then every ack awaited. JetStream
            # stores one publisher's messages in the order it receives them.
            futures = []
            for row in rows:
                headers: dict[str, Any] = (
                    json.loads(row["headers"])
                    if isinstance(row["headers"], str)
                    else dict(row["headers"])
                )
                headers["Nats-Msg-Id"] = str(row["id"])
                futures.append(
                    js.publish(
                        self._prefix + row["subject"], row["payload"].encode(), headers=headers
                    )
                )
            results = await asyncio.gather(*futures, return_exceptions=True)
            done = [
                row["seq"]
                for row, res in zip(rows, results, strict=True)
                if not isinstance(res, BaseException)
            ]
            failed = [res for res in results if isinstance(res, BaseException)]
            if done:
                await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", done)
            if failed:
                kind = type(failed[0]).__name__
                if isinstance(failed[0], NoStreamResponseError):
                    kind = "no stream for subject"
                log.warning(
                    "outbox relay: %d of %d publishes failed (%s)", len(failed), len(rows), kind
                )
            self.published += len(done)
            if self._metrics is not None and done:
                self._metrics.published.inc(len(done))
            return len(done)
