"""Credential slips in bulk (003 3.3.2, 3.3.5; 004 3.3): a curator prints their group's
slips, an administrator the staff's, as one PDF; and the accounts still not activated
three working days after they were created (001 2.6).

A slip carries a freshly generated one-time password: the previous one stops working,
the plain text exists only in the PDF of this response, and who printed whose slip is in
the audit log. Only accounts not yet activated get one: a person who already chose their
own password is not signed out by a curator printing the group's slips.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity import mirror, slips_pdf
from edureg_identity.config import Settings
from edureg_identity.domain.logins import one_time_password
from edureg_identity.domain.permissions import ISSUE_LEARNERS, ISSUE_OWN_GROUPS, ISSUE_STAFF
from edureg_identity.persistence import repository as repo
from edureg_identity.persistence.tables import User
from edureg_identity.services import calendar
from edureg_identity.services.accounts import shared_elsewhere
from edureg_identity.services.passwords import hash_password
from edureg_identity.services.positions import actor_permissions
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import Forbidden, NotFound
from edureg_shared.events.envelope import Actor
from edureg_shared.paging import PageRequest
from edureg_shared.workdays import FEDERAL, ProductionCalendar

# Hashes computed at once for a batch (the password gate bounds them further).
HASH_CHUNK = 4
ACTIVATION_WORKING_DAYS = 3


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    count: int
    filename: str


def working_days_before(today: date, days: int, calendar: ProductionCalendar = FEDERAL) -> date:
    """The date `days` working days before `today` by the region's production calendar
    (public holidays, the government's day transfers, the region's corrections): an
    account created before it has had its `days` working days and is overdue today."""
    return calendar.nth_working_day_before(today, days)


async def _issue(
    session: AsyncSession, principal: Principal, users: list[User], batch: uuid.UUID, scope: str
) -> dict[uuid.UUID, str]:
    """New one-time passwords for `users`, recorded one audit entry per account."""
    now = datetime.now(UTC)
    passwords = {u.id: one_time_password() for u in users}
    for i in range(0, len(users), HASH_CHUNK):
        chunk = users[i : i + HASH_CHUNK]
        hashes = await asyncio.gather(*(hash_password(passwords[u.id]) for u in chunk))
        for user, hashed in zip(chunk, hashes, strict=True):
            user.password_hash = hashed
            user.must_change_password = True
            user.failed_logins = 0
            user.locked_until = None
    await mirror.temporary_passwords(session, users, passwords)
    await repo.revoke_refresh_tokens_of(session, principal.tenant_id, list(passwords), now)
    await audit.record_many(
        session,
        tenant_id=principal.tenant_id,
        entries=[
            audit.Entry(
                actor=Actor(kind="user", id=principal.user_id),
                action="issue_credentials",
                entity="user",
                entity_id=u.id,
                details={"batch": str(batch), "scope": scope, "format": "pdf"},
            )
            for u in users
        ],
    )
    return passwords


async def _issuer(session: AsyncSession, principal: Principal) -> tuple[str, str]:
    me = await repo.get_user(session, principal.tenant_id, principal.user_id)
    org = await repo.get_organisation(session, principal.tenant_id)
    return (me.full_name if me else "—", (org.short_name or org.name) if org else "")


async def group_slips(
    *, session: AsyncSession, settings: Settings, principal: Principal, group_id: uuid.UUID
) -> Printed:
    """Slips for every student of the group and their guardians not yet activated. The
    academic office prints any group's; a curator only their own (another group is a
    404, as if it did not exist)."""
    group = await repo.curated_group(session, principal.tenant_id, group_id)
    mine = group is not None and group.curator_user_id == principal.user_id
    if group is None or not (
        principal.has(ISSUE_LEARNERS) or (principal.has(ISSUE_OWN_GROUPS) and mine)
    ):
        raise NotFound("Группа не найдена")
    found = [
        (u, children)
        for u, children in await repo.group_accounts_to_activate(
            session, principal.tenant_id, group_id, for_update=True
        )
        if not await shared_elsewhere(session, principal.tenant_id, u)
    ]
    batch = uuid.uuid4()
    passwords = await _issue(session, principal, [u for u, _ in found], batch, f"group:{group_id}")
    issued_by, organisation = await _issuer(session, principal)
    title = f"Группа {group.name}" if group.name else "Группа"
    pdf = slips_pdf.render(
        slips_pdf.Batch(
            organisation=organisation,
            title=title,
            portal_url=settings.portal_public_url,
            issued_by=issued_by,
            issued_at=datetime.now(UTC),
            slips=[
                slips_pdf.Slip(
                    full_name=u.full_name,
                    kind=u.kind,
                    login=u.login,
                    password=passwords[u.id],
                    note=("ребёнок: " + ", ".join(children)) if children else "",
                )
                for u, children in found
            ],
        )
    )
    return Printed(pdf=pdf, count=len(found), filename=f"slips-{group.name or group_id}.pdf")


async def staff_slips(
    *, session: AsyncSession, settings: Settings, principal: Principal
) -> Printed:
    """Slips for the staff who have not activated their accounts: by an administrator,
    never for themselves, never for someone holding a right the administrator lacks
    (those are left out, and another administrator prints them)."""
    if not principal.has(ISSUE_STAFF):
        raise Forbidden(f"Нужно право «{ISSUE_STAFF}»")
    held = await actor_permissions(session, principal)
    users = [
        u
        for u in await repo.staff_to_activate(session, principal.tenant_id)
        if u.id != principal.user_id
        and await repo.permissions_of(session, principal.tenant_id, u.id) <= held
        # A login that opens other organisations too is restored by the region only.
        and not await shared_elsewhere(session, principal.tenant_id, u)
    ]
    batch = uuid.uuid4()
    passwords = await _issue(session, principal, users, batch, "staff")
    issued_by, organisation = await _issuer(session, principal)
    pdf = slips_pdf.render(
        slips_pdf.Batch(
            organisation=organisation,
            title="Сотрудники",
            portal_url=settings.portal_public_url,
            issued_by=issued_by,
            issued_at=datetime.now(UTC),
            slips=[
                slips_pdf.Slip(
                    full_name=u.full_name, kind="staff", login=u.login, password=passwords[u.id]
                )
                for u in users
            ],
        )
    )
    return Printed(pdf=pdf, count=len(users), filename="slips-staff.pdf")


async def overdue(
    *, session: AsyncSession, principal: Principal, today: date, page: PageRequest
) -> tuple[list[User], int, date]:
    """Students and guardians whose accounts are still not activated three working days
    after they were created (dates in UTC): a curator sees their groups', the academic
    office all."""
    if principal.has(ISSUE_LEARNERS):
        curator = None
    elif principal.has(ISSUE_OWN_GROUPS):
        curator = principal.user_id
    else:
        raise Forbidden(f"Нужно право «{ISSUE_OWN_GROUPS}»")
    cutoff = working_days_before(
        today, ACTIVATION_WORKING_DAYS, await calendar.production_calendar(session)
    )
    users, total = await repo.overdue_activation(
        session,
        principal.tenant_id,
        created_before=datetime.combine(cutoff, time.min, UTC),
        curator_id=curator,
        page=page,
    )
    return users, total, cutoff
