from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from edureg_devstack.system import System, running
from edureg_devstack.testing.infra import Infra

CORE = ("identity", "contingent", "schedule", "journal", "reporting")


@pytest.fixture(scope="session")
async def system(infra: Infra) -> AsyncIterator[System]:
    """Every service as a real process, shared by the cross-service tests of the run
    (each seeds organisations of its own); starting them is the slow part."""
    async with running(infra, (*CORE, "portal"), tag="e2e") as sys_:
        yield sys_
