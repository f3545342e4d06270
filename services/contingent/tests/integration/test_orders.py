"""The movement book: orders are drafted, signed once, and announced through the outbox."""

from __future__ import annotations

import json

import httpx
import nats
from sqlalchemy import text

from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import stream_name
from edureg_shared.testing.infra import Infra, ServiceDatabase
from edureg_shared.testing.plugin import assert_problem, eventually

from .helpers import enrol, make_group, student


async def _stream_messages(infra: Infra, prefix: str, subject: str) -> list[nats.aio.msg.Msg]:
    nc = await nats.connect(infra.nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            f"{prefix}{subject}", stream=stream_name("contingent", prefix)
        )
        out = []
        try:
            while True:
                batch = await sub.fetch(100, timeout=0.5)
                out.extend(batch)
        except nats.errors.TimeoutError:
            pass
        return out
    finally:
        await nc.close()


async def test_signing_an_enrolment_order_publishes_one_event_per_student(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    infra: Infra,
    nats_prefix: str,
    db: ServiceDatabase,
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student(), student("Петров", "Иван")])
    assert order["status"] == "signed"
    messages = await eventually(
        lambda: _stream_messages(infra, nats_prefix, "contingent.student.enrolled.v1"),
        until=lambda m: len(m) == 2,
        message="two enrolment events on JetStream",
    )
    envelopes = [json.loads(m.data) for m in messages]
    for m, env in zip(messages, envelopes, strict=True):
        assert m.headers["Nats-Msg-Id"] == env["id"]
        assert "traceparent" in m.headers
        assert env["type"] == "contingent.student.enrolled"
        assert env["data"]["group_id"] == group_id
        assert len(env["data"]["guardians"]) == 2
    assert {e["subject_id"] for e in envelopes} == {i["student_id"] for i in order["items"]}
    # The outbox is drained once JetStream acknowledged every message.
    admin = Database(create_engine(db.admin_url))
    try:

        async def outbox_rows() -> int:
            async with admin.unscoped_session() as s:
                return int(await s.scalar(text("SELECT count(*) FROM outbox")) or 0)

        await eventually(outbox_rows, until=lambda n: n == 0, message="outbox drained")
    finally:
        await admin.dispose()


async def test_an_order_is_signed_only_once(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student()])
    body = assert_problem(
        await client.post(f"/api/v1/orders/{order['id']}/sign", headers=admin_a), 422
    )
    assert "подписан" in body["detail"]


async def test_expulsion_requires_an_enrolled_student_and_changes_status(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student()])
    student_id = order["items"][0]["student_id"]
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "2-о",
            "order_date": "2026-12-01",
            "effective_date": "2026-12-02",
            "reason": "Перевод в другую организацию",
            "student_ids": [student_id],
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=admin_a)
    assert r.status_code == 200
    file = (await client.get(f"/api/v1/students/{student_id}", headers=admin_a)).json()
    assert file["status"] == "expelled"
    # Expelling again is refused, and nothing already saved is lost.
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "3-о",
            "order_date": "2026-12-03",
            "effective_date": "2026-12-03",
            "reason": "Повтор",
            "student_ids": [student_id],
        },
    )
    assert_problem(r, 422)
    assert (await client.get(f"/api/v1/students/{student_id}", headers=admin_a)).json() == file


async def test_duplicate_order_number_is_a_conflict(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    await enrol(client, admin_a, group_id, [student()], number="7-к")
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "7-к",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": [student()],
        },
    )
    assert_problem(r, 409)


async def test_every_change_and_every_read_of_a_personal_file_is_audited(
    client: httpx.AsyncClient, admin_a: dict[str, str], db: ServiceDatabase
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student()])
    await client.get(f"/api/v1/students/{order['items'][0]['student_id']}", headers=admin_a)
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            rows = (
                await s.execute(
                    text(
                        "SELECT action, entity, actor_id IS NOT NULL AS has_actor, at IS NOT NULL AS has_at "
                        "FROM audit_log ORDER BY at"
                    )
                )
            ).all()
    finally:
        await admin.dispose()
    assert [(r.action, r.entity) for r in rows] == [
        ("create", "group"),
        ("create", "order"),
        ("sign", "order"),
        ("read", "student"),
    ]
    assert all(r.has_actor and r.has_at for r in rows)
