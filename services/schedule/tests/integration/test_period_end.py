"""`period.ended` is announced once per period, the day after its end, by a watcher
that reads every organisation's due periods through one SECURITY DEFINER function and
works inside each organisation's scope."""

from __future__ import annotations

import uuid
from datetime import date

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_schedule.bootstrap import create
from edureg_schedule.config import Settings
from edureg_schedule.services.calendar import announce_ended_periods

from .test_timetable import _events
from .world import WRITE, YEAR


async def test_each_ended_period_is_announced_once(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, issuer: TestIssuer
) -> None:
    app = create(service_settings(Settings, infra, db, nats_prefix, period_watch_interval_s=3600))
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as client:
        for _ in range(2):
            headers = issuer.headers(tenant_id=uuid.uuid4(), permissions=WRITE)
            r = await client.post("/api/v1/academic-years", json=YEAR, headers=headers)
            assert r.status_code == 201, r.text
        runtime = app.state.runtime
        # On 26 October 2026 the first quarter (to 25 October) of both organisations ended.
        assert await announce_ended_periods(runtime.db, date(2026, 10, 26)) == 2
        assert await announce_ended_periods(runtime.db, date(2026, 10, 26)) == 0
        assert await announce_ended_periods(runtime.db, date(2026, 10, 25)) == 0
        ended = await _events(infra, nats_prefix, "period.ended.v1", 2)
        assert {e["data"]["period"]["number"] for e in ended} == {1}
        assert len({e["tenant_id"] for e in ended}) == 2
        assert await announce_ended_periods(runtime.db, date(2027, 6, 1)) == 6
