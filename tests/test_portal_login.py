"""The portal's Russian login page works against the real identity service."""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

import httpx

from edureg_devstack.system import PASSWORD, System
from edureg_shared.testing.infra import Infra


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_sign_in_through_the_portal(infra: Infra) -> None:
    system = System(
        infra=infra,
        prefix=f"p{uuid.uuid4().hex[:8]}.",
        workdir=Path(tempfile.mkdtemp(prefix="edureg-portal-")),
    )
    await system.prepare(("identity", "portal"))
    await system.start()
    try:
        system.seed_organisations("portal")
        async with httpx.AsyncClient(base_url=system.url("portal")) as browser:
            page = await browser.get("/login")
            r = await browser.post(
                "/login",
                data={"login": "admin.portal", "password": "wrong", "csrf": _csrf(page.text)},
            )
            assert r.status_code == 401
            assert "Неверный логин или пароль" in r.text
            r = await browser.post(
                "/login",
                data={"login": "admin.portal", "password": PASSWORD, "csrf": _csrf(r.text)},
            )
            assert r.status_code == 303
            assert "httponly" in r.headers["set-cookie"].lower()
            home = await browser.get("/")
            assert "Вы вошли как Админова Анна Ивановна" in home.text
            assert "Тестовая школа portal" in home.text
            r = await browser.post("/logout", data={"csrf": _csrf(home.text)})
            assert r.headers["location"] == "/login"
            assert (await browser.get("/", follow_redirects=False)).headers["location"] == "/login"
    finally:
        system.stop()
