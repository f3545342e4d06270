"""With `EDUREG_IDENTITY_PROVIDER=keycloak`, the same provisioning keeps the Keycloak realm
in step (identity issue, item 9): students and guardians from enrolment events, a staff
member's positions, an expulsion, a newly registered organisation — through identity's
own events into the stand-in of Keycloak's Admin REST API."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually
from edureg_identity.config import Settings

from ..conftest import login
from ..keycloak_standin import Realm, serving
from .test_provisioning import expelled, publish
from .test_slips import passwords_in


@pytest.fixture
async def standin() -> AsyncIterator[tuple[str, Realm]]:
    async with serving() as found:
        yield found


@pytest.fixture
def settings(settings: Settings, standin: tuple[str, Realm]) -> Settings:
    url, realm = standin
    return settings.model_copy(
        update={
            "provider": "keycloak",
            "keycloak_url": url,
            "keycloak_client_secret": SecretStr(realm.client_secret),
        }
    )


def _user(realm: Realm, login: str) -> dict[str, Any] | None:
    return next((u for u in realm.users.values() if u["username"] == login), None)


def _organisation_of(realm: Realm, user_id: str) -> set[str]:
    return {
        realm.organizations[o]["alias"]
        for o, members in realm.members.items()
        if user_id in members
    }


async def test_provisioning_keeps_the_realm_in_step(
    client: httpx.AsyncClient,
    school: dict[str, Any],
    standin: tuple[str, Realm],
    infra: Infra,
    nats_prefix: str,
) -> None:
    _, realm = standin
    student, parent = school["own_student"], school["own_parent"]

    async def mirrored() -> list[Any]:
        return [_user(realm, student["login"]), _user(realm, parent["login"])]

    kc_student, kc_parent = await eventually(
        mirrored, until=lambda found: all(found), message="both accounts in Keycloak"
    )
    assert kc_student["enabled"] is True
    assert kc_student["attributes"]["edureg_user_id"] == [student["id"]]
    assert kc_student["attributes"]["edureg_tenant"] == [school["tenant"]]
    assert kc_student["attributes"]["edureg_kind"] == ["student"]
    assert kc_student["attributes"]["edureg_perms"] == []  # reaches its data by relationship
    assert _organisation_of(realm, kc_student["id"]) == {"a"}
    assert kc_parent["attributes"]["edureg_kind"] == ["guardian"]

    # A staff member's positions: groups under the organisation, permissions as claims.
    admin = school["admin"]
    teacher = school["staff"]["teacher.a"]
    positions = {
        p["code"]: p["id"]
        for p in (
            await client.get("/api/v1/positions", headers=admin, params={"limit": 200})
        ).json()["items"]
    }
    r = await client.put(
        f"/api/v1/accounts/{teacher['id']}/positions",
        json={"position_ids": [positions["teacher"], positions["committee_chair"]]},
        headers=admin,
    )
    assert r.status_code == 200, r.text

    async def groups() -> set[str]:
        user = _user(realm, "teacher.a")
        ids = realm.memberships.get(user["id"], set()) if user else set()
        return {realm.groups[g]["path"] for g in ids}

    await eventually(
        groups,
        until=lambda found: found == {"/a/teacher", "/a/committee_chair"},
        message="the teacher's positions as groups in Keycloak",
    )
    kc_teacher = _user(realm, "teacher.a")
    assert kc_teacher is not None
    assert "journal.rosters.read" in kc_teacher["attributes"]["edureg_perms"]

    # The child leaves: disabled in Keycloak too, nothing deleted.
    await publish(infra, nats_prefix, expelled(school["tenant"], uuid.UUID(student["person_id"])))
    await eventually(
        lambda: _async(_user(realm, student["login"])),
        until=lambda u: u["enabled"] is False,
        message="the student disabled in Keycloak",
    )

    # A newly registered organisation becomes a Keycloak Organization.
    region = await login(client, "region.admin")
    r = await client.post(
        "/api/v1/region/organisations",
        headers=region,
        json={
            "code": "school-kc",
            "name": "МБОУ «Школа Кейклоак»",
            "short_name": "Школа КК",
            "kind": "school",
            "municipality": "Центральный район",
            "administrator": {"surname": "Новикова", "name": "Вера"},
        },
    )
    assert r.status_code == 201, r.text
    await eventually(
        lambda: _async([o["alias"] for o in realm.organizations.values()]),
        until=lambda aliases: "school-kc" in aliases,
        message="the organisation in Keycloak",
    )


async def _async(value: Any) -> Any:
    return value


async def test_slips_set_the_same_temporary_password_in_keycloak(
    client: httpx.AsyncClient, school: dict[str, Any], standin: tuple[str, Realm]
) -> None:
    _, realm = standin
    curator = await login(client, "curator.a")
    r = await client.post(f"/api/v1/groups/{school['own_group']}/credential-slips", headers=curator)
    assert r.status_code == 200, r.text
    printed = passwords_in(r.content)
    assert len(printed) == 2
    for login_, password in printed.items():
        user = _user(realm, login_)
        assert user is not None
        digest = hashlib.sha256(password.encode()).hexdigest()
        assert realm.passwords[user["id"]] == (digest, True)  # temporary: changed at sign-in

    # Keycloak down: no slip, and the passwords printed before still work.
    realm.down = True
    admin = school["admin"]
    parent = school["own_parent"]
    refused = await client.post(f"/api/v1/accounts/{parent['id']}/credentials", headers=admin)
    assert refused.status_code == 503, refused.text
    assert "Keycloak" in refused.json()["detail"]
    again = await client.post(
        f"/api/v1/groups/{school['own_group']}/credential-slips", headers=curator
    )
    assert again.status_code == 503
    realm.down = False
    ok = await client.post(
        "/api/v1/auth/token",
        json={"login": parent["login"], "password": printed[parent["login"]]},
    )
    assert ok.status_code == 200, ok.text
