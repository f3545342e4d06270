"""Accounts as staff see them, and the caller's own account.

What a staff member may see and do is narrowed by relationship: a curator sees and
issues credential slips only for the students of their own groups and those students'
guardians (domain/permissions.py has the rules).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity import mirror
from edureg_identity.config import Settings
from edureg_identity.contracts.events import (
    ACCOUNT_DISABLED,
    PASSWORD_SET,
    AccountDisabledV1,
    PasswordSetV1,
)
from edureg_identity.domain.logins import check_login, one_time_password
from edureg_identity.domain.password_policy import check_password
from edureg_identity.domain.permissions import (
    ISSUE_OWN_GROUPS,
    ISSUE_STAFF,
    READ_ALL,
    READ_OWN_GROUPS,
    REGION_ADMINISTER,
    REGION_MONITOR,
    Target,
    check_credential_issue,
    check_regional_issue,
    token_permissions,
)
from edureg_identity.keys import KeySet
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import LoginAttempt, Organisation, User
from edureg_identity.services import changes, tokens
from edureg_identity.services.passwords import hash_password, verify_password
from edureg_identity.services.positions import actor_permissions, ensure_someone_manages
from edureg_identity.services.tokens import IssuedToken, sign_token
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, Forbidden, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest


@dataclass(frozen=True)
class Me:
    user: User
    organisation: Organisation | None
    positions: list[str]
    permissions: set[str]


@dataclass(frozen=True)
class CredentialSlip:
    user: User
    password: str


async def me(*, session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Me:
    user = await repo.get_user(session, tenant_id, user_id)
    if user is None or not user.active:
        raise NotFound("Учётная запись не найдена")
    grants = await repo.grants_of(session, tenant_id, user_id)
    return Me(
        user=user,
        organisation=await repo.get_organisation(session, tenant_id),
        positions=[p.title for p in await repo.positions_of_user(session, tenant_id, user_id)]
        if user.kind == "staff"
        else [],
        # What the account's tokens carry (see domain.permissions.token_permissions).
        permissions=token_permissions(user.kind, set(grants.permissions), grants.organisation_kind),
    )


async def _set_own_password(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user: User,
    actor: Actor,
    current_password: str,
    new_password: str,
) -> None:
    if not await verify_password(user.password_hash, current_password):
        raise InvalidState("Текущий пароль указан неверно")
    if new_password == current_password:
        raise InvalidState(
            "Новый пароль должен отличаться от текущего",
            errors=[{"field": "new_password", "message": "Совпадает с текущим"}],
        )
    check_password(new_password, login=user.login, names=(user.surname, user.name))
    user.password_hash = await hash_password(new_password)
    await add_event(
        session,
        PASSWORD_SET.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=user.id,
            data=PasswordSetV1(
                user_id=user.id, kind=user.kind, replaced_one_time=user.must_change_password
            ),
        ),
    )
    user.must_change_password = False
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="change_password",
        entity="user",
        entity_id=user.id,
    )
    # Earlier sign-ins end with the old password, in every organisation it opens.
    await end_sign_ins_everywhere(session, tenant_id, user, datetime.now(UTC))


async def change_password(
    *,
    session: AsyncSession,
    settings: Settings,
    keys: KeySet,
    tenant_id: uuid.UUID,
    actor: Actor,
    current_password: str,
    new_password: str,
    address: str | None = None,
    user_agent: str | None = None,
) -> IssuedToken:
    """Change the caller's own password; returns a fresh token with the account's full
    rights (the one-time password's token allowed only this). Signed in through a home
    account in another organisation, it is that account's password that changes (the
    one the person signs in with everywhere)."""
    assert actor.id is not None
    user = await repo.get_user(session, tenant_id, actor.id, for_update=True)
    if user is None or not user.active:
        raise NotFound("Учётная запись не найдена")
    if user.home_tenant_id is None or user.home_user_id is None:
        await _set_own_password(session, tenant_id, user, actor, current_password, new_password)
    else:
        home_tenant, home_id = user.home_tenant_id, user.home_user_id
        async with repo.in_tenant(session, home_tenant, back=tenant_id):
            home = await repo.get_user(session, home_tenant, home_id, for_update=True)
            if home is None:
                raise NotFound("Учётная запись не найдена")
            await _set_own_password(
                session,
                home_tenant,
                home,
                Actor(kind="user", id=home_id),
                current_password,
                new_password,
            )
        await audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="change_password",
            entity="user",
            entity_id=user.id,
            details={"home_organisation_id": str(home_tenant)},
        )
        await repo.revoke_refresh_tokens_of(session, tenant_id, [user.id], datetime.now(UTC))
    # In the sign-in log too, with where it came from (the owner sees it in their profile).
    await repo.record_login_attempt(
        session,
        login=user.login,
        address=address,
        user_agent=user_agent,
        tenant_id=tenant_id,
        user_id=user.id,
        outcome="password_changed",
    )
    issued = sign_token(
        keys=keys,
        settings=settings,
        tenant_id=tenant_id,
        user_id=user.id,
        kind=user.kind,
        grants=await repo.grants_of(session, tenant_id, user.id),
    )
    return replace(issued, refresh_token=await tokens.issue(session, settings, tenant_id, user.id))


async def my_sign_ins(*, session: AsyncSession, principal: Principal) -> list[LoginAttempt]:
    """The caller's own last 20 sign-ins, failed attempts and password changes (time,
    address, browser): a person notices a sign-in that was not theirs."""
    return await repo.my_sign_ins(session, principal.tenant_id, principal.user_id, 20)


async def audit_read(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, users: Sequence[User]
) -> None:
    """Names of students (minors) and guardians are personal data: record who saw whose."""
    await audit.record_many(
        session,
        tenant_id=tenant_id,
        entries=[
            audit.Entry(actor=actor, action="read", entity="user", entity_id=u.id)
            for u in users
            if u.kind != "staff"
        ],
    )


def _curator_scope(principal: Principal) -> uuid.UUID | None:
    """None: the whole organisation; otherwise the curator whose groups bound the view."""
    if principal.has(READ_ALL):
        return None
    if principal.has(READ_OWN_GROUPS):
        return principal.user_id
    raise Forbidden(f"Нужно право «{READ_ALL}»")


async def list_accounts(
    *,
    session: AsyncSession,
    principal: Principal,
    kind: str | None,
    person_id: uuid.UUID | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[User]]:
    actor = Actor(kind="user", id=principal.user_id)
    total, users = await repo.list_users(
        session,
        principal.tenant_id,
        kind=kind,
        person_id=person_id,
        active=active,
        limit=limit,
        offset=offset,
        curator_id=_curator_scope(principal),
    )
    await audit_read(session, principal.tenant_id, actor, users)
    return total, users


async def _visible(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    """The account, if the caller may see it; another organisation's, or one outside a
    curator's groups, is a 404."""
    user = await repo.get_user(session, principal.tenant_id, user_id)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    curator = _curator_scope(principal)
    if curator is not None and not await repo.in_groups_of(
        session, principal.tenant_id, curator, user_id
    ):
        raise NotFound("Учётная запись не найдена")
    return user


