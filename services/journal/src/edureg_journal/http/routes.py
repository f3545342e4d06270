from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from edureg_journal.http.schemas import MembershipRead, MembershipsRead, RosterRead
from edureg_journal.services import rosters
from edureg_shared.http import Context, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["rosters"])
RostersRead = Annotated[Context, unit_of_work("journal.rosters.read")]


@router.get("/groups/{group_id}/roster", response_model=RosterRead, summary="Состав группы на дату")
async def roster(
    group_id: uuid.UUID,
    ctx: RostersRead,
    on: Annotated[date | None, Query(description="Дата (по умолчанию — сегодня)")] = None,
) -> RosterRead:
    day = on or datetime.now(UTC).date()
    found = await rosters.roster_on(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, on=day
    )
    return RosterRead(
        group_id=group_id, on=day, items=[MembershipRead.model_validate(m) for m in found]
    )


@router.get(
    "/groups/{group_id}/roster/history",
    response_model=RosterRead,
    summary="Все периоды членства в группе, включая завершённые",
)
async def roster_history(group_id: uuid.UUID, ctx: RostersRead) -> RosterRead:
    found = await rosters.roster_history(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id
    )
    return RosterRead(
        group_id=group_id, on=None, items=[MembershipRead.model_validate(m) for m in found]
    )


@router.get(
    "/students/{student_id}/memberships",
    response_model=MembershipsRead,
    summary="Группы обучающегося по периодам",
)
async def memberships(student_id: uuid.UUID, ctx: RostersRead) -> MembershipsRead:
    found = await rosters.memberships_of(
        session=ctx.session, tenant_id=ctx.tenant_id, student_id=student_id
    )
    return MembershipsRead(items=[MembershipRead.model_validate(m) for m in found])
