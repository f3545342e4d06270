from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from edureg_journal.http.schemas import MembershipRead, RosterRead
from edureg_journal.services import rosters
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep

router = APIRouter(prefix="/api/v1", tags=["rosters"])
RostersRead = Annotated[Context, unit_of_work("journal.rosters.read")]


@router.get("/groups/{group_id}/roster", response_model=RosterRead, summary="Состав группы на дату")
async def roster(
    group_id: uuid.UUID,
    ctx: RostersRead,
    page: PageDep,
    on: Annotated[date | None, Query(description="Дата (по умолчанию — сегодня)")] = None,
) -> RosterRead:
    day = on or datetime.now(UTC).date()
    found, total = await rosters.roster_on(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, on=day, page=page
    )
    listed = Page.of([MembershipRead.model_validate(m) for m in found], total, page)
    return RosterRead(group_id=group_id, on=day, **listed.model_dump())


@router.get(
    "/groups/{group_id}/roster/history",
    response_model=RosterRead,
    summary="Все периоды членства в группе, включая завершённые",
)
async def roster_history(group_id: uuid.UUID, ctx: RostersRead, page: PageDep) -> RosterRead:
    found, total = await rosters.roster_history(
        session=ctx.session, tenant_id=ctx.tenant_id, group_id=group_id, page=page
    )
    listed = Page.of([MembershipRead.model_validate(m) for m in found], total, page)
    return RosterRead(group_id=group_id, on=None, **listed.model_dump())


@router.get(
    "/students/{student_id}/memberships",
    response_model=Page[MembershipRead],
    summary="Группы обучающегося по периодам",
)
async def memberships(
    student_id: uuid.UUID, ctx: RostersRead, page: PageDep
) -> Page[MembershipRead]:
    found, total = await rosters.memberships_of(
        session=ctx.session, tenant_id=ctx.tenant_id, student_id=student_id, page=page
    )
    return Page.of([MembershipRead.model_validate(m) for m in found], total, page)
