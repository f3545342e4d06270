"""Who may issue whose one-time password, and what such a password's token allows.

Tried as an attacker inside one organisation would: a curator must not reach the
administrator, a secretary no staff member, an administrator not themselves."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_shared.events.envelope import Actor, Envelope

from ..conftest import PASSWORD, login
from .test_provisioning import accounts, enrolled, publish


async def _issue(client: httpx.AsyncClient, who: dict[str, str], account: dict[str, Any]) -> Any:
    return await client.post(f"/api/v1/accounts/{account['id']}/credentials", headers=who)


async def test_a_curator_cannot_become_the_administrator(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    curator = await login(client, "curator.a")
    admin_account = school["staff"]["admin.a"]
    # The exact path of the report: list staff, issue the admin a password, use it.
    listed = await accounts(client, curator, kind="staff")
    assert all(a["login"] != "admin.a" for a in listed)
    assert_problem(await _issue(client, curator, admin_account), 404)
    assert_problem(
        await client.get(f"/api/v1/accounts/{admin_account['id']}", headers=curator), 404
    )
    # Nothing changed: the administrator still signs in with their own password.
    await login(client, "admin.a")


async def test_a_curator_issues_slips_only_for_their_own_groups(
    client: httpx.AsyncClient, school: dict[str, Any], infra: Infra, nats_prefix: str
) -> None:
    curator = await login(client, "curator.a")
    visible = {a["id"] for a in await accounts(client, curator)}
    assert visible == {school["own_student"]["id"], school["own_parent"]["id"]}
    for account in (school["own_student"], school["own_parent"]):
        r = await _issue(client, curator, account)
        assert r.status_code == 200, r.text
        assert r.json()["password"]
    for account in (school["other_student"], school["other_parent"], school["staff"]["teacher.a"]):
        assert_problem(await _issue(client, curator, account), 404)
    # The group gets another curator: the rights go with it.
    await publish(
        infra,
        nats_prefix,
        curator_changed(school["tenant"], school["own_group"], school["staff"]["teacher.a"]["id"]),
    )
    await eventually(
        lambda: _issue(client, curator, school["own_student"]),
        until=lambda r: r.status_code == 404,
        message="the former curator loses the group",
    )


def curator_changed(tenant: str, group: uuid.UUID, curator: str | None) -> Envelope:
    return Envelope(
        type="contingent.group.curator_changed",
        tenant_id=uuid.UUID(tenant),
        actor=Actor(id=uuid.uuid4()),
        subject_id=group,
        data={"group_id": str(group), "curator_user_id": curator},
    )


async def test_the_academic_office_issues_for_learners_not_for_staff(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    secretary = await login(client, "secretary.a")
    for account in (school["own_student"], school["other_parent"]):
        assert (await _issue(client, secretary, account)).status_code == 200
    for login_ in ("teacher.a", "admin.a", "curator.a"):
        body = assert_problem(await _issue(client, secretary, school["staff"][login_]), 403)
        assert "администратор" in body["detail"]


async def test_staff_passwords_only_by_an_administrator_never_ones_own(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    admin = school["admin"]
    r = await _issue(client, admin, school["staff"]["teacher.a"])
    assert r.status_code == 200
    # Another administrator may restore an administrator's access ...
    assert (await _issue(client, admin, school["staff"]["admin2.a"])).status_code == 200
    # ... but not their own: that is a password change.
    assert_problem(await _issue(client, admin, school["staff"]["admin.a"]), 403)
    teacher = await login(client, "teacher.a", r.json()["password"])
    # The teacher's new token allows only the password change, so it cannot be used to
    # issue anything either.
    assert_problem(await _issue(client, teacher, school["own_student"]), 403)


async def test_a_one_time_password_token_allows_only_the_password_change(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    slip = (await _issue(client, school["admin"], school["staff"]["admin2.a"])).json()
    r = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
    )
    assert r.json()["must_change_password"] is True
    restricted = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/accounts"),
        ("GET", f"/api/v1/accounts/{school['own_student']['id']}"),
        ("POST", f"/api/v1/accounts/{school['staff']['teacher.a']['id']}/credentials"),
    ):
        body = assert_problem(await client.request(method, path, headers=restricted), 403)
        assert body["type"].endswith("password-change-required")
        assert "смените пароль" in body["detail"]


async def test_the_regional_administrator_restores_only_administrators(
    client: httpx.AsyncClient, school: dict[str, Any], tenants: dict[str, str]
) -> None:
    region = await login(client, "region.admin")
    org = tenants["a"]
    url = f"/api/v1/region/organisations/{org}/accounts"
    r = await client.post(f"{url}/{school['staff']['admin.a']['id']}/credentials", headers=region)
    assert r.status_code == 200, r.text
    assert r.json()["login"] == "admin.a"
    for login_ in ("teacher.a", "curator.a"):
        account = school["staff"][login_]
        assert_problem(await client.post(f"{url}/{account['id']}/credentials", headers=region), 403)
    assert_problem(
        await client.post(f"{url}/{school['own_student']['id']}/credentials", headers=region), 403
    )
    # An organisation's own administrator is not a regional one.
    other = await login(client, "admin.b")
    assert_problem(
        await client.post(f"{url}/{school['staff']['admin2.a']['id']}/credentials", headers=other),
        403,
    )
    # The old administrator password no longer works; the slip's does, for a change only.
    assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "admin.a", "password": PASSWORD}),
        401,
    )


async def test_only_the_regional_administrator_lists_organisations_and_their_admins(
    client: httpx.AsyncClient, school: dict[str, Any], tenants: dict[str, str]
) -> None:
    region = await login(client, "region.admin")
    orgs = (await client.get("/api/v1/region/organisations", headers=region)).json()
    assert {o["code"] for o in orgs["items"]} == {"a", "b"}  # the ministry itself is not listed
    admins = (
        await client.get(
            f"/api/v1/region/organisations/{tenants['a']}/administrators", headers=region
        )
    ).json()
    assert {a["login"] for a in admins["items"]} == {"admin.a", "admin2.a"}
    for who in (school["admin"], await login(client, "curator.a")):
        assert_problem(await client.get("/api/v1/region/organisations", headers=who), 403)
        assert_problem(
            await client.get(
                f"/api/v1/region/organisations/{tenants['a']}/administrators", headers=who
            ),
            403,
        )


async def test_a_guardian_sees_only_their_own_children(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    slip = (await _issue(client, school["admin"], school["own_parent"])).json()
    r = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
    )
    changed = await client.post(
        "/api/v1/me/password",
        headers={"Authorization": f"Bearer {r.json()['access_token']}"},
        json={"current_password": slip["password"], "new_password": "Roditel-2026"},
    )
    parent = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    children = (await client.get("/api/v1/me/children", headers=parent)).json()["items"]
    assert [c["id"] for c in children] == [school["own_student"]["id"]]
    # A parent has no staff rights: no one else's account, no lists.
    assert_problem(await client.get("/api/v1/accounts", headers=parent), 403)
    assert_problem(
        await client.get(f"/api/v1/accounts/{school['other_student']['id']}", headers=parent), 403
    )
    staff = (await client.get("/api/v1/me/children", headers=school["admin"])).json()
    assert staff["items"] == []


async def test_a_curator_does_not_see_a_parents_children_in_other_groups(
    client: httpx.AsyncClient, school: dict[str, Any], infra: Infra, nats_prefix: str
) -> None:
    sibling = uuid.uuid4()
    await publish(
        infra,
        nats_prefix,
        enrolled(
            school["tenant"],
            sibling,
            [(uuid.UUID(school["own_parent"]["person_id"]), "Щукина")],
            group=school["other_group"],
        ),
    )
    parent = school["own_parent"]["id"]
    admin_view = await eventually(
        lambda: _children(client, school["admin"], parent),
        until=lambda c: len(c) == 2,
        message="the sibling linked",
    )
    assert len(admin_view) == 2
    curator = await login(client, "curator.a")
    assert [c["id"] for c in await _children(client, curator, parent)] == [
        school["own_student"]["id"]
    ]


async def _children(client: httpx.AsyncClient, who: dict[str, str], parent: str) -> list[Any]:
    r = await client.get(f"/api/v1/accounts/{parent}/children", headers=who)
    return list(r.json()["items"])


async def test_regional_rights_outside_the_ministry_reach_nothing(
    client: httpx.AsyncClient, school: dict[str, Any], tenants: dict[str, str], db: Any
) -> None:
    """A school position given a regional right by mistake does not make its holder a
    regional administrator."""
    from sqlalchemy import text

    from edureg_shared.db import Database, create_engine

    admin_db = Database(create_engine(db.admin_url))
    try:
        async with admin_db.unscoped_session() as s:
            await s.execute(
                text(
                    "UPDATE positions SET permissions = permissions || "
                    "ARRAY['region.accounts.administer']::varchar[] WHERE code = 'admin'"
                )
            )
    finally:
        await admin_db.dispose()
    other = await login(client, "admin.b")
    # The token of a school's staff never carries a regional right, whatever a position
    # row says; the regional endpoints would refuse it anyway (ensure_regional).
    me = (await client.get("/api/v1/me", headers=other)).json()
    assert "region.accounts.administer" not in me["permissions"]
    body = assert_problem(await client.get("/api/v1/region/organisations", headers=other), 403)
    assert "region.accounts.administer" in body["detail"]
    url = f"/api/v1/region/organisations/{tenants['a']}/accounts/{school['staff']['admin.a']['id']}/credentials"
    assert_problem(await client.post(url, headers=other), 403)
    await login(client, "admin.a")  # the password was not reset
