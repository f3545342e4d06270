"""schemathesis (a tool nobody here wrote) against every service's OpenAPI, signed in as
an organisation's administrator: no server error, and every answer's status code,
content type and body as the document declares (errors as problem+json). Bounded
examples per operation so the suite stays fast."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from edureg_devstack.system import System

SERVICES = ("identity", "contingent", "schedule", "journal", "reporting")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6


@pytest.fixture(scope="module")
async def admin(system: System) -> dict[str, str]:
    system.seed_organisations("conform")
    return await system.login("admin.conform")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_answers_as_its_openapi_says(
    system: System, admin: dict[str, str], service: str
) -> None:
    base = system.url(service)
    async with httpx.AsyncClient(base_url=base) as c:
        document = (await c.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        await asyncio.to_thread(_explore, operation, base, admin, failures)
    assert operations > 0
    assert failures == [], "\n".join(dict.fromkeys(failures))


def _explore(operation: Any, base: str, admin: dict[str, str], failures: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base, headers=admin, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # collect every operation's, report once
            failures.append(f"{label}: {str(exc)[:600]}")

    run()
