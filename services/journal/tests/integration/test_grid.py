"""The lesson grid through journal's API, from schedule's and contingent's real events:
saved whole or not at all, a second save of the same version refused (also at the same
moment), every change kept with who and when, announced without names; what another
teacher or another organisation must not do."""

from __future__ import annotations

import asyncio
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
from edureg_shared.events.envelope import Actor, Envelope, stream_name


def _event(tenant: uuid.UUID, type_: str, version: int, data: dict[str, Any]) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=version,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=None,
        data=data,
    )


def _lesson(
    lesson: uuid.UUID, group: uuid.UUID, teacher: uuid.UUID, day: str, **extra: Any
) -> dict[str, Any]:
    return {
        "lesson_id": str(lesson),
        "group_id": str(group),
        "subgroup_id": None,
        "subject_id": str(extra.pop("subject", uuid.uuid4())),
        "subject": "Алгебра",
        "teacher_ids": [str(teacher)],
        "day": day,
        "lesson_number": 1,
        "starts_at": "08:30:00",
        "ends_at": "09:15:00",
        "room": "201",
        "period_id": None,
        **extra,
    }


async def _world(infra: Infra, prefix: str, tenant: uuid.UUID) -> dict[str, Any]:
    group, teacher = uuid.uuid4(), uuid.uuid4()
    students = [uuid.uuid4() for _ in range(3)]
    for i, s in enumerate(students):
        await infra.publish(
            prefix,
            _event(
                tenant,
                "contingent.student.enrolled",
                2,
                {
                    "order_id": str(uuid.uuid4()),
                    "student_id": str(s),
                    "group_id": str(group),
                    "valid_from": "2026-09-01",
                    "display_name": f"Ученик Номер{i}",
                },
            ),
        )
    past, future = uuid.uuid4(), uuid.uuid4()
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {
                "group_id": str(group),
                "lessons": [
                    _lesson(past, group, teacher, "2026-09-07"),
                    _lesson(future, group, teacher, tomorrow),
                ],
            },
        ),
    )
    return {
        "group": group,
        "teacher": teacher,
        "students": students,
        "past": past,
        "future": future,
    }


