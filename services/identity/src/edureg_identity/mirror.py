"""With `EDUREG_IDENTITY_PROVIDER=keycloak`, every organisation and account is mirrored
into the Keycloak realm from identity's own events (account provisioned, changed,
disabled; organisation registered), with the consumer's guarantees: applied once per
event, retried while Keycloak is unreachable, dead-lettered if it never takes it. The
built-in provider leaves the handlers idle.

A person's accounts in several organisations are one Keycloak user (the username is the
shared login): a joined account adds that user to its organisation and its positions'
groups and leaves the home account's attributes alone.
"""

from __future__ import annotations

import uuid

import httpx
from keycloak.exceptions import KeycloakError
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.config import Settings
from edureg_identity.contracts.events import (
    OWN_ACCOUNT_CHANGED,
    OWN_ACCOUNT_DISABLED,
    OWN_ACCOUNTS_PROVISIONED,
    OWN_ORGANISATION_REGISTERED,
)
from edureg_identity.domain.permissions import token_permissions
from edureg_identity.keycloak import Account, KeycloakDirectory, Organisation
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import Organisation as OrganisationRow
from edureg_identity.persistence.tables import User
from edureg_shared.errors import DomainError
from edureg_shared.events.consumer import NotYet
from edureg_shared.events.envelope import Envelope

_directory: KeycloakDirectory | None = None


class HomeNotMirroredYet(NotYet):
    """A joined account's event came before its home account reached Keycloak: retried."""


def configure(settings: Settings) -> None:
    global _directory
    if settings.provider != "keycloak":
        _directory = None
        return
    if not settings.keycloak_url or settings.keycloak_client_secret is None:
        raise ValueError(
            "EDUREG_IDENTITY_PROVIDER=keycloak needs EDUREG_IDENTITY_KEYCLOAK_URL and "
            "EDUREG_IDENTITY_KEYCLOAK_CLIENT_SECRET"
        )
    _directory = KeycloakDirectory.connect(
        server_url=settings.keycloak_url,
        realm=settings.keycloak_realm,
        client_id=settings.keycloak_client_id,
        client_secret=settings.keycloak_client_secret.get_secret_value(),
        calls_per_second=settings.keycloak_calls_per_second,
    )


def _organisation(org: OrganisationRow) -> Organisation:
    return Organisation(id=str(org.id), code=org.code, name=org.short_name or org.name)


async def on_account_events(session: AsyncSession, events: list[Envelope]) -> None:
    if _directory is None:
        return
    contracts = {c.type: c for c in (OWN_ACCOUNT_CHANGED, OWN_ACCOUNT_DISABLED)}
    for event in events:
        if event.type == OWN_ACCOUNTS_PROVISIONED.type:
            # An active account known before (a sibling's guardian) is mirrored already.
            accounts = OWN_ACCOUNTS_PROVISIONED.parse(event.data).accounts
            ids = [a.user_id for a in accounts if a.new]
        else:
            ids = [contracts[event.type].parse(event.data).user_id]
        for user_id in ids:
            await _mirror_account(session, event, user_id)


async def _mirror_account(session: AsyncSession, event: Envelope, user_id: uuid.UUID) -> None:
    user = await repo.get_user(session, event.tenant_id, user_id)
    if user is not None:
        await _mirror_user(session, user)


async def _mirror_user(session: AsyncSession, user: User) -> None:
    assert _directory is not None
    org = await repo.get_organisation(session, user.tenant_id)
    if org is None:
        return
    grants = await repo.grants_of(session, user.tenant_id, user.id)
    account = Account(
        id=str(user.id),
        tenant_id=str(user.tenant_id),
        login=user.login,
        surname=user.surname,
        name=user.name,
        kind=user.kind,
        active=user.active,
        positions=list(grants.positions) if user.kind == "staff" else [user.kind],
        permissions=sorted(
            token_permissions(user.kind, set(grants.permissions), grants.organisation_kind)
        ),
    )
    try:
        await _directory.ensure_account(
            account,
            _organisation(org),
            home_id=str(user.home_user_id) if user.home_user_id else None,
        )
    except LookupError as exc:  # the home account's own event is still on its way
        raise HomeNotMirroredYet(str(exc)) from exc


class KeycloakUnavailable(DomainError):
    status = 503
    type = "keycloak-unavailable"
    title = "Служба входа недоступна"


async def temporary_passwords(
    session: AsyncSession, users: list[User], passwords: dict[uuid.UUID, str]
) -> None:
    """With Keycloak, the one-time passwords of credential slips become the users'
    temporary passwords there too, inside the request: if Keycloak cannot take them, the
    request fails (503) and identity keeps the old passwords. Keycloak may already hold
    new temporary passwords of the accounts before the failure (never printed): the next
    slip replaces them."""
    if _directory is None:
        return
    try:
        for user in users:
            await _mirror_user(session, user)
            await _directory.set_temporary_password(user.login, passwords[user.id])
    except (KeycloakError, httpx.HTTPError, HomeNotMirroredYet) as exc:
        raise KeycloakUnavailable(
            "Служба входа Keycloak сейчас недоступна: памятки не выданы. Повторите позже "
            "— будут выданы новые пароли."
        ) from exc


async def on_organisations_registered(session: AsyncSession, events: list[Envelope]) -> None:
    if _directory is None:
        return
    for event in events:
        data = OWN_ORGANISATION_REGISTERED.parse(event.data)
        org = await repo.get_organisation(session, data.organisation_id)
        if org is not None:
            await _directory.ensure_organisation(_organisation(org))
