"""A teacher working in two schools signs in once, on a phone, and chooses the school."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec

from .conftest import PHONE, shot
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
    # A wrong password with the school chosen is the usual refusal, no list of schools.
    await page.get_by_role("button", name="Выйти").click()
    await _sign_in(page, base, "teacher.twice", "Wrong-Pass-1")
    await expect(page.get_by_role("alert")).to_contain_text("Неверный логин или пароль")
    await expect(page.get_by_role("group", name="Организация")).to_have_count(0)
    await context.close()
