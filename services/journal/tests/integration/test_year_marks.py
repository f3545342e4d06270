"""The year's marks through journal's API, from schedule's and contingent's real events:
the year mark suggested from the periods' marks, the final from the year and the exam;
set in one save or not at all, each change with its history and event; what another
teacher, a parent or another organisation must not do."""

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

from .test_grid import _event, _lesson

WRITE = ["journal.rosters.read", "journal.marks.write"]


async def _year_world(infra: Infra, prefix: str, tenant: uuid.UUID) -> dict[str, Any]:
    group, teacher, subject, year = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    halves = [uuid.uuid4(), uuid.uuid4()]
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
    periods = [
        {
            "period_id": str(halves[0]),
            "kind": "half",
            "number": 1,
            "starts_on": "2026-09-01",
            "ends_on": "2026-12-28",
            "scope": "all",
        },
        {
            "period_id": str(halves[1]),
            "kind": "half",
            "number": 2,
            "starts_on": "2027-01-11",
            "ends_on": "2027-05-25",
            "scope": "all",
        },
    ]
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.academic_year.opened",
            1,
            {
                "academic_year_id": str(year),
                "title": "2026/2027",
                "starts_on": "2026-09-01",
                "ends_on": "2027-08-31",
                # The second half arrives by itself (`period.defined`), the first with the year.
                "periods": periods[:1],
            },
        ),
    )
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.period.defined",
            1,
            {"academic_year_id": str(year), "period": periods[1]},
        ),
    )
    lessons = [uuid.uuid4(), uuid.uuid4()]
    await infra.publish(
        prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {
                "group_id": str(group),
                "lessons": [
                    _lesson(x, group, teacher, day, subject=subject, period_id=str(p))
                    for x, day, p in zip(lessons, ("2026-09-14", "2027-01-18"), halves, strict=True)
                ],
            },
        ),
    )
    for p in halves:
        await infra.publish(
            prefix,
            _event(
                tenant,
                "schedule.load.assigned",
                1,
                {
                    "load_id": str(uuid.uuid4()),
                    "teacher_user_id": str(teacher),
                    "subject_id": str(subject),
                    "group_id": str(group),
                    "subgroup_id": None,
                    "period_id": str(p),
                    "hours": 32,
                },
            ),
        )
    return {
        "group": group,
        "teacher": teacher,
        "subject": subject,
        "year": year,
        "halves": halves,
        "students": students,
    }


