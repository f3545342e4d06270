"""Identity's HTTP API: login, discovery, accounts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from edureg_identity.domain.permissions import (
    ISSUE_LEARNERS,
    ISSUE_OWN_GROUPS,
    ISSUE_STAFF,
    READ_ALL,
    READ_OWN_GROUPS,
    REGION_ADMINISTER,
)
from edureg_identity.http import management, slips
from edureg_identity.http.schemas import (
    AccountRead,
    CredentialSlipRead,
    JoinedRead,
    JoinSignIn,
    LoginRequest,
    MeRead,
    OrganisationRead,
    PasswordChange,
    RefreshRequest,
    RegisteredRead,
    SignInRead,
    TokenResponse,
)
from edureg_identity.services import accounts, auth, registry, sign_in, tokens
from edureg_identity.services.tokens import IssuedToken
from edureg_shared.auth import Principal, require
from edureg_shared.errors import DomainError
from edureg_shared.http import Context, unit_of_work
from edureg_shared.netaddr import client_address
from edureg_shared.paging import Page, PageDep, page_slice

router = APIRouter()
api = APIRouter(prefix="/api/v1")

Self = Annotated[Context, unit_of_work(None)]
ChangingPassword = Annotated[Context, unit_of_work(None, password_change=True)]
AccountsRead = Annotated[Context, unit_of_work(None, any_of=(READ_ALL, READ_OWN_GROUPS))]
CredentialsIssue = Annotated[
    Context, unit_of_work(None, any_of=(ISSUE_LEARNERS, ISSUE_OWN_GROUPS, ISSUE_STAFF))
]
RegionalAdmin = Annotated[Principal, Depends(require(REGION_ADMINISTER))]


class BadLoginRequest(DomainError):
    status = 422
    type = "validation-error"
    title = "Ошибка в данных запроса"


async def _login_request(request: Request) -> LoginRequest:
    """JSON `{login, password}` or the OAuth2 password grant form."""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        if form.get("grant_type", "password") != "password":
            raise BadLoginRequest("Поддерживается только grant_type=password")
        raw: Any = {"login": form.get("username"), "password": form.get("password")}
        if form.get("organisation_id"):
            raw["organisation_id"] = form.get("organisation_id")
    else:
        try:
            raw = await request.json()
        except (ValueError, RecursionError) as exc:
            # RecursionError: a deeply nested document; never a 500.
            raise BadLoginRequest("Тело запроса не является корректным JSON") from exc
    try:
        return LoginRequest.model_validate(raw)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]} or {"body"})
        raise BadLoginRequest(
            "Укажите логин и пароль",
            errors=[{"field": f, "message": "Обязательное поле не заполнено"} for f in fields],
        ) from exc


@router.post(
    "/api/v1/auth/token",
    response_model=TokenResponse,
    tags=["auth"],
    summary="Вход по логину и паролю",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": LoginRequest.model_json_schema()},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "grant_type": {"type": "string"},
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                            "organisation_id": {"type": "string", "format": "uuid"},
                        },
                    }
                },
            }
        }
    },
)
async def token(request: Request) -> TokenResponse:
    body = await _login_request(request)
    state = request.app.state
    settings = state.runtime.settings
    issued = await auth.login(
        db=state.runtime.db,
        settings=settings,
        keys=state.keys,
        login_=body.login,
        password=body.password,
        organisation_id=body.organisation_id,
        client=auth.Client(
            address=client_address(request, settings.trusted_proxies),
            user_agent=(request.headers.get("user-agent") or "")[:300] or None,
        ),
    )
    return _token(issued)


def _token(issued: IssuedToken) -> TokenResponse:
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        must_change_password=issued.must_change_password,
        refresh_token=issued.refresh_token,
    )


@router.post(
    "/api/v1/auth/refresh",
    response_model=TokenResponse,
    tags=["auth"],
    summary="Продлить сеанс: новый токен доступа и новый токен обновления",
)
async def refresh(body: RefreshRequest, request: Request) -> TokenResponse:
    state = request.app.state
    renewed = await tokens.refresh(
        db=state.runtime.db,
        settings=state.runtime.settings,
        keys=state.keys,
        token=body.refresh_token,
    )
    return _token(replace(renewed.access, refresh_token=renewed.refresh_token))


@router.post(
    "/api/v1/auth/logout",
    status_code=204,
    tags=["auth"],
    summary="Выйти: токен обновления и весь его сеанс отзываются",
)
async def logout(body: RefreshRequest, request: Request) -> None:
    await tokens.logout(db=request.app.state.runtime.db, token=body.refresh_token)


@router.get("/.well-known/jwks.json", tags=["auth"], summary="Открытые ключи подписи (JWKS)")
async def jwks(request: Request) -> dict[str, Any]:
    # The current key, the next one (so verifiers know it before it signs anything) and
    # the previous one (its tokens stay valid until they expire).
    keys: dict[str, Any] = request.app.state.keys.jwks()
    return keys


@router.get("/.well-known/openid-configuration", tags=["auth"], summary="OIDC discovery")
async def discovery(request: Request) -> dict[str, Any]:
    settings = request.app.state.runtime.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    return {
        "issuer": settings.jwt_issuer,
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint": f"{base}/api/v1/auth/token",
        "revocation_endpoint": f"{base}/api/v1/auth/logout",
        "grant_types_supported": ["password", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }


@api.get("/me", response_model=MeRead, tags=["me"], summary="Моя учётная запись")
async def get_me(ctx: Self) -> MeRead:
    m = await accounts.me(
        session=ctx.session, tenant_id=ctx.tenant_id, user_id=ctx.principal.user_id
    )
    return MeRead(
        id=m.user.id,
        login=m.user.login,
        kind=m.user.kind,
        full_name=m.user.full_name,
        must_change_password=m.user.must_change_password,
        organisation=OrganisationRead.model_validate(m.organisation) if m.organisation else None,
        positions=m.positions,
        permissions=sorted(m.permissions),
    )


@api.get(
    "/me/children",
    response_model=Page[AccountRead],
    tags=["me"],
    summary="Мои дети (для родителя; у остальных — пусто)",
)
async def my_children(ctx: Self, page: PageDep) -> Page[AccountRead]:
    found = await accounts.my_children(session=ctx.session, principal=ctx.principal)
    items, total = page_slice([AccountRead.model_validate(u) for u in found], page)
    return Page.of(items, total, page)


@api.post(
    "/me/password",
    response_model=TokenResponse,
    tags=["me"],
    summary="Сменить пароль (в ответе — новый токен с полными правами)",
)
async def change_password(
    body: PasswordChange, ctx: ChangingPassword, request: Request
) -> TokenResponse:
    issued = await accounts.change_password(
        session=ctx.session,
        settings=request.app.state.runtime.settings,
        keys=request.app.state.keys,
        tenant_id=ctx.tenant_id,
        actor=ctx.actor,
        current_password=body.current_password,
        new_password=body.new_password,
        address=client_address(request, request.app.state.runtime.settings.trusted_proxies),
        user_agent=(request.headers.get("user-agent") or "")[:300] or None,
    )
    return _token(issued)


@api.get(
    "/me/sign-ins",
    response_model=list[SignInRead],
    tags=["me"],
    summary="Мои последние входы, неудачные попытки и смены пароля (время и адрес)",
)
async def my_sign_ins(ctx: Self) -> list[SignInRead]:
    found = await accounts.my_sign_ins(session=ctx.session, principal=ctx.principal)
    return [SignInRead.model_validate(a) for a in found]


@api.get("/accounts", response_model=Page[AccountRead], tags=["accounts"], summary="Учётные записи")
async def list_accounts(
    ctx: AccountsRead,
    page: PageDep,
    kind: Literal["staff", "student", "guardian"] | None = None,
    person_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Page[AccountRead]:
    total, users = await accounts.list_accounts(
        session=ctx.session,
        principal=ctx.principal,
        kind=kind,
        person_id=person_id,
        active=active,
        limit=page.limit,
        offset=page.offset,
    )
    return Page.of([AccountRead.model_validate(u) for u in users], total, page)


@api.get(
    "/accounts/{account_id}",
    response_model=AccountRead,
    tags=["accounts"],
    summary="Учётная запись",
)
async def get_account(account_id: uuid.UUID, ctx: AccountsRead) -> AccountRead:
    user = await accounts.get_account(
        session=ctx.session, principal=ctx.principal, user_id=account_id
    )
    return AccountRead.model_validate(user)


@api.get(
    "/accounts/{account_id}/children",
    response_model=Page[AccountRead],
    tags=["accounts"],
    summary="Дети законного представителя (действующие связи)",
)
async def get_children(
    account_id: uuid.UUID, ctx: AccountsRead, page: PageDep
) -> Page[AccountRead]:
    found = await accounts.children(
        session=ctx.session, principal=ctx.principal, user_id=account_id
    )
    items, total = page_slice([AccountRead.model_validate(u) for u in found], page)
    return Page.of(items, total, page)


@api.post(
    "/accounts/{account_id}/credentials",
    response_model=CredentialSlipRead,
    tags=["accounts"],
    summary="Выдать одноразовый пароль (памятка для куратора)",
)
async def issue_credentials(account_id: uuid.UUID, ctx: CredentialsIssue) -> CredentialSlipRead:
    slip = await accounts.issue_credentials(
        session=ctx.session, principal=ctx.principal, user_id=account_id
    )
    return _slip(slip)


@api.post(
    "/region/organisations/{organisation_id}/accounts/{account_id}/credentials",
    response_model=CredentialSlipRead,
    tags=["region"],
    summary="Восстановить доступ администратору организации (администратор региона)",
)
async def issue_regional_credentials(
    organisation_id: uuid.UUID, account_id: uuid.UUID, principal: RegionalAdmin, request: Request
) -> CredentialSlipRead:
    slip = await accounts.issue_regional_credentials(
        db=request.app.state.runtime.db,
        principal=principal,
        organisation_id=organisation_id,
        user_id=account_id,
    )
    return _slip(slip)


@api.post(
    "/region/accounts/join",
    response_model=JoinedRead,
    tags=["region"],
    summary="Один вход для учётных записей человека в нескольких организациях",
)
async def join_sign_in(body: JoinSignIn, principal: RegionalAdmin, request: Request) -> JoinedRead:
    joined = await sign_in.join_by_logins(
        db=request.app.state.runtime.db,
        principal=principal,
        home_login=body.login,
        account_login=body.account_login,
    )
    return JoinedRead.model_validate(joined)


@api.get(
    "/region/organisations",
    response_model=Page[OrganisationRead],
    tags=["region"],
    summary="Организации региона",
)
async def region_organisations(
    principal: management.RegionalReader, page: PageDep, request: Request
) -> Page[OrganisationRead]:
    found, total = await accounts.region_organisations(
        db=request.app.state.runtime.db, principal=principal, page=page
    )
    return Page.of([OrganisationRead.model_validate(o) for o in found], total, page)


@api.get(
    "/region/organisations/{organisation_id}/administrators",
    response_model=Page[AccountRead],
    tags=["region"],
    summary="Администраторы организации (администратор региона)",
)
async def region_administrators(
    organisation_id: uuid.UUID, principal: RegionalAdmin, page: PageDep, request: Request
) -> Page[AccountRead]:
    found = await accounts.region_administrators(
        db=request.app.state.runtime.db, principal=principal, organisation_id=organisation_id
    )
    items, total = page_slice([AccountRead.model_validate(u) for u in found], page)
    return Page.of(items, total, page)


@api.post(
    "/region/organisations",
    status_code=201,
    response_model=RegisteredRead,
    tags=["region"],
    summary="Зарегистрировать организацию и её первого администратора",
)
async def register_organisation(
    cmd: registry.RegisterOrganisation, principal: RegionalAdmin, request: Request
) -> RegisteredRead:
    done = await registry.register(db=request.app.state.runtime.db, principal=principal, cmd=cmd)
    return RegisteredRead(
        organisation=OrganisationRead.model_validate(done.organisation),
        administrator=_slip(done.slip),
    )


@api.post(
    "/region/organisations/{organisation_id}/archive",
    response_model=OrganisationRead,
    tags=["region"],
    summary="Перевести организацию в архив (вход её пользователей закрыт, данные сохраняются)",
)
async def archive_organisation(
    organisation_id: uuid.UUID, principal: RegionalAdmin, request: Request
) -> OrganisationRead:
    org = await registry.set_status(
        db=request.app.state.runtime.db,
        principal=principal,
        organisation_id=organisation_id,
        status="archived",
    )
    return OrganisationRead.model_validate(org)


@api.post(
    "/region/organisations/{organisation_id}/restore",
    response_model=OrganisationRead,
    tags=["region"],
    summary="Вернуть организацию из архива",
)
async def restore_organisation(
    organisation_id: uuid.UUID, principal: RegionalAdmin, request: Request
) -> OrganisationRead:
    org = await registry.set_status(
        db=request.app.state.runtime.db,
        principal=principal,
        organisation_id=organisation_id,
        status="active",
    )
    return OrganisationRead.model_validate(org)


def _slip(slip: accounts.CredentialSlip) -> CredentialSlipRead:
    return CredentialSlipRead(
        account_id=slip.user.id,
        login=slip.user.login,
        password=slip.password,
        full_name=slip.user.full_name,
    )


router.include_router(api)
router.include_router(management.api)
router.include_router(slips.api)
