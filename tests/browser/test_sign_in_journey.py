"""A teacher working in two schools signs in once, on a phone, and chooses the school."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_a_teacher_of_two_schools_chooses_the_school_at_sign_in(
    system: System, browser: Browser
) -> None:
    teacher = {
        "login": "teacher.twice",
        "password": PASSWORD,
        "surname": "Двоева",
        "name": "Нина",
        "positions": ["teacher"],
    }
    specs = [org_spec("webtwo1"), org_spec("webtwo2")]
    for spec in specs:
        spec["staff"].append(teacher)
    system.seed({"organisations": specs})
    base = system.url("portal")
    context = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "teacher.twice", PASSWORD)
    await expect(page.get_by_role("status")).to_contain_text("выберите, в какую войти")
    group = page.get_by_role("group", name="Организация")
    await expect(group.get_by_role("radio")).to_have_count(2)
    await page.screenshot(path=shot("choose-organisation-phone"), full_page=True)
    # Nothing was signed in yet: the start page still asks to sign in.
    await group.get_by_label("Тестовая школа webtwo2").check()
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page).not_to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_text("Тестовая школа webtwo2").first).to_be_visible()
    await expect(page.get_by_text("Двоева Нина").first).to_be_visible()
    # Her profile shows her sign-ins with their addresses.
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Мой профиль и входы")
        .click()
    )
    await expect(page.get_by_role("heading", name="Последние входы")).to_be_visible()
    await expect(page.get_by_role("cell", name="вход", exact=True).first).to_be_visible()
    # The browser the person used, not the portal's own HTTP client.
    await expect(page.get_by_role("cell", name=re.compile("Chrome"))).not_to_have_count(0)
    await expect(page.get_by_role("cell", name=re.compile("httpx"))).to_have_count(0)
    await page.screenshot(path=shot("profile-phone"), full_page=True)
    # A wrong password with the school chosen is the usual refusal, no list of schools.
    await page.get_by_role("button", name="Выйти").click()
    await _sign_in(page, base, "teacher.twice", "Wrong-Pass-1")
    await expect(page.get_by_role("alert")).to_contain_text("Неверный логин или пароль")
    await expect(page.get_by_role("group", name="Организация")).to_have_count(0)
    await context.close()


async def test_the_region_gives_a_teacher_of_two_schools_one_sign_in(
    system: System, browser: Browser
) -> None:
    first, second = org_spec("webj1"), org_spec("webj2")
    for spec, login in ((first, "kozlova.j1"), (second, "kozlova.j2")):
        spec["staff"].append(
            {
                "login": login,
                "password": PASSWORD,
                "surname": "Козлова",
                "name": "Вера",
                "positions": ["teacher"],
            }
        )
    system.seed({"organisations": [first, second]})
    system.seed_ministry("webjmin")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "region.webjmin", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await nav.get_by_role("link", name="Один вход для сотрудника").click()
    # A typo: another person's login is refused with the reason, nothing joined.
    await page.get_by_label("Логин, под которым человек входит").fill("kozlova.j1")
    await page.get_by_label("Логин учётной записи в другой организации").fill("admin.webj2")
    await page.get_by_role("button", name="Объединить вход").click()
    await expect(page.get_by_role("alert")).to_contain_text("не совпадают")
    await page.get_by_label("Логин учётной записи в другой организации").fill("kozlova.j2")
    await page.get_by_role("button", name="Объединить вход").click()
    await expect(page.get_by_role("status")).to_contain_text("Тестовая школа webj2")
    await page.screenshot(path=shot("join-sign-in-desktop"), full_page=True)
    await context.close()

    # The teacher: the old second login no longer works; the first asks which school.
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "kozlova.j2", PASSWORD)
    await expect(page.get_by_role("alert")).to_contain_text("Неверный логин или пароль")
    await _sign_in(page, base, "kozlova.j1", PASSWORD)
    group = page.get_by_role("group", name="Организация")
    await group.get_by_label("Тестовая школа webj2").check()
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.get_by_text("Тестовая школа webj2").first).to_be_visible()
    await phone.close()
    # The second school's administrator sees the shared sign-in and offers no slip for it.
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webj2", PASSWORD)
    await page.goto(f"{base}/accounts?kind=staff")
    row = page.get_by_role("row").filter(has_text="Козлова Вера")
    await expect(row).to_contain_text("общий вход с другой организацией")
    await expect(row.get_by_role("button")).to_have_count(0)
    await context.close()
