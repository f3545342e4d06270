"""A transfer between two organisations in the portal: school A's office expels a pupil
"in connection with a transfer" to school B with the family's consent; B's office finds
the request with the file, accepts it by an enrolment order and signs it; A sees the
request accepted and nothing of B's. A second request is refused with a reason."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in
from .test_orders_journey import _head

pytestmark = pytest.mark.browser


async def _enrolled(system: System, admin: dict[str, str], *surnames: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": "7А", "grade": 7, "academic_year": "2026/2027"}
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
                        "name": "Лев",
                        "birth_date": "2013-04-04",
                        "sex": "m",
                        "guardians": [
                            {"surname": surname + "а", "name": "Нина", "relation": "mother"}
                        ],
                    }
                    for surname in surnames
                ],
            },
        )
        assert r.status_code == 201, r.text
        assert (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).status_code == 200
    return dict(group)


async def _expel_by_transfer(page: Page, base: str, group: str, who: str, number: str) -> None:
    await page.goto(f"{base}/orders/new/expulsion?group={group}")
    await _head(page, number, "2026-11-16")
    await page.get_by_label(re.compile(who)).check()
    await page.get_by_label("Основание").select_option(
        label="В связи с переводом в другую образовательную организацию"
    )
    await page.get_by_label("Куда переводится").select_option(label="Тестовая школа webtrb")
    await page.get_by_label(re.compile("согласие обучающегося")).check()
    await page.get_by_role("button", name="Сохранить проект").click()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")


async def test_a_pupil_moves_from_one_school_to_another(system: System, browser: Browser) -> None:
    tenants = system.seed_organisations("webtra", "webtrb")
    admin_a = await system.login("admin.webtra")
    group_a = await _enrolled(system, admin_a, "Соколов", "Грачёв")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin_a) as c:
        await eventually(
            lambda: c.get("/api/v1/organisations", params={"limit": 200}),
            until=lambda r: tenants["webtrb"] in {o["id"] for o in r.json()["items"]},
            message="school B known to school A",
        )
    admin_b = await system.login("admin.webtrb")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin_b) as c:
        r = await c.post(
            "/api/v1/groups", json={"name": "7Б", "grade": 7, "academic_year": "2026/2027"}
        )
        assert r.status_code == 201, r.text
    base = system.url("portal")

    a = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page_a = await a.new_page()
    await _sign_in(page_a, base, "admin.webtra", PASSWORD)
    await _expel_by_transfer(page_a, base, group_a["id"], "Соколов Лев", "50-о")
    await _expel_by_transfer(page_a, base, group_a["id"], "Грачёв Лев", "51-о")

    b = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page_b = await b.new_page()
    await _sign_in(page_b, base, "admin.webtrb", PASSWORD)
    await (
        page_b.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Переводы между организациями")
        .click()
    )
    await page_b.get_by_role("link", name=re.compile("Соколов Лев")).click()
    await expect(page_b.get_by_text("Тестовая школа webtra")).to_be_visible()
    await expect(page_b.get_by_text("Соколова Нина")).to_be_visible()  # the file came along
    assert await page_b.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page_b.screenshot(path=shot("transfer-request-phone"), full_page=True)
    await page_b.get_by_label("В группу (класс)").select_option(label="7Б (2026/2027)")
    await _head(page_b, "12-к", "2026-11-18")
    await page_b.get_by_role("button", name="Подготовить приказ о зачислении").click()
    await expect(page_b.get_by_role("cell", name=re.compile("Соколов Лев"))).to_be_visible()
    await page_b.get_by_role("button", name="Подписать приказ").click()
    await expect(page_b.get_by_role("status")).to_contain_text("Приказ подписан")
    # The second request refused, with a reason.
    await page_b.goto(f"{base}/transfers")
    await page_b.get_by_role("link", name=re.compile("Грачёв Лев")).click()
    await page_b.get_by_label("Причина отказа").fill("Нет мест в 7-х классах")
    await page_b.get_by_role("button", name="Отказать в переводе").click()
    incoming = page_b.get_by_role("table", name="Запросы о переводе в нашу организацию")
    await expect(incoming.get_by_role("row").filter(has_text="Соколов")).to_contain_text("принят")
    await expect(incoming.get_by_role("row").filter(has_text="Грачёв")).to_contain_text("отказано")
    await b.close()

    await page_a.goto(f"{base}/transfers")
    outgoing = page_a.get_by_role("table", name="Наши запросы о переводе")
    await expect(outgoing.get_by_role("row")).to_have_count(3)
    await expect(outgoing).to_contain_text("принят")
    await expect(outgoing).to_contain_text("отказано")
    await expect(page_a.get_by_text("Нет мест")).to_have_count(0)  # B's reason is B's
    await expect(page_a.get_by_text("7Б")).to_have_count(0)
    await page_a.screenshot(path=shot("transfers-outgoing-desktop"), full_page=True)
    await a.close()
