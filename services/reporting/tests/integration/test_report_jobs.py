"""Large reports as background jobs that never hang: built with progress and kept for
download; a job whose worker died is taken again, then failed after its last attempt;
a cancelled job stops; a job past its time limit fails — each with a Russian message."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, eventually, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_reporting.bootstrap import create
from edureg_reporting.config import Settings
from edureg_reporting.services import jobs
from edureg_shared.db import Database, create_engine

from .test_group_sheets import RANGE, World, _settled, deputy

ORDER = {"kind": "marks_all", "format": "xlsx", "start": RANGE["from"], "end": RANGE["to"]}


async def test_a_large_report_is_built_in_the_background_and_kept(
    client: httpx.AsyncClient, issuer: TestIssuer, world: World
) -> None:
    w = world
    headers = deputy(issuer, w)
    await _settled(client, headers, w)
    r = await client.post("/api/v1/report-jobs", json=ORDER, headers=headers)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "done")

    async def state() -> dict[str, Any]:
        return (await client.get(f"/api/v1/report-jobs/{job['id']}", headers=headers)).json()

    done = await eventually(state, until=lambda j: j["status"] == "done", message="the job built")
    assert (done["progress"], done["done_steps"], done["total_steps"]) == (100, 1, 1)
    f = await client.get(f"/api/v1/report-jobs/{job['id']}/file", headers=headers)
    assert f.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(f.content))
    assert book.sheetnames == ["7Б"]
    names = [row[1] for row in book["7Б"].iter_rows(values_only=True)]
    assert "Борисов Борис" in names
    assert [j["id"] for j in (await client.get("/api/v1/report-jobs", headers=headers)).json()] == [
        job["id"]
    ]

    # The named reports of the regulations, in the background too: the curators'
    # preliminary report of every group, and the organisation's movement.
    kinds = {
        k["kind"]: k["title"]
        for k in (await client.get("/api/v1/report-jobs/kinds", headers=headers)).json()
    }
    assert kinds["named.curator_preliminary"].endswith("— все группы")
    assert "named.average" not in kinds  # a student's report is never built in bulk
    for kind, sheets in (("named.curator_preliminary", ["7Б"]), ("named.movement", None)):
        r = await client.post("/api/v1/report-jobs", json={**ORDER, "kind": kind}, headers=headers)
        assert r.status_code == 202, r.text
        named_id = r.json()["id"]

        async def named_state(job_id: str = named_id) -> dict[str, Any]:
            return (await client.get(f"/api/v1/report-jobs/{job_id}", headers=headers)).json()

        built = await eventually(
            named_state, until=lambda j: j["status"] in ("done", "failed"), message=kind
        )
        assert built["status"] == "done", built
        assert built["title"] == kinds[kind]
        f = await client.get(f"/api/v1/report-jobs/{named_id}/file", headers=headers)
        book = openpyxl.load_workbook(io.BytesIO(f.content))
        if sheets is not None:
            assert book.sheetnames == sheets
            cells = [c for row in book["7Б"].iter_rows(values_only=True) for c in row]
            assert "Борисов Борис" in cells
    # Someone else's job is not found; a teacher orders none; bad orders are named.
    other = issuer.headers(tenant_id=w.tenant, permissions=["reporting.read"])
    assert_problem(await client.get(f"/api/v1/report-jobs/{job['id']}/file", headers=other), 404)
    teacher = issuer.headers(tenant_id=w.tenant, user_id=w.teacher)
    assert_problem(await client.post("/api/v1/report-jobs", json=ORDER, headers=teacher), 403)
    body = assert_problem(
        await client.post(
            "/api/v1/report-jobs", json={**ORDER, "kind": "everything"}, headers=headers
        ),
        422,
    )
    assert body["errors"][0]["field"] == "kind"
    body = assert_problem(
        await client.post(
            "/api/v1/report-jobs",
            json={**ORDER, "start": "2016-09-01", "end": "2026-08-31"},
            headers=headers,
        ),
        422,
    )


@pytest.fixture
async def idle(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, issuer: TestIssuer
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The API without its lifespan: no worker runs; the test drives one by hand."""
    app = create(service_settings(Settings, infra, db, nats_prefix, report_job_lease_s=1))
    app.state.token_verifier = issuer.verifier()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c, app.state.report_worker
    await app.state.runtime.db.dispose()


async def _order(client: httpx.AsyncClient, issuer: TestIssuer) -> tuple[dict[str, str], str]:
    tenant = uuid.uuid4()
    headers = issuer.headers(tenant_id=tenant, permissions=["reporting.read"])
    r = await client.post("/api/v1/report-jobs", json=ORDER, headers=headers)
    assert r.status_code == 202, r.text
    return headers, str(r.json()["id"])


async def _stop_heart(db: ServiceDatabase, job: str) -> None:
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            await s.execute(
                text(
                    "UPDATE report_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = :id"
                ),
                {"id": job},
            )
    finally:
        await admin.dispose()


