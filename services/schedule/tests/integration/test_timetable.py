"""The timetable through schedule's API, on a real PostgreSQL and JetStream: clashes
named and refused, soft clashes as warnings where allowed, dated lessons skipping
holidays, one-off changes announced, views, iCalendar feeds, and what another
organisation, a student or a parent must not reach."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

import httpx
import icalendar
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name

from .world import WRITE, build, event, give_load, lesson, save_week


async def _events(infra: Infra, prefix: str, subject: str, count: int) -> list[dict[str, Any]]:
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{prefix}schedule.{subject}", stream=stream_name("schedule", prefix)
        )
        got: list[dict[str, Any]] = []

        async def fetch() -> list[dict[str, Any]]:
            try:
                for m in await sub.fetch(count, timeout=0.5):
                    got.append(json.loads(m.data))
            except nats.errors.TimeoutError:
                pass
            return got

        await eventually(fetch, until=lambda g: len(g) >= count, message=subject)
        return got


async def test_a_week_is_saved_checked_and_its_clashes_named(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix)
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 32)
    await give_load(client, w, "Петров П.П.", "Физика", "10А", 16)
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10Б", 32)
    week = [
        lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "201"),
        lesson(w, 3, 2, "Алгебра", "Иванова И.И.", "201"),
        lesson(w, 2, 1, "Физика", "Петров П.П.", "201"),
    ]
    r = await save_week(client, w, "10А", week)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == 1
    assert len(saved["lessons"]) == 3
    assert saved["warnings"] == []

    # 10Б wants Ivanova on Monday's first lesson too: refused, the clash named.
    body = assert_problem(
        await save_week(client, w, "10Б", [lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "305")]), 409
    )
    assert (
        body["detail"] == "пн, 1-й урок: преподаватель Иванова И.И. уже ведёт занятие у группы 10А"
    )
    assert [c["code"] for c in body["clashes"]] == ["teacher_busy"]
    # ... and room 201 at the same time, with someone else: the room is named.
    body = assert_problem(
        await save_week(client, w, "10Б", [lesson(w, 2, 1, "Алгебра", "Иванова И.И.", "201")]), 409
    )
    assert body["clashes"][0]["code"] == "room_busy"
    assert "кабинет 201 уже занят у группы 10А" in body["detail"]
    # Nothing half-saved: 10Б has no week.
    r = await client.get(
        f"/api/v1/groups/{w.groups['10Б']}/timetable/{w.period(1)}", headers=w.headers
    )
    assert r.json()["lessons"] == []
    assert r.json()["version"] is None

    # Resolved: another lesson number.
    r = await save_week(client, w, "10Б", [lesson(w, 1, 2, "Алгебра", "Иванова И.И.", "305")])
    assert r.status_code == 200, r.text

    # A stale version: the second editor is told, nothing lost.
    body = assert_problem(await save_week(client, w, "10А", week, version=0), 409)
    assert "уже изменил кто-то другой" in body["detail"]


async def test_soft_clashes_refuse_or_warn_as_the_organisation_decides(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix)
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 32)
    await give_load(client, w, "Петров П.П.", "Физика", "10Б", 16)
    # Room 305 has 15 places, 10А has 25 students; Petrov has no load in 10А.
    week = [
        lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "305"),
        lesson(w, 2, 1, "Физика", "Петров П.П.", "201"),
    ]
    body = assert_problem(await save_week(client, w, "10А", week), 422)
    assert {c["code"] for c in body["clashes"]} == {"room_too_small", "teacher_not_assigned"}
    assert body["may_accept"] is False
    # Unknown teacher (no load anywhere) is an error naming the field.
    body = assert_problem(
        await save_week(
            client,
            w,
            "10А",
            [lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "201", teacher_ids=[str(uuid.uuid4())])],
        ),
        422,
    )
    assert body["errors"][0]["field"] == "lessons.0.teacher_ids"

    r = await client.put("/api/v1/settings", json={"soft_clashes": "warning"}, headers=w.headers)
    assert r.status_code == 200
    body = assert_problem(await save_week(client, w, "10А", week), 422)
    assert body["may_accept"] is True
    r = await save_week(client, w, "10А", week, accept_warnings=True)
    assert r.status_code == 200, r.text
    assert {c["code"] for c in r.json()["warnings"]} == {"room_too_small", "teacher_not_assigned"}

    # More lessons than the load's hours: 5 a week over quarter 1 (8 weeks) > 32 hours.
    heavy = [lesson(w, d, 3, "Алгебра", "Иванова И.И.", "201") for d in range(1, 6)]
    r = await save_week(client, w, "10А", heavy, version=1)
    body = assert_problem(r, 422)
    assert [c["code"] for c in body["clashes"]] == ["hours_beyond_plan"]
    assert "при нагрузке 32 ч" in body["detail"]


async def test_two_requests_booking_one_room_at_once_the_second_loses(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix)
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 32)
    await give_load(client, w, "Петров П.П.", "Физика", "10Б", 32)
    results = await asyncio.gather(
        save_week(client, w, "10А", [lesson(w, 4, 5, "Алгебра", "Иванова И.И.", "Спортзал")]),
        save_week(client, w, "10Б", [lesson(w, 4, 5, "Физика", "Петров П.П.", "Спортзал")]),
    )
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["clashes"][0]["code"] == "room_busy"


async def test_dated_lessons_changes_views_and_notifications(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix)
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 32)
    await give_load(client, w, "Петров П.П.", "Физика", "10Б", 32)
    year = w.year["id"]
    # Autumn holidays in the middle of quarter 1 would move nothing (they are after it);
    # a one-day holiday on Monday 14 September removes one Monday lesson.
    r = await client.post(
        f"/api/v1/academic-years/{year}/holidays",
        json={"title": "День здоровья", "starts_on": "2026-09-14", "ends_on": "2026-09-14"},
        headers=w.headers,
    )
    assert r.status_code == 201, r.text
    # A college's pairs: every lesson counts for two academic hours.
    r = await client.put("/api/v1/settings", json={"hours_per_lesson": 2}, headers=w.headers)
    assert r.status_code == 200, r.text
    r = await save_week(client, w, "10А", [lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "201")])
    assert r.status_code == 200, r.text
    gen = f"/api/v1/groups/{w.groups['10А']}/timetable/{w.period(1)}/lessons"
    r = await client.post(gen, json={}, headers=w.headers)
    # Mondays of 1 Sept – 25 Oct 2026: 7 Sept … 19 Oct = 7, less 14 September.
    assert r.json() == {"created": 6, "updated": 0, "cancelled": 0}, r.text
    assert (await client.post(gen, json={}, headers=w.headers)).json() == {
        "created": 0,
        "updated": 0,
        "cancelled": 0,
    }

    params = {"from": "2026-09-01", "to": "2026-10-31", "group_id": str(w.groups["10А"])}
    lessons = (await client.get("/api/v1/lessons", params=params, headers=w.headers)).json()
    assert [x["day"] for x in lessons][:2] == ["2026-09-07", "2026-09-21"]
    first = lessons[0]
    assert (first["subject"], first["room"], first["starts_at"]) == ("Алгебра", "201", "08:30:00")

    # Petrov substitutes Ivanova on 21 September.
    target = lessons[1]
    r = await client.post(
        f"/api/v1/lessons/{target['id']}/changes",
        json={
            "kind": "substitution",
            "teacher_ids": [str(w.teachers["Петров П.П."])],
            "reason": "Болезнь учителя",
        },
        headers=w.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["teachers"] == [{"id": str(w.teachers["Петров П.П."]), "name": "Петров П.П."}]
    petrov = issuer.headers(
        tenant_id=w.tenant, user_id=w.teachers["Петров П.П."], permissions=["schedule.read"]
    )
    mine = (
        await client.get(
            "/api/v1/my/lessons", params={"from": "2026-09-21", "to": "2026-09-27"}, headers=petrov
        )
    ).json()
    assert [(x["subject"], x["changed"], x["reason"]) for x in mine] == [
        ("Алгебра", True, "Болезнь учителя")
    ]
    ivanova = issuer.headers(
        tenant_id=w.tenant, user_id=w.teachers["Иванова И.И."], permissions=["schedule.read"]
    )
    theirs = (
        await client.get(
            "/api/v1/my/lessons", params={"from": "2026-09-21", "to": "2026-09-27"}, headers=ivanova
        )
    ).json()
    assert theirs == []

    # 10Б's week puts Petrov on Monday's first lesson: no clash between the weeks, but
    # on 21 September he substitutes in 10А then, and generating 10Б's lessons says so.
    r = await save_week(client, w, "10Б", [lesson(w, 1, 1, "Физика", "Петров П.П.", "305")])
    assert r.status_code == 200, r.text
    gen_b = f"/api/v1/groups/{w.groups['10Б']}/timetable/{w.period(1)}/lessons"
    body = assert_problem(await client.post(gen_b, json={}, headers=w.headers), 409)
    assert body["detail"].startswith("21.09.2026, 1-й урок: преподаватель Петров П.П.")
    assert "изменённым занятием группы 10А" in body["detail"]
    r = await save_week(
        client, w, "10Б", [lesson(w, 1, 2, "Физика", "Петров П.П.", "305")], version=1
    )
    assert r.status_code == 200, r.text
    # Mondays of the quarter but 14 September (the holiday).
    assert (await client.post(gen_b, json={}, headers=w.headers)).json()["created"] == 6
    # Petrov cannot be in two places: a clash with his own lesson refuses a second one.
    body = assert_problem(
        await client.post(
            f"/api/v1/lessons/{target['id']}/changes",
            json={"kind": "moved", "day": "2026-09-21", "lesson_number": 2, "reason": "Перенос"},
            headers=w.headers,
        ),
        409,
    )
    assert body["clashes"][0]["code"] == "teacher_busy"
    # A lesson outside the year is refused, nothing changed.
    body = assert_problem(
        await client.post(
            "/api/v1/lessons",
            json={
                "group_id": str(w.groups["10А"]),
                "day": "2027-07-01",
                "lesson_number": 3,
                "subject_id": str(w.subjects["Алгебра"]),
                "teacher_ids": [str(w.teachers["Иванова И.И."])],
                "reason": "Дополнительное занятие",
            },
            headers=w.headers,
        ),
        422,
    )
    assert body["errors"][0]["field"] == "day"

    changes = (
        await client.get("/api/v1/changes", params={"day": "2026-09-21"}, headers=w.headers)
    ).json()
    assert [(c["kind"], c["reason"]) for c in changes] == [("substitution", "Болезнь учителя")]
    # The class teacher of 10А is told (and a teacher of another class is not).
    curator = issuer.headers(
        tenant_id=w.tenant, user_id=w.curators["10А"], permissions=["schedule.read"]
    )
    told = (
        await client.get(
            "/api/v1/my/notices", params={"from": "2026-09-21", "to": "2026-09-27"}, headers=curator
        )
    ).json()
    assert [(n["kind"], n["lesson"]["group"], n["reason"]) for n in told] == [
        ("substitution", "10А", "Болезнь учителя")
    ]
    other_curator = issuer.headers(
        tenant_id=w.tenant, user_id=w.curators["10Б"], permissions=["schedule.read"]
    )
    assert (
        await client.get(
            "/api/v1/my/notices",
            params={"from": "2026-09-21", "to": "2026-09-27"},
            headers=other_curator,
        )
    ).json() == []
    [changed] = await _events(infra, nats_prefix, "lesson.changed.v1", 1)
    notified = set(changed["data"]["notify_user_ids"])
    assert notified == {
        str(w.curators["10А"]),
        str(w.teachers["Иванова И.И."]),
        str(w.teachers["Петров П.П."]),
    }
    assert "reason" not in json.dumps(changed["data"])
    scheduled = await _events(infra, nats_prefix, "lesson.scheduled.v1", 2)
    assert sum(len(e["data"]["lessons"]) for e in scheduled) >= 6
    assert {x["hours"] for e in scheduled for x in e["data"]["lessons"]} == {2}
    assert changed["data"]["lesson"]["hours"] == 2

    # The week changed (Monday → Tuesday): generated again, the Monday lessons not
    # changed by hand are cancelled (never deleted), the substituted one stays.
    r = await save_week(
        client, w, "10А", [lesson(w, 2, 1, "Алгебра", "Иванова И.И.", "201")], version=1
    )
    assert r.status_code == 200, r.text
    r = await client.post(gen, json={"since": "2026-10-01"}, headers=w.headers)
    # Tuesdays 6, 13, 20 October come; Mondays 5, 12, 19 October go.
    assert r.json() == {"created": 3, "updated": 0, "cancelled": 3}, r.text
    # A cancelled lesson is not changed by a substitution (it would silently return).
    cancelled = next(
        x
        for x in (await client.get("/api/v1/lessons", params=params, headers=w.headers)).json()
        if x["status"] == "cancelled"
    )
    body = assert_problem(
        await client.post(
            f"/api/v1/lessons/{cancelled['id']}/changes",
            json={"kind": "room_change", "room_id": str(w.rooms["305"]), "reason": "Ремонт"},
            headers=w.headers,
        ),
        422,
    )
    assert "сначала верните" in body["detail"]


async def test_a_moved_lesson_is_not_brought_back_and_the_past_is_kept(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix, sizes={"10А": 2})
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 32)
    r = await save_week(client, w, "10А", [lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "201")])
    assert r.status_code == 200, r.text
    gen = f"/api/v1/groups/{w.groups['10А']}/timetable/{w.period(1)}/lessons"
    assert (await client.post(gen, json={}, headers=w.headers)).json()["created"] == 7
    params = {"from": "2026-09-01", "to": "2026-10-31", "group_id": str(w.groups["10А"])}
    first = (await client.get("/api/v1/lessons", params=params, headers=w.headers)).json()[0]
    r = await client.post(
        f"/api/v1/lessons/{first['id']}/changes",
        json={"kind": "moved", "day": "2026-09-09", "lesson_number": 4, "reason": "Экскурсия"},
        headers=w.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["day"], r.json()["lesson_number"]) == ("2026-09-09", 4)
    # Generated again from the start: the moved lesson is still that Monday's lesson.
    again = await client.post(gen, json={"since": "2026-09-01"}, headers=w.headers)
    assert again.json() == {"created": 0, "updated": 0, "cancelled": 0}
    days = [
        x["day"]
        for x in (await client.get("/api/v1/lessons", params=params, headers=w.headers)).json()
    ]
    assert "2026-09-07" not in days
    assert "2026-09-09" in days
    # Generated again without a day: from today on. Quarter 1 of 2026 is over (these
    # tests run after it), so the room change of the week rewrites none of its lessons.
    r = await save_week(
        client, w, "10А", [lesson(w, 1, 1, "Алгебра", "Иванова И.И.", "305")], version=1
    )
    assert r.status_code == 200, r.text
    after = await client.post(gen, json={}, headers=w.headers)
    assert after.json() == {"created": 0, "updated": 0, "cancelled": 0}
    lessons = (await client.get("/api/v1/lessons", params=params, headers=w.headers)).json()
    assert {x["room"] for x in lessons} == {"201"}


async def test_my_timetable_for_students_and_parents_and_the_ical_feed(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix)
    await give_load(client, w, "Иванова И.И.", "Английский язык", "10А", 32)
    await give_load(client, w, "Петров П.П.", "Английский язык", "10А", 32)
    a_students = w.students["10А"]
    r = await client.post(
        f"/api/v1/groups/{w.groups['10А']}/subgroups",
        json={"name": "Англ. 1", "student_ids": [str(s) for s in a_students[:12]]},
        headers=w.headers,
    )
    assert r.status_code == 201, r.text
    sub1 = r.json()["id"]
    r = await client.post(
        f"/api/v1/groups/{w.groups['10А']}/subgroups",
        json={"name": "Англ. 2", "student_ids": [str(s) for s in a_students[12:]]},
        headers=w.headers,
    )
    sub2 = r.json()["id"]
    # A student of another group cannot be put into 10А's subgroup.
    body = assert_problem(
        await client.post(
            f"/api/v1/groups/{w.groups['10А']}/subgroups",
            json={"name": "Чужие", "student_ids": [str(w.students["10Б"][0])]},
            headers=w.headers,
        ),
        422,
    )
    assert body["errors"][0]["field"] == "student_ids"
    # A composition "from" a day years away: refused at its field, nothing changed.
    body = assert_problem(
        await client.put(
            f"/api/v1/groups/{w.groups['10А']}/subgroups/{sub1}",
            json={"name": "Англ. 1", "student_ids": [], "since": "2031-09-01"},
            headers=w.headers,
        ),
        422,
    )
    assert body["errors"][0]["field"] == "since"
    listed = (
        await client.get(f"/api/v1/groups/{w.groups['10А']}/subgroups", headers=w.headers)
    ).json()
    assert len(next(x for x in listed if x["id"] == sub1)["student_ids"]) == 12
    for teacher, sub in (("Иванова И.И.", sub1), ("Петров П.П.", sub2)):
        await client.post(
            "/api/v1/load",
            json={
                "teacher_user_id": str(w.teachers[teacher]),
                "teacher_name": teacher,
                "subject_id": str(w.subjects["Английский язык"]),
                "group_id": str(w.groups["10А"]),
                "subgroup_id": sub,
                "period_id": w.period(1),
                "hours": 32,
            },
            headers=w.headers,
        )
    week = [
        lesson(w, 1, 1, "Английский язык", "Иванова И.И.", "201", subgroup_id=sub1),
        lesson(w, 1, 1, "Английский язык", "Петров П.П.", "305", subgroup_id=sub2),
    ]
    r = await save_week(client, w, "10А", week)
    assert r.status_code == 200, r.text
    await client.post(
        f"/api/v1/groups/{w.groups['10А']}/timetable/{w.period(1)}/lessons",
        json={},
        headers=w.headers,
    )

    # Identity links the accounts: a student of subgroup 2 and their parent.
    student, student_user, parent_user = a_students[20], uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        event(
            w.tenant,
            "identity.accounts.provisioned",
            1,
            {
                "student_id": str(student),
                "accounts": [
                    {"user_id": str(student_user), "person_id": str(student), "kind": "student"},
                    {
                        "user_id": str(parent_user),
                        "person_id": str(uuid.uuid4()),
                        "kind": "guardian",
                    },
                ],
            },
        ),
    )
    week_of = {"from": "2026-09-07", "to": "2026-09-13"}
    me = issuer.headers(tenant_id=w.tenant, user_id=student_user, kind="student")

    async def mine() -> list[dict[str, Any]]:
        r = await client.get("/api/v1/my/lessons", params=week_of, headers=me)
        result: list[dict[str, Any]] = r.json()
        return result

    lessons = await eventually(mine, message="the student's links from identity")
    assert [(x["subgroup"], x["room"]) for x in lessons] == [("Англ. 2", "305")]
    parent = issuer.headers(tenant_id=w.tenant, user_id=parent_user, kind="guardian")
    theirs = (await client.get("/api/v1/my/lessons", params=week_of, headers=parent)).json()
    assert [(x["subgroup"], x["child"]) for x in theirs] == [("Англ. 2", "Имя21")]
    # A student or a parent reads nothing else: not the group's timetable, not a room's.
    assert_problem(
        await client.get(
            "/api/v1/lessons", params={**week_of, "group_id": str(w.groups["10Б"])}, headers=me
        ),
        403,
    )
    assert_problem(
        await client.get(f"/api/v1/groups/{w.groups['10А']}/members", headers=parent), 403
    )
    # ... nor a group's feed.
    assert_problem(
        await client.post(
            "/api/v1/my/calendar-feeds", params={"group_id": str(w.groups["10Б"])}, headers=me
        ),
        404,
    )
    # Another organisation's parent with the same user id sees nothing.
    stranger = issuer.headers(tenant_id=uuid.uuid4(), user_id=parent_user, kind="guardian")
    assert (await client.get("/api/v1/my/lessons", params=week_of, headers=stranger)).json() == []

    r = await client.post("/api/v1/my/calendar-feeds", headers=me)
    assert r.status_code == 201, r.text
    path = r.json()["path"]
    feed = await client.get(path)
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(feed.text)
    assert all(str(e["SUMMARY"]) == "Английский язык (Англ. 2)" for e in cal.walk("VEVENT"))
    # A wrong secret, or the right one in another organisation's path: 404.
    assert_problem(await client.get(path.replace(path.split("/")[-1], "x" * 43 + ".ics")), 404)
    assert_problem(await client.get(path.replace(str(w.tenant), str(uuid.uuid4()))), 404)
    assert (await client.delete("/api/v1/my/calendar-feeds", headers=me)).status_code == 204
    assert_problem(await client.get(path), 404)


async def test_another_organisation_reaches_nothing(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix, sizes={"10А": 3})
    other = issuer.headers(tenant_id=uuid.uuid4(), permissions=WRITE)
    group, period = w.groups["10А"], w.period(1)
    assert_problem(
        await client.put(
            f"/api/v1/groups/{group}/timetable/{period}", json={"lessons": []}, headers=other
        ),
        404,
    )
    assert_problem(await client.get(f"/api/v1/groups/{group}/members", headers=other), 404)
    assert_problem(await client.get(f"/api/v1/academic-years/{w.year['id']}", headers=other), 404)
    assert (await client.get("/api/v1/rooms", headers=other)).json()["items"] == []
    r = await client.post(
        "/api/v1/load",
        json={
            "teacher_user_id": str(uuid.uuid4()),
            "teacher_name": "Чужой",
            "subject_id": str(w.subjects["Алгебра"]),
            "group_id": str(group),
            "period_id": period,
            "hours": 10,
        },
        headers=other,
    )
    assert_problem(r, 404)
    # A teacher (read only) may not change the timetable, nor list a group's students.
    reader = issuer.headers(tenant_id=w.tenant, permissions=["schedule.read"])
    assert_problem(await client.get(f"/api/v1/groups/{group}/members", headers=reader), 403)
    assert_problem(
        await client.put(
            f"/api/v1/groups/{group}/timetable/{period}", json={"lessons": []}, headers=reader
        ),
        403,
    )
    assert_problem(
        await client.post("/api/v1/rooms", json={"number": "1", "capacity": 5}, headers=reader), 403
    )


async def test_bells_curricula_load_deviations_and_exam_sessions(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix, sizes={"10А": 3})
    body = assert_problem(
        await client.put(
            "/api/v1/bells",
            json={
                "bells": [
                    {"number": 1, "starts_at": "08:30", "ends_at": "09:15"},
                    {"number": 2, "starts_at": "09:00", "ends_at": "09:45"},
                ]
            },
            headers=w.headers,
        ),
        422,
    )
    assert body["detail"] == "Уроки 1 и 2 пересекаются по времени"
    r = await client.put(
        "/api/v1/bells",
        json={
            "bells": [
                {"number": 1, "starts_at": "09:00", "ends_at": "09:40"},
                {"number": 2, "starts_at": "09:50", "ends_at": "10:30"},
            ]
        },
        headers=w.headers,
    )
    assert r.status_code == 200, r.text
    bells = (await client.get("/api/v1/bells", headers=w.headers)).json()
    assert [(b["shift"], b["default"], len(b["bells"])) for b in bells] == [
        (1, False, 2),
        (2, True, 6),
    ]

    # ПМ.01 with its МДК; hours of a module itself are refused.
    r = await client.post(
        "/api/v1/subjects",
        json={"name": "Разработка модулей", "kind": "module", "code": "ПМ.01"},
        headers=w.headers,
    )
    module = r.json()["id"]
    r = await client.post(
        "/api/v1/subjects",
        json={
            "name": "Технология разработки",
            "kind": "mdk",
            "code": "МДК.01.01",
            "parent_id": module,
        },
        headers=w.headers,
    )
    assert r.status_code == 201, r.text
    mdk = r.json()["id"]
    body = assert_problem(
        await client.post(
            "/api/v1/subjects",
            json={"name": "Не тот", "kind": "mdk", "code": "МДК.02.01", "parent_id": module},
            headers=w.headers,
        ),
        422,
    )
    assert "не относится к модулю ПМ.01" in body["detail"]
    plan = {
        "title": "10 класс, универсальный профиль",
        "academic_year_id": w.year["id"],
        "grade": 10,
        "lines": [
            {
                "subject_id": str(w.subjects["Алгебра"]),
                "period_number": 1,
                "lecture_hours": 32,
                "assessment": "none",
            },
            {
                "subject_id": mdk,
                "period_number": 1,
                "lecture_hours": 10,
                "practical_hours": 6,
                "assessment": "graded_credit",
            },
        ],
    }
    r = await client.post("/api/v1/curricula", json=plan, headers=w.headers)
    assert r.status_code == 201, r.text
    assert r.json()["total_class_hours"] == 48
    curriculum = r.json()["id"]
    bad = {
        **plan,
        "title": "С модулем",
        "lines": [{"subject_id": module, "period_number": 1, "lecture_hours": 4}],
    }
    assert_problem(await client.post("/api/v1/curricula", json=bad, headers=w.headers), 422)
    r = await client.put(
        f"/api/v1/groups/{w.groups['10А']}/plan",
        json={"curriculum_id": curriculum},
        headers=w.headers,
    )
    assert r.status_code == 200, r.text
    await give_load(client, w, "Иванова И.И.", "Алгебра", "10А", 20)
    devs = (await client.get("/api/v1/load/deviations", headers=w.headers)).json()
    assert sorted((d["subject_id"], d["planned"], d["assigned"]) for d in devs) == sorted(
        [(str(w.subjects["Алгебра"]), 32, 20), (mdk, 16, 0)]
    )
    [assigned] = await _events(infra, nats_prefix, "load.assigned.v1", 1)
    assert assigned["data"]["hours"] == 20

    # An exam session: the examiner cannot be in two exams at once.
    r = await client.post(
        "/api/v1/exam-sessions",
        json={
            "academic_year_id": w.year["id"],
            "group_id": str(w.groups["10А"]),
            "title": "Зимняя сессия",
            "starts_on": "2026-12-21",
            "ends_on": "2026-12-28",
        },
        headers=w.headers,
    )
    assert r.status_code == 201, r.text
    session = r.json()["id"]
    exam = {
        "kind": "exam",
        "subject_id": str(w.subjects["Алгебра"]),
        "day": "2026-12-22",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "room_id": str(w.rooms["201"]),
        "examiner_ids": [str(w.teachers["Иванова И.И."])],
    }
    r = await client.post(f"/api/v1/exam-sessions/{session}/events", json=exam, headers=w.headers)
    assert r.status_code == 201, r.text
    body = assert_problem(
        await client.post(
            f"/api/v1/exam-sessions/{session}/events",
            json={**exam, "room_id": str(w.rooms["305"])},
            headers=w.headers,
        ),
        409,
    )
    assert "Экзаменатор" in body["detail"]
    body = assert_problem(
        await client.post(
            f"/api/v1/exam-sessions/{session}/events",
            json={**exam, "day": "2027-01-15"},
            headers=w.headers,
        ),
        422,
    )
    assert body["errors"][0]["field"] == "day"


async def test_the_new_year_is_opened_from_the_previous_one(
    client: httpx.AsyncClient, issuer: TestIssuer, infra: Infra, nats_prefix: str
) -> None:
    w = await build(client, issuer, infra, nats_prefix, sizes={"10А": 1})
    year = w.year["id"]
    await client.post(
        f"/api/v1/academic-years/{year}/holidays",
        json={"title": "Осенние каникулы", "starts_on": "2026-10-26", "ends_on": "2026-11-04"},
        headers=w.headers,
    )
    # A group with its own semesters (a college group) alongside the year's quarters.
    r = await client.put(
        f"/api/v1/academic-years/{year}/periods",
        json={
            "scope": f"group:{w.groups['10А']}",
            "periods": [
                {
                    "kind": "semester",
                    "number": 1,
                    "starts_on": "2026-09-01",
                    "ends_on": "2026-12-28",
                },
                {
                    "kind": "semester",
                    "number": 2,
                    "starts_on": "2027-01-12",
                    "ends_on": "2027-05-31",
                },
            ],
        },
        headers=w.headers,
    )
    assert r.status_code == 200, r.text
    body = assert_problem(
        await client.put(
            f"/api/v1/academic-years/{year}/periods",
            json={
                "scope": "grade:5",
                "periods": [
                    {
                        "kind": "half",
                        "number": 1,
                        "starts_on": "2026-09-01",
                        "ends_on": "2027-01-20",
                    },
                    {
                        "kind": "half",
                        "number": 2,
                        "starts_on": "2027-01-10",
                        "ends_on": "2027-05-31",
                    },
                ],
            },
            headers=w.headers,
        ),
        422,
    )
    assert body["detail"] == "Периоды 1 и 2 пересекаются"
    r = await client.post(
        "/api/v1/academic-years",
        json={
            "title": "2027/2028",
            "starts_on": "2027-09-01",
            "ends_on": "2028-05-31",
            "copy_from": year,
        },
        headers=w.headers,
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert sorted((p["scope"], p["number"], p["starts_on"]) for p in new["periods"])[:2] == [
        ("all", 1, "2027-09-01"),
        ("all", 2, "2027-11-05"),
    ]
    assert [(h["title"], h["starts_on"]) for h in new["holidays"]] == [
        ("Осенние каникулы", "2027-10-26")
    ]
    opened = await _events(infra, nats_prefix, "academic_year.opened.v1", 2)
    assert opened[1]["data"]["copied_from"] == year
    # Nothing about a period has ended yet (they are in the future): the watcher is
    # proven in test_period_end.


async def test_production_calendar_and_the_regions_corrections(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    anyone = issuer.headers(tenant_id=uuid.uuid4(), kind="guardian")
    r = await client.get(
        "/api/v1/working-days/nth", params={"after": "2026-12-30", "n": 3}, headers=anyone
    )
    assert r.json()["date"] == "2027-01-13"
    year = (await client.get("/api/v1/production-calendar/2026", headers=anyone)).json()
    assert year["working_days"] == 247
    ministry = uuid.uuid4()
    admin = issuer.headers(tenant_id=ministry, permissions=["region.calendar.write"])
    school_admin = issuer.headers(tenant_id=uuid.uuid4(), permissions=WRITE)
    day = {"working": False, "note": "Региональный праздник"}
    assert_problem(
        await client.put(
            "/api/v1/production-calendar/days/2027-01-11", json=day, headers=school_admin
        ),
        403,
    )
    r = await client.put("/api/v1/production-calendar/days/2027-01-11", json=day, headers=admin)
    assert r.status_code == 204, r.text
    r = await client.get(
        "/api/v1/working-days/nth", params={"after": "2026-12-30", "n": 3}, headers=anyone
    )
    assert r.json()["date"] == "2027-01-14"
    assert (
        await client.delete("/api/v1/production-calendar/days/2027-01-11", headers=admin)
    ).status_code == 204
    r = await client.get(
        "/api/v1/working-days/nth", params={"after": "2026-12-30", "n": 3}, headers=anyone
    )
    assert r.json()["date"] == "2027-01-13"
    assert_problem(
        await client.get(
            "/api/v1/working-days/nth", params={"after": "30.12.2026", "n": 3}, headers=anyone
        ),
        422,
    )
    assert date(2027, 1, 13).isoweekday() == 3
