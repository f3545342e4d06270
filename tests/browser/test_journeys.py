"""First journeys through the portal in a real browser, on a phone and on a desktop:
a guardian with a credential slip, forced to set a password, sees their child; staff see
only the sections their permissions allow; the pages can be used with the keyboard alone,
label every field and keep text readable (WCAG AA contrast)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def school(system: System) -> dict[str, Any]:
    """An organisation with a group, one enrolled child and their mother, whose
    credential slip the administrator has issued."""
    system.seed_organisations("web")
    admin = await system.login("admin.web")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": "2Б", "grade": 2, "academic_year": "2026/2027"}
            )
        ).json()
        order = (
            await c.post(
                "/api/v1/orders/enrolment",
                json={
                    "number": "W-1",
                    "order_date": "2026-09-01",
                    "effective_date": "2026-09-01",
                    "group_id": group["id"],
                    "students": [
                        {
                            "surname": "Ребёнков",
                            "name": "Илья",
                            "birth_date": "2018-05-05",
                            "sex": "m",
                            "guardians": [
                                {"surname": "Ребёнкова", "name": "Вера", "relation": "mother"}
                            ],
                        }
                    ],
                },
            )
        ).json()
        await c.post(f"/api/v1/orders/{order['id']}/sign")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:

        async def guardians() -> list[Any]:
            r = await c.get("/api/v1/accounts", params={"kind": "guardian"})
            return list(r.json()["items"])

        [mother] = await eventually(guardians, message="the mother's account")
        slip = (await c.post(f"/api/v1/accounts/{mother['id']}/credentials")).json()
    return {"slip": slip, "group": group}


async def _sign_in(page: Page, base: str, login: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Логин").fill(login)
    await page.get_by_label("Пароль").fill(password)
    await page.get_by_label("Пароль").press("Enter")  # the keyboard submits the form


async def test_a_guardian_with_a_slip_sets_a_password_and_sees_the_child(
    system: System, browser: Browser, school: dict[str, Any]
) -> None:
    base = system.url("portal")
    slip = school["slip"]
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = await browser.new_context(viewport=viewport, locale="ru-RU")
        page = await context.new_page()
        await page.goto(f"{base}/login")
        await page.screenshot(path=shot(f"login-{name}"), full_page=True)
        if name == "desktop":  # the password was changed on the phone
            await _sign_in(page, base, slip["login"], "Mama-Vera-2026")
        else:
            await _sign_in(page, base, slip["login"], slip["password"])
            await expect(page).to_have_url(re.compile(r"/password$"))
            await expect(page.get_by_role("heading", name="Задайте свой пароль")).to_be_visible()
            # Nothing else opens until the password is changed.
            await page.goto(f"{base}/children")
            await expect(page).to_have_url(re.compile(r"/password$"))
            await page.screenshot(path=shot("password-change-phone"), full_page=True)
            await page.get_by_label("Одноразовый (текущий) пароль").fill(slip["password"])
            await page.get_by_label("Новый пароль (не короче 8 символов)").fill("Mama-Vera-2026")
            await page.get_by_role("button", name="Сменить пароль").click()
            await expect(page.get_by_text("Пароль изменён.")).to_be_visible()
        await expect(page.locator(".child-name")).to_have_text("Ребёнков Илья")
        await expect(page.get_by_text("Тестовая школа web").first).to_be_visible()
        nav = page.get_by_role("navigation", name="Разделы")
        await expect(nav.get_by_role("link", name="Мои дети")).to_be_visible()
        await expect(nav.get_by_role("link", name="Группы и классы")).to_have_count(0)
        await page.screenshot(path=shot(f"guardian-home-{name}"), full_page=True)
        # A phone shows the page without sideways scrolling.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: {width}px wide"
        await page.get_by_role("button", name="Выйти").click()
        await expect(page).to_have_url(re.compile(r"/login$"))
        await context.close()


async def test_staff_see_only_the_sections_their_permissions_allow(
    system: System, browser: Browser, school: dict[str, Any]
) -> None:
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "teacher.web", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await expect(nav.get_by_role("link", name="Группы и классы")).to_be_visible()
    for hidden in ("Книга движения", "Учётные записи и памятки", "Организации региона", "Мои дети"):
        await expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    await nav.get_by_role("link", name="Группы и классы").click()
    await page.get_by_role("link", name="2Б").click()
    await expect(page.get_by_text("Ребёнков Илья")).to_be_visible()
    await page.screenshot(path=shot("teacher-roster-desktop"), full_page=True)
    # Typing the address of a hidden section does not open it.
    response = await page.goto(f"{base}/orders")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", name="Недостаточно прав")).to_be_visible()
    await page.get_by_role("button", name="Выйти").click()

    await _sign_in(page, base, "admin.web", PASSWORD)
    for shown in ("Группы и классы", "Книга движения", "Учётные записи и памятки"):
        await expect(nav.get_by_role("link", name=shown)).to_be_visible()
    await page.screenshot(path=shot("admin-home-desktop"), full_page=True)
    await nav.get_by_role("link", name="Учётные записи и памятки").click()
    await page.get_by_role("link", name="Обучающиеся").click()
    await page.get_by_role("button", name="Выдать одноразовый пароль: Ребёнков Илья").click()
    await expect(page.get_by_role("heading", name="Памятка для входа")).to_be_visible()
    await expect(page.locator(".slip .mono").nth(1)).to_have_text(re.compile(r"^[A-Za-z0-9]{10}$"))
    await page.screenshot(path=shot("credential-slip-desktop"), full_page=True)
    await context.close()


_CONTRAST = """
() => {
  const lum = (c) => {
    const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const out = [];
  for (const el of document.querySelectorAll("h1, h2, p, a, label, button, td, th, dt, dd, li, span, legend")) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(el.tagName + " " + el.textContent.trim().slice(0, 30) + " " + ratio.toFixed(2));
  }
  return out;
}
"""

_UNLABELLED = """
() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
  .map(e => e.name || e.id)
