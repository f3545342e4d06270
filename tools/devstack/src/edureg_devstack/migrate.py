"""`edureg-migrate <service|all>`: create a service's database and roles, apply migrations.

Reads EDUREG_MIGRATE_ADMIN_DSN (a superuser DSN: creates roles and the database) and,
optionally, EDUREG_MIGRATE_DB_PASSWORD (password for the service roles, for servers
that do not trust local connections). Migrations run as the service's owner role.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from edureg_devstack.catalogue import BY_NAME, WITH_DATABASE, ServiceInfo
from edureg_shared import migrations
from edureg_shared.provision import provision_service_database


def owner_dsn(admin_dsn: str, service: ServiceInfo, password: str | None) -> str:
    """The owner role's DSN on the same server as `admin_dsn`."""
    rest = admin_dsn.split("://", 1)[1]
    hostpart = rest.split("@", 1)[1].rsplit("/", 1)[0]
    auth = migrations.roles(service.name).owner + (f":{password}" if password else "")
    return f"postgresql+asyncpg://{auth}@{hostpart}/{service.database}"


def migrate(service: ServiceInfo, admin_dsn: str, password: str | None = None) -> None:
    asyncio.run(
        provision_service_database(
            admin_dsn, service=service.name, database=service.database, password=password
        )
    )
    migrations.upgrade(service.service_dir, owner_dsn(admin_dsn, service, password))


def main() -> None:
    parser = argparse.ArgumentParser(description="Создать базу сервиса и применить миграции")
    parser.add_argument("service", choices=[s.name for s in WITH_DATABASE] + ["all"])
    args = parser.parse_args()
    admin_dsn = os.environ["EDUREG_MIGRATE_ADMIN_DSN"]
    password = os.environ.get("EDUREG_MIGRATE_DB_PASSWORD") or None
    targets = WITH_DATABASE if args.service == "all" else (BY_NAME[args.service],)
    for service in targets:
        migrate(service, admin_dsn, password)
        print(f"migrated {service.name}")


if __name__ == "__main__":
    main()
