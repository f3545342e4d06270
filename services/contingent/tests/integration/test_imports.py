"""Importing students from CSV and XLSX: every bad row and field in the preview with
nothing saved; a clean file enrolled by draft orders in the background with its
progress; the same file again adds no one; files that are no tables refused."""

from __future__ import annotations

import io
from typing import Any

import httpx
from openpyxl import Workbook

from edureg_devstack.testing.plugin import assert_problem, eventually

from .helpers import make_group

HEADER = "Фамилия;Имя;Отчество;Дата рождения;Пол;СНИЛС;Класс;Представитель: фамилия;Представитель: имя;Представитель: кем приходится"
GOOD = [
    "Алексеев;Игорь;;14.03.2015;м;112-233-445 95;5А;Алексеева;Ирина;мать",
    "Борисова;Мария;Ивановна;02.02.2015;ж;;5А;Борисов;Иван;отец",
]


def _csv(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *lines]).encode(encoding)


async def _upload(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes, name: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/imports/students", headers=headers, files={"file": (name, content)}
    )


async def _apply(client: httpx.AsyncClient, headers: dict[str, str], job: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/imports/{job}/apply",
        headers=headers,
        json={"number": "50-к", "order_date": "2026-09-01", "effective_date": "2026-09-01"},
    )


async def _finished(client: httpx.AsyncClient, headers: dict[str, str], job: str) -> dict[str, Any]:
    return await eventually(
        lambda: _state(client, headers, job),
        until=lambda j: j["status"] in ("done", "failed"),
        message="the import finished",
    )


async def _state(client: httpx.AsyncClient, headers: dict[str, str], job: str) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/imports/{job}", headers=headers)).json())


