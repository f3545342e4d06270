"""A deputy director reads a class's summary sheet of marks in the portal and downloads it
as XLSX and as PDF: the files open (the XLSX parsed, the PDF rendered to an image), with
the children's names in Cyrillic and the figures the teacher's marks give."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from playwright.async_api import Browser, expect

from edureg_devstack.system import PASSWORD, System, org_spec
from edureg_devstack.testing.plugin import eventually

from .conftest import DESKTOP, PHONE, shot
from .test_diary_journey import monday_lesson
from .test_journeys import _CONTRAST, _UNLABELLED, _sign_in
from .test_slips_journey import _read_pdf

pytestmark = pytest.mark.browser

CHILDREN = (("Отличникова", "Ира", "5"), ("Троечников", "Петя", "3"))


async def class_with_a_monday_lesson(
    system: System, code: str, name: str, grade: int, children: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """A class of `children` (surname, name, sex) enrolled by a signed order, and its
    Mathematics on Mondays with the organisation's teacher (the lesson of 7 September)."""
    admin = await system.login(f"admin.{code}")
    teacher = await system.login(f"teacher.{code}")
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=teacher) as c:
        me = (await c.get("/api/v1/me")).json()
    async with httpx.AsyncClient(base_url=system.url("contingent"), headers=admin) as c:
        group = (
            await c.post(
                "/api/v1/groups", json={"name": name, "grade": grade, "academic_year": "2026/2027"}
            )
        ).json()
        order = (
            await c.post(
                "/api/v1/orders/enrolment",
                json={
                    "number": f"{code}-1",
                    "order_date": "2026-08-31",
                    "effective_date": "2026-09-01",
                    "group_id": group["id"],
                    "students": [
                        {
                            "surname": surname,
                            "name": first,
                            "birth_date": "2013-03-03",
                            "sex": sex,
                            "guardians": [
                                {"surname": surname, "name": "Мама", "relation": "mother"}
                            ],
                        }
                        for surname, first, sex in children
                    ],
                },
            )
        ).json()
        assert (await c.post(f"/api/v1/orders/{order['id']}/sign")).status_code == 200
    lesson = await monday_lesson(system, admin, group["id"], me)
    return {"group": group, "lesson": lesson, "teacher": teacher}


async def _marked_class(system: System, code: str) -> dict[str, Any]:
    """A class of two, a Monday lesson of Mathematics, and the teacher's marks in it."""
    world = await class_with_a_monday_lesson(
        system, code, "6Г", 6, [(s, n, "f" if n == "Ира" else "m") for s, n, _ in CHILDREN]
    )
    group, lesson, teacher = world["group"], world["lesson"], world["teacher"]
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=teacher) as c:

        async def grid() -> dict[str, Any]:
            r = await c.get(f"/api/v1/lessons/{lesson['id']}/grid")
            return r.json() if r.status_code == 200 else {}

        found = await eventually(
            grid, until=lambda g: len(g.get("students", [])) == 2, message="the roster"
        )
        ids = {s["display_name"]: s["student_id"] for s in found["students"]}
        r = await c.put(
            f"/api/v1/lessons/{lesson['id']}/grid",
            json={
                "version": found["version"],
                "topic": "Десятичные дроби",
                "marks": [
                    {"student_id": ids[f"{s} {n}"], "work_type": "oral", "value": v}
                    for s, n, v in CHILDREN
                ],
            },
        )
        assert r.status_code == 200, r.text
    return {"group": group}


