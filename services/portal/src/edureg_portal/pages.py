"""Server-rendered pages (Russian UI). The access token lives in an HttpOnly cookie;
forms carry a CSRF token checked against a cookie (double submit)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from edureg_portal.identity_client import IdentityClient, IdentityUnavailable

SESSION_COOKIE = "edureg_session"
CSRF_COOKIE = "edureg_csrf"
KINDS = {
    "staff": "сотрудник",
    "student": "обучающийся",
    "guardian": "родитель (законный представитель)",
}

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _identity(request: Request) -> IdentityClient:
    client: IdentityClient = request.app.state.identity
    return client


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, name, {"csrf": token, "kinds": KINDS, **context}, status_code=status
    )
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


def _csrf_ok(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and secrets.compare_digest(cookie, submitted)


def _forbidden(request: Request) -> HTMLResponse:
    return _render(
        request,
        "message.html",
        403,
        title="Запрос отклонён",
        text="Форма устарела или отправлена не со страницы портала. Обновите страницу и повторите.",
    )


def _unavailable(request: Request) -> HTMLResponse:
    return _render(
        request,
        "message.html",
        503,
        title="Сервис входа временно недоступен",
        text="Попробуйте войти через несколько минут.",
    )


@router.get("/login")
async def login_page(request: Request) -> HTMLResponse:
    return _render(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    if not login or not password:
        return _render(request, "login.html", 422, error="Введите логин и пароль", login=login)
    try:
        answer = await _identity(request).token(login, password)
    except IdentityUnavailable:
        return _unavailable(request)
    if answer.status != 200:
        error = answer.body.get("detail") if answer.status == 423 else "Неверный логин или пароль"
        return _render(request, "login.html", 401, error=error, login=login)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        answer.body["access_token"],
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        max_age=int(answer.body["expires_in"]),
    )
    return response


@router.get("/")
async def home(request: Request, changed: bool = False) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    try:
        answer = await _identity(request).me(token)
    except IdentityUnavailable:
        return _unavailable(request)
    if answer.status != 200:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
    return _render(request, "home.html", me=answer.body, changed=changed)


@router.post("/password")
async def change_password(
    request: Request,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    try:
        answer = await _identity(request).change_password(token, current_password, new_password)
        if answer.status == 204:
            return RedirectResponse("/?changed=true", status_code=303)
        me = await _identity(request).me(token)
    except IdentityUnavailable:
        return _unavailable(request)
    detail = answer.body.get("detail") or "Пароль не изменён"
    if answer.status == 422 and answer.body.get("errors"):
        detail = "Новый пароль должен быть не короче 8 символов"
    return _render(request, "home.html", 422, me=me.body, password_error=detail)


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
