"""Credential slips as PDF, and the accounts overdue for activation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from edureg_identity.domain.permissions import ISSUE_LEARNERS, ISSUE_OWN_GROUPS, ISSUE_STAFF
from edureg_identity.http.schemas import OverdueRead
from edureg_identity.services import slips
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep

api = APIRouter(prefix="/api/v1", tags=["slips"])

LearnerSlips = Annotated[Context, unit_of_work(None, any_of=(ISSUE_LEARNERS, ISSUE_OWN_GROUPS))]
StaffSlips = Annotated[Context, unit_of_work(ISSUE_STAFF)]
PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}},
        "description": "PDF для печати; X-Slips-Count — сколько памяток в нём",
    }
}


def _pdf(printed: slips.Printed) -> Response:
    return Response(
        content=printed.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": "attachment; filename=\"slips.pdf\"; filename*=UTF-8''"
            + quote(printed.filename),
            "X-Slips-Count": str(printed.count),
        },
    )


@api.post(
    "/groups/{group_id}/credential-slips",
    response_class=Response,
    responses=PDF,
    summary="Памятки группы (PDF): новые одноразовые пароли тем, кто ещё не вошёл",
)
async def group_slips(group_id: uuid.UUID, ctx: LearnerSlips, request: Request) -> Response:
    return _pdf(
        await slips.group_slips(
            session=ctx.session,
            settings=request.app.state.runtime.settings,
            principal=ctx.principal,
            group_id=group_id,
        )
    )


@api.post(
    "/staff/credential-slips",
    response_class=Response,
    responses=PDF,
    summary="Памятки сотрудников (PDF), ещё не вошедших в систему",
)
async def staff_slips(ctx: StaffSlips, request: Request) -> Response:
    return _pdf(
        await slips.staff_slips(
            session=ctx.session,
            settings=request.app.state.runtime.settings,
            principal=ctx.principal,
        )
    )


@api.get(
    "/activation/overdue",
    response_model=Page[OverdueRead],
    summary="Не активированы через 3 рабочих дня после создания (обучающиеся и родители)",
)
async def overdue(ctx: LearnerSlips, page: PageDep) -> Page[OverdueRead]:
    users, total, _ = await slips.overdue(
        session=ctx.session,
        principal=ctx.principal,
        today=datetime.now(UTC).date(),
        page=page,
    )
    return Page.of([OverdueRead.model_validate(u) for u in users], total, page)
