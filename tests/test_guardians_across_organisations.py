"""A parent with children in two organisations keeps one sign-in (identity issue, items 2
and 5), matched by a keyed hash of their СНИЛС that contingent computes — identity and
the broker never see the number; the parent keeps access while a child of theirs is
active anywhere in the region. Across real processes, through HTTP only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

SNILS = "112-233-445 95"
DIGITS = "11223344595"


def _child(surname: str, name: str, snils: str, mother: str = "Матерева") -> dict[str, Any]:
    return {
        "surname": surname,
        "name": name,
        "birth_date": "2016-06-06",
        "sex": "m",
        "guardians": [{"surname": mother, "name": "Ольга", "relation": "mother", "snils": snils}],
    }


async def _enrol(system: System, admin: dict[str, str], code: str, *children: Any) -> list[str]:
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        groups = (await c.get("/api/v1/groups")).json()["items"]
        group = (
            groups[0]
            if groups
            else (
                await c.post(
                    "/api/v1/groups",
                    json={"name": "1А", "grade": 1, "academic_year": "2026/2027"},
                )
            ).json()
        )
        r = await c.post(
            "/api/v1/orders/enrolment",
            json={
                "number": f"{code}-{len(children)}-{children[0]['name']}",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": group["id"],
                "students": list(children),
            },
        )
        assert r.status_code == 201, r.text
        signed = await c.post(f"/api/v1/orders/{r.json()['id']}/sign")
        assert signed.status_code == 200, signed.text
        return [i["student_id"] for i in signed.json()["items"]]


async def _guardians(system: System, admin: dict[str, str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        r = await c.get("/api/v1/accounts", params={"kind": "guardian", "limit": 200})
        return list(r.json()["items"])


async def _token(system: System, login: str, password: str, **extra: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        return await c.post(
            "/api/v1/auth/token", json={"login": login, "password": password, **extra}
        )


async def _children(system: System, token: httpx.Response) -> list[str]:
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=headers) as c:
        return [ch["full_name"] for ch in (await c.get("/api/v1/me/children")).json()["items"]]


async def _diaries(system: System, admin: dict[str, str], guardian: str) -> list[Any]:
    """The guardian signs in with a fresh slip and opens the journal's diary (every child
    of hers once journal has the links)."""
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        slip = (await c.post(f"/api/v1/accounts/{guardian}/credentials")).json()
    first = await _token(system, slip["login"], slip["password"])
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        changed = await c.post(
            "/api/v1/me/password",
            json={"current_password": slip["password"], "new_password": PASSWORD},
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text
    headers = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=headers) as c:

        async def read() -> list[Any]:
            r = await c.get("/api/v1/my/diary", params={"from": "2026-09-01", "to": "2026-09-07"})
            assert r.status_code == 200, r.text
            return list(r.json())

        return await eventually(read, until=lambda d: len(d) == 2, message="both diaries")


@pytest.fixture(scope="module")
async def region(system: System) -> dict[str, Any]:
    tenants = system.seed_organisations("gx1", "gx2")
    return {
        "tenants": tenants,
        "admin1": await system.login("admin.gx1"),
        "admin2": await system.login("admin.gx2"),
    }


async def test_a_parent_of_children_in_two_schools_keeps_one_sign_in(
    system: System, region: dict[str, Any]
) -> None:
    admin1, admin2, tenants = region["admin1"], region["admin2"], region["tenants"]
    [first_child] = await _enrol(system, admin1, "gx1", _child("Первов", "Иван", SNILS))
    [mother1] = await eventually(lambda: _guardians(system, admin1), message="the mother in 1")
    # She activates her account in the first school.
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin1) as c:
        slip = (await c.post(f"/api/v1/accounts/{mother1['id']}/credentials")).json()
    first = await _token(system, slip["login"], slip["password"])
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        changed = await c.post(
            "/api/v1/me/password",
            json={"current_password": slip["password"], "new_password": PASSWORD},
            headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text
    # Her second child is enrolled in the other school, the number typed differently.
    await _enrol(system, admin2, "gx2", _child("Второв", "Пётр", DIGITS))
    [mother2] = await eventually(lambda: _guardians(system, admin2), message="the mother in 2")
    assert mother2["login"] == mother1["login"]  # no second login to hand out
    # One sign-in: she chooses the school, and sees that school's child only.
    asked = await _token(system, mother1["login"], PASSWORD)
    assert asked.status_code == 409, asked.text
    assert {o["id"] for o in asked.json()["organisations"]} == set(tenants.values())
    into2 = await _token(system, mother1["login"], PASSWORD, organisation_id=tenants["gx2"])
    assert await _children(system, into2) == ["Второв Пётр"]
    into1 = await _token(system, mother1["login"], PASSWORD, organisation_id=tenants["gx1"])
    assert await _children(system, into1) == ["Первов Иван"]
    # The second school prints her no slip: she already signs in.
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin2) as c:
        r = await c.post(f"/api/v1/accounts/{mother2['id']}/credentials")
        assert r.status_code == 409, r.text

    # The first child leaves: her account there is disabled, the other school's stays.
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin1) as c:
        r = await c.post(
            "/api/v1/orders/expulsion",
            json={
                "number": "gx1-out",
                "order_date": "2026-12-10",
                "effective_date": "2026-12-11",
                "reason_code": "transfer",
                "student_ids": [first_child],
            },
        )
        assert r.status_code == 201, r.text
        assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200
    await eventually(
        lambda: _guardians(system, admin1),
        until=lambda g: not g[0]["active"],
        message="the mother's account in the first school disabled",
    )
    only = await _token(system, mother1["login"], PASSWORD)
    assert only.status_code == 200, only.text
    assert await _children(system, only) == ["Второв Пётр"]

    # The number never left contingent: the broker carried only its keyed hash.
    async with system.infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{system.prefix}contingent.accounts.requested.v1",
            stream=f"{system.prefix.strip('.').upper()}_CONTINGENT",
        )
        messages = await sub.fetch(50, timeout=5)
    bodies = [m.data.decode() for m in messages]
    assert any('"match_key"' in b for b in bodies)
    assert not any(DIGITS in b or SNILS in b for b in bodies)


async def test_one_snils_is_one_guardian_in_an_organisation_and_a_wrong_one_is_refused(
    system: System, region: dict[str, Any]
) -> None:
    admin = region["admin1"]
    before = await _guardians(system, admin)
    other = "100-079-190 00"
    await _enrol(
        system,
        admin,
        "gx1b",
        _child("Третьев", "Олег", other, mother="Третьева"),
        _child("Третьева", "Анна", other.replace("-", "").replace(" ", ""), mother="Третьева"),
    )
    guardians = await eventually(
        lambda: _guardians(system, admin),
        until=lambda g: len(g) == len(before) + 1,
        message="one guardian for two children",
    )
    # Both children reach the one mother in every service, not only in identity.
    [mother] = [g for g in guardians if g["id"] not in {b["id"] for b in before}]
    diaries = await _diaries(system, admin, mother["id"])
    assert sorted(d["display_name"] for d in diaries) == ["Третьев Олег", "Третьева Анна"]
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (await c.get("/api/v1/groups")).json()["items"][0]
        # Another person's known СНИЛС (a typo, or worse): refused, nothing linked.
        r = await c.post(
            "/api/v1/orders/enrolment",
            json={
                "number": "typo-1",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": group["id"],
                "students": [_child("Чужаков", "Ян", other, mother="Чужакова")],
            },
        )
        assert r.status_code == 422, r.text
        assert "другого законного представителя" in r.json()["detail"]
        for bad in ("112-233-445 96", "12345"):
            r = await c.post(
                "/api/v1/orders/enrolment",
                json={
                    "number": f"bad-{bad}",
                    "order_date": "2026-09-01",
                    "effective_date": "2026-09-01",
                    "group_id": group["id"],
                    "students": [_child("Ошибкин", "Лев", bad)],
                },
            )
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert "СНИЛС" in r.text


async def test_the_same_snils_under_another_name_is_not_joined(
    system: System, region: dict[str, Any]
) -> None:
    """A third organisation types the first mother's СНИЛС for a different parent: a
    separate account with its own login, never her sign-in."""
    tenants = system.seed_organisations("gx3")
    admin3 = await system.login("admin.gx3")
    mother1 = (await _guardians(system, region["admin1"]))[0]
    await _enrol(system, admin3, "gx3", _child("Третьяков", "Лев", SNILS, mother="Иная"))
    [other] = await eventually(lambda: _guardians(system, admin3), message="the other parent")
    assert other["login"] != mother1["login"]
    assert other["shared_sign_in"] is False
    assert tenants["gx3"]
