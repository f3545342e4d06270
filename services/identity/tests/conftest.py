from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_identity.bootstrap import create
from edureg_identity.config import Settings
from edureg_identity.services import passwords
from edureg_identity.services.seed import seed
from edureg_shared.db import Database, create_engine

SERVICE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "Str0ng-Pass!"
# Throwaway accounts: argon2id at its cheapest (tests/test_login_flood.py keeps the real
# cost). Production keeps the default.
CHEAP_HASHING = {"password_hash_memory_kib": 8 * 1024, "password_hash_time_cost": 1}


def org(code: str, *staff: tuple[str, list[str]]) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Школа {code}",
        "kind": "school",
        "staff": [
            {
                "login": login,
                "password": PASSWORD,
                "surname": "Петрова",
                "name": "Анна",
                "positions": positions,
            }
            for login, positions in staff
        ],
    }


@pytest.fixture
async def db(infra: Infra) -> ServiceDatabase:
    return await infra.fresh_database("identity", SERVICE_DIR)


@pytest.fixture
def settings(infra: Infra, db: ServiceDatabase, nats_prefix: str, tmp_path: Path) -> Settings:
    return service_settings(
        Settings,
        infra,
        db,
        nats_prefix,
        jwt_keys_dir=str(tmp_path / "jwt"),
        **CHEAP_HASHING,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create(settings)) as c:
        yield c


@pytest.fixture
async def tenants(settings: Settings, client: httpx.AsyncClient) -> dict[str, str]:
    passwords.configure(memory_budget_mib=64, queue_limit=100, memory_kib=8 * 1024, time_cost=1)
    database = Database(create_engine(settings.database_url))
    try:
        return await seed(
            database,
            {
                "organisations": [
                    org(
                        "a",
                        ("admin.a", ["admin"]),
                        ("admin2.a", ["admin"]),
                        ("secretary.a", ["secretary"]),
                        ("curator.a", ["teacher", "curator"]),
                        ("teacher.a", ["teacher"]),
                    ),
                    org("b", ("admin.b", ["admin"])),
                    {
                        **org(
                            "region",
                            ("region.admin", ["regional_admin"]),
                            ("region.monitor", ["regional_monitor"]),
                        ),
                        "kind": "ministry",
                    },
                ]
            },
        )
    finally:
        await database.dispose()


async def login(client: httpx.AsyncClient, login_: str, password: str = PASSWORD) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"login": login_, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
