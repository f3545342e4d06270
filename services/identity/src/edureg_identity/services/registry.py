"""The region's registry of organisations: registration with a first administrator,
archiving and restoring (nothing is ever deleted). Regional administrators only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from edureg_identity.contracts.events import (
    ORGANISATION_REGISTERED,
    ORGANISATION_STATUS_CHANGED,
    OrganisationRegisteredV1,
    OrganisationStatusChangedV1,
)
from edureg_identity.domain.logins import login_stem, one_time_password
from edureg_identity.domain.permissions import default_positions
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import Organisation, User
from edureg_identity.services.accounts import CredentialSlip, ensure_regional
from edureg_identity.services.passwords import hash_password
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import Conflict, InvalidState, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event

Name = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[А-ЯЁA-Z][А-ЯЁа-яёA-Za-z' \-]*$")
]


class FirstAdministrator(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    surname: Name
    name: Name
    patronymic: Annotated[str | None, Field(max_length=100)] = None


class RegisterOrganisation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,49}$", examples=["school-17"])]
    name: Annotated[str, Field(min_length=3, max_length=300, description="Полное наименование")]
    short_name: Annotated[str, Field(min_length=2, max_length=100)]
    kind: Literal["school", "college"]
    municipality: Annotated[str, Field(min_length=2, max_length=200, examples=["Заречный район"])]
    administrator: FirstAdministrator


@dataclass(frozen=True)
class Registered:
    organisation: Organisation
    slip: CredentialSlip


async def register(*, db: Database, principal: Principal, cmd: RegisterOrganisation) -> Registered:
    await ensure_regional(db, principal)
    actor = Actor(kind="user", id=principal.user_id)
    org_id = uuid.uuid4()
    async with db.unscoped_session() as session:
        if await repo.organisation_by_code(session, cmd.code):
            raise Conflict(
                f"Организация с кодом {cmd.code} уже есть",
                errors=[{"field": "code", "message": "Значение уже занято"}],
            )
        org = Organisation(
            id=org_id,
            code=cmd.code,
            name=cmd.name,
            short_name=cmd.short_name,
            kind=cmd.kind,
            municipality=cmd.municipality,
            status="active",
        )
        session.add(org)
    password = one_time_password()
    async with db.tenant_session(org_id) as session:
        positions = await repo.ensure_default_positions(
            session, org_id, default_positions(cmd.kind)
        )
        a = cmd.administrator
        admin = User(
            tenant_id=org_id,
            id=uuid.uuid4(),
            login=f"{login_stem(a.surname)}{await repo.next_login_number(session)}",
            kind="staff",
            surname=a.surname,
            name=a.name,
            patronymic=a.patronymic,
            password_hash=await hash_password(password),
            must_change_password=True,
        )
        session.add(admin)
        await session.flush()
        await repo.assign_position(session, org_id, admin.id, positions["admin"])
        await audit.record(
            session,
            tenant_id=org_id,
            actor=actor,
            action="create",
            entity="user",
            entity_id=admin.id,
        )
        await add_event(
            session,
            ORGANISATION_REGISTERED.envelope(
                tenant_id=org_id,
                actor=actor,
                subject_id=org_id,
                data=OrganisationRegisteredV1(
                    organisation_id=org_id,
                    code=cmd.code,
                    kind=cmd.kind,
                    name=cmd.name,
                    short_name=cmd.short_name,
                    municipality=cmd.municipality,
                ),
            ),
        )
    async with db.tenant_session(principal.tenant_id) as session:
        await audit.record(
            session,
            tenant_id=principal.tenant_id,
            actor=actor,
            action="register",
            entity="organisation",
            entity_id=org_id,
        )
    return Registered(organisation=org, slip=CredentialSlip(user=admin, password=password))


async def set_status(
    *, db: Database, principal: Principal, organisation_id: uuid.UUID, status: str
) -> Organisation:
    """Archive (its users cannot sign in, their sessions end) or restore an organisation."""
    await ensure_regional(db, principal)
    actor = Actor(kind="user", id=principal.user_id)
    now = datetime.now(UTC)
    async with db.unscoped_session() as session:
        org = await repo.organisation_for_update(session, organisation_id)
        if org is None or org.kind == "ministry":
            raise NotFound("Организация не найдена")
        if org.status == status:
            raise InvalidState(
                "Организация уже в архиве" if status == "archived" else "Организация уже действует"
            )
        org.status = status
        org.archived_at = now if status == "archived" else None
    async with db.tenant_session(organisation_id) as session:
        if status == "archived":
            await repo.revoke_all_refresh_tokens(session, organisation_id, now)
        await audit.record(
            session,
            tenant_id=organisation_id,
            actor=actor,
            action=status,
            entity="organisation",
            entity_id=organisation_id,
        )
        await add_event(
            session,
            ORGANISATION_STATUS_CHANGED.envelope(
                tenant_id=organisation_id,
                actor=actor,
                subject_id=organisation_id,
                data=OrganisationStatusChangedV1(organisation_id=organisation_id, status=status),
            ),
        )
    return org


async def keep_default_positions(db: Database) -> int:
    """Bring every organisation's built-in positions in step with the code (a release that
    adds a permission to the curator's position reaches every school at the next start).
    Idempotent, one short transaction per organisation; returns how many."""
    async with db.unscoped_session() as session:
        orgs = [(o.id, o.kind) for o in await repo.all_organisations(session)]
    for org_id, kind in orgs:
        async with db.tenant_session(org_id) as session:
            await repo.ensure_default_positions(session, org_id, default_positions(kind))
    return len(orgs)
