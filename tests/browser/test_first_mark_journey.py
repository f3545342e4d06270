"""The journey that matters most, every step in the portal: the office enrols a girl by an
order it drafts and signs; her class teacher prints the class's slips; her mother signs
in with the password off the slip and sets her own; the teacher marks the girl and sets
the homework; the class teacher sees it in the class's journal; the mother sees the mark
and the homework — with the worksheet attached to it — in the diary on her phone."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_diary_journey import monday_lesson
from .test_journeys import _CONTRAST, _UNLABELLED, _sign_in
from .test_slips_journey import _read_pdf

pytestmark = pytest.mark.browser

WORKSHEET = b"%PDF-1.4\n% edureg test worksheet\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def test_enrolled_slip_printed_parent_signs_in_teacher_marks_parent_sees(
    system: System, browser: Browser
) -> None:
    code = "webfirst"
    spec = org_spec(code)
    spec["staff"].append(
        {
            "login": f"curator.{code}",
            "password": PASSWORD,
            "surname": "Классная",
            "name": "Вера",
            "positions": ["teacher", "curator"],
        }
    )
    system.seed({"organisations": [spec]})
    admin = await system.login(f"admin.{code}")
    curator_h = await system.login(f"curator.{code}")
    teacher_h = await system.login(f"teacher.{code}")
    async with httpx.AsyncClient(base_url=system.url("identity")) as c:
        curator = (await c.get("/api/v1/me", headers=curator_h)).json()
        teacher = (await c.get("/api/v1/me", headers=teacher_h)).json()
    # What the school set up before the year (other journeys drive these pages).
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups",
                json={
                    "name": "2Б",
                    "grade": 2,
                    "academic_year": "2026/2027",
                    "curator_user_id": curator["id"],
                },
            )
        ).json()
    lesson = await monday_lesson(system, admin, group["id"], teacher)
    base = system.url("portal")

    # 1. The office drafts the enrolment order and signs it.
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True)
    page = await desk.new_page()
    await _sign_in(page, base, f"admin.{code}", PASSWORD)
    await page.goto(f"{base}/orders/new/enrolment")
    await page.get_by_label("Номер приказа").fill("7-к")
    await page.get_by_label("Дата приказа").fill("2026-09-01")
    await page.get_by_label("Вступает в силу").fill("2026-09-01")
    await page.get_by_label("Группа (класс)").select_option(label="2Б (2026/2027)")
    student = page.get_by_role("group", name="Обучающийся")
    await student.get_by_label("Фамилия").fill("Первая")
    await student.get_by_label("Имя", exact=True).fill("Оля")
    await student.get_by_label("Дата рождения").fill("2018-04-04")
    await student.get_by_label("Пол").select_option(label="женский")
    guardian = page.get_by_role("group", name="Законный представитель")
    await guardian.get_by_label("Фамилия").fill("Первая")
    await guardian.get_by_label("Имя", exact=True).fill("Галина")
    await guardian.get_by_label("Кем приходится").select_option(label="мать")
    await page.get_by_role("button", name="Сохранить проект").click()
    await expect(page.get_by_role("heading", name=re.compile("Приказ № 7-к"))).to_be_visible()
    await page.get_by_role("button", name="Подписать приказ").click()
    await expect(page.get_by_role("status")).to_contain_text("Приказ подписан")
    await desk.close()

    # 2. The class teacher prints the class's slips (once identity has the accounts).
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:

        async def mother() -> list[dict[str, str]]:
            r = await c.get("/api/v1/accounts", params={"kind": "guardian"})
            return [a for a in r.json()["items"] if a["full_name"].startswith("Первая")]

        [mum] = await eventually(mother, message="the mother's account")
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True)
    page = await desk.new_page()
    await _sign_in(page, base, f"curator.{code}", PASSWORD)
    await page.goto(f"{base}/groups/{group['id']}")
    async with page.expect_download() as started:
        await page.get_by_role("button", name="Памятки группы (PDF)").click()
    text = _read_pdf(Path(await (await started.value).path()), shot("first-mark-slips-pdf"))
    assert "Первая Галина" in text
    password = dict(re.findall(r"Логин:\s*(\S+)\s*Пароль:\s*(\S+)", text))[mum["login"]]
    await desk.close()

    # 3. The mother signs in with it on her phone and sets her own password.
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU", accept_downloads=True)
    mother_page = await phone.new_page()
    await _sign_in(mother_page, base, mum["login"], password)
    await expect(mother_page).to_have_url(re.compile(r"/password$"))
    await mother_page.get_by_label("Одноразовый (текущий) пароль").fill(password)
    await mother_page.get_by_label("Новый пароль (не короче 8 символов)").fill("Galina-Olya-26")
    await mother_page.get_by_role("button", name="Сменить пароль").click()
    await expect(
        mother_page.get_by_role("heading", name=re.compile("Здравствуйте"))
    ).to_be_visible()

    async def diary_open() -> bool:  # once journal has her link to Оля from identity
        await mother_page.goto(f"{base}/diary")
        return await mother_page.get_by_role("heading", name="Дневник: Первая Оля").count() == 1

    await eventually(diary_open, message="the mother's diary")
    await expect(mother_page.get_by_role("status")).to_have_count(0)  # nothing new yet

    # 4. The teacher marks her and sets the homework.
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await desk.new_page()
    await _sign_in(page, base, f"teacher.{code}", PASSWORD)

    async def on_roster() -> bool:
        await page.goto(f"{base}/journal/lessons/{lesson['id']}")
        return await page.get_by_label("Устный ответ: Первая Оля").count() == 1

    await eventually(on_roster, message="the girl on the lesson's roster")
    await page.get_by_label("Тема урока").fill("Таблица умножения на 2")
    await page.get_by_label("Домашнее задание").fill("Выучить таблицу на 2")
    await page.get_by_label("Устный ответ: Первая Оля").fill("5")
    await page.get_by_role("button", name="Сохранить журнал урока").click()
    await expect(page.get_by_role("status")).to_have_text("Журнал урока сохранён.")
    # A worksheet goes with the homework; a web page is refused next to the field.
    chooser = page.get_by_label("Прикрепить файл")
    await chooser.set_input_files(
        files=[{"name": "page.html", "mimeType": "text/html", "buffer": b"<script>x</script>"}]
    )
    await page.get_by_role("button", name="Прикрепить", exact=True).click()
    await expect(page.locator("#e-file")).to_contain_text("Такой тип файла не принимается")
    await expect(page.get_by_label("Устный ответ: Первая Оля")).to_have_value("5")
    await chooser.set_input_files(
        files=[{"name": "Таблица на 2.pdf", "mimeType": "application/pdf", "buffer": WORKSHEET}]
    )
    await page.get_by_role("button", name="Прикрепить", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Файл прикреплён.")
    await expect(page.get_by_role("link", name="Таблица на 2.pdf")).to_be_visible()
    assert await page.evaluate(_UNLABELLED) == []
    await page.screenshot(path=shot("grid-homework-file-desktop"), full_page=True)
    await desk.close()

    # 5. The class teacher sees it in the class's journal, across subjects.
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await desk.new_page()
    await _sign_in(page, base, f"curator.{code}", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Журнал класса")
        .click()
    )
    await page.goto(f"{base}/journal/class?group={group['id']}&week=2026-09-07")
    table = page.get_by_role("table", name=re.compile("по всем предметам"))
    await expect(table.get_by_role("row", name=re.compile("Первая Оля"))).to_contain_text("5")
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.screenshot(path=shot("class-journal-desktop"), full_page=True)
    await desk.close()

    # 6. The mother sees the mark and the homework in the diary.
    await (
        mother_page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Дневник")
        .click()
    )

    async def monday_shown() -> bool:
        await mother_page.goto(f"{base}/diary?week=2026-09-07")
        return "Таблица умножения на 2" in await mother_page.get_by_role("main").inner_text()

    await eventually(monday_shown, message="the diary of that week")
    monday = mother_page.get_by_role("region", name="Понедельник, 07.09.2026")
    await expect(monday).to_contain_text("Задание: Выучить таблицу на 2")
    await expect(monday).to_contain_text("5 — Устный ответ")
    async with mother_page.expect_download() as got:
        await monday.get_by_role("link", name="Файл к заданию: Таблица на 2.pdf").click()
    saved = Path(await (await got.value).path())
    assert await asyncio.to_thread(saved.read_bytes) == WORKSHEET
    await mother_page.screenshot(path=shot("diary-homework-file-phone"), full_page=True)
    assert await mother_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 7. Her report card (табель) has the subject with the mark's average.
    await (
        mother_page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Табель")
        .click()
    )

    async def card_shown() -> bool:
        await mother_page.goto(f"{base}/report-card")
        table = mother_page.get_by_role("table", name=re.compile("Оценки за периоды"))
        return await table.count() == 1 and "Математика" in await table.inner_text()

    await eventually(card_shown, timeout=60, message="the report card")
    await expect(mother_page.get_by_role("heading", name="Табель: Первая Оля")).to_be_visible()
    await expect(mother_page.get_by_role("row", name=re.compile("Математика"))).to_contain_text(
        "5,00"
    )
    assert await mother_page.evaluate(_UNLABELLED) == []
    assert await mother_page.evaluate(_CONTRAST) == []
    assert await mother_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await mother_page.screenshot(path=shot("report-card-phone"), full_page=True)
    await phone.close()
