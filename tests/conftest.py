from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra

CORE = ("identity", "contingent", "schedule", "journal", "reporting")


@pytest.fixture(scope="session")
async def system(infra: Infra) -> AsyncIterator[System]:
    """Every service as a real process, shared by the cross-service tests of the run
    (each seeds organisations of its own); starting them is the slow part."""
    sys_ = System(
        infra=infra,
        prefix=f"e{uuid.uuid4().hex[:8]}.",
        workdir=Path(tempfile.mkdtemp(prefix="edureg-e2e-")),
    )
    await sys_.prepare((*CORE, "portal"))
    await sys_.start()
    try:
        yield sys_
    finally:
        sys_.stop()