async def test_a_job_whose_worker_died_is_taken_again_then_failed(
    idle: tuple[httpx.AsyncClient, Any], issuer: TestIssuer, db: ServiceDatabase
) -> None:
    client, worker = idle
    headers, job = await _order(client, issuer)
    # A worker takes it and dies without a word: its heart stops.
    assert str((await worker.claim())[1]) == job
    assert await worker.claim() is None  # nobody else takes a job whose heart beats
    await _stop_heart(db, job)
    # Another worker takes it again (the second attempt) and dies too.
    assert str((await worker.claim())[1]) == job
    seen = (await client.get(f"/api/v1/report-jobs/{job}", headers=headers)).json()
    assert (seen["status"], seen["attempts"]) == ("running", 2)
    await _stop_heart(db, job)
    assert await worker.claim() is None
    failed = (await client.get(f"/api/v1/report-jobs/{job}", headers=headers)).json()
    assert failed["status"] == "failed"
    assert failed["error"] == jobs.DIED
    assert_problem(await client.get(f"/api/v1/report-jobs/{job}/file", headers=headers), 422)


async def test_a_cancelled_job_stops_and_a_job_past_its_limit_fails(
    idle: tuple[httpx.AsyncClient, Any], issuer: TestIssuer
) -> None:
    client, worker = idle
    headers, job = await _order(client, issuer)
    claimed = await worker.claim()
    r = await client.post(f"/api/v1/report-jobs/{job}/cancel", headers=headers)
    assert r.json()["status"] == "cancelled"
    await worker.build(*claimed)
    after = (await client.get(f"/api/v1/report-jobs/{job}", headers=headers)).json()
    assert after["status"] == "cancelled"
    assert_problem(await client.post(f"/api/v1/report-jobs/{job}/cancel", headers=headers), 422)

    headers, job = await _order(client, issuer)
    claimed = await worker.claim()
    worker.settings = worker.settings.model_copy(update={"report_job_time_limit_s": -1})
    await worker.build(*claimed)
    failed = (await client.get(f"/api/v1/report-jobs/{job}", headers=headers)).json()
    assert failed["status"] == "failed"
    assert failed["error"].startswith("Отчёт не построен за")


async def test_a_user_has_at_most_three_reports_in_work(
    idle: tuple[httpx.AsyncClient, Any], issuer: TestIssuer
) -> None:
    client, _ = idle
    headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=["reporting.read"])
    for _ in range(jobs.MAX_OPEN):
        assert (
            await client.post("/api/v1/report-jobs", json=ORDER, headers=headers)
        ).status_code == 202
    body = assert_problem(
        await client.post("/api/v1/report-jobs", json=ORDER, headers=headers), 409
    )
    assert "дождитесь" in body["detail"]


async def test_a_scheduled_report_is_queued_on_its_days_once(
    idle: tuple[httpx.AsyncClient, Any], issuer: TestIssuer
) -> None:
    client, worker = idle
    tenant = uuid.uuid4()
    headers = issuer.headers(tenant_id=tenant, permissions=["reporting.read"])
    bad = await client.post(
        "/api/v1/report-schedules",
        json={"kind": "activity", "format": "xlsx", "days": [0, 32], "period_days": 0},
        headers=headers,
    )
    body = assert_problem(bad, 422)
    assert {e["field"] for e in body["errors"]} == {"days", "period_days"}
    # 002 5.1: the activity report on the 15th and the 30th (in February: its last day).
    r = await client.post(
        "/api/v1/report-schedules",
        json={"kind": "activity", "format": "xlsx", "days": [30, 15], "period_days": 14},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["days"] == [15, 30]
    assert await worker.run_schedules(date(2027, 2, 14)) == 0
    assert await worker.run_schedules(date(2027, 2, 15)) == 1
    assert await worker.run_schedules(date(2027, 2, 15)) == 0  # once a day, whoever asks
    assert await worker.run_schedules(date(2027, 2, 27)) == 0
    assert await worker.run_schedules(date(2027, 2, 28)) == 1
    queued = (await client.get("/api/v1/report-jobs", headers=headers)).json()
    assert [(j["kind"], j["params"]["from"], j["params"]["to"]) for j in queued] == [
        ("activity", "2027-02-15", "2027-02-28"),
        ("activity", "2027-02-02", "2027-02-15"),
    ]
    # The worker builds it like any other job.
    while (claimed := await worker.claim()) is not None:
        await worker.build(*claimed)
    done = (await client.get("/api/v1/report-jobs", headers=headers)).json()[0]
    assert done["status"] == "done"
    f = await client.get(f"/api/v1/report-jobs/{done['id']}/file", headers=headers)
    ws = openpyxl.load_workbook(io.BytesIO(f.content)).active
    assert ws["A1"].value == "Активность пользователей"
    # Another user neither sees nor removes it.
    schedule = r.json()["id"]
    other = issuer.headers(tenant_id=tenant, permissions=["reporting.read"])
    assert (await client.get("/api/v1/report-schedules", headers=other)).json() == []
    assert_problem(await client.delete(f"/api/v1/report-schedules/{schedule}", headers=other), 404)
    assert (
        await client.delete(f"/api/v1/report-schedules/{schedule}", headers=headers)
    ).status_code == 204
