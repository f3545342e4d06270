"""Benchmark of the journal (the journal issue): single-mark saves, whole 30-student lesson
grid saves, diary week reads — each with throughput and p50/p99 latency.

    make bench-journal
    uv run python bench/journal.py --groups 40 --marks 3000 --grids 600 --diaries 6000

Starts its own PostgreSQL (fsync on), NATS and the journal service as a process. The
groups' rosters, lessons and guardians' links arrive as contingent's, schedule's and
identity's real events. Tokens are RS256, verified by journal exactly as in production,
but signed by a key of this script (its JWKS served on loopback) so that guardians need
no accounts in identity. The load generator runs on the same cores as the service and
its database. Prints the figures beside the machine's own baseline measured in the same
run; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from machine import measure

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import Actor, Envelope, subject_for

STUDENTS = 30
LESSONS = 30  # per group, on the school days from 1 September


def _event(tenant: uuid.UUID, type_: str, version: int, data: dict[str, Any]) -> Envelope:
    return Envelope(
        type=type_,
        schema_version=version,
        tenant_id=tenant,
        actor=Actor(),
        subject_id=None,
        data=data,
    )


def _serve_jwks(issuer: TestIssuer) -> str:
    key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer._key.public_key()))
    body = json.dumps({"keys": [{**key, "kid": issuer.kid, "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"


def _school_days(n: int) -> list[date]:
    days, d = [], date(2026, 9, 1)
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


async def _run(
    name: str, count: int, concurrency: int, one: Callable[[int], Awaitable[None]]
) -> str:
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            t0 = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return (
        f"  {name}: {count:,} in {wall:.2f} s, {count / wall:,.0f}/s at concurrency {concurrency}; "
        f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=40)
    ap.add_argument("--marks", type=int, default=3000)
    ap.add_argument("--grids", type=int, default=600)
    ap.add_argument("--diaries", type=int, default=6000)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    issuer = TestIssuer()
    system = System(
        infra=infra, prefix="bench.", workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-"))
    )
    system.extra_env.update(
        {"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": "", "JWKS_URL": _serve_jwks(issuer)}
    )
    tenant = uuid.uuid4()
    days = _school_days(LESSONS)
    groups = [uuid.uuid4() for _ in range(args.groups)]
    teachers = {g: uuid.uuid4() for g in groups}
    students = {g: [uuid.uuid4() for _ in range(STUDENTS)] for g in groups}
    lessons = {g: [uuid.uuid4() for _ in days] for g in groups}
    subject = uuid.uuid4()
    guardians = {s: uuid.uuid4() for g in groups for s in students[g]}
    lines = []
    try:
        await system.prepare(("journal",))
        await system.start()
        by_service: dict[str, list[Envelope]] = {"contingent": [], "schedule": [], "identity": []}
        for g in groups:
            for i, s in enumerate(students[g]):
                by_service["contingent"].append(
                    _event(
                        tenant,
                        "contingent.student.enrolled",
                        2,
                        {
                            "order_id": str(uuid.uuid4()),
                            "student_id": str(s),
                            "group_id": str(g),
                            "valid_from": "2026-09-01",
                            "display_name": f"Ученик Номер{i:02d}",
                        },
                    )
                )
                by_service["identity"].append(
                    _event(
                        tenant,
                        "identity.accounts.provisioned",
                        1,
                        {
                            "student_id": str(s),
                            "accounts": [{"user_id": str(guardians[s]), "kind": "guardian"}],
                        },
                    )
                )
            by_service["schedule"].append(
                _event(
                    tenant,
                    "schedule.lesson.scheduled",
                    1,
                    {
                        "group_id": str(g),
                        "lessons": [
                            {
                                "lesson_id": str(lesson),
                                "group_id": str(g),
                                "subject_id": str(subject),
                                "subject": "Алгебра",
                                "teacher_ids": [str(teachers[g])],
                                "day": day.isoformat(),
                                "lesson_number": 2,
                                "starts_at": "09:30:00",
                                "ends_at": "10:15:00",
                            }
                            for lesson, day in zip(lessons[g], days, strict=True)
                        ],
                    },
                )
            )
        for service, events in by_service.items():
            async with infra.nats_as(service) as nc:
                js = nc.jetstream()
                for e in events:
                    await js.publish(
                        subject_for(e.type, e.schema_version, system.prefix),
                        e.model_dump_json().encode(),
                        headers={"Nats-Msg-Id": str(e.id)},
                    )
        perms = ["journal.rosters.read", "journal.marks.write"]
        teacher_h = {
            g: issuer.headers(tenant_id=tenant, user_id=teachers[g], permissions=perms, ttl=3600)
            for g in groups
        }
        guardian_h = {
            s: issuer.headers(tenant_id=tenant, user_id=u, kind="guardian", ttl=3600)
            for s, u in guardians.items()
        }
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(
            base_url=system.url("journal"), timeout=60, limits=limits
        ) as c:
            last_group, last_student = groups[-1], students[groups[-1]][-1]
            while True:  # every roster, lesson and link applied
                r = await c.get(
                    f"/api/v1/lessons/{lessons[last_group][-1]}/grid", headers=teacher_h[last_group]
                )
                d = await c.get(
                    "/api/v1/my/diary",
                    params={"from": "2026-09-01", "to": "2026-09-07"},
                    headers=guardian_h[last_student],
                )
                if r.status_code == 200 and len(r.json()["students"]) == STUDENTS and d.json():
                    break
                await asyncio.sleep(0.2)
            # Each lesson's grid version as the teacher holds it; a worker owns a lesson
            # while it saves it (two saves of one grid would be told 409, by design).
            versions = {lesson: 0 for g in groups for lesson in lessons[g]}
            owned = [(g, lesson) for g in groups for lesson in lessons[g]]
            random.Random(7).shuffle(owned)
            free: asyncio.Queue[tuple[uuid.UUID, uuid.UUID]] = asyncio.Queue()
            for item in owned:
                free.put_nowait(item)

            async def save(g: uuid.UUID, lesson: uuid.UUID, body: dict[str, Any]) -> None:
                r = await c.put(
                    f"/api/v1/lessons/{lesson}/grid",
                    json={"version": versions[lesson], **body},
                    headers=teacher_h[g],
                )
                if r.status_code != 200:
                    raise RuntimeError(r.text)
                versions[lesson] = r.json()["version"]

            async def one_mark(i: int) -> None:
                g, lesson = await free.get()
                mark = {"student_id": str(students[g][i % STUDENTS]), "work_type": "lesson"}
                await save(g, lesson, {"marks": [{**mark, "value": str(2 + i % 4)}]})
                free.put_nowait((g, lesson))

            async def whole_grid(i: int) -> None:
                g, lesson = await free.get()
                marks = [
                    {"student_id": str(s), "work_type": "lesson", "value": str(2 + (i + k) % 4)}
                    for k, s in enumerate(students[g])
                ]
                attendance = [
                    {"student_id": str(students[g][(i + k) % STUDENTS]), "code": "absent"}
                    for k in range(2)
                ]
                await save(
                    g,
                    lesson,
                    {
                        "topic": f"Тема {i}",
                        "homework": "§ 3",
                        "marks": marks,
                        "attendance": attendance,
                    },
                )
                free.put_nowait((g, lesson))

            pupils = list(guardians)

            async def diary(i: int) -> None:
                monday = days[(i * 5) % len(days)]
                monday -= timedelta(days=monday.weekday())
                r = await c.get(
                    "/api/v1/my/diary",
                    params={
                        "from": monday.isoformat(),
                        "to": (monday + timedelta(days=6)).isoformat(),
                    },
                    headers=guardian_h[pupils[(i * 7919) % len(pupils)]],
                )
                if r.status_code != 200:
                    raise RuntimeError(r.text)

            settings_h = teacher_h[groups[0]]

            async def floor(i: int) -> None:
                r = await c.get("/api/v1/settings", headers=settings_h)
                if r.status_code != 200:
                    raise RuntimeError(r.text)

            async def health(i: int) -> None:
                (await c.get("/health/live")).raise_for_status()

            await _run("warm-up", 200, 8, one_mark)
            # The floor of the stack, for reading the figures below: the same client and
            # server without a database, then one token-checked read of two small rows.
            lines.append(await _run("floor: GET /health/live", 3000, args.concurrency, health))
            lines.append(
                await _run(
                    "floor: GET /api/v1/settings (token, 2 queries)", 3000, args.concurrency, floor
                )
            )
            lines.append(await _run("single-mark saves", args.marks, args.concurrency, one_mark))
            lines.append(
                await _run("30-student grid saves", args.grids, args.concurrency // 2, whole_grid)
            )
            lines.append(await _run("diary week reads", args.diaries, args.concurrency * 2, diary))
    finally:
        system.stop()
        infra.stop()
    print(
        f"journal of {args.groups} groups × {STUDENTS} students × {LESSONS} lessons "
        f"(one service process, 2 cores shared with PostgreSQL, NATS and this client):"
    )
    for line in lines:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
