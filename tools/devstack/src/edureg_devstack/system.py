"""The whole system as real processes on one embedded PostgreSQL and NATS (tests, bench)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from edureg_admin import catalogue
from edureg_admin.catalogue import ServiceInfo
from edureg_devstack.embedded import free_port
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.processes import ServiceProcess

PASSWORD = "Test-Pa55word!"


def org_spec(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Тестовая школа {code}",
        "kind": "school",
        "staff": [
            {
                "login": f"admin.{code}",
                "password": PASSWORD,
                "surname": "Админова",
                "name": "Анна",
                "patronymic": "Ивановна",
                "positions": ["admin"],
            },
            {
                "login": f"teacher.{code}",
                "password": PASSWORD,
                "surname": "Учителева",
                "name": "Ольга",
                "positions": ["teacher"],
            },
        ],
    }


@asynccontextmanager
async def running(
    infra: Infra,
    names: tuple[str, ...],
    *,
    tag: str,
    before_start: Callable[[System], None] | None = None,
    **options: Any,
) -> AsyncIterator[System]:
    """`names` as real processes on `infra`, with a subject prefix and a work folder of
    their own (`tag` names both), stopped on the way out. `before_start` may adjust the
    prepared processes' environments."""
    system = System(
        infra=infra,
        prefix=f"{tag[0]}{uuid.uuid4().hex[:8]}.",
        workdir=Path(tempfile.mkdtemp(prefix=f"edureg-{tag}-")),
        **options,
    )
    try:
        await system.prepare(names)
        if before_start is not None:
            before_start(system)
        await system.start()
        yield system
    finally:
        system.stop()  # also what a partial start left running


