"""An organisation's journal settings, and its closed periods (reopened with a reason)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from edureg_journal.services import org_settings, periods
from edureg_journal.services.org_settings import SettingsIn, Thresholds, WorkTypeIn
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["settings, closed periods"])
Read = Annotated[Context, unit_of_work(None, any_of=("journal.rosters.read", "journal.read.all"))]
Write = Annotated[Context, unit_of_work(org_settings.WRITE)]
Manage = Annotated[Context, unit_of_work(periods.MANAGE)]


class SettingsRead(SettingsIn):
    # False: the defaults apply (the organisation has not set its own).
    customised: bool


def _settings(s: org_settings.OrgSettings) -> SettingsRead:
    five, four, three = s.thresholds
    return SettingsRead(
        work_types=[
            WorkTypeIn(code=w.code, title=w.title, weight=w.weight, active=w.active)
            for w in s.work_types
        ],
        thresholds=Thresholds(five=five, four=four, three=three),
        management_edits=s.management_edits,
        curator_sets_period_marks=s.curator_sets_period_marks,
        customised=s.customised,
        version=s.version,
    )


@router.get(
    "/settings",
    response_model=SettingsRead,
    summary="Настройки журнала: виды работ и веса, пороги итоговой оценки, правила",
)
async def get_settings(ctx: Read) -> SettingsRead:
    return _settings(await org_settings.current(ctx.session, ctx.tenant_id))


@router.put(
    "/settings",
    response_model=SettingsRead,
    summary="Изменить настройки журнала организации (целиком)",
    description="`version` — прочитанная версия (409, если настройки уже сохранил другой).",
)
async def put_settings(cmd: SettingsIn, ctx: Write) -> SettingsRead:
    return _settings(await org_settings.put(session=ctx.session, principal=ctx.principal, cmd=cmd))


class LockChangeRead(BaseModel):
    action: str
    reason: str | None
    changed_by: uuid.UUID | None
    changed_at: datetime


class PeriodLockRead(BaseModel):
    period_id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    locked: bool
    changes: list[LockChangeRead]


def _lock(x: periods.Lock) -> PeriodLockRead:
    return PeriodLockRead(
        period_id=x.lock.period_id,
        title=periods.title(x.lock),
        starts_on=x.lock.starts_on,
        ends_on=x.lock.ends_on,
        locked=x.lock.locked,
        changes=[
            LockChangeRead(
                action=ch.action,
                reason=ch.reason,
                changed_by=ch.changed_by,
                changed_at=ch.changed_at,
            )
            for ch in x.changes
        ],
    )


@router.get(
    "/periods/closed",
    response_model=list[PeriodLockRead],
    summary="Закончившиеся периоды: закрыты ли их журналы, кто и почему открывал",
)
async def closed_periods(ctx: Read) -> list[PeriodLockRead]:
    """Whether each is closed, for everyone; who reopened it and why (a reason may name
    people) only for those who manage periods or read every journal."""
    found = [
        _lock(x) for x in await periods.list_locks(session=ctx.session, tenant_id=ctx.tenant_id)
    ]
    if ctx.principal.has(periods.MANAGE) or ctx.principal.has("journal.read.all"):
        return found
    return [x.model_copy(update={"changes": []}) for x in found]


async def _set(ctx: Context, period_id: uuid.UUID, locked: bool, reason: str) -> PeriodLockRead:
    return _lock(
        await periods.set_locked(
            session=ctx.session,
            principal=ctx.principal,
            period_id=period_id,
            locked=locked,
            reason=reason,
        )
    )


@router.post(
    "/periods/{period_id}/reopen",
    response_model=PeriodLockRead,
    summary="Открыть закрытый период для исправлений (с причиной)",
)
async def reopen(period_id: uuid.UUID, cmd: periods.ReasonIn, ctx: Manage) -> PeriodLockRead:
    return await _set(ctx, period_id, False, cmd.reason)


@router.post(
    "/periods/{period_id}/close",
    response_model=PeriodLockRead,
    summary="Снова закрыть период после исправлений (с причиной)",
)
async def close(period_id: uuid.UUID, cmd: periods.ReasonIn, ctx: Manage) -> PeriodLockRead:
    return await _set(ctx, period_id, True, cmd.reason)
