"""The region's registry: a regional administrator registers an organisation and its
first administrator, archives and restores it; nobody else can; nothing is deleted."""

from __future__ import annotations

from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem

from ..conftest import login

NEW = {
    "code": "school-17",
    "name": "Муниципальное бюджетное общеобразовательное учреждение «Школа № 17»",
    "short_name": "Школа № 17",
    "kind": "school",
    "municipality": "Заречный район",
    "administrator": {"surname": "Журавлёва", "name": "Ирина", "patronymic": "Олеговна"},
}


async def _register(client: httpx.AsyncClient, who: dict[str, str], **over: Any) -> httpx.Response:
    return await client.post("/api/v1/region/organisations", headers=who, json={**NEW, **over})


async def test_a_regional_administrator_registers_an_organisation_and_its_admin(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    region = await login(client, "region.admin")
    r = await _register(client, region)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["organisation"]["status"] == "active"
    assert body["organisation"]["municipality"] == "Заречный район"
    slip = body["administrator"]
    assert slip["login"].startswith("zhuravleva")
    signed = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
    )
    assert signed.json()["must_change_password"] is True
    changed = await client.post(
        "/api/v1/me/password",
        headers={"Authorization": f"Bearer {signed.json()['access_token']}"},
        json={"current_password": slip["password"], "new_password": "Shkola-17-Direktor"},
    )
    admin = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    me = (await client.get("/api/v1/me", headers=admin)).json()
    assert me["organisation"]["short_name"] == "Школа № 17"
    assert "identity.credentials.issue.staff" in me["permissions"]
    assert_problem(await _register(client, region), 409)  # the same code again
    # The event every service prepares its defaults from.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}identity.organisation.registered.v1",
            stream=f"{nats_prefix.strip('.').upper()}_IDENTITY",
        )
        # The seeded organisations of the test were announced too; this one among them.
        messages = await sub.fetch(10, timeout=10)
    [msg] = [m for m in messages if b"school-17" in m.data]
    assert "Журавлёва".encode() not in msg.data  # no personal data in it


async def test_only_the_region_registers_and_archives(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    for who in ("admin.a", "curator.a"):
        assert_problem(await _register(client, await login(client, who), code="x-" + who[:5]), 403)
        assert_problem(
            await client.post(
                f"/api/v1/region/organisations/{tenants['b']}/archive",
                headers=await login(client, who),
            ),
            403,
        )


async def test_an_archived_organisations_users_cannot_sign_in_until_it_is_restored(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    region = await login(client, "region.admin")
    signed = (
        await client.post(
            "/api/v1/auth/token", json={"login": "admin.b", "password": "Str0ng-Pass!"}
        )
    ).json()
    r = await client.post(f"/api/v1/region/organisations/{tenants['b']}/archive", headers=region)
    assert r.json()["status"] == "archived"
    refused = assert_problem(
        await client.post(
            "/api/v1/auth/token", json={"login": "admin.b", "password": "Str0ng-Pass!"}
        ),
        401,
    )
    assert refused["detail"] == "Неверный логин или пароль"  # the same answer as any refusal
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": signed["refresh_token"]}),
        401,
    )
    listed = (await client.get("/api/v1/region/organisations", headers=region)).json()["items"]
    assert {o["code"]: o["status"] for o in listed}["b"] == "archived"  # kept, not deleted
    await client.post(f"/api/v1/region/organisations/{tenants['b']}/restore", headers=region)
    await login(client, "admin.b")
