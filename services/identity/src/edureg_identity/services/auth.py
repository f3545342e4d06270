"""Password login and RS256 access tokens.

Every failed login gets the same 401 whatever the reason (unknown login, wrong password,
locked or disabled account), after the same work: one password verification always.
The reason is recorded with the client's address and user agent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from edureg_identity.config import Settings
from edureg_identity.contracts.events import USER_SIGNED_IN, UserSignedInV1
from edureg_identity.domain import lockout
from edureg_identity.keys import KeySet
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import User
from edureg_identity.services import tokens
from edureg_identity.services.passwords import verify_password
from edureg_identity.services.tokens import IssuedToken, sign_token
from edureg_shared import audit
from edureg_shared.db import Database
from edureg_shared.errors import DomainError, Unauthorized
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event

log = logging.getLogger("edureg.identity.auth")

BAD_CREDENTIALS = "Неверный логин или пароль"


class TooManyAttempts(DomainError):
    status = 429
    type = "too-many-attempts"
    title = "Слишком много попыток входа"


@dataclass(frozen=True)
class Client:
    """Where a login came from (recorded with every attempt)."""

    address: str | None
    user_agent: str | None


async def _record(
    db: Database,
    login_: str,
    client: Client,
    outcome: str,
    tenant_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    async with db.unscoped_session() as session:
        await repo.record_login_attempt(
            session,
            login=login_,
            address=client.address,
            user_agent=client.user_agent,
            tenant_id=tenant_id,
            user_id=user_id,
            outcome=outcome,
        )


def _is_locked(
    user: User, now: datetime, failures: int, last: datetime | None, s: Settings
) -> bool:
    per_address = lockout.locked_until(
        failures,
        last,
        free=s.login_free_failures,
        base_s=s.login_backoff_base_s,
        cap_s=s.login_backoff_max_s,
    )
    return bool(
        (per_address and per_address > now) or (user.locked_until and user.locked_until > now)
    )


async def login(
    *, db: Database, settings: Settings, keys: KeySet, login_: str, password: str, client: Client
) -> IssuedToken:
    s = settings
    now = datetime.now(UTC)
    async with db.unscoped_session() as session:
        throttled = client.address is not None and (
            await repo.login_failures_from(
                session, client.address, now - timedelta(seconds=s.login_address_window_s)
            )
            >= s.login_address_max_failures
        )
        found = None if throttled else await repo.lookup_login(session, login_)
    if throttled:
        # Not written row by row: a flood refused here must not fill the disk.
        log.warning("login throttled for an address")
        raise TooManyAttempts(
            "Слишком много неудачных попыток входа с этого адреса. Повторите позже.",
            retry_after=s.login_address_window_s,
        )
    user: User | None = None
    failures, last_failure = 0, None
    archived = False
    if found is not None:
        tenant_id, user_id = found
        async with db.tenant_session(tenant_id) as session:
            user = await repo.get_user(session, tenant_id, user_id)
            org = await repo.get_organisation(session, tenant_id)
            archived = org is None or org.status != "active"
            failures, last_failure = await repo.login_failures_of(
                session, user_id, client.address, now - timedelta(days=1)
            )
    # One verification on every path (a dummy hash when there is nothing to check), and
    # outside any transaction: a login flood must not hold database connections.
    password_ok = await verify_password(
        user.password_hash if user is not None and user.active else None, password
    )
    if user is None:
        await _record(db, login_, client, "unknown")
        raise Unauthorized(BAD_CREDENTIALS)
    tenant_id, user_id = user.tenant_id, user.id
    async with db.tenant_session(tenant_id) as session:
        user = await repo.get_user(session, tenant_id, user_id, for_update=True)
        assert user is not None
        result = lockout.outcome(
            exists=True,
            active=user.active,
            password_ok=password_ok,
            locked=_is_locked(user, now, failures, last_failure, s),
        )
        if archived and result == "ok":
            result = "archived"  # the same 401 as every other refusal
        if result == "wrong_password":
            user.failed_logins += 1
            user.locked_until = lockout.locked_until(
                user.failed_logins,
                now,
                free=s.login_account_free_failures,
                base_s=s.login_backoff_base_s,
                cap_s=s.login_backoff_max_s,
            )
        elif result == "ok":
            user.failed_logins = 0
            user.locked_until = None
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=Actor(kind="user", id=user_id),
            action="login" if result == "ok" else "login_failed",
            entity="user",
            entity_id=user_id,
            details=None if result == "ok" else {"outcome": result},
        )
        await repo.record_login_attempt(
            session,
            login=login_,
            address=client.address,
            user_agent=client.user_agent,
            tenant_id=tenant_id,
            user_id=user_id,
            outcome=result,
        )
        issued = None
        if result == "ok":
            await add_event(
                session,
                USER_SIGNED_IN.envelope(
                    tenant_id=tenant_id,
                    actor=Actor(kind="user", id=user_id),
                    subject_id=user_id,
                    data=UserSignedInV1(
                        user_id=user_id,
                        kind=user.kind,
                        one_time_password=user.must_change_password,
                    ),
                ),
            )
            issued = sign_token(
                keys=keys,
                settings=s,
                tenant_id=tenant_id,
                user_id=user_id,
                kind=user.kind,
                grants=await repo.grants_of(session, tenant_id, user_id),
                must_change_password=user.must_change_password,
            )
            if not user.must_change_password:
                issued = replace(
                    issued, refresh_token=await tokens.issue(session, s, tenant_id, user_id)
                )
    if issued is None:
        raise Unauthorized(BAD_CREDENTIALS)  # after the commit: the attempt is counted
    return issued
