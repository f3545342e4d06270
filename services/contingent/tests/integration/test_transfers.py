"""Transfers between two organisations of the region, through contingent's API: A
expels by transfer to B, which sees the request with the file (all of it with consent,
who the student is without), accepts it by an enrolment order or refuses it; A sees the
status and nothing of B's; nobody else sees either."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats
import pytest

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope, stream_name

from ..conftest import ALL
from .helpers import enrol, make_group, student


def _registered(org: uuid.UUID, name: str) -> Envelope:
    return Envelope(
        type="identity.organisation.registered",
        tenant_id=org,
        actor=Actor(id=uuid.uuid4()),
        subject_id=org,
        data={
            "organisation_id": str(org),
            "code": name.lower(),
            "kind": "school",
            "name": f"Средняя школа «{name}»",
            "short_name": name,
            "municipality": "Городской округ",
        },
    )


async def _region(
    client: httpx.AsyncClient,
    infra: Infra,
    prefix: str,
    headers: dict[str, str],
    *orgs: tuple[uuid.UUID, str],
) -> None:
    for org, name in orgs:
        await infra.publish(prefix, _registered(org, name))
    await eventually(
        lambda: client.get("/api/v1/organisations", headers=headers),
        until=lambda r: r.json()["total"] == len(orgs) - 1,
        message="the region's organisations known",
    )


async def _expel_by_transfer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    student_id: str,
    to: uuid.UUID,
    *,
    consent: bool,
    number: str = "5-о",
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=headers,
        json={
            "number": number,
            "order_date": "2026-11-10",
            "effective_date": "2026-11-10",
            "reason_code": "transfer",
            "student_ids": [student_id],
            "transfer_to_organisation_id": str(to),
            "file_consent": consent,
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _requested(infra: Infra, prefix: str) -> list[dict[str, Any]]:
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{prefix}contingent.accounts.requested.v1", stream=stream_name("contingent", prefix)
        )
        out: list[dict[str, Any]] = []
        try:
            while True:
                out.extend(json.loads(m.data)["data"] for m in await sub.fetch(50, timeout=0.5))
        except nats.errors.TimeoutError:
            pass
        return out


async def test_a_student_moves_from_a_to_b_with_the_file(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    issuer: TestIssuer,
    infra: Infra,
    nats_prefix: str,
) -> None:
    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    snils = "112-233-445 95"
    pupil = student("Морозов", "Иван")
    pupil["guardians"][0]["snils"] = snils
    order = await enrol(client, admin_a, group_a, [pupil])
    sid = order["items"][0]["student_id"]
    expulsion = await _expel_by_transfer(client, admin_a, sid, tenant_b, consent=True)
    assert expulsion["transfer_to_organisation_id"] == str(tenant_b)

    # B sees the request, the file with guardians and history; A's own incoming is empty.
    listed = (await client.get("/api/v1/transfers/incoming", headers=admin_b)).json()
    assert [(t["from_organisation"], t["status"]) for t in listed["items"]] == [
        ("Школа А", "pending")
    ]
    assert listed["items"][0]["guardians"] == []  # lists carry no file
    request_id = listed["items"][0]["id"]
    request = (await client.get(f"/api/v1/transfers/incoming/{request_id}", headers=admin_b)).json()
    assert request["student"]["surname"] == "Морозов"
    assert {g["snils"] for g in request["guardians"]} >= {"11223344595"}
    assert [h["kind"] for h in request["history"]] == ["enrolment", "expulsion"]
    assert (await client.get("/api/v1/transfers/incoming", headers=admin_a)).json()["total"] == 0
    assert_problem(
        await client.get(f"/api/v1/transfers/incoming/{request_id}", headers=admin_a), 404
    )
    # B knows nothing else of A's: not the student's file there, not A's group.
    assert_problem(await client.get(f"/api/v1/students/{sid}", headers=admin_b), 404)

    # B accepts by an enrolment order into its group; signed, the request is accepted.
    group_b = await make_group(client, admin_b, "6Б")
    r = await client.post(
        f"/api/v1/transfers/incoming/{request_id}/enrolment",
        headers=admin_b,
        json={
            "number": "31-к",
            "order_date": "2026-11-12",
            "effective_date": "2026-11-12",
            "group_id": group_b,
        },
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    # A second draft for the same request is refused while the first waits.
    again = await client.post(
        f"/api/v1/transfers/incoming/{request_id}/enrolment",
        headers=admin_b,
        json={
            "number": "32-к",
            "order_date": "2026-11-12",
            "effective_date": "2026-11-12",
            "group_id": group_b,
        },
    )
    assert "31-к" in assert_problem(again, 409)["detail"]
    signed = await client.post(f"/api/v1/orders/{draft['id']}/sign", headers=admin_b)
    assert signed.status_code == 200, signed.text
    new_sid = draft["items"][0]["student_id"]
    file_b = (await client.get(f"/api/v1/students/{new_sid}", headers=admin_b)).json()
    assert (file_b["surname"], file_b["status"], file_b["group_id"]) == (
        "Морозов",
        "active",
        group_b,
    )
    assert len(file_b["guardians"]) == 2

    # identity hears where the student came from (to keep the sign-in).
    requested = await eventually(
        lambda: _requested(infra, nats_prefix),
        until=lambda e: any(x.get("transferred_from") for x in e),
        message="accounts requested for the transferred student",
    )
    came = next(x for x in requested if x.get("transferred_from"))
    assert came["transferred_from"] == {"organisation_id": str(tenant_a), "student_id": sid}

    # A sees the request accepted, and nothing of B's: no order, no student, no group.
    outgoing = (await client.get("/api/v1/transfers/outgoing", headers=admin_a)).json()["items"]
    assert [(o["to_organisation"], o["status"], o["student_id"]) for o in outgoing] == [
        ("Школа Б", "accepted", sid)
    ]
    assert set(outgoing[0]) == {
        "id",
        "to_organisation",
        "student_id",
        "student_name",
        "order_id",
        "status",
        "created_at",
        "decided_at",
    }
    assert_problem(await client.get(f"/api/v1/students/{new_sid}", headers=admin_a), 404)
    assert_problem(await client.get(f"/api/v1/orders/{draft['id']}", headers=admin_a), 404)
    # A's past records stay: the student there is expelled, with their history.
    file_a = (await client.get(f"/api/v1/students/{sid}", headers=admin_a)).json()
    assert file_a["status"] == "expelled"
    # A third organisation sees neither side.
    stranger = issuer.headers(tenant_id=uuid.uuid4(), permissions=ALL)
    for path in ("/api/v1/transfers/incoming", "/api/v1/transfers/outgoing"):
        assert (await client.get(path, headers=stranger)).json()["total"] == 0
    assert_problem(
        await client.get(f"/api/v1/transfers/incoming/{request_id}", headers=stranger), 404
    )


async def test_a_refused_request_and_one_without_consent(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
) -> None:
    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_a, [student("Белов", "Олег")])
    sid = order["items"][0]["student_id"]
    await _expel_by_transfer(client, admin_a, sid, tenant_b, consent=False)
    request = (await client.get("/api/v1/transfers/incoming", headers=admin_b)).json()["items"][0]
    full = (await client.get(f"/api/v1/transfers/incoming/{request['id']}", headers=admin_b)).json()
    # Without consent: who the student is, no guardians, no history.
    assert (full["consent"], full["guardians"], full["history"]) == (False, [], [])
    assert full["student"]["birth_date"] == "2015-03-14"
    r = await client.post(
        f"/api/v1/transfers/incoming/{request['id']}/refuse",
        headers=admin_b,
        json={"reason": "Нет мест в 5-х классах"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refused"
    # Decided: neither accepted nor refused again.
    assert_problem(
        await client.post(
            f"/api/v1/transfers/incoming/{request['id']}/refuse",
            headers=admin_b,
            json={"reason": "ещё раз"},
        ),
        409,
    )
    outgoing = (await client.get("/api/v1/transfers/outgoing", headers=admin_a)).json()["items"]
    assert outgoing[0]["status"] == "refused"
    assert "Нет мест" not in json.dumps(outgoing)  # B's reason is B's


async def test_transfers_refused_where_they_make_no_sense(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
) -> None:
    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_a, [student()])
    sid = order["items"][0]["student_id"]
    body = {
        "number": "9-о",
        "order_date": "2026-11-10",
        "effective_date": "2026-11-10",
        "reason_code": "transfer",
        "student_ids": [sid],
    }
    for target, reason, field in [
        (tenant_a, "transfer", "transfer_to_organisation_id"),  # its own organisation
        (uuid.uuid4(), "transfer", "transfer_to_organisation_id"),  # not in the region
    ]:
        r = await client.post(
            "/api/v1/orders/expulsion",
            headers=admin_a,
            json={**body, "reason_code": reason, "transfer_to_organisation_id": str(target)},
        )
        assert assert_problem(r, 422)["errors"][0]["field"] == field
    # A destination with another reason than a transfer.
    r = await client.post(
        "/api/v1/orders/expulsion",
        headers=admin_a,
        json={**body, "reason_code": "relocation", "transfer_to_organisation_id": str(tenant_b)},
    )
    assert_problem(r, 422)
    assert (await client.get("/api/v1/orders", headers=admin_a)).json()["total"] == 1


async def test_a_cancelled_expulsion_withdraws_its_request_and_an_accepted_one_stays(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
) -> None:
    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    group_b = await make_group(client, admin_b, "6Б")
    order = await enrol(
        client, admin_a, group_a, [student("Первый", "Иван"), student("Второй", "Пётр")]
    )
    first, second = (i["student_id"] for i in order["items"])
    names = {
        (await client.get(f"/api/v1/students/{s}", headers=admin_a)).json()["surname"]: s
        for s in (first, second)
    }
    first, second = names["Первый"], names["Второй"]
    one = await _expel_by_transfer(client, admin_a, first, tenant_b, consent=False, number="1-о")
    two = await _expel_by_transfer(client, admin_a, second, tenant_b, consent=True, number="2-о")

    def cancel(target: dict[str, Any], number: str) -> Any:
        return client.post(
            "/api/v1/orders/movement",
            headers=admin_a,
            json={
                "kind": "cancellation",
                "number": number,
                "order_date": "2026-11-11",
                "effective_date": "2026-11-11",
                "cancelled_order_id": target["id"],
            },
        )

    # The first expulsion cancelled before B decided: the request is withdrawn.
    r = await cancel(one, "3-д")
    assert (await client.post(f"/api/v1/orders/{r.json()['id']}/sign", headers=admin_a)).is_success
    incoming = (await client.get("/api/v1/transfers/incoming", headers=admin_b)).json()["items"]
    by_name = {t["student"]["surname"]: t for t in incoming}
    assert by_name["Первый"]["status"] == "withdrawn"
    withdrawn = (
        await client.get(f"/api/v1/transfers/incoming/{by_name['Первый']['id']}", headers=admin_b)
    ).json()
    assert withdrawn["guardians"] == []
    accept = {
        "number": "40-к",
        "order_date": "2026-11-12",
        "effective_date": "2026-11-12",
        "group_id": group_b,
    }
    assert_problem(
        await client.post(
            f"/api/v1/transfers/incoming/{by_name['Первый']['id']}/enrolment",
            headers=admin_b,
            json=accept,
        ),
        409,
    )
    # The second accepted by B (the minor came with the file's guardians): A can no
    # longer cancel that expulsion, nor B its enrolment.
    r = await client.post(
        f"/api/v1/transfers/incoming/{by_name['Второй']['id']}/enrolment",
        headers=admin_b,
        json=accept,
    )
    assert r.status_code == 201, r.text
    enrolment = r.json()
    assert (await client.post(f"/api/v1/orders/{enrolment['id']}/sign", headers=admin_b)).is_success
    assert "принят" in assert_problem(await cancel(two, "4-д"), 422)["detail"]
    r = await client.post(
        "/api/v1/orders/movement",
        headers=admin_b,
        json={
            "kind": "cancellation",
            "number": "5-д",
            "order_date": "2026-11-13",
            "effective_date": "2026-11-13",
            "cancelled_order_id": enrolment["id"],
        },
    )
    assert "по переводу" in assert_problem(r, 422)["detail"]
    # Decided, the request keeps who the student was and nothing of the family.
    done = (
        await client.get(f"/api/v1/transfers/incoming/{by_name['Второй']['id']}", headers=admin_b)
    ).json()
    assert (done["status"], done["guardians"], done["student"]["surname"]) == (
        "accepted",
        [],
        "Второй",
    )


async def test_a_minor_sent_without_consent_is_accepted_with_guardians_given_here(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
) -> None:
    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    group_b = await make_group(client, admin_b, "6Б")
    sid = (await enrol(client, admin_a, group_a, [student()]))["items"][0]["student_id"]
    await _expel_by_transfer(client, admin_a, sid, tenant_b, consent=False)
    [request] = (await client.get("/api/v1/transfers/incoming", headers=admin_b)).json()["items"]
    body = {
        "number": "41-к",
        "order_date": "2026-11-12",
        "effective_date": "2026-11-12",
        "group_id": group_b,
    }
    r = await client.post(
        f"/api/v1/transfers/incoming/{request['id']}/enrolment", headers=admin_b, json=body
    )
    assert "законный представитель" in assert_problem(r, 422)["errors"][0]["message"]
    r = await client.post(
        f"/api/v1/transfers/incoming/{request['id']}/enrolment",
        headers=admin_b,
        json={**body, "guardians": [{"surname": "Иванова", "name": "Анна", "relation": "mother"}]},
    )
    assert r.status_code == 201, r.text


async def test_the_filing_function_refuses_anything_but_its_own_transfer_expulsion(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    tenant_a: uuid.UUID,
    tenant_b: uuid.UUID,
    infra: Infra,
    nats_prefix: str,
    db: Any,
) -> None:
    """Even the sender's own code, as its database role, cannot put a request into
    another organisation's rows but for an expulsion by transfer of that student."""
    import json as _json

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from edureg_shared.db import Database, create_engine

    await _region(client, infra, nats_prefix, admin_a, (tenant_a, "Школа А"), (tenant_b, "Школа Б"))
    group_a = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group_a, [student()])
    sid = order["items"][0]["student_id"]
    app = Database(create_engine(db.app_url))
    try:
        for order_id, consent, file in [
            (order["id"], False, {"student": {}}),  # an enrolment order
            (str(uuid.uuid4()), False, {"student": {}}),  # no order at all
        ]:
            with pytest.raises(DBAPIError, match="transfer expulsion"):
                async with app.tenant_session(tenant_a) as s:
                    await s.execute(
                        text(
                            "SELECT public.file_transfer_request(:t, :i, :s, :o, :c, "
                            "CAST(:f AS jsonb))"
                        ),
                        {
                            "t": tenant_b,
                            "i": uuid.uuid4(),
                            "s": sid,
                            "o": order_id,
                            "c": consent,
                            "f": _json.dumps(file),
                        },
                    )
    finally:
        await app.dispose()
