"""Server-rendered pages (Russian UI).

Session: the access token in an HttpOnly, SameSite=Lax cookie. Forms carry a CSRF token
bound to the session: an HMAC of the session cookie (before login, of a random
pre-session cookie) under the portal's secret, so it changes at login and whenever the
session does, and a token from another session is worthless.

A one-time password gives a token that allows only the password change: every page
but /password sends the user there until it is changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from edureg_portal.identity_client import Answer, IdentityClient, IdentityUnavailable

SESSION_COOKIE = "edureg_session"
PRESESSION_COOKIE = "edureg_pre"
KINDS = {
    "staff": "сотрудник",
    "student": "обучающийся",
    "guardian": "родитель (законный представитель)",
}
PASSWORD_CHANGE_REQUIRED = "password-change-required"  # noqa: S105 - a problem type

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _identity(request: Request) -> IdentityClient:
    client: IdentityClient = request.app.state.identity
    return client


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.cookie_secure)


def _binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE)


def csrf_token(secret: bytes, binding: str) -> str:
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def _csrf_ok(request: Request, submitted: str) -> bool:
    binding = _binding(request)
    if not binding or not submitted:
        return False
    expected = csrf_token(request.app.state.csrf_secret, binding)
    return secrets.compare_digest(expected, submitted)


def _render(
    request: Request,
    name: str,
    status: int = 200,
    *,
    session: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page whose forms carry the CSRF token of `session` (default: the request's
    session, or a new pre-session)."""
    binding = session or _binding(request)
    fresh_presession = None
    if binding is None:
        fresh_presession = binding = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request,
        name,
        {"csrf": csrf_token(request.app.state.csrf_secret, binding), "kinds": KINDS, **context},
        status_code=status,
    )
    if fresh_presession:
        response.set_cookie(
            PRESESSION_COOKIE,
            fresh_presession,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )
    return response


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


def _signed_out() -> Response:
    """No session, or it expired or was revoked: back to the login form."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _start_session(request: Request, answer: Answer, to: str) -> Response:
    """A new session cookie (a new token), and with it a new CSRF binding; the
    pre-session is over."""
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        str(answer.body["access_token"]),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=max(int(answer.body.get("expires_in") or 0), 0) or None,
    )
    response.delete_cookie(PRESESSION_COOKIE)
    return response


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _render(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    if not login or not password:
        return _render(request, "login.html", 422, error="Введите логин и пароль", login=login)
    try:
        answer = await _identity(request).token(login, password, client=_client(request))
    except IdentityUnavailable:
        return _unavailable(request)
    if answer.status == 429:
        error = answer.body.get("detail") or "Слишком много попыток входа, повторите позже"
        return _render(request, "login.html", 429, error=error, login=login)
    if answer.status != 200 or not answer.body.get("access_token"):
        return _render(request, "login.html", 401, error="Неверный логин или пароль", login=login)
    return _start_session(
        request, answer, "/password" if answer.body.get("must_change_password") else "/"
    )


@router.get("/")
async def home(request: Request, changed: bool = False) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    try:
        answer = await _identity(request).me(token)
    except IdentityUnavailable:
        return _unavailable(request)
    if answer.status == 403 and str(answer.body.get("type", "")).endswith(PASSWORD_CHANGE_REQUIRED):
        return RedirectResponse("/password", status_code=303)
    if answer.status != 200:
        return _signed_out()
    return _render(request, "home.html", me=answer.body, changed=changed)


@router.get("/password")
async def password_page(request: Request) -> Response:
    if not request.cookies.get(SESSION_COOKIE):
        return RedirectResponse("/login", status_code=303)
    return _render(request, "password.html")


_PASSWORD_ERRORS = {"new_password": "Новый пароль должен быть не короче 8 символов"}


@router.post("/password")
async def change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    try:
        answer = await _identity(request).change_password(token, current_password, new_password)
    except IdentityUnavailable:
        return _unavailable(request)
    if answer.status == 200 and answer.body.get("access_token"):
        return _start_session(request, answer, "/?changed=true")
    if answer.status == 401:
        return _signed_out()
    detail = answer.body.get("detail") or "Пароль не изменён"
    fields = {e.get("field") for e in answer.body.get("errors") or [] if isinstance(e, dict)}
    for field, message in _PASSWORD_ERRORS.items():
        if field in fields:
            detail = message
    return _render(request, "password.html", 422, password_error=detail)


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden(request)
    # The access token is short-lived (identity's access_token_ttl_s) and cannot be
    # revoked before it expires: the cookie goes now, the token within minutes.
    return _signed_out()
