from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edureg_contingent.bootstrap import create
from edureg_contingent.config import Settings
from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer

SERVICE_DIR = Path(__file__).resolve().parents[1]

ALL = [
    "contingent.groups.read",
    "contingent.groups.write",
    "contingent.orders.read",
    "contingent.orders.write",
    "contingent.orders.sign",
    "contingent.students.read",
    "contingent.students.write",
    "contingent.admissions.read",
    "contingent.admissions.write",
    "contingent.staff.read",
    "contingent.staff.write",
    "contingent.profile.read",
    "contingent.profile.write",
]


@pytest.fixture
async def db(infra: Infra) -> ServiceDatabase:
    return await infra.fresh_database("contingent", SERVICE_DIR)


@pytest.fixture
def settings(infra: Infra, db: ServiceDatabase, nats_prefix: str) -> Settings:
    return service_settings(Settings, infra, db, nats_prefix)


@pytest.fixture
async def client(settings: Settings, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    app = create(settings)
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as c:
        yield c


@pytest.fixture
def tenant_a() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def tenant_b() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def admin_a(issuer: TestIssuer, tenant_a: uuid.UUID) -> dict[str, str]:
    return issuer.headers(tenant_id=tenant_a, permissions=ALL)


@pytest.fixture
def admin_b(issuer: TestIssuer, tenant_b: uuid.UUID) -> dict[str, str]:
    return issuer.headers(tenant_id=tenant_b, permissions=ALL)
