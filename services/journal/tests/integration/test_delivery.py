"""Delivery guarantees of the shared consumer, proven through journal's real subscribers
against a real NATS JetStream and PostgreSQL: exactly-once effects, dedupe, dead letters,
out-of-order retries, durable resume."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import eventually, running_app
from edureg_devstack.testing.tokens import TestIssuer
from edureg_journal.bootstrap import create
from edureg_journal.config import Settings
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope, stream_name

CONSUMER = "journal-contingent-student-enrolled-v2"


@pytest.fixture
async def nc(infra: Infra) -> AsyncIterator[Client]:
    """Publishes as contingent does: with contingent's own broker credential."""
    async with infra.nats_as("contingent") as conn:
        yield conn


@pytest.fixture
async def admin_nc(infra: Infra) -> AsyncIterator[Client]:
    """The operator's view: reads streams and dead letters."""
    async with infra.nats_admin() as conn:
        yield conn


def enrolled(
    tenant: uuid.UUID, group: uuid.UUID, student: uuid.UUID, valid_from: str = "2026-09-01"
) -> Envelope:
    return Envelope(
        type="contingent.student.enrolled",
        schema_version=2,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=student,
        data={
            "student_id": str(student),
            "group_id": str(group),
            "valid_from": valid_from,
            "order_number": "1-к",
            "display_name": "Щукин Ёжик",
        },
    )


def expelled(tenant: uuid.UUID, group: uuid.UUID, student: uuid.UUID, valid_to: str) -> Envelope:
    return Envelope(
        type="contingent.student.expelled",
        schema_version=2,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=student,
        data={"student_id": str(student), "group_id": str(group), "valid_to": valid_to},
    )


async def publish(
    nc: Client,
    prefix: str,
    env: Envelope | bytes,
    *,
    subject: str | None = None,
    msg_id: str | None = None,
) -> None:
    payload = env if isinstance(env, bytes) else env.model_dump_json().encode()
    subj = subject or f"{prefix}{env.type}.v{env.schema_version}"  # type: ignore[union-attr]
    ident = msg_id or (str(env.id) if isinstance(env, Envelope) else uuid.uuid4().hex)
    await nc.jetstream().publish(subj, payload, headers={"Nats-Msg-Id": ident})


async def scalar(db: ServiceDatabase, sql: str, **params: Any) -> Any:
    database = Database(create_engine(db.admin_url, pool_size=1, max_overflow=0))
    try:
        async with database.unscoped_session() as s:
            return await s.scalar(text(sql), params)
    finally:
        await database.dispose()


