"""The journey that matters most: the school enrols a boy and issues his mother's slip,
the timetable gives his class a lesson, the teacher fills in the lesson's journal in the
portal with the keyboard (a mistyped mark is shown next to its field, nothing typed is
lost), and the mother reads his diary on a phone — topic, homework, the marks with their
kind of work and weight, the week's average — and nothing of another child."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _CONTRAST, _UNLABELLED, _sign_in

pytestmark = pytest.mark.browser


async def monday_lesson(
    system: System, admin: dict[str, str], group_id: str, teacher: dict[str, Any]
) -> dict[str, Any]:
    """The class's first half-year, Mathematics with `teacher` on Mondays, and the lesson
    of Monday 7 September 2026 that schedule made of it."""
    group = {"id": group_id}
    me = teacher
    async with httpx.AsyncClient(base_url=system.url("schedule"), headers=admin) as c:

        async def known() -> bool:
            return any(
                g["id"] == group["id"] for g in (await c.get("/api/v1/groups")).json()["items"]
            )

        await eventually(known, message="the class in schedule")
        year = (
            await c.post(
                "/api/v1/academic-years",
                json={
                    "title": "2026/2027",
                    "starts_on": "2026-09-01",
                    "ends_on": "2027-05-31",
                    "periods": [
                        {
                            "kind": "half",
                            "number": 1,
                            "starts_on": "2026-09-01",
                            "ends_on": "2026-12-28",
                        }
                    ],
                },
            )
        ).json()
        period = year["periods"][0]["id"]
        math = (await c.post("/api/v1/subjects", json={"name": "Математика"})).json()
        room = (await c.post("/api/v1/rooms", json={"number": "12", "capacity": 25})).json()
        r = await c.post(
            "/api/v1/load",
            json={
                "teacher_user_id": me["id"],
                "teacher_name": me["full_name"],
                "subject_id": math["id"],
                "group_id": group["id"],
                "period_id": period,
                "hours": 32,
            },
        )
        assert r.status_code == 201, r.text
        week = [
            {
                "weekday": 1,
                "lesson_number": 1,
                "subject_id": math["id"],
                "teacher_ids": [me["id"]],
                "room_id": room["id"],
            }
        ]
        assert (
            await c.put(f"/api/v1/groups/{group['id']}/timetable/{period}", json={"lessons": week})
        ).status_code == 200
        await c.post(f"/api/v1/groups/{group['id']}/timetable/{period}/lessons", json={})
        [lesson] = (
            await c.get(
                "/api/v1/lessons",
                params={"from": "2026-09-07", "to": "2026-09-07", "group_id": group["id"]},
            )
        ).json()
    return dict(lesson)


async def _prepare(system: System) -> dict[str, Any]:
    system.seed_organisations("webdiary")
    admin = await system.login("admin.webdiary")
    teacher = await system.login("teacher.webdiary")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=teacher) as c:
        me = (await c.get("/api/v1/me")).json()
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": "3В", "grade": 3, "academic_year": "2026/2027"}
            )
        ).json()
        child = {"surname": "Дневников", "name": "Саша", "birth_date": "2018-02-02", "sex": "m"}
        order = (
            await c.post(
                "/api/v1/orders/enrolment",
                json={
                    "number": "D-1",
                    "order_date": "2026-08-31",
                    "effective_date": "2026-09-01",
                    "group_id": group["id"],
                    "students": [
                        {
                            **child,
                            "guardians": [
                                {"surname": "Дневникова", "name": "Нина", "relation": "mother"}
                            ],
                        },
                        {
                            **child,
                            "name": "Петя",
                            "guardians": [
                                {"surname": "Другая", "name": "Мама", "relation": "mother"}
                            ],
                        },
                    ],
                },
            )
        ).json()
        assert (await c.post(f"/api/v1/orders/{order['id']}/sign")).status_code == 200
        sasha = order["items"][0]["student_id"]
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:

        async def mother() -> list[Any]:
            found = (
                await c.get("/api/v1/accounts", params={"kind": "guardian", "limit": 200})
            ).json()["items"]
            return [a for a in found if a["full_name"].startswith("Дневникова")]

        [mum] = await eventually(mother, message="the mother's account")
        slip = (await c.post(f"/api/v1/accounts/{mum['id']}/credentials")).json()
    lesson = await monday_lesson(system, admin, group["id"], me)
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=teacher) as c:

        async def grid() -> bool:
            r = await c.get(f"/api/v1/lessons/{lesson['id']}/grid")
            return r.status_code == 200 and len(r.json()["students"]) == 2

        await eventually(grid, message="the lesson and its roster in journal")
    return {"slip": slip, "sasha": sasha}


async def test_the_teacher_fills_in_the_journal_and_the_mother_reads_the_diary(
    system: System, browser: Browser
) -> None:
    world = await _prepare(system)
    base = system.url("portal")
    slip = world["slip"]
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await desk.new_page()
    await _sign_in(page, base, "teacher.webdiary", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Журнал уроков")
        .click()
    )
    await page.goto(f"{base}/journal?week=2026-09-07")
    await page.get_by_role("link", name="Математика, 3В").click()
    # Every field of the grid is labelled (a screen reader names the student and the
    # kind of work) and readable.
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.get_by_label("Тема урока").fill("Сложение в столбик")
    await page.get_by_label("Домашнее задание").fill("с. 14, № 3")
    # Type, move with the arrows: Петя is the first row, Саша the second.
    await page.get_by_label("Контрольная работа: Дневников Петя").fill("6")
    await page.get_by_label("Контрольная работа: Дневников Петя").press("ArrowDown")
    assert await page.evaluate("document.activeElement.id") == f"m-{world['sasha']}-test"
    await page.keyboard.type("5")
    await page.keyboard.press("ArrowRight")  # from the last column nothing moves
    await page.get_by_label("Устный ответ: Дневников Саша").fill("4")
    await page.get_by_role("button", name="Сохранить журнал урока").click()
    await expect(page.get_by_role("alert")).to_contain_text("не сохранён")
    petya = page.get_by_label("Контрольная работа: Дневников Петя")
    await expect(petya).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Контрольная работа: Дневников Саша")).to_have_value("5")  # kept
    await expect(page.get_by_label("Тема урока")).to_have_value("Сложение в столбик")
    await page.screenshot(path=shot("journal-grid-error-desktop"), full_page=True)
    await petya.fill("2")
    await page.get_by_role("button", name="Сохранить журнал урока").click()
    await expect(page.get_by_role("status")).to_have_text("Журнал урока сохранён.")
    await expect(page.get_by_label("Контрольная работа: Дневников Петя")).to_have_value("2")
    # The lesson's history: what was given, to whom, by whom and when.
    await page.get_by_role("link", name="История изменений урока").click()
    history = page.get_by_role("table", name=re.compile("Изменения оценок и посещаемости"))
    petya_row = history.get_by_role("row", name=re.compile("Дневников Петя"))
    await expect(petya_row).to_contain_text("Контрольная работа")
    await expect(petya_row).to_contain_text("вы")
    await page.get_by_role("link", name="← Журнал урока").click()
    # The half's marks: the average and the suggestion shown; the teacher decides.
    await page.get_by_role("link", name="← Уроки недели").click()
    await page.get_by_role("link", name="Оценки за период").click()
    sheet = page.get_by_role("table", name="Ведомость за период")
    sasha_row = sheet.get_by_role("row", name=re.compile("Дневников Саша"))
    await expect(sasha_row).to_contain_text("4,75")
    await expect(sasha_row.get_by_role("cell").nth(1)).to_have_text("5")
    await page.get_by_label("Оценка за период: Дневников Саша").fill("5")
    await page.get_by_role("button", name="Выставить оценки за период").click()
    await expect(page.get_by_role("status")).to_contain_text("Оценки за период сохранены")
    assert await page.evaluate(_UNLABELLED) == []
    # The year's marks: the year mark suggested from the half's, the final from the year
    # and the exam; a mistyped one shown at its field, the rest kept.
    await page.get_by_role("link", name="Оценки за год и итоговые").click()
    year_sheet = page.get_by_role("table", name="Ведомость года")

    async def year_shown() -> bool:
        await page.reload()
        return await year_sheet.count() == 1

    await eventually(year_shown, message="the academic year in journal")
    sasha = year_sheet.get_by_role("row", name=re.compile("Дневников Саша"))
    await expect(sasha).to_contain_text("предлагается 5")
    await page.get_by_label("Годовая: Дневников Саша").fill("5")
    await page.get_by_label("Экзамен: Дневников Саша").fill("4")
    await page.get_by_label("Итоговая: Дневников Саша").fill("9")
    await page.get_by_role("button", name="Сохранить оценки").click()
    await expect(page.get_by_role("alert")).to_contain_text("не сохранены")
    await expect(page.get_by_label("Итоговая: Дневников Саша")).to_have_attribute(
        "aria-invalid", "true"
    )
    await expect(page.get_by_label("Экзамен: Дневников Саша")).to_have_value("4")
    await page.get_by_label("Итоговая: Дневников Саша").fill("")
    await page.get_by_role("button", name="Сохранить оценки").click()
    await expect(page.get_by_role("status")).to_have_text("Оценки сохранены.")
    # (5 + 4) / 2 = 4.5: the final suggested is 5.
    await expect(sasha.get_by_role("cell").last).to_contain_text("предлагается 5")
    assert await page.evaluate(_UNLABELLED) == []
    await page.screenshot(path=shot("journal-year-desktop"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=shot("journal-year-phone"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.set_viewport_size(DESKTOP)
    # The thematic plan: typed with a mistake (hours missing a number), fixed, its
    # coverage shown against the lessons.
    await page.goto(f"{base}/journal")
    await page.get_by_role("link", name="Тематические планы").click()
    await page.get_by_label("Темы по порядку").fill("Сложение в столбик; 1\nВычитание; два")
    await page.get_by_role("button", name="Сохранить план").click()
    await expect(page.get_by_role("alert")).to_contain_text("План не сохранён")
    await expect(page.get_by_label("Темы по порядку")).to_have_value(
        "Сложение в столбик; 1\nВычитание; два"
    )
    await page.get_by_label("Темы по порядку").fill("Сложение в столбик; 1\nВычитание; 2")
    await page.get_by_role("button", name="Сохранить план").click()
    await expect(page.get_by_role("status")).to_have_text("План сохранён.")
    topics = page.get_by_role("table", name="Темы по датам уроков")
    await expect(topics.get_by_role("row", name=re.compile("Сложение в столбик"))).to_contain_text(
        "07.09.2026 ✓"
    )
    assert await page.evaluate(_UNLABELLED) == []
    await desk.close()

    context = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, slip["login"], slip["password"])
    await expect(page).to_have_url(re.compile(r"/password$"))
    await page.get_by_label("Одноразовый (текущий) пароль").fill(slip["password"])
    await page.get_by_label("Новый пароль (не короче 8 символов)").fill("Mama-Nina-2026")
    await page.get_by_role("button", name="Сменить пароль").click()
    await page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Дневник").click()
    await expect(page.get_by_role("heading", name="Дневник: Дневников Саша")).to_be_visible(
        timeout=20_000
    )

    async def monday_shown() -> bool:
        await page.goto(f"{base}/diary?week=2026-09-07")
        return "Сложение в столбик" in await page.get_by_role("main").inner_text()

    await eventually(monday_shown, message="the diary of that week")
    await expect(page.get_by_role("heading", name="Дневник: Дневников Саша")).to_be_visible()
    monday = page.get_by_role("region", name="Понедельник, 07.09.2026")
    await expect(monday).to_contain_text("Математика")
    await expect(monday).to_contain_text("Задание: с. 14, № 3")
    await expect(monday).to_contain_text("5 — Контрольная работа (вес 3)")
    await expect(monday).to_contain_text("4 — Устный ответ")
    await expect(monday).not_to_contain_text("2 —")  # another child's mark
    averages = page.get_by_role("table", name="Средний балл по предметам")
    await expect(averages).to_contain_text("4,75")  # (5·3 + 4·1) / 4
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.screenshot(path=shot("diary-phone"), full_page=True)
    await context.close()
