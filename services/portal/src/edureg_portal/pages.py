"""Server-rendered pages (Russian UI): the shell every console lives in.

Session: the access token in an HttpOnly, SameSite=Lax cookie. Forms carry a CSRF token
bound to the session: an HMAC of the session cookie (before login, of a random
pre-session cookie) under the portal's secret, so it changes at login and whenever the
session does, and a token from another session is worthless.

After login every page has the same frame: the organisation's name, the user, the
navigation built from the user's kind and permissions (navigation.py), for a guardian
the choice of child, and logout. A one-time password gives a token that allows only the
password change: every page but /password sends the user there until it is changed.
The portal calls the services with the user's own token; they check again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from edureg_portal.identity_client import Answer, IdentityClient, ServiceClient, ServiceUnavailable
from edureg_portal.navigation import may_open, menu
from edureg_shared import region
from edureg_shared.netaddr import client_address

SESSION_COOKIE = "edureg_session"
# The refresh token: sent only to the portal itself, never readable by a script.
REFRESH_COOKIE = "edureg_refresh"
PRESESSION_COOKIE = "edureg_pre"
CHILD_COOKIE = "edureg_child"
KINDS = {
    "staff": "сотрудник",
    "student": "обучающийся",
    "guardian": "родитель (законный представитель)",
}
RELATIONS = {"mother": "мать", "father": "отец", "guardian": "опекун", "other": "представитель"}
ORDER_KINDS = {
    "enrolment": "о зачислении",
    "expulsion": "об отчислении",
    "transfer": "о переводе в другую группу",
    "promotion": "о переводе на следующий курс (в следующий класс)",
    "retention": "об оставлении на повторное обучение",
    "graduation": "о выпуске",
    "academic_leave": "о предоставлении академического отпуска",
    "leave_return": "о выходе из академического отпуска",
    "reinstatement": "о восстановлении",
    "cancellation": "об отмене приказа",
    "hiring": "о приёме на работу",
    "dismissal": "об увольнении",
}
ORDER_STATUSES = {"draft": "проект", "signed": "подписан"}
PASSWORD_CHANGE_REQUIRED = "password-change-required"  # noqa: S105 - a problem type
PAGE = 50

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def ru_date(value: object) -> str:
    """An ISO date (or the date of a timestamp) as Russians write it: 01.09.2026."""
    text = str(value or "")
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}.{text[5:7]}.{text[:4]}"
    return text


templates.env.filters["ru_date"] = ru_date

# The region's clock: the portal shows times as the school lives them.
ZONE = region.ZONE


def ru_datetime(value: object) -> str:
    """A timestamp in the region's time as Russians write it: 01.09.2026 14:05."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE).strftime("%d.%m.%Y %H:%M")


templates.env.filters["ru_datetime"] = ru_datetime


def file_size(value: object) -> str:
    """A file's size as people read it: «512 Б», «34 КБ», «2,5 МБ»."""
    size = int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} КБ"
    return f"{size / (1024 * 1024):.1f} МБ".replace(".", ",")


templates.env.filters["file_size"] = file_size
router = APIRouter(include_in_schema=False)


def _identity(request: Request) -> IdentityClient:
    client: IdentityClient = request.app.state.identity
    return client


def _service(request: Request, name: str) -> ServiceClient:
    client: ServiceClient = request.app.state.services[name]
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


@dataclass
class Shell:
    """Who is signed in, for the frame of every page."""

    token: str
    me: dict[str, Any]
    children: list[dict[str, Any]] = field(default_factory=list)
    child: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return str(self.me.get("kind", ""))

    @property
    def permissions(self) -> list[str]:
        return list(self.me.get("permissions", []))

    def has(self, *permissions: str) -> bool:
        return any(p in self.permissions for p in permissions)


