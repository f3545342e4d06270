"""A report job survives its worker being SIGKILLed mid-job: the reporting process dies
while it builds a large report; the job's heart stops; the next process takes the job
again and finishes it — never left "running"."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from edureg_devstack.system import System
from edureg_devstack.testing.plugin import eventually
from edureg_shared.events.envelope import Actor, Envelope

# A load/chaos run: `make test-slow` (the suite's 10 minutes on two cores).
pytestmark = pytest.mark.slow


GROUPS = 150


async def test_a_report_job_is_finished_after_its_worker_is_killed(system: System) -> None:
    orgs = system.seed_organisations("jobkill")
    tenant = uuid.UUID(orgs["jobkill"])
    # Enough groups that the report takes a while: one page each.
    for i in range(GROUPS):
        e = Envelope(
            type="contingent.group.created",
            tenant_id=tenant,
            actor=Actor(),
            data={
                "group_id": str(uuid.uuid4()),
                "name": f"Г-{i:03d}",
                "grade": i % 11 + 1,
                "academic_year": "2026/2027",
            },
        )
        await system.infra.publish(system.prefix, e, str(e.id))
    admin = await system.login("admin.jobkill")
    reporting = system.services["reporting"]
    async with httpx.AsyncClient(base_url=system.url("reporting"), headers=admin, timeout=30) as c:

        async def groups() -> int:
            return len((await c.get("/api/v1/report-groups")).json())

        await eventually(groups, until=lambda n: n == GROUPS, timeout=60, message="the groups")
        r = await c.post(
            "/api/v1/report-jobs",
            json={"kind": "marks_all", "format": "pdf", "start": "2026-09-01", "end": "2026-10-31"},
        )
        assert r.status_code == 202, r.text
        job = r.json()["id"]

        async def state() -> dict[str, Any]:
            return dict((await c.get(f"/api/v1/report-jobs/{job}")).json())

        running = await eventually(
            state,
            until=lambda j: j["status"] == "running" and j["done_steps"] >= 1,
            interval=0.02,
            message="the job under way",
        )
        assert running["done_steps"] < GROUPS
        reporting.kill()  # SIGKILL mid-job: no shutdown, the job's heart just stops
        # The next process takes a job whose heart stopped two seconds ago.
        reporting.env["EDUREG_REPORTING_REPORT_JOB_LEASE_S"] = "2"
        await asyncio.to_thread(reporting.start)
        done = await eventually(
            state, until=lambda j: j["status"] in ("done", "failed"), timeout=90, message="finished"
        )
        assert (done["status"], done["attempts"], done["progress"]) == ("done", 2, 100)
        f = await c.get(f"/api/v1/report-jobs/{job}/file")
        assert f.status_code == 200
        assert f.content.startswith(b"%PDF")