"""


async def test_pages_work_with_the_keyboard_and_stay_readable(
    system: System, browser: Browser, school: dict[str, Any]
) -> None:
    base = system.url("portal")
    context = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await context.new_page()
    await page.goto(f"{base}/login")
    assert await page.get_attribute("html", "lang") == "ru"
    # Keyboard only: the skip link first, then (past the home link) the login, the
    # password and the button, each showing where the focus is.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Перейти к содержимому"
    for _ in range(3):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "login":
            break
    assert await page.evaluate("document.activeElement.id") == "login"
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field shows no focus"
    await page.keyboard.type("admin.web")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Войти"
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name=re.compile("Здравствуйте"))).to_be_visible()
    for path in (
        "/login",
        "/",
        "/groups",
        "/accounts",
        "/orders",
        "/orders/new/enrolment",
        "/orders/new/transfer",
        "/students",
        "/organisation/profile",
        "/structure",
        "/transfers",
        "/admissions",
        "/imports",
        "/staff-files",
        "/schedule/year",
        "/schedule/plans",
        "/schedule/load",
        "/schedule/timetable",
        "/schedule/changes",
        "/schedule/lessons",
        "/schedule/exams",
        "/journal",
        "/journal/periods",
        "/journal/settings",
        "/journal/plans",
        "/journal/class",
        "/reports",
        "/reports/compliance",
        "/reports/jobs",
        "/reports/constructor",
        "/my/timetable",
        "/password",
    ):
        if path == "/login":
            anonymous = await browser.new_context(viewport=PHONE)
            probe = await anonymous.new_page()
            await probe.goto(f"{base}{path}")
        else:
            probe = page
            await probe.goto(f"{base}{path}")
        assert await probe.evaluate(_UNLABELLED) == [], path
        assert await probe.evaluate(_CONTRAST) == [], path
        assert await probe.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        if path == "/login":
            await anonymous.close()
        if path in (
            "/structure",
            "/imports",
            "/journal/settings",
            "/reports/compliance",
            "/reports/constructor",
        ):
            await probe.screenshot(
                path=shot(f"sweep{path.replace('/', '-')}-phone"), full_page=True
            )
    await page.screenshot(path=shot("admin-password-phone"), full_page=True)
    await context.close()


async def test_the_region_registers_a_school_whose_administrator_then_signs_in(
    system: System, browser: Browser
) -> None:
    system.seed_ministry("webregion")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "region.webregion", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await nav.get_by_role("link", name="Организации региона").click()
    await page.get_by_role("link", name="Зарегистрировать организацию").click()
    await page.get_by_label("Полное наименование").fill("МАОУ «Лицей № 3 имени А. С. Пушкина»")
    await page.get_by_label("Краткое наименование").fill("Лицей № 3")
    await page.get_by_label("Код в реестре").fill("Лицей 3")  # not a code: refused, kept
    await page.get_by_label("Муниципальный район или городской округ").fill("Северный район")
    await page.get_by_label("Фамилия").fill("Лицеева")
    await page.get_by_label("Имя", exact=True).fill("Дарья")
    await page.get_by_role("button", name="Зарегистрировать").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.get_by_label("Краткое наименование")).to_have_value("Лицей № 3")
    await page.get_by_label("Код в реестре").fill("lyceum-3")
    await page.get_by_role("button", name="Зарегистрировать").click()
    await expect(page.get_by_text("Организация «Лицей № 3» зарегистрирована.")).to_be_visible()
    login = await page.locator(".slip .mono").nth(0).inner_text()
    password = await page.locator(".slip .mono").nth(1).inner_text()
    await page.screenshot(path=shot("region-registered-desktop"), full_page=True)
    await page.get_by_role("button", name="Выйти").click()

    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, login, password)
    await expect(page).to_have_url(re.compile(r"/password$"))
    await page.get_by_label("Одноразовый (текущий) пароль").fill(password)
    await page.get_by_label("Новый пароль (не короче 8 символов)").fill("Licei-3-Admin!")
    await page.get_by_role("button", name="Сменить пароль").click()
    await expect(page.get_by_text("МАОУ «Лицей № 3 имени А. С. Пушкина»").first).to_be_visible()
    await expect(
        page.get_by_role("navigation", name="Разделы").get_by_role(
            "link", name="Учётные записи и памятки"
        )
    ).to_be_visible()
    await page.screenshot(path=shot("new-school-admin-phone"), full_page=True)
    await phone.close()
    await context.close()