async def test_a_teacher_saves_a_lesson_grid_whole_and_a_stale_one_is_refused(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _world(infra, nats_prefix, tenant)
    teacher = issuer.headers(
        tenant_id=tenant,
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    path = f"/api/v1/lessons/{w['past']}/grid"

    async def ready() -> dict[str, Any]:
        r = await client.get(path, headers=teacher)
        return r.json() if r.status_code == 200 and len(r.json()["students"]) == 3 else {}

    grid = await eventually(ready, message="lesson and roster from the events")
    assert grid["version"] == 0
    a, b, c = w["students"]
    body = {
        "version": 0,
        "topic": "Квадратные уравнения",
        "homework": "№ 12, 14",
        "marks": [
            {"student_id": str(a), "work_type": "lesson", "value": "5"},
            {"student_id": str(a), "work_type": "test", "value": "4"},
            {"student_id": str(b), "work_type": "lesson", "value": "3"},
        ],
        "attendance": [{"student_id": str(c), "code": "ill", "reason": "справка"}],
    }
    r = await client.put(path, json=body, headers=teacher)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == 1
    assert {(m["student_id"], m["work_type"], m["value"]) for m in saved["marks"]} == {
        (str(a), "lesson", "5"),
        (str(a), "test", "4"),
        (str(b), "lesson", "3"),
    }
    # The same version again: refused, nothing changed.
    stale = {**body, "marks": [{"student_id": str(a), "work_type": "lesson", "value": "2"}]}
    assert_problem(await client.put(path, json=stale, headers=teacher), 409)
    # Two saves of version 1 at the same moment: exactly one wins.
    first = {
        **body,
        "version": 1,
        "marks": [{"student_id": str(a), "work_type": "lesson", "value": "4"}],
    }
    second = {
        **body,
        "version": 1,
        "marks": [{"student_id": str(b), "work_type": "lesson", "value": "5"}],
    }
    results = await asyncio.gather(
        client.put(path, json=first, headers=teacher),
        client.put(path, json=second, headers=teacher),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    winner = next(r for r in results if r.status_code == 200).json()
    assert winner["version"] == 2
    assert len(winner["marks"]) == 1
    # Bad input names its field and saves nothing.
    bad = {
        **body,
        "version": 2,
        "marks": [
            {"student_id": str(a), "work_type": "lesson", "value": "6"},
            {"student_id": str(uuid.uuid4()), "work_type": "lesson", "value": "5"},
        ],
    }
    problem = assert_problem(await client.put(path, json=bad, headers=teacher), 422)
    assert [e["field"] for e in problem["errors"]] == ["marks.0.value", "marks.1.student_id"]
    assert (await client.get(path, headers=teacher)).json()["version"] == 2
    # A lesson still to come takes no marks.
    future = {"version": 0, "marks": [{"student_id": str(a), "value": "5"}]}
    assert (
        "ещё не прошёл"
        in assert_problem(
            await client.put(f"/api/v1/lessons/{w['future']}/grid", json=future, headers=teacher),
            422,
        )["detail"]
    )
    # Who changed what, kept.
    history = (await client.get(f"/api/v1/lessons/{w['past']}/changes", headers=teacher)).json()
    assert {
        (h["what"], h["old"] and h["old"].get("value"), h["new"] and h["new"].get("value"))
        for h in history
    } >= {
        ("mark", None, "5"),
        ("mark", None, "4"),
    }
    assert all(h["changed_by"] == str(w["teacher"]) for h in history)

    # Another teacher of the organisation neither writes nor reads this lesson's marks;
    # the group's curator and the management read them; another organisation finds
    # nothing.
    other = issuer.headers(
        tenant_id=tenant, permissions=["journal.rosters.read", "journal.marks.write"]
    )
    assert_problem(await client.put(path, json={**body, "version": 2}, headers=other), 403)
    assert_problem(await client.get(path, headers=other), 403)
    assert_problem(await client.get(f"/api/v1/lessons/{w['past']}/changes", headers=other), 403)
    curator = uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "contingent.group.created",
            1,
            {
                "group_id": str(w["group"]),
                "name": "7А",
                "grade": 7,
                "academic_year": "2026/2027",
                "curator_user_id": str(curator),
            },
        ),
    )
    as_curator = issuer.headers(
        tenant_id=tenant, user_id=curator, permissions=["journal.rosters.read"]
    )

    async def curator_reads() -> bool:
        return (await client.get(path, headers=as_curator)).status_code == 200

    await eventually(curator_reads, message="the curator from contingent")
    deputy = issuer.headers(
        tenant_id=tenant, permissions=["journal.rosters.read", "journal.read.all"]
    )
    assert (await client.get(path, headers=deputy)).status_code == 200
    stranger = issuer.headers(
        tenant_id=uuid.uuid4(),
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    assert_problem(await client.get(path, headers=stranger), 404)
    assert_problem(await client.put(path, json={**body, "version": 2}, headers=stranger), 404)
    reader = issuer.headers(
        tenant_id=tenant, user_id=w["teacher"], permissions=["journal.rosters.read"]
    )
    assert_problem(await client.put(path, json={**body, "version": 2}, headers=reader), 403)

    # Announced without names.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}journal.mark.recorded.v1", stream=stream_name("journal", nats_prefix)
        )
        got: list[dict[str, Any]] = []

        async def fetch() -> list[dict[str, Any]]:
            with contextlib.suppress(nats.errors.TimeoutError):
                got.extend(json.loads(m.data) for m in await sub.fetch(10, timeout=0.5))
            return got

        await eventually(fetch, until=lambda g: len(g) >= 3, message="mark.recorded")
    assert "Ученик" not in json.dumps(got)
    assert {g["data"]["value"] for g in got[:3]} == {"5", "4", "3"}

    # Schedule cancels the lesson: it holds marks, so it is flagged, not lost.
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.lesson.cancelled",
            1,
            {
                "lesson": _lesson(
                    w["past"], w["group"], w["teacher"], "2026-09-07", status="cancelled"
                ),
                "notify_user_ids": [],
            },
        ),
    )

    async def flagged() -> bool:
        g = (await client.get(path, headers=teacher)).json()
        return bool(g["flagged"]) and g["status"] == "cancelled" and len(g["marks"]) == 1

    await eventually(flagged, message="cancelled lesson flagged with its marks")


