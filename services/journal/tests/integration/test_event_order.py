"""Schedule's and contingent's events about who may keep or read a journal, applied by
their time: a load removal overtaken by its own assignment's late retry, or a group's
former curator announced after the new one, gives nobody back a journal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope

from .test_grid import _lesson


def _at(tenant: uuid.UUID, type_: str, data: dict[str, Any], at: datetime) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=1,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=None,
        occurred_at=at,
        data=data,
    )


async def test_late_older_events_give_no_journal_back(
    client: httpx.AsyncClient, infra: Infra, nats_prefix: str, issuer: TestIssuer
) -> None:
    tenant, group, subject, period = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    teacher, lesson = uuid.uuid4(), uuid.uuid4()
    other_teacher = uuid.uuid4()
    now = datetime.now(UTC)
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "schedule.lesson.scheduled",
            {
                "group_id": str(group),
                "lessons": [
                    _lesson(
                        lesson,
                        group,
                        other_teacher,
                        "2026-09-07",
                        subject=subject,
                        period_id=str(period),
                        hours=2,  # a college's pair
                    )
                ],
            },
            now,
        ),
    )
    load = {
        "load_id": str(uuid.uuid4()),
        "teacher_user_id": str(teacher),
        "subject_id": str(subject),
        "group_id": str(group),
        "subgroup_id": None,
        "period_id": str(period),
        "hours": 32,
    }
    headers = issuer.headers(
        tenant_id=tenant,
        user_id=teacher,
        permissions=["journal.rosters.read", "journal.marks.write"],
    )
    grid = f"/api/v1/lessons/{lesson}/grid"
    await infra.publish(
        nats_prefix, _at(tenant, "schedule.load.assigned", load, now - timedelta(minutes=10))
    )
    read = await eventually(
        lambda: client.get(grid, headers=headers),
        until=lambda r: r.status_code == 200,
        message="the teacher's load",
    )
    assert read.json()["hours"] == 2
    # The load is taken away; then the assignment is delivered again (older).
    await infra.publish(
        nats_prefix, _at(tenant, "schedule.load.removed", load, now - timedelta(minutes=5))
    )
    await eventually(
        lambda: client.get(grid, headers=headers),
        until=lambda r: r.status_code == 403,
        message="the load removed",
    )
    await infra.publish(
        nats_prefix, _at(tenant, "schedule.load.assigned", load, now - timedelta(minutes=10))
    )

    # Curators: the new one (later) arrives first, the former one's event after it.
    old_curator, new_curator = uuid.uuid4(), uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "contingent.group.curator_changed",
            {"group_id": str(group), "curator_user_id": str(new_curator)},
            now - timedelta(minutes=1),
        ),
    )
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "contingent.group.created",
            {
                "group_id": str(group),
                "name": "5А",
                "curator_user_id": str(old_curator),
                "academic_year": "2026/2027",
            },
            now - timedelta(minutes=30),
        ),
    )
    # Markers on the same consumers after the late events: once they are applied, so are
    # the late ones (each event type has its consumer, delivered in order).
    marker_group, marker_teacher, marker_curator = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    marker = uuid.uuid4()
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "schedule.lesson.scheduled",
            {
                "group_id": str(marker_group),
                "lessons": [
                    _lesson(
                        marker,
                        marker_group,
                        uuid.uuid4(),
                        "2026-09-08",
                        subject=subject,
                        period_id=str(period),
                    )
                ],
            },
            now,
        ),
    )
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "schedule.load.assigned",
            {
                **load,
                "load_id": str(uuid.uuid4()),
                "teacher_user_id": str(marker_teacher),
                "group_id": str(marker_group),
            },
            now,
        ),
    )
    await infra.publish(
        nats_prefix,
        _at(
            tenant,
            "contingent.group.created",
            {
                "group_id": str(marker_group),
                "name": "5Б",
                "curator_user_id": str(marker_curator),
                "academic_year": "2026/2027",
            },
            now,
        ),
    )

    async def reads_marker(user: uuid.UUID) -> int:
        h = issuer.headers(tenant_id=tenant, user_id=user, permissions=["journal.rosters.read"])
        return (await client.get(f"/api/v1/lessons/{marker}/grid", headers=h)).status_code

    for user in (marker_teacher, marker_curator):
        await eventually(
            lambda who=user: reads_marker(who), until=lambda s: s == 200, message="markers"
        )

    async def reads(user: uuid.UUID) -> int:
        h = issuer.headers(tenant_id=tenant, user_id=user, permissions=["journal.rosters.read"])
        return (await client.get(grid, headers=h)).status_code

    assert await eventually(lambda: reads(new_curator), until=lambda s: s == 200) == 200
    assert await reads(old_curator) == 403
    assert_problem(await client.get(grid, headers=headers), 403)
