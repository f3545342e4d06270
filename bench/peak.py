"""The Monday 08:00–09:00 mix, replayed against a running `make run` (loopback only):
password sign-ins, session renewals, diary week reads by parents and a teacher's mark
saves, in the proportions of docs/capacity.md, for a bounded time and count. Prints
throughput and p50/p99 per kind of request beside the machine's baseline.

    make run                                   # in one terminal
    make bench-peak                            # in another
    uv run python bench/peak.py --duration 30 --concurrency 20 --mix login=4,refresh=16,diary=70,mark=10

It works in the demo region's gymnasium: the first time it issues new credentials to up to
`--guardians` of 5А's parents (never the one `make run` printed), sets them a password
of its own and keeps them in .edureg/bench-peak.json; the teacher's saves write marks
into 5А's first-quarter mathematics lessons (the demo journal fills up: `make clean-data`
starts over). Limits: at most 300 s, 50,000 requests and 200 concurrent users; it talks
to 127.0.0.1 only, never to another machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from machine import measure

from edureg_devstack import demo_region
from edureg_devstack.testing.infra import Infra

MAX_DURATION_S = 300
MAX_REQUESTS = 50_000
MAX_CONCURRENCY = 200
STATE = Path(os.environ.get("EDUREG_DEV_DATA_DIR", ".edureg")) / "bench-peak.json"
KINDS = ("login", "refresh", "diary", "mark")


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"{url}: только адреса этой машины (127.0.0.1) — нагрузку на чужие не даём")
    return url.rstrip("/")


def _mix(text: str) -> dict[str, int]:
    weights = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind not in KINDS or not weight.isdigit():
            sys.exit(f"--mix: {part!r}; ожидается, например, login=4,refresh=16,diary=70,mark=10")
        weights[kind] = int(weight)
    return weights


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    conflicts: int = 0

    def line(self, kind: str, elapsed: float) -> str:
        done = sorted(self.latencies[kind])
        if not done:
            return f"  {kind:<8} —"
        p50 = statistics.median(done) * 1000
        p99 = done[min(len(done) - 1, int(len(done) * 0.99))] * 1000
        return (
            f"  {kind:<8} {len(done):>6} ok {self.errors[kind]:>4} failed   "
            f"{len(done) / elapsed:>7.1f}/s   p50 {p50:>6.0f} ms   p99 {p99:>6.0f} ms"
        )


class Peak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.identity = _loopback(args.identity)
        self.journal = _loopback(args.journal)
        self.schedule = _loopback(args.schedule)
        self.args = args
        self.tally = Tally()
        self.sent = 0
        self.lessons: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    # -- set-up -------------------------------------------------------------------------

    async def sign_in(self, c: httpx.AsyncClient, login: str, password: str) -> dict[str, Any]:
        r = await c.post(
            f"{self.identity}/api/v1/auth/token", json={"login": login, "password": password}
        )
        if r.status_code != 200:
            raise RuntimeError(f"{login}: {r.status_code} {r.text[:200]}")
        return dict(r.json())

    async def guardians(self, c: httpx.AsyncClient) -> list[dict[str, str]]:
        if STATE.exists():
            kept = json.loads(STATE.read_text(encoding="utf-8"))
            if len(kept["guardians"]) >= self.args.guardians:
                return list(kept["guardians"])[: self.args.guardians]
        org = demo_region.ORGANISATIONS[0]
        admin = next(s for s in org["staff"] if "admin" in s["positions"])
        token = (await self.sign_in(c, admin["login"], demo_region.DEMO_PASSWORD))["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        printed = STATE.parent / "demo-credentials.json"
        skip = set()
        if printed.exists():
            skip = {v["login"] for v in json.loads(printed.read_text(encoding="utf-8")).values()}
        r = await c.get(
            f"{self.identity}/api/v1/accounts",
            params={"kind": "guardian", "limit": 200},
            headers=headers,
        )
        r.raise_for_status()
        accounts = [a for a in r.json()["items"] if a["login"] not in skip and a["active"]]
        password = "Peak-" + secrets.token_urlsafe(12)
        out = []
        for account in accounts[: self.args.guardians]:
            slip = await c.post(
                f"{self.identity}/api/v1/accounts/{account['id']}/credentials", headers=headers
            )
            slip.raise_for_status()
            once = await self.sign_in(c, slip.json()["login"], slip.json()["password"])
            changed = await c.post(
                f"{self.identity}/api/v1/me/password",
                json={"current_password": slip.json()["password"], "new_password": password},
                headers={"Authorization": f"Bearer {once['access_token']}"},
            )
            if changed.status_code != 200:
                raise RuntimeError(f"password change: {changed.status_code} {changed.text[:200]}")
            out.append({"login": slip.json()["login"], "password": password})
        if not out:
            raise RuntimeError(
                "в демо-регионе нет родителей 5А: запустите make run и дождитесь данных"
            )
        fd = os.open(STATE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:  # passwords: never readable by others
            json.dump({"guardians": out}, fh, ensure_ascii=False)
        return out

    async def teacher(self, c: httpx.AsyncClient) -> dict[str, str]:
        session = await self.sign_in(c, "teacher.gym1", demo_region.DEMO_PASSWORD)
        headers = {"Authorization": f"Bearer {session['access_token']}"}
        monday = date(2026, 9, 1) - timedelta(days=date(2026, 9, 1).weekday())
        for week in range(8):
            first = monday + timedelta(days=7 * week)
            r = await c.get(
                f"{self.schedule}/api/v1/my/lessons",
                params={"from": first.isoformat(), "to": (first + timedelta(days=6)).isoformat()},
                headers=headers,
            )
            r.raise_for_status()
            found = r.json()
            for lesson in found["items"] if isinstance(found, dict) else found:
                grid = await c.get(
                    f"{self.journal}/api/v1/lessons/{lesson['id']}/grid", headers=headers
                )
                if grid.status_code == 200 and grid.json()["students"]:
                    body = grid.json()
                    self.lessons.put_nowait(
                        {
                            "id": lesson["id"],
                            "version": body["version"],
                            "students": [s["student_id"] for s in body["students"]],
                        }
                    )
        if self.lessons.empty():
            raise RuntimeError("у teacher.gym1 нет занятий с учениками в сентябре–октябре 2026")
        return headers

    # -- the load -------------------------------------------------------------------------

    async def timed(self, kind: str, call: Any) -> Any:
        started = time.perf_counter()
        try:
            r = await call
        except httpx.HTTPError:
            self.tally.errors[kind] += 1
            return None
        if r.status_code >= 400:
            if r.status_code == 409:
                self.tally.conflicts += 1
            self.tally.errors[kind] += 1
            return None
        self.tally.latencies[kind].append(time.perf_counter() - started)
        return r

    async def user(
        self,
        n: int,
        c: httpx.AsyncClient,
        guardian: dict[str, str],
        teacher: dict[str, str],
        deadline: float,
    ) -> None:
        rng = random.Random(n)
        kinds = list(self.args.weights)
        weights = [self.args.weights[k] for k in kinds]
        session = await self.sign_in(c, guardian["login"], guardian["password"])
        while time.monotonic() < deadline and self.sent < self.args.requests:
            self.sent += 1
            kind = rng.choices(kinds, weights)[0]
            if kind == "login":
                r = await self.timed(
                    kind,
                    c.post(
                        f"{self.identity}/api/v1/auth/token",
                        json={"login": guardian["login"], "password": guardian["password"]},
                    ),
                )
                if r is not None:
                    session = r.json()
            elif kind == "refresh":
                r = await self.timed(
                    kind,
                    c.post(
                        f"{self.identity}/api/v1/auth/refresh",
                        json={"refresh_token": session["refresh_token"]},
                    ),
                )
                if r is not None:
                    session = r.json()
                else:  # a rotated-out token: sign in again (not counted)
                    session = await self.sign_in(c, guardian["login"], guardian["password"])
            elif kind == "diary":
                monday = date(2026, 9, 7) + timedelta(days=7 * rng.randrange(7))
                await self.timed(
                    kind,
                    c.get(
                        f"{self.journal}/api/v1/my/diary",
                        params={
                            "from": monday.isoformat(),
                            "to": (monday + timedelta(days=6)).isoformat(),
                        },
                        headers={"Authorization": f"Bearer {session['access_token']}"},
                    ),
                )
            else:
                lesson = await self.lessons.get()  # a lesson is saved by one user at a time
                try:
                    student = rng.choice(lesson["students"])
                    r = await self.timed(
                        kind,
                        c.put(
                            f"{self.journal}/api/v1/lessons/{lesson['id']}/grid",
                            json={
                                "version": lesson["version"],
                                "marks": [
                                    {
                                        "student_id": student,
                                        "work_type": "lesson",
                                        "value": str(rng.randint(3, 5)),
                                    }
                                ],
                            },
                            headers=teacher,
                        ),
                    )
                    if r is not None:
                        lesson["version"] = r.json()["version"]
                    else:  # told 409 or failed: take the grid's version as it is now
                        grid = await c.get(
                            f"{self.journal}/api/v1/lessons/{lesson['id']}/grid", headers=teacher
                        )
                        if grid.status_code == 200:
                            lesson["version"] = grid.json()["version"]
                finally:
                    self.lessons.put_nowait(lesson)

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.args.concurrency + 8)
        async with httpx.AsyncClient(timeout=60, limits=limits) as c:
            guardians = await self.guardians(c)
            teacher = await self.teacher(c)
            print(
                f"{len(guardians)} parents of 5А, {self.lessons.qsize()} lessons of teacher.gym1; "
                f"{self.args.concurrency} users for {self.args.duration} s "
                f"(at most {self.args.requests} requests), mix {self.args.weights}",
                flush=True,
            )
            started = time.monotonic()
            deadline = started + self.args.duration
            await asyncio.gather(
                *(
                    self.user(n, c, guardians[n % len(guardians)], teacher, deadline)
                    for n in range(self.args.concurrency)
                )
            )
            elapsed = time.monotonic() - started
        total = sum(len(v) for v in self.tally.latencies.values())
        print(f"peak mix: {total} requests answered in {elapsed:.1f} s = {total / elapsed:.1f}/s")
        for kind in KINDS:
            print(self.tally.line(kind, elapsed))
        if self.tally.conflicts:
            print(
                f"  ({self.tally.conflicts} mark saves told 409: another save of the lesson first)"
            )


async def _main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--identity", default="http://127.0.0.1:8001")
    ap.add_argument("--journal", default="http://127.0.0.1:8004")
    ap.add_argument("--schedule", default="http://127.0.0.1:8003")
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--guardians", type=int, default=15)
    ap.add_argument("--mix", default="login=4,refresh=16,diary=70,mark=10")
    ap.add_argument("--no-baseline", action="store_true", help="skip the machine's baseline")
    args = ap.parse_args()
    args.duration = min(max(args.duration, 1), MAX_DURATION_S)
    args.requests = min(max(args.requests, 1), MAX_REQUESTS)
    args.concurrency = min(max(args.concurrency, 1), MAX_CONCURRENCY)
    args.weights = _mix(args.mix)
    if not args.no_baseline:
        infra = Infra.start(fsync=True, prefix_pattern="")
        try:
            print((await measure(infra)).line(), flush=True)
        finally:
            infra.stop()
    await Peak(args).run()


if __name__ == "__main__":
    asyncio.run(_main())
