"""Two outbox relays of one service (two replicas) never publish an event twice:
- while both drain one outbox, each row is taken by one relay only (row locks, SKIP
  LOCKED): together they publish every row exactly once;
- a relay that dies between its publishes and the delete leaves the rows for the other,
  which publishes them again: JetStream's duplicate window (Nats-Msg-Id = event id)
  keeps one copy in the stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest

from edureg_admin import catalogue
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import eventually
from edureg_shared.events.envelope import stream_name
from edureg_shared.events.outbox import OutboxRelay, asyncpg_dsn

SUBJECT = "contingent.student.enrolled.v1"


@pytest.fixture
async def contingent_db(infra: Infra) -> ServiceDatabase:
    service = next(s for s in catalogue.services() if s.name == "contingent")
    return await infra.fresh_database("contingent", service.service_dir)


async def _fill(db: ServiceDatabase, n: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    tenant = str(uuid.uuid4())
    conn = await asyncpg.connect(asyncpg_dsn(db.admin_url))
    try:
        await conn.executemany(
            "INSERT INTO outbox (id, tenant_id, subject, payload, headers) "
            "VALUES ($1, $2, $3, $4, '{}'::jsonb)",
            [(i, tenant, SUBJECT, json.dumps({"id": i})) for i in ids],
        )
    finally:
        await conn.close()
    return ids


async def _outbox_rows(db: ServiceDatabase) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(db.admin_url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox"))
    finally:
        await conn.close()


async def _stream(infra: Infra, prefix: str) -> tuple[int, set[str]]:
    """How many messages contingent's stream holds, and their distinct event ids."""
    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        name = stream_name("contingent", prefix)
        info = await js.stream_info(name)
        ids = set()
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(name, seq)
            ids.add(json.loads(msg.data or b"{}")["id"])
    return info.state.messages, ids


async def _run_until_empty(relays: list[OutboxRelay], db: ServiceDatabase) -> None:
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        await eventually(lambda: _outbox_rows(db), until=lambda n: n == 0, timeout=60)
    finally:
        for r in relays:
            r.stop()
        await asyncio.gather(*tasks, return_exceptions=True)


def _relay(db: ServiceDatabase, nc: Any, prefix: str) -> OutboxRelay:
    # Small batches, so that the two relays take turns many times over one outbox.
    return OutboxRelay(dsn=db.relay_url, nats=nc, prefix=prefix, batch_size=25, poll_interval=0.05)


async def test_two_relays_publish_each_row_once(
    infra: Infra, contingent_db: ServiceDatabase, nats_prefix: str
) -> None:
    ids = await _fill(contingent_db, 1000)
    async with infra.nats_as("contingent") as a, infra.nats_as("contingent") as b:
        relays = [_relay(contingent_db, a, nats_prefix), _relay(contingent_db, b, nats_prefix)]
        await _run_until_empty(relays, contingent_db)
    # Each row went through exactly one relay: a row published by both would count twice
    # here, whatever the broker then did with the copy.
    assert sum(r.published for r in relays) == 1000
    assert all(r.published > 0 for r in relays), [r.published for r in relays]
    count, seen = await _stream(infra, nats_prefix)
    assert count == 1000
    assert seen == set(ids)


class _DiesBeforeDelete(Exception):
    pass


class _DyingConnection:
    """A relay's connection that is lost right after the publishes, before the delete."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def transaction(self) -> Any:
        return self._conn.transaction()

    async def fetch(self, *args: Any) -> Any:
        return await self._conn.fetch(*args)

    async def execute(self, query: str, *args: Any) -> Any:
        if query.startswith("DELETE"):
            raise _DiesBeforeDelete
        return await self._conn.execute(query, *args)


async def test_a_relay_dying_after_publishing_leaves_one_copy(
    infra: Infra, contingent_db: ServiceDatabase, nats_prefix: str
) -> None:
    ids = await _fill(contingent_db, 200)
    async with infra.nats_as("contingent") as a, infra.nats_as("contingent") as b:
        dying = _relay(contingent_db, a, nats_prefix)
        conn = await asyncpg.connect(asyncpg_dsn(contingent_db.relay_url))
        try:
            with pytest.raises(_DiesBeforeDelete):
                await dying.drain_once(_DyingConnection(conn))  # type: ignore[arg-type]
        finally:
            await conn.close()
        assert await _outbox_rows(contingent_db) == 200  # its delete never committed
        first, _ = await _stream(infra, nats_prefix)
        assert first == 25  # one batch reached the stream before it died
        await _run_until_empty([_relay(contingent_db, b, nats_prefix)], contingent_db)
    count, seen = await _stream(infra, nats_prefix)
    assert count == 200  # the 25 published again were dropped as duplicates
    assert seen == set(ids)
