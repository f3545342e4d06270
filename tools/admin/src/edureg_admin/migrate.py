"""`edureg-migrate`: the operator's one tool for what services may not do themselves.

    edureg-migrate <service>|all   create the service's database and roles (re-asserting
                                   their attributes and secrets), apply its migrations
    edureg-migrate streams         create or update the JetStream streams (admin user)
    edureg-migrate nats-config     print the broker's users and permissions, passwords as
                                   $<SERVICE>_NATS_PASSWORD references (deploy/nats/)
    edureg-migrate render          write the files rendered from the manifests:
                                   docker-compose.yml, deploy/, docs/events.md (run in the
                                   repository's root)
    edureg-migrate replay <service>
                                   with the service stopped: empty its tables and delete
                                   its durable consumers, so that its next start rebuilds
                                   its read models from the streams (reporting)

Environment (only what the chosen command needs):
- EDUREG_MIGRATE_ADMIN_DSN: a PostgreSQL superuser DSN (creates roles and databases);
- EDUREG_MIGRATE_<SERVICE>_OWNER_PASSWORD, …_APP_PASSWORD, …_RELAY_PASSWORD: the
  service's three role secrets (all three, or none for a trust-only local server);
- EDUREG_MIGRATE_NATS_URL, EDUREG_MIGRATE_NATS_USER, EDUREG_MIGRATE_NATS_PASSWORD,
  EDUREG_MIGRATE_NATS_TLS_CA_FILE, EDUREG_MIGRATE_NATS_REPLICAS (streams).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from pathlib import Path
from urllib.parse import quote

import nats

from edureg_admin import (
    broker,
    catalogue,
    deployment,
    eventdocs,
    permission_catalogue,
    replay,
)
from edureg_admin.catalogue import ServiceInfo
from edureg_admin.provision import RoleSecrets, provision_service_database
from edureg_shared import migrations
from edureg_shared.events.streams import ensure_streams


def owner_dsn(admin_dsn: str, service: ServiceInfo, password: str | None) -> str:
    """The owner role's DSN on the same server as `admin_dsn`."""
    rest = admin_dsn.split("://", 1)[1]
    hostpart = rest.split("@", 1)[1].rsplit("/", 1)[0]
    auth = migrations.roles(service.name).owner + (
        f":{quote(password, safe='')}" if password else ""
    )
    return f"postgresql+asyncpg://{auth}@{hostpart}/{service.database}"


def secrets_from_env(service: ServiceInfo, env: dict[str, str]) -> RoleSecrets | None:
    prefix = f"EDUREG_MIGRATE_{service.name.upper()}_"
    values = [env.get(f"{prefix}{kind}_PASSWORD") for kind in ("OWNER", "APP", "RELAY")]
    if not any(values):
        return None
    if not all(values):
        raise SystemExit(f"{prefix}OWNER/APP/RELAY_PASSWORD: give all three or none")
    return RoleSecrets(*(v or "" for v in values))


def migrate(service: ServiceInfo, admin_dsn: str, secrets_: RoleSecrets | None = None) -> None:
    asyncio.run(
        provision_service_database(
            admin_dsn, service=service.name, database=service.database, secrets_=secrets_
        )
    )
    migrations.upgrade(
        service.service_dir, owner_dsn(admin_dsn, service, secrets_.owner if secrets_ else None)
    )


async def _admin_nats(env: dict[str, str]) -> nats.NATS:
    ca = env.get("EDUREG_MIGRATE_NATS_TLS_CA_FILE")
    return await nats.connect(
        [u.strip() for u in env["EDUREG_MIGRATE_NATS_URL"].split(",") if u.strip()],
        user=env.get("EDUREG_MIGRATE_NATS_USER") or broker.ADMIN_USER,
        password=env.get("EDUREG_MIGRATE_NATS_PASSWORD"),
        tls=ssl.create_default_context(cafile=ca) if ca else None,
        connect_timeout=5,
        max_reconnect_attempts=3,
    )


