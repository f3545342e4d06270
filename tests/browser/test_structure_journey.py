"""An administrator builds a college's structure in the portal: a department, a
specialty whose ОКСО code is mistyped first (shown, then fixed), and a group of that
specialty, which then appears among the groups."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_an_administrator_builds_the_structure(system: System, browser: Browser) -> None:
    system.seed_organisations("webstruct")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webstruct", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Структура организации")
        .click()
    )
    await page.get_by_label("Новое отделение").fill("Отделение информационных технологий")
    await page.get_by_role("button", name="Добавить отделение").click()
    await expect(page.get_by_text("Отделение информационных технологий")).to_have_count(2)
    await page.get_by_label("Код по ОКСО (например 09.02.07)").fill("09.2.07")
    await page.get_by_label("Наименование").fill("Информационные системы и программирование")
    await page.get_by_label("Квалификация").fill("Программист")
    await page.get_by_label("Срок обучения, месяцев").fill("46")
    await page.get_by_role("button", name="Добавить специальность").click()
    await expect(page.get_by_role("alert")).to_contain_text("ОКСО")
    await expect(page.get_by_label("Квалификация")).to_have_value("Программист")  # kept
    await page.get_by_label("Код по ОКСО (например 09.02.07)").fill("09.02.07")
    await page.get_by_role("button", name="Добавить специальность").click()
    specialties = page.get_by_role("table", name="Специальности и профессии")
    await expect(specialties).to_contain_text("09.02.07")
    await page.get_by_label("Название").fill("ИСП-21")
    await page.get_by_label("Класс или курс").fill("1")
    await page.get_by_label("Учебный год (например 2026/2027)").fill("2026/2027")
    await page.get_by_label("Специальность").select_option(
        label="09.02.07 Информационные системы и программирование"
    )
    await page.get_by_label("Источник финансирования").select_option(label="бюджет субъекта РФ")
    await page.get_by_role("button", name="Создать группу").click()
    await expect(page.get_by_role("link", name="Все группы (1)")).to_be_visible()
    await page.screenshot(path=shot("structure-desktop"), full_page=True)
    await page.get_by_role("link", name="Все группы (1)").click()
    await expect(page.get_by_text("ИСП-21")).to_be_visible()
    await context.close()
