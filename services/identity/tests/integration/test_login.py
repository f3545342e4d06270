"""Login as an attacker would try it: one answer for every failure, back-off per account
and address, a limit per address, every attempt recorded, no 500 for odd bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from edureg_devstack.testing.infra import Infra, ServiceDatabase
from edureg_devstack.testing.plugin import assert_problem, running_app, service_settings
from edureg_identity.bootstrap import create
from edureg_identity.config import Settings
from edureg_identity.services.seed import seed
from edureg_shared.db import Database, create_engine

from ..conftest import CHEAP_HASHING, PASSWORD, org


@pytest.fixture
async def client(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """Identity behind a trusted proxy (the test client's 127.0.0.1), so each test can
    speak from several client addresses; small limits so they are reached quickly."""
    settings = service_settings(
        Settings,
        infra,
        db,
        nats_prefix,
        jwt_keys_dir=str(tmp_path / "jwt"),
        trusted_proxies=["127.0.0.1"],
        login_free_failures=2,
        login_backoff_base_s=600,
        login_address_max_failures=6,
        **CHEAP_HASHING,
    )
    database = Database(create_engine(settings.database_url))
    try:
        await seed(
            database,
            {
                "organisations": [
                    org(
                        "a",
                        ("admin.a", ["admin"]),
                        ("teacher.a", ["teacher"]),
                        ("gone.a", ["teacher"]),
                    )
                ]
            },
        )
    finally:
        await database.dispose()
    async with running_app(create(settings)) as c:
        yield c


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, "User-Agent": "EduregTestBrowser/1.0"}


async def _login(
    client: httpx.AsyncClient, login: str, password: str, address: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"login": login, "password": password}, headers=_from(address)
    )


async def _attempts(db: ServiceDatabase) -> list[tuple[str, str, str | None, str | None]]:
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            rows = await s.execute(
                text(
                    "SELECT login, outcome, host(address), user_agent FROM login_attempts ORDER BY id"
                )
            )
            return [tuple(r) for r in rows.all()]
    finally:
        await admin.dispose()


async def _disable(db: ServiceDatabase, login: str) -> None:
    admin = Database(create_engine(db.admin_url))
    try:
        async with admin.unscoped_session() as s:
            await s.execute(text("UPDATE users SET active = false WHERE login = :l"), {"l": login})
    finally:
        await admin.dispose()


async def test_every_failure_gets_the_same_answer_and_is_recorded(
    client: httpx.AsyncClient, db: ServiceDatabase
) -> None:
    await _disable(db, "gone.a")
    for _ in range(3):  # lock teacher.a for 203.0.113.5
        await _login(client, "teacher.a", "wrong", "203.0.113.5")
    answers = [
        await _login(client, "nobody.a", "whatever", "198.51.100.1"),  # unknown login
        await _login(client, "admin.a", "wrong", "198.51.100.1"),  # wrong password
        await _login(client, "teacher.a", PASSWORD, "203.0.113.5"),  # locked, right password
        await _login(client, "gone.a", PASSWORD, "198.51.100.1"),  # disabled, right password
    ]
    bodies = [assert_problem(r, 401) for r in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    assert {r.headers.get("content-length") for r in answers} == {
        answers[0].headers["content-length"]
    }
    outcomes = {(login, outcome) for login, outcome, _, _ in await _attempts(db)}
    assert {
        ("nobody.a", "unknown"),
        ("admin.a", "wrong_password"),
        ("teacher.a", "locked"),
        ("gone.a", "disabled"),
    } <= outcomes
    recorded = await _attempts(db)
    assert ("nobody.a", "unknown", "198.51.100.1", "EduregTestBrowser/1.0") in recorded


async def test_back_off_is_per_account_and_address(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert_problem(await _login(client, "teacher.a", "guess", "203.0.113.7"), 401)
    # The attacker's address now waits, even with the right password ...
    assert_problem(await _login(client, "teacher.a", PASSWORD, "203.0.113.7"), 401)
    # ... while the teacher, elsewhere, signs in: knowing a login cannot lock its owner out.
    r = await _login(client, "teacher.a", PASSWORD, "192.0.2.10")
    assert r.status_code == 200, r.text


async def test_an_address_spraying_passwords_is_stopped(client: httpx.AsyncClient) -> None:
    for login in ("admin.a", "teacher.a", "x1", "x2", "x3", "x4"):
        await _login(client, login, "Spring2026!", "203.0.113.9")
    body = assert_problem(await _login(client, "admin.a", PASSWORD, "203.0.113.9"), 429)
    assert "адреса" in body["detail"]
    assert (await _login(client, "admin.a", PASSWORD, "192.0.2.11")).status_code == 200


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    infra: Infra, db: ServiceDatabase, nats_prefix: str, tmp_path: Path
) -> None:
    settings = service_settings(
        Settings, infra, db, nats_prefix, jwt_keys_dir=str(tmp_path / "jwt")
    )
    async with running_app(create(settings)) as c:
        await _login(c, "nobody", "x", "198.51.100.77")
    recorded = await _attempts(db)
    assert recorded[-1][2] == "127.0.0.1"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"login": ' + b"[" * 50_000 + b"]" * 50_000 + b', "password": "x"}',
        b"\xff\xfe",
        b'{"login": "a", "password": "b", "extra": 1}',
        b'{"login": "admin\\u0000", "password": "x"}',
    ],
)
async def test_odd_login_bodies_are_problems_never_500(
    client: httpx.AsyncClient, body: bytes
) -> None:
    r = await client.post(
        "/api/v1/auth/token", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_body_over_the_limit_is_413_before_anything_else(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/token",
        content=b"x" * (1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )
    body = assert_problem(r, 413)
    assert "КБ" in body["detail"]
