"""The class teacher's journal of their group across subjects, the reasons of absences
they correct, and one student's history — and what a teacher who is not the class
teacher, and another organisation, must not reach."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared import region
from edureg_shared.events.envelope import stream_name

from .test_grid import _event, _lesson
from .test_settings_and_locks import ADMIN, TEACHER, _period_world


async def test_the_class_teacher_reads_the_group_and_corrects_absence_reasons(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher, path = w["teacher_h"], w["path"]
    a, b, c = w["students"]
    body = {
        "version": 0,
        "topic": "Дроби",
        "marks": [{"student_id": str(a), "work_type": "lesson", "value": "5"}],
        "attendance": [
            {"student_id": str(b), "code": "absent"},
            {"student_id": str(c), "code": "late"},
        ],
    }
    assert (await client.put(path, json=body, headers=teacher)).status_code == 200
    curator = issuer.headers(tenant_id=w["tenant"], user_id=w["curator"], permissions=TEACHER)
    span = {"from": "2026-09-14", "to": "2026-09-20"}
    group_path = f"/api/v1/groups/{w['group']}/journal"

    async def curates() -> bool:
        return (await client.get(group_path, params=span, headers=curator)).status_code == 200

    await eventually(curates, message="the class teacher from contingent")
    journal = (await client.get(group_path, params=span, headers=curator)).json()
    assert [x["topic"] for x in journal["lessons"]] == ["Дроби"]
    assert len(journal["students"]) == 3
    assert [(m["student_id"], m["value"]) for m in journal["marks"]] == [(str(a), "5")]
    mine = (await client.get("/api/v1/my/curated-groups", headers=curator)).json()
    assert mine == [str(w["group"])]

    # The subject teacher is not the class teacher; a span too long is refused.
    assert_problem(await client.get(group_path, params=span, headers=teacher), 403)
    assert_problem(
        await client.get(
            group_path, params={"from": "2026-09-01", "to": "2026-12-01"}, headers=curator
        ),
        422,
    )
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=ADMIN)
    assert_problem(await client.get(group_path, params=span, headers=other), 404)

    # The class teacher says why b was away; nobody else does, and only for an absence.
    reason = f"/api/v1/lessons/{path.split('/')[4]}/attendance/{b}"
    fix = {"code": "ill", "reason": "справка из поликлиники"}
    assert_problem(await client.put(reason, json=fix, headers=teacher), 403)
    assert_problem(await client.put(reason, json={"code": "late"}, headers=curator), 422)
    late = reason.replace(str(b), str(c))
    assert_problem(await client.put(late, json=fix, headers=curator), 404)
    present = reason.replace(str(b), str(a))
    assert_problem(await client.put(present, json=fix, headers=curator), 404)
    assert_problem(await client.put(reason, json=fix, headers=other), 404)
    # A document dated tomorrow is a typo: refused at its field.
    tomorrow = (region.today() + timedelta(days=1)).isoformat()  # the region's tomorrow
    future = assert_problem(
        await client.put(reason, json={**fix, "document_on": tomorrow}, headers=curator), 422
    )
    assert future["errors"][0]["field"] == "document_on"
    r = await client.put(reason, json={**fix, "document_on": "2026-09-08"}, headers=curator)
    assert r.status_code == 200, r.text
    # Announced for the deadline: the document's day and the correction's time, no reason.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}journal.absence.documented.v1",
            stream=stream_name("journal", nats_prefix),
        )

        async def documented() -> list[dict[str, Any]]:
            with contextlib.suppress(nats.errors.TimeoutError):
                return [
                    json.loads(m.data)["data"]
                    for m in await sub.fetch(10, timeout=0.5)
                    if json.loads(m.data)["tenant_id"] == str(w["tenant"])
                ]
            return []

        [announced] = await eventually(documented, message="absence.documented")
    assert (announced["student_id"], announced["document_on"]) == (str(b), "2026-09-08")
    assert "справка" not in json.dumps(announced, ensure_ascii=False)
    grid = (await client.get(path, headers=teacher)).json()
    assert {(x["student_id"], x["code"], x["reason"]) for x in grid["attendance"]} == {
        (str(b), "ill", "справка из поликлиники"),
        (str(c), "late", None),
    }
    # The teacher's grid open before the correction is stale now: nothing is overwritten.
    assert_problem(await client.put(path, json={**body, "version": 1}, headers=teacher), 409)
    # Reloaded, the teacher still cannot put the old kind back over the correction…
    problem = assert_problem(
        await client.put(path, json={**body, "version": 2}, headers=teacher), 403
    )
    assert [e["field"] for e in problem["errors"]] == ["attendance.0.code"]
    # …but saves the grid as it now stands, the correction kept.
    kept = [{"student_id": str(b), **fix}, body["attendance"][1]]
    r = await client.put(path, json={**body, "version": 2, "attendance": kept}, headers=teacher)
    assert r.status_code == 200, r.text

    # The student's history: old and new, by whom — for the class teacher and management.
    history = f"/api/v1/students/{b}/changes"
    changes = (await client.get(history, headers=curator)).json()
    assert [(ch["old"], ch["new"]["code"], ch["changed_by"]) for ch in changes] == [
        ({"code": "absent", "reason": None}, "ill", str(w["curator"])),
        (None, "absent", str(w["teacher"])),
    ]
    assert changes[0]["subject"] == "Алгебра"
    assert_problem(await client.get(history, headers=teacher), 403)
    assert_problem(await client.get(history, headers=other), 404)
    director = issuer.headers(tenant_id=w["tenant"], permissions=["journal.read.all"])
    assert len((await client.get(history, headers=director)).json()) == 2


async def test_the_diary_shows_period_marks_and_what_is_new_since_the_last_visit(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher = w["teacher_h"]
    a = w["students"][0]
    mum = uuid.uuid4()
    # A lesson today: a visit is the diary opened on the current week.
    today, lesson = datetime.now(UTC).date(), uuid.uuid4()
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
                        lesson,
                        w["group"],
                        w["teacher"],
                        today.isoformat(),
                        subject=w["subject"],
                        period_id=str(w["period"]),
                    )
                ],
            },
        ),
    )
    path = f"/api/v1/lessons/{lesson}/grid"

    async def ready() -> bool:
        r = await client.get(path, headers=teacher)
        return r.status_code == 200 and len(r.json()["students"]) == 3

    await eventually(ready, message="today's lesson")
    await infra.publish(
        nats_prefix,
        _event(
            w["tenant"],
            "identity.accounts.provisioned",
            1,
            {"student_id": str(a), "accounts": [{"user_id": str(mum), "kind": "guardian"}]},
        ),
    )
    marks = [
        {"student_id": str(a), "work_type": "lesson", "value": "4"},
        {"student_id": str(a), "work_type": "oral", "value": "5"},
    ]
    assert (
        await client.put(path, json={"version": 0, "marks": marks}, headers=teacher)
    ).status_code == 200
    mother = issuer.headers(tenant_id=w["tenant"], user_id=mum, kind="guardian")
    monday = today - timedelta(days=today.weekday())
    week = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}

    async def diary() -> list[dict[str, object]]:
        return list((await client.get("/api/v1/my/diary", params=week, headers=mother)).json())

    [first] = await eventually(diary, message="the mother's link from identity")
    assert first["last_visit"] is None  # a first visit: nothing is "new"
    assert [m["new"] for m in first["lessons"][0]["marks"]] == [False, False]
    changed = [{**marks[0], "value": "5"}, marks[1]]
    assert (
        await client.put(path, json={"version": 1, "marks": changed}, headers=teacher)
    ).status_code == 200
    body = {**w["query"], "marks": [{"student_id": str(a), "value": "5"}]}
    assert (await client.put("/api/v1/period-marks", json=body, headers=teacher)).status_code == 200
    # Another week looked at: not a visit, what is new stays on show.
    other = {"from": "2026-09-14", "to": "2026-09-20"}
    r = await client.get("/api/v1/my/diary", params=other, headers=mother)
    assert [m["value"] for m in r.json()[0]["new_marks"]] == ["5"]
    [second] = await diary()
    assert second["last_visit"] is not None
    assert {m["work_type"]: m["new"] for m in second["lessons"][0]["marks"]} == {
        "lesson": True,
        "oral": False,
    }
    assert [(m["day"], m["value"]) for m in second["new_marks"]] == [(today.isoformat(), "5")]
    assert [(p["subject"], p["kind"], p["value"]) for p in second["period_marks"]] == [
        ("Алгебра", "period", "5")
    ]
    # Seen now: nothing new on the next visit.
    [third] = await diary()
    assert [m["new"] for m in third["lessons"][0]["marks"]] == [False, False]
    assert third["new_marks"] == []
