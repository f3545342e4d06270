"""A regional monitoring specialist watches a school's journal deadline: the school's
Monday lessons of September stand overdue in the region's console; the teacher enters one
of them late; the specialist sees that lesson move from "overdue" to "entered late", in the
region's charts and in the school's drill-down — with no child named anywhere."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _CONTRAST, _UNLABELLED, _sign_in
from .test_reports_journey import class_with_a_monday_lesson

pytestmark = pytest.mark.browser

SEPTEMBER = "from=2026-09-01&to=2026-09-30"


async def _school(system: System, code: str) -> dict[str, Any]:
    """A class with one pupil and Mathematics on Mondays: four September lessons."""
    return await class_with_a_monday_lesson(system, code, "8В", 8, [("Мониторова", "Лиза", "f")])


async def _row(page: Page, base: str, school: str) -> str:
    await page.goto(f"{base}/region/monitoring?{SEPTEMBER}")
    table = page.get_by_role("table", name="Доля в срок по правилам, по организациям")
    row = table.get_by_role("row", name=re.compile(school))
    return await row.inner_text() if await row.count() else ""


async def test_a_specialist_sees_a_school_enter_its_journal_late(
    system: System, browser: Browser
) -> None:
    ministry = {
        "code": "webmonmin",
        "name": "Министерство образования webmon",
        "kind": "ministry",
        "staff": [
            {
                "login": "monitor.webmon",
                "password": PASSWORD,
                "surname": "Наблюдаева",
                "name": "Мария",
                "positions": ["regional_monitor"],
            }
        ],
    }
    code = "webmonsch"
    spec = {**org_spec(code), "name": "Школа мониторинга", "municipality": "Озёрный район"}
    system.seed({"organisations": [ministry, spec]})
    world = await _school(system, code)
    base = system.url("portal")

    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await desk.new_page()
    await _sign_in(page, base, "monitor.webmon", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Мониторинг региона")
        .click()
    )
    await expect(page.get_by_role("heading", name="Мониторинг региона")).to_be_visible()

    async def four_overdue() -> bool:  # reporting has the lessons from schedule
        return "просрочено 4" in await _row(page, base, "Школа мониторинга")

    await eventually(four_overdue, timeout=60, message="the school's overdue lessons")
    await expect(page.get_by_role("figure", name="Журнал в срок по районам")).to_contain_text(
        "Озёрный район"
    )
    await expect(
        page.get_by_role("figure", name="Заполненность данных по региону")
    ).to_contain_text("Учебные планы групп")
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    assert "Мониторова" not in await page.get_by_role("main").inner_text()
    await page.screenshot(path=shot("monitoring-region-before"), full_page=True)

    # The teacher enters the 7 September lesson today: late.
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=world["teacher"]) as c:
        lesson = world["lesson"]

        async def grid() -> dict[str, Any]:
            r = await c.get(f"/api/v1/lessons/{lesson['id']}/grid")
            return r.json() if r.status_code == 200 else {}

        found = await eventually(grid, until=lambda g: bool(g.get("students")), message="roster")
        r = await c.put(
            f"/api/v1/lessons/{lesson['id']}/grid",
            json={
                "version": found["version"],
                "topic": "Линейные уравнения",
                "marks": [
                    {
                        "student_id": found["students"][0]["student_id"],
                        "work_type": "oral",
                        "value": "4",
                    }
                ],
            },
        )
        assert r.status_code == 200, r.text

    async def one_late() -> bool:
        text = await _row(page, base, "Школа мониторинга")
        return "просрочено 3" in text and "с опозданием 1" in text

    await eventually(one_late, timeout=60, message="the late entry in the region's figures")
    await page.screenshot(path=shot("monitoring-region-after"), full_page=True)

    # Drill-down: the municipality, the school, its rule and the lessons themselves.
    await (
        page.get_by_role("figure", name="Журнал в срок по районам")
        .get_by_role("link", name="Озёрный район")
        .click()
    )
    await expect(
        page.get_by_role("heading", name="Мониторинг региона: Озёрный район")
    ).to_be_visible()
    await (
        page.get_by_role("figure", name="Журнал в срок по организациям")
        .get_by_role("link", name="Школа мониторинга")
        .click()
    )
    await expect(
        page.get_by_role("heading", name="Соблюдение сроков: Школа мониторинга")
    ).to_be_visible()
    # What the school has filled in: its groups' timetables (the lessons are there).
    filled = page.get_by_role("figure", name="Заполненность данных")
    await expect(filled).to_contain_text("Расписание групп")
    await expect(filled).to_contain_text("Тематические планы по предметам")
    # The rule's items: the subject of the load without a thematic plan (no child named).
    await page.get_by_role(
        "link", name="Подробнее: Тематическое планирование внесено по всем предметам"
    ).click()
    plans = page.get_by_role("table", name="Просрочки по правилу")
    await expect(plans).to_contain_text("не сделано, срок прошёл")
    assert "Мониторова" not in await page.get_by_role("main").inner_text()
    assert await page.evaluate(_UNLABELLED) == []
    # On a phone: the table scrolls in its frame, the page does not.
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.screenshot(path=shot("monitoring-items-phone"), full_page=True)
    await page.set_viewport_size(DESKTOP)
    await page.go_back()
    rules = page.get_by_role("table", name=re.compile("Правила регламента"))
    await expect(
        rules.get_by_role("row", name=re.compile("Оценки, посещаемость и тема урока"))
    ).to_contain_text("0,0 %")
    await page.get_by_label("С даты").fill("2026-09-01")
    await page.get_by_label("По дату").fill("2026-09-30")
    await page.get_by_role("button", name="Показать").click()
    lessons = page.get_by_role("table", name="Просроченные уроки")
    await expect(lessons.get_by_role("row")).to_have_count(5)  # the heading and four lessons
    await expect(lessons.get_by_role("row", name=re.compile("07.09.2026"))).to_contain_text(
        "внесён с опозданием"
    )
    await expect(lessons.get_by_role("row", name=re.compile("14.09.2026"))).to_contain_text(
        "не внесён"
    )
    main = await page.get_by_role("main").inner_text()
    assert "Мониторова" not in main
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await desk.close()

    # On a phone the console reads without sideways scrolling.
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "monitor.webmon", PASSWORD)
    await page.goto(f"{base}/region/monitoring?{SEPTEMBER}")
    await expect(page.get_by_role("figure", name="Журнал в срок по организациям")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.screenshot(path=shot("monitoring-region-phone"), full_page=True)
    # The region's profile of deadlines: the specialist reads it, cannot change it.
    await page.goto(f"{base}/region/regulations")
    await expect(
        page.get_by_label(re.compile("Срок в регионе.*Оценки, посещаемость"))
    ).to_be_disabled()
    await expect(page.get_by_role("button", name="Сохранить профиль")).to_have_count(0)
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await phone.close()