async def test_year_and_final_marks_are_suggested_and_set_whole(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _year_world(infra, nats_prefix, tenant)
    a, b, c = w["students"]
    teacher = issuer.headers(tenant_id=tenant, user_id=w["teacher"], permissions=WRITE)
    query = {
        "group_id": str(w["group"]),
        "subject_id": str(w["subject"]),
        "academic_year_id": str(w["year"]),
    }

    async def sheet(headers: dict[str, str] = teacher) -> dict[str, Any]:
        r = await client.get("/api/v1/year-marks", params=query, headers=headers)
        return dict(r.json()) if r.status_code == 200 else {}

    found = await eventually(
        sheet,
        until=lambda s: len(s.get("periods", [])) == 2 and len(s["rows"]) == 3,
        message="the year, its periods, the roster and the load",
    )
    assert [p["title"] for p in found["periods"]] == ["1-е полугодие", "2-е полугодие"]
    # The halves' marks: a 4 and 5 (→ 5, rounded), b 3 and 3, c only the first.
    for period, marks in zip(
        w["halves"], ({a: "4", b: "3", c: "5"}, {a: "5", b: "3"}), strict=True
    ):
        body = {
            "group_id": str(w["group"]),
            "subject_id": str(w["subject"]),
            "period_id": str(period),
            "kind": "period",
            "marks": [{"student_id": str(s), "value": v} for s, v in marks.items()],
        }
        r = await client.put("/api/v1/period-marks", json=body, headers=teacher)
        assert r.status_code == 200, r.text
    rows = {r["student_id"]: r for r in (await sheet())["rows"]}
    assert (rows[str(a)]["periods"], rows[str(a)]["suggested_year"]) == (["4", "5"], "5")
    assert rows[str(b)]["suggested_year"] == "3"
    assert (rows[str(c)]["periods"], rows[str(c)]["suggested_year"]) == (["5", None], None)
    # Without an exam the final is the year's; with one, their mean rounded.
    assert rows[str(a)]["suggested_final"] == "5"

    year_and_exam = {
        **query,
        "marks": [
            {"student_id": str(a), "kind": "year", "value": "5"},
            {"student_id": str(a), "kind": "exam", "value": "4"},
            {"student_id": str(b), "kind": "year", "value": "3"},
            {"student_id": str(b), "kind": "exam", "value": "2"},
        ],
    }
    r = await client.put("/api/v1/year-marks", json=year_and_exam, headers=teacher)
    assert r.status_code == 200, r.text
    rows = {row["student_id"]: row for row in r.json()["rows"]}
    assert rows[str(a)]["marks"] == {"year": "5", "exam": "4"}
    assert (rows[str(a)]["suggested_final"], rows[str(b)]["suggested_final"]) == ("5", "3")
    final = {**query, "marks": [{"student_id": str(a), "kind": "final", "value": "5"}]}
    assert (await client.put("/api/v1/year-marks", json=final, headers=teacher)).status_code == 200

    # Bad input: all named, nothing saved.
    before = await sheet()
    bad = {
        **query,
        "marks": [
            {"student_id": str(b), "kind": "final", "value": "3"},
            {"student_id": str(a), "kind": "exam", "value": "6"},
            {"student_id": str(uuid.uuid4()), "kind": "year", "value": "5"},
            {"student_id": str(b), "kind": "final", "value": "4"},
        ],
    }
    problem = assert_problem(await client.put("/api/v1/year-marks", json=bad, headers=teacher), 422)
    assert [e["field"] for e in problem["errors"]] == [
        "marks.1.value",
        "marks.2.student_id",
        "marks.3.kind",
    ]
    assert await sheet() == before
    assert_problem(
        await client.put(
            "/api/v1/year-marks",
            json={**final, "marks": [{"student_id": str(a), "kind": "semester", "value": "5"}]},
            headers=teacher,
        ),
        422,
    )
    assert_problem(
        await client.put(
            "/api/v1/year-marks",
            json={**final, "academic_year_id": str(uuid.uuid4())},
            headers=teacher,
        ),
        404,
    )
    # The period sheet takes no year marks; an unknown period is not found.
    period_body = {
        "group_id": str(w["group"]),
        "subject_id": str(w["subject"]),
        "period_id": str(w["halves"][0]),
        "kind": "year",
        "marks": [{"student_id": str(a), "value": "5"}],
    }
    problem = assert_problem(
        await client.put("/api/v1/period-marks", json=period_body, headers=teacher), 422
    )
    assert problem["errors"][0]["field"] == "kind"
    assert_problem(
        await client.put(
            "/api/v1/period-marks",
            json={**period_body, "kind": "period", "period_id": str(uuid.uuid4())},
            headers=teacher,
        ),
        404,
    )

    # A teacher with load in the group only in another year cannot set this year's marks.
    next_year_teacher, next_period = uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.load.assigned",
            1,
            {
                "load_id": str(uuid.uuid4()),
                "teacher_user_id": str(next_year_teacher),
                "subject_id": str(w["subject"]),
                "group_id": str(w["group"]),
                "subgroup_id": None,
                "period_id": str(next_period),
                "hours": 32,
            },
        ),
    )
    later = issuer.headers(tenant_id=tenant, user_id=next_year_teacher, permissions=WRITE)
    await eventually(
        lambda: client.get(
            "/api/v1/period-marks",
            params={
                "group_id": str(w["group"]),
                "subject_id": str(w["subject"]),
                "period_id": str(next_period),
            },
            headers=later,
        ),
        until=lambda r: r.status_code == 200,
        message="the other year's load",
    )
    assert_problem(await client.put("/api/v1/year-marks", json=final, headers=later), 403)
    # Who may not: another teacher, a parent, another organisation's teacher.
    colleague = issuer.headers(tenant_id=tenant, user_id=uuid.uuid4(), permissions=WRITE)
    assert_problem(await client.put("/api/v1/year-marks", json=final, headers=colleague), 403)
    assert_problem(await client.get("/api/v1/year-marks", params=query, headers=colleague), 403)
    parent = issuer.headers(tenant_id=tenant, user_id=uuid.uuid4(), kind="guardian")
    assert_problem(await client.get("/api/v1/year-marks", params=query, headers=parent), 403)
    assert_problem(await client.put("/api/v1/year-marks", json=final, headers=parent), 403)
    foreign = issuer.headers(tenant_id=uuid.uuid4(), user_id=w["teacher"], permissions=WRITE)
    assert_problem(await client.get("/api/v1/year-marks", params=query, headers=foreign), 404)
    assert_problem(await client.put("/api/v1/year-marks", json=final, headers=foreign), 404)

    # The history keeps the year's marks (management reads a student's), and the diary
    # shows them to the student.
    director = issuer.headers(
        tenant_id=tenant, user_id=uuid.uuid4(), permissions=["journal.read.all"]
    )
    changes = (await client.get(f"/api/v1/students/{a}/changes", headers=director)).json()
    year_changes = [ch for ch in changes if ch.get("work_type") in ("year", "exam", "final")]
    assert sorted(ch["work_type"] for ch in year_changes) == ["exam", "final", "year"]

    # Announced with ids and values only, keyed by the academic year.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}journal.period_mark.set.v1", stream=stream_name("journal", nats_prefix)
        )
        got: list[dict[str, Any]] = []

        async def fetch() -> list[dict[str, Any]]:
            with contextlib.suppress(nats.errors.TimeoutError):
                got.extend(json.loads(m.data) for m in await sub.fetch(50, timeout=0.5))
            return [g["data"] for g in got if g["tenant_id"] == str(tenant)]

        mine = await eventually(
            fetch,
            until=lambda g: sum(d["kind"] == "final" for d in g) == 1,
            message="period_mark.set of the final",
        )
    assert {
        (d["kind"], d["period_id"], d["value"])
        for d in mine
        if d["student_id"] == str(a) and d["kind"] != "period"
    } == {
        ("year", str(w["year"]), "5"),
        ("exam", str(w["year"]), "4"),
        ("final", str(w["year"]), "5"),
    }
    assert "Ученик" not in json.dumps(mine, ensure_ascii=False)


async def test_a_year_known_only_from_its_periods_still_has_its_sheet(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    """A year opened before journal listened: its periods (schedule announces them again
    when they are saved) make it known, titled by its dates."""
    tenant, year = uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.period.defined",
            1,
            {
                "academic_year_id": str(year),
                "period": {
                    "period_id": str(uuid.uuid4()),
                    "kind": "semester",
                    "number": 1,
                    "starts_on": "2027-09-01",
                    "ends_on": "2027-12-28",
                    "scope": "all",
                },
            },
        ),
    )
    director = issuer.headers(tenant_id=tenant, permissions=["journal.read.all"])
    query = {
        "group_id": str(uuid.uuid4()),
        "subject_id": str(uuid.uuid4()),
        "academic_year_id": str(year),
    }
    r = await eventually(
        lambda: client.get("/api/v1/year-marks", params=query, headers=director),
        until=lambda r: r.status_code == 200,
        message="the year from its period",
    )
    body = r.json()
    assert body["academic_year"]["title"] == "2027/2028"
    assert [p["title"] for p in body["periods"]] == ["1-й семестр"]
