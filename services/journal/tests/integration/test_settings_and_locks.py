"""An organisation's journal settings (its work types and weights, the thresholds of the
suggested mark, who else may correct a journal or set period marks) and closed periods
(read-only for everyone once schedule says they ended, reopened only by an administrator
with a reason) — through journal's API, from real events; and what others must not do."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import httpx
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name

from .test_grid import _event, _lesson, _world

TEACHER = ["journal.rosters.read", "journal.marks.write"]
ADMIN = [
    "journal.read.all",
    "journal.settings.write",
    "journal.periods.manage",
    "journal.marks.write.any",
]

SETTINGS = {
    "work_types": [
        {"code": "lesson", "title": "Работа на уроке", "weight": 1},
        {"code": "test", "title": "Контрольная работа", "weight": 3},
        {"code": "project", "title": "Проект", "weight": 4},
    ],
    "thresholds": {"five": 4.5, "four": 3.5, "three": 2.5},
}


async def _period_world(
    client: httpx.AsyncClient, infra: Infra, prefix: str, issuer: TestIssuer
) -> dict[str, Any]:
    tenant = uuid.uuid4()
    w = await _world(infra, prefix, tenant)
    subject, period, lesson = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {
                "group_id": str(w["group"]),
                "lessons": [
                    _lesson(
                        lesson,
                        w["group"],
                        w["teacher"],
                        "2026-09-14",
                        subject=subject,
                        period_id=str(period),
                    )
                ],
            },
        ),
    )
    curator = uuid.uuid4()
    await infra.publish(
        prefix,
        _event(
            tenant,
            "contingent.group.created",
            1,
            {"group_id": str(w["group"]), "curator_user_id": str(curator)},
        ),
    )
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.load.assigned",
            1,
            {
                "load_id": str(uuid.uuid4()),
                "teacher_user_id": str(w["teacher"]),
                "subject_id": str(subject),
                "group_id": str(w["group"]),
                "subgroup_id": None,
                "period_id": str(period),
                "hours": 32,
            },
        ),
    )
    teacher = issuer.headers(tenant_id=tenant, user_id=w["teacher"], permissions=TEACHER)
    path = f"/api/v1/lessons/{lesson}/grid"

    async def ready() -> bool:
        r = await client.get(path, headers=teacher)
        return r.status_code == 200 and len(r.json()["students"]) == 3

    await eventually(ready, message="the lesson")
    return {
        **w,
        "tenant": tenant,
        "subject": subject,
        "period": period,
        "path": path,
        "teacher_h": teacher,
        "curator": curator,
        "admin_h": issuer.headers(tenant_id=tenant, permissions=ADMIN),
        "query": {
            "group_id": str(w["group"]),
            "subject_id": str(subject),
            "period_id": str(period),
        },
    }


async def test_an_organisation_sets_its_work_types_thresholds_and_rules(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher, admin, path = w["teacher_h"], w["admin_h"], w["path"]
    a, b, _ = w["students"]
    defaults = (await client.get("/api/v1/settings", headers=teacher)).json()
    assert defaults["customised"] is False
    assert {t["code"] for t in defaults["work_types"]} >= {"lesson", "test", "homework"}
    assert defaults["thresholds"] == {"five": 4.75, "four": 3.75, "three": 2.75}

    # Only the settings' holder changes them; bad settings are named field by field.
    assert_problem(await client.put("/api/v1/settings", json=SETTINGS, headers=teacher), 403)
    bad = {
        "work_types": [
            {"code": "Проект", "title": "Проект", "weight": 2},
            {"code": "lesson", "title": "проект", "weight": 1},
        ],
        "thresholds": {"five": 3.0, "four": 3.5, "three": 2.5},
    }
    fields = [
        e["field"]
        for e in assert_problem(await client.put("/api/v1/settings", json=bad, headers=admin), 422)[
            "errors"
        ]
    ]
    assert fields == ["work_types.0.code", "work_types.1.title", "thresholds"]
    assert (await client.get("/api/v1/settings", headers=teacher)).json()["customised"] is False
    read = (await client.get("/api/v1/settings", headers=admin)).json()["version"]
    r = await client.put("/api/v1/settings", json={**SETTINGS, "version": read}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == read + 1
    # A second administrator saving what they read before: told, nothing of theirs taken.
    stale = {**SETTINGS, "management_edits": True, "version": read}
    assert (
        "уже изменил"
        in assert_problem(await client.put("/api/v1/settings", json=stale, headers=admin), 409)[
            "detail"
        ]
    )
    assert (await client.get("/api/v1/settings", headers=admin)).json()["management_edits"] is False

    # The organisation's own type and weight in the grid, a dropped default refused.
    grid = (await client.get(path, headers=teacher)).json()
    assert grid["work_types"] == {
        "lesson": "Работа на уроке",
        "test": "Контрольная работа",
        "project": "Проект",
    }
    marks = [
        {"student_id": str(a), "work_type": "project", "value": "5"},
        {"student_id": str(a), "work_type": "lesson", "value": "3"},
        {"student_id": str(b), "work_type": "lesson", "value": "4"},
    ]
    dropped = [{"student_id": str(b), "work_type": "homework", "value": "5"}]
    problem = assert_problem(
        await client.put(path, json={"version": 0, "marks": [*marks, *dropped]}, headers=teacher),
        422,
    )
    assert [e["field"] for e in problem["errors"]] == ["marks.3.work_type"]
    saved = (await client.put(path, json={"version": 0, "marks": marks}, headers=teacher)).json()
    assert {m["work_type"]: m["weight"] for m in saved["marks"] if m["student_id"] == str(a)} == {
        "project": 4,
        "lesson": 1,
    }
    # (5·4 + 3·1) / 5 = 4.6: «5» by this organisation's thresholds (it would be «4»).
    sheet = {
        r["student_id"]: r
        for r in (
            await client.get("/api/v1/period-marks", params=w["query"], headers=teacher)
        ).json()
    }
    assert (sheet[str(a)]["average"], sheet[str(a)]["suggested"]) == (4.6, "5")

    # A type with marks is never dropped, only switched off — and its marks stay shown.
    without = {**SETTINGS, "work_types": SETTINGS["work_types"][:2]}
    problem = assert_problem(await client.put("/api/v1/settings", json=without, headers=admin), 422)
    assert "project" in problem["errors"][0]["message"]
    off = {
        **SETTINGS,
        "work_types": [*SETTINGS["work_types"][:2], {**SETTINGS["work_types"][2], "active": False}],
    }
    assert (await client.put("/api/v1/settings", json=off, headers=admin)).status_code == 200
    grid = (await client.get(path, headers=teacher)).json()
    assert grid["work_types"]["project"] == "Проект"
    assert (
        await client.put(path, json={"version": 1, "marks": marks}, headers=teacher)
    ).status_code == 200

    # The director corrects a journal only where the organisation allows it.
    director = issuer.headers(
        tenant_id=w["tenant"], permissions=["journal.read.all", "journal.marks.write.any"]
    )
    fix = {"version": 2, "marks": [*marks[:2], {**marks[2], "value": "5"}]}
    assert_problem(await client.put(path, json=fix, headers=director), 403)
    # The class teacher sets period marks only where the organisation allows it (001 8.5).
    curator = issuer.headers(tenant_id=w["tenant"], user_id=w["curator"], permissions=TEACHER)
    body = {**w["query"], "marks": [{"student_id": str(b), "value": "4"}]}
    assert_problem(await client.put("/api/v1/period-marks", json=body, headers=curator), 403)
    allowing = {**off, "management_edits": True, "curator_sets_period_marks": True}
    assert (await client.put("/api/v1/settings", json=allowing, headers=admin)).status_code == 200
    r = await client.put(path, json=fix, headers=director)
    assert r.status_code == 200, r.text
    r = await client.put("/api/v1/period-marks", json=body, headers=curator)
    assert r.status_code == 200, r.text
    # …but never a stranger, and never another organisation's settings.
    stranger = issuer.headers(tenant_id=w["tenant"], permissions=TEACHER)
    assert_problem(await client.put("/api/v1/period-marks", json=body, headers=stranger), 403)
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=ADMIN)
    assert (await client.get("/api/v1/settings", headers=other)).json()["customised"] is False


async def test_an_ended_period_is_read_only_until_an_administrator_reopens_it(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher, admin, path = w["teacher_h"], w["admin_h"], w["path"]
    a = w["students"][0]
    marks = [{"student_id": str(a), "work_type": "lesson", "value": "4"}]
    assert (
        await client.put(path, json={"version": 0, "marks": marks}, headers=teacher)
    ).status_code == 200
    ended = {
        "academic_year_id": str(uuid.uuid4()),
        "period": {
            "period_id": str(w["period"]),
            "kind": "quarter",
            "number": 1,
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-25",
            "scope": "all",
        },
    }
    await infra.publish(nats_prefix, _event(w["tenant"], "schedule.period.ended", 1, ended))

    async def locked() -> bool:
        return bool((await client.get(path, headers=teacher)).json()["locked"])

    await eventually(locked, message="the period closed")
    # Read-only for everyone: the teacher's grid, the period marks, the director's edits.
    changed = [{**marks[0], "value": "5"}]
    problem = assert_problem(
        await client.put(path, json={"version": 1, "marks": changed}, headers=teacher), 422
    )
    assert "закрыт" in problem["detail"]
    body = {**w["query"], "marks": [{"student_id": str(a), "value": "4"}]}
    assert_problem(await client.put("/api/v1/period-marks", json=body, headers=teacher), 422)
    grid = (await client.get(path, headers=teacher)).json()
    assert [m["value"] for m in grid["marks"]] == ["4"]

    # Only an administrator reopens, and only with a reason.
    reopen = f"/api/v1/periods/{w['period']}/reopen"
    assert_problem(
        await client.post(reopen, json={"reason": "Исправить ошибку"}, headers=teacher), 403
    )
    assert_problem(await client.post(reopen, json={"reason": "надо"}, headers=admin), 422)
    assert_problem(
        await client.post(
            f"/api/v1/periods/{uuid.uuid4()}/reopen", json={"reason": "Исправить"}, headers=admin
        ),
        404,
    )
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=ADMIN)
    assert_problem(
        await client.post(reopen, json={"reason": "Исправить ошибку"}, headers=other), 404
    )
    r = await client.post(reopen, json={"reason": "Ошибка в оценке Иванова"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["locked"] is False
    assert (
        await client.put(path, json={"version": 1, "marks": changed}, headers=teacher)
    ).status_code == 200
    close = f"/api/v1/periods/{w['period']}/close"
    assert (
        await client.post(close, json={"reason": "Исправлено"}, headers=admin)
    ).status_code == 200
    assert_problem(
        await client.put(path, json={"version": 2, "marks": marks}, headers=teacher), 422
    )
    listed = (await client.get("/api/v1/periods/closed", headers=teacher)).json()
    assert [(x["title"], x["locked"], x["changes"]) for x in listed] == [
        ("1-я четверть", True, [])  # a teacher is not shown who reopened it and why
    ]
    listed = (await client.get("/api/v1/periods/closed", headers=admin)).json()
    assert [(ch["action"], ch["reason"]) for ch in listed[0]["changes"]] == [
        ("locked", None),
        ("reopened", "Ошибка в оценке Иванова"),
        ("locked", "Исправлено"),
    ]
    # The same `period.ended` again (a redelivery) changes nothing.
    await infra.publish(nats_prefix, _event(w["tenant"], "schedule.period.ended", 1, ended))

    # Announced for reporting, without the reasons (they may name people).
    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        got: list[dict[str, Any]] = []
        for subject, count in (("journal.period.locked.v1", 2), ("journal.period.reopened.v1", 1)):
            sub = await js.pull_subscribe(
                f"{nats_prefix}{subject}", stream=stream_name("journal", nats_prefix)
            )
            these: list[dict[str, Any]] = []

            async def fetch(sub: Any = sub, these: list[dict[str, Any]] = these) -> int:
                with contextlib.suppress(nats.errors.TimeoutError):
                    these.extend(json.loads(m.data) for m in await sub.fetch(10, timeout=0.5))
                return len(these)

            await eventually(fetch, until=lambda n, count=count: n >= count, message=subject)
            got += these
    assert sorted((g["type"], g["data"]["cause"]) for g in got) == [
        ("journal.period.locked", "administrator"),
        ("journal.period.locked", "ended"),
        ("journal.period.reopened", "administrator"),
    ]
    assert "Иванова" not in json.dumps(got)


async def test_one_mark_for_the_whole_class_skips_the_absent_and_the_marked(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher, path = w["teacher_h"], w["path"]
    a, b, c = w["students"]
    body: dict[str, Any] = {
        "version": 0,
        "marks": [{"student_id": str(b), "work_type": "oral", "value": "4"}],
        "attendance": [
            {"student_id": str(c), "code": "ill"},
            {"student_id": str(a), "code": "late"},
        ],
        "everyone": [{"work_type": "oral", "value": "знач"}],
    }
    problem = assert_problem(await client.put(path, json=body, headers=teacher), 422)
    assert [e["field"] for e in problem["errors"]] == ["everyone.0.value"]
    assert (await client.get(path, headers=teacher)).json()["marks"] == []
    body["everyone"] = [{"work_type": "oral", "value": "5"}]
    saved = (await client.put(path, json=body, headers=teacher)).json()
    assert sorted((m["student_id"], m["value"]) for m in saved["marks"]) == sorted(
        [(str(a), "5"), (str(b), "4")]
    )


async def test_a_distance_lesson_keeps_its_platform_and_time(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    w = await _period_world(client, infra, nats_prefix, issuer)
    teacher, path = w["teacher_h"], w["path"]
    body: dict[str, Any] = {"version": 0, "topic": "Дроби", "delivery": "online"}
    problem = assert_problem(await client.put(path, json=body, headers=teacher), 422)
    assert [e["field"] for e in problem["errors"]] == ["platform"]
    bad_time = {**body, "platform": "Сферум", "online_starts_at": "25:00"}
    problem = assert_problem(await client.put(path, json=bad_time, headers=teacher), 422)
    assert [e["field"] for e in problem["errors"]] == ["online_starts_at"]
    body |= {"platform": "Сферум, класс 5А", "online_starts_at": "09:00"}
    saved = (await client.put(path, json=body, headers=teacher)).json()
    assert (saved["delivery"], saved["platform"], saved["online_starts_at"]) == (
        "online",
        "Сферум, класс 5А",
        "09:00:00",
    )
    # Back to the classroom: the platform and time go with it.
    saved = (
        await client.put(path, json={**body, "version": 1, "delivery": "offline"}, headers=teacher)
    ).json()
    assert (saved["delivery"], saved["platform"], saved["online_starts_at"]) == (
        "offline",
        None,
        None,
    )