async def roster(
    client: httpx.AsyncClient, headers: dict[str, str], group: uuid.UUID, on: str
) -> list[Any]:
    r = await client.get(f"/api/v1/groups/{group}/roster", params={"on": on}, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_redelivered_event_is_applied_once(
    client: httpx.AsyncClient,
    nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
    db: ServiceDatabase,
) -> None:
    group, student = uuid.uuid4(), uuid.uuid4()
    event = enrolled(tenant, group, student)
    await publish(nc, nats_prefix, event, msg_id="first")
    await publish(nc, nats_prefix, event, msg_id="second")  # JetStream keeps both copies
    marker = enrolled(tenant, group, uuid.uuid4())
    await publish(nc, nats_prefix, marker)
    await eventually(
        lambda: roster(client, reader, group, "2026-09-01"),
        until=lambda r: len(r) == 2,
        message="both students on the roster",
    )
    handled = await eventually(
        lambda: scalar(db, "SELECT count(*) FROM inbox WHERE consumer = :c", c=CONSUMER),
        until=lambda n: n == 2,
        message="two inbox rows",
    )
    assert handled == 2
    assert await scalar(db, "SELECT count(*) FROM roster_memberships") == 2


async def test_jetstream_drops_a_republished_message_id(
    nc: Client, admin_nc: Client, nats_prefix: str, client: httpx.AsyncClient
) -> None:
    event = enrolled(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    await publish(nc, nats_prefix, event)
    await publish(nc, nats_prefix, event)  # same Nats-Msg-Id: inside the duplicate window
    info = await admin_nc.jetstream().stream_info(stream_name("contingent", nats_prefix))
    assert info.state.messages == 1


async def _dead_letters(admin_nc: Client, prefix: str) -> Any:
    js = admin_nc.jetstream()
    sub = await js.pull_subscribe(f"{prefix}deadletter.>", stream=stream_name("deadletter", prefix))

    async def fetch() -> list[Any]:
        try:
            return list(await sub.fetch(10, timeout=0.5))
        except nats.errors.TimeoutError:
            return []

    return fetch


async def test_poison_message_is_dead_lettered_and_the_next_one_handled(
    client: httpx.AsyncClient,
    nc: Client,
    admin_nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
) -> None:
    poison = b"{not json"
    await publish(nc, nats_prefix, poison, subject=f"{nats_prefix}contingent.student.enrolled.v2")
    group, student = uuid.uuid4(), uuid.uuid4()
    await publish(nc, nats_prefix, enrolled(tenant, group, student))
    assert [
        m["student_id"]
        for m in await eventually(
            lambda: roster(client, reader, group, "2026-09-01"), message="next message handled"
        )
    ] == [str(student)]

    fetch = await _dead_letters(admin_nc, nats_prefix)
    [dead] = await eventually(fetch, timeout=30, message="poison on the dead-letter subject")
    assert dead.subject == f"{nats_prefix}deadletter.journal.{CONSUMER}.contingent.student.enrolled"
    assert dead.data == poison
    assert dead.headers["X-Deliveries"] == "1"  # not an envelope: no retry makes it one
    assert dead.headers["X-Error"].startswith("ValidationError")


async def test_expulsion_before_its_enrolment_is_retried_until_it_applies(
    client: httpx.AsyncClient,
    nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
    db: ServiceDatabase,
) -> None:
    group, student = uuid.uuid4(), uuid.uuid4()
    await publish(nc, nats_prefix, expelled(tenant, group, student, "2026-12-01"))
    await publish(nc, nats_prefix, enrolled(tenant, group, student, "2026-09-01"))

    async def history() -> list[Any]:
        r = await client.get(f"/api/v1/groups/{group}/roster/history", headers=reader)
        return list(r.json()["items"])

    items = await eventually(
        history,
        until=lambda h: len(h) == 1 and h[0]["valid_to"] is not None,
        message="membership opened and then ended",
    )
    assert (items[0]["valid_from"], items[0]["valid_to"]) == ("2026-09-01", "2026-12-01")
    assert await roster(client, reader, group, "2026-11-30") != []
    assert await roster(client, reader, group, "2026-12-01") == []


async def test_a_restarted_service_resumes_its_durable_consumer(
    settings: Settings,
    issuer: TestIssuer,
    nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
) -> None:
    group = uuid.uuid4()
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as c:
        await publish(nc, nats_prefix, enrolled(tenant, group, uuid.uuid4()))
        await eventually(lambda: roster(c, reader, group, "2026-09-01"), message="first handled")
    # The service is down: events keep arriving and wait in the stream.
    later = [uuid.uuid4() for _ in range(3)]
    for s in later:
        await publish(nc, nats_prefix, enrolled(tenant, group, s))
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as c:
        items = await eventually(
            lambda: roster(c, reader, group, "2026-09-01"),
            until=lambda r: len(r) == 4,
            message="all four after restart",
        )
    assert {str(s) for s in later} <= {m["student_id"] for m in items}


async def test_an_envelope_under_another_events_subject_is_dead_lettered_unapplied(
    client: httpx.AsyncClient,
    nc: Client,
    admin_nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    reader: dict[str, str],
) -> None:
    group, student = uuid.uuid4(), uuid.uuid4()
    # An expulsion dressed as an enrolment (contingent's own subject, another type): a
    # consumer must not apply it under the subject's name.
    await publish(
        nc,
        nats_prefix,
        expelled(tenant, group, student, "2026-12-01"),
        subject=f"{nats_prefix}contingent.student.enrolled.v2",
    )
    fetch = await _dead_letters(admin_nc, nats_prefix)
    [dead] = await eventually(fetch, message="the misaddressed event dead-lettered")
    assert dead.headers["X-Error"].startswith("MisaddressedEvent")
    assert dead.headers["X-Deliveries"] == "1"
    history = await client.get(f"/api/v1/groups/{group}/roster/history", headers=reader)
    assert history.json()["items"] == []


async def test_roster_changes_are_announced_and_audited(
    client: httpx.AsyncClient,
    nc: Client,
    admin_nc: Client,
    nats_prefix: str,
    tenant: uuid.UUID,
    db: ServiceDatabase,
) -> None:
    group, student = uuid.uuid4(), uuid.uuid4()
    await publish(nc, nats_prefix, enrolled(tenant, group, student))
    js = admin_nc.jetstream()
    sub = await js.pull_subscribe(
        f"{nats_prefix}journal.roster.changed.v1", stream=stream_name("journal", nats_prefix)
    )

    async def fetch() -> list[Any]:
        try:
            return list(await sub.fetch(1, timeout=0.5))
        except nats.errors.TimeoutError:
            return []

    [msg] = await eventually(fetch, message="roster.changed published")
    body = json.loads(msg.data)
    assert body["data"] == {
        "group_id": str(group),
        "student_id": str(student),
        "change": "added",
        "date": "2026-09-01",
    }
    assert msg.headers["Nats-Msg-Id"] == body["id"]
    assert await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'add'") == 1
    assert date.fromisoformat(body["data"]["date"]) == date(2026, 9, 1)
