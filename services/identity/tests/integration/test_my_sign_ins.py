"""Every sign-in, failed sign-in and password change is recorded with time and address
(identity issue, item 2), and a person sees their own in their profile — only their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ..conftest import PASSWORD, login

pytestmark = pytest.mark.usefixtures("tenants")


async def _mine(client: httpx.AsyncClient, who: dict[str, str]) -> list[dict[str, str]]:
    r = await client.get("/api/v1/me/sign-ins", headers=who)
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_a_person_sees_their_own_sign_ins_failures_and_password_changes(
    client: httpx.AsyncClient,
) -> None:
    wrong = await client.post(
        "/api/v1/auth/token",
        json={"login": "teacher.a", "password": "Wrong-pass-1"},
        headers={"User-Agent": "Unknown-Phone/1.0"},
    )
    assert wrong.status_code == 401
    teacher = await login(client, "teacher.a")
    r = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "Novyi-parol-2026"},
        headers={**teacher, "User-Agent": "Firefox"},
    )
    assert r.status_code == 200, r.text
    teacher = {"Authorization": f"Bearer {r.json()['access_token']}"}
    entries = await _mine(client, teacher)
    assert [e["outcome"] for e in entries[:3]] == ["password_changed", "ok", "wrong_password"]
    assert all(e["address"] for e in entries[:3])
    assert entries[0]["user_agent"] == "Firefox"
    assert entries[2]["user_agent"] == "Unknown-Phone/1.0"
    # Only one's own: the administrator's list has none of the teacher's.
    admin = await _mine(client, await login(client, "admin.a"))
    assert [e["outcome"] for e in admin] == ["ok"]
    # A password change is not a failed sign-in in the organisation's activity report.
    today = datetime.now(UTC).date()
    report = await client.get(
        "/api/v1/activity",
        headers=await login(client, "admin.a"),
        params={"from": str(today), "to": str(today + timedelta(days=1)), "limit": 200},
    )
    assert report.status_code == 200, report.text
    [row] = [a for a in report.json()["items"] if a["login"] == "teacher.a"]
    assert (row["sign_ins"], row["failed"]) == (1, 1)
