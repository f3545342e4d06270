"""A region's broker is a JetStream cluster of three: every stream and every durable
consumer at 3 replicas, and losing a node mid-flow loses nothing.

- The stream leader's node is SIGKILLed while 1,000 students are being enrolled: with
  two of three nodes up the outboxes keep draining and accounts keep appearing; the node
  comes back and catches up; at the end exactly 1,000 accounts and 1,000 roster entries.
- A node is frozen (SIGSTOP: its sockets stay open and nothing answers, as behind a
  network fault) while enrolments go on, then thawed: the same holds.
- The stream leader's node is partitioned (every route to and from it cut, its client
  port still open, so whoever is connected to it stays connected): the other two elect a
  leader and acknowledge publishes, the cut-off node acknowledges none (no split brain),
  and after the partition heals every student arrives exactly once.

Slow (`make test-slow`): a cluster of its own, a PostgreSQL of its own, a thousand
students through three services."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import nats.errors
import nats.js.errors
import pytest

from edureg_admin import catalogue
from edureg_devstack.embedded import EmbeddedNatsCluster
from edureg_devstack.system import System, running
from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually
from edureg_shared.events.envelope import stream_name
from edureg_shared.events.manifest import DEADLETTER, producers

from .test_resilience import _count, enrolment_order

pytestmark = pytest.mark.slow

FLOW = ("identity", "contingent", "journal")


@pytest.fixture(scope="module")
def cluster_infra() -> Iterator[Infra]:
    started = Infra.start(nats_nodes=3, partitionable=True)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
async def cluster_system(cluster_infra: Infra) -> AsyncIterator[System]:
    async with running(cluster_infra, FLOW, tag="kluster") as sys_:
        yield sys_


def _cluster(infra: Infra) -> EmbeddedNatsCluster:
    assert isinstance(infra.nats, EmbeddedNatsCluster)
    return infra.nats


async def _stream_leader(infra: Infra, producer: str, prefix: str, url: str | None = None) -> str:
    """The leader's server name, or "" while the stream has none (an election); `url`:
    as one node sees it."""
    try:
        async with infra.nats_admin(url) as nc:
            info = await nc.jetstream().stream_info(stream_name(producer, prefix))
    except (TimeoutError, nats.errors.Error):
        return ""
    return (info.cluster.leader if info.cluster else None) or ""


async def _all_replicas_current(infra: Infra, prefix: str) -> bool:
    try:
        async with infra.nats_admin() as nc:
            js = nc.jetstream()
            for producer in producers(catalogue.manifests()):
                info = await js.stream_info(stream_name(producer, prefix))
                peers = (info.cluster.replicas if info.cluster else None) or []
                if len(peers) != 2 or not all(p.current and not p.offline for p in peers):
                    return False
    except (TimeoutError, nats.errors.Error):
        return False
    return True


class Enrolment:
    """Enrolment orders of `per_order` students each, into one group, signed at once."""

    def __init__(self, system: System, code: str, per_order: int = 20) -> None:
        self.system = system
        self.code = code
        self.per_order = per_order
        self.batches = 0

    async def open(self) -> None:
        self.system.seed_organisations(self.code)
        self.admin = await self.system.login(f"admin.{self.code}")
        async with httpx.AsyncClient(
            base_url=self.system.url("contingent"), headers=self.admin, timeout=30
        ) as c:
            r = await c.post(
                "/api/v1/groups", json={"name": "9А", "grade": 9, "academic_year": "2026/2027"}
            )
            assert r.status_code == 201, r.text
            self.group_id = r.json()["id"]

    async def orders(self, count: int) -> None:
        async with httpx.AsyncClient(
            base_url=self.system.url("contingent"), headers=self.admin, timeout=60
        ) as c:
            for _ in range(count):
                b = self.batches
                r = await c.post(
                    "/api/v1/orders/enrolment",
                    json=enrolment_order(b, self.group_id, self.per_order),
                )
                assert r.status_code == 201, r.text
                r = await c.post(f"/api/v1/orders/{r.json()['id']}/sign")
                assert r.status_code == 200, r.text
                self.batches += 1

    @property
    def students(self) -> int:
        return self.batches * self.per_order


async def _accounts(system: System) -> int:
    return await _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'student'")


async def _exactly_once(system: System, students: int) -> None:
    """Every student has one account and one roster entry; outboxes are empty; nothing
    went to the dead letters."""
    await eventually(
        lambda: _accounts(system), until=lambda n: n >= students, timeout=240, message="accounts"
    )
    await eventually(
        lambda: _count(system, "journal", "SELECT count(*) FROM roster_memberships"),
        until=lambda n: n >= students,
        timeout=240,
        message="roster entries",
    )
    for name in FLOW:
        await eventually(
            lambda n=name: _count(system, n, "SELECT count(*) FROM outbox"),
            until=lambda n: n == 0,
            timeout=60,
            message=f"{name} outbox drained",
        )
    assert await _accounts(system) == students
    assert (
        await _count(
            system, "identity", "SELECT count(DISTINCT person_id) FROM users WHERE kind = 'student'"
        )
        == students
    )
    assert (
        await _count(system, "identity", "SELECT count(*) FROM users WHERE kind = 'guardian'")
        == 2 * students
    )
    assert await _count(system, "journal", "SELECT count(*) FROM roster_memberships") == students
    assert (
        await _count(system, "journal", "SELECT count(DISTINCT student_id) FROM roster_memberships")
        == students
    )
    async with system.infra.nats_admin() as nc:
        info = await nc.jetstream().stream_info(stream_name(DEADLETTER, system.prefix))
    assert info.state.messages == 0


async def test_streams_and_consumers_have_three_replicas(cluster_system: System) -> None:
    system = cluster_system
    async with system.infra.nats_admin() as nc:
        js = nc.jetstream()
        for producer in (*producers(catalogue.manifests()), DEADLETTER):
            info = await js.stream_info(stream_name(producer, system.prefix))
            assert info.config.num_replicas == 3
            assert info.cluster is not None
            assert len(info.cluster.replicas or []) == 2
        durable = 0
        for producer in producers(catalogue.manifests()):
            for consumer in await js.consumers_info(stream_name(producer, system.prefix)):
                # Consumers take the stream's replicas: each has a leader and two followers.
                assert consumer.cluster is not None
                assert len(consumer.cluster.replicas or []) == 2, consumer.name
                durable += 1
    # identity, journal and contingent consume a dozen event types between them
    assert durable >= 10


async def test_losing_the_stream_leader_mid_flow_loses_nothing(
    cluster_system: System, cluster_infra: Infra
) -> None:
    system = cluster_system
    cluster = _cluster(cluster_infra)
    flow = Enrolment(system, "kill")
    await flow.open()
    await flow.orders(15)  # 300 students on the way

    leader = await _stream_leader(cluster_infra, "contingent", system.prefix)
    assert leader
    victim = cluster.node(leader)
    victim.stop(kill=True)  # SIGKILL: no goodbye to its peers, its store as it was
    try:
        before = await _accounts(system)
        # Two of three nodes: the stream elects another leader and the publish path goes on.
        await flow.orders(20)  # 700 students in all
        new_leader = await eventually(
            lambda: _stream_leader(cluster_infra, "contingent", system.prefix),
            until=lambda name: name not in ("", leader),
            timeout=30,
            message="a new stream leader",
        )
        assert new_leader != leader
        await eventually(
            lambda: _count(system, "contingent", "SELECT count(*) FROM outbox"),
            until=lambda n: n == 0,
            timeout=120,
            message="contingent's outbox drained with a node down",
        )
        await eventually(
            lambda: _accounts(system),
            until=lambda n: n > before and n >= 600,
            timeout=180,
            message="accounts made with a node down",
        )
    finally:
        await asyncio.to_thread(victim.start)  # back, from its own store
    await flow.orders(15)  # 1,000 students
    assert flow.students == 1000
    await _exactly_once(system, flow.students)
    await eventually(
        lambda: _all_replicas_current(cluster_infra, system.prefix),
        timeout=60,
        message="the returned node caught up on every stream",
    )


async def test_a_frozen_node_mid_flow_loses_nothing(
    cluster_system: System, cluster_infra: Infra
) -> None:
    system = cluster_system
    cluster = _cluster(cluster_infra)
    flow = Enrolment(system, "freeze")
    await flow.open()
    await flow.orders(5)
    leader = await _stream_leader(cluster_infra, "contingent", system.prefix)
    assert leader
    victim = cluster.node(leader)
    victim.freeze()  # its peers and its clients hear nothing, and see no closed socket
    try:
        await flow.orders(10)
        await eventually(
            lambda: _count(system, "contingent", "SELECT count(*) FROM outbox"),
            until=lambda n: n == 0,
            timeout=120,
            message="contingent's outbox drained past a frozen node",
        )
    finally:
        victim.thaw()
    await flow.orders(5)
    await _exactly_once(system, flow.students)
    await eventually(
        lambda: _all_replicas_current(cluster_infra, system.prefix),
        timeout=60,
        message="the thawed node caught up on every stream",
    )


async def test_a_partitioned_node_loses_nothing(
    cluster_system: System, cluster_infra: Infra
) -> None:
    system = cluster_system
    cluster = _cluster(cluster_infra)
    flow = Enrolment(system, "split")
    await flow.open()
    await flow.orders(5)
    leader = await _stream_leader(cluster_infra, "contingent", system.prefix)
    assert leader
    cut_off = cluster.node(leader)
    majority = next(node for node in cluster.nodes if node is not cut_off)
    # A stream of the test's own to publish to directly (a service's stream takes only
    # that service's events).
    probe = f"PROBE_{secrets.token_hex(4).upper()}"
    async with cluster_infra.nats_admin() as nc:
        await nc.jetstream().add_stream(name=probe, subjects=[f"{probe}.>"], num_replicas=3)

    cluster.partition(leader)
    try:
        new_leader = await eventually(
            lambda: _stream_leader(cluster_infra, "contingent", system.prefix, majority.url),
            until=lambda name: name not in ("", leader),
            timeout=60,
            message="the majority's own stream leader",
        )
        assert new_leader != leader
        await flow.orders(10)  # orders go on; their events wait in contingent's outbox if need be
        async with cluster_infra.nats_admin(majority.url) as nc:
            ack = await nc.jetstream().publish(f"{probe}.majority", b"1", timeout=10)
            assert ack.stream == probe
        async with cluster_infra.nats_admin(cut_off.url) as nc:
            # Its clients still reach it and it answers them...
            await nc.flush(timeout=5)
            assert nc.is_connected
            # ...but it has no quorum: nothing it is given is acknowledged as stored.
            with pytest.raises((nats.errors.TimeoutError, nats.js.errors.NoStreamResponseError)):
                await nc.jetstream().publish(f"{probe}.minority", b"2", timeout=3)
    finally:
        cluster.heal()
    await flow.orders(5)
    assert flow.students == 400
    await _exactly_once(system, flow.students)
    await eventually(
        lambda: _all_replicas_current(cluster_infra, system.prefix),
        timeout=60,
        message="the healed node caught up on every stream",
    )
    async with cluster_infra.nats_admin() as nc:
        info = await nc.jetstream().stream_info(probe)
        # The majority's message, not the cut-off node's: one history, no split brain.
        assert info.state.messages == 1
        await nc.jetstream().delete_stream(probe)
