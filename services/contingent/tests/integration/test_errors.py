"""Bad input gets RFC 9457 problem+json in Russian naming each bad field; never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from edureg_devstack.testing.plugin import assert_problem
from edureg_devstack.testing.tokens import TestIssuer

from .helpers import make_group, student


async def test_validation_error_names_each_bad_field_in_russian(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group_id = await make_group(client, admin_a)
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "",
            "order_date": "вчера",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": [student(birth_date="2015-02-30", sex="x")],
        },
    )
    body = assert_problem(r, 422)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert {"number", "order_date", "students.0.birth_date", "students.0.sex"} <= set(fields)
    assert fields["order_date"] == "Ожидается дата в формате ГГГГ-ММ-ДД"
    assert all(any("а" <= ch <= "я" for ch in m.lower()) for m in fields.values())


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[]",
        b"null",
        b'{"name": 5}',
        b'{"name": "\\ud800"}',
        b'{"name": "' + b"x" * 10000 + b'", "grade": 1, "academic_year": "2026/2027"}',
    ],
)
async def test_malformed_bodies_are_4xx_problems(
    client: httpx.AsyncClient, admin_a: dict[str, str], payload: bytes
) -> None:
    r = await client.post(
        "/api/v1/groups", headers={**admin_a, "content-type": "application/json"}, content=payload
    )
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_bad_path_id_and_unknown_route_are_problems(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    body = assert_problem(await client.get("/api/v1/groups/not-a-uuid", headers=admin_a), 422)
    assert body["errors"][0]["field"] == "group_id"
    assert_problem(await client.get("/api/v1/nowhere", headers=admin_a), 404)
    assert_problem(await client.get(f"/api/v1/orders/{uuid.uuid4()}", headers=admin_a), 404)


async def test_missing_wrong_or_foreign_token_is_401_and_missing_permission_403(
    client: httpx.AsyncClient, issuer: TestIssuer, tenant_a: uuid.UUID
) -> None:
    body = assert_problem(await client.get("/api/v1/groups"), 401)
    assert body["title"] == "Требуется вход в систему"
    assert_problem(
        await client.get("/api/v1/groups", headers={"Authorization": "Bearer x.y.z"}), 401
    )
    stranger = TestIssuer()  # a key identity never published
    assert_problem(
        await client.get("/api/v1/groups", headers=stranger.headers(tenant_id=tenant_a)), 401
    )
    expired = issuer.headers(tenant_id=tenant_a, permissions=["contingent.groups.read"], ttl=-60)
    assert_problem(await client.get("/api/v1/groups", headers=expired), 401)
    reader = issuer.headers(tenant_id=tenant_a, permissions=["contingent.groups.read"])
    body = assert_problem(
        await client.post(
            "/api/v1/groups",
            headers=reader,
            json={"name": "1А", "grade": 1, "academic_year": "2026/2027"},
        ),
        403,
    )
    assert "contingent.groups.write" in body["detail"]
