"""Every kind of order of the movement book through the API: drafted, checked, signed,
kept in each student's history, announced once per student; cancelled by a cancelling
order that puts everyone back; refused with the student named when it cannot apply."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name

from .helpers import enrol, student


async def _group(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    name: str,
    grade: int,
    year: str = "2026/2027",
    curator: uuid.UUID | None = None,
) -> str:
    r = await client.post(
        "/api/v1/groups",
        headers=headers,
        json={
            "name": name,
            "grade": grade,
            "academic_year": year,
            "curator_user_id": str(curator) if curator else None,
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


_numbers = iter(range(100, 1000))


async def _draft(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, on: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/orders/movement",
        headers=headers,
        json={
            "kind": kind,
            "number": f"{next(_numbers)}-д",
            "order_date": on,
            "effective_date": on,
            **fields,
        },
    )


async def _signed(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, on: str, **fields: Any
) -> dict[str, Any]:
    r = await _draft(client, headers, kind, on, **fields)
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _file(client: httpx.AsyncClient, headers: dict[str, str], sid: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/students/{sid}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _events(infra: Infra, prefix: str, subject: str) -> list[dict[str, Any]]:
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{prefix}{subject}", stream=stream_name("contingent", prefix)
        )
        out: list[dict[str, Any]] = []
        try:
            while True:
                out.extend(json.loads(m.data) for m in await sub.fetch(100, timeout=0.5))
        except nats.errors.TimeoutError:
            pass
        return out


async def test_a_year_of_movements_and_their_history(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    five_a = await _group(client, admin_a, "5А", 5)
    five_b = await _group(client, admin_a, "5Б", 5)
    six_a = await _group(client, admin_a, "6А", 6, "2027/2028")
    order = await enrol(
        client,
        admin_a,
        five_a,
        [
            student("Иванов", "Пётр"),
            student("Петрова", "Анна", sex="f"),
            student("Сидоров", "Олег"),
        ],
    )
    ivanov, petrova, sidorov = (i["student_id"] for i in order["items"])
    names = {
        (await _file(client, admin_a, sid))["surname"]: sid for sid in (ivanov, petrova, sidorov)
    }
    ivanov, petrova, sidorov = names["Иванов"], names["Петрова"], names["Сидоров"]

    # A transfer to the same group, or dated before the student's enrolment: refused,
    # the student named, nothing saved.
    r = await _draft(
        client, admin_a, "transfer", "2026-10-01", to_group_id=five_a, student_ids=[ivanov]
    )
    problem = assert_problem(r, 422)
    assert "Иванов Пётр" in problem["errors"][0]["message"]
    r = await _draft(
        client, admin_a, "transfer", "2026-08-01", to_group_id=five_b, student_ids=[ivanov]
    )
    assert "раньше предыдущего" in assert_problem(r, 422)["errors"][0]["message"]
    assert (await client.get("/api/v1/orders", headers=admin_a)).json()["total"] == 1

    await _signed(
        client,
        admin_a,
        "transfer",
        "2026-10-01",
        to_group_id=five_b,
        student_ids=[ivanov],
        reason_code="own_request",
    )
    assert (await _file(client, admin_a, ivanov))["group_id"] == five_b

    # Academic leave: a student on leave cannot be transferred or promoted.
    await _signed(
        client,
        admin_a,
        "academic_leave",
        "2026-11-01",
        leave_until="2027-11-01",
        student_ids=[petrova],
        reason_code="medical",
    )
    assert (await _file(client, admin_a, petrova))["status"] == "on_leave"
    r = await _draft(
        client, admin_a, "transfer", "2026-11-02", to_group_id=five_b, student_ids=[petrova]
    )
    assert "Петрова Анна" in assert_problem(r, 422)["errors"][0]["message"]
    r = await _draft(
        client,
        admin_a,
        "academic_leave",
        "2026-11-02",
        leave_until="2029-11-03",
        student_ids=[sidorov],
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "leave_until"

    # Promotion of 5А: to a 7th-grade group refused; to 6А it takes everyone studying in
    # 5А (Сидоров; Петрова is on leave), but those excepted.
    seven = await _group(client, admin_a, "7А", 7, "2027/2028")
    r = await _draft(
        client, admin_a, "promotion", "2027-06-01", from_group_id=five_a, to_group_id=seven
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "student_ids"
    promoted = await _signed(
        client, admin_a, "promotion", "2027-06-01", from_group_id=five_a, to_group_id=six_a
    )
    assert [i["student_id"] for i in promoted["items"]] == [sidorov]
    assert promoted["items"][0]["from_group_id"] == five_a
    assert (await _file(client, admin_a, sidorov))["group_id"] == six_a

    # Back from leave into her old group; expelled; reinstated into 6А.
    await _signed(client, admin_a, "leave_return", "2027-06-02", student_ids=[petrova])
    assert (await _file(client, admin_a, petrova))["status"] == "active"
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "9-о",
            "order_date": "2027-06-03",
            "effective_date": "2027-06-03",
            "reason_code": "own_request",
            "student_ids": [petrova],
        },
    )
    assert r.status_code == 201, r.text
    expulsion = r.json()
    assert (await client.post(f"/api/v1/orders/{expulsion['id']}/sign", headers=admin_a)).is_success
    await _signed(
        client, admin_a, "reinstatement", "2027-06-10", to_group_id=six_a, student_ids=[petrova]
    )
    file = await _file(client, admin_a, petrova)
    assert (file["status"], file["group_id"]) == ("active", six_a)
    assert [h["kind"] for h in file["history"]] == [
        "enrolment",
        "academic_leave",
        "leave_return",
        "expulsion",
        "reinstatement",
    ]
    assert file["created_at"]

    # Graduation of 6А closes it; nobody can be moved into a closed group.
    graduation = await _signed(client, admin_a, "graduation", "2028-06-25", group_id=six_a)
    assert {i["student_id"] for i in graduation["items"]} == {sidorov, petrova}
    assert (await client.get(f"/api/v1/groups/{six_a}", headers=admin_a)).json()["closed_on"] == (
        "2028-06-25"
    )
    r = await _draft(
        client, admin_a, "transfer", "2028-06-26", to_group_id=six_a, student_ids=[ivanov]
    )
    assert "закрыта" in assert_problem(r, 422)["errors"][0]["message"]

    # Every movement went out once per student, with what consumers need and no names
    # but the display name.
    subjects = {
        "contingent.student.transferred.v1": 1,
        "contingent.student.promoted.v1": 1,
        "contingent.student.academic_leave_started.v1": 1,
        "contingent.student.academic_leave_ended.v1": 1,
        "contingent.student.reinstated.v1": 1,
        "contingent.student.graduated.v1": 2,
        "contingent.group.closed.v1": 1,
    }
    for subject, count in subjects.items():
        found = await eventually(
            lambda s=subject: _events(infra, nats_prefix, s),
            until=lambda e, c=count: len(e) == c,
            message=subject,
        )
        assert "birth_date" not in json.dumps(found)
    moved = (await _events(infra, nats_prefix, "contingent.student.transferred.v1"))[0]["data"]
    assert (moved["from_group_id"], moved["to_group_id"], moved["display_name"]) == (
        five_a,
        five_b,
        "Иванов Пётр",
    )
    # The reinstated student's accounts are asked for again (identity re-enables them).
    requested = await _events(infra, nats_prefix, "contingent.accounts.requested.v1")
    assert [e["data"]["student_id"] for e in requested].count(petrova) == 2

    # The book filtered by kind and by group.
    book = (await client.get("/api/v1/orders", headers=admin_a, params={"kind": "transfer"})).json()
    assert [o["kind"] for o in book["items"]] == ["transfer"]
    book = (await client.get("/api/v1/orders", headers=admin_a, params={"group_id": six_a})).json()
    assert {o["kind"] for o in book["items"]} == {"promotion", "reinstatement", "graduation"}


async def test_a_cancelling_order_undoes_from_the_end(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    five_a = await _group(client, admin_a, "5А", 5)
    five_b = await _group(client, admin_a, "5Б", 5)
    order = await enrol(client, admin_a, five_a, [student()])
    sid = order["items"][0]["student_id"]
    transfer = await _signed(
        client, admin_a, "transfer", "2026-10-01", to_group_id=five_b, student_ids=[sid]
    )
    leave = await _signed(
        client, admin_a, "academic_leave", "2026-11-01", leave_until="2027-05-01", student_ids=[sid]
    )
    # The transfer is not the latest order of its student: cancel the leave first.
    r = await _draft(
        client, admin_a, "cancellation", "2026-11-05", cancelled_order_id=transfer["id"]
    )
    assert "более поздние" in assert_problem(r, 422)["detail"]
    await _signed(client, admin_a, "cancellation", "2026-11-05", cancelled_order_id=leave["id"])
    assert (await _file(client, admin_a, sid))["status"] == "active"
    await _signed(client, admin_a, "cancellation", "2026-11-05", cancelled_order_id=transfer["id"])
    file = await _file(client, admin_a, sid)
    assert (file["status"], file["group_id"]) == ("active", five_a)
    assert [h["cancelled_by_order_id"] is not None for h in file["history"]] == [False, True, True]
    # Twice: refused; a cancellation is not cancelled; another organisation's order: 404.
    r = await _draft(
        client, admin_a, "cancellation", "2026-11-06", cancelled_order_id=transfer["id"]
    )
    assert_problem(r, 409)
    cancelled = (await client.get(f"/api/v1/orders/{transfer['id']}", headers=admin_a)).json()
    assert cancelled["cancelled_by_order_id"]
    r = await _draft(
        client,
        admin_a,
        "cancellation",
        "2026-11-06",
        cancelled_order_id=cancelled["cancelled_by_order_id"],
    )
    assert_problem(r, 422)
    # The enrolment cancelled: the record stays, annulled; accounts close downstream.
    await _signed(client, admin_a, "cancellation", "2026-11-07", cancelled_order_id=order["id"])
    assert (await _file(client, admin_a, sid))["status"] == "annulled"
    events = await eventually(
        lambda: _events(infra, nats_prefix, "contingent.order.cancelled.v1"),
        until=lambda e: len(e) == 3,
        message="three cancellations",
    )
    last = events[-1]["data"]
    assert (last["cancelled_kind"], last["students"]) == (
        "enrolment",
        [{"student_id": sid, "status": "annulled", "group_id": five_a}],
    )


async def test_a_cancelled_expulsion_asks_for_the_accounts_again(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    five_a = await _group(client, admin_a, "5А", 5)
    order = await enrol(client, admin_a, five_a, [student()])
    sid = order["items"][0]["student_id"]
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "1-о",
            "order_date": "2026-10-01",
            "effective_date": "2026-10-01",
            "reason_code": "relocation",
            "student_ids": [sid],
        },
    )
    expulsion = r.json()
    await client.post(f"/api/v1/orders/{expulsion['id']}/sign", headers=admin_a)
    await _signed(client, admin_a, "cancellation", "2026-10-02", cancelled_order_id=expulsion["id"])
    assert (await _file(client, admin_a, sid))["status"] == "active"
    await eventually(
        lambda: _events(infra, nats_prefix, "contingent.accounts.requested.v1"),
        until=lambda e: [x["data"]["student_id"] for x in e] == [sid, sid],
        message="accounts asked for at enrolment and again at the cancelled expulsion",
    )


async def test_order_numbers_restart_each_year(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    five_a = await _group(client, admin_a, "5А", 5)
    await enrol(client, admin_a, five_a, [student()], number="1-к")
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "1-к",
            "order_date": "2027-01-10",
            "effective_date": "2027-01-10",
            "group_id": five_a,
            "students": [student("Орлов", "Илья")],
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            "number": "1-к",
            "order_date": "2027-02-10",
            "effective_date": "2027-02-10",
            "group_id": five_a,
            "students": [student("Орлов", "Илья")],
        },
    )
    assert {e["field"] for e in assert_problem(r, 409)["errors"]} == {"number"}


async def test_another_organisation_s_students_and_groups_are_not_found(
    client: httpx.AsyncClient, admin_a: dict[str, str], admin_b: dict[str, str]
) -> None:
    group_a = await _group(client, admin_a, "5А", 5)
    order_a = await enrol(client, admin_a, group_a, [student()])
    sid = order_a["items"][0]["student_id"]
    group_b = await _group(client, admin_b, "5А", 5)
    other_b = await _group(client, admin_b, "5Б", 5)
    for kind, fields in [
        ("transfer", {"to_group_id": other_b, "student_ids": [sid]}),
        ("academic_leave", {"leave_until": "2027-06-01", "student_ids": [sid]}),
        ("promotion", {"from_group_id": group_a, "to_group_id": group_b}),
        ("graduation", {"group_id": group_a}),
        ("cancellation", {"cancelled_order_id": order_a["id"]}),
    ]:
        assert_problem(await _draft(client, admin_b, kind, "2026-10-01", **fields), 404)
    # A's own student into B's group: the group is not found either.
    r = await _draft(
        client, admin_a, "transfer", "2026-10-01", to_group_id=group_b, student_ids=[sid]
    )
    assert_problem(r, 404)
    assert (await client.get("/api/v1/students", headers=admin_b)).json()["total"] == 0
    assert (await _file(client, admin_a, sid))["status"] == "active"


async def test_a_curator_reads_the_files_of_their_own_groups_only(
    client: httpx.AsyncClient, admin_a: dict[str, str], issuer: TestIssuer, tenant_a: uuid.UUID
) -> None:
    curator = uuid.uuid4()
    mine = await _group(client, admin_a, "5А", 5, curator=curator)
    other = await _group(client, admin_a, "5Б", 5)
    my_student = (await enrol(client, admin_a, mine, [student("Иванов", "Пётр")]))["items"][0]
    their = (await enrol(client, admin_a, other, [student("Орлов", "Илья")], number="2-к"))[
        "items"
    ][0]
    headers = issuer.headers(
        tenant_id=tenant_a,
        user_id=curator,
        permissions=["contingent.groups.read", "contingent.students.read"],
    )
    listed = (await client.get("/api/v1/students", headers=headers)).json()
    assert [s["surname"] for s in listed["items"]] == ["Иванов"]
    assert (
        await client.get("/api/v1/students", headers=headers, params={"group_id": other})
    ).json()["total"] == 0
    assert (
        await client.get(f"/api/v1/students/{my_student['student_id']}", headers=headers)
    ).status_code == 200
    assert_problem(
        await client.get(f"/api/v1/students/{their['student_id']}", headers=headers), 404
    )
    # Drafting is the office's: a curator cannot.
    assert_problem(
        await _draft(
            client,
            headers,
            "transfer",
            "2026-10-01",
            to_group_id=other,
            student_ids=[my_student["student_id"]],
        ),
        403,
    )
    # The office searches by the beginning of a name.
    found = (await client.get("/api/v1/students", headers=admin_a, params={"q": "орл"})).json()
    assert [s["surname"] for s in found["items"]] == ["Орлов"]
    found = (await client.get("/api/v1/students", headers=admin_a, params={"q": "%"})).json()
    assert found["total"] == 0


async def test_an_old_draft_follows_the_student_s_current_group(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    five_a = await _group(client, admin_a, "5А", 5)
    five_b = await _group(client, admin_a, "5Б", 5)
    sid = (await enrol(client, admin_a, five_a, [student()]))["items"][0]["student_id"]
    # An expulsion drafted while the student is in 5А, signed after a transfer to 5Б.
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={
            "number": "7-о",
            "order_date": "2026-12-01",
            "effective_date": "2026-12-01",
            "reason_code": "own_request",
            "student_ids": [sid],
        },
    )
    draft = r.json()
    graduation = await _draft(client, admin_a, "graduation", "2026-12-01", group_id=five_a)
    assert graduation.status_code == 201, graduation.text
    await _signed(client, admin_a, "transfer", "2026-11-01", to_group_id=five_b, student_ids=[sid])
    # The graduation of 5А no longer concerns a student who left it: refused by name.
    r = await client.post(f"/api/v1/orders/{graduation.json()['id']}/sign", headers=admin_a)
    assert "не в выпускной группе" in assert_problem(r, 422)["errors"][0]["message"]
    signed = await client.post(f"/api/v1/orders/{draft['id']}/sign", headers=admin_a)
    assert signed.status_code == 200, signed.text
    assert signed.json()["items"][0]["group_id"] == five_b
    file = await _file(client, admin_a, sid)
    assert (file["status"], file["group_id"]) == ("expelled", five_b)
    expelled = await eventually(
        lambda: _events(infra, nats_prefix, "contingent.student.expelled.v2"),
        until=lambda e: len(e) == 1,
        message="the expulsion",
    )
    assert expelled[0]["data"]["group_id"] == five_b  # journal ends the right membership
    # A blank search is a search for everyone, not an error.
    assert (await client.get("/api/v1/students", headers=admin_a, params={"q": " "})).is_success