async def test_a_file_with_a_bad_row_then_fixed_then_imported_again(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    await make_group(client, admin_a, "5А")
    bad = "Волков;;;31.02.2015;x;112-233-445 96;7Я;;;"
    r = await _upload(client, admin_a, _csv([*GOOD, bad], "cp1251"), "класс.csv")
    assert r.status_code == 201, r.text
    preview = r.json()
    assert (preview["total"], preview["valid"], preview["error_rows"]) == (3, 2, 1)
    assert {(e["row"], e["field"]) for e in preview["errors"]} == {
        (4, "name"),
        (4, "birth_date"),
        (4, "sex"),
        (4, "snils"),
        (4, "group"),
    }
    assert all(e["title"] and e["message"] for e in preview["errors"])
    assert "ошибки" in assert_problem(await _apply(client, admin_a, preview["id"]), 422)["detail"]
    assert (await client.get("/api/v1/students", headers=admin_a)).json()["total"] == 0

    # Fixed: imported in the background, two students in one draft enrolment order.
    r = await _upload(client, admin_a, _csv(GOOD), "класс.csv")
    job = r.json()
    assert (job["total"], job["new"], job["matched"]) == (2, 2, 0)
    started = await _apply(client, admin_a, job["id"])
    assert started.status_code == 202, started.text
    done = await _finished(client, admin_a, job["id"])
    assert (done["status"], done["processed"], len(done["order_ids"])) == ("done", 2, 1)
    order = (await client.get(f"/api/v1/orders/{done['order_ids'][0]}", headers=admin_a)).json()
    assert (order["status"], len(order["items"])) == ("draft", 2)
    listed = (
        await client.get("/api/v1/students", headers=admin_a, params={"q": "Алексеев"})
    ).json()
    file = (
        await client.get(f"/api/v1/students/{listed['items'][0]['id']}", headers=admin_a)
    ).json()
    assert (file["snils"], len(file["guardians"])) == ("11223344595", 1)
    assert_problem(await _apply(client, admin_a, job["id"]), 409)  # not twice

    # The same file again: everyone is already on file, no one is added.
    again = (await _upload(client, admin_a, _csv(GOOD), "класс.csv")).json()
    assert (again["new"], again["matched"]) == (0, 2)
    assert (await _apply(client, admin_a, again["id"])).status_code == 202
    assert (await _finished(client, admin_a, again["id"]))["order_ids"] == []
    assert (await client.get("/api/v1/students", headers=admin_a)).json()["total"] == 2

    # Signed, the students are in the export, with the import's columns; imported
    # back, it adds no one.
    signed = await client.post(f"/api/v1/orders/{done['order_ids'][0]}/sign", headers=admin_a)
    assert signed.status_code == 200, signed.text
    exported = await client.get("/api/v1/exports/students.csv", headers=admin_a)
    assert exported.text.lstrip("\ufeff").splitlines()[0].startswith("Фамилия;Имя;Отчество")
    back_answer = await _upload(client, admin_a, exported.content, "back.csv")
    assert back_answer.status_code == 201, back_answer.text
    back = back_answer.json()
    assert (back["valid"], back["new"], back["matched"]) == (2, 0, 2)
    # Another organisation sees neither the job nor the students.
    assert_problem(await client.get(f"/api/v1/imports/{job['id']}", headers=admin_b), 404)
    assert_problem(await _apply(client, admin_b, again["id"]), 404)


async def test_files_that_are_no_tables(client: httpx.AsyncClient, admin_a: dict[str, str]) -> None:
    await make_group(client, admin_a, "5А")
    for content, name, words in [
        (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 10, "list.csv", "двоичные"),
        (b"PK\x03\x04not really a zip", "list.xlsx", "повреждён"),
        (b"just,some,text\n", "list.pdf", "CSV или XLSX"),
        ("Фамилия;Имя\nИванов;Пётр".encode(), "list.csv", "нет столбцов"),
        (b"", "empty.csv", "пуст"),
    ]:
        r = await _upload(client, admin_a, content, name)
        assert words in assert_problem(r, 422)["detail"], (name, r.text)
    # Larger than 10 MiB: refused before anything else.
    huge = await _upload(client, admin_a, b"x" * (10 * 1024 * 1024 + 1), "big.csv")
    assert "МБ" in assert_problem(huge, 413)["detail"]


async def test_a_spreadsheet_with_formulas_and_a_million_empty_rows(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    await make_group(client, admin_a, "5А")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(GOOD[0].split(";"))
    sheet.append(
        [
            '=HYPERLINK("http://x","Иванов")',
            "Пётр",
            "",
            "14.03.2015",
            "м",
            "",
            "5А",
            "Иванова",
            "Анна",
            "мать",
        ]
    )
    sheet.cell(row=1_000_000, column=1, value="")  # a sheet that claims a million rows
    sheet.cell(row=1_000_000, column=2, value=" ")
    buffer = io.BytesIO()
    book.save(buffer)
    r = await _upload(client, admin_a, buffer.getvalue(), "класс.xlsx")
    assert r.status_code == 201, r.text
    preview = r.json()
    assert (preview["total"], preview["valid"]) == (2, 1)
    assert any("Формула" in e["message"] for e in preview["errors"])


async def test_staff_cards_from_a_file_and_who_may_see_which_import(
    client: httpx.AsyncClient, admin_a: dict[str, str], issuer: Any, tenant_a: Any
) -> None:
    hr = issuer.headers(
        tenant_id=tenant_a, permissions=["contingent.staff.read", "contingent.staff.write"]
    )
    office = issuer.headers(tenant_id=tenant_a, permissions=["contingent.orders.write"])
    content = (
        "Фамилия;Имя;Отчество;Дата рождения;Должность;Электронная почта\n"
        "Учителева;Ольга;Петровна;01.02.1980;учитель математики;olga@example.ru\n"
        "Завучева;Анна;;;заместитель директора;не-почта\n"
    ).encode()
    r = await client.post(
        "/api/v1/imports/staff", headers=hr, files={"file": ("staff.csv", content)}
    )
    assert r.status_code == 201, r.text
    preview = r.json()
    assert (preview["kind"], preview["total"], preview["valid"]) == ("staff", 2, 1)
    assert [(e["row"], e["field"]) for e in preview["errors"]] == [(3, "email")]
    # The office does not see HR's import, HR cannot import students.
    assert_problem(await client.get(f"/api/v1/imports/{preview['id']}", headers=office), 404)
    assert_problem(
        await client.post(
            "/api/v1/imports/students", headers=hr, files={"file": ("s.csv", _csv(GOOD))}
        ),
        403,
    )
    fixed = content.replace("не-почта".encode(), b"anna@example.ru")
    job = (
        await client.post("/api/v1/imports/staff", headers=hr, files={"file": ("staff.csv", fixed)})
    ).json()
    assert (
        await client.post(f"/api/v1/imports/{job['id']}/apply", headers=hr, json={})
    ).status_code == 202
    assert (await _finished(client, hr, job["id"]))["status"] == "done"
    cards = (await client.get("/api/v1/employees", headers=hr)).json()["items"]
    assert {(c["surname"], c["status"]) for c in cards} == {
        ("Учителева", "pending"),
        ("Завучева", "pending"),
    }
    again = (
        await client.post("/api/v1/imports/staff", headers=hr, files={"file": ("staff.csv", fixed)})
    ).json()
    assert (again["new"], again["matched"]) == (0, 2)
    # A students' import without its order's number and dates is refused by field.
    await make_group(client, admin_a, "5А")
    students = (await _upload(client, admin_a, _csv(GOOD), "s.csv")).json()
    r = await client.post(f"/api/v1/imports/{students['id']}/apply", headers=admin_a, json={})
    assert {e["field"] for e in assert_problem(r, 422)["errors"]} == {
        "number",
        "order_date",
        "effective_date",
    }
