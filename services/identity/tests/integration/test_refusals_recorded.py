"""Every refusal is recorded (identity issue, item 11): who (ids only), which operation
(the route's template, not the ids in the path), what answer — and nothing changed."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.plugin import assert_problem

from ..conftest import PASSWORD, login


async def _guardian_token(client: httpx.AsyncClient, school: dict[str, Any]) -> dict[str, str]:
    admin = school["admin"]
    parent = school["own_parent"]
    slip = (await client.post(f"/api/v1/accounts/{parent['id']}/credentials", headers=admin)).json()
    first = await client.post(
        "/api/v1/auth/token", json={"login": slip["login"], "password": slip["password"]}
    )
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": slip["password"], "new_password": PASSWORD},
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    return {"Authorization": f"Bearer {changed.json()['access_token']}"}


async def test_refusals_are_recorded_without_personal_data(
    client: httpx.AsyncClient, school: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    guardian = await _guardian_token(client, school)
    other_child = school["other_student"]
    caplog.set_level(logging.WARNING, logger="edureg.security")
    # A guardian asks for another family's child; a teacher for the positions; another
    # school's administrator for this school's account; a forged token.
    assert_problem(await client.get(f"/api/v1/accounts/{other_child['id']}", headers=guardian), 403)
    assert_problem(
        await client.get(f"/api/v1/accounts/{other_child['id']}/children", headers=guardian), 403
    )
    assert_problem(
        await client.get("/api/v1/positions", headers=await login(client, "teacher.a")), 403
    )
    assert_problem(
        await client.get(
            f"/api/v1/accounts/{other_child['id']}", headers=await login(client, "admin.b")
        ),
        404,
    )
    assert_problem(
        await client.get("/api/v1/me", headers={"Authorization": "Bearer forged.token.here"}), 401
    )
    records = [r for r in caplog.records if r.name == "edureg.security"]
    seen = {(r.status, r.route) for r in records}  # type: ignore[attr-defined]
    assert (403, "/api/v1/accounts/{account_id}") in seen
    assert (403, "/api/v1/positions") in seen
    assert (404, "/api/v1/accounts/{account_id}") in seen
    assert (401, "/api/v1/me") in seen
    guardian_id = school["own_parent"]["id"]
    assert any(r.user_id == guardian_id for r in records)  # type: ignore[attr-defined]
    text = " ".join(str(vars(r)) for r in records)
    for personal in (
        other_child["id"],
        other_child["login"],
        other_child["full_name"].split()[0],
        school["own_parent"]["login"],
    ):
        assert personal not in text
    # Nothing changed: the other child's account is as it was.
    admin = school["admin"]
    found = (await client.get(f"/api/v1/accounts/{other_child['id']}", headers=admin)).json()
    assert found["active"] is True
