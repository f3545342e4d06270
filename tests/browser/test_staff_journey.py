"""The HR specialist's part in the portal: an HR card, a hiring order for it drafted
from the list and signed on the order's page; a dismissal of someone not yet hired
refused naming them."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_hr_takes_a_teacher_on(system: System, browser: Browser) -> None:
    system.seed_organisations("webhr")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webhr", PASSWORD)
    await page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Кадры").click()
    for surname in ("Новикова", "Старова"):
        await page.get_by_label("Фамилия").fill(surname)
        await page.get_by_label("Имя", exact=True).fill("Вера")
        await page.get_by_label("Должность по штатному расписанию").fill("учитель истории")
        await page.get_by_role("button", name="Создать карточку").click()
    await page.get_by_label(re.compile("Старова Вера")).check()
    await page.get_by_label("Номер приказа").fill("12-лс")
    await page.get_by_label("Дата приказа").fill("2026-09-01")
    await page.get_by_label("Вступает в силу").fill("2026-09-01")
    await page.get_by_role("button", name="Проект приказа об увольнении").click()
    await expect(page.get_by_role("alert")).to_contain_text("Старова Вера")
    await page.get_by_label(re.compile("Старова Вера")).uncheck()
    await page.get_by_label(re.compile("Новикова Вера")).check()
    await page.get_by_label("Должность в системе при приёме").select_option(
        label="учитель/преподаватель"
    )
    await page.get_by_role("button", name="Проект приказа о приёме").click()
    await expect(page.get_by_role("heading", name=re.compile("о приёме на работу"))).to_be_visible()
    await expect(page.get_by_role("cell", name="Новикова Вера")).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await expect(page.get_by_role("link", name="Подготовить приказ об отмене")).to_have_count(0)
    await page.goto(f"{base}/staff-files")
    row = page.get_by_role("row").filter(has_text="Новикова")
    await expect(row).to_contain_text("работает")
    await page.screenshot(path=shot("staff-files-desktop"), full_page=True)
    await context.close()
