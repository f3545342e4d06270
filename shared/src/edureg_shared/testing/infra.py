"""Test infrastructure: one embedded PostgreSQL and one NATS per run; migrated templates
per service; a fresh database copy per test that asks for one."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from edureg_shared import migrations
from edureg_shared.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from edureg_shared.provision import clone_database, provision_service_database


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
    nats: EmbeddedNats
    _templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, *, fsync: bool = False) -> Infra:
        root = Path(tempfile.mkdtemp(prefix="edureg-test-"))
        root.chmod(0o755)
        pg = EmbeddedPostgres(root / "pg", free_port()).start(fsync=fsync)
        nats = EmbeddedNats(root / "nats", free_port()).start()
        return cls(root=root, pg=pg, nats=nats)

    def stop(self) -> None:
        self.nats.stop()
        self.pg.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def template(self, service: str, service_dir: Path) -> str:
        """Provision and migrate `service`'s template database once per run."""
        if service not in self._templates:
            name = f"edureg_{service}_template"
            asyncio.run(
                provision_service_database(self.pg.admin_dsn, service=service, database=name)
            )
            owner = migrations.roles(service).owner
            migrations.upgrade(service_dir, self.pg.dsn(name, user=owner))
            self._templates[service] = name
        return self._templates[service]

    async def fresh_database(self, service: str, service_dir: Path) -> ServiceDatabase:
        template = await asyncio.to_thread(self.template, service, service_dir)
        name = f"edureg_{service}_{uuid.uuid4().hex[:10]}"
        await clone_database(self.pg.admin_dsn, template=template, database=name)
        r = migrations.roles(service)
        return ServiceDatabase(
            service=service,
            name=name,
            app_url=self.pg.dsn(name, user=r.app),
            relay_url=self.pg.dsn(name, user=r.relay),
            owner_url=self.pg.dsn(name, user=r.owner),
            admin_url=self.pg.dsn(name),
        )
