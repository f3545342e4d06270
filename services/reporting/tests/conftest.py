from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import running_app, service_settings
from edureg_devstack.testing.tokens import TestIssuer
from edureg_reporting.bootstrap import create
from edureg_reporting.config import Settings

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
async def db(infra: Infra) -> ServiceDatabase:
    return await infra.fresh_database("reporting", SERVICE_DIR)


@pytest.fixture
async def client(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    app = create(service_settings(Settings, infra, db, nats_prefix))
    app.state.token_verifier = issuer.verifier()
    async with running_app(app) as c:
        yield c
