"""Benchmark of the Monday-morning peak: sign-ins by many users at once.

    uv run python bench/login.py                  # 50 users, 30 s
    uv run python bench/login.py --users 100 --seconds 60

Starts its own PostgreSQL (fsync on) and NATS and the identity service as a process with
the production password hashing (argon2id, 64 MiB, 3 passes; at most 4 hashes at once
within its 256 MiB budget). N staff accounts sign in over and over in a closed loop
(each user waits for their answer, then signs in again) for the given time: requests/s,
p50/p95/p99 latency, and any refusal (429/503) counted. Then the same users renew their
sessions with refresh tokens (no hashing: what an open portal tab does every 10 minutes).

Prints the figures beside the machine's own baseline measured in the same run
(bench/machine.py) and this machine's argon2id rate on one core, which is what bounds a
password sign-in: no timing assertions (that is what this is for, not the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from enrolment import pct
from machine import measure

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.infra import Infra


def _argon2_rate(seconds: float = 3.0) -> float:
    """Verifications per second on one core with identity's production parameters."""
    hasher = PasswordHasher(memory_cost=64 * 1024, time_cost=3, parallelism=4)
    hashed = hasher.hash(PASSWORD)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        hasher.verify(hashed, PASSWORD)
        n += 1
    return n / (time.perf_counter() - start)


async def _closed_loop(
    c: httpx.AsyncClient, users: list[str], seconds: float, request: object
) -> tuple[list[float], Counter[int | str], float]:
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    deadline = time.perf_counter() + seconds

    async def user(login: str) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                r = await request(c, login)  # type: ignore[operator]
            except httpx.HTTPError as exc:  # counted, not fatal: part of the figure
                statuses[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            statuses[r.status_code] += 1

    start = time.perf_counter()
    await asyncio.gather(*(user(u) for u in users))
    return latencies, statuses, time.perf_counter() - start


def _report(
    what: str, latencies: list[float], statuses: Counter[int | str], elapsed: float
) -> None:
    ok = statuses.get(200, 0)
    print(
        f"{what}: {ok / elapsed:,.1f} successful/s over {elapsed:.0f} s; latency p50 "
        f"{pct(latencies, 50):.0f} ms, p95 {pct(latencies, 95):.0f} ms, "
        f"p99 {pct(latencies, 99):.0f} ms; answers {dict(statuses)}",
        flush=True,
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()

    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    with ProcessPoolExecutor(1) as pool:
        rate = await asyncio.get_running_loop().run_in_executor(pool, _argon2_rate)
    print(f"machine: argon2id (64 MiB, t=3, p=4) {rate:.1f} verifications/s on one core")
    system = System(
        infra=infra,
        prefix="benchlogin.",
        workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-")),
        cheap_hashing=False,
    )
    system.extra_env.update({"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": ""})
    try:
        await system.prepare(("identity",))
        await system.start()
        logins = [f"user{i:03d}.peak" for i in range(args.users)]
        system.seed(
            {
                "organisations": [
                    {
                        "code": "peak",
                        "name": "Школа пикового утра",
                        "kind": "school",
                        "staff": [
                            {
                                "login": login,
                                "password": PASSWORD,
                                "surname": "Пикова",
                                "name": "Анна",
                                "positions": ["teacher"],
                            }
                            for login in logins
                        ],
                    }
                ]
            }
        )
        refresh: dict[str, str] = {}

        async def sign_in(c: httpx.AsyncClient, login: str) -> httpx.Response:
            r = await c.post("/api/v1/auth/token", json={"login": login, "password": PASSWORD})
            if r.status_code == 200:
                refresh[login] = r.json()["refresh_token"]
            return r

        async def renew(c: httpx.AsyncClient, login: str) -> httpx.Response:
            r = await c.post("/api/v1/auth/refresh", json={"refresh_token": refresh[login]})
            if r.status_code == 200:
                refresh[login] = r.json()["refresh_token"]
            return r

        limits = httpx.Limits(max_connections=args.users + 10)
        async with httpx.AsyncClient(
            base_url=system.url("identity"), timeout=120, limits=limits
        ) as c:
            for login in logins[:3]:  # warm up (connections, the process's first hashes)
                await sign_in(c, login)
            print(f"{args.users} users signing in again and again for {args.seconds:.0f} s")
            _report("password sign-in", *await _closed_loop(c, logins, args.seconds, sign_in))
            for login in logins:
                if login not in refresh:
                    await sign_in(c, login)
            _report("session renewal", *await _closed_loop(c, logins, args.seconds, renew))
    finally:
        system.stop()
        infra.stop()


if __name__ == "__main__":
    asyncio.run(main())
