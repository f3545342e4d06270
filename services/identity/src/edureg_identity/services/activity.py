"""Who uses the system: an organisation's sign-ins per user (002 5.1 and 004 6.1 ask for a
user activity report every two weeks), and the region's counts per organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.domain.permissions import REGION_ADMINISTER, REGION_MONITOR
from edureg_identity.persistence import repository as repo
from edureg_identity.services.accounts import audit_read, ensure_regional
from edureg_shared.auth import Principal
from edureg_shared.db import Database
from edureg_shared.errors import InvalidState
from edureg_shared.events.envelope import Actor
from edureg_shared.paging import PageRequest

MAX_PERIOD_DAYS = 400


@dataclass(frozen=True)
class UserActivity:
    user_id: uuid.UUID
    login: str
    full_name: str
    kind: str
    active: bool
    sign_ins: int
    failed: int
    last_sign_in_at: datetime | None
    last_address: str | None


@dataclass(frozen=True)
class OrganisationUsage:
    organisation_id: uuid.UUID
    code: str
    short_name: str
    municipality: str
    status: str
    # {kind: {accounts, active, activated, signed_in}}
    by_kind: dict[str, dict[str, int]]


def period(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in UTC; at most MAX_PERIOD_DAYS days."""
    if end < start:
        raise InvalidState(
            "Конец периода раньше начала",
            errors=[{"field": "to", "message": "Раньше начала периода"}],
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidState(
            f"Период не длиннее {MAX_PERIOD_DAYS} дней",
            errors=[{"field": "to", "message": "Слишком длинный период"}],
        )
    return (
        datetime.combine(start, time.min, UTC),
        datetime.combine(end + timedelta(days=1), time.min, UTC),
    )


async def organisation_activity(
    *,
    session: AsyncSession,
    principal: Principal,
    start: date,
    end: date,
    kind: str | None,
    page: PageRequest,
) -> tuple[list[UserActivity], int]:
    since, until = period(start, end)
    rows, total = await repo.activity(
        session, principal.tenant_id, since=since, until=until, kind=kind, page=page
    )
    found = [
        UserActivity(
            user_id=u.id,
            login=u.login,
            full_name=u.full_name,
            kind=u.kind,
            active=u.active,
            sign_ins=ok,
            failed=failed,
            last_sign_in_at=last_at,
            last_address=str(last_address) if last_address else None,
        )
        for u, ok, failed, last_at, last_address in rows
    ]
    await audit_read(
        session,
        principal.tenant_id,
        Actor(kind="user", id=principal.user_id),
        [u for u, *_ in rows],
    )
    return found, total


async def region_usage(
    *, db: Database, principal: Principal, since_days: int, page: PageRequest
) -> tuple[list[OrganisationUsage], int]:
    """Per organisation: accounts, active ones, activated ones (the one-time password
    changed), and those who signed in within `since_days`: counts only."""
    await ensure_regional(db, principal, REGION_ADMINISTER, REGION_MONITOR)
    since = datetime.now(UTC) - timedelta(days=since_days)
    async with db.unscoped_session() as session:
        orgs, total = await repo.list_organisations(session, page)
        stats = await repo.region_account_statistics(session, [o.id for o in orgs], since)
    return [
        OrganisationUsage(
            organisation_id=o.id,
            code=o.code,
            short_name=o.short_name,
            municipality=o.municipality,
            status=o.status,
            by_kind=stats.get(o.id, {}),
        )
        for o in orgs
    ], total
