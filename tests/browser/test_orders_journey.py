"""The academic office drafts and signs orders in the movement book: an enrolment whose
bad СНИЛС is shown at its field (nothing typed is lost), fixed and signed; a transfer
dated before the student's enrolment, refused with the student named, fixed and
signed; the book filtered by kind; the new roster in the group's page. A teacher is
offered nothing of it and is refused when sending the form by hand."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from edureg_devstack.system import PASSWORD, System

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser


async def _groups(system: System, admin: dict[str, str]) -> dict[str, Any]:
    out = {}
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        for name in ("5А", "5Б"):
            r = await c.post(
                "/api/v1/groups", json={"name": name, "grade": 5, "academic_year": "2026/2027"}
            )
            assert r.status_code == 201, r.text
            out[name] = r.json()
    return out


async def _head(page: Page, number: str, on: str) -> None:
    await page.get_by_label("Номер приказа").fill(number)
    await page.get_by_label("Дата приказа").fill(on)
    await page.get_by_label("Вступает в силу").fill(on)


async def test_the_office_drafts_and_signs_an_enrolment_and_a_transfer(
    system: System, browser: Browser
) -> None:
    system.seed_organisations("weborders")
    admin = await system.login("admin.weborders")
    groups = await _groups(system, admin)
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.weborders", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Книга движения")
        .click()
    )
    await page.get_by_text("Подготовить приказ").click()
    await page.get_by_role("link", name="Приказ о зачислении").click()
    await _head(page, "1-к", "2026-09-01")
    await page.get_by_label("Группа (класс)").select_option(label="5А (2026/2027)")
    student = page.get_by_role("group", name="Обучающийся")
    await student.get_by_label("Фамилия").fill("Кузнецова")
    await student.get_by_label("Имя", exact=True).fill("Дарья")
    await student.get_by_label("Дата рождения").fill("2015-05-17")
    await student.get_by_label("Пол").select_option(label="женский")
    guardian = page.get_by_role("group", name="Законный представитель")
    await guardian.get_by_label("Фамилия").fill("Кузнецова")
    await guardian.get_by_label("Имя", exact=True).fill("Ирина")
    await guardian.get_by_label("СНИЛС").fill("112-233-445 96")  # a wrong check number
    await guardian.get_by_label("Кем приходится").select_option(label="мать")
    await page.get_by_role("button", name="Сохранить проект").click()
    await expect(page.get_by_role("alert")).to_contain_text("СНИЛС")
    await expect(student.get_by_label("Фамилия")).to_have_value("Кузнецова")  # nothing lost
    await expect(guardian.get_by_label("Имя", exact=True)).to_have_value("Ирина")
    await page.screenshot(path=shot("order-enrolment-error-desktop"), full_page=True)
    await guardian.get_by_label("СНИЛС").fill("112-233-445 95")
    await page.get_by_role("button", name="Сохранить проект").click()
    await expect(page.get_by_role("heading", name=re.compile("Приказ № 1-к"))).to_be_visible()
    await expect(page.get_by_text("проект", exact=True)).to_be_visible()
    await expect(page.get_by_role("cell", name="Кузнецова Дарья")).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_text("подписан", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Подписать приказ")).to_have_count(0)

    # A transfer to 5Б dated before her enrolment: refused, naming her; then fixed.
    await page.goto(f"{base}/orders/new/transfer")
    await page.get_by_label("Группа, где обучающиеся сейчас").select_option(label="5А (2026/2027)")
    await page.get_by_role("button", name="Показать обучающихся").click()
    await _head(page, "2-д", "2026-08-20")
    await page.get_by_label(re.compile("Кузнецова Дарья")).check()
    await page.get_by_label("В группу (класс)").select_option(value=groups["5Б"]["id"])
    await page.get_by_role("button", name="Сохранить проект").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Кузнецова Дарья")
    await expect(alert).to_contain_text("раньше предыдущего приказа")
    await expect(page.get_by_label(re.compile("Кузнецова Дарья"))).to_be_checked()
    await page.get_by_label("Вступает в силу").fill("2026-10-01")
    await page.get_by_role("button", name="Сохранить проект").click()
    await expect(page.get_by_role("heading", name=re.compile("Приказ № 2-д"))).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_text("подписан", exact=True)).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await page.screenshot(path=shot("order-transfer-signed-desktop"), full_page=True)

    # The transfer cancelled by a cancelling order: she is in 5А again.
    await page.get_by_role("link", name="Подготовить приказ об отмене").click()
    await expect(page.get_by_text("Отменяется приказ № 2-д")).to_be_visible()
    await _head(page, "3-д", "2026-10-05")
    await page.get_by_role("button", name="Сохранить проект").click()
    await expect(page.get_by_role("cell", name="Кузнецова Дарья")).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await page.get_by_role("link", name="приказ", exact=True).click()
    await expect(page.get_by_role("heading", name=re.compile("Приказ № 2-д"))).to_be_visible()
    await expect(page.get_by_role("link", name="отменён")).to_be_visible()
    await expect(page.get_by_role("link", name="Подготовить приказ об отмене")).to_have_count(0)
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        found = (await c.get("/api/v1/students", params={"q": "Кузнецова"})).json()["items"]
    assert [s["group_id"] for s in found] == [groups["5А"]["id"]]

    await page.goto(f"{base}/orders")
    await page.get_by_label("Вид приказа").select_option(label="о переводе в другую группу")
    await page.get_by_role("button", name="Показать").click()
    rows = page.get_by_role("row")
    await expect(rows).to_have_count(2)  # the heading and the transfer
    await expect(rows.nth(1)).to_contain_text("2-д")
    # The book by this choice, downloaded for Excel.
    async with page.expect_download() as download:
        await page.get_by_role("link", name=re.compile("Выгрузить книгу")).click()
    saved = await (await download.value).path()
    exported = saved.read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("№ приказа;Дата приказа;Вид")
    assert "Кузнецова Дарья" in exported
    assert "о зачислении" not in exported  # the choice was transfers only
    await context.close()

    # On a phone the form fits the screen; the transfer reached the group's roster.
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "admin.weborders", PASSWORD)
    await page.goto(f"{base}/orders/new/academic_leave?group={groups['5А']['id']}")
    await expect(page.get_by_label(re.compile("Кузнецова Дарья"))).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.screenshot(path=shot("order-leave-form-phone"), full_page=True)
    await phone.close()


async def test_a_teacher_is_offered_no_drafting_and_refused_by_hand(
    system: System, browser: Browser
) -> None:
    system.seed_organisations("webord2")
    admin = await system.login("admin.webord2")
    groups = await _groups(system, admin)
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "teacher.webord2", PASSWORD)
    await expect(page.get_by_role("navigation", name="Разделы")).to_be_visible()
    response = await page.goto(f"{base}/orders")
    assert response is not None
    if response.status == 200:
        await expect(page.get_by_text("Подготовить приказ")).to_have_count(0)
    csrf = await page.locator('input[name="csrf"]').first.get_attribute("value")
    forged = await page.request.post(
        f"{base}/orders/new/transfer",
        form={
            "csrf": csrf or "",
            "number": "9-д",
            "order_date": "2026-10-01",
            "effective_date": "2026-10-01",
            "group": groups["5А"]["id"],
            "to_group_id": groups["5Б"]["id"],
        },
    )
    assert forged.status == 403
    await context.close()