async def test_the_diary_shows_a_student_their_own_and_a_parent_their_childs(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _world(infra, nats_prefix, tenant)
    a, b, _ = w["students"]
    teacher = issuer.headers(
        tenant_id=tenant,
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    path = f"/api/v1/lessons/{w['past']}/grid"

    async def ready() -> bool:
        r = await client.get(path, headers=teacher)
        return r.status_code == 200 and len(r.json()["students"]) == 3

    await eventually(ready, message="lesson and roster")
    r = await client.put(
        path,
        json={
            "version": 0,
            "topic": "Квадратные уравнения",
            "homework": "№ 12",
            "marks": [
                {"student_id": str(a), "work_type": "test", "value": "5"},
                {"student_id": str(a), "work_type": "oral", "value": "3"},
                {"student_id": str(b), "work_type": "lesson", "value": "2"},
            ],
            "attendance": [{"student_id": str(b), "code": "late", "reason": None}],
        },
        headers=teacher,
    )
    assert r.status_code == 200, r.text
    pupil, parent = uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "identity.accounts.provisioned",
            1,
            {
                "student_id": str(a),
                "accounts": [
                    {"user_id": str(pupil), "person_id": str(a), "kind": "student"},
                    {"user_id": str(parent), "person_id": str(uuid.uuid4()), "kind": "guardian"},
                ],
            },
        ),
    )
    week = {"from": "2026-09-07", "to": "2026-09-13"}
    me = issuer.headers(tenant_id=tenant, user_id=pupil, kind="student")

    async def diary() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await client.get("/api/v1/my/diary", params=week, headers=me)
        ).json()
        return found

    [mine] = await eventually(diary, message="the student's links from identity")
    [day] = mine["lessons"]
    assert (day["topic"], day["homework"]) == ("Квадратные уравнения", "№ 12")
    assert sorted((m["title"], m["value"], m["weight"]) for m in day["marks"]) == [
        ("Контрольная работа", "5", 3),
        ("Устный ответ", "3", 1),
    ]
    # Weighted: (5·3 + 3·1) / 4 = 4.5; nothing of another pupil's.
    assert mine["averages"] == {"Алгебра": 4.5}
    assert day["attendance"] is None
    parent_headers = issuer.headers(tenant_id=tenant, user_id=parent, kind="guardian")
    [theirs] = (await client.get("/api/v1/my/diary", params=week, headers=parent_headers)).json()
    assert theirs["student_id"] == str(a)
    # Another child's diary, by id: not found; another organisation's parent: nothing.
    assert_problem(
        await client.get(
            "/api/v1/my/diary", params={**week, "student_id": str(b)}, headers=parent_headers
        ),
        404,
    )
    stranger = issuer.headers(tenant_id=uuid.uuid4(), user_id=parent, kind="guardian")
    assert (await client.get("/api/v1/my/diary", params=week, headers=stranger)).json() == []
    # A pupil cannot read the lesson's grid (everyone's marks).
    assert_problem(await client.get(path, headers=me), 403)


