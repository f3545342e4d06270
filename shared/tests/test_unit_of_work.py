"""The request's transaction commits before the response leaves: a commit that fails is
an error response, never a 2xx for data that was not saved. (A unit test of the HTTP
dependency; the database here is a stand-in whose commit fails on purpose. The real
commit-before-response behaviour is exercised by every cross-service test that reads an
object right after creating it.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Annotated, Any

import httpx
from fastapi import FastAPI

from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.http import Context, unit_of_work
from edureg_shared.problems import install_error_handlers


class CommitFails(Exception):
    pass


class _Database:
    def __init__(self) -> None:
        self.committed = False

    @asynccontextmanager
    async def tenant_session(self, tenant_id: uuid.UUID) -> AsyncIterator[Any]:
        yield SimpleNamespace(tenant_id=tenant_id)
        raise CommitFails("could not serialize access")


async def test_a_failed_commit_is_an_error_response_not_a_success() -> None:
    issuer = TestIssuer()
    db = _Database()
    app = FastAPI()
    install_error_handlers(app)
    app.state.runtime = SimpleNamespace(db=db, settings=SimpleNamespace(nats_prefix=""))
    app.state.token_verifier = issuer.verifier()

    @app.post("/things", status_code=201)
    async def create(ctx: Annotated[Context, unit_of_work("things.write")]) -> dict[str, str]:
        return {"tenant": str(ctx.tenant_id)}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post(
            "/things", headers=issuer.headers(tenant_id=uuid.uuid4(), permissions=["things.write"])
        )
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "Повторите попытку позже; данные не изменены."
