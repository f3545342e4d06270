"""Refresh tokens: rotated at every use, reuse detection, revocation.

A refresh token is `<tenant>.<secret>`: the organisation's id (so it is looked up under
that organisation's row-level security, no cross-tenant lookup needed) and 32 random
bytes, of which only the SHA-256 is stored. Each sign-in starts a family; every refresh
marks the presented token used and issues the next one of the family. Presenting a used
token again means it was copied: the whole family is revoked, the thief's and the
owner's sessions alike. Logout revokes the family; disabling an account revokes all of
its families.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.config import Settings
from edureg_identity.domain.permissions import token_permissions
from edureg_identity.keys import KeySet
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.repository import Grants
from edureg_identity.persistence.tables import RefreshToken
from edureg_shared import audit
from edureg_shared.auth import PASSWORD_CHANGE
from edureg_shared.db import Database
from edureg_shared.errors import Unauthorized
from edureg_shared.events.envelope import Actor

EXPIRED = "Сеанс завершён, войдите снова"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    must_change_password: bool
    # Only for a full sign-in (none while a one-time password must be changed).
    refresh_token: str | None = None


def sign_token(
    *,
    keys: KeySet,
    settings: Settings,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: str,
    grants: Grants,
    must_change_password: bool = False,
) -> IssuedToken:
    """An access token; for an account that must change its password, one that allows
    nothing else (no permissions, `restricted: password_change`, short-lived)."""
    now = int(time.time())
    ttl = (
        settings.password_change_token_ttl_s
        if must_change_password
        else settings.access_token_ttl_s
    )
    claims: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "tid": str(tenant_id),
        "kind": kind,
        # Position codes (staff) or the account's role (student, guardian): for display
        # and for other providers' parity; what a service checks is `perms`.
        "pos": list(grants.positions) if kind == "staff" else [kind],
        "perms": []
        if must_change_password
        else sorted(token_permissions(kind, set(grants.permissions), grants.organisation_kind)),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if must_change_password:
        claims["restricted"] = PASSWORD_CHANGE
    key = keys.current
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    return IssuedToken(
        access_token=token, expires_in=ttl, must_change_password=must_change_password
    )


@dataclass(frozen=True)
class Renewed:
    access: IssuedToken
    refresh_token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _encode(tenant_id: uuid.UUID, secret: str) -> str:
    return base64.urlsafe_b64encode(tenant_id.bytes).rstrip(b"=").decode() + "." + secret


def _decode(token: str) -> tuple[uuid.UUID, str] | None:
    head, _, secret = token.partition(".")
    if not secret or len(token) > 200:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(head + "==")), secret
    except (ValueError, TypeError):
        return None


async def issue(
    session: AsyncSession,
    settings: Settings,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    family_id: uuid.UUID | None = None,
) -> str:
    """A new refresh token (of `family_id`, or of a new family: a new sign-in)."""
    secret = secrets.token_urlsafe(32)
    await repo.add_refresh_token(
        session,
        RefreshToken(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            family_id=family_id or uuid.uuid4(),
            user_id=user_id,
            token_hash=_hash(secret),
            expires_at=datetime.now(UTC) + timedelta(seconds=settings.refresh_token_ttl_s),
        ),
    )
    return _encode(tenant_id, secret)


async def refresh(*, db: Database, settings: Settings, keys: KeySet, token: str) -> Renewed:
    decoded = _decode(token)
    if decoded is None:
        raise Unauthorized(EXPIRED)
    tenant_id, secret = decoded
    now = datetime.now(UTC)
    renewed: Renewed | None = None
    async with db.tenant_session(tenant_id) as session:
        row = await repo.refresh_token_by_hash(session, tenant_id, _hash(secret))
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise Unauthorized(EXPIRED)
        if row.used_at is not None:
            # A used token presented again: someone holds a copy. End the whole family.
            await repo.revoke_family(session, tenant_id, row.family_id, now)
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=Actor(kind="user", id=row.user_id),
                action="refresh_reuse",
                entity="user",
                entity_id=row.user_id,
            )
        else:
            user = await repo.get_user(session, tenant_id, row.user_id)
            org = await repo.get_organisation(session, tenant_id)
            archived = org is None or org.status != "active"
            if user is None or not user.active or user.must_change_password or archived:
                await repo.revoke_family(session, tenant_id, row.family_id, now)
            else:
                row.used_at = now
                renewed = Renewed(
                    access=sign_token(
                        keys=keys,
                        settings=settings,
                        tenant_id=tenant_id,
                        user_id=user.id,
                        kind=user.kind,
                        grants=await repo.grants_of(session, tenant_id, user.id),
                    ),
                    refresh_token=await issue(session, settings, tenant_id, user.id, row.family_id),
                )
    if renewed is None:
        raise Unauthorized(EXPIRED)  # after the commit: the revocation stands
    return renewed


async def logout(*, db: Database, token: str) -> None:
    """End the sign-in the token belongs to (every token of its family). Says nothing
    about whether the token existed."""
    decoded = _decode(token)
    if decoded is None:
        return
    tenant_id, secret = decoded
    async with db.tenant_session(tenant_id) as session:
        row = await repo.refresh_token_by_hash(session, tenant_id, _hash(secret))
        if row is not None:
            await repo.revoke_family(session, tenant_id, row.family_id, datetime.now(UTC))
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=Actor(kind="user", id=row.user_id),
                action="logout",
                entity="user",
                entity_id=row.user_id,
            )
