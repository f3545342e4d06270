"""Activity as events for reporting (002 5.1, 004 6.1): every password sign-in and every
password a user sets of their own, with no login, name or address in them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from edureg_devstack.testing.infra import Infra

from ..conftest import PASSWORD, login
from .test_slips import passwords_in


async def _events(infra: Infra, prefix: str, count: int) -> list[dict[str, Any]]:
    async with infra.nats_admin() as nc:
        sub = await nc.jetstream().pull_subscribe(
            f"{prefix}identity.user.>", stream=f"{prefix.strip('.').upper()}_IDENTITY"
        )
        msgs = await sub.fetch(count, timeout=10)
    return [{"subject": m.subject.removeprefix(prefix), **json.loads(m.data)} for m in msgs]


async def test_sign_ins_and_activations_are_published_without_personal_data(
    client: httpx.AsyncClient, school: dict[str, Any], infra: Infra, nats_prefix: str
) -> None:
    curator = await login(client, "curator.a")
    parent = school["own_parent"]
    slips = await client.post(
        f"/api/v1/groups/{school['own_group']}/credential-slips", headers=curator
    )
    one_time = passwords_in(slips.content)[parent["login"]]
    # A wrong password publishes nothing.
    wrong = await client.post(
        "/api/v1/auth/token", json={"login": parent["login"], "password": "Wrong-pass-1"}
    )
    assert wrong.status_code == 401
    first = await client.post(
        "/api/v1/auth/token", json={"login": parent["login"], "password": one_time}
    )
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": one_time, "new_password": PASSWORD},
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert changed.status_code == 200, changed.text
    await login(client, parent["login"])
    events = await _events(infra, nats_prefix, 10)
    # The curator's own sign-in, then the parent's: one-time, activation, own password.
    mine = [e for e in events if e["subject_id"] == parent["id"]]
    assert [(e["subject"], e["data"]) for e in mine] == [
        (
            "identity.user.signed_in.v1",
            {"user_id": parent["id"], "kind": "guardian", "one_time_password": True},
        ),
        (
            "identity.user.password_set.v1",
            {"user_id": parent["id"], "kind": "guardian", "replaced_one_time": True},
        ),
        (
            "identity.user.signed_in.v1",
            {"user_id": parent["id"], "kind": "guardian", "one_time_password": False},
        ),
    ]
    assert all(e["tenant_id"] == school["tenant"] for e in mine)
    curators = [e for e in events if e["subject_id"] == school["staff"]["curator.a"]["id"]]
    assert curators
    assert curators[0]["data"]["kind"] == "staff"
    raw = json.dumps(events, ensure_ascii=False)
    for personal in (parent["login"], parent["full_name"].split()[0], "127.0.0.1", "testclient"):
        assert personal not in raw
