"""Exports: the movement book for a period, one line per student of each order, and the
contingent register with the organisation's numbers; formulas written as text; each
export audited; another organisation's lines never in them."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.db import Database, create_engine

from .helpers import enrol, make_group, student
from .test_profile import CARD


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


async def test_the_book_and_the_register(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    db: ServiceDatabase,
    issuer: TestIssuer,
    tenant_a: uuid.UUID,
) -> None:
    await client.put("/api/v1/profile", headers=admin_a, json={**CARD, "version": 0})
    group = await make_group(client, admin_a)
    await enrol(client, admin_a, group, [student("Иванов", "Пётр"), student("Петров", "Иван")])
    other = await make_group(client, admin_b)
    await enrol(client, admin_b, other, [student("Чужой", "Олег")])
    # A name a spreadsheet would take for a formula (a hyphenated surname starting with
    # «-» cannot be entered; the file number can): written as text.
    listed = (await client.get("/api/v1/students", headers=admin_a)).json()["items"]
    file = (await client.get(f"/api/v1/students/{listed[0]['id']}", headers=admin_a)).json()
    keep = [
        k
        for k in file
        if k not in ("id", "status", "group_id", "guardians", "history", "created_at")
    ]
    r = await client.put(
        f"/api/v1/students/{file['id']}",
        headers=admin_a,
        json={**{k: file[k] for k in keep}, "file_number": "=1+1"},
    )
    assert r.status_code == 200, r.text

    book = _rows(await client.get("/api/v1/exports/orders.csv", headers=admin_a))
    assert book[0][:3] == ["№ приказа", "Дата приказа", "Вид"]
    assert sorted(line[4].split()[0] for line in book[1:]) == ["Иванов", "Петров"]
    assert {line[2] for line in book[1:]} == {"о зачислении"}
    assert not any("Чужой" in cell for line in book for cell in line)
    only_expulsions = _rows(
        await client.get(
            "/api/v1/exports/orders.csv", headers=admin_a, params={"kind": "expulsion"}
        )
    )
    assert only_expulsions[1:] == []

    register = _rows(await client.get("/api/v1/exports/contingent-register.csv", headers=admin_a))
    header = register[0]
    lines = [dict(zip(header, line, strict=True)) for line in register[1:]]
    assert {x["Фамилия"] for x in lines} == {"Иванов", "Петров"}
    assert {x["ОГРН организации"] for x in lines} == {"1027700132195"}
    assert {x["Номер приказа о зачислении"] for x in lines} == {"1-к"}
    students_csv = _rows(await client.get("/api/v1/exports/students.csv", headers=admin_a))
    assert "'=1+1" in [line[6] for line in students_csv]

    # The register is the office's; a curator gets none of it.
    curator = issuer.headers(tenant_id=tenant_a, permissions=["contingent.students.read"])
    assert_problem(
        await client.get("/api/v1/exports/contingent-register.csv", headers=curator), 403
    )
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            exported = (
                (await s.execute(text("SELECT entity FROM audit_log WHERE action = 'export'")))
                .scalars()
                .all()
            )
    finally:
        await admin.dispose()
    assert set(exported) == {"movement_book", "contingent_register", "students"}
