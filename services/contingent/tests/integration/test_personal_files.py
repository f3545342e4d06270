"""Students' personal files: the office completes them (documents checked against the
age, СНИЛС by its check number and once per organisation), every change kept (who,
when, old → new), a corrected name announced; two editors at once told; a curator reads
their group's files and changes none; a minor is never enrolled without a guardian."""

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

from .helpers import enrol, make_group, student


def _form(file: dict[str, Any], **changes: Any) -> dict[str, Any]:
    keep = [
        "surname",
        "name",
        "patronymic",
        "birth_date",
        "sex",
        "file_number",
        "citizenship",
        "registration_address",
        "residence_address",
        "birth_certificate_series",
        "birth_certificate_number",
        "birth_certificate_issued_on",
        "passport_series",
        "passport_number",
        "passport_issued_on",
        "passport_issuer",
        "snils",
        "social_statuses",
        "foreign_language",
    ]
    return {"version": file["version"], **{k: file[k] for k in keep}, **changes}


async def test_the_office_completes_a_file_and_every_change_is_kept(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    group = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group, [student("Иванов", "Пётр")])  # born 2015
    sid = order["items"][0]["student_id"]
    file = (await client.get(f"/api/v1/students/{sid}", headers=admin_a)).json()
    assert (file["version"], file["citizenship"], file["social_statuses"]) == (0, "RUS", [])

    # A passport for an 11-year-old, a wrong СНИЛС, a malformed certificate: each named.
    r = await client.put(
        f"/api/v1/students/{sid}",
        headers=admin_a,
        json=_form(file, passport_series="4512", passport_number="123456"),
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "passport_series"
    r = await client.put(
        f"/api/v1/students/{sid}",
        headers=admin_a,
        json=_form(file, snils="112-233-445 96", birth_certificate_series="4-АН"),
    )
    assert {e["field"] for e in assert_problem(r, 422)["errors"]} == {
        "snils",
        "birth_certificate_series",
    }
    assert (await client.get(f"/api/v1/students/{sid}", headers=admin_a)).json() == file

    saved = await client.put(
        f"/api/v1/students/{sid}",
        headers=admin_a,
        json=_form(
            file,
            surname="Иванов-Петров",
            file_number="5А-017",
            birth_certificate_series="iv-ан",
            birth_certificate_number="123456",
            birth_certificate_issued_on="2015-04-01",
            snils="112-233-445 95",
            registration_address="г. Энск, ул. Садовая, 3",
            social_statuses=["large_family"],
            foreign_language="английский",
        ),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["version"], body["birth_certificate_series"], body["snils"]) == (
        1,
        "IV-АН",
        "11223344595",
    )
    # The form opened before that save is refused; nothing of the save is lost.
    stale = await client.put(
        f"/api/v1/students/{sid}", headers=admin_a, json=_form(file, foreign_language="немецкий")
    )
    assert assert_problem(stale, 409)["errors"][0]["field"] == "version"
    changes = (await client.get(f"/api/v1/students/{sid}/changes", headers=admin_a)).json()
    by_field = {c["field"]: c for c in changes["items"]}
    assert (by_field["surname"]["old_value"], by_field["surname"]["new_value"]) == (
        "Иванов",
        "Иванов-Петров",
    )
    assert by_field["social_statuses"]["new_value"] == "large_family"
    assert all(c["changed_by"] and c["changed_at"] for c in changes["items"])

    # The same СНИЛС for a second student of the organisation: a conflict on the field.
    other = await enrol(client, admin_a, group, [student("Орлов", "Илья")], number="2-к")
    oid = other["items"][0]["student_id"]
    ofile = (await client.get(f"/api/v1/students/{oid}", headers=admin_a)).json()
    r = await client.put(
        f"/api/v1/students/{oid}", headers=admin_a, json=_form(ofile, snils="11223344595")
    )
    assert {e["field"] for e in assert_problem(r, 409)["errors"]} == {"snils"}

    # The corrected name goes to the services that show it; nothing else of the file.
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}contingent.student.renamed.v1",
            stream=stream_name("contingent", nats_prefix),
        )
        messages = await eventually(
            lambda: _fetch(sub), until=lambda m: len(m) == 1, message="one rename"
        )
    data = json.loads(messages[0].data)["data"]
    assert data == {"student_id": sid, "display_name": "Иванов-Петров Пётр"}
    # How complete the file is, as a count only: after the save above it still lacks the
    # address of residence (the birth certificate, СНИЛС and registration are in).
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{nats_prefix}contingent.student.file_completeness.v1",
            stream=stream_name("contingent", nats_prefix),
        )
        counted = await eventually(
            lambda: _fetch(sub), until=lambda m: len(m) >= 1, message="file completeness"
        )
    first = json.loads(counted[0].data)["data"]
    assert set(first) == {"student_id", "missing"}
    assert (first["student_id"], first["missing"]) == (sid, 1)


async def _fetch(sub: Any) -> list[Any]:
    try:
        return list(await sub.fetch(10, timeout=0.5))
    except nats.errors.TimeoutError:
        return []


