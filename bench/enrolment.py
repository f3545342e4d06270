"""Benchmark of the enrolment pipeline, end to end across real processes.

    make bench                                # 10,000 students, orders of 500
    uv run python bench/enrolment.py -n 2000 --order-size 100 --idle-samples 30

Starts its own PostgreSQL (fsync on, as in production) and NATS, the identity,
contingent and journal services as processes, one organisation and one group. Then:
1. throughput: N students enrolled by signed orders, measured from the first signature
   until every student's account (identity) and roster entry (journal) exists;
   students/s, and the p50/p99 delay from each order's signature to each roster entry
   (database timestamps on one server clock: orders.signed_at → roster created_at);
2. idle latency: single-student orders one at a time on the idle system, p50/p99 delay
   from the signature to the roster entry.
Prints the figures beside the machine's own baseline measured in the same run
(bench/machine.py); keeps no timing assertions (that is what this is for, not the tests).
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

SERVICES = ("identity", "contingent", "journal")


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


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--order-size", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=4, help="orders signed in parallel")
    ap.add_argument("--idle-samples", type=int, default=50)
    ap.add_argument(
        "--consumer-batch",
        type=int,
        default=None,
        help="consumer_batch_size of every service (default: the services' own)",
    )
    args = ap.parse_args()

    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    system = System(
        infra=infra, prefix="bench.", workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-"))
    )
    system.extra_env.update({"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": ""})
    if args.consumer_batch:
        system.extra_env["CONSUMER_BATCH_SIZE"] = str(args.consumer_batch)
    try:
        await system.prepare(SERVICES)
        await system.start()
        system.seed_organisations("bench")
        admin = await system.login("admin.bench")
        dbs = {
            n: Database(create_engine(system.databases[n].admin_url, pool_size=2)) for n in SERVICES
        }

        async def scalar(name: str, sql: str) -> Any:
            async with dbs[name].unscoped_session() as s:
                return await s.scalar(text(sql))

        async with httpx.AsyncClient(
            base_url=system.url("contingent"), headers=admin, timeout=300
        ) as c:
            group_id = (
                await c.post(
                    "/api/v1/groups", json={"name": "Б-1", "grade": 1, "academic_year": "2026/2027"}
                )
            ).json()["id"]

            async def draft(number: str, size: int) -> str:
                r = await c.post(
                    "/api/v1/orders/enrolment",
                    json={
                        "number": number,
                        "order_date": "2026-09-01",
                        "effective_date": "2026-09-01",
                        "group_id": group_id,
                        "students": [_student(i) for i in range(size)],
                    },
                )
                r.raise_for_status()
                return str(r.json()["id"])

            # Orders are drafted first (data entry is not the pipeline), then signed.
            orders = [
                await draft(f"B{i}", args.order_size) for i in range(args.n // args.order_size)
            ]
            sem = asyncio.Semaphore(args.concurrency)

            async def sign(order_id: str) -> None:
                async with sem:
                    (await c.post(f"/api/v1/orders/{order_id}/sign")).raise_for_status()

            t0 = time.perf_counter()
            await asyncio.gather(*(sign(o) for o in orders))
            t_signed = time.perf_counter() - t0
            total = len(orders) * args.order_size
            done_at: dict[str, float] = {}
            while len(done_at) < 2:
                counts = {
                    "accounts": await scalar(
                        "identity", "SELECT count(*) FROM users WHERE kind='student'"
                    ),
                    "roster": await scalar("journal", "SELECT count(*) FROM roster_memberships"),
                }
                for what, n in counts.items():
                    if n >= total and what not in done_at:
                        done_at[what] = time.perf_counter() - t0
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - t0
            signed = {
                str(r[0]): r[1]
                for r in (
                    await _rows(
                        dbs["contingent"],
                        "SELECT i.student_id, o.signed_at FROM order_items i JOIN orders o "
                        "ON o.tenant_id = i.tenant_id AND o.id = i.order_id",
                    )
                )
            }
            delays = [
                (created - signed[str(sid)]).total_seconds() * 1000
                for sid, created in await _rows(
                    dbs["journal"], "SELECT student_id, created_at FROM roster_memberships"
                )
            ]

            print(
                f"throughput: {total} students in {len(orders)} orders of {args.order_size}, "
                f"{args.concurrency} signed in parallel"
            )
            print(
                f"  all orders signed in {t_signed:.2f} s; all accounts and roster entries in {elapsed:.2f} s"
            )
            print(
                f"  {total / elapsed:,.0f} students/s end to end "
                f"(roster complete at {done_at['roster']:.2f} s, accounts at {done_at['accounts']:.2f} s)"
            )
            print(
                f"  order signed → roster entry: p50 {pct(delays, 50):.0f} ms, p99 {pct(delays, 99):.0f} ms"
            )

            # Idle means idle: every outbox drained before the single enrolments.
            while any([await scalar(n, "SELECT count(*) FROM outbox") for n in SERVICES]):
                await asyncio.sleep(0.2)
            idle: list[float] = []
            for i in range(args.idle_samples):
                order_id = await draft(f"I{i}", 1)
                start = time.perf_counter()
                (await c.post(f"/api/v1/orders/{order_id}/sign")).raise_for_status()
                while (
                    await scalar("journal", "SELECT count(*) FROM roster_memberships")
                    < total + i + 1
                ):
                    await asyncio.sleep(0.002)
                idle.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.2)
            print(
                f"idle single enrolment, {args.idle_samples} samples: order signed → roster entry "
                f"p50 {pct(idle, 50):.0f} ms, p99 {pct(idle, 99):.0f} ms "
                f"(mean {statistics.mean(idle):.0f} ms)"
            )
        for db in dbs.values():
            await db.dispose()
    finally:
        system.stop()
        infra.stop()


async def _rows(db: Database, sql: str) -> list[Any]:
    async with db.unscoped_session() as s:
        return list((await s.execute(text(sql))).all())


if __name__ == "__main__":
    asyncio.run(main())