@dataclass
class System:
    infra: Infra
    prefix: str
    workdir: Path
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    databases: dict[str, ServiceDatabase] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Throwaway accounts of a test run: argon2id at its cheapest. A run that measures
    # hashing itself (the login flood) turns this off.
    cheap_hashing: bool = True
    # More processes of a service than one (`{"identity": 2}`): they share its database,
    # its durable consumers and its outbox, each with an HTTP port of its own.
    replicas: dict[str, int] = field(default_factory=dict)
    others: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    portal_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def url(self, name: str) -> str:
        return self.services[name].url

    def processes(self, name: str) -> list[ServiceProcess]:
        """Every process of `name`: the first (`services[name]`) and its replicas."""
        return [self.services[name], *self.others.get(name, [])]

    def _all(self) -> list[ServiceProcess]:
        return [p for name in self.services for p in self.processes(name)]

    async def prepare(self, names: tuple[str, ...]) -> None:
        await self.infra.create_streams(self.prefix)
        services = catalogue.services()
        ports = {s.name: free_port() for s in services if s.name in names}
        for s in services:
            if s.name in names and s.has_database:
                self.databases[s.name] = await self.infra.fresh_database(s.name, s.service_dir)
        for s in services:
            if s.name in names:
                env = self._env(s, ports)
                self.services[s.name] = ServiceProcess(
                    name=s.name,
                    port=ports[s.name],
                    env=env,
                    log_path=self.workdir / f"{s.name}.log",
                )
                for i in range(2, self.replicas.get(s.name, 1) + 1):
                    port = free_port()
                    self.others.setdefault(s.name, []).append(
                        ServiceProcess(
                            name=s.name,
                            port=port,
                            env={
                                **env,
                                f"{s.env_prefix}HTTP_PORT": str(port),
                                f"{s.env_prefix}OTEL_SPANS_FILE": str(
                                    self.workdir / f"{s.name}-{i}.spans.jsonl"
                                ),
                            },
                            log_path=self.workdir / f"{s.name}-{i}.log",
                        )
                    )

    def _env(self, s: ServiceInfo, ports: dict[str, int]) -> dict[str, str]:
        p = s.env_prefix
        env = {
            f"{p}HTTP_PORT": str(ports[s.name]),
            f"{p}NATS_PREFIX": self.prefix,
            f"{p}LOG_FORMAT": "json",
            f"{p}OUTBOX_POLL_INTERVAL_S": "0.2",
            f"{p}CONSUMER_BACKOFF_BASE_S": "0.1",
            f"{p}CONSUMER_BACKOFF_MAX_S": "1",
            f"{p}OTEL_SPANS_FILE": str(self.workdir / f"{s.name}.spans.jsonl"),
        }
        if s.has_broker:
            user, password = self.infra.nats_credentials(s.name)
            env[f"{p}NATS_URL"] = self.infra.nats_url
            env[f"{p}NATS_USER"] = user
            env[f"{p}NATS_PASSWORD"] = password
        if s.name == "contingent":
            env[f"{p}PERSON_MATCH_KEY"] = self.infra.secrets.person_match_key
        if s.has_database:
            env[f"{p}DATABASE_URL"] = self.databases[s.name].app_url
            env[f"{p}RELAY_DATABASE_URL"] = self.databases[s.name].relay_url
        if "identity" in ports:
            env[f"{p}JWKS_URL"] = f"http://127.0.0.1:{ports['identity']}/.well-known/jwks.json"
        if s.name == "identity":
            if self.cheap_hashing:
                env["EDUREG_IDENTITY_PASSWORD_HASH_MEMORY_KIB"] = "8192"
                env["EDUREG_IDENTITY_PASSWORD_HASH_TIME_COST"] = "1"
            env["EDUREG_IDENTITY_JWT_KEYS_DIR"] = str(self.workdir / "jwt")
            env["EDUREG_IDENTITY_PUBLIC_URL"] = f"http://127.0.0.1:{ports['identity']}"
            env["EDUREG_IDENTITY_TRUSTED_PROXIES"] = '["127.0.0.1"]'
            if "portal" in ports:  # the address printed on credential slips
                env["EDUREG_IDENTITY_PORTAL_PUBLIC_URL"] = f"http://127.0.0.1:{ports['portal']}"
        if s.name == "portal":
            for name, port in ports.items():
                env[f"EDUREG_PORTAL_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
            # The same on every replica, as in a deployment: a form opened on one is
            # accepted by another.
            env["EDUREG_PORTAL_CSRF_SECRET"] = self.portal_secret
        for key, value in self.extra_env.items():
            env[f"{p}{key}"] = value
        return env

    async def start(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(proc.start) for proc in self.services.values()))
        # Replicas once the first is up (identity's first makes the signing keys they share).
        others = [p for procs in self.others.values() for p in procs]
        await asyncio.gather(*(asyncio.to_thread(proc.start) for proc in others))

    def stop(self) -> None:
        # Every process is told at once, then each is waited for: the slowest to finish
        # its shutdown sets the time, not their sum.
        for proc in self._all():
            proc.terminate()
        for proc in self._all():
            proc.stop()

    def seed_organisations(self, *codes: str) -> dict[str, str]:
        return self.seed({"organisations": [org_spec(c) for c in codes]})

    def seed_ministry(self, code: str) -> dict[str, str]:
        """The region's ministry with one regional administrator, `region.<code>`."""
        return self.seed(
            {
                "organisations": [
                    {
                        "code": code,
                        "name": f"Министерство {code}",
                        "kind": "ministry",
                        "staff": [
                            {
                                "login": f"region.{code}",
                                "password": PASSWORD,
                                "surname": "Регионова",
                                "name": "Полина",
                                "positions": ["regional_admin"],
                            }
                        ],
                    }
                ]
            }
        )

    def seed(self, spec: dict[str, Any]) -> dict[str, str]:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
            json.dump(spec, fh, ensure_ascii=False)
        out = subprocess.run(
            [sys.executable, "-m", "edureg_identity.cli", "seed", "--file", fh.name],
            env={**os.environ, **self.services["identity"].env},
            check=True,
            capture_output=True,
            text=True,
        )
        os.unlink(fh.name)
        return dict(json.loads(out.stdout)["organisations"])

    async def login(self, login: str, password: str = PASSWORD) -> dict[str, str]:
        async with httpx.AsyncClient(base_url=self.url("identity")) as c:
            r = await c.post("/api/v1/auth/token", json={"login": login, "password": password})
            assert r.status_code == 200, r.text
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def spans(self, name: str) -> list[dict[str, Any]]:
        path = self.workdir / f"{name}.spans.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
