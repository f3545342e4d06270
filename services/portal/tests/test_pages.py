"""The portal on its own, with identity unreachable (a closed local port): pages stay
Russian and never 500. The sign-in against a real identity is tests/test_portal_login.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from edureg_portal.bootstrap import create
from edureg_portal.config import Settings
from edureg_shared.embedded import free_port
from edureg_shared.testing.plugin import assert_problem, running_app


@pytest.fixture
async def portal() -> AsyncIterator[httpx.AsyncClient]:
    app = create(Settings(identity_url=f"http://127.0.0.1:{free_port()}"))
    async with running_app(app) as c:
        yield c


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


async def test_login_page_is_russian_and_sets_a_csrf_cookie(portal: httpx.AsyncClient) -> None:
    r = await portal.get("/login")
    assert r.status_code == 200
    assert "Вход в систему" in r.text
    assert "Войти" in r.text
    assert portal.cookies.get("edureg_csrf") == csrf_of(r.text)
    assert (await portal.get("/", follow_redirects=False)).headers["location"] == "/login"


async def test_a_form_without_the_csrf_token_is_refused(portal: httpx.AsyncClient) -> None:
    await portal.get("/login")
    r = await portal.post("/login", data={"login": "a", "password": "b", "csrf": "forged"})
    assert r.status_code == 403
    assert "Запрос отклонён" in r.text


async def test_identity_down_is_a_russian_503_page_not_a_500(portal: httpx.AsyncClient) -> None:
    token = csrf_of((await portal.get("/login")).text)
    r = await portal.post("/login", data={"login": "admin", "password": "secret", "csrf": token})
    assert r.status_code == 503
    assert "Сервис входа временно недоступен" in r.text
    assert (await portal.get("/health/live")).status_code == 200
    assert_problem(await portal.get("/health/ready"), 503)
