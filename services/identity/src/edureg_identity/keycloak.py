"""Identity's accounts in Keycloak (`EDUREG_IDENTITY_PROVIDER=keycloak`): one realm for
the region, each organisation a Keycloak Organization (not a realm per organisation:
realms do not scale to hundreds), each account a user of the realm and a member of its
organisation's Organization, its positions as groups `/<organisation code>/<position>`,
and what a token must carry — our user id, tenant, kind, positions and permissions — as
user attributes the realm's user profile lets only administrators edit (the realm import
in deploy/keycloak maps them to the claims `uid`, `tid`, `kind`, `pos`, `perms`).

Through python-keycloak's async API (the `a_*` methods). Every call waits for the
throttle (Keycloak's admin API is not built for bursts of thousands); a 409 on create
means "already there": the adapter looks the object up and brings it up to date, so a
redelivered event or a second replica does no harm.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

T = TypeVar("T")
CONFLICT = 409
# Keycloak names service accounts "service-account-<client>": never an account of ours.
RESERVED_PREFIX = "service-account-"
# User attributes (admin-only in the realm's user profile) and the claims they become.
ATTRIBUTES = ("edureg_user_id", "edureg_tenant", "edureg_kind", "edureg_positions", "edureg_perms")


class Throttle:
    """At most `rate` calls a second, spaced evenly (shared by every call of one adapter)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self._interval


@dataclass(frozen=True)
class Organisation:
    id: str  # our tenant id
    code: str  # the Keycloak Organization's alias
    name: str


@dataclass(frozen=True)
class Account:
    id: str  # our user id
    tenant_id: str
    login: str  # the Keycloak username
    surname: str
    name: str
    kind: str
    active: bool
    positions: list[str] = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)

    def attributes(self) -> dict[str, list[str]]:
        return {
            "edureg_user_id": [self.id],
            "edureg_tenant": [self.tenant_id],
            "edureg_kind": [self.kind],
            "edureg_positions": sorted(self.positions),
            "edureg_perms": sorted(self.permissions),
        }


def _conflict(exc: KeycloakError) -> bool:
    return getattr(exc, "response_code", None) == CONFLICT


