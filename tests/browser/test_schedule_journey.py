"""The deputy director builds a week for a group in the portal's timetable editor, meets a
clash (the teacher is already in the other class at that time), sees it named and
resolves it; the lessons are generated; a substitution made on the day's changes page is
what the substituting teacher then sees in "my timetable", on a phone."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_journeys import _sign_in

pytestmark = pytest.mark.browser

QUARTERS = [
    {"kind": "quarter", "number": 1, "starts_on": "2026-09-01", "ends_on": "2026-10-25"},
    {"kind": "quarter", "number": 2, "starts_on": "2026-11-05", "ends_on": "2026-12-28"},
]


async def _prepare(system: System, code: str) -> dict[str, Any]:
    """An organisation with two classes, a year, rooms, subjects and two teachers' load
    (set up through the APIs: the journey is the editor)."""
    spec = org_spec(code)
    spec["staff"].append(
        {
            "login": f"teacher2.{code}",
            "password": PASSWORD,
            "surname": "Заменова",
            "name": "Вера",
            "positions": ["teacher"],
        }
    )
    system.seed({"organisations": [spec]})
    admin = await system.login(f"admin.{code}")
    people = {}
    for who in ("teacher", "teacher2"):
        token = await system.login(f"{who}.{code}")
        async with httpx.AsyncClient(base_url=system.url("identity"), headers=token) as c:
            people[who] = (await c.get("/api/v1/me")).json()
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        for name in ("7А", "7Б"):
            r = await c.post(
                "/api/v1/groups", json={"name": name, "grade": 7, "academic_year": "2026/2027"}
            )
            assert r.status_code == 201, r.text
    async with httpx.AsyncClient(base_url=system.url("schedule"), headers=admin) as c:

        async def groups() -> dict[str, Any]:
            found = (await c.get("/api/v1/groups")).json()["items"]
            return {g["name"]: g for g in found}

        found = await eventually(groups, until=lambda g: len(g) == 2, message="groups in schedule")
        year = (
            await c.post(
                "/api/v1/academic-years",
                json={
                    "title": "2026/2027",
                    "starts_on": "2026-09-01",
                    "ends_on": "2027-05-31",
                    "periods": QUARTERS,
                },
            )
        ).json()
        first = next(p for p in year["periods"] if p["number"] == 1)
        for number in ("201", "202"):
            assert (
                await c.post("/api/v1/rooms", json={"number": number, "capacity": 30})
            ).status_code == 201
        math = (await c.post("/api/v1/subjects", json={"name": "Математика"})).json()
        for who, group in (("teacher", "7А"), ("teacher", "7Б"), ("teacher2", "7Б")):
            r = await c.post(
                "/api/v1/load",
                json={
                    "teacher_user_id": people[who]["id"],
                    "teacher_name": people[who]["full_name"],
                    "subject_id": math["id"],
                    "group_id": found[group]["id"],
                    "period_id": first["id"],
                    "hours": 16,
                },
            )
            assert r.status_code == 201, r.text
    return {"people": people, "groups": found, "period": first}


async def test_a_week_is_built_a_clash_resolved_and_a_substitution_seen(
    system: System, browser: Browser
) -> None:
    world = await _prepare(system, "websched")
    teacher = world["people"]["teacher"]["full_name"]
    substitute = world["people"]["teacher2"]["full_name"]
    base = system.url("portal")
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await context.new_page()
    await _sign_in(page, base, "admin.websched", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Расписание групп")
        .click()
    )
    period_label = "1 четверть (01.09.2026 — 25.10.2026)"

    async def open_week(group: str) -> None:
        await page.get_by_label("Группа", exact=True).select_option(label=group)
        await page.get_by_label("Период").select_option(label=period_label)
        await page.get_by_role("button", name="Открыть").click()
        await expect(page.get_by_role("heading", name=f"Расписание группы {group}")).to_be_visible()

    async def add(day: str, number: str, room: str) -> None:
        await page.get_by_label("День").select_option(label=day)
        await page.get_by_label("Урок", exact=True).select_option(label=number)
        await page.get_by_label("Предмет").select_option(label="Математика")
        await page.get_by_label("Преподаватель", exact=True).select_option(label=teacher)
        await page.get_by_label("Кабинет").select_option(label=f"{room}, 30 мест")
        await page.get_by_role("button", name="Добавить в неделю").click()

    await open_week("7А")
    await add("Понедельник", "1", "201")
    await expect(page.get_by_role("status")).to_have_text("Занятие добавлено, накладок нет.")
    week = page.get_by_role("table", name=re.compile("Неделя группы 7А"))
    await expect(week).to_contain_text("Математика")

    await open_week("7Б")
    await add("Понедельник", "1", "202")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text(
        f"пн, 1-й урок: преподаватель {teacher} уже ведёт занятие у группы 7А"
    )
    await page.screenshot(path=shot("timetable-clash-desktop"), full_page=True)
    # The form keeps what was chosen: only the lesson number changes.
    await expect(page.get_by_label("Кабинет")).to_have_value(re.compile(".+"))
    await page.get_by_label("Урок", exact=True).select_option(label="2")
    await page.get_by_role("button", name="Добавить в неделю").click()
    await expect(page.get_by_role("status")).to_have_text("Занятие добавлено, накладок нет.")
    await expect(page.get_by_role("table", name=re.compile("Неделя группы 7Б"))).to_contain_text(
        teacher
    )
    await page.get_by_role("button", name="Сформировать занятия на период").click()
    # Mondays from 1 September to 25 October 2026: 7 September … 19 October.
    await expect(page.get_by_role("status")).to_contain_text("новых 7")
    await page.screenshot(path=shot("timetable-week-desktop"), full_page=True)

    # A form sent by hand with a path instead of an id reaches no other endpoint, and odd
    # values are refused, never a 500.
    csrf = await page.locator("input[name=csrf]").first.input_value()
    crafted = await page.request.post(
        f"{base}/schedule/load/remove", form={"csrf": csrf, "load_id": "../settings#"}
    )
    assert crafted.status == 404
    odd = await page.request.post(
        f"{base}/schedule/year/holiday",
        form={"csrf": csrf, "year_id": "../bells", "title": "x", "grades": "1,²"},
    )
    assert odd.status == 404
    far = await page.request.get(f"{base}/schedule/changes?day=9999-12-31")
    assert far.status == 200

    # On Monday 21 September the teacher is ill: a substitution with its reason.
    await page.goto(f"{base}/schedule/changes?day=2026-09-21")
    await page.get_by_label("Группа", exact=True).select_option(label="7Б")
    await page.get_by_role("button", name="Показать занятия").click()
    card = page.locator("form.card").filter(has_text="2-й урок")
    await card.get_by_label("Что изменить").select_option(label="замена преподавателя")
    await card.get_by_label("Кто заменяет").select_option(label=substitute)
    await card.get_by_label("Причина").fill("Болезнь учителя")
    await card.get_by_role("button", name="Сохранить изменение").click()
    changes = page.get_by_role("table", name="Изменения дня")
    await expect(changes).to_contain_text(f"замена преподавателя: {substitute}")
    await expect(changes).to_contain_text("Болезнь учителя")
    # The teacher who was replaced is told, on her own timetable.
    await page.get_by_role("button", name="Выйти").click()
    await _sign_in(page, base, "teacher.websched", PASSWORD)
    await page.goto(f"{base}/my/timetable?week=2026-09-21")
    told = page.get_by_role("region", name="Изменения этой недели, о которых вам сообщили")
    await expect(told).to_contain_text(
        f"7Б, Математика: замена преподавателя ({substitute}) — Болезнь учителя"
    )
    # ... and the lesson taken by another is no longer in her week (7А's lessons were
    # never generated: that Monday is empty for her).
    monday = page.get_by_role("region", name="Понедельник, 21.09.2026")
    await expect(monday).to_contain_text("Занятий нет.")
    await context.close()

    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, "teacher2.websched", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Моё расписание")
        .click()
    )
    await page.goto(f"{base}/my/timetable?week=2026-09-21")
    monday = page.get_by_role("region", name="Понедельник, 21.09.2026")
    await expect(monday).to_contain_text("Математика")
    await expect(monday).to_contain_text("7Б")
    await expect(monday).to_contain_text("Изменение: Болезнь учителя")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.screenshot(path=shot("my-timetable-phone"), full_page=True)
    # The week before, no lessons of hers.
    await page.get_by_role("link", name="← Прошлая неделя").click()
    await expect(page.get_by_role("region", name="Понедельник, 14.09.2026")).to_contain_text(
        "Занятий нет."
    )
    await phone.close()
