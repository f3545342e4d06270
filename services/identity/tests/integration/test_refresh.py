"""Refresh tokens: rotated at every use; a reused one ends its whole sign-in; logout,
a new password, a credential slip and a disabled account end sign-ins."""

from __future__ import annotations

import uuid

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually

from ..conftest import PASSWORD
from .test_provisioning import accounts, enrolled, expelled, publish


async def _sign_in(client: httpx.AsyncClient, login: str, password: str = PASSWORD) -> dict:
    r = await client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def test_a_refresh_token_is_rotated_and_its_reuse_ends_the_whole_sign_in(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    first = await _sign_in(client, "teacher.a")
    assert first["refresh_token"]
    r = await _refresh(client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.json()["login"] == "teacher.a"
    # The first token, copied and replayed: the whole family ends, the newest token too.
    assert_problem(await _refresh(client, first["refresh_token"]), 401)
    assert_problem(await _refresh(client, second["refresh_token"]), 401)
    # Another sign-in of the same person is untouched.
    other = await _sign_in(client, "teacher.a")
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


async def test_logout_and_a_new_password_end_sign_ins(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    a = await _sign_in(client, "teacher.a")
    r = await client.post("/api/v1/auth/logout", json={"refresh_token": a["refresh_token"]})
    assert r.status_code == 204
    assert_problem(await _refresh(client, a["refresh_token"]), 401)
    b = await _sign_in(client, "teacher.a")
    c = await _sign_in(client, "teacher.a")
    changed = await client.post(
        "/api/v1/me/password",
        headers={"Authorization": f"Bearer {c['access_token']}"},
        json={"current_password": PASSWORD, "new_password": "Drugoi-Parol-1"},
    )
    assert changed.status_code == 200
    assert_problem(await _refresh(client, b["refresh_token"]), 401)
    assert (await _refresh(client, changed.json()["refresh_token"])).status_code == 200
    # Forged and foreign-looking tokens are the same 401.
    for forged in ("x", "AAAAAAAAAAAAAAAAAAAAAA.secret", b["refresh_token"][:-2] + "zz"):
        assert_problem(await _refresh(client, forged), 401)


async def test_a_disabled_account_cannot_refresh_and_a_one_time_password_gets_no_refresh(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    admin = await _sign_in(client, "admin.a")
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    student = uuid.uuid4()
    await publish(infra, nats_prefix, enrolled(tenants["a"], student, []))
    [account] = await eventually(
        lambda: accounts(client, headers, kind="student"), message="the student's account"
    )
    slip = (
        await client.post(f"/api/v1/accounts/{account['id']}/credentials", headers=headers)
    ).json()
    restricted = await _sign_in(client, slip["login"], slip["password"])
    assert restricted["must_change_password"] is True
    assert restricted["refresh_token"] is None
    changed = await client.post(
        "/api/v1/me/password",
        headers={"Authorization": f"Bearer {restricted['access_token']}"},
        json={"current_password": slip["password"], "new_password": "Uchenik-2026"},
    )
    refresh_token = changed.json()["refresh_token"]
    await publish(infra, nats_prefix, expelled(tenants["a"], student))
    await eventually(
        lambda: accounts(client, headers, kind="student", active="false"),
        until=lambda found: len(found) == 1,
        message="the student's account disabled",
    )
    # The token was never used: it is refused because the account's sign-ins ended.
    assert_problem(await _refresh(client, refresh_token), 401)


async def test_a_weak_new_password_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    signed = await _sign_in(client, "teacher.a")
    headers = {"Authorization": f"Bearer {signed['access_token']}"}
    for weak, reason in (("qwerty123", "распространён"), ("teacher.a-2026", "логином")):
        r = await client.post(
            "/api/v1/me/password",
            headers=headers,
            json={"current_password": PASSWORD, "new_password": weak},
        )
        body = assert_problem(r, 422)
        assert reason in body["detail"]
        assert body["errors"] == [{"field": "new_password", "message": body["detail"]}]
    await _sign_in(client, "teacher.a")  # the password is what it was
