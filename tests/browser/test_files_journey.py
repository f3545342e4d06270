"""The academic office finds a pupil by name and completes the personal file: a passport
typed for a 10-year-old is refused at its field with everything else kept; the birth
certificate instead is saved; the change is in the file's history, the new file number
in the heading."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def test_the_office_completes_a_personal_file(system: System, browser: Browser) -> None:
    system.seed_organisations("webfile")
    admin = await system.login("admin.webfile")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": "4А", "grade": 4, "academic_year": "2026/2027"}
            )
        ).json()
        r = await c.post(
            "/api/v1/orders/enrolment",
            json={
                "number": "1-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": group["id"],
                "students": [
                    {
                        "surname": surname,
                        "name": "Алиса",
                        "birth_date": "2016-08-08",
                        "sex": "f",
                        "guardians": [{"surname": surname, "name": "Инна", "relation": "mother"}],
                    }
                    for surname in ("Лисицына", "Волкова")
                ],
            },
        )
        assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200
    base = system.url("portal")
    context = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webfile", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Личные дела")
        .click()
    )
    await page.get_by_label("Фамилия или имя").fill("лис")
    await page.get_by_role("button", name="Найти").click()
    rows = page.get_by_role("row")
    await expect(rows).to_have_count(2)
    await page.get_by_role("link", name=re.compile("Лисицына Алиса")).click()
    await page.get_by_label("Номер личного дела").fill("4А-07")
    await page.get_by_label("Серия паспорта").fill("4516")
    await page.get_by_label("Номер паспорта").fill("123456")
    await page.get_by_label("Из многодетной семьи").check()
    await page.get_by_role("button", name="Сохранить личное дело").click()
    await expect(page.get_by_role("alert")).to_contain_text("Паспорт выдаётся с 14 лет")
    await expect(page.get_by_label("Номер личного дела")).to_have_value("4А-07")  # kept
    await expect(page.get_by_label("Из многодетной семьи")).to_be_checked()
    await page.get_by_label("Серия паспорта").fill("")
    await page.get_by_label("Номер паспорта").fill("")
    await page.get_by_label("Серия (например IV-АН)").fill("III-АН")
    await page.get_by_label("Номер", exact=True).fill("654321")
    await page.get_by_role("button", name="Сохранить личное дело").click()
    await expect(page.get_by_role("status")).to_contain_text("Личное дело сохранено")
    await expect(page.get_by_text("личное дело № 4А-07")).to_be_visible()
    history = page.get_by_role("table", name="Изменения личного дела, новые первыми")
    await expect(history).to_contain_text("III-АН")
    await expect(history).to_contain_text("Из многодетной семьи")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.screenshot(path=shot("personal-file-phone"), full_page=True)
    # Her mother's new phone number, corrected from the file.
    await page.get_by_role("link", name="контакты и исправления").click()
    await page.get_by_label("Телефон").fill("8 900 123")
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.get_by_role("alert")).to_contain_text("Телефон")
    await page.get_by_label("Телефон").fill("+79001234567")
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.get_by_role("status")).to_contain_text("Сохранено")
    await expect(page.get_by_role("table", name="Изменения, новые первыми")).to_contain_text(
        "+79001234567"
    )
    await context.close()
