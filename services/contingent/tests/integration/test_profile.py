"""The organisation's digital profile: checked numbers and dates, every change kept
(who, when, old → new), two editors at once told, announced for regional monitoring
with no people in it; only the administrator changes it, each organisation its own."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import assert_problem, eventually
from edureg_devstack.testing.tokens import TestIssuer
from edureg_shared.events.envelope import stream_name

CARD: dict[str, Any] = {
    "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 1»",
    "short_name": "Гимназия № 1",
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "legal_address": "г. Энск, ул. Школьная, 1",
    "actual_address": "г. Энск, ул. Школьная, 1",
    "head_name": "Директорова Мария Петровна",
    "head_position": "Директор",
    "phone": "+7 (800) 000-00-00",
    "email": "school@example.ru",
    "licence_number": "Л035-01234-77/00123456",
    "licence_date": "2016-03-01",
    "licence_issuer": "Министерство образования",
    "accredited": True,
    "accreditation_number": "А007-01234-77/00654321",
    "accreditation_date": "2020-05-01",
    "accreditation_valid_until": "2027-01-15",
}


async def _events(infra: Infra, prefix: str) -> list[dict[str, Any]]:
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{prefix}contingent.organisation.profile_changed.v1",
            stream=stream_name("contingent", prefix),
        )
        out: list[dict[str, Any]] = []
        try:
            while True:
                out.extend(json.loads(m.data) for m in await sub.fetch(20, timeout=0.5))
        except nats.errors.TimeoutError:
            pass
        return out


async def test_the_profile_is_checked_kept_and_announced(
    client: httpx.AsyncClient, admin_a: dict[str, str], infra: Infra, nats_prefix: str
) -> None:
    empty = (await client.get("/api/v1/profile", headers=admin_a)).json()
    assert empty["version"] == 0
    assert "inn" in empty["missing"]
    # Typos in the numbers and impossible dates: each named, nothing saved.
    r = await client.put(
        "/api/v1/profile",
        headers=admin_a,
        json={**CARD, "version": 0, "inn": "7707083894", "ogrn": "1027700132196"},
    )
    assert {e["field"] for e in assert_problem(r, 422)["errors"]} == {"inn", "ogrn"}
    r = await client.put(
        "/api/v1/profile",
        headers=admin_a,
        json={**CARD, "version": 0, "accreditation_valid_until": "2019-01-01"},
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "accreditation_valid_until"
    assert (await client.get("/api/v1/profile", headers=admin_a)).json()["version"] == 0

    r = await client.put("/api/v1/profile", headers=admin_a, json={**CARD, "version": 0})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (saved["version"], saved["missing"], saved["inn"]) == (1, [], "7707083893")
    # A second editor with the form opened at version 0 is told, and loses nothing saved.
    stale = await client.put(
        "/api/v1/profile", headers=admin_a, json={**CARD, "version": 0, "phone": "+7 900 1"}
    )
    assert assert_problem(stale, 409)["errors"][0]["field"] == "version"
    r = await client.put(
        "/api/v1/profile",
        headers=admin_a,
        json={**CARD, "version": 1, "kpp": "", "phone": "+7 (800) 111-11-11"},
    )
    assert r.json()["missing"] == ["kpp"]
    history = (await client.get("/api/v1/profile/history", headers=admin_a)).json()["items"]
    latest = {h["field"]: h for h in history if h["version"] == 2}
    assert set(latest) == {"kpp", "phone"}
    assert (latest["kpp"]["old_value"], latest["kpp"]["new_value"]) == ("773601001", None)
    assert all(h["changed_by"] and h["changed_at"] for h in history)
    assert len([h for h in history if h["version"] == 1]) == len(CARD)

    events = await eventually(
        lambda: _events(infra, nats_prefix),
        until=lambda e: len(e) == 2,
        message="two profile events",
    )
    last = events[-1]["data"]
    assert (last["complete"], last["missing_fields"], last["accreditation_valid_until"]) == (
        False,
        ["kpp"],
        "2027-01-15",
    )
    assert "Директорова" not in json.dumps(events)  # no people in what the region reads


async def test_only_the_administrator_changes_it_and_each_organisation_its_own(
    client: httpx.AsyncClient,
    admin_a: dict[str, str],
    admin_b: dict[str, str],
    issuer: TestIssuer,
    tenant_a: uuid.UUID,
) -> None:
    r = await client.put("/api/v1/profile", headers=admin_a, json={**CARD, "version": 0})
    assert r.status_code == 200, r.text
    reader = issuer.headers(tenant_id=tenant_a, permissions=["contingent.profile.read"])
    assert (await client.get("/api/v1/profile", headers=reader)).json()["inn"] == "7707083893"
    assert_problem(
        await client.put("/api/v1/profile", headers=reader, json={**CARD, "version": 1}), 403
    )
    curator = issuer.headers(tenant_id=tenant_a, permissions=["contingent.students.read"])
    assert_problem(await client.get("/api/v1/profile", headers=curator), 403)
    other = (await client.get("/api/v1/profile", headers=admin_b)).json()
    assert (other["version"], other["inn"]) == (0, None)
    assert (await client.get("/api/v1/profile/history", headers=admin_b)).json()["total"] == 0
