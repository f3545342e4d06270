"""Accounts follow contingent's events, delivered through a real JetStream."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope

from ..conftest import login


def enrolled(
    tenant: str,
    student: uuid.UUID,
    guardians: list[tuple[uuid.UUID, str]],
    group: uuid.UUID | None = None,
) -> Envelope:
    """contingent.accounts.requested v1: what identity hears of an enrolment."""
    return Envelope(
        type="contingent.accounts.requested",
        tenant_id=uuid.UUID(tenant),
        actor=Actor(id=uuid.uuid4()),
        subject_id=student,
        data={
            "order_id": str(uuid.uuid4()),
            "student_id": str(student),
            "group_id": str(group or uuid.uuid4()),
            "valid_from": "2026-09-01",
            "student": {"surname": "Щукин", "name": "Ёжик", "patronymic": None},
            "guardians": [
                {"guardian_id": str(g), "surname": s, "name": "Ольга", "relation": "mother"}
                for g, s in guardians
            ],
        },
    )


def expelled(tenant: str, student: uuid.UUID) -> Envelope:
    return Envelope(
        type="contingent.student.expelled",
        schema_version=2,
        tenant_id=uuid.UUID(tenant),
        actor=Actor(id=uuid.uuid4()),
        subject_id=student,
        data={
            "order_id": str(uuid.uuid4()),
            "order_number": "1-о",
            "order_date": "2026-12-01",
            "student_id": str(student),
            "group_id": str(uuid.uuid4()),
            "valid_to": "2026-12-01",
            "reason_code": "relocation",
        },
    )


def group_created(tenant: str, group: uuid.UUID, curator: str | None) -> Envelope:
    return Envelope(
        type="contingent.group.created",
        tenant_id=uuid.UUID(tenant),
        actor=Actor(id=uuid.uuid4()),
        subject_id=group,
        data={
            "group_id": str(group),
            "name": "5А",
            "grade": 5,
            "academic_year": "2026/2027",
            "curator_user_id": curator,
        },
    )


async def publish(infra: Infra, prefix: str, env: Envelope, msg_id: str | None = None) -> None:
    await infra.publish(prefix, env, msg_id)


async def accounts(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    r = await client.get("/api/v1/accounts", params={"limit": 200, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_enrolment_creates_linked_accounts_once(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    admin = await login(client, "admin.a")
    student, mother, father = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event = enrolled(tenants["a"], student, [(mother, "Щукина"), (father, "Щукин")])
    await publish(infra, nats_prefix, event, msg_id="one")
    await publish(infra, nats_prefix, event, msg_id="two")  # a redelivery
    marker = uuid.uuid4()
    await publish(infra, nats_prefix, enrolled(tenants["a"], marker, []))
    await eventually(
        lambda: accounts(client, admin, kind="student"),
        until=lambda a: len(a) == 2,
        message="both student accounts",
    )
    guardians = await accounts(client, admin, kind="guardian")
    assert {g["person_id"] for g in guardians} == {str(mother), str(father)}
    [s] = await accounts(client, admin, kind="student", person_id=str(student))
    assert s["login"].startswith("shchukin")
    assert s["full_name"] == "Щукин Ёжик"
    logins = [s["login"], *(g["login"] for g in guardians)]
    assert len(set(logins)) == 3
    for g in guardians:
        children = (await client.get(f"/api/v1/accounts/{g['id']}/children", headers=admin)).json()
        assert [c["id"] for c in children["items"]] == [s["id"]]


async def test_expulsion_disables_child_and_only_guardians_without_other_children(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    admin = await login(client, "admin.a")
    elder, younger, mother, father = (uuid.uuid4() for _ in range(4))
    await publish(
        infra, nats_prefix, enrolled(tenants["a"], elder, [(mother, "Щукина"), (father, "Щукин")])
    )
    await publish(infra, nats_prefix, enrolled(tenants["a"], younger, [(mother, "Щукина")]))
    await eventually(
        lambda: accounts(client, admin, kind="student"),
        until=lambda a: len(a) == 2,
        message="two children",
    )
    assert len(await accounts(client, admin, kind="guardian")) == 2  # the mother is reused
    await publish(infra, nats_prefix, expelled(tenants["a"], elder))
    await eventually(
        lambda: accounts(client, admin, kind="student", active="false"),
        until=lambda a: len(a) == 1,
        message="elder disabled",
    )
    by_person = {g["person_id"]: g for g in await accounts(client, admin, kind="guardian")}
    assert by_person[str(mother)]["active"] is True
    assert by_person[str(father)]["active"] is False
    children = (
        await client.get(f"/api/v1/accounts/{by_person[str(mother)]['id']}/children", headers=admin)
    ).json()["items"]
    assert [c["person_id"] for c in children] == [str(younger)]


async def test_credential_slip_then_forced_password_change(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    admin = await login(client, "admin.a")
    student = uuid.uuid4()
    await publish(infra, nats_prefix, enrolled(tenants["a"], student, []))
    [account] = await eventually(lambda: accounts(client, admin, kind="student"), message="account")
    # A provisioned account has no password until a slip is issued.
    assert_problem(
        await client.post("/api/v1/auth/token", json={"login": account["login"], "password": ""}),
        422,
    )
    slip = (
        await client.post(f"/api/v1/accounts/{account['id']}/credentials", headers=admin)
    ).json()
    r = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
    )
    assert r.json()["must_change_password"] is True
    own = {"Authorization": f"Bearer {r.json()['access_token']}"}
    # The one-time password's token allows the password change and nothing else.
    body = assert_problem(await client.get("/api/v1/me", headers=own), 403)
    assert body["type"].endswith("password-change-required")
    assert_problem(await client.get("/api/v1/accounts", headers=own), 403)
    r = await client.post(
        "/api/v1/me/password",
        headers=own,
        json={"current_password": slip["password"], "new_password": "Nov0e-Parol"},
    )
    assert r.status_code == 200, r.text
    renewed = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert r.json()["must_change_password"] is False
    assert (await client.get("/api/v1/me", headers=renewed)).json()["kind"] == "student"
    r = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": "Nov0e-Parol"}
    )
    assert r.json()["must_change_password"] is False


async def test_another_organisations_account_is_404(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    admin_a, admin_b = await login(client, "admin.a"), await login(client, "admin.b")
    [teacher] = [
        a for a in await accounts(client, admin_a, kind="staff") if a["login"] == "teacher.a"
    ]
    assert_problem(await client.get(f"/api/v1/accounts/{teacher['id']}", headers=admin_b), 404)
    assert_problem(
        await client.post(f"/api/v1/accounts/{teacher['id']}/credentials", headers=admin_b), 404
    )
    assert all(a["login"] != "teacher.a" for a in await accounts(client, admin_b))


async def test_reading_childrens_accounts_is_audited(
    client: httpx.AsyncClient,
    tenants: dict[str, str],
    infra: Infra,
    nats_prefix: str,
    db: ServiceDatabase,
) -> None:
    admin = await login(client, "admin.a")
    await publish(
        infra, nats_prefix, enrolled(tenants["a"], uuid.uuid4(), [(uuid.uuid4(), "Щукина")])
    )
    found = await eventually(lambda: accounts(client, admin, kind="student"), message="account")
    await client.get(f"/api/v1/accounts/{found[0]['id']}", headers=admin)
    database = Database(create_engine(db.admin_url))
    try:
        async with database.unscoped_session() as s:
            reads = (
                await s.execute(
                    text("SELECT entity_id, actor_id FROM audit_log WHERE action = 'read'")
                )
            ).all()
    finally:
        await database.dispose()
    assert {r.entity_id for r in reads} >= {uuid.UUID(found[0]["id"])}
    assert all(r.actor_id is not None for r in reads)
