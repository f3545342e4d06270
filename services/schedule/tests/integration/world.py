"""A small organisation for schedule's tests: groups and students as contingent
announces them, a year in quarters, rooms, subjects, teachers with load."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope

WRITE = ["schedule.read", "schedule.write"]
YEAR = {
    "title": "2026/2027",
    "starts_on": "2026-09-01",
    "ends_on": "2027-05-31",
    "periods": [
        {"kind": "quarter", "number": 1, "starts_on": "2026-09-01", "ends_on": "2026-10-25"},
        {"kind": "quarter", "number": 2, "starts_on": "2026-11-05", "ends_on": "2026-12-28"},
        {"kind": "quarter", "number": 3, "starts_on": "2027-01-12", "ends_on": "2027-03-21"},
        {"kind": "quarter", "number": 4, "starts_on": "2027-04-01", "ends_on": "2027-05-31"},
    ],
}


def event(tenant: uuid.UUID, type_: str, version: int, data: dict[str, Any]) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=version,
        tenant_id=tenant,
        actor=Actor(id=uuid.uuid4()),
        subject_id=None,
        data=data,
    )


@dataclass
class World:
    tenant: uuid.UUID
    headers: dict[str, str]
    groups: dict[str, uuid.UUID] = field(default_factory=dict)
    curators: dict[str, uuid.UUID] = field(default_factory=dict)
    students: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    teachers: dict[str, uuid.UUID] = field(default_factory=dict)
    rooms: dict[str, uuid.UUID] = field(default_factory=dict)
    subjects: dict[str, uuid.UUID] = field(default_factory=dict)
    year: dict[str, Any] = field(default_factory=dict)

    def period(self, number: int) -> str:
        return next(p["id"] for p in self.year["periods"] if p["number"] == number)


async def build(
    client: httpx.AsyncClient,
    issuer: TestIssuer,
    infra: Infra,
    prefix: str,
    *,
    sizes: dict[str, int] | None = None,
) -> World:
    tenant = uuid.uuid4()
    world = World(tenant=tenant, headers=issuer.headers(tenant_id=tenant, permissions=WRITE))
    sizes = sizes or {"10А": 25, "10Б": 12}
    for name, size in sizes.items():
        group, curator = uuid.uuid4(), uuid.uuid4()
        world.groups[name], world.curators[name] = group, curator
        await infra.publish(
            prefix,
            event(
                tenant,
                "contingent.group.created",
                1,
                {
                    "group_id": str(group),
                    "name": name,
                    "grade": 10,
                    "academic_year": "2026/2027",
                    "curator_user_id": str(curator),
                },
            ),
        )
        world.students[name] = []
        for i in range(size):
            student = uuid.uuid4()
            world.students[name].append(student)
            await infra.publish(
                prefix,
                event(
                    tenant,
                    "contingent.student.enrolled",
                    2,
                    {
                        "order_id": str(uuid.uuid4()),
                        "order_number": "1-к",
                        "order_date": "2026-08-30",
                        "student_id": str(student),
                        "group_id": str(group),
                        "valid_from": "2026-09-01",
                        "display_name": f"Ученик{name} Имя{i + 1:02d}",
                    },
                ),
            )

    async def members_known() -> bool:
        for name, group in world.groups.items():
            r = await client.get(f"/api/v1/groups/{group}/members", headers=world.headers)
            if r.status_code != 200 or len(r.json()) != sizes[name]:
                return False
        return True

    await eventually(members_known, message="groups and students from contingent")
    r = await client.post("/api/v1/academic-years", json=YEAR, headers=world.headers)
    assert r.status_code == 201, r.text
    world.year = r.json()
    for number, capacity in (("201", 30), ("305", 15), ("Спортзал", 60)):
        r = await client.post(
            "/api/v1/rooms",
            json={
                "number": number,
                "capacity": capacity,
                "kind": "gym" if number == "Спортзал" else "classroom",
            },
            headers=world.headers,
        )
        assert r.status_code == 201, r.text
        world.rooms[number] = uuid.UUID(r.json()["id"])
    for name in ("Алгебра", "Физика", "Английский язык"):
        r = await client.post("/api/v1/subjects", json={"name": name}, headers=world.headers)
        assert r.status_code == 201, r.text
        world.subjects[name] = uuid.UUID(r.json()["id"])
    for name in ("Иванова И.И.", "Петров П.П."):
        world.teachers[name] = uuid.uuid4()
    return world


async def give_load(
    client: httpx.AsyncClient,
    world: World,
    teacher: str,
    subject: str,
    group: str,
    hours: int,
    period: int = 1,
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/load",
        json={
            "teacher_user_id": str(world.teachers[teacher]),
            "teacher_name": teacher,
            "subject_id": str(world.subjects[subject]),
            "group_id": str(world.groups[group]),
            "period_id": world.period(period),
            "hours": hours,
        },
        headers=world.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def lesson(
    world: World,
    weekday: int,
    number: int,
    subject: str,
    teacher: str,
    room: str | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "weekday": weekday,
        "lesson_number": number,
        "subject_id": str(world.subjects[subject]),
        "teacher_ids": [str(world.teachers[teacher])],
        "room_id": str(world.rooms[room]) if room else None,
        **extra,
    }


async def save_week(
    client: httpx.AsyncClient, world: World, group: str, lessons: list[dict[str, Any]], **extra: Any
) -> httpx.Response:
    return await client.put(
        f"/api/v1/groups/{world.groups[group]}/timetable/{world.period(1)}",
        json={"lessons": lessons, **extra},
        headers=world.headers,
    )
