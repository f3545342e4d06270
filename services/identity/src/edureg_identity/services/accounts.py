"""Accounts as staff see them, and the caller's own account."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.domain.logins import one_time_password
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import Organisation, User
from edureg_identity.services.passwords import hash_password, verify_password
from edureg_shared import audit
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.events.envelope import Actor


@dataclass(frozen=True)
class Me:
    user: User
    organisation: Organisation | None
    permissions: set[str]


@dataclass(frozen=True)
class CredentialSlip:
    user: User
    password: str


async def me(*, session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Me:
    user = await repo.get_user(session, tenant_id, user_id)
    if user is None or not user.active:
        raise NotFound("Учётная запись не найдена")
    return Me(
        user=user,
        organisation=await repo.get_organisation(session, tenant_id),
        permissions=await repo.permissions_of(session, tenant_id, user_id),
    )


async def change_password(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    current_password: str,
    new_password: str,
) -> None:
    assert actor.id is not None
    user = await repo.get_user(session, tenant_id, actor.id, for_update=True)
    if user is None or not user.active:
        raise NotFound("Учётная запись не найдена")
    if not await verify_password(user.password_hash, current_password):
        raise InvalidState("Текущий пароль указан неверно")
    if new_password == current_password:
        raise InvalidState("Новый пароль должен отличаться от текущего")
    user.password_hash = await hash_password(new_password)
    user.must_change_password = False
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="change_password",
        entity="user",
        entity_id=user.id,
    )


async def _audit_read(
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


async def list_accounts(
    *,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    kind: str | None,
    person_id: uuid.UUID | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[User]]:
    total, users = await repo.list_users(
        session,
        tenant_id,
        kind=kind,
        person_id=person_id,
        active=active,
        limit=limit,
        offset=offset,
    )
    await _audit_read(session, tenant_id, actor, users)
    return total, users


async def _get(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    user = await repo.get_user(session, tenant_id, user_id)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    return user


async def get_account(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, user_id: uuid.UUID
) -> User:
    user = await _get(session, tenant_id, user_id)
    await _audit_read(session, tenant_id, actor, [user])
    return user


async def children(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, user_id: uuid.UUID
) -> Sequence[User]:
    guardian = await _get(session, tenant_id, user_id)
    if guardian.kind != "guardian":
        return []
    found = await repo.children_of(session, tenant_id, user_id)
    await _audit_read(session, tenant_id, actor, found)
    return found


async def issue_credentials(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, user_id: uuid.UUID
) -> CredentialSlip:
    """A one-time password for the credential slip a curator hands over.

    Provisioned accounts have no password at all: none is ever stored in plain text, and
    hashing one per account would make enrolling thousands of students slow. The password
    exists only in this response; the account must change it at first login.
    """
    user = await repo.get_user(session, tenant_id, user_id, for_update=True)
    if user is None:
        raise NotFound("Учётная запись не найдена")
    if not user.active:
        raise InvalidState("Учётная запись отключена")
    password = one_time_password()
    user.password_hash = await hash_password(password)
    user.must_change_password = True
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
