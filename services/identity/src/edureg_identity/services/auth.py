"""Password login and RS256 access tokens."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from edureg_identity.config import Settings
from edureg_identity.keys import SigningKey
from edureg_identity.persistence import repository as repo
from edureg_identity.services.passwords import verify_password
from edureg_shared import audit
from edureg_shared.db import Database
from edureg_shared.errors import DomainError, Unauthorized
from edureg_shared.events.envelope import Actor


class Locked(DomainError):
    status = 423
    type = "account-locked"
    title = "Учётная запись временно заблокирована"


BAD_CREDENTIALS = "Неверный логин или пароль"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    must_change_password: bool


def sign_token(
    *,
    key: SigningKey,
    settings: Settings,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: str,
    permissions: set[str],
) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "tid": str(tenant_id),
        "kind": kind,
        "perms": sorted(permissions),
        "iat": now,
        "exp": now + settings.access_token_ttl_s,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


async def login(
    *, db: Database, settings: Settings, key: SigningKey, login_: str, password: str
) -> IssuedToken:
    """Checks the password; counts failures and locks the account after too many.
    The same answer whether the login exists or not."""
    async with db.unscoped_session() as session:
        found = await repo.lookup_login(session, login_)
    if found is None:
        await verify_password(None, password)
        raise Unauthorized(BAD_CREDENTIALS)
    tenant_id, user_id = found
    now = datetime.now(UTC)
    failure: DomainError | None = None
    async with db.tenant_session(tenant_id) as session:
        user = await repo.get_user(session, tenant_id, user_id, for_update=True)
        if user is None or not user.active:
            await verify_password(None, password)
            failure = Unauthorized(BAD_CREDENTIALS)
        elif user.locked_until and user.locked_until > now:
            failure = Locked("Слишком много неудачных попыток входа. Повторите позже.")
        elif not await verify_password(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= settings.max_failed_logins:
                user.locked_until = now + timedelta(seconds=settings.lockout_s)
                user.failed_logins = 0
            failure = Unauthorized(BAD_CREDENTIALS)
        else:
            user.failed_logins = 0
            user.locked_until = None
        actor = Actor(kind="user", id=user_id)
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="login_failed" if failure else "login",
            entity="user",
            entity_id=user_id,
        )
        if failure is None and user is not None:
            perms = await repo.permissions_of(session, tenant_id, user_id)
            token = sign_token(
                key=key,
                settings=settings,
                tenant_id=tenant_id,
                user_id=user_id,
                kind=user.kind,
                permissions=perms,
            )
            must_change = user.must_change_password
    if failure is not None:
        raise failure  # after the commit: the failed attempt is counted
    return IssuedToken(
        access_token=token, expires_in=settings.access_token_ttl_s, must_change_password=must_change
    )
