"""Fixtures the integration tests share."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from edureg_devstack.testing.infra import Infra
from edureg_devstack.testing.plugin import eventually

from ..conftest import login
from .test_provisioning import accounts, enrolled, group_created, publish


async def staff_by_login(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return {a["login"]: a for a in await accounts(client, admin, kind="staff")}


@pytest.fixture
async def school(
    client: httpx.AsyncClient, tenants: dict[str, str], infra: Infra, nats_prefix: str
) -> dict[str, Any]:
    """Organisation a: the curator's group with a student and a guardian, and another
    group (another curator) with its own student and guardian."""
    admin = await login(client, "admin.a")
    staff = await staff_by_login(client, admin)
    own_group, other_group = uuid.uuid4(), uuid.uuid4()
    await publish(
        infra, nats_prefix, group_created(tenants["a"], own_group, staff["curator.a"]["id"])
    )
    await publish(infra, nats_prefix, group_created(tenants["a"], other_group, None))
    own_student, own_parent = uuid.uuid4(), uuid.uuid4()
    other_student, other_parent = uuid.uuid4(), uuid.uuid4()
    await publish(
        infra,
        nats_prefix,
        enrolled(tenants["a"], own_student, [(own_parent, "Щукина")], group=own_group),
    )
    await publish(
        infra,
        nats_prefix,
        enrolled(tenants["a"], other_student, [(other_parent, "Лисова")], group=other_group),
    )
    await eventually(
        lambda: accounts(client, admin, kind="guardian"),
        until=lambda a: len(a) == 2,
        message="both families provisioned",
    )
    by_person = {a["person_id"]: a for a in await accounts(client, admin)}
    return {
        "tenant": tenants["a"],
        "admin": admin,
        "staff": staff,
        "own_group": own_group,
        "other_group": other_group,
        "own_student": by_person[str(own_student)],
        "own_parent": by_person[str(own_parent)],
        "other_student": by_person[str(other_student)],
        "other_parent": by_person[str(other_parent)],
    }