async def test_period_marks_are_suggested_set_and_close_the_periods_marks(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _world(infra, nats_prefix, tenant)
    a, b, _ = w["students"]
    subject, period, lesson = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
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
    await infra.publish(
        nats_prefix,
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
    teacher = issuer.headers(
        tenant_id=tenant,
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    path = f"/api/v1/lessons/{lesson}/grid"

    async def ready() -> bool:
        r = await client.get(path, headers=teacher)
        return r.status_code == 200 and len(r.json()["students"]) == 3

    await eventually(ready, message="the lesson")
    marks = [
        {"student_id": str(a), "work_type": "test", "value": "5"},
        {"student_id": str(a), "work_type": "oral", "value": "4"},
        {"student_id": str(b), "work_type": "lesson", "value": "3"},
    ]
    assert (
        await client.put(path, json={"version": 0, "marks": marks}, headers=teacher)
    ).status_code == 200
    query = {"group_id": str(w["group"]), "subject_id": str(subject), "period_id": str(period)}

    async def sheet() -> dict[str, Any]:
        return {
            r["student_id"]: r
            for r in (
                await client.get("/api/v1/period-marks", params=query, headers=teacher)
            ).json()
        }

    rows = await eventually(sheet, until=lambda r: str(a) in r, message="the load from schedule")
    assert (rows[str(a)]["average"], rows[str(a)]["suggested"]) == (4.75, "5")
    assert (rows[str(b)]["average"], rows[str(b)]["suggested"]) == (3.0, "3")
    body = {**query, "kind": "period", "marks": [{"student_id": str(a), "value": "5"}]}
    r = await client.put("/api/v1/period-marks", json=body, headers=teacher)
    assert r.status_code == 200, r.text
    assert (await sheet())[str(a)]["marks"] == {"period": "5"}
    # The period's marks of that student are closed to the teacher; the others' are not.
    closed = [{**marks[0], "value": "4"}, *marks[1:]]
    problem = assert_problem(
        await client.put(path, json={"version": 1, "marks": closed}, headers=teacher), 422
    )
    assert "уже выставлена" in problem["detail"]
    open_ = [*marks[:2], {**marks[2], "value": "4"}]
    assert (
        await client.put(path, json={"version": 1, "marks": open_}, headers=teacher)
    ).status_code == 200
    # Out of scale, or a stranger to the group: named; another teacher: refused.
    bad = {
        **query,
        "marks": [
            {"student_id": str(a), "value": "7"},
            {"student_id": str(uuid.uuid4()), "value": "5"},
        ],
    }
    fields = [
        e["field"]
        for e in assert_problem(
            await client.put("/api/v1/period-marks", json=bad, headers=teacher), 422
        )["errors"]
    ]
    assert fields == ["marks.0.value", "marks.1.student_id"]
    other = issuer.headers(
        tenant_id=tenant, permissions=["journal.rosters.read", "journal.marks.write"]
    )
    assert_problem(await client.put("/api/v1/period-marks", json=body, headers=other), 403)
    assert_problem(await client.get("/api/v1/period-marks", params=query, headers=other), 403)


async def test_a_late_older_lesson_event_changes_nothing(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant, group, teacher, lesson = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    subject = uuid.uuid4()
    newer = _lesson(lesson, group, teacher, "2026-09-07", subject=subject, version=3)
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.lesson.changed",
            1,
            {
                "lesson": {**newer, "subject": "Геометрия"},
                "change": "substitution",
                "notify_user_ids": [],
            },
        ),
    )
    headers = issuer.headers(
        tenant_id=tenant, user_id=teacher, permissions=["journal.rosters.read"]
    )
    path = f"/api/v1/lessons/{lesson}/grid"

    async def subject_now() -> str:
        r = await client.get(path, headers=headers)
        return str(r.json()["subject"]) if r.status_code == 200 else ""

    assert await eventually(subject_now, message="the change") == "Геометрия"
    older = _lesson(lesson, group, teacher, "2026-09-07", subject=subject, version=1)
    await infra.publish(
        nats_prefix,
        _event(
            tenant, "schedule.lesson.scheduled", 1, {"group_id": str(group), "lessons": [older]}
        ),
    )
    # Something later to know the older one was handled: another lesson of the batch.
    marker = uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {"group_id": str(group), "lessons": [_lesson(marker, group, teacher, "2026-09-08")]},
        ),
    )

    async def marker_in() -> bool:
        return (
            await client.get(f"/api/v1/lessons/{marker}/grid", headers=headers)
        ).status_code == 200

    await eventually(marker_in, message="the later event")
    assert await subject_now() == "Геометрия"
