"""One sign-in for a person's accounts in several organisations (a teacher working in
two schools): the regional administrator joins an account to the person's home account,
after which the home account's login and password sign in to either, and the person
chooses the organisation at sign-in.

The joined account keeps everything of its own organisation (positions, history) and
loses only its own login and password: it carries a copy of the home login for display,
its earlier sign-ins end. Its organisation can no longer reset the password (that would
reach the person's other organisation); the home organisation does that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import User
from edureg_identity.services import changes
from edureg_identity.services.accounts import ensure_regional
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor


@dataclass(frozen=True)
class Joined:
    login: str
    accounts: list[repo.SignInAccount]


def _same_person(a: User, b: User) -> bool:
    return (a.surname.casefold(), a.name.casefold()) == (b.surname.casefold(), b.name.casefold())


async def join(
    session: AsyncSession,
    *,
    home: User,
    account: User,
    actor: Actor,
) -> None:
    """Make `account` (in the session's current tenant) sign in through `home`. Checks
    that a careful administrator would: staff accounts of one person in two different
    organisations, neither already joined."""
    if account.tenant_id == home.tenant_id:
        raise Conflict("Обе учётные записи — в одной организации")
    if home.kind != "staff" or account.kind != "staff":
        raise InvalidState("Объединить можно только учётные записи сотрудников")
    if not _same_person(home, account):
        raise InvalidState(
            "Фамилия и имя в учётных записях не совпадают: это разные люди?",
            errors=[{"field": "account_login", "message": "Другая фамилия или имя"}],
        )
    if account.home_user_id is not None:
        raise Conflict("Эта учётная запись уже входит через другую")
    if len(await repo.sign_in_accounts(session, account.tenant_id, account.id)) > 1:
        raise Conflict("Через эту учётную запись уже входят в другие организации")
    others = await repo.sign_in_accounts(session, home.tenant_id, home.id)
    if any(a.tenant_id == account.tenant_id for a in others):
        raise Conflict("У этого человека уже есть учётная запись в той организации")
    before = account.login
    account.login = home.login
    account.password_hash = None
    account.must_change_password = False
    account.failed_logins = 0
    account.locked_until = None
    account.home_tenant_id, account.home_user_id = home.tenant_id, home.id
    await repo.revoke_refresh_tokens_of(session, account.tenant_id, [account.id], datetime.now(UTC))
    await audit.record(
        session,
        tenant_id=account.tenant_id,
        actor=actor,
        action="join_sign_in",
        entity="user",
        entity_id=account.id,
        details={"login_before": before, "home_organisation_id": str(home.tenant_id)},
    )
    await changes.announce(session, account.tenant_id, actor, [(account.id, account.kind)])


async def join_by_logins(
    *, db: Database, principal: Principal, home_login: str, account_login: str
) -> Joined:
    """The regional administrator joins the account `account_login` to the person's
    account `home_login` (both staff). One transaction over both organisations; recorded
    in each and in the ministry's log."""
    await ensure_regional(db, principal)
    actor = Actor(kind="user", id=principal.user_id)
    async with db.unscoped_session() as session:
        found_home = await repo.lookup_login(session, home_login)
        found_other = await repo.lookup_login(session, account_login)
    if found_home is None:
        raise NotFound(f"Учётная запись с логином {home_login} не найдена")
    if found_other is None:
        raise NotFound(f"Учётная запись с логином {account_login} не найдена")
    if found_home == found_other:
        raise Conflict("Это одна и та же учётная запись")
    (home_tenant, home_id), (other_tenant, other_id) = found_home, found_other
    async with db.unscoped_session() as session:
        orgs = [await repo.get_organisation(session, t) for t in (home_tenant, other_tenant)]
        kinds = {o.kind if o is not None else "ministry" for o in orgs}
    if "ministry" in kinds:
        # Regional rights must never be one school login away.
        raise InvalidState("Учётные записи министерства не объединяются с другими")
    async with db.tenant_session(home_tenant) as session:
        home = await repo.get_user(session, home_tenant, home_id, for_update=True)
        assert home is not None
        async with repo.in_tenant(session, other_tenant, back=home_tenant):
            account = await repo.get_user(session, other_tenant, other_id, for_update=True)
            assert account is not None
            await join(session, home=home, account=account, actor=actor)
        await audit.record(
            session,
            tenant_id=home_tenant,
            actor=actor,
            action="join_sign_in",
            entity="user",
            entity_id=home.id,
            details={"account_id": str(other_id), "organisation_id": str(other_tenant)},
        )
        async with repo.in_tenant(session, principal.tenant_id, back=home_tenant):
            await audit.record(
                session,
                tenant_id=principal.tenant_id,
                actor=actor,
                action="join_sign_in",
                entity="user",
                entity_id=home.id,
                details={"account_id": str(other_id), "organisation_id": str(other_tenant)},
            )
        accounts = await repo.sign_in_accounts(session, home_tenant, home_id)
        return Joined(login=home.login, accounts=accounts)
