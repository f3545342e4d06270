"""The office imports a class from a spreadsheet in the portal: a file with one bad row
shows that row and field and saves nothing; the fixed file is imported while the page
shows its progress, and the draft enrolment order it made is signed."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser

HEADER = "Фамилия;Имя;Дата рождения;Пол;Класс;Представитель: фамилия;Представитель: имя"
ROWS = [
    "Яблоков;Артём;10.10.2015;м;3Б;Яблокова;Ольга",
    "Грушева;Вера;11.11.2015;ж;3Б;Грушев;Павел",
]


def _file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("cp1251")


async def test_the_office_imports_a_class(system: System, browser: Browser) -> None:
    system.seed_organisations("webimp")
    admin = await system.login("admin.webimp")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        await c.post(
            "/api/v1/groups", json={"name": "3Б", "grade": 3, "academic_year": "2026/2027"}
        )
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webimp", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Загрузка из файла")
        .click()
    )
    await page.get_by_label("Файл").set_input_files(
        files=[
            {
                "name": "3Б.csv",
                "mimeType": "text/csv",
                "buffer": _file(*ROWS, "Сливин;Лев;32.01.2015;м;3Б;Сливина;Анна"),
            }
        ]
    )
    await page.get_by_role("button", name="Проверить файл").click()
    await expect(page.get_by_role("alert")).to_contain_text("Ошибки в 1 строках")
    errors = page.get_by_role("table", name="Ошибки по строкам и столбцам")
    await expect(errors.get_by_role("row").nth(1)).to_contain_text("4")
    await expect(errors).to_contain_text("Дата рождения")
    await page.screenshot(path=shot("import-errors-desktop"), full_page=True)
    await page.get_by_role("link", name="Загрузить исправленный файл").click()
    await page.get_by_label("Файл").set_input_files(
        files=[
            {
                "name": "3Б.csv",
                "mimeType": "text/csv",
                "buffer": _file(*ROWS, "Сливин;Лев;31.01.2015;м;3Б;Сливина;Анна"),
            }
        ]
    )
    await page.get_by_role("button", name="Проверить файл").click()
    await expect(page.get_by_text("новых обучающихся 3")).to_be_visible()
    await page.get_by_label("Номер приказа").fill("30-к")
    await page.get_by_label("Дата приказа").fill("2026-09-01")
    await page.get_by_label("Вступает в силу").fill("2026-09-01")
    await page.get_by_role("button", name="Загрузить").click()
    # The page refreshes itself until the import is done.
    await expect(page.get_by_role("status")).to_contain_text("Загрузка завершена", timeout=30_000)
    await page.get_by_role("link", name="Проект приказа о зачислении").click()
    await expect(page.get_by_role("cell", name=re.compile("Сливин Лев"))).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await context.close()


async def test_hr_loads_staff_cards_from_a_file(system: System, browser: Browser) -> None:
    system.seed_organisations("webimpstaff")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.webimpstaff", PASSWORD)
    await page.goto(f"{base}/staff-files")
    await page.get_by_role("link", name=re.compile("Загрузить карточки из файла")).click()
    await page.get_by_label("Файл").set_input_files(
        files=[
            {
                "name": "кадры.csv",
                "mimeType": "text/csv",
                "buffer": "Фамилия;Имя;Должность\nСтолярова;Нина;учитель технологии\n".encode(),
            }
        ]
    )
    await page.get_by_role("button", name="Проверить файл").click()
    await expect(page.get_by_text("новых сотрудников 1")).to_be_visible()
    await page.get_by_role("button", name="Загрузить карточки").click()
    await expect(page.get_by_role("status")).to_contain_text("Загрузка завершена", timeout=30_000)
    await page.get_by_role("link", name="К карточкам сотрудников").click()
    await expect(page.get_by_role("row").filter(has_text="Столярова")).to_contain_text(
        "карточка, не принят"
    )
    await context.close()
