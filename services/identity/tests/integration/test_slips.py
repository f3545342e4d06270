"""Credential slips as PDF (003 3.3.2; 004 3.3) and the accounts overdue for activation
(001 2.6): what a curator, the academic office and an administrator print, read back
from the PDF itself, and what a teacher, another group's curator or another school must
not get."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pypdfium2
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope
from edureg_shared.workdays import FEDERAL

from ..conftest import PASSWORD, login


def pdf_text(body: bytes) -> str:
    doc = pypdfium2.PdfDocument(body)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def passwords_in(body: bytes) -> dict[str, str]:
    """login → one-time password, as a person reads them off the printed slip."""
    found = re.findall(r"Логин:\s*(\S+)\s*Пароль:\s*(\S+)", pdf_text(body))
    return dict(found)


async def _print_group(
    client: httpx.AsyncClient, who: dict[str, str], group: uuid.UUID
) -> httpx.Response:
    return await client.post(f"/api/v1/groups/{group}/credential-slips", headers=who)


async def _token(client: httpx.AsyncClient, login_: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", json={"login": login_, "password": password})


async def _sql(db: ServiceDatabase, sql: str, **params: Any) -> list[Any]:
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            result = await s.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await admin.dispose()


async def test_a_curator_prints_their_groups_slips(
    client: httpx.AsyncClient, school: dict[str, Any], db: ServiceDatabase
) -> None:
    curator = await login(client, "curator.a")
    student, parent = school["own_student"], school["own_parent"]
    r = await _print_group(client, curator, school["own_group"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-slips-count"] == "2"
    assert "attachment" in r.headers["content-disposition"]
    body = pdf_text(r.content)
    # Cyrillic as text in the PDF, not boxes: the names, the role, the child on the
    # guardian's slip, the group and the issuer.
    assert student["full_name"] in body
    assert parent["full_name"] in body
    assert "Памятка для входа в электронный дневник" in body
    assert "родитель (законный представитель) · ребёнок: " + student["full_name"] in body
    assert "Группа 5А" in body
    assert "Выдал(а): Петрова Анна" in body
    # The other group's family is not in it.
    assert school["other_student"]["login"] not in body
    printed = passwords_in(r.content)
    assert set(printed) == {student["login"], parent["login"]}
    # The password on the slip signs in, for a password change only.
    t = await _token(client, student["login"], printed[student["login"]])
    assert t.status_code == 200, t.text
    assert t.json()["must_change_password"] is True
    # Plain text never stored: only hashes.
    stored = await _sql(db, "SELECT password_hash FROM users WHERE login = :l", l=parent["login"])
    assert stored[0][0] != printed[parent["login"]]
    assert stored[0][0].startswith("$argon2")
    # Who printed whose slip is recorded, one entry per account, one batch.
    rows = await _sql(
        db,
        "SELECT entity_id, actor_id, details->>'batch', details->>'scope' FROM audit_log "
        "WHERE action = 'issue_credentials' ORDER BY entity_id",
    )
    assert {str(row[0]) for row in rows} == {student["id"], parent["id"]}
    assert {str(row[1]) for row in rows} == {school["staff"]["curator.a"]["id"]}
    assert len({row[2] for row in rows}) == 1
    assert {row[3] for row in rows} == {f"group:{school['own_group']}"}

    # Printed again: new passwords, the old ones stop working.
    again = await _print_group(client, curator, school["own_group"])
    assert again.headers["x-slips-count"] == "2"
    assert_problem(await _token(client, parent["login"], printed[parent["login"]]), 401)
    fresh = passwords_in(again.content)
    # The student activates with a password of their own: left out of the next batch,
    # and the next print does not sign them out.
    t = await _token(client, student["login"], fresh[student["login"]])
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": fresh[student["login"]], "new_password": PASSWORD},
        headers={"Authorization": f"Bearer {t.json()['access_token']}"},
    )
    assert changed.status_code == 200, changed.text
    third = await _print_group(client, curator, school["own_group"])
    assert third.headers["x-slips-count"] == "1"
    assert set(passwords_in(third.content)) == {parent["login"]}
    await login(client, student["login"], PASSWORD)


async def test_who_must_not_print_a_groups_slips(
    client: httpx.AsyncClient, school: dict[str, Any], db: ServiceDatabase
) -> None:
    curator = await login(client, "curator.a")
    # Another curator's group is not there for this curator; a group that does not exist
    # answers the same.
    assert_problem(await _print_group(client, curator, school["other_group"]), 404)
    assert_problem(await _print_group(client, curator, uuid.uuid4()), 404)
    # A teacher who curates nothing has no such right; another school's administrator
    # does not see this school's groups.
    assert_problem(
        await _print_group(client, await login(client, "teacher.a"), school["own_group"]), 403
    )
    assert_problem(
        await _print_group(client, await login(client, "admin.b"), school["own_group"]), 404
    )
    # The regional administrator prints no children's passwords.
    assert_problem(
        await _print_group(client, await login(client, "region.admin"), school["own_group"]), 403
    )
    assert not await _sql(db, "SELECT 1 FROM audit_log WHERE action = 'issue_credentials'")
    # The academic office prints any group of its organisation.
    secretary = await login(client, "secretary.a")
    r = await _print_group(client, secretary, school["other_group"])
    assert r.status_code == 200, r.text
    assert set(passwords_in(r.content)) == {
        school["other_student"]["login"],
        school["other_parent"]["login"],
    }


async def test_an_administrator_prints_the_staffs_slips(
    client: httpx.AsyncClient, school: dict[str, Any]
) -> None:
    admin = await login(client, "admin.a")
    staff = school["staff"]
    # Nobody to print yet: every seeded member of staff chose their own password.
    empty = await client.post("/api/v1/staff/credential-slips", headers=admin)
    assert empty.status_code == 200, empty.text
    assert empty.headers["x-slips-count"] == "0"
    assert "все учётные записи уже активированы" in pdf_text(empty.content)
    # Two staff members with one-time passwords (not activated), the other administrator
    # among them.
    for who in ("teacher.a", "admin2.a"):
        r = await client.post(f"/api/v1/accounts/{staff[who]['id']}/credentials", headers=admin)
        assert r.status_code == 200, r.text
    r = await client.post("/api/v1/staff/credential-slips", headers=admin)
    assert r.headers["x-slips-count"] == "2"
    printed = passwords_in(r.content)
    assert set(printed) == {"teacher.a", "admin2.a"}
    assert "администратор организации" in pdf_text(r.content)
    assert (await _token(client, "teacher.a", printed["teacher.a"])).status_code == 200
    # The other administrator never prints their own slip: only teacher.a's.
    other_token = await _token(client, "admin2.a", printed["admin2.a"])
    new = await client.post(
        "/api/v1/me/password",
        json={"current_password": printed["admin2.a"], "new_password": PASSWORD},
        headers={"Authorization": f"Bearer {other_token.json()['access_token']}"},
    )
    assert new.status_code == 200, new.text
    r = await client.post("/api/v1/staff/credential-slips", headers=await login(client, "admin2.a"))
    assert set(passwords_in(r.content)) == {"teacher.a"}
    # Not for a curator, a secretary or another organisation's staff.
    for who in ("curator.a", "secretary.a"):
        assert_problem(
            await client.post("/api/v1/staff/credential-slips", headers=await login(client, who)),
            403,
        )
    r = await client.post("/api/v1/staff/credential-slips", headers=await login(client, "admin.b"))
    assert r.headers["x-slips-count"] == "0"


async def test_accounts_overdue_for_activation(
    client: httpx.AsyncClient, school: dict[str, Any], db: ServiceDatabase
) -> None:
    curator = await login(client, "curator.a")
    secretary = await login(client, "secretary.a")

    async def overdue(who: dict[str, str]) -> set[str]:
        r = await client.get("/api/v1/activation/overdue", headers=who)
        assert r.status_code == 200, r.text
        return {a["login"] for a in r.json()["items"]}

    # Created just now: nobody is overdue.
    assert await overdue(curator) == set()
    # Both families were created two weeks ago; nobody has signed in since.
    ago = datetime.now(UTC) - timedelta(days=14)
    await _sql(db, "UPDATE users SET created_at = :t WHERE kind <> 'staff'", t=ago)
    own = {school["own_student"]["login"], school["own_parent"]["login"]}
    other = {school["other_student"]["login"], school["other_parent"]["login"]}
    assert await overdue(curator) == own
    assert await overdue(secretary) == own | other
    # One activates: off the list.
    slip = passwords_in((await _print_group(client, curator, school["own_group"])).content)
    login_ = school["own_student"]["login"]
    t = await _token(client, login_, slip[login_])
    await client.post(
        "/api/v1/me/password",
        json={"current_password": slip[login_], "new_password": PASSWORD},
        headers={"Authorization": f"Bearer {t.json()['access_token']}"},
    )
    assert await overdue(curator) == {school["own_parent"]["login"]}
    # Not for a teacher; another school sees none of these.
    assert_problem(
        await client.get("/api/v1/activation/overdue", headers=await login(client, "teacher.a")),
        403,
    )
    assert await overdue(await login(client, "admin.b")) == set()


async def test_overdue_counts_working_days_with_the_regions_corrections(
    client: httpx.AsyncClient,
    school: dict[str, Any],
    db: ServiceDatabase,
    infra: Infra,
    nats_prefix: str,
) -> None:
    """Three working days by the production calendar; a day the region declares off (as
    schedule announces it) is not one of them."""
    secretary = await login(client, "secretary.a")
    today = datetime.now(UTC).date()
    third = FEDERAL.nth_working_day_before(today, 3)
    # Made the day before the third working day back: overdue by the federal calendar.
    made = datetime.combine(third - timedelta(days=1), time(12), UTC)
    await _sql(db, "UPDATE users SET created_at = :t WHERE kind <> 'staff'", t=made)

    async def overdue() -> int:
        r = await client.get("/api/v1/activation/overdue", headers=secretary)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert await overdue() == 4
    await infra.publish(
        nats_prefix,
        Envelope(
            type="schedule.working_calendar.changed",
            tenant_id=uuid.uuid4(),
            actor=Actor(id=uuid.uuid4()),
            subject_id=None,
            data={"day": third.isoformat(), "working": False},
        ),
    )
    # That day is off in the region: the three working days reach back one day more.
    await eventually(overdue, until=lambda n: n == 0, message="the region's correction")
    await infra.publish(
        nats_prefix,
        Envelope(
            type="schedule.working_calendar.changed",
            tenant_id=uuid.uuid4(),
            actor=Actor(id=uuid.uuid4()),
            subject_id=None,
            data={"day": third.isoformat(), "working": None},
        ),
    )
    await eventually(overdue, until=lambda n: n == 4, message="the correction removed")
