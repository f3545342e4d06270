"""What schedule keeps of other services' events: groups (and their curators), where
each student is now, and which accounts are whose (students, guardians)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_schedule.contracts import events as c
from edureg_schedule.persistence import repository as repo
from edureg_schedule.persistence.tables import Group
from edureg_shared.events.envelope import Envelope


def _tenant(events: Sequence[Envelope]):  # type: ignore[no-untyped-def]
    return events[0].tenant_id


async def on_groups_created(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        d = c.GROUP_CREATED.parse(e.data)
        rows.append(
            {
                "id": d.group_id,
                "name": d.name,
                "grade": d.grade,
                "academic_year": d.academic_year,
                "curator_user_id": d.curator_user_id,
            }
        )
    await repo.upsert_groups(session, _tenant(events), rows)


async def on_curators_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in events:
        d = c.CURATOR_CHANGED.parse(e.data)
        await session.execute(
            update(Group)
            .where(Group.tenant_id == e.tenant_id, Group.id == d.group_id)
            .values(curator_user_id=d.curator_user_id)
        )


async def on_groups_closed(*, session: AsyncSession, events: list[Envelope]) -> None:
    for e in events:
        d = c.GROUP_CLOSED.parse(e.data)
        await session.execute(
            update(Group)
            .where(Group.tenant_id == e.tenant_id, Group.id == d.group_id)
            .values(closed_on=d.closed_on)
        )


async def on_joined(*, session: AsyncSession, events: list[Envelope], contract: c.Consumes) -> None:
    rows = []
    for e in events:
        d = contract.parse(e.data)
        rows.append(
            {
                "student_id": d.student_id,
                "group_id": d.group_id,
                "display_name": d.display_name,
                "since": d.valid_from,
            }
        )
    await repo.set_members(session, _tenant(events), rows)


async def on_moved(*, session: AsyncSession, events: list[Envelope], contract: c.Consumes) -> None:
    rows = []
    for e in events:
        d = contract.parse(e.data)
        rows.append(
            {
                "student_id": d.student_id,
                "group_id": d.to_group_id,
                "display_name": d.display_name,
                "since": d.valid_from,
            }
        )
    await repo.set_members(session, _tenant(events), rows)


async def on_left(*, session: AsyncSession, events: list[Envelope], contract: c.Consumes) -> None:
    pairs = []
    for e in events:
        d = contract.parse(e.data)
        pairs.append((d.student_id, d.group_id))
    await repo.remove_members(session, _tenant(events), pairs)


async def on_orders_cancelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A cancelled order puts each student back where they were before it: in their
    group if they are a student there again, out of every group otherwise."""
    tenant_id = _tenant(events)
    for e in events:
        d = c.ORDER_CANCELLED.parse(e.data)
        known = await repo.known_members(session, tenant_id, [s.student_id for s in d.students])
        for s in d.students:
            current = known.get(s.student_id)
            if current is not None and current.active:
                await repo.remove_members(session, tenant_id, [(s.student_id, current.group_id)])
            if s.status == "active" and current is not None:
                await repo.set_members(
                    session,
                    tenant_id,
                    [
                        {
                            "student_id": s.student_id,
                            "group_id": s.group_id,
                            "display_name": current.display_name,
                            "since": max(current.since, e.occurred_at.date()),
                        }
                    ],
                )


async def on_renamed(*, session: AsyncSession, events: list[Envelope]) -> None:
    names = {}
    for e in events:
        d = c.STUDENT_RENAMED.parse(e.data)
        names[d.student_id] = d.display_name
    await repo.rename_members(session, _tenant(events), names)


async def on_accounts_provisioned(*, session: AsyncSession, events: list[Envelope]) -> None:
    rows = []
    for e in events:
        d = c.ACCOUNTS_PROVISIONED.parse(e.data)
        for a in d.accounts:
            if a.kind in ("student", "guardian"):
                rows.append({"user_id": a.user_id, "student_id": d.student_id, "kind": a.kind})
    await repo.add_links(session, _tenant(events), rows)


async def on_accounts_disabled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A disabled account's calendar links stop working (a dismissed teacher, an expelled
    student, a guardian without children here)."""
    tenant_id = _tenant(events)
    for e in events:
        await repo.revoke_feeds(session, tenant_id, c.ACCOUNT_DISABLED.parse(e.data).user_id)