def _render(
    request: Request,
    name: str,
    status: int = 200,
    *,
    shell: Shell | None = None,
    active: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page whose forms carry the CSRF token of the request's session (or of a new
    pre-session), framed by the shell when someone is signed in."""
    binding = _binding(request)
    fresh_presession = None
    if binding is None:
        fresh_presession = binding = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "csrf": csrf_token(request.app.state.csrf_secret, binding),
            "kinds": KINDS,
            "shell": shell,
            "menu": menu(shell.kind, shell.permissions) if shell else [],
            "active": active,
            **context,
        },
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


def _message(
    request: Request, status: int, title: str, text: str, shell: Shell | None = None
) -> HTMLResponse:
    return _render(request, "message.html", status, shell=shell, title=title, text=text)


def _forbidden_form(request: Request) -> HTMLResponse:
    return _message(
        request,
        403,
        "Запрос отклонён",
        "Форма устарела или отправлена не со страницы портала. Обновите страницу и повторите.",
    )


def _unavailable(request: Request, shell: Shell | None = None) -> HTMLResponse:
    return _message(
        request,
        503,
        "Сервис временно недоступен",
        "Попробуйте ещё раз через несколько минут.",
        shell,
    )


def _signed_out() -> Response:
    """No session, or it expired or was revoked: back to the login form."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(REFRESH_COOKIE)
    response.delete_cookie(CHILD_COOKIE)
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
    refresh = answer.body.get("refresh_token")
    if refresh:
        response.set_cookie(
            REFRESH_COOKIE, str(refresh), httponly=True, samesite="strict", secure=_secure(request)
        )
    else:  # a one-time password's session cannot be prolonged
        response.delete_cookie(REFRESH_COOKIE)
    response.delete_cookie(PRESESSION_COOKIE)
    return response


def _client(request: Request) -> str | None:
    """The user's address as the portal sees it through its own proxy (not the proxy's)."""
    return client_address(request, request.app.state.settings.trusted_proxies)


async def _shell(request: Request) -> Shell | Response:
    """The signed-in user, or where to send them instead (login, the password change)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    try:
        answer = await _identity(request).me(token)
    except ServiceUnavailable:
        return _unavailable(request)
    if answer.status == 403 and str(answer.body.get("type", "")).endswith(PASSWORD_CHANGE_REQUIRED):
        return RedirectResponse("/password", status_code=303)
    if answer.status == 401 and request.cookies.get(REFRESH_COOKIE):
        return await _prolonged(request)
    if answer.status != 200:
        return _signed_out()
    shell = Shell(token=token, me=answer.body)
    if shell.kind == "guardian":
        try:
            children = await _identity(request).get("/api/v1/me/children", token)
        except ServiceUnavailable:
            return _unavailable(request)
        shell.children = list(children.body.get("items", [])) if children.ok else []
        chosen = request.cookies.get(CHILD_COOKIE)
        shell.child = next(
            (c for c in shell.children if c["id"] == chosen),
            shell.children[0] if shell.children else None,
        )
    return shell


async def _prolonged(request: Request) -> Response:
    """The access token expired: renew it with the refresh token and come back to the
    same page (a GET) with the new cookies; no renewal, no session."""
    try:
        renewed = await _identity(request).call(
            "POST",
            "/api/v1/auth/refresh",
            json={"refresh_token": request.cookies.get(REFRESH_COOKIE)},
        )
    except ServiceUnavailable:
        return _unavailable(request)
    if renewed.status != 200 or not renewed.body.get("access_token"):
        return _signed_out()
    target = request.url.path if request.method == "GET" else "/"
    if request.url.query and request.method == "GET":
        target += f"?{request.url.query}"
    return _start_session(request, renewed, target)


async def _opened(request: Request, key: str) -> Shell | Response:
    """The shell, if the user may open the page `key` (else a Russian 403)."""
    shell = await _shell(request)
    if isinstance(shell, Response):
        return shell
    if not may_open(key, shell.kind, shell.permissions):
        return _message(
            request,
            403,
            "Недостаточно прав",
            "Этот раздел вам недоступен. Если он нужен для работы, обратитесь к "
            "администратору организации.",
            shell,
        )
    return shell


def _refused(request: Request, shell: Shell, answer: Answer) -> Response:
    """A service's refusal, as a page."""
    if answer.status == 401:
        return _signed_out()
    detail = str(answer.body.get("detail") or "")
    if answer.status == 404:
        return _message(request, 404, "Не найдено", detail or "Такого объекта нет.", shell)
    if answer.status == 403:
        return _message(request, 403, "Недостаточно прав", detail, shell)
    return _message(request, answer.status, "Действие не выполнено", detail, shell)


async def _call(
    request: Request,
    shell: Shell,
    service: str,
    method: str,
    path: str,
    *,
    json: Any = None,
    keep: tuple[int, ...] = (),
    **params: Any,
) -> Answer | Response:
    """A service's answer with the user's token, or the page that says why there is none
    (the service is down, refused, or the object does not exist). Answers with a status
    in `keep` (e.g. 409, 422 of a form) come back for the caller to show."""
    try:
        if method == "GET":
            answer = await _service(request, service).get(path, shell.token, **params)
        else:
            answer = await _service(request, service).call(method, path, shell.token, json=json)
    except ServiceUnavailable:
        return _unavailable(request, shell)
    return answer if answer.ok or answer.status in keep else _refused(request, shell, answer)