class KeycloakDirectory:
    def __init__(self, admin: KeycloakAdmin, *, calls_per_second: float = 20.0) -> None:
        self._admin = admin
        self._throttle = Throttle(calls_per_second)
        self._organisations: dict[str, str] = {}  # alias → Keycloak id
        self._groups: dict[str, str] = {}  # path → Keycloak id

    @classmethod
    def connect(
        cls,
        *,
        server_url: str,
        realm: str,
        client_id: str,
        client_secret: str,
        calls_per_second: float = 20.0,
    ) -> KeycloakDirectory:
        """A service account of the realm (client credentials), as the realm import
        declares it: it may manage users, groups and organizations, nothing else."""
        connection = KeycloakOpenIDConnection(
            server_url=server_url,
            realm_name=realm,
            client_id=client_id,
            client_secret_key=client_secret,
        )
        return cls(KeycloakAdmin(connection=connection), calls_per_second=calls_per_second)

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        await self._throttle.wait()
        return await make()

    async def ensure_organisation(self, org: Organisation) -> str:
        """The organisation's Keycloak Organization (alias: its code), created if missing."""
        if org.code in self._organisations:
            return self._organisations[org.code]
        payload = {
            "name": org.name,
            "alias": org.code,
            "enabled": True,
            "attributes": {"edureg_tenant": [org.id]},
            # Keycloak requires a domain per Organization; ours are not e-mail based.
            "domains": [{"name": f"{org.code}.edureg.invalid", "verified": False}],
        }
        try:
            found = await self._call(lambda: self._admin.a_create_organization(payload))
        except KeycloakError as exc:
            if not _conflict(exc):
                raise
            found = None
        if not found:
            found = await self._find_organisation(org.code)
        self._organisations[org.code] = found
        return found

    async def _find_organisation(self, alias: str) -> str:
        candidates = await self._call(
            lambda: self._admin.a_get_organizations({"search": alias, "exact": True})
        )
        for candidate in candidates:
            if candidate.get("alias") == alias:
                return str(candidate["id"])
        raise LookupError(f"organization {alias} reported as existing but not found")

    async def _group(self, path: list[str]) -> str:
        """The id of the group at `path` (e.g. [organisation code, position]), created
        level by level if missing."""
        parent: str | None = None
        for depth in range(1, len(path) + 1):
            key = "/" + "/".join(path[:depth])
            if key in self._groups:
                parent = self._groups[key]
                continue
            name = path[depth - 1]
            payload = {"name": name}
            created: str | None
            try:
                created = await self._call(
                    lambda p=parent, body=payload: self._admin.a_create_group(body, parent=p)  # type: ignore[misc]
                )
            except KeycloakError as exc:
                if not _conflict(exc):
                    raise
                created = None
            if not created:
                group = await self._call(lambda k=key: self._admin.a_get_group_by_path(k))  # type: ignore[misc]
                created = str(group["id"])
            self._groups[key] = parent = created
        assert parent is not None
        return parent

    async def _by_our_id(self, our_id: str) -> str | None:
        """The Keycloak user carrying our account id (found whatever its username: a
        corrected login renames the user rather than making another)."""
        found = await self._call(
            lambda: self._admin.a_get_users({"q": f"edureg_user_id:{our_id}", "max": 2})
        )
        return str(found[0]["id"]) if found else None

    async def ensure_account(
        self, account: Account, org: Organisation, *, home_id: str | None = None
    ) -> str:
        """The user for `account`, created or brought up to date (username, enabled,
        names, attributes), a member of its organisation, in exactly its positions'
        groups. For a person's account joined to their home account (`home_id`: that
        account's id) the user is the home account's: only the membership and the groups
        are this account's."""
        if account.login.startswith(RESERVED_PREFIX):
            raise ValueError(f"username {account.login!r} is reserved by Keycloak")
        org_id = await self.ensure_organisation(org)
        if home_id is not None:
            found = await self._by_our_id(home_id)
            if found is None:
                raise LookupError("the home account is not in Keycloak yet")
            # Its own user from before the join (its old login and password) signs in to
            # nothing any more.
            own = await self._by_our_id(account.id)
            if own is not None and own != found:
                await self._call(lambda: self._admin.a_update_user(own, {"enabled": False}))
                await self._leave(own, org_id)
                await self._sync_groups(own, org.code, [])
            if not account.active:  # no longer working there: not a member any more
                await self._leave(found, org_id)
                await self._sync_groups(found, org.code, [])
                return found
            await self._member(found, org_id)
            await self._sync_groups(found, org.code, account.positions)
            return found
        payload: dict[str, Any] = {
            "username": account.login,
            "enabled": account.active,
            "firstName": account.name,
            "lastName": account.surname,
            "attributes": account.attributes(),
        }
        user_id = await self._by_our_id(account.id)
        if user_id is None:
            try:
                user_id = await self._call(lambda: self._admin.a_create_user(payload))
            except KeycloakError as exc:
                if not _conflict(exc):
                    raise
                # Created under this username by hand: take it over — unless it is another
                # account's user (a login freed by a join or a correction and taken again).
                user_id = await self._call(lambda: self._admin.a_get_user_id(account.login))
                if user_id is None:
                    raise
                existing = await self._call(lambda: self._admin.a_get_user(user_id))
                theirs = (existing.get("attributes") or {}).get("edureg_user_id")
                if theirs and theirs != [account.id]:
                    raise ValueError(
                        f"Keycloak user {account.login!r} belongs to another account"
                    ) from exc
                await self._call(lambda: self._admin.a_update_user(user_id, payload))
        else:
            await self._call(lambda: self._admin.a_update_user(user_id, payload))
        assert user_id is not None
        await self._member(user_id, org_id)
        await self._sync_groups(user_id, org.code, account.positions)
        return user_id

    async def _member(self, user_id: str, org_id: str) -> None:
        try:
            await self._call(lambda: self._admin.a_organization_user_add(user_id, org_id))
        except KeycloakError as exc:
            if not _conflict(exc):
                raise

    async def _leave(self, user_id: str, org_id: str) -> None:
        try:
            await self._call(lambda: self._admin.a_organization_user_remove(user_id, org_id))
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) != 404:  # not a member: already done
                raise

    async def _sync_groups(self, user_id: str, org_code: str, positions: list[str]) -> None:
        wanted = {await self._group([org_code, p]) for p in positions}
        current = {
            str(g["id"])
            for g in await self._call(lambda: self._admin.a_get_user_groups(user_id))
            if str(g.get("path", "")).startswith(f"/{org_code}/")
        }
        for group_id in sorted(wanted - current):
            await self._call(lambda g=group_id: self._admin.a_group_user_add(user_id, g))  # type: ignore[misc]
        for group_id in sorted(current - wanted):
            await self._call(lambda g=group_id: self._admin.a_group_user_remove(user_id, g))  # type: ignore[misc]

    async def set_temporary_password(self, login: str, password: str) -> bool:
        """The one-time password of a credential slip, as Keycloak's temporary password
        (changed at the first sign-in); False if Keycloak does not know the user."""
        user_id = await self._call(lambda: self._admin.a_get_user_id(login))
        if user_id is None:
            return False
        await self._call(lambda: self._admin.a_set_user_password(user_id, password, temporary=True))
        return True

    async def disable(self, login: str) -> bool:
        """Disable the user (nothing deleted); False if Keycloak does not know them."""
        user_id = await self._call(lambda: self._admin.a_get_user_id(login))
        if user_id is None:
            return False
        await self._call(lambda: self._admin.a_update_user(user_id, {"enabled": False}))
        return True
