"""Subgroups with dates: a student who moves to the other half from a given day stays in
the first half's lessons of the days before it (and their diary keeps them), appears in
the other half's from that day; a late, older definition changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope

from .test_grid import _event, _lesson

WEEK = {"from": "2026-09-07", "to": "2026-09-20"}


def _defined(
    tenant: uuid.UUID,
    subgroup: uuid.UUID,
    group: uuid.UUID,
    students: list[uuid.UUID],
    *,
    since: str | None = None,
    at: datetime | None = None,
) -> Envelope:
    return Envelope(
        type="schedule.subgroup.defined",
        schema_version=1,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=subgroup,
        occurred_at=at or datetime.now(UTC),
        data={
            "subgroup_id": str(subgroup),
            "group_id": str(group),
            "name": "1 подгруппа",
            "student_ids": [str(s) for s in students],
            **({"since": since} if since else {}),
        },
    )


async def test_a_student_moved_to_the_other_half_keeps_the_days_before(
    client: httpx.AsyncClient,
    infra: Infra,
    nats_prefix: str,
    issuer: TestIssuer,
    db: ServiceDatabase,
) -> None:
    tenant, group, teacher, half = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a, b, c = (uuid.uuid4() for _ in range(3))
    for i, s in enumerate((a, b, c)):
        await infra.publish(
            nats_prefix,
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
    first = datetime.now(UTC) - timedelta(days=3)
    await infra.publish(nats_prefix, _defined(tenant, half, group, [a, b], at=first))
    before, after = uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {
                "group_id": str(group),
                "lessons": [
                    _lesson(before, group, teacher, "2026-09-07", subgroup_id=str(half)),
                    _lesson(after, group, teacher, "2026-09-14", subgroup_id=str(half)),
                ],
            },
        ),
    )
    headers = issuer.headers(
        tenant_id=tenant, user_id=teacher, permissions=["journal.rosters.read"]
    )

    async def roster(lesson: uuid.UUID) -> set[str]:
        r = await client.get(f"/api/v1/lessons/{lesson}/grid", headers=headers)
        return {s["student_id"] for s in r.json()["students"]} if r.status_code == 200 else set()

    await eventually(
        lambda: roster(after), until=lambda r: r == {str(a), str(b)}, message="the first half"
    )
    # As if the subgroup were known from before versions were kept (members, no version):
    # its next composition must still keep the days before.
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as session:
            await session.execute(text("DELETE FROM subgroup_versions"))
    finally:
        await admin.dispose()
    # From 14 September a moves out and c moves in.
    second = datetime.now(UTC) - timedelta(days=1)
    await infra.publish(
        nats_prefix, _defined(tenant, half, group, [b, c], since="2026-09-14", at=second)
    )
    await eventually(
        lambda: roster(after), until=lambda r: r == {str(b), str(c)}, message="the new half"
    )
    assert await roster(before) == {str(a), str(b)}
    # A late copy of the first definition (older) changes nothing.
    await infra.publish(
        nats_prefix, _defined(tenant, half, group, [a, b], since="2026-09-01", at=first)
    )
    marker = uuid.uuid4()  # an event after it: once applied, the late one was too
    await infra.publish(
        nats_prefix,
        _event(
            tenant,
            "schedule.lesson.scheduled",
            1,
            {"group_id": str(group), "lessons": [_lesson(marker, group, teacher, "2026-09-15")]},
        ),
    )
    await eventually(lambda: roster(marker), until=bool, message="the marker lesson")
    assert (await roster(after), await roster(before)) == (
        {str(b), str(c)},
        {str(a), str(b)},
    )

    # The diaries follow: a has the lesson before the move, c the one after.
    accounts = {s: uuid.uuid4() for s in (a, c)}
    for student, user in accounts.items():
        await infra.publish(
            nats_prefix,
            _event(
                tenant,
                "identity.accounts.provisioned",
                1,
                {
                    "student_id": str(student),
                    "accounts": [
                        {"user_id": str(user), "person_id": str(student), "kind": "student"}
                    ],
                },
            ),
        )

    async def lessons_of(student: uuid.UUID) -> set[str]:
        me = issuer.headers(tenant_id=tenant, user_id=accounts[student], kind="student")
        r = await client.get("/api/v1/my/diary", params=WEEK, headers=me)
        found: list[dict[str, Any]] = r.json() if r.status_code == 200 else []
        return {x["lesson_id"] for d in found for x in d["lessons"]}

    assert await eventually(lambda: lessons_of(a), message="a's diary") == {
        str(before),
        str(marker),
    }
    assert await eventually(lambda: lessons_of(c), message="c's diary") == {
        str(after),
        str(marker),
    }
