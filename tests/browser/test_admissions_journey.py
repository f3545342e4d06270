"""The admissions secretary's campaign in the portal: a campaign, applications (an
average no certificate has refused at its field), the ranking in order, and one
enrolment order for the two best, signed."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def _apply(page: Page, surname: str, average: str, day: str) -> None:
    await page.get_by_label("Фамилия", exact=True).fill(surname)
    await page.get_by_label("Имя", exact=True).fill("Денис")
    await page.get_by_label("Дата рождения").fill("2011-03-03")
    await page.get_by_label("Специальность").select_option(
        label="09.02.07 Информационные системы и программирование"
    )
    await page.get_by_label("Дата заявления").fill(day)
    await page.get_by_label("Средний балл аттестата").fill(average)
    await page.get_by_label("Фамилия представителя").fill(surname + "а")
    await page.get_by_label("Имя представителя").fill("Нина")
    await page.get_by_label("Кем приходится").select_option(label="мать")
    await page.get_by_role("button", name="Принять заявление").click()


async def test_a_campaign_ranks_and_enrols(system: System, browser: Browser) -> None:
    system.seed_organisations("webadm")
    admin = await system.login("admin.webadm")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        specialty = (
            await c.post(
                "/api/v1/specialties",
                json={
                    "code": "09.02.07",
                    "name": "Информационные системы и программирование",
                    "qualification": "Программист",
                    "level": "ppssz",
                    "study_form": "full_time",
                    "duration_months": 46,
                },
            )
        ).json()
        await c.post(
            "/api/v1/groups",
            json={
                "name": "ИСП-11",
                "grade": 1,
                "academic_year": "2027/2028",
                "specialty_id": specialty["id"],
            },
        )
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webadm", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Приёмная кампания")
        .click()
    )
    await page.get_by_label("Год").fill("2027")
    await page.get_by_label("Название").fill("Приём 2027 года")
    await page.get_by_label("Приём документов с").fill("2027-06-20")
    await page.get_by_label("по", exact=True).fill("2027-08-15")
    await page.get_by_role("button", name="Создать кампанию").click()
    await _apply(page, "Смирнов", "5,3", "2027-06-21")
    await expect(page.get_by_role("alert")).to_contain_text("балл")
    await expect(page.get_by_label("Фамилия", exact=True)).to_have_value("Смирнов")  # kept
    await page.get_by_label("Средний балл аттестата").fill("4,35")
    await page.get_by_role("button", name="Принять заявление").click()
    await _apply(page, "Кузнецов", "4,80", "2027-06-25")
    await _apply(page, "Попов", "3,90", "2027-06-22")
    rows = page.get_by_role("table", name=re.compile("Рейтинг")).get_by_role("row")
    await expect(rows.nth(1)).to_contain_text("Кузнецов")
    await expect(rows.nth(2)).to_contain_text("Смирнов")
    await expect(rows.nth(3)).to_contain_text("Попов")
    await page.get_by_label(re.compile("Кузнецов Денис")).check()
    await page.get_by_label(re.compile("Смирнов Денис")).check()
    await page.get_by_label("В группу").select_option(label="ИСП-11 (2027/2028)")
    await page.get_by_label("Номер приказа").fill("200-к")
    await page.get_by_label("Дата приказа").fill("2027-08-20")
    await page.get_by_label("Вступает в силу").fill("2027-09-01")
    await page.screenshot(path=shot("admissions-ranking-desktop"), full_page=True)
    await page.get_by_role("button", name="Проект приказа о зачислении").click()
    await expect(page.get_by_role("cell", name=re.compile("Кузнецов Денис"))).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await page.go_back()
    await page.go_back()
    await page.reload()
    await expect(page.get_by_role("row").filter(has_text="Кузнецов")).to_contain_text("зачислен")
    await context.close()
