"""The portal on its own, with identity unreachable (a closed local port): pages stay
Russian and never 500. The sign-in against a real identity is tests/test_portal_login.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from edureg_devstack.embedded import free_port
from edureg_devstack.testing.plugin import assert_problem, running_app
from edureg_portal.bootstrap import create
from edureg_portal.config import Settings


@pytest.fixture
async def portal() -> AsyncIterator[httpx.AsyncClient]:
    app = create(Settings(identity_url=f"http://127.0.0.1:{free_port()}"))
    async with running_app(app) as c:
        yield c


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


async def test_login_page_is_russian_with_a_csrf_token_bound_to_the_pre_session(
    portal: httpx.AsyncClient,
) -> None:
    r = await portal.get("/login")
    assert r.status_code == 200
    assert "Вход в систему" in r.text
    assert "Войти" in r.text
    token = csrf_of(r.text)
    assert portal.cookies.get("edureg_pre")
    # The same pre-session keeps its token; the token is not the cookie itself.
    assert csrf_of((await portal.get("/login")).text) == token != portal.cookies.get("edureg_pre")
    assert (await portal.get("/", follow_redirects=False)).headers["location"] == "/login"


async def test_every_page_forbids_framing_inline_scripts_and_caching(
    portal: httpx.AsyncClient,
) -> None:
    for path in ("/login", "/", "/password", "/static/portal.css", "/nowhere"):
        r = await portal.get(path, follow_redirects=False)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-frame-options"] == "DENY"
    page = (await portal.get("/login")).text
    assert "<script" not in page
    assert "style=" not in page
    assert "<style" not in page


async def test_a_csrf_token_of_another_session_is_refused(portal: httpx.AsyncClient) -> None:
    mine = csrf_of((await portal.get("/login")).text)
    async with httpx.AsyncClient(
        transport=portal._transport, base_url="http://testserver"
    ) as other:
        theirs = csrf_of((await other.get("/login")).text)
    assert mine != theirs
    r = await portal.post("/login", data={"login": "a", "password": "b", "csrf": theirs})
    assert r.status_code == 403


async def test_a_form_without_the_csrf_token_is_refused(portal: httpx.AsyncClient) -> None:
    await portal.get("/login")
    r = await portal.post("/login", data={"login": "a", "password": "b", "csrf": "forged"})
    assert r.status_code == 403
    assert "Запрос отклонён" in r.text


async def test_identity_down_is_a_russian_503_page_not_a_500(portal: httpx.AsyncClient) -> None:
    token = csrf_of((await portal.get("/login")).text)
    r = await portal.post("/login", data={"login": "admin", "password": "secret", "csrf": token})
    assert r.status_code == 503
    assert "Сервис временно недоступен" in r.text
    assert (await portal.get("/health/live")).status_code == 200
    assert_problem(await portal.get("/health/ready"), 503)
