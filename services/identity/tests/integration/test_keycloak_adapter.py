"""The Keycloak adapter against the stand-in of the Admin REST endpoints it calls — or,
with `KEYCLOAK_URL` (and `KEYCLOAK_REALM`, `KEYCLOAK_CLIENT_ID`, `KEYCLOAK_CLIENT_SECRET`
of a client whose service account manages users, groups and organizations) set, against
a real Keycloak: the same tests, reading back through python-keycloak."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from edureg_identity.keycloak import Account, KeycloakDirectory, Organisation, Throttle

from ..keycloak_standin import Realm, serving

REAL = os.environ.get("KEYCLOAK_URL")


@dataclass
class Keycloak:
    url: str
    realm: str
    client_id: str
    secret: str
    standin: Realm | None

    def directory(self, rate: float = 50.0) -> KeycloakDirectory:
        return KeycloakDirectory.connect(
            server_url=self.url,
            realm=self.realm,
            client_id=self.client_id,
            client_secret=self.secret,
            calls_per_second=rate,
        )

    def reader(self) -> KeycloakAdmin:
        return KeycloakAdmin(
            connection=KeycloakOpenIDConnection(
                server_url=self.url,
                realm_name=self.realm,
                client_id=self.client_id,
                client_secret_key=self.secret,
            )
        )


@pytest.fixture
async def keycloak() -> AsyncIterator[Keycloak]:
    if REAL:
        yield Keycloak(
            REAL,
            os.environ.get("KEYCLOAK_REALM", "edureg"),
            os.environ.get("KEYCLOAK_CLIENT_ID", "edureg-identity"),
            os.environ["KEYCLOAK_CLIENT_SECRET"],
            None,
        )
        return
    async with serving() as (url, realm):
        yield Keycloak(url, "edureg", realm.client_id, realm.client_secret, realm)


def _names() -> tuple[Organisation, Account]:
    suffix = secrets.token_hex(3)
    org = Organisation(
        id=str(secrets.token_hex(16)), code=f"school-{suffix}", name=f"Школа {suffix}"
    )
    account = Account(
        id=secrets.token_hex(16),
        tenant_id=org.id,
        login=f"petrova.{suffix}",
        surname="Петрова",
        name="Анна",
        kind="staff",
        active=True,
        positions=["teacher", "curator"],
        permissions=["journal.rosters.read", "identity.credentials.issue.own_groups"],
    )
    return org, account


async def _user(reader: KeycloakAdmin, login: str) -> dict:
    [user] = await reader.a_get_users({"username": login, "exact": True})
    return await reader.a_get_user(user["id"])


async def test_an_account_becomes_a_member_of_its_organization_with_its_claims(
    keycloak: Keycloak,
) -> None:
    org, account = _names()
    directory, reader = keycloak.directory(), keycloak.reader()
    user_id = await directory.ensure_account(account, org)
    user = await _user(reader, account.login)
    assert user["id"] == user_id
    assert user["enabled"] is True
    assert user["attributes"]["edureg_user_id"] == [account.id]
    assert user["attributes"]["edureg_tenant"] == [org.id]
    assert sorted(user["attributes"]["edureg_perms"]) == sorted(account.permissions)
    [found] = await reader.a_get_organizations({"search": org.code, "exact": True})
    assert found["alias"] == org.code
    members = await reader.a_get_organization_members(found["id"])
    assert [m["id"] for m in members] == [user_id]
    groups = {g["path"] for g in await reader.a_get_user_groups(user_id)}
    assert groups == {f"/{org.code}/teacher", f"/{org.code}/curator"}
    # Applied again (a redelivered event, a second replica): the same user, nothing doubled.
    again = await keycloak.directory().ensure_account(account, org)
    assert again == user_id
    assert len(await reader.a_get_users({"username": account.login, "exact": True})) == 1
    assert len(await reader.a_get_organizations({"search": org.code, "exact": True})) == 1


async def test_409_on_create_means_already_there(keycloak: Keycloak) -> None:
    org, account = _names()
    reader = keycloak.reader()
    # Someone created the user by hand, disabled and without our attributes.
    existing = await reader.a_create_user({"username": account.login, "enabled": False})
    user_id = await keycloak.directory().ensure_account(account, org)
    assert user_id == existing
    user = await _user(reader, account.login)
    assert user["enabled"] is True
    assert user["attributes"]["edureg_user_id"] == [account.id]
    if keycloak.standin is not None:
        assert ("POST", "/admin/realms/edureg/users", 409) in {
            c[1:] for c in keycloak.standin.calls
        }


async def test_positions_and_disabling_follow_the_account(keycloak: Keycloak) -> None:
    org, account = _names()
    directory, reader = keycloak.directory(), keycloak.reader()
    user_id = await directory.ensure_account(account, org)
    moved = Account(**{**vars(account), "positions": ["teacher", "deputy_director"]})
    await directory.ensure_account(moved, org)
    groups = {g["path"] for g in await reader.a_get_user_groups(user_id)}
    assert groups == {f"/{org.code}/teacher", f"/{org.code}/deputy_director"}
    assert await directory.disable(account.login) is True
    assert (await _user(reader, account.login))["enabled"] is False
    assert await directory.disable("nobody." + secrets.token_hex(3)) is False


async def test_two_replicas_creating_one_organization_get_the_same(keycloak: Keycloak) -> None:
    org, _ = _names()
    ids = await asyncio.gather(
        keycloak.directory().ensure_organisation(org),
        keycloak.directory().ensure_organisation(org),
    )
    assert ids[0] == ids[1]


@pytest.mark.skipif(REAL is not None, reason="the call log is the stand-in's")
async def test_calls_are_throttled(keycloak: Keycloak) -> None:
    org, account = _names()
    rate = 10.0
    started = time.monotonic()
    await keycloak.directory(rate=rate).ensure_account(account, org)
    elapsed = time.monotonic() - started
    assert keycloak.standin is not None
    # Each throttled call is one admin request that was not refused for want of a token
    # (python-keycloak fetches one and repeats the request inside the same call).
    calls = [c for c in keycloak.standin.calls if c[2].startswith("/admin/") and c[3] != 401]
    assert len(calls) >= 5
    # n calls spaced 1/rate apart cannot fit in less than (n - 1)/rate: a lower bound,
    # which a slow machine only widens.
    assert elapsed >= (len(calls) - 1) / rate - 0.001


async def test_the_throttle_spaces_calls_evenly() -> None:
    # The k-th call may not start before k intervals have passed (a lower bound; the
    # event loop may wake a timer up to its clock resolution early, hence the millisecond).
    throttle = Throttle(20.0)
    started = time.monotonic()
    for k in range(6):
        await throttle.wait()
        assert time.monotonic() - started >= k / 20.0 - 0.001


async def test_a_corrected_login_renames_the_user_it_does_not_make_another(
    keycloak: Keycloak,
) -> None:
    org, account = _names()
    directory, reader = keycloak.directory(), keycloak.reader()
    user_id = await directory.ensure_account(account, org)
    renamed = Account(**{**vars(account), "login": account.login + ".new"})
    assert await directory.ensure_account(renamed, org) == user_id
    assert (await reader.a_get_user(user_id))["username"] == renamed.login
    assert await reader.a_get_users({"username": account.login, "exact": True}) == []


async def test_a_joined_account_is_a_membership_of_the_home_user(keycloak: Keycloak) -> None:
    home_org, home = _names()
    other_org, other = _names()
    directory, reader = keycloak.directory(), keycloak.reader()
    user_id = await directory.ensure_account(home, home_org)
    # The other account had a user of its own before the join.
    own = await directory.ensure_account(other, other_org)
    joined = Account(
        **{**vars(other), "login": home.login, "positions": ["teacher"], "id": other.id}
    )
    assert await directory.ensure_account(joined, other_org, home_id=home.id) == user_id
    [kc_other] = await reader.a_get_organizations({"search": other_org.code, "exact": True})
    assert [m["id"] for m in await reader.a_get_organization_members(kc_other["id"])] == [user_id]
    # Its own old user signs in to nothing any more; the home's attributes stay the home's.
    assert (await reader.a_get_user(own))["enabled"] is False
    assert (await _user(reader, home.login))["attributes"]["edureg_user_id"] == [home.id]
    # Dismissed from the other organisation: no longer a member there, nor in its groups.
    gone = Account(**{**vars(joined), "active": False})
    await directory.ensure_account(gone, other_org, home_id=home.id)
    assert await reader.a_get_organization_members(kc_other["id"]) == []
    paths = {g["path"] for g in await reader.a_get_user_groups(user_id)}
    assert not any(p.startswith(f"/{other_org.code}/") for p in paths)
    assert (await _user(reader, home.login))["enabled"] is True


async def test_a_username_of_another_account_is_not_taken_over(keycloak: Keycloak) -> None:
    """A login freed by a join or a correction, taken again by another account: the
    mirror refuses to overwrite the first account's Keycloak user."""
    org, account = _names()
    directory, reader = keycloak.directory(), keycloak.reader()
    first = await directory.ensure_account(account, org)
    stranger = Account(**{**vars(account), "id": secrets.token_hex(16)})
    with pytest.raises(ValueError, match="another account"):
        await directory.ensure_account(stranger, org)
    assert (await reader.a_get_user(first))["attributes"]["edureg_user_id"] == [account.id]
    with pytest.raises(ValueError, match="reserved"):
        await directory.ensure_account(
            Account(**{**vars(account), "login": "service-account-edureg-identity"}), org
        )