async def test_a_fifteen_year_old_needs_a_passport(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group = await make_group(client, admin_a)
    order = await enrol(client, admin_a, group, [student(birth_date="2011-01-10")])
    sid = order["items"][0]["student_id"]
    file = (await client.get(f"/api/v1/students/{sid}", headers=admin_a)).json()
    r = await client.put(
        f"/api/v1/students/{sid}", headers=admin_a, json=_form(file, file_number="9-1")
    )
    assert "паспорт" in assert_problem(r, 422)["errors"][0]["message"]
    r = await client.put(
        f"/api/v1/students/{sid}",
        headers=admin_a,
        json=_form(
            file,
            passport_series="4525",
            passport_number="000111",
            passport_issued_on="2025-02-01",
            passport_issuer="ГУ МВД",
        ),
    )
    assert r.status_code == 200, r.text


async def test_a_minor_is_not_enrolled_without_a_guardian(
    client: httpx.AsyncClient, admin_a: dict[str, str]
) -> None:
    group = await make_group(client, admin_a)
    body = {
        "number": "1-к",
        "order_date": "2026-09-01",
        "effective_date": "2026-09-01",
        "group_id": group,
    }
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={**body, "students": [student("Одинов", "Юрий", guardians=[])]},
    )
    problem = assert_problem(r, 422)
    assert "Одинов Юрий" in problem["errors"][0]["message"]
    # An adult student (a college's evening course) is enrolled on their own.
    r = await client.post(
        "/api/v1/orders/enrolment",
        headers=admin_a,
        json={
            **body,
            "students": [student("Взрослов", "Игорь", birth_date="2000-01-01", guardians=[])],
        },
    )
    assert r.status_code == 201, r.text


async def test_a_curator_reads_their_group_s_files_and_changes_none(
    client: httpx.AsyncClient, admin_a: dict[str, str], issuer: TestIssuer, tenant_a: uuid.UUID
) -> None:
    curator = uuid.uuid4()
    r = await client.post(
        "/api/v1/groups",
        headers=admin_a,
        json={
            "name": "5В",
            "grade": 5,
            "academic_year": "2026/2027",
            "curator_user_id": str(curator),
        },
    )
    mine = r.json()["id"]
    other = await make_group(client, admin_a, "5Г")
    my = (await enrol(client, admin_a, mine, [student()]))["items"][0]["student_id"]
    theirs = (await enrol(client, admin_a, other, [student()], number="2-к"))["items"][0][
        "student_id"
    ]
    headers = issuer.headers(
        tenant_id=tenant_a, user_id=curator, permissions=["contingent.students.read"]
    )
    file = (await client.get(f"/api/v1/students/{my}", headers=headers)).json()
    assert (await client.get(f"/api/v1/students/{my}/changes", headers=headers)).status_code == 200
    assert_problem(await client.get(f"/api/v1/students/{theirs}/changes", headers=headers), 404)
    assert_problem(
        await client.put(f"/api/v1/students/{my}", headers=headers, json=_form(file)), 403
    )


async def test_the_office_corrects_a_guardian_and_every_change_is_kept(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    issuer: TestIssuer,
    tenant_a: uuid.UUID,
) -> None:
    group = await make_group(client, admin_a)
    order = await enrol(
        client, admin_a, group, [student("Иванов", "Пётр"), student("Орлов", "Илья")]
    )
    files = [
        (await client.get(f"/api/v1/students/{i['student_id']}", headers=admin_a)).json()
        for i in order["items"]
    ]
    first, second = (f["guardians"][0] for f in files)
    body = {
        "surname": first["surname"],
        "name": first["name"],
        "phone": "+79001234567",
        "email": "mama@example.ru",
        "snils": "112-233-445 95",
    }
    r = await client.put(f"/api/v1/guardians/{first['id']}", headers=admin_a, json=body)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (saved["phone"], saved["snils"]) == ("+79001234567", "11223344595")
    assert {c["field"] for c in saved["changes"]} == {"phone", "email", "snils"}
    # Bad contacts by field; the same СНИЛС for another guardian: a conflict on it.
    r = await client.put(
        f"/api/v1/guardians/{first['id']}",
        headers=admin_a,
        json={**body, "phone": "12", "email": "x"},
    )
    assert {e["field"] for e in assert_problem(r, 422)["errors"]} == {"phone", "email"}
    r = await client.put(
        f"/api/v1/guardians/{second['id']}",
        headers=admin_a,
        json={"surname": second["surname"], "name": second["name"], "snils": "11223344595"},
    )
    assert {e["field"] for e in assert_problem(r, 409)["errors"]} == {"snils"}
    # A curator does not edit guardians; another organisation does not find them.
    curator = issuer.headers(tenant_id=tenant_a, permissions=["contingent.students.read"])
    assert_problem(
        await client.put(f"/api/v1/guardians/{first['id']}", headers=curator, json=body), 403
    )
    assert_problem(await client.get(f"/api/v1/guardians/{first['id']}", headers=admin_b), 404)
