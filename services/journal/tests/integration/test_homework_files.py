"""Homework files through journal's API: the lesson's teacher attaches them, the lesson's
students and their guardians download them from the diary — exactly the bytes attached,
as a download that never renders in the service's origin; what nobody else may do, and
what is refused with a clear problem."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer

from .test_grid import _event, _world

PDF = b"%PDF-1.4\n% worksheet\n" + b"0" * 2000 + b"\n%%EOF\n"
WEEK = {"from": "2026-09-07", "to": "2026-09-13"}


async def _linked(
    infra: Infra, prefix: str, tenant: uuid.UUID, student: uuid.UUID, parent: uuid.UUID
) -> None:
    await infra.publish(
        prefix,
        _event(
            tenant,
            "identity.accounts.provisioned",
            1,
            {
                "student_id": str(student),
                "accounts": [
                    {"user_id": str(parent), "person_id": str(uuid.uuid4()), "kind": "guardian"}
                ],
            },
        ),
    )


async def test_the_teacher_attaches_a_file_and_the_lessons_parents_download_it(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _world(infra, nats_prefix, tenant)
    teacher = issuer.headers(
        tenant_id=tenant,
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    grid = f"/api/v1/lessons/{w['past']}/grid"
    await eventually(
        lambda: client.get(grid, headers=teacher),
        until=lambda r: r.status_code == 200 and len(r.json()["students"]) == 3,
        message="the lesson and its roster",
    )
    files = f"/api/v1/homework/{w['past']}/files"
    r = await client.post(
        files,
        files={"file": ("../../Рабочий лист №3.pdf", PDF, "text/html")},
        headers=teacher,
    )
    assert r.status_code == 201, r.text
    attached = r.json()
    # The name without folders; the type told by the bytes, not by what the browser said.
    assert (attached["name"], attached["media_type"], attached["size"]) == (
        "Рабочий лист №3.pdf",
        "application/pdf",
        len(PDF),
    )
    assert [
        f["id"] for f in (await client.get(grid, headers=teacher)).json()["homework_files"]
    ] == [attached["id"]]

    a, b, _ = w["students"]
    mum, other_mum = uuid.uuid4(), uuid.uuid4()
    await _linked(infra, nats_prefix, tenant, a, mum)
    mother = issuer.headers(tenant_id=tenant, user_id=mum, kind="guardian")
    [diary] = await eventually(
        lambda: _diary(client, mother), message="the mother linked to her child"
    )
    [day] = [d for d in diary["lessons"] if d["lesson_id"] == str(w["past"])]
    assert [f["name"] for f in day["homework_files"]] == ["Рабочий лист №3.pdf"]
    got = await client.get(f"{files}/{attached['id']}", headers=mother)
    assert got.status_code == 200, got.text
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]

    # A parent whose child was not in that lesson (another group's), a student of another
    # lesson, another organisation: not found — they learn nothing of the lesson.
    await _linked(infra, nats_prefix, tenant, uuid.uuid4(), other_mum)
    stranger = issuer.headers(tenant_id=tenant, user_id=other_mum, kind="guardian")
    await eventually(
        lambda: client.get("/api/v1/my/diary", params=WEEK, headers=stranger),
        until=lambda r: r.status_code == 200,
        message="the other mother's link",
    )
    assert_problem(await client.get(f"{files}/{attached['id']}", headers=stranger), 404)
    assert_problem(await client.get(files, headers=stranger), 404)
    elsewhere = issuer.headers(tenant_id=uuid.uuid4(), user_id=mum, kind="guardian")
    assert_problem(await client.get(f"{files}/{attached['id']}", headers=elsewhere), 404)
    # A parent and another teacher cannot attach or remove files.
    assert_problem(await client.post(files, files={"file": ("x.pdf", PDF)}, headers=mother), 403)
    colleague = issuer.headers(
        tenant_id=tenant,
        user_id=uuid.uuid4(),
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    assert_problem(await client.post(files, files={"file": ("x.pdf", PDF)}, headers=colleague), 403)
    assert_problem(await client.delete(f"{files}/{attached['id']}", headers=colleague), 403)
    assert_problem(await client.get(f"{files}/{attached['id']}", headers=colleague), 403)
    # Another organisation's teacher with the same id: the lesson is not found there.
    foreign = issuer.headers(
        tenant_id=uuid.uuid4(), user_id=w["teacher"], permissions=["journal.marks.write"]
    )
    assert_problem(await client.delete(f"{files}/{attached['id']}", headers=foreign), 404)
    # The file is still there, whole, after every refusal.
    assert (await client.get(f"{files}/{attached['id']}", headers=mother)).content == PDF

    # The teacher removes it: gone for the mother too.
    assert (await client.delete(f"{files}/{attached['id']}", headers=teacher)).status_code == 204
    assert_problem(await client.get(f"{files}/{attached['id']}", headers=mother), 404)
    assert (await client.get(files, headers=mother)).json() == []
    del b


async def test_a_file_that_is_not_what_it_says_or_too_many_is_refused(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant = uuid.uuid4()
    w = await _world(infra, nats_prefix, tenant)
    teacher = issuer.headers(
        tenant_id=tenant,
        user_id=w["teacher"],
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    grid = f"/api/v1/lessons/{w['past']}/grid"
    await eventually(
        lambda: client.get(grid, headers=teacher),
        until=lambda r: r.status_code == 200,
        message="the lesson",
    )
    files = f"/api/v1/homework/{w['past']}/files"
    refused = [
        ("page.html", b"<html><script>alert(1)</script></html>", "тип файла"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "не похоже на .pdf"),
        ("empty.pdf", b"", "пустой"),
        ("binary.txt", b"\x00\x01\x02", "текстом"),
        ("", PDF, "Ожидается файл"),
        ("...", PDF, "нет имени"),
    ]
    for name, content, says in refused:
        r = await client.post(files, files={"file": (name or "", content)}, headers=teacher)
        problem = assert_problem(r, 422)
        assert says in str(problem), (name, problem)
    big = b"%PDF-" + b"0" * (8 * 1024 * 1024)
    assert "8 МБ" in str(
        assert_problem(
            await client.post(files, files={"file": ("big.pdf", big)}, headers=teacher), 422
        )
    )
    # Larger than any upload may be: refused before it is read.
    huge = b"%PDF-" + b"0" * (11 * 1024 * 1024)
    assert_problem(
        await client.post(files, files={"file": ("huge.pdf", huge)}, headers=teacher), 413
    )
    # Any other request of journal keeps the small limit.
    assert_problem(
        await client.put(grid, content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers=teacher),
        413,
    )
    for i in range(5):
        r = await client.post(
            files, files={"file": (f"{i}.txt", "Задача".encode())}, headers=teacher
        )
        assert r.status_code == 201, r.text
    assert "не больше 5" in str(
        assert_problem(
            await client.post(files, files={"file": ("6.txt", b"six")}, headers=teacher), 422
        )
    )
    assert len((await client.get(files, headers=teacher)).json()) == 5
    # A lesson that does not exist.
    assert_problem(
        await client.post(
            f"/api/v1/homework/{uuid.uuid4()}/files",
            files={"file": ("a.txt", b"a")},
            headers=teacher,
        ),
        404,
    )


async def _diary(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/my/diary", params=WEEK, headers=headers)
    return list(r.json()) if r.status_code == 200 else []
