"""The portal's Russian login page works against the real identity service."""

from __future__ import annotations

import re

import httpx

from edureg_devstack.system import PASSWORD, System


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_sign_in_through_the_portal(system: System) -> None:
    system.seed_organisations("portal")
    async with httpx.AsyncClient(base_url=system.url("portal")) as browser:
        page = await browser.get("/login")
        r = await browser.post(
            "/login",
            data={"login": "admin.portal", "password": "wrong", "csrf": _csrf(page.text)},
        )
        assert r.status_code == 401
        assert "Неверный логин или пароль" in r.text
        before_login = _csrf(r.text)
        r = await browser.post(
            "/login",
            data={"login": "admin.portal", "password": PASSWORD, "csrf": before_login},
        )
        assert r.status_code == 303
        assert "httponly" in r.headers["set-cookie"].lower()
        home = await browser.get("/")
        assert "Здравствуйте, Админова Анна Ивановна" in home.text
        assert "Тестовая школа portal" in home.text
        # The CSRF token was rotated at login: the pre-login one no longer works.
        assert _csrf(home.text) != before_login
        r = await browser.post("/logout", data={"csrf": before_login})
        assert r.status_code == 403
        # An expired access token is renewed with the refresh token, on the same page.
        refresh = browser.cookies.get("edureg_refresh")
        assert refresh
        domain = next(c.domain for c in browser.cookies.jar if c.name == "edureg_session")
        browser.cookies.set("edureg_session", "expired.token.value", domain=domain)
        renewed = await browser.get("/groups", follow_redirects=False)
        assert renewed.status_code == 303
        assert renewed.headers["location"] == "/groups"
        assert "Группы и классы" in (await browser.get("/groups")).text
        current = browser.cookies.get("edureg_refresh")
        assert current != refresh  # rotated
        home = await browser.get("/")
        r = await browser.post("/logout", data={"csrf": _csrf(home.text)})
        assert r.headers["location"] == "/login"
        assert (await browser.get("/", follow_redirects=False)).headers["location"] == "/login"
        # Logging out ended the sign-in at identity: its refresh token is worthless.
        async with httpx.AsyncClient(base_url=system.url("identity")) as identity:
            again = await identity.post("/api/v1/auth/refresh", json={"refresh_token": current})
        assert again.status_code == 401


async def test_a_one_time_password_leads_to_the_forced_change_and_nowhere_else(
    system: System,
) -> None:
    system.seed_organisations("otp")
    admin = await system.login("admin.otp")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        staff = (await c.get("/api/v1/accounts", params={"kind": "staff"})).json()["items"]
        teacher = next(a for a in staff if a["login"] == "teacher.otp")
        slip = (await c.post(f"/api/v1/accounts/{teacher['id']}/credentials")).json()
    async with httpx.AsyncClient(base_url=system.url("portal")) as browser:
        page = await browser.get("/login")
        r = await browser.post(
            "/login",
            data={
                "login": slip["login"],
                "password": slip["password"],
                "csrf": _csrf(page.text),
            },
        )
        assert r.headers["location"] == "/password"
        # Any other page sends the user back to the password change.
        r = await browser.get("/", follow_redirects=False)
        assert r.headers["location"] == "/password"
        form = await browser.get("/password")
        assert "Задайте свой пароль" in form.text
        r = await browser.post(
            "/password",
            data={
                "current_password": slip["password"],
                "new_password": "short",
                "csrf": _csrf(form.text),
            },
        )
        assert r.status_code == 422
        assert "не короче 8 символов" in r.text
        r = await browser.post(
            "/password",
            data={
                "current_password": slip["password"],
                "new_password": "Moi-Parol-2026",
                "csrf": _csrf(r.text),
            },
        )
        assert r.headers["location"] == "/?changed=true"
        home = await browser.get("/?changed=true")
        assert "Пароль изменён" in home.text
        assert "Учителева Ольга" in home.text
