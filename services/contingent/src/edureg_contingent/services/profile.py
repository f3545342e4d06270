"""The organisation's digital profile (001 IV, 004 4.2): edited by its administrator,
every change kept (who, when, old → new), and announced so that the region sees which
profiles are incomplete and whose accreditation expires within 90 days."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_contingent.contracts.events import PROFILE_CHANGED, ProfileChangedV1
from edureg_contingent.domain.requisites import (
    accreditation_expires_soon,
    check_profile_dates,
    missing_fields,
)
from edureg_contingent.persistence import repository as repo
from edureg_contingent.persistence.tables import OrganisationProfile, ProfileChange
from edureg_contingent.services.commands import SaveProfile
from edureg_shared import audit
from edureg_shared.errors import Conflict, InvalidState
from edureg_shared.events.envelope import Actor
from edureg_shared.events.outbox import add_event
from edureg_shared.paging import PageRequest

FIELDS = [f for f in SaveProfile.model_fields if f != "version"]


@dataclass
class ProfileView:
    values: dict[str, Any]
    version: int
    kind: str | None
    missing: list[str]
    accreditation_expires_soon: bool
    updated_at: datetime | None


def _values(profile: OrganisationProfile | None) -> dict[str, Any]:
    return {f: getattr(profile, f) if profile else None for f in FIELDS} | {
        "accredited": bool(profile and profile.accredited)
    }


async def read(*, session: AsyncSession, tenant_id: uuid.UUID) -> ProfileView:
    profile = await repo.get_profile(session, tenant_id)
    values = _values(profile)
    organisation = await repo.get_organisation(session, tenant_id)
    if profile is None and organisation is not None:  # a new card starts from the registry
        values |= {"full_name": organisation.name, "short_name": organisation.short_name}
    return ProfileView(
        values=values,
        version=profile.version if profile else 0,
        kind=organisation.kind if organisation else None,
        missing=missing_fields(values, accredited=values["accredited"]),
        accreditation_expires_soon=accreditation_expires_soon(
            values["accreditation_valid_until"], datetime.now(UTC).date()
        ),
        updated_at=profile.updated_at if profile else None,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:500]


async def save(
    *, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, cmd: SaveProfile
) -> ProfileView:
    errors = check_profile_dates(
        cmd.licence_date,
        cmd.accreditation_date,
        cmd.accreditation_valid_until,
        datetime.now(UTC).date(),
    )
    if errors:
        raise InvalidState("Проверьте даты лицензии и аккредитации", errors=errors)
    profile = await repo.get_profile(session, tenant_id, for_update=True)
    if profile is None:
        profile = OrganisationProfile(tenant_id=tenant_id, version=0)
        session.add(profile)
    if cmd.version != profile.version:
        raise Conflict(
            "Профиль изменили, пока вы его редактировали: откройте его заново, ваши "
            "изменения не сохранены",
            errors=[{"field": "version", "message": "Устаревшая версия"}],
        )
    assert actor.id is not None
    new = cmd.model_dump(exclude={"version"})
    old = _values(profile)
    changed = [f for f in FIELDS if new[f] != old[f]]
    if not changed:
        return await read(session=session, tenant_id=tenant_id)
    profile.version += 1
    for f in changed:
        setattr(profile, f, new[f])
    profile.updated_by = actor.id
    profile.updated_at = datetime.now(UTC)
    session.add_all(
        ProfileChange(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            version=profile.version,
            field=f,
            old_value=_text(old[f]),
            new_value=_text(new[f]),
            changed_by=actor.id,
        )
        for f in changed
    )
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="organisation_profile",
        entity_id=tenant_id,
        details={"fields": changed, "version": profile.version},
    )
    view = await read(session=session, tenant_id=tenant_id)
    await add_event(
        session,
        PROFILE_CHANGED.envelope(
            tenant_id=tenant_id,
            actor=actor,
            subject_id=tenant_id,
            data=ProfileChangedV1(
                organisation_id=tenant_id,
                version=view.version,
                complete=not view.missing,
                missing_fields=view.missing,
                accredited=view.values["accredited"],
                accreditation_valid_until=view.values["accreditation_valid_until"],
                licence_date=view.values["licence_date"],
            ),
        ),
    )
    return view


async def history(
    *, session: AsyncSession, tenant_id: uuid.UUID, page: PageRequest
) -> tuple[list[ProfileChange], int]:
    return await repo.profile_changes(session, tenant_id, page)
