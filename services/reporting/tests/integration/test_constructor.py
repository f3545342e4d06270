"""The report constructor: datasets and fields from a fixed catalogue, filters, grouping
and totals; saved definitions; everything checked, nothing of another organisation."""

from __future__ import annotations

import io
import uuid

import httpx
import openpyxl

from edureg_devstack.testing.plugin import assert_problem
from edureg_devstack.testing.tokens import TestIssuer

from .test_group_sheets import World, _settled, deputy

DAYS = [
    {"field": "day", "op": "gte", "value": "2026-09-01"},
    {"field": "day", "op": "lte", "value": "2026-10-31"},
]
AVERAGE_BY_SUBJECT = {
    "dataset": "marks",
    "fields": ["subject"],
    "group_by": ["subject"],
    "aggregates": [{"fn": "avg", "field": "score"}, {"fn": "count"}],
    "filters": DAYS,
}


async def test_an_administrator_builds_saves_and_runs_a_report(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    h = deputy(issuer, w)
    await _settled(client, h, w)
    catalogue = (await client.get("/api/v1/constructor/datasets", headers=h)).json()
    sets = {d["key"]: d for d in catalogue["datasets"]}
    assert sets["staff"]["available"] is False
    assert "marks" in sets
    assert sets["marks"]["dated_by"] == "day"

    r = await client.post("/api/v1/constructor/run", json=AVERAGE_BY_SUBJECT, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["title"] for c in body["columns"]] == [
        "Предмет",
        "Среднее: Оценка (число)",
        "Количество: строк",
    ]
    # Mathematics: 4 (changed from 2), 3, 5, 5, 2 — the deleted 5 does not count.
    assert body["rows"] == [["Математика", 3.8, 5], ["Русский язык", 4.0, 1]]

    people = await client.post(
        "/api/v1/constructor/run",
        json={"dataset": "students", "fields": ["group", "student", "active"]},
        headers=h,
    )
    assert [r[1] for r in people.json()["rows"]] == [
        "Алексеева Анна",
        "Борисов Борис",
        "Вяземская Вера",
    ]
    absent = await client.post(
        "/api/v1/constructor/run",
        json={
            "dataset": "attendance",
            "fields": ["student"],
            "group_by": ["student"],
            "aggregates": [{"fn": "count"}],
            "filters": [*DAYS, {"field": "code", "op": "in", "value": ["absent", "ill"]}],
        },
        headers=h,
    )
    assert absent.json()["rows"] == [["Вяземская Вера", 2]]

    saved = await client.post(
        "/api/v1/report-definitions",
        json={"title": "Средний балл по предметам", "definition": AVERAGE_BY_SUBJECT},
        headers=h,
    )
    assert saved.status_code == 201, saved.text
    sid = saved.json()["id"]
    x = await client.post(f"/api/v1/report-definitions/{sid}/run?format=xlsx", headers=h)
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "Средний балл по предметам"
    assert ("Математика", 3.8, 5) in values
    listed = (await client.get("/api/v1/report-definitions", headers=h)).json()
    assert [d["title"] for d in listed] == ["Средний балл по предметам"]
    # Another administrator of the school runs it but does not delete it.
    colleague = issuer.headers(tenant_id=w.tenant, permissions=["reporting.read"])
    assert (
        await client.post(f"/api/v1/report-definitions/{sid}/run", headers=colleague)
    ).status_code == 200
    assert_problem(await client.delete(f"/api/v1/report-definitions/{sid}", headers=colleague), 403)
    assert (await client.delete(f"/api/v1/report-definitions/{sid}", headers=h)).status_code == 204


async def test_a_definition_is_checked_and_sees_only_its_organisation(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    h = deputy(issuer, w)
    await _settled(client, h, w)

    async def refused(definition: dict[str, object]) -> set[str]:
        r = await client.post("/api/v1/constructor/run", json=definition, headers=h)
        return {e["field"] for e in assert_problem(r, 422)["errors"]}

    assert await refused({"dataset": "marks; DROP TABLE marks", "fields": ["group"]}) == {"dataset"}
    assert await refused({"dataset": "students", "fields": ["passport", "group"]}) == {"fields.0"}
    assert await refused(
        {"dataset": "marks", "aggregates": [{"fn": "avg", "field": "value"}], "filters": DAYS}
    ) == {"aggregates.0.field"}
    assert await refused({"dataset": "marks", "fields": ["value"]}) == {"filters"}
    assert await refused(
        {
            "dataset": "marks",
            "fields": ["value"],
            "filters": [
                {"field": "day", "op": "gte", "value": "2016-09-01"},
                {"field": "day", "op": "lte", "value": "2026-09-01"},
            ],
        }
    ) == {"filters"}
    assert await refused(
        {
            "dataset": "students",
            "fields": ["student"],
            "filters": [{"field": "grade", "op": "eq", "value": "седьмой"}],
        }
    ) == {"filters.0.value"}
    assert await refused({"dataset": "staff", "fields": []}) == {"dataset"}
    for value in (1e300, 99999, True, {"x": 1}, [1]):
        assert await refused(
            {
                "dataset": "students",
                "fields": ["student"],
                "filters": [{"field": "grade", "op": "eq", "value": value}],
            }
        ) == {"filters.0.value"}, value
    assert await refused(
        {"dataset": "students", "aggregates": [{"fn": "max", "field": "active"}]}
    ) == {"aggregates.0.field"}
    # A teacher builds no reports; another organisation's administrator finds nothing.
    teacher = issuer.headers(tenant_id=w.tenant, user_id=w.teacher)
    assert_problem(
        await client.post("/api/v1/constructor/run", json=AVERAGE_BY_SUBJECT, headers=teacher), 403
    )
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    r = await client.post("/api/v1/constructor/run", json=AVERAGE_BY_SUBJECT, headers=other)
    assert r.json()["rows"] == []
