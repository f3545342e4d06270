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


class OrganisationChoiceRequired(DomainError):
    """The password was right and the person works (or has children) in several
    organisations: the client asks which one and signs in again with `organisation_id`.
    Only ever said after a correct password, so it tells an attacker nothing."""

    status = 409
    type = "organisation-choice-required"
    title = "Выберите организацию"


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


def _choose(
    accounts: list[repo.SignInAccount], organisation_id: uuid.UUID | None
) -> repo.SignInAccount:
    usable = [a for a in accounts if a.usable]
    chosen = [a for a in usable if organisation_id is None or a.tenant_id == organisation_id]
    if len(chosen) == 1:
        return chosen[0]
    raise OrganisationChoiceRequired(
        "Вы работаете или учитесь в нескольких организациях: выберите, в какую войти"
        if organisation_id is None
        else "В этой организации у вас нет действующей учётной записи: выберите другую",
        organisations=[
            {"id": str(a.tenant_id), "name": a.organisation, "kind": a.kind} for a in usable
        ],
    )


async def login(
    *,
    db: Database,
    settings: Settings,
    keys: KeySet,
    login_: str,
    password: str,
    client: Client,
    organisation_id: uuid.UUID | None = None,
) -> IssuedToken:
    """Sign in with a home account's login and password; with accounts in several
    organisations, into the one chosen (`organisation_id`; asked for when missing)."""
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
    accounts: list[repo.SignInAccount] = []
    if found is not None:
        tenant_id, user_id = found
        async with db.tenant_session(tenant_id) as session:
            user = await repo.get_user(session, tenant_id, user_id)
            accounts = await repo.sign_in_accounts(session, tenant_id, user_id)
            failures, last_failure = await repo.login_failures_of(
                session, user_id, client.address, now - timedelta(days=1)
            )
    # The home account's password signs in while any of the person's accounts is active
    # (a teacher dismissed from their first school still works in the second).
    active = any(a.active for a in accounts)
    archived = not any(a.usable for a in accounts)
    # One verification on every path (a dummy hash when there is nothing to check), and
    # outside any transaction: a login flood must not hold database connections.
    password_ok = await verify_password(
        user.password_hash if user is not None and active else None, password
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
            active=active,
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
        # Which account the sign-in is for: the home one, or the organisation chosen.
        target = (tenant_id, user_id, user.kind)
        choice: OrganisationChoiceRequired | None = None
        # A one-time password is changed through the home account — or, if that one no
        # longer opens anything (dismissed there), through the organisation chosen.
        home_usable = any(a.usable and a.user_id == user_id for a in accounts)
        if result == "ok" and (not user.must_change_password or not home_usable):
            try:
                chosen = _choose(accounts, organisation_id)
                target = (chosen.tenant_id, chosen.user_id, chosen.kind)
            except OrganisationChoiceRequired as exc:
                result, choice = "choose_organisation", exc
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=Actor(kind="user", id=user_id),
            action="login" if result == "ok" else "login_failed",
            entity="user",
            entity_id=user_id,
            details=(
                {"outcome": result}
                if result != "ok"
                else {"organisation_id": str(target[0])}
                if target[0] != tenant_id
                else None
            ),
        )
        await repo.record_login_attempt(
            session,
            login=login_,
            address=client.address,
            user_agent=client.user_agent,
            tenant_id=target[0],
            user_id=target[1],
            outcome=result,
        )
        if result == "ok" and target[0] != tenant_id:
            # The home account's password was right: its back-off ends here too.
            await repo.record_login_attempt(
                session,
                login=login_,
                address=client.address,
                user_agent=client.user_agent,
                tenant_id=tenant_id,
                user_id=user_id,
                outcome="ok_elsewhere",
            )
        issued = None
        if result == "ok":
            into, account, kind = target
            async with repo.in_tenant(session, into, back=tenant_id):
                if into != tenant_id:
                    await audit.record(
                        session,
                        tenant_id=into,
                        actor=Actor(kind="user", id=account),
                        action="login",
                        entity="user",
                        entity_id=account,
                        details={"home_organisation_id": str(tenant_id)},
                    )
                await add_event(
                    session,
                    USER_SIGNED_IN.envelope(
                        tenant_id=into,
                        actor=Actor(kind="user", id=account),
                        subject_id=account,
                        data=UserSignedInV1(
                            user_id=account,
                            kind=kind,
                            one_time_password=user.must_change_password,
                        ),
                    ),
                )
                issued = sign_token(
                    keys=keys,
                    settings=s,
                    tenant_id=into,
                    user_id=account,
                    kind=kind,
                    grants=await repo.grants_of(session, into, account),
                    must_change_password=user.must_change_password,
                )
                if not user.must_change_password:
                    issued = replace(
                        issued, refresh_token=await tokens.issue(session, s, into, account)
                    )
    if choice is not None:
        raise choice
    if issued is None:
        raise Unauthorized(BAD_CREDENTIALS)  # after the commit: the attempt is counted
    return issued
