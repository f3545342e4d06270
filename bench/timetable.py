"""Benchmark of the timetable (the schedule issue): conflict-checked saves of a whole
college's weekly timetable, and generation of the dated lessons for a semester.

    make bench-timetable                       # 60 groups × 30 lessons, 2 rounds
    uv run python bench/timetable.py --groups 60 --lessons 30 --rounds 2

Starts its own PostgreSQL (fsync on), NATS, identity and schedule as processes. The
college's groups and students arrive as contingent's events; each of 90 teachers has
load for what they teach. Each round saves every group's week (one PUT per group: every
lesson checked against the whole college's timetable for teacher, room and group
clashes, room sizes, load and hours), then generates every group's dated lessons for
the semester (skipping holidays) and waits until their events are published. Prints
the figures beside the machine's own baseline measured in the same run; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from machine import measure
from sqlalchemy import text

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope, subject_for

TEACHERS = 90
SUBJECTS = 10
STUDENTS = 25


def _event(tenant: uuid.UUID, type_: str, version: int, data: dict[str, Any]) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=version,
        tenant_id=tenant,
        actor=Actor(),
        subject_id=None,
        data=data,
    )


def _slots(lessons: int) -> list[tuple[int, int]]:
    """(weekday, lesson number) of a week of `lessons` lessons over six days."""
    per_day = -(-lessons // 6)
    return [(d, n) for d in range(1, 7) for n in range(1, per_day + 1)][:lessons]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=60)
    ap.add_argument("--lessons", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    system = System(
        infra=infra, prefix="bench.", workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-"))
    )
    system.extra_env.update({"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": ""})
    figures: dict[str, list[float]] = {"save": [], "generate": [], "published": []}
    generated: list[int] = []
    slots = _slots(args.lessons)
    try:
        await system.prepare(("identity", "schedule"))
        await system.start()
        tenant = uuid.UUID(system.seed_organisations("bench")["bench"])
        admin = await system.login("admin.bench")
        db = Database(create_engine(system.databases["schedule"].admin_url, pool_size=1))

        async def outbox() -> int:
            async with db.unscoped_session() as s:
                return int(await s.scalar(text("SELECT count(*) FROM outbox")) or 0)

        groups = [uuid.uuid4() for _ in range(args.groups)]
        events = []
        for i, g in enumerate(groups):
            events.append(
                _event(
                    tenant,
                    "contingent.group.created",
                    1,
                    {
                        "group_id": str(g),
                        "name": f"Г-{i:02d}",
                        "grade": 2,
                        "academic_year": "2026/2027",
                    },
                )
            )
            events += [
                _event(
                    tenant,
                    "contingent.student.enrolled",
                    2,
                    {
                        "order_id": str(uuid.uuid4()),
                        "student_id": str(uuid.uuid4()),
                        "group_id": str(g),
                        "valid_from": "2026-09-01",
                        "display_name": f"Студент Номер{s}",
                    },
                )
                for s in range(STUDENTS)
            ]
        async with infra.nats_as("contingent") as nc:  # as contingent would publish them
            js = nc.jetstream()
            for e in events:
                await js.publish(
                    subject_for(e.type, e.schema_version, system.prefix),
                    e.model_dump_json().encode(),
                    headers={"Nats-Msg-Id": str(e.id)},
                )
        async with httpx.AsyncClient(
            base_url=system.url("schedule"), headers=admin, timeout=600
        ) as c:
            while (
                len((await c.get("/api/v1/groups", params={"limit": 200})).json()["items"])
                < args.groups
            ):
                await asyncio.sleep(0.2)
            year = (
                await c.post(
                    "/api/v1/academic-years",
                    json={
                        "title": "2026/2027",
                        "starts_on": "2026-09-01",
                        "ends_on": "2027-06-30",
                        "periods": [
                            {
                                "kind": "semester",
                                "number": 1,
                                "starts_on": "2026-09-01",
                                "ends_on": "2026-12-28",
                            },
                            {
                                "kind": "semester",
                                "number": 2,
                                "starts_on": "2027-01-12",
                                "ends_on": "2027-06-30",
                            },
                        ],
                    },
                )
            ).json()
            period = next(p["id"] for p in year["periods"] if p["number"] == 1)
            await c.post(
                f"/api/v1/academic-years/{year['id']}/holidays",
                json={"title": "Каникулы", "starts_on": "2026-11-02", "ends_on": "2026-11-07"},
            )
            rooms = [
                (
                    await c.post("/api/v1/rooms", json={"number": f"{100 + i}", "capacity": 30})
                ).json()["id"]
                for i in range(args.groups)
            ]
            subjects = [
                (await c.post("/api/v1/subjects", json={"name": f"Дисциплина {i}"})).json()["id"]
                for i in range(SUBJECTS)
            ]
            teachers = [str(uuid.uuid4()) for _ in range(TEACHERS)]

            def week(g: int) -> list[dict[str, Any]]:
                return [
                    {
                        "weekday": d,
                        "lesson_number": n,
                        "subject_id": subjects[(d + n + g) % SUBJECTS],
                        # For one slot, groups get distinct teachers (groups < teachers).
                        "teacher_ids": [teachers[(g + 5 * d + 3 * n) % TEACHERS]],
                        "room_id": rooms[g],
                    }
                    for d, n in slots
                ]

            pairs = {
                (lesson["teacher_ids"][0], lesson["subject_id"], g)
                for g in range(args.groups)
                for lesson in week(g)
            }
            for teacher, subject, g in pairs:
                r = await c.post(
                    "/api/v1/load",
                    json={
                        "teacher_user_id": teacher,
                        "teacher_name": f"Преподаватель {teachers.index(teacher)}",
                        "subject_id": subject,
                        "group_id": str(groups[g]),
                        "period_id": period,
                        "hours": 80,
                    },
                )
                r.raise_for_status()
            while await outbox():
                await asyncio.sleep(0.05)
            versions: dict[int, int | None] = dict.fromkeys(range(args.groups))
            for _round in range(args.rounds):
                t0 = time.perf_counter()
                for g in range(args.groups):
                    r = await c.put(
                        f"/api/v1/groups/{groups[g]}/timetable/{period}",
                        json={"version": versions[g], "lessons": week(g)},
                    )
                    if r.status_code != 200:
                        raise RuntimeError(r.text)
                    versions[g] = r.json()["version"]
                figures["save"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                count = 0
                for g in groups:
                    r = await c.post(
                        f"/api/v1/groups/{g}/timetable/{period}/lessons",
                        json={"since": "2026-09-01"},
                    )
                    r.raise_for_status()
                    count += r.json()["created"] + r.json()["updated"]
                figures["generate"].append(time.perf_counter() - t0)
                generated.append(count)
                while await outbox():
                    await asyncio.sleep(0.02)
                figures["published"].append(time.perf_counter() - t0)
        await db.dispose()
    finally:
        system.stop()
        infra.stop()

    lessons = args.groups * len(slots)
    print(f"timetable of {args.groups} groups × {len(slots)} lessons a week, {args.rounds} rounds:")
    save = statistics.median(figures["save"])
    print(
        f"  every week saved, clash-checked: median {save:.2f} s "
        f"({', '.join(f'{v:.2f}' for v in figures['save'])}), "
        f"{args.groups / save:,.1f} weeks/s, {lessons / save:,.0f} weekly lessons/s"
    )
    gen = statistics.median(figures["generate"])
    made = generated[0]
    print(
        f"  semester's dated lessons generated (first round: {made:,} new): median {gen:.2f} s "
        f"({', '.join(f'{v:.2f}' for v in figures['generate'])}), first round {made / figures['generate'][0]:,.0f} lessons/s"
    )
    print(
        "  generated → events published to JetStream: "
        + ", ".join(f"{v:.2f} s" for v in figures["published"])
    )


if __name__ == "__main__":
    asyncio.run(main())
