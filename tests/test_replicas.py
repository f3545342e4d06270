"""Two processes of every service that consumes or serves users, sharing their
databases, durable consumers and outboxes, behind no sticky sessions:
- a burst of enrol-then-expel pairs, each order sent to whichever contingent replica:
  the two identity and the two journal processes split the events, each event is
  applied once, and no expulsion is lost by arriving before its enrolment (every
  student ends with a disabled account and a closed roster entry);
- a person signs in at one portal replica and goes on at the other, whose identity is
  the other identity replica: the session, its renewal and the refresh-token reuse
  detection hold across them.

Slow (`make test-slow`): eight service processes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from edureg_devstack.system import PASSWORD, System, running
from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually

from .test_resilience import _count, enrolment_order

pytestmark = pytest.mark.slow

REPLICATED = ("identity", "contingent", "journal", "portal")


@pytest.fixture(scope="module")
async def replicated(infra: Infra) -> AsyncIterator[System]:
    def crosswise(system: System) -> None:
        # The second portal signs people in through the second identity.
        second_portal = system.others["portal"][0]
        second_portal.env["EDUREG_PORTAL_IDENTITY_URL"] = system.others["identity"][0].url

    async with running(
        infra,
        REPLICATED,
        tag="replicas",
        before_start=crosswise,
        replicas=dict.fromkeys(REPLICATED, 2),
        # One event per fetch, so that both processes of a consumer take part in a burst.
        extra_env={"CONSUMER_BATCH_SIZE": "1"},
    ) as sys_:
        yield sys_


def _handled(system: System, process: int, service: str, event_type: str) -> int:
    suffix = "" if process == 1 else f"-{process}"
    path = system.workdir / f"{service}{suffix}.spans.jsonl"
    if not path.exists():
        return 0
    return len(re.findall(f'"name": *"{service} handle {re.escape(event_type)}"', path.read_text()))


async def test_enrol_then_expel_bursts_split_between_replicas(replicated: System) -> None:
    system = replicated
    system.seed_organisations("twins")
    admin = await system.login("admin.twins")
    contingents = [p.url for p in system.processes("contingent")]
    pairs, per_order = 20, 10
    async with httpx.AsyncClient(headers=admin, timeout=60) as c:
        r = await c.post(
            f"{contingents[0]}/api/v1/groups",
            json={"name": "8Б", "grade": 8, "academic_year": "2026/2027"},
        )
        assert r.status_code == 201, r.text
        group_id = r.json()["id"]
        for b in range(pairs):
            base = contingents[b % 2]  # no stickiness: any replica takes any request
            r = await c.post(
                f"{base}/api/v1/orders/enrolment", json=enrolment_order(b, group_id, per_order)
            )
            assert r.status_code == 201, r.text
            r = await c.post(f"{contingents[(b + 1) % 2]}/api/v1/orders/{r.json()['id']}/sign")
            assert r.status_code == 200, r.text
            students = [item["student_id"] for item in r.json()["items"]]
            # The expulsion right behind it: its event may reach a replica before the
            # enrolment's does (another consumer, another process).
            r = await c.post(
                f"{base}/api/v1/orders/expulsion",
                json={
                    "number": f"{b}-о",
                    "order_date": "2026-12-10",
                    "effective_date": "2026-12-11",
                    "reason_code": "transfer",
                    "reason_comment": "Перевод в другую школу",
                    "student_ids": students,
                },
            )
            assert r.status_code == 201, r.text
            r = await c.post(f"{base}/api/v1/orders/{r.json()['id']}/sign")
            assert r.status_code == 200, r.text
    total = pairs * per_order

    await eventually(
        lambda: _count(
            system,
            "identity",
            "SELECT count(*) FROM users WHERE kind = 'student' AND NOT active",
        ),
        until=lambda n: n >= total,
        timeout=240,
        message="every student's account disabled",
    )
    await eventually(
        lambda: _count(
            system,
            "journal",
            "SELECT count(*) FROM roster_memberships WHERE valid_to IS NOT NULL",
        ),
        until=lambda n: n >= total,
        timeout=240,
        message="every roster entry closed",
    )
    # Exactly once: one account per student and guardian, one roster entry per student.
    assert await _count(
        system, "identity", "SELECT count(*) FROM users WHERE kind = 'student'"
    ) == (total)
    assert await _count(
        system, "identity", "SELECT count(*) FROM users WHERE kind = 'guardian' AND NOT active"
    ) == (2 * total)
    assert (
        await _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'guardian'")
        == 2 * total
    )
    assert await _count(system, "journal", "SELECT count(*) FROM roster_memberships") == total
    # The work was split: both processes of each consumer handled some of the events.
    for service, event_type in (
        ("identity", "contingent.accounts.requested"),
        ("identity", "contingent.student.expelled"),
        ("journal", "contingent.student.enrolled"),
        ("journal", "contingent.student.expelled"),
    ):
        counts = [_handled(system, n, service, event_type) for n in (1, 2)]
        assert all(counts), (service, event_type, counts)
    for name in ("contingent", "identity", "journal"):
        await eventually(
            lambda n=name: _count(system, n, "SELECT count(*) FROM outbox"),
            until=lambda n: n == 0,
            timeout=60,
            message=f"{name} outbox drained",
        )


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_a_session_moves_between_portal_and_identity_replicas(replicated: System) -> None:
    system = replicated
    system.seed_organisations("hop")
    one, two = (p.url for p in system.processes("portal"))
    async with httpx.AsyncClient() as browser:  # cookies of 127.0.0.1, whatever the port
        page = await browser.get(f"{one}/login")
        r = await browser.post(
            f"{one}/login",
            data={"login": "admin.hop", "password": PASSWORD, "csrf": _csrf(page.text)},
        )
        assert r.status_code == 303
        # The other replica knows the session, and accepts the form opened on the first.
        home = await browser.get(f"{two}/")
        assert "Здравствуйте, Админова Анна Ивановна" in home.text
        first_refresh = browser.cookies.get("edureg_refresh")
        assert first_refresh
        # An expired access token is renewed at the second portal, by the second identity.
        domain = next(c.domain for c in browser.cookies.jar if c.name == "edureg_session")
        browser.cookies.set("edureg_session", "expired.token.value", domain=domain)
        renewed = await browser.get(f"{two}/groups", follow_redirects=False)
        assert renewed.status_code == 303
        assert "Группы и классы" in (await browser.get(f"{one}/groups")).text
        current = browser.cookies.get("edureg_refresh")
        assert current
        assert current != first_refresh
    # The rotated-out refresh token, replayed at the first identity: the whole family is
    # revoked there, so the current one stops working at the second too.
    first_identity, second_identity = (p.url for p in system.processes("identity"))
    async with httpx.AsyncClient() as c:
        r = await c.post(
            f"{first_identity}/api/v1/auth/refresh", json={"refresh_token": first_refresh}
        )
        assert r.status_code == 401
        r = await c.post(f"{second_identity}/api/v1/auth/refresh", json={"refresh_token": current})
        assert r.status_code == 401
