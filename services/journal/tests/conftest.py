from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_journal.bootstrap import create
from edureg_journal.config import Settings

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
async def db(infra: Infra) -> ServiceDatabase:
    return await infra.fresh_database("journal", SERVICE_DIR)


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
def tenant() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def reader(issuer: TestIssuer, tenant: uuid.UUID) -> dict[str, str]:
    return issuer.headers(tenant_id=tenant, permissions=["journal.rosters.read"])
