"""The core flow end to end, across real processes, only through the HTTP APIs:
an enrolment order in contingent → accounts in identity → roster in journal; then an
expulsion disables the accounts and ends the roster membership, keeping the past."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from edureg_devstack.system import System
from edureg_devstack.testing.plugin import eventually
from edureg_shared.db import Database, create_engine


def person(surname: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "surname": surname,
        "name": name,
        "patronymic": "Олегович",
        "birth_date": "2014-04-01",
        "sex": "m",
        **extra,
    }


@pytest.fixture(scope="module")
async def org(system: System) -> dict[str, Any]:
    tenants = system.seed_organisations("flow")
    return {"tenant_id": tenants["flow"], "admin": await system.login("admin.flow")}


async def _accounts(system: System, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=headers) as c:
        r = await c.get("/api/v1/accounts", params={"limit": 200, **params})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])


async def _roster(
    system: System, headers: dict[str, str], group_id: str, on: str, history: bool = False
) -> list[dict[str, Any]]:
    path = f"/api/v1/groups/{group_id}/roster" + ("/history" if history else "")
    async with httpx.AsyncClient(base_url=system.url("journal"), headers=headers) as c:
        r = await c.get(path, params={} if history else {"on": on})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])


async def _sign(
    c: httpx.AsyncClient,
    headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    traceparent: str | None = None,
) -> dict[str, Any]:
    r = await c.post(path, headers=headers, json=body)
    assert r.status_code == 201, r.text
    extra = {"traceparent": traceparent} if traceparent else {}
    r = await c.post(f"/api/v1/orders/{r.json()['id']}/sign", headers={**headers, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_enrolment_then_expulsion_across_services(
    system: System, org: dict[str, Any]
) -> None:
    admin = org["admin"]
    trace_id = secrets.token_hex(16)
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        r = await c.post(
            "/api/v1/groups",
            headers=admin,
            json={"name": "7В", "grade": 7, "academic_year": "2026/2027"},
        )
        assert r.status_code == 201, r.text
        group_id = r.json()["id"]
        order = await _sign(
            c,
            admin,
            "/api/v1/orders/enrolment",
            {
                "number": "15-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-02",
                "group_id": group_id,
                "students": [
                    person(
                        "Орлов",
                        "Кирилл",
                        guardians=[
                            {"surname": "Орлов", "name": "Олег", "relation": "father"},
                            {"surname": "Орлова", "name": "Вера", "relation": "mother"},
                        ],
                    )
                ],
            },
            traceparent=f"00-{trace_id}-{secrets.token_hex(8)}-01",
        )
        student_id = order["items"][0]["student_id"]
        student_file = (await c.get(f"/api/v1/students/{student_id}", headers=admin)).json()
        guardian_ids = {g["id"] for g in student_file["guardians"]}

    # identity: the student's and both guardians' accounts, unique logins, linked to the child
    students = await eventually(
        lambda: _accounts(system, admin, kind="student", person_id=student_id),
        until=lambda a: len(a) == 1,
        message="student account",
    )
    guardians = await eventually(
        lambda: _accounts(system, admin, kind="guardian"),
        until=lambda a: {g["person_id"] for g in a} >= guardian_ids,
        message="guardian accounts",
    )
    guardians = [g for g in guardians if g["person_id"] in guardian_ids]
    logins = [students[0]["login"], *(g["login"] for g in guardians)]
    assert len(set(logins)) == 3
    async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as c:
        for g in guardians:
            children = (await c.get(f"/api/v1/accounts/{g['id']}/children")).json()
            items = children["items"] if isinstance(children, dict) else children
            assert [ch["id"] for ch in items] == [students[0]["id"]]

    # journal: on the roster from the order's effective date, not before
    roster = await eventually(
        lambda: _roster(system, admin, group_id, "2026-09-02"),
        until=lambda r: len(r) == 1,
        message="roster membership",
    )
    assert roster[0]["student_id"] == student_id
    assert await _roster(system, admin, group_id, "2026-09-01") == []

    # one trace from the HTTP request through the event to the roster update
    def spans_in_trace(service: str) -> Any:
        async def probe() -> list[dict[str, Any]]:
            return [s for s in system.spans(service) if s["trace_id"] == trace_id]

        return probe

    spans = await eventually(spans_in_trace("journal"), message="journal span in the order's trace")
    assert any("contingent.student.enrolled" in s["name"] for s in spans)
    await eventually(spans_in_trace("contingent"), message="contingent's request in the same trace")
    await eventually(spans_in_trace("identity"), message="identity's handling in the same trace")

    # expulsion: account disabled, guardians too (no other child), roster ended, past kept
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        await _sign(
            c,
            admin,
            "/api/v1/orders/expulsion",
            {
                "number": "16-о",
                "order_date": "2026-12-10",
                "effective_date": "2026-12-11",
                "reason_code": "transfer",
                "reason_comment": "В школу № 7 по заявлению отца Орлова",
                "student_ids": [student_id],
            },
        )
    await eventually(
        lambda: _accounts(system, admin, kind="student", person_id=student_id),
        until=lambda a: a and not a[0]["active"],
        message="student disabled",
    )
    await eventually(
        lambda: _accounts(system, admin, kind="guardian"),
        until=lambda a: all(not g["active"] for g in a if g["person_id"] in guardian_ids),
        message="guardians disabled",
    )
    await eventually(
        lambda: _roster(system, admin, group_id, "2026-12-11"),
        until=lambda r: r == [],
        message="roster membership ended",
    )
    assert [m["student_id"] for m in await _roster(system, admin, group_id, "2026-12-10")] == [
        student_id
    ]
    history = await _roster(system, admin, group_id, "", history=True)
    assert [(m["valid_from"], m["valid_to"]) for m in history] == [("2026-09-02", "2026-12-11")]


async def test_guardian_with_another_active_child_keeps_access(
    system: System, org: dict[str, Any]
) -> None:
    admin = org["admin"]
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        r = await c.post(
            "/api/v1/groups",
            headers=admin,
            json={"name": "3Б", "grade": 3, "academic_year": "2026/2027"},
        )
        group_id = r.json()["id"]
        first = await _sign(
            c,
            admin,
            "/api/v1/orders/enrolment",
            {
                "number": "20-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": group_id,
                "students": [
                    person(
                        "Лебедев",
                        "Миша",
                        guardians=[{"surname": "Лебедева", "name": "Юлия", "relation": "mother"}],
                    )
                ],
            },
        )
        elder_id = first["items"][0]["student_id"]
        mother_id = (await c.get(f"/api/v1/students/{elder_id}", headers=admin)).json()[
            "guardians"
        ][0]["id"]
        second = await _sign(
            c,
            admin,
            "/api/v1/orders/enrolment",
            {
                "number": "21-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": group_id,
                "students": [
                    person(
                        "Лебедев",
                        "Гоша",
                        guardians=[{"guardian_id": mother_id, "relation": "mother"}],
                    )
                ],
            },
        )
        younger_id = second["items"][0]["student_id"]
        mother = await eventually(
            lambda: _accounts(system, admin, kind="guardian", person_id=mother_id),
            until=lambda a: len(a) == 1,
            message="one account for the mother",
        )
        async with httpx.AsyncClient(base_url=system.url("identity"), headers=admin) as ic:

            async def children() -> list[Any]:
                body = (await ic.get(f"/api/v1/accounts/{mother[0]['id']}/children")).json()
                return list(body["items"] if isinstance(body, dict) else body)

            await eventually(children, until=lambda ch: len(ch) == 2, message="two children linked")
            await _sign(
                c,
                admin,
                "/api/v1/orders/expulsion",
                {
                    "number": "22-о",
                    "order_date": "2026-10-01",
                    "effective_date": "2026-10-01",
                    "reason_code": "relocation",
                    "student_ids": [elder_id],
                },
            )
            await eventually(
                lambda: _accounts(system, admin, kind="student", person_id=elder_id),
                until=lambda a: a and not a[0]["active"],
                message="elder disabled",
            )
            still = await _accounts(system, admin, kind="guardian", person_id=mother_id)
            assert still[0]["active"] is True
            assert [ch["person_id"] for ch in await children()] == [younger_id]


async def test_another_organisation_sees_nothing(system: System, org: dict[str, Any]) -> None:
    system.seed_organisations("other")
    other = await system.login("admin.other")
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        groups = (await c.get("/api/v1/groups", headers=org["admin"])).json()["items"]
        assert groups, "the first organisation has groups"
        assert (await c.get(f"/api/v1/groups/{groups[0]['id']}", headers=other)).status_code == 404
        assert (await c.get("/api/v1/groups", headers=other)).json()["items"] == []
    assert await _accounts(system, other, kind="student") == []
    assert await _roster(system, other, groups[0]["id"], "2026-09-15") == []
    assert uuid.UUID(org["tenant_id"])


DISTINCTIVE = "Цвиркунович-Шпак"


async def test_a_distinctive_surname_goes_through_failures_too(
    system: System, org: dict[str, Any]
) -> None:
    """Before the leak check below: the distinctive surname is enrolled, and is also in
    requests that fail (a bad birth date, a taken order number, a foreign guardian)."""
    admin = org["admin"]
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        group_id = (
            await c.post(
                "/api/v1/groups",
                headers=admin,
                json={"name": "11Ц", "grade": 11, "academic_year": "2026/2027"},
            )
        ).json()["id"]
        body = {
            "number": "99-к",
            "order_date": "2026-09-01",
            "effective_date": "2026-09-01",
            "group_id": group_id,
            "students": [
                person(
                    DISTINCTIVE,
                    "Евлампий",
                    guardians=[{"surname": DISTINCTIVE, "name": "Олимпиада", "relation": "mother"}],
                )
            ],
        }
        await _sign(c, admin, "/api/v1/orders/enrolment", body)
        for broken in (
            {
                **body,
                "number": "100-к",
                "students": [{**body["students"][0], "birth_date": "2999-01-01"}],
            },
            body,  # the order number is taken
            {
                **body,
                "number": "101-к",
                "students": [
                    {
                        **body["students"][0],
                        "guardians": [{"guardian_id": str(uuid.uuid4()), "relation": "mother"}],
                    }
                ],
            },
        ):
            r = await c.post("/api/v1/orders/enrolment", headers=admin, json=broken)
            assert 400 <= r.status_code < 500, r.text
    await eventually(
        lambda: _accounts(system, admin, kind="student"),
        until=lambda a: any(DISTINCTIVE in x["full_name"] for x in a),
        message="the distinctive student's account",
    )
    await eventually(
        lambda: _roster(system, admin, group_id, "2026-09-01"),
        until=lambda r: len(r) == 1,
        message="the distinctive student on the roster",
    )


async def test_logs_and_spans_carry_no_personal_data(system: System, org: dict[str, Any]) -> None:
    """Runs after the flows above in the same system: names, birth dates and logins of
    the children and guardians enrolled there appear in no service's log and in no span
    any service exported (attributes, events and status included)."""
    names = [
        "Орлов",
        "Орлова",
        "Кирилл",
        "Лебедев",
        "Лебедева",
        "Миша",
        "Гоша",
        "2014-04-01",
        DISTINCTIVE,
        "Евлампий",
        "Олимпиада",
        "В школу № 7",
    ]
    for service in system.services.values():  # flush every exporter: stop, then read
        service.stop()
    logs = {
        name: proc.log_path.read_text(encoding="utf-8", errors="replace")
        for name, proc in system.services.items()
    }
    assert all(logs.values()), "every service wrote a log"
    spans = {
        name: (system.workdir / f"{name}.spans.jsonl").read_text(encoding="utf-8")
        for name in system.services
        if (system.workdir / f"{name}.spans.jsonl").exists()
    }
    assert {"identity", "contingent", "journal"} <= {n for n, t in spans.items() if t}
    leaks = {
        f"{kind}:{svc}": [n for n in names if n in text]
        for kind, texts in (("log", logs), ("spans", spans))
        for svc, text in texts.items()
    }
    await system.start()  # the session's other tests use the same processes
    assert {where: found for where, found in leaks.items() if found} == {}
    db = Database(create_engine(system.databases["identity"].admin_url, pool_size=1))
    try:
        async with db.unscoped_session() as s:
            logins = list(
                (await s.scalars(text("SELECT login FROM users WHERE kind <> 'staff'"))).all()
            )
    finally:
        await db.dispose()
    assert logins
    everything = [*logs.values(), *spans.values()]
    assert not any(login in text for login in logins for text in everything)