async def _list_page(
    request: Request,
    key: str,
    service: str,
    path: str,
    template: str,
    *,
    items: str,
    base: str,
    offset: int,
    params: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    """A page listing one page of a service's `Page` answer, with links to the others."""
    shell = await _opened(request, key)
    if isinstance(shell, Response):
        return shell
    answer = await _call(
        request, shell, service, "GET", path, limit=PAGE, offset=max(offset, 0), **(params or {})
    )
    if isinstance(answer, Response):
        return answer
    context[items] = answer.body.get("items", [])
    return _render(
        request, template, shell=shell, active=key, pages=_pages(answer, base), **context
    )


async def _posted(
    request: Request,
    csrf: str,
    key: str,
    service: str,
    method: str,
    path: str,
    *,
    json: Any = None,
    keep: tuple[int, ...] = (),
) -> tuple[Shell, Answer] | Response:
    """A form's action: its CSRF token, the right to the page `key`, then the service's
    answer — or the page that says why there is none."""
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    shell = await _opened(request, key)
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, service, method, path, json=json, keep=keep)
    if isinstance(answer, Response):
        return answer
    return shell, answer


async def _posted_form(request: Request, key: str) -> tuple[FormData, Shell] | Response:
    """A posted form's fields and who sent it: its CSRF token checked and the page `key`
    theirs to use — or the page that says why not."""
    form = await request.form()
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    shell = await _opened(request, key)
    if isinstance(shell, Response):
        return shell
    return form, shell


def _pages(answer: Answer, base: str) -> dict[str, Any]:
    """Links to the previous and next pages of a `Page`."""
    offset, limit = int(answer.body.get("offset", 0)), int(answer.body.get("limit", PAGE))
    following = answer.body.get("next_offset")
    joiner = "&" if "?" in base else "?"
    return {
        "total": answer.body.get("total", 0),
        "previous": f"{base}{joiner}offset={max(offset - limit, 0)}" if offset else None,
        "next": f"{base}{joiner}offset={following}" if following is not None else None,
    }


