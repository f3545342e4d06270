"""A person with accounts in several organisations signs in once and chooses the
organisation (identity issue, item 2): the regional administrator joins a teacher's
accounts in two schools; tried also as the second school's administrator, a school
administrator posing as the region, and someone with the wrong password would."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.plugin import assert_problem
from edureg_identity.config import Settings
from edureg_identity.services.seed import seed
from edureg_shared.db import Database, create_engine

from ..conftest import PASSWORD, login, org
from .conftest import staff_by_login
from .test_slips import passwords_in

pytestmark = pytest.mark.usefixtures("tenants")


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def _sign_in(
    client: httpx.AsyncClient, login_: str, password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"login": login_, "password": password, **extra}
    )


@pytest.fixture
async def joined(
    client: httpx.AsyncClient, settings: Settings, tenants: dict[str, str]
) -> dict[str, Any]:
    """teacher.a also works in school b (its own account teacher.b there), joined."""
    database = Database(create_engine(settings.database_url))
    try:
        await seed(database, {"organisations": [org("b", ("teacher.b", ["teacher"]))]})
    finally:
        await database.dispose()
    before = await staff_by_login(client, await login(client, "admin.b"))
    r = await client.post(
        "/api/v1/region/accounts/join",
        json={"login": "teacher.a", "account_login": "teacher.b"},
        headers=await login(client, "region.admin"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["login"] == "teacher.a"
    assert {a["organisation_id"] for a in r.json()["accounts"]} == {tenants["a"], tenants["b"]}
    return {"account_b": before["teacher.b"]["id"]}


async def test_one_login_two_schools_the_organisation_chosen_at_sign_in(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    # Without a choice: asked, with the two schools — only after the right password.
    asked = assert_problem(await _sign_in(client, "teacher.a"), 409)
    assert asked["type"].endswith("organisation-choice-required")
    assert {(o["id"], o["name"]) for o in asked["organisations"]} == {
        (tenants["a"], "Школа a"),
        (tenants["b"], "Школа b"),
    }
    wrong = assert_problem(await _sign_in(client, "teacher.a", "Wrong-Pass-1"), 401)
    assert "organisations" not in wrong
    # Into school b: the token is b's account, with b's rights.
    into_b = await _sign_in(client, "teacher.a", organisation_id=tenants["b"])
    assert into_b.status_code == 200, into_b.text
    claims = _claims(into_b.json()["access_token"])
    assert (claims["tid"], claims["sub"]) == (tenants["b"], joined["account_b"])
    me = (
        await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {into_b.json()['access_token']}"}
        )
    ).json()
    assert me["organisation"]["name"] == "Школа b"
    renewed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": into_b.json()["refresh_token"]}
    )
    assert _claims(renewed.json()["access_token"])["tid"] == tenants["b"]
    into_a = await _sign_in(client, "teacher.a", organisation_id=tenants["a"])
    assert _claims(into_a.json()["access_token"])["tid"] == tenants["a"]
    # A school where the person has no account is not a way in.
    other = assert_problem(
        await _sign_in(client, "teacher.a", organisation_id=tenants["region"]), 409
    )
    assert len(other["organisations"]) == 2
    # The joined account's own login is gone; b's list shows the shared one.
    assert_problem(await _sign_in(client, "teacher.b"), 401)
    staff_b = await staff_by_login(client, await login(client, "admin.b"))
    assert staff_b["teacher.a"]["id"] == joined["account_b"]
    assert staff_b["teacher.a"]["shared_sign_in"] is True
    assert staff_b["admin.b"]["shared_sign_in"] is False


async def test_the_second_school_cannot_take_over_the_persons_sign_in(
    client: httpx.AsyncClient, joined: dict[str, Any]
) -> None:
    admin_b = await login(client, "admin.b")
    refused = assert_problem(
        await client.post(f"/api/v1/accounts/{joined['account_b']}/credentials", headers=admin_b),
        409,
    )
    assert "Школа a" in refused["detail"]
    assert_problem(
        await client.put(
            f"/api/v1/accounts/{joined['account_b']}/login",
            json={"login": "petrova.b"},
            headers=admin_b,
        ),
        409,
    )
    # Nothing changed: the person still signs in with their password.
    assert (await _sign_in(client, "teacher.a", organisation_id=None)).status_code == 409


async def test_a_password_changed_in_either_school_is_the_persons_one(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    into_b = (await _sign_in(client, "teacher.a", organisation_id=tenants["b"])).json()
    r = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "Dve-shkoly-2026"},
        headers={"Authorization": f"Bearer {into_b['access_token']}"},
    )
    assert r.status_code == 200, r.text
    assert _claims(r.json()["access_token"])["tid"] == tenants["b"]
    # The old sign-in in b ended; the new password opens both schools, the old neither.
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": into_b["refresh_token"]}),
        401,
    )
    for tenant in (tenants["a"], tenants["b"]):
        assert_problem(await _sign_in(client, "teacher.a", organisation_id=tenant), 401)
        ok = await _sign_in(client, "teacher.a", "Dve-shkoly-2026", organisation_id=tenant)
        assert ok.status_code == 200, ok.text


async def test_dismissed_from_the_first_school_still_signs_in_to_the_second(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    admin_a = await login(client, "admin.a")
    teacher_a = (await staff_by_login(client, admin_a))["teacher.a"]
    r = await client.post(f"/api/v1/accounts/{teacher_a['id']}/disable", headers=admin_a)
    assert r.status_code == 200, r.text
    # One organisation left: no question asked.
    only = await _sign_in(client, "teacher.a")
    assert only.status_code == 200, only.text
    assert _claims(only.json()["access_token"])["tid"] == tenants["b"]
    assert_problem(await _sign_in(client, "teacher.a", organisation_id=tenants["a"]), 409)


async def test_who_must_not_join_accounts(
    client: httpx.AsyncClient, settings: Settings, joined: dict[str, Any]
) -> None:
    region = await login(client, "region.admin")
    database = Database(create_engine(settings.database_url))
    try:
        other_person = {
            **org("b"),
            "staff": [
                {
                    **org("b", ("ivanov.b", ["teacher"]))["staff"][0],
                    "surname": "Иванов",
                    "name": "Пётр",
                }
            ],
        }
        await seed(database, {"organisations": [other_person]})
    finally:
        await database.dispose()

    async def join(who: dict[str, str], home: str, other: str) -> httpx.Response:
        return await client.post(
            "/api/v1/region/accounts/join",
            json={"login": home, "account_login": other},
            headers=who,
        )

    # A school's administrator is not the region.
    assert_problem(await join(await login(client, "admin.a"), "admin.a", "admin.b"), 403)
    # Two accounts of one school; an unknown login; the same person twice.
    assert_problem(await join(region, "admin.a", "secretary.a"), 409)
    assert_problem(await join(region, "admin.a", "nobody.here"), 404)
    assert_problem(await join(region, "teacher.a", "teacher.a"), 409)
    # Already joined: the shared login is found as the home, a second school account for
    # the same organisation is refused.
    assert_problem(await join(region, "teacher.a", "admin.b"), 409)
    # Another person's account (a typo in a login must not hand over a school).
    assert_problem(await join(region, "admin.a", "ivanov.b"), 422)
    assert (await _sign_in(client, "ivanov.b")).status_code == 200


async def test_the_home_organisation_corrects_the_shared_login_and_the_copies_follow(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    admin_a = await login(client, "admin.a")
    teacher = (await staff_by_login(client, admin_a))["teacher.a"]
    r = await client.put(
        f"/api/v1/accounts/{teacher['id']}/login", json={"login": "petrova.shared"}, headers=admin_a
    )
    assert r.status_code == 200, r.text
    assert_problem(await _sign_in(client, "teacher.a", organisation_id=tenants["b"]), 401)
    into_b = await _sign_in(client, "petrova.shared", organisation_id=tenants["b"])
    assert into_b.status_code == 200, into_b.text
    staff_b = await staff_by_login(client, await login(client, "admin.b"))
    assert staff_b["petrova.shared"]["id"] == joined["account_b"]


async def test_no_single_organisation_resets_a_login_that_opens_several(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    """The home school's administrator must not take the teacher's place in the other
    school by resetting the shared password: the region restores it, and a new password
    ends the sign-ins in both schools."""
    admin_a = await login(client, "admin.a")
    teacher = (await staff_by_login(client, admin_a))["teacher.a"]
    refused = assert_problem(
        await client.post(f"/api/v1/accounts/{teacher['id']}/credentials", headers=admin_a), 409
    )
    assert "администратор региона" in refused["detail"]
    into_b = (await _sign_in(client, "teacher.a", organisation_id=tenants["b"])).json()
    region = await login(client, "region.admin")
    slip = await client.post(
        f"/api/v1/region/organisations/{tenants['a']}/accounts/{teacher['id']}/credentials",
        headers=region,
    )
    assert slip.status_code == 200, slip.text
    # The teacher's session in school b ended with the old password.
    assert_problem(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": into_b["refresh_token"]}),
        401,
    )
    # Not activated now, and still not in the home school's staff slips.
    staff_slips = await client.post("/api/v1/staff/credential-slips", headers=admin_a)
    assert staff_slips.status_code == 200, staff_slips.text
    assert "teacher.a" not in passwords_in(staff_slips.content)


async def test_ministry_accounts_are_never_joined(
    client: httpx.AsyncClient, joined: dict[str, Any]
) -> None:
    region = await login(client, "region.admin")
    r = await client.post(
        "/api/v1/region/accounts/join",
        json={"login": "admin.a", "account_login": "region.monitor"},
        headers=region,
    )
    assert_problem(r, 422)


async def test_a_one_time_password_is_changed_even_when_the_home_school_let_them_go(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    admin_a = await login(client, "admin.a")
    teacher = (await staff_by_login(client, admin_a))["teacher.a"]
    region = await login(client, "region.admin")
    slip = (
        await client.post(
            f"/api/v1/region/organisations/{tenants['a']}/accounts/{teacher['id']}/credentials",
            headers=region,
        )
    ).json()
    r = await client.post(f"/api/v1/accounts/{teacher['id']}/disable", headers=admin_a)
    assert r.status_code == 200, r.text
    first = await _sign_in(client, slip["login"], slip["password"])
    assert first.status_code == 200, first.text
    assert first.json()["must_change_password"] is True
    assert _claims(first.json()["access_token"])["tid"] == tenants["b"]
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": slip["password"], "new_password": "Vtoraya-shkola-1"},
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert changed.status_code == 200, changed.text
    assert (await _sign_in(client, "teacher.a", "Vtoraya-shkola-1")).status_code == 200


async def test_a_sign_in_to_the_other_school_ends_the_back_off_of_earlier_typos(
    client: httpx.AsyncClient, tenants: dict[str, str], joined: dict[str, Any]
) -> None:
    for _ in range(2):
        assert_problem(await _sign_in(client, "teacher.a", "Wrong-Pass-1"), 401)
    ok = await _sign_in(client, "teacher.a", organisation_id=tenants["b"])
    assert ok.status_code == 200, ok.text
    for _ in range(2):
        assert_problem(await _sign_in(client, "teacher.a", "Wrong-Pass-1"), 401)
    # Four typos in all, but only two since the last success: no back-off yet.
    again = await _sign_in(client, "teacher.a", organisation_id=tenants["b"])
    assert again.status_code == 200, again.text
    into_a = await _sign_in(client, "teacher.a", organisation_id=tenants["a"])
    mine = await client.get(
        "/api/v1/me/sign-ins",
        headers={"Authorization": f"Bearer {into_a.json()['access_token']}"},
    )
    assert "ok_elsewhere" in {e["outcome"] for e in mine.json()}