async def get_account(*, session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await _visible(session, principal, user_id)
    await audit_read(session, principal.tenant_id, Actor(kind="user", id=principal.user_id), [user])
    return user


async def children(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> Sequence[User]:
    guardian = await _visible(session, principal, user_id)
    if guardian.kind != "guardian":
        return []
    found = list(await repo.children_of(session, principal.tenant_id, user_id))
    curator = _curator_scope(principal)
    if curator is not None:  # a curator sees the siblings in their own groups only
        found = [
            c for c in found if await repo.in_groups_of(session, principal.tenant_id, curator, c.id)
        ]
    await audit_read(session, principal.tenant_id, Actor(kind="user", id=principal.user_id), found)
    return found


async def _target(
    session: AsyncSession, tenant_id: uuid.UUID, user: User, curator_id: uuid.UUID | None
) -> Target:
    return Target(
        id=user.id,
        kind=user.kind,
        permissions=frozenset(await repo.permissions_of(session, tenant_id, user.id)),
        in_actors_groups=curator_id is not None
        and await repo.in_groups_of(session, tenant_id, curator_id, user.id),
    )


async def _home_organisation(session: AsyncSession, user: User) -> str:
    assert user.home_tenant_id is not None
    assert user.home_user_id is not None
    for account in await repo.sign_in_accounts(session, user.home_tenant_id, user.home_user_id):
        if account.tenant_id == user.home_tenant_id:
            return account.organisation
    return "—"


async def shared_elsewhere(
    session: AsyncSession, tenant_id: uuid.UUID, user: User
) -> list[repo.SignInAccount]:
    """The person's other accounts that sign in through this (home) account."""
    if user.home_user_id is not None:
        return []
    return [
        a
        for a in await repo.sign_in_accounts(session, tenant_id, user.id)
        if a.tenant_id != tenant_id
    ]


async def end_sign_ins_everywhere(
    session: AsyncSession, tenant_id: uuid.UUID, user: User, now: datetime
) -> None:
    """A new password ends the sign-ins of every account it opens, in every organisation."""
    await repo.revoke_refresh_tokens_of(session, tenant_id, [user.id], now)
    for other in await shared_elsewhere(session, tenant_id, user):
        async with repo.in_tenant(session, other.tenant_id, back=tenant_id):
            await repo.revoke_refresh_tokens_of(session, other.tenant_id, [other.user_id], now)


async def _reset_with_slip(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    user: User,
    *,
    regional: bool = False,
) -> CredentialSlip:
    others = await shared_elsewhere(session, tenant_id, user)
    # A home account disabled here still opens the person's other organisations: the
    # region restores it for them.
    if not user.active and not (regional and others):
        raise InvalidState("Учётная запись отключена")
    if others and not regional:
        # The password opens other organisations too: one of them must not be able to
        # take the person's place in the others.
        raise Conflict(
            "Этим логином человек входит и в другие организации ("
            + ", ".join(f"«{a.organisation}»" for a in others)
            + "): пароль восстанавливает администратор региона"
        )
    if user.home_user_id is not None:
        # The password is the home account's: another organisation must not reset how the
        # person signs in to their first one.
        raise Conflict(
            f"Этот человек входит под логином {user.login} своей основной организации "
            f"(«{await _home_organisation(session, user)}»): одноразовый пароль выдаёт она"
        )
    password = one_time_password()
    user.password_hash = await hash_password(password)
    user.must_change_password = True
    await mirror.temporary_passwords(session, [user], {user.id: password})
    # Whoever was signed in with the old password is signed out, everywhere.
    await end_sign_ins_everywhere(session, tenant_id, user, datetime.now(UTC))
    user.failed_logins = 0
    user.locked_until = None
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="issue_credentials",
        entity="user",
        entity_id=user.id,
    )
    return CredentialSlip(user=user, password=password)


async def issue_credentials(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> CredentialSlip:
    """A one-time password for the credential slip handed over in person.

    Provisioned accounts have no password at all: none is ever stored in plain text, and
    hashing one per account would make enrolling thousands of students slow. The password
    exists only in this response; the account must change it at first login (its token
    allows nothing else until then).
    """
    tenant_id = principal.tenant_id
    user = await repo.get_user(session, tenant_id, user_id, for_update=True)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    curator = principal.user_id if principal.has(ISSUE_OWN_GROUPS) else None
    check_credential_issue(
        actor_id=principal.user_id,
        actor_permissions=principal.permissions,
        target=await _target(session, tenant_id, user, curator),
    )
    return await _reset_with_slip(
        session, tenant_id, Actor(kind="user", id=principal.user_id), user
    )


async def issue_regional_credentials(
    *, db: Database, principal: Principal, organisation_id: uuid.UUID, user_id: uuid.UUID
) -> CredentialSlip:
    """The regional administrator restores an organisation administrator's access. Runs in
    the target organisation's scope; recorded there and in the ministry's own log."""
    actor = Actor(kind="user", id=principal.user_id)
    await ensure_regional(db, principal)
    # Recorded on the ministry's side first: an attempt is on record even if it fails.
    async with db.tenant_session(principal.tenant_id) as session:
        await audit.record(
            session,
            tenant_id=principal.tenant_id,
            actor=actor,
            action="issue_credentials",
            entity="user",
            entity_id=user_id,
            details={"organisation_id": str(organisation_id)},
        )
    async with db.tenant_session(organisation_id) as session:
        org = await repo.get_organisation(session, organisation_id)
        if org is None or org.kind == "ministry":
            raise NotFound("Организация не найдена")
        user = await repo.get_user(session, organisation_id, user_id, for_update=True)
        if user is None:
            raise NotFound("Учётная запись не найдена")
        # Administrators' accounts, and any login that opens several organisations (none
        # of them may reset it alone).
        if not await shared_elsewhere(session, organisation_id, user):
            check_regional_issue(
                actor_permissions=principal.permissions,
                target=await _target(session, organisation_id, user, None),
            )
        return await _reset_with_slip(session, organisation_id, actor, user, regional=True)


async def my_children(*, session: AsyncSession, principal: Principal) -> Sequence[User]:
    """A guardian's own children (active links): what the guardian's console shows and
    lets them choose between. Anyone else has none."""
    if principal.kind != "guardian":
        return []
    return await repo.children_of(session, principal.tenant_id, principal.user_id)


async def ensure_regional(db: Database, principal: Principal, *any_of: str) -> None:
    """Regional rights are honoured only for staff of the region's ministry: a school's
    position given `region.*` by mistake (or a foreign issuer) reaches nothing."""
    needed = any_of or (REGION_ADMINISTER,)
    if not any(p in principal.permissions for p in needed):
        raise Forbidden("Нужно одно из прав: " + ", ".join(f"«{p}»" for p in needed))
    async with db.unscoped_session() as session:
        own = await repo.get_organisation(session, principal.tenant_id)
    if own is None or own.kind != "ministry":
        raise Forbidden("Действие доступно только администратору региона")


async def region_organisations(
    *, db: Database, principal: Principal, page: PageRequest
) -> tuple[list[Organisation], int]:
    await ensure_regional(db, principal, REGION_ADMINISTER, REGION_MONITOR)
    async with db.unscoped_session() as session:
        return await repo.list_organisations(session, page)


async def region_administrators(
    *, db: Database, principal: Principal, organisation_id: uuid.UUID
) -> list[User]:
    """An organisation's administrators (staff names and logins: no minors' data), for
    the regional administrator restoring access."""
    await ensure_regional(db, principal)
    async with db.tenant_session(organisation_id) as session:
        org = await repo.get_organisation(session, organisation_id)
        if org is None or org.kind == "ministry":
            raise NotFound("Организация не найдена")
        return await repo.administrators(session, organisation_id, ISSUE_STAFF)


async def _managed_staff(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    """An account the caller manages: of their organisation (else 404), not their own, and
    holding no right the caller lacks (an administrator is managed by another one)."""
    user = await repo.get_user(session, principal.tenant_id, user_id, for_update=True)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    if user.id == principal.user_id:
        raise Forbidden("Свою учётную запись меняет другой администратор организации")
    if not await repo.permissions_of(
        session, principal.tenant_id, user.id
    ) <= await actor_permissions(session, principal):
        raise Forbidden(
            "У сотрудника есть права, которых нет у вас: это сделает другой администратор"
        )
    return user


async def set_staff_active(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID, active: bool
) -> User:
    """Disable a staff member's account (dismissal, long absence) or enable it again.
    Students' and guardians' accounts follow the orders of movement, not this switch."""
    user = await _managed_staff(session, principal, user_id)
    if user.kind != "staff":
        raise InvalidState(
            "Учётные записи обучающихся и родителей отключаются и включаются приказами "
            "о движении обучающихся"
        )
    if user.active == active:
        raise InvalidState(
            "Учётная запись уже действует" if active else "Учётная запись уже отключена"
        )
    now = datetime.now(UTC)
    user.active = active
    user.disabled_at = None if active else now
    actor = Actor(kind="user", id=principal.user_id)
    if not active:
        await repo.revoke_refresh_tokens_of(session, principal.tenant_id, [user.id], now)
        await ensure_someone_manages(session, principal.tenant_id)
        await add_event(
            session,
            ACCOUNT_DISABLED.envelope(
                tenant_id=principal.tenant_id,
                actor=actor,
                subject_id=user.id,
                data=AccountDisabledV1(user_id=user.id, person_id=user.person_id, kind="staff"),
            ),
        )
    else:
        await changes.announce(session, principal.tenant_id, actor, [(user.id, user.kind)])
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=actor,
        action="enable" if active else "disable",
        entity="user",
        entity_id=user.id,
    )
    return user


async def change_login(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID, login: str
) -> User:
    """The administrator corrects a login (a misspelt surname, a person's wish). Unique in
    the whole region, whatever the letter case. A login shared by a person's accounts in
    several organisations is corrected by the home organisation, and the others follow."""
    user = await _managed_staff(session, principal, user_id)
    wanted = check_login(login)
    if wanted == user.login:
        return user
    if user.home_user_id is not None:
        raise Conflict(
            "Этим логином человек входит в несколько организаций: его исправляет "
            f"организация его основной учётной записи («{await _home_organisation(session, user)}»)",
            errors=[{"field": "login", "message": "Логин общий для нескольких организаций"}],
        )
    joined = [
        a
        for a in await repo.sign_in_accounts(session, principal.tenant_id, user.id)
        if a.user_id != user.id
    ]
    found = await repo.lookup_login(session, wanted)
    if found is not None and found[1] != user.id:
        raise Conflict(
            "Такой логин уже занят в регионе",
            errors=[{"field": "login", "message": "Логин занят"}],
        )
    before = user.login
    user.login = wanted
    await session.flush()
    await audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=Actor(kind="user", id=principal.user_id),
        action="change_login",
        entity="user",
        entity_id=user.id,
        details={"before": before, "after": wanted},
    )
    for account in joined:  # the copies in the person's other organisations follow
        async with repo.in_tenant(session, account.tenant_id, back=principal.tenant_id):
            await repo.set_login(session, account.tenant_id, account.user_id, wanted)
            await audit.record(
                session,
                tenant_id=account.tenant_id,
                actor=Actor(kind="user", id=principal.user_id),
                action="change_login",
                entity="user",
                entity_id=account.user_id,
                details={
                    "before": before,
                    "after": wanted,
                    "home_organisation_id": str(principal.tenant_id),
                },
            )
            await changes.announce(
                session,
                account.tenant_id,
                Actor(kind="user", id=principal.user_id),
                [(account.user_id, account.kind)],
            )
    await changes.announce(
        session,
        principal.tenant_id,
        Actor(kind="user", id=principal.user_id),
        [(user.id, user.kind)],
    )
    return user
