"""An organisation's positions and rights, its staff accounts, its sign-in activity; the
region's usage counts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from edureg_identity.domain.catalogue import PERMISSIONS, REGION_PERMISSIONS
from edureg_identity.domain.permissions import (
    MANAGE_ACCOUNTS,
    MANAGE_POSITIONS,
    READ_ACTIVITY,
    READ_ALL,
    REGION_ADMINISTER,
    REGION_MONITOR,
)
from edureg_identity.http.schemas import (
    AccountPositionRead,
    AccountPositionsWrite,
    AccountRead,
    ActivityRead,
    KindUsage,
    LoginWrite,
    OrganisationUsageRead,
    PermissionRead,
    PositionRead,
    PositionWrite,
)
from edureg_identity.services import accounts, activity, positions
from edureg_shared.auth import Principal, require_any
from edureg_shared.http import Context, unit_of_work
from edureg_shared.paging import Page, PageDep, page_slice

api = APIRouter(prefix="/api/v1")

Self = Annotated[Context, unit_of_work(None)]
PositionsRead = Annotated[Context, unit_of_work(None, any_of=(MANAGE_POSITIONS, READ_ALL))]
PositionsManage = Annotated[Context, unit_of_work(MANAGE_POSITIONS)]
AccountsManage = Annotated[Context, unit_of_work(MANAGE_ACCOUNTS)]
ActivityReader = Annotated[Context, unit_of_work(READ_ACTIVITY)]
RegionalReader = Annotated[Principal, Depends(require_any(REGION_ADMINISTER, REGION_MONITOR))]


def _position(listed: positions.Listed) -> PositionRead:
    p = listed.position
    return PositionRead(
        id=p.id,
        code=p.code,
        title=p.title,
        permissions=sorted(p.permissions),
        builtin=p.builtin,
        account_kind=p.account_kind,
        holders=listed.holders,
    )


@api.get(
    "/permissions",
    response_model=list[PermissionRead],
    tags=["positions"],
    summary="Каталог прав: что может входить в должность организации",
)
async def permission_catalogue(ctx: Self) -> list[PermissionRead]:
    ministry = any(p.startswith("region.") for p in ctx.principal.permissions)
    catalogue = REGION_PERMISSIONS if ministry else PERMISSIONS
    return [
        PermissionRead(name=name, title=title, service=name.split(".", 1)[0])
        for name, title in catalogue.items()
    ]


@api.get(
    "/positions",
    response_model=Page[PositionRead],
    tags=["positions"],
    summary="Должности организации: стандартные и свои",
)
async def list_positions(ctx: PositionsRead, page: PageDep) -> Page[PositionRead]:
    found = await positions.list_positions(session=ctx.session, principal=ctx.principal)
    items, total = page_slice([_position(p) for p in found], page)
    return Page.of(items, total, page)


@api.post(
    "/positions",
    status_code=201,
    response_model=PositionRead,
    tags=["positions"],
    summary="Создать должность с набором прав",
)
async def create_position(body: PositionWrite, ctx: PositionsManage) -> PositionRead:
    created = await positions.create_position(
        session=ctx.session,
        principal=ctx.principal,
        cmd=positions.PositionWrite(title=body.title, permissions=body.permissions),
    )
    return _position(positions.Listed(position=created, holders=0))


@api.get(
    "/positions/{position_id}",
    response_model=PositionRead,
    tags=["positions"],
    summary="Должность",
)
async def get_position(position_id: uuid.UUID, ctx: PositionsRead) -> PositionRead:
    return _position(
        await positions.get_position(
            session=ctx.session, principal=ctx.principal, position_id=position_id
        )
    )


@api.put(
    "/positions/{position_id}",
    response_model=PositionRead,
    tags=["positions"],
    summary="Изменить свою должность (название и права)",
)
async def update_position(
    position_id: uuid.UUID, body: PositionWrite, ctx: PositionsManage
) -> PositionRead:
    return _position(
        await positions.update_position(
            session=ctx.session,
            principal=ctx.principal,
            position_id=position_id,
            cmd=positions.PositionWrite(title=body.title, permissions=body.permissions),
        )
    )


@api.delete(
    "/positions/{position_id}",
    status_code=204,
    response_class=Response,
    tags=["positions"],
    summary="Удалить свою должность (если никому не назначена)",
)
async def delete_position(position_id: uuid.UUID, ctx: PositionsManage) -> Response:
    await positions.delete_position(
        session=ctx.session, principal=ctx.principal, position_id=position_id
    )
    return Response(status_code=204)


@api.get(
    "/accounts/{account_id}/positions",
    response_model=list[AccountPositionRead],
    tags=["positions"],
    summary="Должности сотрудника",
)
async def account_positions(account_id: uuid.UUID, ctx: PositionsRead) -> list[AccountPositionRead]:
    found = await positions.positions_of(
        session=ctx.session, principal=ctx.principal, user_id=account_id
    )
    return [AccountPositionRead.model_validate(p) for p in found]


@api.put(
    "/accounts/{account_id}/positions",
    response_model=list[AccountPositionRead],
    tags=["positions"],
    summary="Назначить сотруднику должности (заменяет прежний набор)",
)
async def set_account_positions(
    account_id: uuid.UUID, body: AccountPositionsWrite, ctx: PositionsManage
) -> list[AccountPositionRead]:
    found = await positions.set_positions(
        session=ctx.session,
        principal=ctx.principal,
        user_id=account_id,
        position_ids=body.position_ids,
    )
    return [AccountPositionRead.model_validate(p) for p in found]


@api.post(
    "/accounts/{account_id}/disable",
    response_model=AccountRead,
    tags=["accounts"],
    summary="Отключить учётную запись сотрудника (вход закрыт, сеансы завершены)",
)
async def disable_account(account_id: uuid.UUID, ctx: AccountsManage) -> AccountRead:
    user = await accounts.set_staff_active(
        session=ctx.session, principal=ctx.principal, user_id=account_id, active=False
    )
    return AccountRead.model_validate(user)


@api.post(
    "/accounts/{account_id}/enable",
    response_model=AccountRead,
    tags=["accounts"],
    summary="Включить учётную запись сотрудника",
)
async def enable_account(account_id: uuid.UUID, ctx: AccountsManage) -> AccountRead:
    user = await accounts.set_staff_active(
        session=ctx.session, principal=ctx.principal, user_id=account_id, active=True
    )
    return AccountRead.model_validate(user)


@api.put(
    "/accounts/{account_id}/login",
    response_model=AccountRead,
    tags=["accounts"],
    summary="Исправить логин",
)
async def change_login(account_id: uuid.UUID, body: LoginWrite, ctx: AccountsManage) -> AccountRead:
    user = await accounts.change_login(
        session=ctx.session, principal=ctx.principal, user_id=account_id, login=body.login
    )
    return AccountRead.model_validate(user)


@api.get(
    "/activity",
    response_model=Page[ActivityRead],
    tags=["activity"],
    summary="Активность пользователей: входы за период",
    description=f"Период не длиннее {activity.MAX_PERIOD_DAYS} дней.",
)
async def organisation_activity(
    ctx: ActivityReader,
    page: PageDep,
    start: Annotated[date, Query(alias="from", description="Начало периода")],
    end: Annotated[date, Query(alias="to", description="Конец периода (включительно)")],
    kind: Literal["staff", "student", "guardian"] | None = None,
) -> Page[ActivityRead]:
    found, total = await activity.organisation_activity(
        session=ctx.session, principal=ctx.principal, start=start, end=end, kind=kind, page=page
    )
    return Page.of([ActivityRead.model_validate(a) for a in found], total, page)


@api.get(
    "/region/usage",
    response_model=Page[OrganisationUsageRead],
    tags=["region"],
    summary="Использование системы организациями региона (только числа)",
)
async def region_usage(
    principal: RegionalReader,
    page: PageDep,
    request: Request,
    days: Annotated[int, Query(ge=1, le=366, description="Входы за последние N дней")] = 14,
) -> Page[OrganisationUsageRead]:
    found, total = await activity.region_usage(
        db=request.app.state.runtime.db, principal=principal, since_days=days, page=page
    )
    return Page.of(
        [
            OrganisationUsageRead(
                organisation_id=u.organisation_id,
                code=u.code,
                short_name=u.short_name,
                municipality=u.municipality,
                status=u.status,
                **{k: KindUsage(**u.by_kind.get(k, {})) for k in ("staff", "student", "guardian")},
            )
            for u in found
        ],
        total,
        page,
    )
