"""The movement book: orders are drafted, signed once, and announced through the outbox."""

from __future__ import annotations

import json
import uuid

import httpx
import nats
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import stream_name

from .helpers import enrol, make_group, student


async def _stream_messages(infra: Infra, prefix: str, subject: str) -> list[nats.aio.msg.Msg]:
    async with infra.nats_admin() as nc:
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
        lambda: _stream_messages(infra, nats_prefix, "contingent.student.enrolled.v2"),
        until=lambda m: len(m) == 2,
        message="two enrolment events on JetStream",
    )
    envelopes = [json.loads(m.data) for m in messages]
    for m, env in zip(messages, envelopes, strict=True):
        assert m.headers["Nats-Msg-Id"] == env["id"]
        assert "traceparent" in m.headers
        assert env["type"] == "contingent.student.enrolled"
        assert env["schema_version"] == 2
        assert env["data"]["group_id"] == group_id
        # What every consumer sees: ids, dates, the display name and how many parts of
        # the personal file are missing (a count); no birth date, patronymic or guardians.
        assert set(env["data"]) == {
            "order_id",
            "order_number",
            "order_date",
            "student_id",
            "group_id",
            "valid_from",
            "display_name",
            "file_missing",
        }
        assert isinstance(env["data"]["file_missing"], int)
    assert {e["data"]["display_name"] for e in envelopes} == {"Иванов Пётр", "Петров Иван"}
    assert {e["subject_id"] for e in envelopes} == {i["student_id"] for i in order["items"]}
    # The names identity needs travel on their own subject, which only identity may read.
    requested = await eventually(
        lambda: _stream_messages(infra, nats_prefix, "contingent.accounts.requested.v1"),
        until=lambda m: len(m) == 2,
        message="two account requests on JetStream",
    )
    for m in requested:
        data = json.loads(m.data)["data"]
        assert len(data["guardians"]) == 2
        assert "birth_date" not in json.dumps(data)
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
        await client.post(f"/api/v1/orders/{order['id']}/sign", headers=admin_a), 409
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
            "reason_code": "transfer",
            "reason_comment": "Гимназия № 5, заявление матери",
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
            "reason_code": "own_request",
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


async def test_an_expulsion_event_carries_the_reason_code_never_the_comment(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    infra: Infra,
    nats_prefix: str,
) -> None:
    group_id = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_id, [student()])
    student_id = order["items"][0]["student_id"]
    bad = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "2-о",
            "order_date": "2026-12-01",
            "effective_date": "2026-12-02",
            "reason_code": "по болезни",
            "student_ids": [student_id],
        },
    )
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} == {"reason_code"}
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "2-о",
            "order_date": "2026-12-01",
            "effective_date": "2026-12-02",
            "reason_code": "circumstances",
            "reason_comment": "Диагноз Z00.0 по справке",
            "student_ids": [student_id],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["reason_comment"] == "Диагноз Z00.0 по справке"
    await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=admin_a)
    messages = await eventually(
        lambda: _stream_messages(infra, nats_prefix, "contingent.student.expelled.v2"),
        until=lambda m: len(m) == 1,
        message="the expulsion event",
    )
    raw = messages[0].data.decode()
    assert json.loads(raw)["data"]["reason_code"] == "circumstances"
    assert "Z00.0" not in raw
    assert "Диагноз" not in raw
    reasons = (await client.get("/api/v1/expulsion-reasons", headers=admin_a)).json()["items"]
    assert {
        "code": "circumstances",
        "title": "По обстоятельствам, не зависящим от воли сторон",
    } in reasons


async def test_the_same_existing_guardian_twice_for_a_student_is_a_422(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    first = await enrol(client, admin_a, group_id, [student()])
    guardian_id = (
        await client.get(f"/api/v1/students/{first['items'][0]['student_id']}", headers=admin_a)
    ).json()["guardians"][0]["id"]
    twice = student(
        "Сидоров",
        guardians=[
            {"guardian_id": guardian_id, "relation": "father"},
            {"guardian_id": guardian_id, "relation": "guardian"},
        ],
    )
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "8-к",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": [twice],
        },
    )
    body = assert_problem(r, 422)
    assert "дважды" in json.dumps(body, ensure_ascii=False)
    # A guardian of another organisation cannot be linked to a new student here.
    other_group = await make_group(client, admin_b)
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_b,
        json={
            "number": "8-к",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": other_group,
            "students": [
                student("Сидоров", guardians=[{"guardian_id": guardian_id, "relation": "father"}])
            ],
        },
    )
    assert_problem(r, 404)


async def test_a_curator_is_appointed_changed_and_announced(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    issuer: TestIssuer,
    tenant_a: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    r = await client.post(
        "/api/v1/groups",
        headers=admin_a,
        json={
            "name": "7В",
            "grade": 7,
            "academic_year": "2026/2027",
            "curator_user_id": str(first),
        },
    )
    assert r.status_code == 201, r.text
    group = r.json()
    assert group["curator_user_id"] == str(first)
    r = await client.put(
        f"/api/v1/groups/{group['id']}/curator",
        headers=admin_a,
        json={"curator_user_id": str(second)},
    )
    assert r.json()["curator_user_id"] == str(second)
    # A teacher who may only read groups cannot appoint themselves.
    reader = issuer.headers(tenant_id=tenant_a, permissions=["contingent.groups.read"])
    r = await client.put(
        f"/api/v1/groups/{group['id']}/curator", headers=reader, json={"curator_user_id": None}
    )
    assert_problem(r, 403)
    changed = await eventually(
        lambda: _stream_messages(infra, nats_prefix, "contingent.group.curator_changed.v1"),
        until=lambda m: len(m) == 1,
        message="the curator change event",
    )
    assert json.loads(changed[0].data)["data"] == {
        "group_id": group["id"],
        "curator_user_id": str(second),
    }


async def test_lists_are_paged(client: httpx.AsyncClient, admin_a: dict[str, str]) -> None:
    for name in ("1А", "1Б", "1В"):
        await make_group(client, admin_a, name)
    first = (await client.get("/api/v1/groups", headers=admin_a, params={"limit": 2})).json()
    assert [g["name"] for g in first["items"]] == ["1А", "1Б"]
    assert (first["total"], first["next_offset"]) == (3, 2)
    rest = (
        await client.get("/api/v1/groups", headers=admin_a, params={"limit": 2, "offset": 2})
    ).json()
    assert [g["name"] for g in rest["items"]] == ["1В"]
    assert rest["next_offset"] is None
    too_many = await client.get("/api/v1/groups", headers=admin_a, params={"limit": 201})
    assert {e["field"] for e in assert_problem(too_many, 422)["errors"]} == {"limit"}
