"""Test infrastructure: one embedded PostgreSQL and one NATS per run, both with
authentication as in production (a secret per database role, a broker user per service
with its own permissions); migrated templates per service; a fresh database copy per
test that asks for one; JetStream streams per test prefix (created by the admin user,
as services may not)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient

from edureg_admin import broker, catalogue
from edureg_admin.provision import clone_database, provision_service_database
from edureg_devstack.embedded import (
    EmbeddedNats,
    EmbeddedNatsCluster,
    EmbeddedPostgres,
    free_port,
)
from edureg_devstack.secrets import LocalSecrets
from edureg_shared import migrations
from edureg_shared.events.envelope import Envelope, subject_for
from edureg_shared.events.streams import ensure_streams

# Each test puts its own prefix token in front of every subject on the shared server.
TEST_PREFIX_PATTERN = "*."


# A test run's databases are thrown away: in memory they are made and removed several times
# faster than on a disk mounted with online discard (hundreds of database copies, ~5 GB).
_MEMORY_DIR = Path("/dev/shm")  # noqa: S108 - a private mkdtemp inside it
_MEMORY_NEEDED = 12 * 1024**3


def scratch_dir() -> str | None:
    """Where a test run keeps its PostgreSQL and NATS data: EDUREG_TEST_TMPDIR if set, else
    /dev/shm when it is a writable memory file system with room, else the usual temp dir."""
    chosen = os.environ.get("EDUREG_TEST_TMPDIR")
    if chosen:
        return chosen
    try:
        free = shutil.disk_usage(_MEMORY_DIR).free
    except OSError:
        return None
    if free >= _MEMORY_NEEDED and os.access(_MEMORY_DIR, os.W_OK | os.X_OK):
        return str(_MEMORY_DIR)
    return None


OWNER_FILE = "owner.pid"


def sweep_abandoned(scratch: Path) -> None:
    """Remove the data of earlier runs whose process is gone (killed before its clean-up):
    in memory it would hold the machine's RAM until a reboot."""
    for old in scratch.glob("edureg-test-*"):
        try:
            pid = int((old / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours to judge
        if not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)


@dataclass
class ServiceDatabase:
    service: str
    name: str
    app_url: str
    relay_url: str
    owner_url: str
    admin_url: str


@dataclass
class Infra:
    root: Path
    pg: EmbeddedPostgres
    nats: EmbeddedNats | EmbeddedNatsCluster
    secrets: LocalSecrets
    # Streams' (and so their consumers') replicas: 3 on a cluster, 1 on a single server.
    stream_replicas: int = 1
    _templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        *,
        fsync: bool = False,
        prefix_pattern: str = TEST_PREFIX_PATTERN,
        nats_nodes: int = 1,
        partitionable: bool = False,
    ) -> Infra:
        """PostgreSQL and NATS; `nats_nodes=3` makes NATS a JetStream cluster of three
        (`partitionable`: with routes a test can cut, EmbeddedNatsCluster.partition)."""
        # Benchmarks measure with fsync on: their data stays on the disk it measures.
        scratch = None if fsync else scratch_dir()
        if scratch:
            sweep_abandoned(Path(scratch))
        root = Path(tempfile.mkdtemp(prefix="edureg-test-", dir=scratch))
        (root / OWNER_FILE).write_text(str(os.getpid()))
        root.chmod(0o755)
        found = LocalSecrets()
        found.complete(catalogue.services())
        pg = EmbeddedPostgres(root / "pg", free_port(), superuser_password=found.postgres)
        pg.start(fsync=fsync)
        authz = broker.authorization_block(
            broker.users(catalogue.manifests(), found.nats, found.nats_admin, prefix_pattern)
        )
        nats_server: EmbeddedNats | EmbeddedNatsCluster
        if nats_nodes > 1:
            nats_server = EmbeddedNatsCluster(
                root / "nats",
                [free_port() for _ in range(nats_nodes)],
                authorization=authz,
                partitionable=partitionable,
            ).start()
        else:
            nats_server = EmbeddedNats(root / "nats", free_port(), authorization=authz).start()
        return cls(
            root=root,
            pg=pg,
            nats=nats_server,
            secrets=found,
            stream_replicas=min(nats_nodes, 3),
        )

    def stop(self) -> None:
        # Thrown away: a graceful stop of a broker holding every test's streams (thousands
        # by the end of a run) spends half a minute writing them out for nobody.
        self.nats.stop(kill=True)
        self.pg.stop(immediate=True)
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def nats_credentials(self, service: str) -> tuple[str, str]:
        return service, self.secrets.nats[service]

    @asynccontextmanager
    async def nats_admin(self, url: str | None = None) -> AsyncIterator[NatsClient]:
        """A connection with the operator's credential (inspect streams, dead letters);
        `url`: to that one server only (a node of a cluster)."""
        nc = await nats.connect(
            (url or self.nats_url).split(","),
            user=broker.ADMIN_USER,
            password=self.secrets.nats_admin,
            allow_reconnect=url is None,
        )
        try:
            yield nc
        finally:
            await nc.close()

    @asynccontextmanager
    async def nats_as(self, service: str) -> AsyncIterator[NatsClient]:
        """A connection with `service`'s own broker credential (and its inbox)."""
        user, password = self.nats_credentials(service)
        nc = await nats.connect(
            self.nats_url.split(","),
            user=user,
            password=password,
            inbox_prefix=broker.inbox_prefix(service),
        )
        try:
            yield nc
        finally:
            await nc.close()

    async def publish(self, prefix: str, event: Envelope, msg_id: str | None = None) -> None:
        """Publish `event` as its producer would (its own credential, its own subject)."""
        async with self.nats_as(event.producer) as nc:
            await nc.jetstream().publish(
                subject_for(event.type, event.schema_version, prefix),
                event.model_dump_json().encode(),
                headers={"Nats-Msg-Id": msg_id or str(event.id)},
            )

    async def create_streams(self, prefix: str, replicas: int | None = None) -> None:
        async with self.nats_admin() as nc:
            await ensure_streams(
                nc, catalogue.manifests(), prefix, replicas or self.stream_replicas
            )

    def template(self, service: str, service_dir: Path) -> str:
        """Provision and migrate `service`'s template database once per run."""
        if service not in self._templates:
            name = f"edureg_{service}_template"
            role_secrets = self.secrets.roles[service]
            asyncio.run(
                provision_service_database(
                    self.pg.admin_dsn, service=service, database=name, secrets_=role_secrets
                )
            )
            owner = migrations.roles(service).owner
            migrations.upgrade(
                service_dir, self.pg.dsn(name, user=owner, password=role_secrets.owner)
            )
            self._templates[service] = name
        return self._templates[service]

    async def fresh_database(self, service: str, service_dir: Path) -> ServiceDatabase:
        template = await asyncio.to_thread(self.template, service, service_dir)
        name = f"edureg_{service}_{uuid.uuid4().hex[:10]}"
        await clone_database(self.pg.admin_dsn, template=template, database=name)
        r = migrations.roles(service)
        s = self.secrets.roles[service]
        return ServiceDatabase(
            service=service,
            name=name,
            app_url=self.pg.dsn(name, user=r.app, password=s.app),
            relay_url=self.pg.dsn(name, user=r.relay, password=s.relay),
            owner_url=self.pg.dsn(name, user=r.owner, password=s.owner),
            admin_url=self.pg.dsn(name),
        )

    def service_env(self, service: str) -> dict[str, Any]:
        """The broker settings of `service` (its own user)."""
        user, password = self.nats_credentials(service)
        return {"nats_url": self.nats_url, "nats_user": user, "nats_password": password}
