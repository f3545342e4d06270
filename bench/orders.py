"""Benchmark of signing large orders of the movement book (the contingent issue).

    make bench-orders                      # orders of 1,000 students, 3 rounds
    uv run python bench/orders.py --size 1000 --rounds 3

Starts its own PostgreSQL (fsync on) and NATS and the contingent service as a process.
Each round: drafts one enrolment order of N students (with two guardians each), signs
it — the answer comes after the commit, so its time is the time to "signed, with every
student moved, their history written and their events in the outbox" —, then waits
until the relay has published the outbox to JetStream; then drafts and signs a transfer
of the same N students to another group. Prints each figure beside the machine's own
baseline measured in the same run (bench/machine.py); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from machine import measure
from sqlalchemy import text

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra
from edureg_shared.db import Database, create_engine


def _student(i: int) -> dict[str, Any]:
    return {
        "surname": "Бенчмарков",
        "name": "Ученик",
        "birth_date": "2013-01-01",
        "sex": "m",
        "guardians": [
            {"surname": "Бенчмаркова", "name": "Мама", "relation": "mother"},
            {"surname": "Бенчмарков", "name": "Папа", "relation": "father"},
        ],
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    system = System(
        infra=infra, prefix="bench.", workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-"))
    )
    system.extra_env.update({"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": ""})
    figures: dict[str, list[float]] = {"draft": [], "sign": [], "published": [], "transfer": []}
    try:
        await system.prepare(("identity", "contingent"))
        await system.start()
        system.seed_organisations("bench")
        admin = await system.login("admin.bench")
        db = Database(create_engine(system.databases["contingent"].admin_url, pool_size=1))

        async def outbox() -> int:
            async with db.unscoped_session() as s:
                return int(await s.scalar(text("SELECT count(*) FROM outbox")) or 0)

        async with httpx.AsyncClient(
            base_url=system.url("contingent"), headers=admin, timeout=600
        ) as c:

            async def group(name: str) -> str:
                r = await c.post(
                    "/api/v1/groups", json={"name": name, "grade": 5, "academic_year": "2026/2027"}
                )
                r.raise_for_status()
                return str(r.json()["id"])

            for n in range(args.rounds):
                here, there = await group(f"А{n}"), await group(f"Б{n}")
                t0 = time.perf_counter()
                r = await c.post(
                    "/api/v1/orders/enrolment",
                    json={
                        "number": f"E{n}",
                        "order_date": "2026-09-01",
                        "effective_date": "2026-09-01",
                        "group_id": here,
                        "students": [_student(i) for i in range(args.size)],
                    },
                )
                r.raise_for_status()
                figures["draft"].append(time.perf_counter() - t0)
                order = r.json()
                t0 = time.perf_counter()
                (await c.post(f"/api/v1/orders/{order['id']}/sign")).raise_for_status()
                figures["sign"].append(time.perf_counter() - t0)
                while await outbox():
                    await asyncio.sleep(0.02)
                figures["published"].append(time.perf_counter() - t0)
                r = await c.post(
                    "/api/v1/orders/movement",
                    json={
                        "kind": "transfer",
                        "number": f"T{n}",
                        "order_date": "2026-10-01",
                        "effective_date": "2026-10-01",
                        "to_group_id": there,
                        "student_ids": [i["student_id"] for i in order["items"]],
                    },
                )
                r.raise_for_status()
                t0 = time.perf_counter()
                (await c.post(f"/api/v1/orders/{r.json()['id']}/sign")).raise_for_status()
                figures["transfer"].append(time.perf_counter() - t0)
                while await outbox():
                    await asyncio.sleep(0.02)
        await db.dispose()
    finally:
        system.stop()
        infra.stop()

    def line(what: str, values: list[float]) -> str:
        return (
            f"  {what}: median {statistics.median(values):.2f} s "
            f"({', '.join(f'{v:.2f}' for v in values)}), "
            f"{args.size / statistics.median(values):,.0f} students/s"
        )

    print(f"orders of {args.size} students, {args.rounds} rounds:")
    print(line("enrolment drafted (students and guardians created)", figures["draft"]))
    print(line("enrolment signed, events in the outbox", figures["sign"]))
    print(line("enrolment signed → outbox published to JetStream", figures["published"]))
    print(line("transfer signed, events in the outbox", figures["transfer"]))


if __name__ == "__main__":
    asyncio.run(main())
