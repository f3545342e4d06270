"""An idle system at rest, and a lone event still delivered at once.

    uv run python bench/idle.py [--seconds 60] [--samples 30]

Starts PostgreSQL, NATS and every service as processes (as `make run` does), lets them
settle, then:
1. CPU of everything (services, PostgreSQL, NATS) over an idle minute, as a share of one
   core; and the log lines the services wrote in that minute;
2. lone-event latency: a `contingent.student.enrolled` published now and then (as
   contingent would, through JetStream) until journal's transaction applying it starts
   (the row's created_at, same clock), p50/p99/max.
Prints the figures beside the machine's baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from machine import measure
from sqlalchemy import text

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra
from edureg_shared.db import Database, create_engine
from edureg_shared.events.envelope import Actor, Envelope

SERVICES = ("identity", "contingent", "schedule", "journal", "reporting", "portal")


def _tree(pids: list[int]) -> list[psutil.Process]:
    procs = []
    for pid in pids:
        p = psutil.Process(pid)
        procs += [p, *p.children(recursive=True)]
    return procs


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _name(p: psutil.Process, system: System) -> str:
    try:
        cmd = " ".join(p.cmdline())
    except psutil.NoSuchProcess:
        return "gone"
    for name in system.services:
        if f"edureg_{name}" in cmd:
            return name
    if "nats-server" in cmd:
        return "nats"
    return "postgres" if "postgres" in cmd else cmd[:20]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="edureg-idle-"))
    system = System(infra=infra, prefix="idle.", workdir=workdir)
    system.extra_env.update({"OUTBOX_POLL_INTERVAL_S": "30"})
    try:
        await system.prepare(SERVICES)
        await system.start()
        await asyncio.sleep(10)  # settle: imports done, consumers long-polling
        pids = [p.proc.pid for p in system.services.values() if p.proc]
        assert infra.pg.proc is not None
        assert infra.nats.proc is not None
        procs = _tree([*pids, infra.pg.proc.pid, infra.nats.proc.pid])
        log_sizes = {n: p.log_path.stat().st_size for n, p in system.services.items()}
        names = {p.pid: _name(p, system) for p in procs}
        before, t0 = {p.pid: _cpu([p]) for p in procs}, time.perf_counter()
        await asyncio.sleep(args.seconds)
        wall = time.perf_counter() - t0
        after = {p.pid: _cpu([p]) for p in procs}
        by_name: dict[str, float] = {}
        for pid, t in after.items():
            by_name[names[pid]] = by_name.get(names[pid], 0.0) + t - before[pid]
        used = sum(by_name.values())
        lines = {
            n: p.log_path.read_bytes()[log_sizes[n] :].decode(errors="replace").splitlines()
            for n, p in system.services.items()
        }
        print(
            f"idle: all processes used {100 * used / wall:.2f}% of one core over {wall:.0f} s "
            f"({len(procs)} processes: 6 services, PostgreSQL, NATS)"
        )
        print(
            "  by process: "
            + ", ".join(
                f"{n} {100 * t / wall:.2f}%"
                for n, t in sorted(by_name.items(), key=lambda x: -x[1])
            )
        )
        print(f"idle: log lines written in that time: {sum(len(v) for v in lines.values())}")
        for name, found in lines.items():
            for line in found[:3]:
                print(f"  {name}: {line[:160]}")

        journal = Database(create_engine(system.databases["journal"].admin_url, pool_size=1))
        tenant, group = uuid.uuid4(), uuid.uuid4()
        delays = []
        async with infra.nats_as("contingent") as nc:
            js = nc.jetstream()
            for i in range(args.samples):
                student = uuid.uuid4()
                event = Envelope(
                    type="contingent.student.enrolled",
                    schema_version=2,
                    tenant_id=tenant,
                    actor=Actor(id=uuid.uuid4()),
                    subject_id=student,
                    data={
                        "order_id": str(uuid.uuid4()),
                        "order_number": f"L{i}",
                        "order_date": "2026-09-01",
                        "student_id": str(student),
                        "group_id": str(group),
                        "valid_from": "2026-09-01",
                        "display_name": "Тест Задержкин",
                    },
                )
                start = time.time()
                await js.publish(
                    f"idle.{event.type}.v2",
                    event.model_dump_json().encode(),
                    headers={"Nats-Msg-Id": str(event.id)},
                )
                while True:  # the row's created_at is the applying transaction's start
                    async with journal.unscoped_session() as s:
                        created = await s.scalar(
                            text(
                                "SELECT extract(epoch FROM created_at) FROM roster_memberships "
                                "WHERE student_id = :s"
                            ),
                            {"s": student},
                        )
                    if created is not None:
                        break
                    await asyncio.sleep(0.05)
                delays.append((float(created) - start) * 1000)
                await asyncio.sleep(1.0)  # idle again between events
        await journal.dispose()
        delays.sort()
        print(
            f"lone event (publish → journal applying it), {len(delays)} samples: "
            f"p50 {delays[len(delays) // 2]:.0f} ms, p99 {delays[int(len(delays) * 0.99)]:.0f} ms, "
            f"max {delays[-1]:.0f} ms (mean {statistics.mean(delays):.0f} ms)"
        )
    finally:
        system.stop()
        infra.stop()


if __name__ == "__main__":
    asyncio.run(main())
