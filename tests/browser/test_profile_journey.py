"""An administrator fills in the organisation's profile: a mistyped ИНН is shown at its
field with everything typed kept, fixed, saved; the change is in the history; the
fields still empty are named. A teacher has no such page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_an_administrator_fills_in_the_profile(system: System, browser: Browser) -> None:
    system.seed_organisations("webprof")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webprof", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Профиль организации")
        .click()
    )
    await expect(page.get_by_text("Не заполнено")).to_contain_text("ИНН")
    await page.get_by_label("ИНН").fill("7707083894")
    await page.get_by_label("КПП").fill("773601001")
    await page.get_by_label("ОГРН").fill("1027700132195")
    await page.get_by_label("Руководитель (ФИО)").fill("Директорова Мария Петровна")
    await page.get_by_role("button", name="Сохранить профиль").click()
    await expect(page.get_by_role("alert")).to_contain_text("контрольная цифра")
    await expect(page.get_by_label("ОГРН")).to_have_value("1027700132195")  # nothing lost
    await expect(page.get_by_label("ИНН")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("ИНН").fill("7707083893")
    await page.get_by_role("button", name="Сохранить профиль").click()
    await expect(page.get_by_role("status")).to_contain_text("Профиль сохранён")
    history = page.get_by_role("table", name="Изменения профиля, новые первыми")
    await expect(history.get_by_role("row").filter(has_text="ИНН")).to_contain_text("7707083893")
    await expect(page.get_by_text("Не заполнено")).not_to_contain_text("ИНН")
    await page.screenshot(path=shot("organisation-profile-desktop"), full_page=True)
    await context.close()

    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "teacher.webprof", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await expect(nav.get_by_role("link", name="Главная")).to_be_visible()
    await expect(nav.get_by_role("link", name="Профиль организации")).to_have_count(0)
    response = await page.goto(f"{base}/organisation/profile")
    assert response is not None
    assert response.status == 403
    await phone.close()
