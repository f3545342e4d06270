"""A class teacher prints their class's credential slips as one PDF, a parent signs in
with the password read off the printed slip; a teacher who does not curate the class is
not offered the slips."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pypdfium2
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser

CHILDREN = [("Книжкин", "Артём", "Книжкина"), ("Тетрадкина", "Юлия", "Тетрадкин")]


async def _class_of_two(system: System, code: str) -> dict[str, Any]:
    spec = org_spec(code)
    spec["staff"].append(
        {
            "login": f"curator.{code}",
            "password": PASSWORD,
            "surname": "Классная",
            "name": "Мария",
            "positions": ["teacher", "curator"],
        }
    )
    system.seed({"organisations": [spec]})
    curator = await system.login(f"curator.{code}")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=curator) as c:
        curator_id = (await c.get("/api/v1/me")).json()["id"]
    admin = await system.login(f"admin.{code}")
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups",
                json={
                    "name": "3В",
                    "grade": 3,
                    "academic_year": "2026/2027",
                    "curator_user_id": curator_id,
                },
            )
        ).json()
        order = (
            await c.post(
                "/api/v1/orders/enrolment",
                json={
                    "number": "S-1",
                    "order_date": "2026-09-01",
                    "effective_date": "2026-09-01",
                    "group_id": group["id"],
                    "students": [
                        {
                            "surname": surname,
                            "name": name,
                            "birth_date": "2018-03-03",
                            "sex": "m",
                            "guardians": [
                                {"surname": parent, "name": "Ирина", "relation": "mother"}
                            ],
                        }
                        for surname, name, parent in CHILDREN
                    ],
                },
            )
        ).json()
        signed = await c.post(f"/api/v1/orders/{order['id']}/sign")
        assert signed.status_code == 200, signed.text
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:

        async def guardians() -> list[Any]:
            r = await c.get("/api/v1/accounts", params={"kind": "guardian"})
            return list(r.json()["items"])

        found = await eventually(guardians, until=lambda g: len(g) == 2, message="both parents")
    return {**group, "parents": {g["full_name"]: g["login"] for g in found}}


def _read_pdf(path: Path, image: str) -> str:
    """The PDF's text, and its first page as the picture a printer would make of it."""
    doc = pypdfium2.PdfDocument(path)
    try:
        doc[0].render(scale=1.5).to_pil().save(image)
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


async def test_a_curator_prints_the_class_slips_and_a_parent_signs_in(
    system: System, browser: Browser
) -> None:
    group = await _class_of_two(system, "webslip")
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True)
    page = await context.new_page()
    await _sign_in(page, base, "curator.webslip", PASSWORD)
    nav = page.get_by_role("navigation", name="Разделы")
    await nav.get_by_role("link", name="Группы и классы").click()
    await page.get_by_role("link", name=re.compile("3В")).click()
    await expect(page.get_by_role("heading", name="Памятки для входа")).to_be_visible()
    await page.screenshot(path=shot("group-slips-desktop"), full_page=True)
    async with page.expect_download() as started:
        await page.get_by_role("button", name="Памятки группы (PDF)").click()
    download = await started.value
    assert download.suggested_filename.endswith(".pdf")
    text = _read_pdf(Path(await download.path()), shot("slips-pdf-page1"))
    for surname, name, parent in CHILDREN:
        assert f"{surname} {name}" in text
        assert f"{parent} Ирина" in text
    assert "Тестовая школа webslip · Группа 3В" in text
    assert "Выдал(а): Классная Мария" in text
    assert f"Адрес: {base}" in text  # where this region's portal is
    slips = dict(re.findall(r"Логин:\s*(\S+)\s*Пароль:\s*(\S+)", text))
    assert len(slips) == 4
    # The reminder list: nobody is overdue on the day the accounts were made.
    await nav.get_by_role("link", name="Учётные записи и памятки").click()
    await page.get_by_role("link", name="Не вошли в систему за 3 рабочих дня").click()
    await expect(page.get_by_role("status")).to_contain_text("все вошли вовремя")
    await context.close()

    # A mother types what she reads on her slip, on her phone.
    mother_login = group["parents"]["Книжкина Ирина"]
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, mother_login, slips[mother_login])
    await expect(page).to_have_url(re.compile(r"/password$"))
    await phone.close()

    # A teacher who does not curate the class sees the class but no slips to print.
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "teacher.webslip", PASSWORD)
    await page.goto(f"{base}/groups/{group['id']}")
    await expect(page.get_by_role("heading", name="Группа 3В")).to_be_visible()
    await expect(page.get_by_role("button", name="Памятки группы (PDF)")).to_have_count(0)
    # Nor does the form sent by hand with the teacher's own session get any PDF.
    csrf = await page.locator('input[name="csrf"]').first.get_attribute("value")
    forged = await page.request.post(f"{base}/groups/{group['id']}/slips", form={"csrf": csrf})
    assert forged.status == 403
    assert "Недостаточно прав" in await forged.text()
    assert forged.headers["content-type"].startswith("text/html")
    await context.close()
