"""A login flood neither crashes identity nor grows it past its memory bound: password
hashing (64 MiB each) runs at most budget/64 at a time, the rest queue or are refused
with 503 at once (docs/security.md)."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from edureg_devstack.system import PASSWORD, System
from edureg_devstack.testing.infra import Infra

# A load/chaos run: `make test-slow` (the suite's 10 minutes on two cores).
pytestmark = pytest.mark.slow


BUDGET_MIB = 128  # two hashes at a time (64 MiB each)
# Headroom over the hashing budget for 200 open requests, their queue and the allocator.
MARGIN_MIB = 160


def _rss_mib(proc: psutil.Process) -> float:
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


async def test_two_hundred_concurrent_logins_stay_within_the_memory_bound(infra: Infra) -> None:
    system = System(
        infra=infra,
        prefix=f"f{uuid.uuid4().hex[:8]}.",
        workdir=Path(tempfile.mkdtemp(prefix="edureg-flood-")),
        cheap_hashing=False,  # the real cost: that is what is measured
    )
    system.extra_env.update(
        {
            "HASH_MEMORY_BUDGET_MIB": str(BUDGET_MIB),
            # Two hashes at a time, 30 waiting; the rest of the flood is refused at once.
            "LOGIN_QUEUE_LIMIT": "30",
            "LOGIN_ADDRESS_MAX_FAILURES": "100000",
            "LOG_LEVEL": "WARNING",
        }
    )
    await system.prepare(("identity",))
    await system.start()
    try:
        system.seed_organisations("flood")
        assert system.services["identity"].proc is not None
        proc = psutil.Process(system.services["identity"].proc.pid)
        url = system.url("identity")
        async with httpx.AsyncClient(base_url=url, timeout=120) as c:
            await c.post("/api/v1/auth/token", json={"login": "admin.flood", "password": PASSWORD})
        baseline = _rss_mib(proc)
        peak = baseline
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _rss_mib(proc))
                stop.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as c:
            answers = await asyncio.gather(
                *(
                    c.post(
                        "/api/v1/auth/token",
                        json={
                            "login": "teacher.flood" if i % 2 else "nobody",
                            "password": PASSWORD,
                        },
                    )
                    for i in range(200)
                )
            )
        stop.set()
        sampler.join()
        statuses = [r.status_code for r in answers]
        assert set(statuses) <= {200, 401, 503}, statuses
        assert statuses.count(200) > 0
        assert statuses.count(503) > 0, "the flood beyond the queue is refused at once"
        assert proc.is_running(), "identity died"
        assert peak - baseline < BUDGET_MIB + MARGIN_MIB, (baseline, peak)
        async with httpx.AsyncClient(base_url=url, timeout=30) as c:
            r = await c.post(
                "/api/v1/auth/token", json={"login": "admin.flood", "password": PASSWORD}
            )
            assert r.status_code == 200
        print(f"login flood: rss baseline {baseline:.0f} MiB, peak {peak:.0f} MiB")
    finally:
        system.stop()