async def test_a_deputy_reads_and_downloads_the_summary_sheet_of_marks(
    system: System, browser: Browser
) -> None:
    code = "webreport"
    spec = org_spec(code)
    spec["staff"].append(
        {
            "login": f"deputy.{code}",
            "password": PASSWORD,
            "surname": "Завучева",
            "name": "Зоя",
            "positions": ["deputy_director"],
        }
    )
    system.seed({"organisations": [spec]})
    world = await _marked_class(system, code)
    base = system.url("portal")

    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU", accept_downloads=True)
    page = await desk.new_page()
    await _sign_in(page, base, f"deputy.{code}", PASSWORD)
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Отчёты групп")
        .click()
    )
    await expect(page.get_by_role("heading", name="Отчёты группы", exact=True)).to_be_visible()
    await page.get_by_label("Группа, класс").select_option(label="6Г (2026/2027)")
    await page.get_by_label("Отчёт", exact=True).select_option(
        label="Сводная ведомость успеваемости"
    )
    await page.get_by_label("Учебный период").select_option(label="— по датам —")
    await page.get_by_label("С даты").fill("2026-09-01")
    await page.get_by_label("По дату").fill("2026-09-30")
    await page.get_by_role("button", name="Показать").click()
    table = page.get_by_role("table", name=re.compile("Итог по предмету"))

    async def marks_arrived() -> bool:  # reporting has the teacher's marks from journal
        if await table.get_by_role("row", name=re.compile("Троечников Петя")).count() == 0:
            await page.reload()
            return False
        text = await table.inner_text()
        if "3,00" not in text:
            await page.reload()
            return False
        return True

    await eventually(marks_arrived, timeout=60, message="the marks in the sheet")
    await expect(table.get_by_role("row", name=re.compile("Отличникова Ира"))).to_contain_text(
        "5,00"
    )
    await expect(table.get_by_role("row", name=re.compile("Отличникова Ира"))).to_contain_text(
        "отличник"
    )
    await expect(table.get_by_role("row", name=re.compile("Успеваемость"))).to_contain_text(
        "100,0 %"
    )
    await expect(table.get_by_role("row", name=re.compile("Качество знаний"))).to_contain_text(
        "50,0 %"
    )
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.screenshot(path=shot("reports-marks-desktop"), full_page=True)
    async with page.expect_download() as started:
        await page.get_by_role("link", name=re.compile("по организации: Excel")).click()
    data = await asyncio.to_thread(Path(await (await started.value).path()).read_bytes)
    summary = [
        v
        for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "Сводный отчёт об успеваемости" in summary
    assert "6Г" in summary
    await table.get_by_role("link", name="Отличникова Ира").click()
    await expect(page.get_by_role("heading", name="Табель: Отличникова Ира")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile("Математика"))).to_contain_text("5,00")
    await page.go_back()

    async with page.expect_download() as started:
        await page.get_by_role("link", name="Скачать: Excel (XLSX)").click()
    download = await started.value
    assert download.suggested_filename.endswith(".xlsx")
    data = await asyncio.to_thread(Path(await download.path()).read_bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][0] == "Сводная ведомость успеваемости"
    ira = next(r for r in rows if "Отличникова Ира" in r)
    petya = next(r for r in rows if "Троечников Петя" in r)
    assert 5.0 in ira
    assert "отличник" in ira
    assert 3.0 in petya
    assert any(r[1] == "Качество знаний" and "50,0 %" in r for r in rows)

    async with page.expect_download() as started:
        await page.get_by_role("link", name="Скачать: PDF для печати").click()
    download = await started.value
    assert download.suggested_filename.endswith(".pdf")
    text = _read_pdf(Path(await download.path()), shot("reports-marks-pdf-page1"))
    flat = " ".join(text.split())
    for expected in (
        "Сводная ведомость успеваемости",
        "Группа (класс): 6Г",
        "Отличникова Ира",
        "Троечников Петя",
        "Математика",
    ):
        assert expected in flat, expected

    # Every class at once: a large report, built in the background with its progress.
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Большие отчёты")
        .click()
    )
    await page.get_by_label("Отчёт", exact=True).select_option(
        label="Сводные ведомости успеваемости всех групп"
    )
    await page.get_by_label("Формат файла", exact=True).select_option(label="Excel (XLSX)")
    await page.get_by_label("С даты").fill("2026-09-01")
    await page.get_by_label("По дату").fill("2026-09-30")
    await page.get_by_role("button", name="Заказать отчёт").click()
    job = page.get_by_role("group", name=re.compile("Сводные ведомости успеваемости всех групп"))
    await expect(job.get_by_role("status")).to_have_text("готов", timeout=30_000)
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    async with page.expect_download() as started:
        await job.get_by_role("link", name=re.compile("Скачать")).click()
    data = await asyncio.to_thread(Path(await (await started.value).path()).read_bytes)
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["6Г"]
    # The activity report on the 15th and the 30th (002 5.1), on a schedule.
    await page.get_by_label("Числа месяца (через запятую)").fill("15, 30")
    await page.get_by_role("button", name="Добавить в расписание").click()
    await expect(page.get_by_text("Активность пользователей (XLSX): 15, 30 числа")).to_be_visible()
    # The curators' preliminary reports of every group, every two weeks (001), as PDF.
    await page.get_by_label("Отчёт по расписанию").select_option(
        label="Предварительный отчёт куратора (раз в две недели) — все группы"
    )
    await page.get_by_label("Формат файла по расписанию").select_option(label="PDF для печати")
    await page.get_by_label("Числа месяца (через запятую)").fill("1, 15")
    await page.get_by_role("button", name="Добавить в расписание").click()
    await expect(
        page.get_by_text(
            "Предварительный отчёт куратора (раз в две недели) — все группы (PDF): 1, 15 числа"
        )
    ).to_be_visible()

    # The constructor: the average mark per subject, saved for the school.
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Конструктор отчётов")
        .click()
    )
    await page.get_by_label("Предмет (группировка)").check()
    await page.get_by_label("Функция итога 1").select_option(label="Среднее")
    await page.get_by_label("Поле итога 1").select_option(label="Оценка (число)")
    await page.get_by_label("Функция итога 2").select_option(label="Количество")
    await page.get_by_label("С даты").fill("2026-09-01")
    await page.get_by_label("По дату").fill("2026-09-30")
    await page.get_by_role("button", name="Построить").click()
    result = page.get_by_role("table", name=re.compile("Отчёт конструктора"))
    await expect(result.get_by_role("row", name=re.compile("Математика"))).to_contain_text("4,00")
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.get_by_label("Название для сохранения").fill("Средний балл по предметам")
    await page.get_by_role("button", name="Сохранить отчёт").click()
    await expect(
        page.get_by_role("link", name="Построить: Средний балл по предметам")
    ).to_be_visible()

    # The regulations' named reports: the curator's report of the class, then a student's.
    await (
        page.get_by_role("navigation", name="Разделы")
        .get_by_role("link", name="Отчёты по положениям")
        .click()
    )
    await page.get_by_label("Отчёт", exact=True).select_option(label="Отчёт куратора за период")
    await page.get_by_role("button", name="Показать").click()
    await page.get_by_label("Группа, класс").select_option(label="6Г (2026/2027)")
    await page.get_by_label("Учебный период").select_option(label="— по датам —")
    await page.get_by_label("С даты").fill("2026-09-01")
    await page.get_by_label("По дату").fill("2026-09-30")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.get_by_role("heading", name="Отчёт куратора за период")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile("Троечников Петя"))).to_contain_text(
        "3,00"
    )
    await expect(page.get_by_role("row", name=re.compile("Отличникова Ира"))).to_contain_text(
        "отличник"
    )
    assert await page.evaluate(_UNLABELLED) == []
    assert await page.evaluate(_CONTRAST) == []
    await page.screenshot(path=shot("reports-named-curator-desktop"), full_page=True)
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Скачать: PDF для печати").click()
    download = await started.value
    text = " ".join(
        _read_pdf(Path(await download.path()), shot("reports-named-curator-pdf")).split()
    )
    assert "Отчёт куратора за период" in text
    assert "Троечников Петя" in text
    await page.get_by_label("Отчёт", exact=True).select_option(label="Динамика среднего балла")
    await page.get_by_role("button", name="Показать").click()
    await page.get_by_label("Обучающийся").select_option(label="Троечников Петя")
    await page.get_by_role("button", name="Показать").click()
    await expect(page.get_by_role("row", name=re.compile("Математика"))).to_contain_text("3,00")
    await expect(page.get_by_role("columnheader", name="сен 2026")).to_be_visible()
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Скачать: Excel (XLSX)").click()
    data = await asyncio.to_thread(Path(await (await started.value).path()).read_bytes)
    cells = [
        v
        for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "Динамика среднего балла обучающегося" in cells
    assert "Обучающийся: Троечников Петя" in cells
    await desk.close()

    # On a phone the sheet scrolls inside its frame; the page itself does not.
    phone = await browser.new_context(viewport=PHONE, locale="ru-RU")
    page = await phone.new_page()
    await _sign_in(page, base, f"deputy.{code}", PASSWORD)
    await page.goto(f"{base}/reports?group={world['group']['id']}&from=2026-09-01&to=2026-09-30")
    await expect(page.get_by_role("table")).to_contain_text("Троечников Петя")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.screenshot(path=shot("reports-marks-phone"), full_page=True)
    await page.goto(
        f"{base}/reports/named?kind=curator&group={world['group']['id']}"
        "&from=2026-09-01&to=2026-09-30"
    )
    await expect(page.get_by_role("row", name=re.compile("Троечников Петя"))).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.screenshot(path=shot("reports-named-curator-phone"), full_page=True)
    await phone.close()

    # The teacher of the class sees it too; a teacher of another school does not.
    desk = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    page = await desk.new_page()
    await _sign_in(page, base, f"teacher.{code}", PASSWORD)
    await page.goto(f"{base}/reports")
    await expect(page.get_by_label("Группа, класс")).to_contain_text("6Г")
    # Their own hours: the lesson of 7 September is given.
    await page.goto(f"{base}/reports/named?kind=hours&from=2026-09-01&to=2026-09-30")
    await expect(page.get_by_role("row", name=re.compile("6Г"))).to_contain_text("Математика")
    # The organisation's reports are not theirs to choose.
    await expect(page.get_by_label("Отчёт", exact=True)).not_to_contain_text(
        "Сводный отчёт кураторов"
    )
    await desk.close()
