"""Every service process answers a Prometheus scrape with the figures an operator
watches: request rates and latency by route template, consumer lag and outcomes,
the outbox's depth and age, the database pool — and no ids or names in any label."""

from __future__ import annotations

import re

import httpx
import pytest

from edureg_devstack.system import System
from edureg_devstack.testing.plugin import eventually

from .conftest import CORE
from .test_enrolment_flow import _sign, person

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _scrape(system: System, service: str) -> str:
    async with httpx.AsyncClient(base_url=system.url(service)) as c:
        r = await c.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _value(text: str, pattern: str) -> float:
    """The sample's value; a missing series is a failure, not a zero."""
    found = re.search(rf"^{pattern} ([0-9.e+-]+)$", text, re.M)
    assert found, f"no sample {pattern}"
    return float(found.group(1))


@pytest.fixture(scope="module")
async def enrolled(system: System) -> str:
    system.seed_organisations("metrics")
    admin = await system.login("admin.metrics")
    async with httpx.AsyncClient(base_url=system.url("contingent")) as c:
        r = await c.post(
            "/api/v1/groups",
            headers=admin,
            json={"name": "6А", "grade": 6, "academic_year": "2026/2027"},
        )
        order = await _sign(
            c,
            admin,
            "/api/v1/orders/enrolment",
            {
                "number": "1-к",
                "order_date": "2026-09-01",
                "effective_date": "2026-09-01",
                "group_id": r.json()["id"],
                "students": [
                    person(
                        "Метрикин",
                        "Илья",
                        guardians=[{"surname": "Метрикина", "name": "Ольга", "relation": "mother"}],
                    )
                ],
            },
        )
        await c.get(f"/api/v1/students/{order['items'][0]['student_id']}", headers=admin)
    return str(order["items"][0]["student_id"])


async def test_the_enrolment_shows_in_every_services_figures(system: System, enrolled: str) -> None:
    consumer = r'consumer="identity-contingent-accounts-requested-v1"'
    identity = await eventually(
        lambda: _scrape(system, "identity"),
        until=lambda t: (
            _value(t, rf'edureg_consumer_events_total\{{{consumer},outcome="applied"\}}') >= 1
        ),
        message="identity applied the enrolment's account request",
    )
    assert re.search(r'route="/api/v1/auth/token",status="200"', identity)
    assert "edureg_consumer_pending_messages{" in identity
    contingent = await eventually(
        lambda: _scrape(system, "contingent"),
        until=lambda t: (
            _value(t, "edureg_outbox_published_total") >= 1 and _value(t, "edureg_outbox_rows") == 0
        ),
        message="contingent published its events and its outbox is empty",
    )
    assert _value(contingent, "edureg_outbox_oldest_seconds") == 0
    assert re.search(r'route="/api/v1/students/\{student_id\}",status="200"', contingent)
    assert _value(contingent, 'edureg_db_pool_connections{state="in_use"}') >= 0
    assert _value(contingent, "edureg_db_pool_size") >= 1
    for service in (*CORE, "portal"):
        text = await _scrape(system, service)
        assert "# TYPE edureg_http_requests_total counter" in text, service
        if service in ("identity", "contingent"):  # the two this test called
            assert re.search(r"^edureg_http_requests_total\{", text, re.M), service
        labels = " ".join(re.findall(r"\{[^}]*\}", text))
        assert not UUID.search(labels), f"{service}: an id in a metric label"
        assert enrolled not in text
        assert "Метрикин" not in text
