"""Thematic plans (КТП): a teacher's topics with hours, typed or imported from XLSX (a bad
row named, nothing taken), given to the group's lessons in order, and the coverage; what
another teacher and another organisation must not do."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
from typing import Any

import httpx
import nats
from openpyxl import Workbook

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name

from .test_grid import _event, _lesson
from .test_settings_and_locks import ADMIN, TEACHER, _period_world


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_plan_is_given_to_the_lessons_in_order_and_its_coverage_shown(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher = w["teacher_h"]
    more = [uuid.uuid4() for _ in range(3)]
    await infra.publish(
        nats_prefix,
        _event(
            w["tenant"],
            "schedule.lesson.scheduled",
            1,
            {
                "group_id": str(w["group"]),
                "lessons": [
                    _lesson(
                        x,
                        w["group"],
                        w["teacher"],
                        f"2026-09-{15 + i}",
                        subject=w["subject"],
                        period_id=str(w["period"]),
                    )
                    for i, x in enumerate(more)
                ],
            },
        ),
    )
    lessons = [uuid.UUID(w["path"].split("/")[4]), *more]
    plan: dict[str, Any] = {
        "group_id": str(w["group"]),
        "subject_id": str(w["subject"]),
        "title": "Алгебра, 7 класс",
        "topics": [{"title": "Дроби", "hours": 2}, {"title": "Проценты", "hours": 1}],
    }
    r = await client.put("/api/v1/plans", json=plan, headers=teacher)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (saved["version"], saved["hours"]) == (0, 3)
    # Announced for reporting's deadline: its size, not its topics.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}journal.plan.saved.v1", stream=stream_name("journal", nats_prefix)
        )
        got: list[dict[str, Any]] = []

        async def fetch() -> list[dict[str, Any]]:
            with contextlib.suppress(nats.errors.TimeoutError):
                got.extend(json.loads(m.data) for m in await sub.fetch(10, timeout=0.5))
            return [g["data"] for g in got if g["tenant_id"] == str(w["tenant"])]

        [announced] = await eventually(fetch, message="plan.saved")
    assert (announced["plan_id"], announced["topics"], announced["hours"]) == (saved["id"], 2, 3)
    assert "Дроби" not in json.dumps(announced, ensure_ascii=False)
    # Saved again from a page read before: told, nothing lost.
    assert_problem(await client.put("/api/v1/plans", json=plan, headers=teacher), 409)
    stranger = issuer.headers(tenant_id=w["tenant"], permissions=TEACHER)
    assert_problem(
        await client.put("/api/v1/plans", json={**plan, "version": 0}, headers=stranger), 403
    )

    async def planned(lesson: uuid.UUID) -> Any:
        r = await client.get(f"/api/v1/lessons/{lesson}/grid", headers=teacher)
        return r.json().get("planned_topic", "—") if r.status_code == 200 else "—"

    await eventually(lambda: planned(lessons[3]), until=lambda t: t != "—", message="lessons")
    assert [await planned(x) for x in lessons] == ["Дроби", "Дроби", "Проценты", None]

    grid = (await client.get(f"/api/v1/lessons/{lessons[0]}/grid", headers=teacher)).json()
    body = {"version": grid["version"], "topic": "Дроби: сложение"}
    assert (
        await client.put(f"/api/v1/lessons/{lessons[0]}/grid", json=body, headers=teacher)
    ).status_code == 200
    coverage_path = f"/api/v1/plans/{saved['id']}/coverage"
    c = (await client.get(coverage_path, headers=teacher)).json()
    assert (c["planned_hours"], c["scheduled_to_date"], c["given_to_date"], c["beyond_plan"]) == (
        3,
        4,
        1,
        1,
    )
    assert [[x["given"] for x in t["lessons"]] for t in c["topics"]] == [[True, False], [False]]
    curator = issuer.headers(tenant_id=w["tenant"], user_id=w["curator"], permissions=TEACHER)
    assert (await client.get(coverage_path, headers=curator)).status_code == 200
    assert (
        len(
            (
                await client.get(
                    "/api/v1/plans", params={"group_id": str(w["group"])}, headers=curator
                )
            ).json()
        )
        == 1
    )
    assert_problem(await client.get(coverage_path, headers=stranger), 403)
    assert (
        await client.get("/api/v1/plans", params={"group_id": str(w["group"])}, headers=stranger)
    ).json() == []
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=ADMIN)
    assert_problem(await client.get(coverage_path, headers=other), 404)

    # From XLSX: a bad row named, nothing taken; fixed, the topics replaced.
    params = {"group_id": str(w["group"]), "subject_id": str(w["subject"]), "title": "КТП"}
    bad = _xlsx([["№", "Тема", "Часы"], [1, "Уравнения", 2], [2, "Неравенства", "два"], [3, "", 1]])
    r = await client.post(
        "/api/v1/plans/import", params=params, files={"file": ("ktp.xlsx", bad)}, headers=teacher
    )
    problem = assert_problem(r, 422)
    assert [e["field"] for e in problem["errors"]] == ["rows.3.hours", "rows.4.title"]
    assert (await client.get(coverage_path, headers=teacher)).json()["planned_hours"] == 3
    junk = await client.post(
        "/api/v1/plans/import",
        params=params,
        files={"file": ("ktp.xlsx", b"not a workbook")},
        headers=teacher,
    )
    assert_problem(junk, 422)
    good = _xlsx([["Тема", "Часы"], ["Уравнения", 2], ["Неравенства", 3]])
    r = await client.post(
        "/api/v1/plans/import", params=params, files={"file": ("ktp.xlsx", good)}, headers=teacher
    )
    assert r.status_code == 200, r.text
    assert [(t["title"], t["hours"]) for t in r.json()["topics"]] == [
        ("Уравнения", 2),
        ("Неравенства", 3),
    ]
    assert r.json()["version"] == 1
