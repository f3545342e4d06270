"""Closed periods: when schedule announces a study period's end, its journal becomes
read-only for everyone (004 4.2) — marks, attendance, topics and period marks; an
administrator reopens it with a recorded reason (and closes it again)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_journal.contracts import events as c
from edureg_journal.persistence.tables import PeriodLock, PeriodLockChange
from edureg_shared import audit
from edureg_shared.auth import Principal
from edureg_shared.errors import InvalidState, NotFound
from edureg_shared.events.envelope import SYSTEM, Actor, Envelope
from edureg_shared.events.outbox import add_events

MANAGE = "journal.periods.manage"

KINDS = {"quarter": "четверть", "half": "полугодие", "semester": "семестр", "trimester": "триместр"}


# The ordinal's ending agrees with the noun: 1-я четверть, 1-е полугодие, 1-й семестр.
_ENDINGS = {"quarter": "я", "half": "е", "semester": "й", "trimester": "й"}


def named(kind: str, number: int) -> str:
    return f"{number}-{_ENDINGS.get(kind, 'й')} {KINDS.get(kind, 'период')}"


def title(lock: PeriodLock) -> str:
    return named(lock.kind, lock.number)


async def on_periods_ended(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Closes each ended period once; one an administrator already reopened stays open."""
    announced = []
    for e in events:
        p = c.PERIOD_ENDED.parse(e.data).period
        if p.period_id is None:
            continue
        if await session.get(PeriodLock, (e.tenant_id, p.period_id)) is not None:
            continue
        now = datetime.now(UTC)
        session.add(
            PeriodLock(
                tenant_id=e.tenant_id,
                period_id=p.period_id,
                kind=p.kind,
                number=p.number,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                locked=True,
                changed_at=now,
            )
        )
        session.add(
            PeriodLockChange(
                tenant_id=e.tenant_id,
                id=uuid.uuid4(),
                period_id=p.period_id,
                action="locked",
                changed_at=now,
            )
        )
        announced.append(
            c.PERIOD_LOCKED.envelope(
                tenant_id=e.tenant_id,
                actor=SYSTEM,
                subject_id=p.period_id,
                data=c.PeriodLockV1(
                    period_id=p.period_id, ends_on=p.ends_on, at=now, cause="ended"
                ),
            )
        )
    await session.flush()
    await add_events(session, announced)


async def is_locked(
    session: AsyncSession, tenant_id: uuid.UUID, period_id: uuid.UUID | None
) -> bool:
    if period_id is None:
        return False
    row = await session.get(PeriodLock, (tenant_id, period_id))
    return row is not None and row.locked


async def _locked_for_write(
    session: AsyncSession, tenant_id: uuid.UUID, period_id: uuid.UUID
) -> bool:
    """The lock as a writer must see it: held (FOR SHARE) until the writer commits, so an
    administrator closing the period waits for the saves in flight, and they for it."""
    row = await session.get(
        PeriodLock, (tenant_id, period_id), with_for_update={"read": True}, populate_existing=True
    )
    return row is not None and row.locked


async def check_open(
    session: AsyncSession, tenant_id: uuid.UUID, period_id: uuid.UUID | None
) -> None:
    if period_id is not None and await _locked_for_write(session, tenant_id, period_id):
        raise InvalidState(
            "Период закрыт: его журнал только для чтения. Открыть его может администратор, указав причину"
        )


@dataclass
class Lock:
    lock: PeriodLock
    changes: list[PeriodLockChange]


async def list_locks(*, session: AsyncSession, tenant_id: uuid.UUID) -> list[Lock]:
    locks = (
        await session.scalars(
            select(PeriodLock)
            .where(PeriodLock.tenant_id == tenant_id)
            .order_by(PeriodLock.ends_on.desc())
            .limit(200)
        )
    ).all()
    changes = (
        await session.scalars(
            select(PeriodLockChange)
            .where(
                PeriodLockChange.tenant_id == tenant_id,
                PeriodLockChange.period_id.in_([x.period_id for x in locks]),
            )
            .order_by(PeriodLockChange.changed_at)
        )
    ).all()
    return [Lock(x, [ch for ch in changes if ch.period_id == x.period_id]) for x in locks]


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=500)]


async def set_locked(
    *,
    session: AsyncSession,
    principal: Principal,
    period_id: uuid.UUID,
    locked: bool,
    reason: str,
) -> Lock:
    """An administrator reopens a closed period, or closes it again, with the reason."""
    tenant_id = principal.tenant_id
    row = await session.get(PeriodLock, (tenant_id, period_id), with_for_update=True)
    if row is None:
        raise NotFound("Период не найден среди закончившихся")
    if row.locked == locked:
        raise InvalidState("Период уже закрыт" if locked else "Период уже открыт")
    now = datetime.now(UTC)
    row.locked, row.changed_at = locked, now
    action = "locked" if locked else "reopened"
    session.add(
        PeriodLockChange(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            period_id=period_id,
            action=action,
            reason=reason.strip(),
            changed_by=principal.user_id,
            changed_at=now,
        )
    )
    actor = Actor(kind="user", id=principal.user_id)
    await session.flush()
    await audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="update",
        entity="period_lock",
        entity_id=period_id,
        details={"action": action},
    )
    contract = c.PERIOD_LOCKED if locked else c.PERIOD_REOPENED
    await add_events(
        session,
        [
            contract.envelope(
                tenant_id=tenant_id,
                actor=actor,
                subject_id=period_id,
                data=c.PeriodLockV1(
                    period_id=period_id, ends_on=row.ends_on, at=now, cause="administrator"
                ),
            )
        ],
    )
    history = (
        await session.scalars(
            select(PeriodLockChange)
            .where(PeriodLockChange.tenant_id == tenant_id, PeriodLockChange.period_id == period_id)
            .order_by(PeriodLockChange.changed_at)
        )
    ).all()
    return Lock(row, list(history))