async def replay_service(service: ServiceInfo, env: dict[str, str]) -> None:
    secrets_ = secrets_from_env(service, env)
    dsn = owner_dsn(env["EDUREG_MIGRATE_ADMIN_DSN"], service, secrets_.owner if secrets_ else None)
    emptied = await replay.empty_tables(dsn, replay.entered_tables(service.name))
    nc = await _admin_nats(env)
    try:
        deleted = await replay.reset_consumers(nc, service.manifest)
    finally:
        await nc.close()
    print(
        f"{service.name}: {len(emptied)} tables emptied, {deleted} consumers reset; "
        "start the service to replay the streams"
    )


async def create_streams(
    url: str,
    *,
    user: str | None,
    password: str | None,
    prefix: str = "",
    replicas: int = 1,
    tls_ca_file: str | None = None,
) -> None:
    tls = ssl.create_default_context(cafile=tls_ca_file) if tls_ca_file else None
    nc = await nats.connect(
        [u.strip() for u in url.split(",") if u.strip()],
        user=user,
        password=password,
        tls=tls,
        connect_timeout=5,
        max_reconnect_attempts=3,
    )
    try:
        await ensure_streams(nc, catalogue.manifests(), prefix, replicas)
    finally:
        await nc.close()


def nats_config() -> str:
    passwords = {
        m.name: broker.EnvRef(f"{m.name.upper()}_NATS_PASSWORD")
        for m in catalogue.manifests()
        if m.has_broker
    }
    return broker.authorization_block(
        broker.users(catalogue.manifests(), passwords, broker.EnvRef("ADMIN_NATS_PASSWORD"))
    )


def rendered() -> dict[str, str]:
    """Every file generated from the manifests: relative path → content."""
    return {
        **deployment.rendered(),
        "deploy/nats/auth.conf": nats_config(),
        "docs/events.md": eventdocs.render(),
        permission_catalogue.TARGET: permission_catalogue.render_module(),
        "docs/permissions.md": permission_catalogue.render_doc(),
    }


def main() -> None:
    names = [s.name for s in catalogue.with_database()]
    parser = argparse.ArgumentParser(
        description="Базы данных, роли и миграции сервисов; потоки JetStream; права брокера"
    )
    parser.add_argument(
        "target", choices=[*names, "all", "streams", "nats-config", "render", "replay"]
    )
    parser.add_argument("service", nargs="?", choices=names, help="для replay: чей")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.target == "replay":
        if not args.service:
            parser.error("replay: укажите сервис, например replay reporting")
        asyncio.run(replay_service(catalogue.by_name()[args.service], env))
        return
    if args.target == "nats-config":
        sys.stdout.write(nats_config())
        return
    if args.target == "render":
        for path, content in rendered().items():
            Path(path).write_text(content, encoding="utf-8")
            print(f"wrote {path}")
        return
    if args.target == "streams":
        asyncio.run(
            create_streams(
                env["EDUREG_MIGRATE_NATS_URL"],
                user=env.get("EDUREG_MIGRATE_NATS_USER") or broker.ADMIN_USER,
                password=env.get("EDUREG_MIGRATE_NATS_PASSWORD"),
                replicas=int(env.get("EDUREG_MIGRATE_NATS_REPLICAS", "1")),
                tls_ca_file=env.get("EDUREG_MIGRATE_NATS_TLS_CA_FILE") or None,
            )
        )
        print("streams ready")
        return
    admin_dsn = env["EDUREG_MIGRATE_ADMIN_DSN"]
    targets = (
        catalogue.with_database() if args.target == "all" else (catalogue.by_name()[args.target],)
    )
    for service in targets:
        migrate(service, admin_dsn, secrets_from_env(service, env))
        print(f"migrated {service.name}")


if __name__ == "__main__":
    main()
