"""Organisations and their staff: the registry's own entry point (admin CLI, demo seed).
Idempotent: by organisation code and staff login; existing passwords are never reset."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.contracts.events import ORGANISATION_REGISTERED, OrganisationRegisteredV1
from edureg_identity.domain.permissions import default_positions
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import Organisation, User
from edureg_identity.services.passwords import hash_password
from edureg_shared import audit
from edureg_shared.db import Database
from edureg_shared.errors import Conflict
from edureg_shared.events.envelope import SYSTEM
from edureg_shared.events.outbox import add_event


class StaffSpec(BaseModel):
    login: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    password: str = Field(min_length=8)
    surname: str
    name: str
    patronymic: str | None = None
    positions: list[str]


class OrganisationSpec(BaseModel):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9-]+$")
    name: str
    # "ministry": the region's own administration (regional administrators).
    kind: Literal["school", "college", "ministry"]
    short_name: str = ""
    municipality: str = ""
    staff: list[StaffSpec] = []


async def ensure_organisation(db: Database, spec: OrganisationSpec) -> uuid.UUID:
    created = False
    async with db.unscoped_session() as session:
        org = await repo.organisation_by_code(session, spec.code)
        if org is None:
            created = True
            org = Organisation(
                id=uuid.uuid4(),
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name or spec.name[:100],
                kind=spec.kind,
                municipality=spec.municipality,
                status="active",
            )
            session.add(org)
        tenant_id = org.id
    async with db.tenant_session(tenant_id) as session:
        positions = await repo.ensure_default_positions(
            session, tenant_id, default_positions(spec.kind)
        )
        if created and spec.kind != "ministry":
            # As a registration by the region: every service learns of the organisation.
            await add_event(
                session,
                ORGANISATION_REGISTERED.envelope(
                    tenant_id=tenant_id,
                    actor=SYSTEM,
                    subject_id=tenant_id,
                    data=OrganisationRegisteredV1(
                        organisation_id=tenant_id,
                        code=spec.code,
                        kind=spec.kind,
                        name=spec.name,
                        short_name=spec.short_name or spec.name[:100],
                        municipality=spec.municipality,
                    ),
                ),
            )
        for staff in spec.staff:
            found = await repo.lookup_login(session, staff.login)
            if found is not None and found[0] != tenant_id:
                # The same person working here too: an account here signing in through
                # their account there (one login, the organisation chosen at sign-in).
                user_id = await _joined_account(session, tenant_id, staff, *found)
            elif found is None:
                user_id = await _add_staff(
                    session,
                    tenant_id,
                    staff,
                    login=staff.login,
                    password_hash=await hash_password(staff.password),
                )
            else:
                user_id = found[1]
            for code in staff.positions:
                await repo.assign_position(session, tenant_id, user_id, positions[code])
    return tenant_id


async def _joined_account(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    staff: StaffSpec,
    home_tenant: uuid.UUID,
    home_id: uuid.UUID,
) -> uuid.UUID:
    for account in await repo.sign_in_accounts(session, home_tenant, home_id):
        if account.tenant_id == tenant_id:
            return account.user_id
    async with repo.in_tenant(session, home_tenant, back=tenant_id):
        home = await repo.get_user(session, home_tenant, home_id)
    assert home is not None
    if (home.surname, home.name) != (staff.surname, staff.name):
        raise Conflict(f"Логин {staff.login} занят в другой организации другим человеком")
    return await _add_staff(
        session, tenant_id, staff, login=home.login, home=(home_tenant, home_id)
    )


async def _add_staff(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    staff: StaffSpec,
    *,
    login: str,
    password_hash: str | None = None,
    home: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> uuid.UUID:
    """A staff account: with its own password, or signing in through `home`."""
    user = User(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        login=login,
        kind="staff",
        surname=staff.surname,
        name=staff.name,
        patronymic=staff.patronymic,
        password_hash=password_hash,
        must_change_password=False,
        home_tenant_id=home[0] if home else None,
        home_user_id=home[1] if home else None,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=SYSTEM,
        action="create",
        entity="user",
        entity_id=user.id,
        details={"home_organisation_id": str(home[0])} if home else None,
    )
    return user.id


async def seed(db: Database, spec: dict[str, Any]) -> dict[str, str]:
    result = {}
    for raw in spec.get("organisations", []):
        org = OrganisationSpec.model_validate(raw)
        result[org.code] = str(await ensure_organisation(db, org))
    return result
