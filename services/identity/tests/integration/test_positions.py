"""Positions and rights (003 3.3.2, 3.3.6), staff accounts, activity: an organisation's
administrator tailors who may do what; tried also as a teacher, a secretary, another
school's administrator and a regional specialist would."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.plugin import assert_problem

from ..conftest import PASSWORD, login
from .test_provisioning import accounts

pytestmark = pytest.mark.usefixtures("tenants")

REGULATIONS = {
    "admin",
    "director",
    "deputy_director",
    "academic_office_head",
    "secretary",
    "hr_specialist",
    "admissions_secretary",
    "head_of_department",
    "committee_chair",
    "engineer",
    "teacher",
    "curator",
    "student",
    "guardian",
}


async def _positions(client: httpx.AsyncClient, who: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/v1/positions", params={"limit": 200}, headers=who)
    assert r.status_code == 200, r.text
    return {p["code"]: p for p in r.json()["items"]}


async def _staff_ids(client: httpx.AsyncClient, who: dict[str, str]) -> dict[str, str]:
    return {a["login"]: a["id"] for a in await accounts(client, who, kind="staff")}


def _claims(headers: dict[str, str]) -> dict[str, Any]:
    payload = headers["Authorization"].split()[1].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def _me(client: httpx.AsyncClient, login_: str) -> dict[str, Any]:
    r = await client.get("/api/v1/me", headers=await login(client, login_))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_every_organisation_has_the_regulations_positions(
    client: httpx.AsyncClient,
) -> None:
    admin = await login(client, "admin.a")
    found = await _positions(client, admin)
    assert set(found) == REGULATIONS
    assert all(p["builtin"] for p in found.values())
    assert found["admin"]["holders"] == 2
    assert found["student"]["account_kind"] == "student"
    assert found["student"]["permissions"] == []
    assert "identity.positions.manage" in found["admin"]["permissions"]
    # The catalogue a position is made from: the organisation's kind's rights only.
    catalogue = (await client.get("/api/v1/permissions", headers=admin)).json()
    names = {p["name"] for p in catalogue}
    assert "journal.rosters.read" in names
    assert not any(n.startswith("region.") for n in names)
    assert {p["service"] for p in catalogue} >= {"identity", "contingent", "journal"}


async def test_an_administrator_creates_a_position_and_assigns_it(
    client: httpx.AsyncClient,
) -> None:
    admin = await login(client, "admin.a")
    staff = await _staff_ids(client, admin)
    r = await client.post(
        "/api/v1/positions",
        json={
            "title": "  Методист  по практике ",
            "permissions": ["reporting.read", "schedule.read"],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    methodist = r.json()
    assert methodist["title"] == "Методист по практике"
    assert methodist["builtin"] is False
    assert methodist["holders"] == 0
    teacher_position = (await _positions(client, admin))["teacher"]["id"]
    r = await client.put(
        f"/api/v1/accounts/{staff['teacher.a']}/positions",
        json={"position_ids": [teacher_position, methodist["id"]]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert {p["title"] for p in r.json()} == {"Методист по практике", "Учитель/преподаватель"}

    teacher = await login(client, "teacher.a")
    me = (await client.get("/api/v1/me", headers=teacher)).json()
    assert set(me["positions"]) == {"Методист по практике", "Учитель/преподаватель"}
    assert "reporting.read" in me["permissions"]
    claims = _claims(teacher)
    assert set(claims["pos"]) == {"teacher", methodist["code"]}
    assert "reporting.read" in claims["perms"]
    assert (await _positions(client, admin))[methodist["code"]]["holders"] == 1

    # Changing the position changes its holders' rights at their next sign-in.
    r = await client.put(
        f"/api/v1/positions/{methodist['id']}",
        json={"title": "Методист", "permissions": ["schedule.read", "journal.rosters.read"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    me = await _me(client, "teacher.a")
    assert "reporting.read" not in me["permissions"]
    assert "Методист" in me["positions"]

    # A held position is not deleted; once nobody holds it, it is.
    body = assert_problem(
        await client.delete(f"/api/v1/positions/{methodist['id']}", headers=admin), 422
    )
    assert "назначена" in body["detail"]
    r = await client.put(
        f"/api/v1/accounts/{staff['teacher.a']}/positions",
        json={"position_ids": [teacher_position]},
        headers=admin,
    )
    assert r.status_code == 200
    r = await client.delete(f"/api/v1/positions/{methodist['id']}", headers=admin)
    assert r.status_code == 204
    assert_problem(await client.get(f"/api/v1/positions/{methodist['id']}", headers=admin), 404)


async def test_what_a_position_cannot_be(client: httpx.AsyncClient) -> None:
    admin = await login(client, "admin.a")
    found = await _positions(client, admin)
    for permissions in (["region.accounts.administer"], ["journal.marks.everything"]):
        body = assert_problem(
            await client.post(
                "/api/v1/positions",
                json={"title": "Странная", "permissions": permissions},
                headers=admin,
            ),
            422,
        )
        assert body["errors"][0]["field"] == "permissions"
    for title in ("директор", "ДИРЕКТОР "):  # the built-in one, whatever the case
        body = assert_problem(
            await client.post(
                "/api/v1/positions", json={"title": title, "permissions": []}, headers=admin
            ),
            409,
        )
        assert body["errors"][0]["field"] == "title"
    assert_problem(
        await client.post(
            "/api/v1/positions", json={"title": "   ", "permissions": []}, headers=admin
        ),
        422,
    )
    builtin = found["curator"]["id"]
    assert_problem(
        await client.put(
            f"/api/v1/positions/{builtin}",
            json={"title": "Куратор", "permissions": []},
            headers=admin,
        ),
        422,
    )
    assert_problem(await client.delete(f"/api/v1/positions/{builtin}", headers=admin), 422)
    assert (await _positions(client, admin))["curator"]["permissions"] == found["curator"][
        "permissions"
    ]


async def test_who_cannot_manage_positions(
    client: httpx.AsyncClient, tenants: dict[str, str]
) -> None:
    admin_a = await login(client, "admin.a")
    staff = await _staff_ids(client, admin_a)
    positions_a = await _positions(client, admin_a)
    new = {"title": "Своя", "permissions": ["schedule.read"]}

    teacher = await login(client, "teacher.a")
    assert_problem(await client.get("/api/v1/positions", headers=teacher), 403)
    assert_problem(await client.post("/api/v1/positions", json=new, headers=teacher), 403)
    assert_problem(
        await client.put(
            f"/api/v1/accounts/{staff['teacher.a']}/positions",
            json={"position_ids": [positions_a["admin"]["id"]]},
            headers=teacher,
        ),
        403,
    )
    # The secretary sees positions (who holds what) but changes nothing.
    secretary = await login(client, "secretary.a")
    assert (await client.get("/api/v1/positions", headers=secretary)).status_code == 200
    assert_problem(await client.post("/api/v1/positions", json=new, headers=secretary), 403)

    # Another organisation's positions and staff do not exist for admin.b.
    admin_b = await login(client, "admin.b")
    for method, url, body in (
        ("GET", f"/api/v1/positions/{positions_a['curator']['id']}", None),
        ("PUT", f"/api/v1/positions/{positions_a['curator']['id']}", new),
        ("DELETE", f"/api/v1/positions/{positions_a['curator']['id']}", None),
        ("GET", f"/api/v1/accounts/{staff['teacher.a']}/positions", None),
        ("PUT", f"/api/v1/accounts/{staff['teacher.a']}/positions", {"position_ids": []}),
        ("POST", f"/api/v1/accounts/{staff['teacher.a']}/disable", None),
        ("PUT", f"/api/v1/accounts/{staff['teacher.a']}/login", {"login": "stolen"}),
    ):
        assert_problem(await client.request(method, url, json=body, headers=admin_b), 404)
    # Nor may admin.b hand their own staff a position of school a.
    own_b = await _staff_ids(client, admin_b)
    assert own_b.keys() == {"admin.b"}
    assert_problem(
        await client.put(
            f"/api/v1/accounts/{staff['teacher.a']}/positions",
            json={"position_ids": [positions_a["admin"]["id"]]},
            headers=admin_b,
        ),
        404,
    )
    # One's own positions are another administrator's business.
    assert_problem(
        await client.put(
            f"/api/v1/accounts/{staff['admin.a']}/positions",
            json={"position_ids": [positions_a["teacher"]["id"]]},
            headers=admin_a,
        ),
        403,
    )
    # The student position is never assigned to staff.
    assert_problem(
        await client.put(
            f"/api/v1/accounts/{staff['teacher.a']}/positions",
            json={"position_ids": [positions_a["student"]["id"]]},
            headers=admin_a,
        ),
        422,
    )
    assert (await _positions(client, admin_a))["teacher"]["holders"] == 2  # teacher, curator


async def test_a_right_taken_away_cannot_be_used_with_an_older_token(
    client: httpx.AsyncClient,
) -> None:
    admin = await login(client, "admin.a")
    admin2 = await login(client, "admin2.a")  # issued while still an administrator
    staff = await _staff_ids(client, admin)
    positions = await _positions(client, admin)
    r = await client.put(
        f"/api/v1/accounts/{staff['admin2.a']}/positions",
        json={"position_ids": [positions["teacher"]["id"]]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    body = assert_problem(
        await client.post(
            "/api/v1/positions",
            json={"title": "Обход", "permissions": ["identity.positions.manage"]},
            headers=admin2,
        ),
        403,
    )
    assert "прав" in body["detail"]
    assert "Обход" not in {p["title"] for p in (await _positions(client, admin)).values()}


async def test_an_organisation_cannot_lose_its_last_manager(client: httpx.AsyncClient) -> None:
    """admin2 comes to hold management only through an own position; admin.a steps down;
    admin2 then cannot strip that position of the right."""
    admin = await login(client, "admin.a")
    staff = await _staff_ids(client, admin)
    positions = await _positions(client, admin)
    everything = positions["admin"]["permissions"]
    chief = (
        await client.post(
            "/api/v1/positions",
            json={"title": "Главный администратор", "permissions": everything},
            headers=admin,
        )
    ).json()
    r = await client.put(
        f"/api/v1/accounts/{staff['admin2.a']}/positions",
        json={"position_ids": [chief["id"]]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    admin2 = await login(client, "admin2.a")
    r = await client.put(
        f"/api/v1/accounts/{staff['admin.a']}/positions",
        json={"position_ids": [positions["teacher"]["id"]]},
        headers=admin2,
    )
    assert r.status_code == 200, r.text
    fewer = [p for p in everything if p != "identity.positions.manage"]
    body = assert_problem(
        await client.put(
            f"/api/v1/positions/{chief['id']}",
            json={"title": chief["title"], "permissions": fewer},
            headers=admin2,
        ),
        422,
    )
    assert "не останется" in body["detail"]
    assert "identity.positions.manage" in (await _me(client, "admin2.a"))["permissions"]


async def test_staff_accounts_are_disabled_and_enabled(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    admin = await login(client, "admin.a")
    staff = await _staff_ids(client, admin)
    teacher_id = staff["teacher.a"]
    r = await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": PASSWORD})
    refresh = r.json()["refresh_token"]
    r = await client.post(f"/api/v1/accounts/{teacher_id}/disable", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": PASSWORD}),
        401,
    )
    assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh}), 401)
    assert_problem(await client.post(f"/api/v1/accounts/{teacher_id}/disable", headers=admin), 422)
    r = await client.post(f"/api/v1/accounts/{teacher_id}/enable", headers=admin)
    assert r.status_code == 200
    assert r.json()["active"] is True
    await login(client, "teacher.a")

    # Not oneself, not a student (orders move students), not by a secretary.
    assert_problem(
        await client.post(f"/api/v1/accounts/{staff['admin.a']}/disable", headers=admin), 403
    )
    body = assert_problem(
        await client.post(f"/api/v1/accounts/{school['own_student']['id']}/disable", headers=admin),
        422,
    )
    assert "приказ" in body["detail"]
    secretary = await login(client, "secretary.a")
    assert_problem(
        await client.post(f"/api/v1/accounts/{teacher_id}/disable", headers=secretary), 403
    )


async def test_an_administrator_corrects_a_login(client: httpx.AsyncClient) -> None:
    admin = await login(client, "admin.a")
    teacher_id = (await _staff_ids(client, admin))["teacher.a"]
    r = await client.put(
        f"/api/v1/accounts/{teacher_id}/login", json={"login": " Petrova.AN "}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["login"] == "petrova.an"
    await login(client, "petrova.an")
    assert_problem(
        await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": PASSWORD}),
        401,
    )
    # Unique in the whole region: another school's login is taken.
    body = assert_problem(
        await client.put(
            f"/api/v1/accounts/{teacher_id}/login", json={"login": "ADMIN.B"}, headers=admin
        ),
        409,
    )
    assert body["errors"][0]["field"] == "login"
    for bad in ("ив", "иванова", "1abc", "a b c"):
        assert_problem(
            await client.put(
                f"/api/v1/accounts/{teacher_id}/login", json={"login": bad}, headers=admin
            ),
            422,
        )


async def test_activity_of_an_organisation(client: httpx.AsyncClient) -> None:
    await login(client, "teacher.a")
    await login(client, "teacher.a")
    r = await client.post("/api/v1/auth/token", json={"login": "teacher.a", "password": "wrong"})
    assert r.status_code == 401
    await login(client, "admin.b")
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=13)), "to": str(today + timedelta(days=1))}
    admin = await login(client, "admin.a")
    r = await client.get("/api/v1/activity", params={**period, "limit": 200}, headers=admin)
    assert r.status_code == 200, r.text
    rows = {a["login"]: a for a in r.json()["items"]}
    assert rows["teacher.a"]["sign_ins"] == 2
    assert rows["teacher.a"]["failed"] == 1
    assert rows["teacher.a"]["last_sign_in_at"]
    assert rows["curator.a"]["sign_ins"] == 0  # who never signs in is listed too
    assert "admin.b" not in rows  # another school's users are not
    r = await client.get("/api/v1/activity", params=period, headers=await login(client, "admin.b"))
    assert {a["login"] for a in r.json()["items"]} == {"admin.b"}

    assert_problem(
        await client.get(
            "/api/v1/activity", params=period, headers=await login(client, "teacher.a")
        ),
        403,
    )
    assert_problem(
        await client.get(
            "/api/v1/activity",
            params={"from": str(today), "to": str(today - timedelta(days=1))},
            headers=admin,
        ),
        422,
    )
    assert_problem(
        await client.get(
            "/api/v1/activity",
            params={"from": str(today - timedelta(days=500)), "to": str(today)},
            headers=admin,
        ),
        422,
    )


async def test_the_regions_usage_is_counts_only(
    client: httpx.AsyncClient, tenants: dict[str, str], school: dict[str, Any]
) -> None:
    await login(client, "teacher.a")
    monitor = await login(client, "region.monitor")
    r = await client.get("/api/v1/region/usage", params={"days": 14}, headers=monitor)
    assert r.status_code == 200, r.text
    usage = {u["code"]: u for u in r.json()["items"]}
    assert set(usage) == {"a", "b"}  # the ministry itself is not one of its organisations
    a = usage["a"]
    assert a["staff"]["accounts"] == 5
    assert a["staff"]["signed_in"] >= 2  # admin.a and teacher.a at least
    assert a["student"]["accounts"] == 2
    assert a["student"]["activated"] == 0  # nobody has changed a one-time password yet
    assert a["guardian"]["accounts"] == 2
    text = r.text
    for secret in ("teacher.a", "Петрова", school["own_student"]["login"]):
        assert secret not in text
    assert (await client.get("/api/v1/region/organisations", headers=monitor)).status_code == 200

    # Aggregates, never a person: the monitor reaches no account, no registration, no
    # credential; a school's administrator no regional view.
    assert_problem(await client.get("/api/v1/accounts", headers=monitor), 403)
    assert_problem(
        await client.get(
            f"/api/v1/region/organisations/{tenants['a']}/administrators", headers=monitor
        ),
        403,
    )
    assert_problem(
        await client.post(
            "/api/v1/region/organisations",
            json={
                "code": "x",
                "name": "Школа X",
                "kind": "school",
                "administrator": {"surname": "Иванов", "name": "Иван"},
            },
            headers=monitor,
        ),
        403,
    )
    assert_problem(
        await client.get("/api/v1/region/usage", headers=await login(client, "admin.a")), 403
    )
    assert _claims(monitor)["perms"] == ["region.monitoring.read", "region.reports.read"]
