"""An organisation's administrator creates their own position with chosen rights and
assigns it to a teacher, who then finds the new section; the teacher cannot open the
positions page; the region sees usage as numbers only."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_an_administrator_creates_a_position_and_assigns_it(
    system: System, browser: Browser
) -> None:
    system.seed_organisations("webpos")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webpos", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await nav.get_by_role("link", name="Должности и права").click()
    await expect(page.get_by_role("link", name="Заведующий учебной частью")).to_be_visible()
    await page.get_by_role("link", name="Создать должность").click()
    await page.get_by_label("Название").fill("Директор")  # taken by the regulations' one
    await page.get_by_label("Просмотр приказов").check()
    await page.get_by_role("button", name="Создать должность").click()
    await expect(page.get_by_role("alert")).to_contain_text("уже есть")
    await expect(page.get_by_label("Просмотр приказов")).to_be_checked()  # nothing lost
    await page.get_by_label("Название").fill("Методист")
    await page.get_by_label("Отчёты и соблюдение сроков организации (все группы)").check()
    await page.get_by_role("button", name="Создать должность").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Методист"))
    await expect(row).to_contain_text("своя")
    await page.screenshot(path=shot("positions-desktop"), full_page=True)

    await nav.get_by_role("link", name="Учётные записи и памятки").click()
    await page.get_by_role("link", name="Сотрудники").click()
    await page.get_by_role("link", name=re.compile("Учителева")).click()
    await page.get_by_label("Методист").check()
    await page.get_by_role("button", name="Сохранить должности").click()
    await expect(page.get_by_role("status")).to_contain_text("Должности сохранены")
    await expect(page.get_by_label("Методист")).to_be_checked()
    await expect(page.get_by_label("Учитель/преподаватель")).to_be_checked()
    await page.screenshot(path=shot("staff-card-desktop"), full_page=True)
    await context.close()

    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "teacher.webpos", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await expect(nav.get_by_role("link", name="Книга движения")).to_be_visible()
    await expect(nav.get_by_role("link", name="Должности и права")).to_have_count(0)
    response = await page.goto(f"{base}/positions")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", name="Недостаточно прав")).to_be_visible()
    await phone.close()


async def test_the_region_sees_usage_as_numbers(system: System, browser: Browser) -> None:
    system.seed_organisations("webuse")
    system.seed_ministry("webusage")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "region.webusage", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Использование системы")
        .click()
    )
    row = page.get_by_role("row").filter(has_text="Тестовая школа webuse")
    await expect(row).to_be_visible()
    await expect(page.get_by_text("Учителева")).to_have_count(0)
    await page.screenshot(path=shot("region-usage-desktop"), full_page=True)
    await context.close()