# -- sign-in, password, logout ---------------------------------------------------------


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _render(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    organisation: Annotated[str, Form(max_length=40)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    if not login or not password:
        return _render(request, "login.html", 422, error="Введите логин и пароль", login=login)
    try:
        answer = await _identity(request).token(
            login,
            password,
            client=_client(request),
            organisation_id=organisation or None,
            user_agent=request.headers.get("user-agent"),
        )
    except ServiceUnavailable:
        return _unavailable(request)
    if answer.status == 409 and answer.body.get("organisations"):
        # Several organisations: which one, and the password once more (it is never put
        # back into the page).
        return _render(
            request,
            "login.html",
            409,
            login=login,
            choice=answer.body["organisations"],
            chosen=organisation,
            notice=answer.body.get("detail"),
        )
    if answer.status in (429, 503):
        error = answer.body.get("detail") or "Слишком много попыток входа, повторите позже"
        return _render(request, "login.html", answer.status, error=error, login=login)
    if answer.status != 200 or not answer.body.get("access_token"):
        return _render(request, "login.html", 401, error="Неверный логин или пароль", login=login)
    return _start_session(
        request, answer, "/password" if answer.body.get("must_change_password") else "/"
    )


@router.get("/password")
async def password_page(request: Request) -> Response:
    if not request.cookies.get(SESSION_COOKIE):
        return RedirectResponse("/login", status_code=303)
    shell = await _shell(request)
    # A one-time password's session has no shell: the form alone, until it is changed.
    return _render(
        request,
        "password.html",
        shell=shell if isinstance(shell, Shell) else None,
        active="password",
        forced=not isinstance(shell, Shell),
    )


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
        return _forbidden_form(request)
    try:
        answer = await _identity(request).change_password(
            token,
            current_password,
            new_password,
            client=_client(request),
            user_agent=request.headers.get("user-agent"),
        )
    except ServiceUnavailable:
        return _unavailable(request)
    if answer.status == 200 and answer.body.get("access_token"):
        return _start_session(request, answer, "/?changed=true")
    if answer.status == 401:
        return _signed_out()
    # The password policy's own reason is the detail; a form the schema refused (too
    # short) is said plainly.
    detail = answer.body.get("detail") or "Пароль не изменён"
    if str(answer.body.get("type", "")).endswith("validation-error"):
        detail = "Новый пароль должен быть не короче 8 символов"
    shell = await _shell(request)
    return _render(
        request,
        "password.html",
        422,
        shell=shell if isinstance(shell, Shell) else None,
        active="password",
        forced=not isinstance(shell, Shell),
        password_error=detail,
    )


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        # The sign-in ends at identity (its refresh tokens revoked); the short-lived
        # access token expires within minutes.
        with contextlib.suppress(ServiceUnavailable):
            await _identity(request).call(
                "POST", "/api/v1/auth/logout", json={"refresh_token": refresh}
            )
    return _signed_out()


# -- home and the guardian's children ----------------------------------------------------


@router.get("/")
async def home(request: Request, changed: bool = False) -> Response:
    shell = await _shell(request)
    if isinstance(shell, Response):
        return shell
    return _render(request, "home.html", shell=shell, active="home", changed=changed)


@router.get("/children")
async def children_page(request: Request) -> Response:
    shell = await _opened(request, "children")
    if isinstance(shell, Response):
        return shell
    return _render(request, "children.html", shell=shell, active="children", relations=RELATIONS)


SIGN_IN_OUTCOMES = {
    "ok": "вход",
    "ok_elsewhere": "вход в другую организацию",
    "password_changed": "смена пароля",
    "choose_organisation": "выбор организации",
    "wrong_password": "неверный пароль",
    "locked": "вход временно заблокирован",
    "disabled": "учётная запись отключена",
    "archived": "организация в архиве",
}


_BROWSERS = (
    ("YaBrowser", "Яндекс Браузер"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str | None) -> str:
    """A person-readable browser and system from a User-Agent (the raw string is long)."""
    if not user_agent:
        return "—"
    browser = next((name for key, name in _BROWSERS if key in user_agent), None)
    system = next((name for key, name in _SYSTEMS if key in user_agent), None)
    if browser is None and system is None:
        return user_agent[:40]
    return " · ".join(x for x in (browser, system) if x)


@router.get("/profile")
async def profile_page(request: Request) -> Response:
    """Who I am here, and my last sign-ins with their addresses: a sign-in that was not
    mine is noticed by the person it concerns."""
    shell = await _opened(request, "profile")
    if isinstance(shell, Response):
        return shell
    answer = await _call(request, shell, "identity", "GET", "/api/v1/me/sign-ins")
    if isinstance(answer, Response):
        return answer
    return _render(
        request,
        "profile.html",
        shell=shell,
        active="profile",
        entries=[
            {**e, "browser": browser_name(e.get("user_agent"))}
            for e in answer.body.get("items", [])
        ],
        outcomes=SIGN_IN_OUTCOMES,
    )


@router.post("/child")
async def choose_child(
    request: Request,
    child: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    shell = await _opened(request, "children")
    if isinstance(shell, Response):
        return shell
    if child not in {c["id"] for c in shell.children}:  # only one's own children
        return _message(request, 404, "Не найдено", "Такого ребёнка в вашем профиле нет.", shell)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(CHILD_COOKIE, child, httponly=True, samesite="lax", secure=_secure(request))
    return response


# -- organisation: groups, rosters, the movement book ----------------------------------------


@router.get("/groups")
async def groups_page(request: Request, offset: int = 0) -> Response:
    shell = await _opened(request, "groups")
    if isinstance(shell, Response):
        return shell
    answer = await _call(
        request, shell, "contingent", "GET", "/api/v1/groups", limit=PAGE, offset=max(offset, 0)
    )
    if isinstance(answer, Response):
        return answer
    return _render(
        request,
        "groups.html",
        shell=shell,
        active="groups",
        groups=answer.body.get("items", []),
        pages=_pages(answer, "/groups"),
        roster=shell.has("journal.rosters.read"),
    )


@router.get("/groups/{group_id}")
async def group_page(request: Request, group_id: uuid.UUID, offset: int = 0) -> Response:
    shell = await _opened(request, "groups")
    if isinstance(shell, Response):
        return shell
    group = await _call(request, shell, "contingent", "GET", f"/api/v1/groups/{group_id}")
    if isinstance(group, Response):
        return group
    today = datetime.now(UTC).date()
    roster: Answer | None = None
    if shell.has("journal.rosters.read"):
        found = await _call(
            request,
            shell,
            "journal",
            "GET",
            f"/api/v1/groups/{group_id}/roster",
            on=today.isoformat(),
            limit=PAGE,
            offset=max(offset, 0),
        )
        if isinstance(found, Response):
            return found
        roster = found
    return _render(
        request,
        "group.html",
        shell=shell,
        active="groups",
        group=group.body,
        today=today,
        members=roster.body.get("items", []) if roster else None,
        pages=_pages(roster, f"/groups/{group_id}") if roster else None,
        may_print=shell.has(ISSUE_LEARNERS)
        or (
            shell.has(ISSUE_OWN_GROUPS) and group.body.get("curator_user_id") == shell.me.get("id")
        ),
    )


# -- accounts and credential slips -----------------------------------------------------------

ISSUE_LEARNERS = "identity.credentials.issue.learners"
ISSUE_OWN_GROUPS = "identity.credentials.issue.own_groups"
ISSUE_STAFF = "identity.credentials.issue.staff"
ISSUE = (ISSUE_LEARNERS, ISSUE_OWN_GROUPS, ISSUE_STAFF)
ACCOUNT_KINDS = {"student": "Обучающиеся", "guardian": "Родители", "staff": "Сотрудники"}


@router.get("/accounts")
async def accounts_page(request: Request, kind: str = "student", offset: int = 0) -> Response:
    shell = await _opened(request, "accounts")
    if isinstance(shell, Response):
        return shell
    # A curator sees the students of their groups and those students' parents, not staff.
    kinds = {
        code: title
        for code, title in ACCOUNT_KINDS.items()
        if code != "staff" or shell.has("identity.accounts.read")
    }
    kind = kind if kind in kinds else "student"
    answer = await _call(
        request,
        shell,
        "identity",
        "GET",
        "/api/v1/accounts",
        kind=kind,
        limit=PAGE,
        offset=max(offset, 0),
    )
    if isinstance(answer, Response):
        return answer
    return _render(
        request,
        "accounts.html",
        shell=shell,
        active="accounts",
        kind=kind,
        account_kinds=kinds,
        accounts=answer.body.get("items", []),
        pages=_pages(answer, f"/accounts?kind={kind}"),
        may_issue=shell.has(*ISSUE),
        may_print_staff=kind == "staff" and shell.has(ISSUE_STAFF),
        may_see_overdue=shell.has(ISSUE_LEARNERS, ISSUE_OWN_GROUPS),
    )


@router.post("/accounts/{account_id}/slip")
async def issue_slip(
    request: Request, account_id: uuid.UUID, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    done = await _posted(
        request, csrf, "accounts", "identity", "POST", f"/api/v1/accounts/{account_id}/credentials"
    )
    if isinstance(done, Response):
        return done
    shell, answer = done
    return _render(request, "slip.html", shell=shell, active="accounts", slip=answer.body)


async def _slips_pdf(request: Request, csrf: str, key: str, path: str) -> Response:
    """A batch of credential slips from identity, handed to the browser as the PDF
    download it is (never cached: it holds passwords)."""
    if not _csrf_ok(request, csrf):
        return _forbidden_form(request)
    shell = await _opened(request, key)
    if isinstance(shell, Response):
        return shell
    return await _passed_file(request, shell, "identity", "POST", path, keep=("x-slips-count",))


async def _passed_file(
    request: Request,
    shell: Shell,
    service: str,
    method: str,
    path: str,
    *,
    keep: tuple[str, ...] = (),
) -> Response:
    """A file from a service handed to the browser as it came (its type and name, and the
    headers in `keep`), never cached: such files hold children's names or passwords."""
    try:
        answer, r = await _service(request, service).download(method, path, shell.token)
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if not answer.ok:
        return _refused(request, shell, answer)
    headers = {
        "Content-Disposition": r.headers.get("content-disposition", "attachment"),
        "Cache-Control": "no-store",
        **{h: r.headers.get(h, "") for h in keep},
    }
    return Response(
        content=r.content,
        media_type=r.headers.get("content-type", "application/octet-stream"),
        headers=headers,
    )


@router.post("/groups/{group_id}/slips")
async def print_group_slips(
    request: Request, group_id: uuid.UUID, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    return await _slips_pdf(request, csrf, "groups", f"/api/v1/groups/{group_id}/credential-slips")


@router.post("/staff/slips")
async def print_staff_slips(
    request: Request, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    return await _slips_pdf(request, csrf, "accounts", "/api/v1/staff/credential-slips")


@router.get("/activation")
async def overdue_page(request: Request, offset: int = 0) -> Response:
    """Students and guardians still not signed in three working days after their accounts
    were created (001 2.6): the curator's reminder list."""
    return await _list_page(
        request,
        "accounts",
        "identity",
        "/api/v1/activation/overdue",
        "overdue.html",
        items="accounts",
        base="/activation",
        offset=offset,
    )


# -- region -----------------------------------------------------------------------------------


@router.get("/region/organisations")
async def organisations_page(request: Request, offset: int = 0) -> Response:
    return await _list_page(
        request,
        "organisations",
        "identity",
        "/api/v1/region/organisations",
        "organisations.html",
        items="organisations",
        base="/region/organisations",
        offset=offset,
    )


@router.get("/region/organisations/new")
async def new_organisation_page(request: Request) -> Response:
    shell = await _opened(request, "organisations")
    if isinstance(shell, Response):
        return shell
    return _render(request, "register.html", shell=shell, active="organisations", form={})


REGISTRATION_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "municipality",
    "admin_surname",
    "admin_name",
    "admin_patronymic",
)


@router.post("/region/organisations/new")
async def register_organisation(request: Request) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip()[:300] for k in REGISTRATION_FIELDS}
    if not _csrf_ok(request, str(form.get("csrf") or "")):
        return _forbidden_form(request)
    shell = await _opened(request, "organisations")
    if isinstance(shell, Response):
        return shell
    body = {
        "code": values["code"],
        "name": values["name"],
        "short_name": values["short_name"],
        "kind": values["kind"],
        "municipality": values["municipality"],
        "administrator": {
            "surname": values["admin_surname"],
            "name": values["admin_name"],
            "patronymic": values["admin_patronymic"] or None,
        },
    }
    try:
        answer = await _identity(request).call(
            "POST", "/api/v1/region/organisations", shell.token, json=body
        )
    except ServiceUnavailable:
        return _unavailable(request, shell)
    if answer.status == 201:
        return _render(
            request,
            "slip.html",
            shell=shell,
            active="organisations",
            slip=answer.body["administrator"],
            registered=answer.body["organisation"],
        )
    if answer.status in (401, 403):
        return _refused(request, shell, answer)
    errors = {
        str(e.get("field", "")).replace("administrator.", "admin_"): e.get("message", "")
        for e in answer.body.get("errors") or []
        if isinstance(e, dict)
    }
    return _render(
        request,
        "register.html",
        422,
        shell=shell,
        active="organisations",
        form=values,
        errors=errors,
        error=answer.body.get("detail") or "Проверьте поля формы",
    )


@router.post("/region/organisations/{organisation_id}/{action}")
async def change_organisation_status(
    request: Request,
    organisation_id: uuid.UUID,
    action: str,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if action not in ("archive", "restore"):
        return _message(request, 404, "Не найдено", "Такого действия нет.")
    done = await _posted(
        request,
        csrf,
        "organisations",
        "identity",
        "POST",
        f"/api/v1/region/organisations/{organisation_id}/{action}",
    )
    if isinstance(done, Response):
        return done
    return RedirectResponse("/region/organisations", status_code=303)


@router.get("/region/organisations/{organisation_id}")
async def organisation_page(request: Request, organisation_id: uuid.UUID) -> Response:
    shell = await _opened(request, "organisations")
    if isinstance(shell, Response):
        return shell
    answer = await _call(
        request,
        shell,
        "identity",
        "GET",
        f"/api/v1/region/organisations/{organisation_id}/administrators",
    )
    if isinstance(answer, Response):
        return answer
    return _render(
        request,
        "organisation.html",
        shell=shell,
        active="organisations",
        organisation_id=organisation_id,
        administrators=answer.body.get("items", []),
    )


@router.post("/region/organisations/{organisation_id}/accounts/{account_id}/slip")
async def restore_administrator(
    request: Request,
    organisation_id: uuid.UUID,
    account_id: uuid.UUID,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    done = await _posted(
        request,
        csrf,
        "organisations",
        "identity",
        "POST",
        f"/api/v1/region/organisations/{organisation_id}/accounts/{account_id}/credentials",
    )
    if isinstance(done, Response):
        return done
    shell, answer = done
    return _render(request, "slip.html", shell=shell, active="organisations", slip=answer.body)
