"""Every service's schema is ready to distribute by tenant_id (Citus, docs/citus.md),
checked on the migrated databases themselves:

- every tenant-owned table (one with a tenant_id column) has forced row-level security,
  a primary key led by tenant_id, other unique keys holding it, and foreign keys to
  other tenant-owned tables led by tenant_id on both sides (colocated);
- the app roles cannot step over row-level security, so the only reads across tenants
  are SECURITY DEFINER functions: their complete list is below, each with how it runs
  once the tables are sharded; outside reporting none joins two tenants' rows except
  where named here (a person's home account in another organisation).

A new table, key or function that breaks this fails here until it is fixed or
documented in docs/citus.md and in the lists below."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import pytest

from edureg_admin import catalogue
from edureg_devstack.testing.infra import Infra
from edureg_shared.events.outbox import asyncpg_dsn

# Keys that do not lead with tenant_id, on purpose (docs/citus.md says what each becomes).
NOT_TENANT_LED = {
    # The service's own queue, read in publication order across tenants by the relay:
    # a local table on the coordinator, never distributed.
    ("*", "outbox", "outbox_pkey"),
    ("*", "outbox", "outbox_seq_key"),
    # Every sign-in attempt of the region, also for logins that match no account (no
    # tenant): a time-partitioned log on the coordinator.
    ("identity", "login_attempts", "pk_login_attempts"),
    # Logins are unique in the region: sharded, this becomes a lookup table distributed
    # by login, written in the same transaction as the account.
    ("identity", "users", "uq_users_login"),
}

# Every SECURITY DEFINER function, by service: how it runs on sharded tables.
CROSS_TENANT = {
    "identity": {
        "auth_lookup": "by login: the region-wide login lookup table",
        "sign_in_accounts": "a person's accounts in all organisations: multi-shard",
        "guardian_by_match_key": "by a guardian's keyed СНИЛС hash: multi-shard",
        "record_login_attempt": "the sign-in log on the coordinator",
        "login_failures_from": "the sign-in log on the coordinator",
        "login_failures_of": "the sign-in log on the coordinator",
        "region_account_statistics": "regional aggregate: multi-shard, counts only",
    },
    "contingent": {
        "file_transfer_request": "writes one row into the receiving tenant's shard",
        "withdraw_transfer_requests": "updates the receiving tenants' rows: multi-shard",
    },
    "schedule": {
        "schedule_periods_ended": "a timer over every tenant's periods: multi-shard",
    },
    "reporting": {
        "claim_report_job": "the job queue: multi-shard, one row locked",
        "due_report_schedules": "the schedule timer: multi-shard",
        "region_lesson_entry_counts": "regional aggregate: multi-shard",
        "region_rule_values": "regional aggregate: multi-shard",
        "region_yearly_items": "regional aggregate: multi-shard",
        "region_occupancy_counts": "regional aggregate: multi-shard",
        "region_movement_counts": "regional aggregate: multi-shard",
        "region_sign_in_counts": "regional aggregate: multi-shard",
        "region_quality_counts": "regional aggregate: multi-shard",
        "region_deadline_items": "regional aggregate: multi-shard",
        "region_completeness_counts": "regional aggregate: multi-shard",
    },
}

# Correlations between two tenant-owned rows that are not tenant_id = tenant_id, on
# purpose: (service, function, predicate).
CROSS_TENANT_JOINS = {
    # An account that signs in through the person's home account in another organisation.
    ("identity", "region_account_statistics", "h.tenant_id = u.home_tenant_id"),
    ("identity", "region_account_statistics", "h.id = u.home_user_id"),
}

_TENANT_TABLES = """
SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity AS forced
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
"""
_COLUMNS = """ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k(n, o)
         JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.o)::text[]"""
_UNIQUE = f"""
SELECT c.relname AS table, ic.relname AS name, i.indisprimary AS primary,
       {_COLUMNS.format(keys="i.indkey", rel="c.oid")} AS columns
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique
"""
_FOREIGN = f"""
SELECT c.relname AS table, con.conname AS name, rc.relname AS referenced,
       {_COLUMNS.format(keys="con.conkey", rel="c.oid")} AS columns,
       {_COLUMNS.format(keys="con.confkey", rel="con.confrelid")} AS referenced_columns
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_class rc ON rc.oid = con.confrelid
WHERE c.relnamespace = 'public'::regnamespace AND con.contype = 'f'
"""
_DEFINERS = """
SELECT p.proname AS name, p.prosrc AS body FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
"""


async def _schema(infra: Infra, service: str) -> dict[str, Any]:
    info = next(s for s in catalogue.services() if s.name == service)
    database = await asyncio.to_thread(infra.template, service, info.service_dir)
    conn = await asyncpg.connect(asyncpg_dsn(infra.pg.dsn(database)))
    try:
        return {
            "tenant": {r["relname"]: r["forced"] for r in await conn.fetch(_TENANT_TABLES)},
            "unique": [dict(r) for r in await conn.fetch(_UNIQUE)],
            "foreign": [dict(r) for r in await conn.fetch(_FOREIGN)],
            "definers": {r["name"]: r["body"] for r in await conn.fetch(_DEFINERS)},
        }
    finally:
        await conn.close()


SERVICES = [s.name for s in catalogue.with_database()]


@pytest.mark.parametrize("service", SERVICES)
async def test_tenant_owned_keys_lead_with_tenant_id(infra: Infra, service: str) -> None:
    schema = await _schema(infra, service)
    tenant = schema["tenant"]
    assert tenant, "no tenant-owned tables found"
    assert [t for t, forced in tenant.items() if not forced] == []
    wrong = set()
    for key in schema["unique"]:
        if key["table"] not in tenant:
            continue
        # The primary key leads with tenant_id; another unique key must hold it (a
        # sharded table can only enforce uniqueness within one shard).
        if key["primary"] and key["columns"][:1] != ["tenant_id"]:
            wrong.add((service, key["table"], key["name"]))
        if not key["primary"] and "tenant_id" not in key["columns"]:
            wrong.add((service, key["table"], key["name"]))
    for fk in schema["foreign"]:
        if fk["table"] in tenant and fk["referenced"] in tenant:
            assert fk["columns"][:1] == ["tenant_id"], fk
            assert fk["referenced_columns"][:1] == ["tenant_id"], fk
    allowed = {(s, t, n) for s, t, n in NOT_TENANT_LED if s in ("*", service)}
    assert wrong == {(service, t, n) for s, t, n in allowed if t in tenant}, (
        "keys not led by tenant_id (fix them or document them in docs/citus.md)"
    )


_ALIAS = re.compile(
    r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(?:public\.)?(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.I
)
_EQUALITY = re.compile(r"\b(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)")
_KEYWORDS = {"where", "on", "set", "join", "left", "group", "order", "values", "select"}


def _cross_tenant_joins(body: str, tenant: set[str]) -> set[str]:
    """Predicates `a.x = b.y` between two tenant-owned tables' aliases whose pair of
    aliases is never tied by `a.tenant_id = b.tenant_id` in the same body."""
    aliases: dict[str, str] = {}
    for table, alias in _ALIAS.findall(body):
        if table in tenant:
            aliases[table] = table
            if alias and alias.lower() not in _KEYWORDS:
                aliases[alias] = table
    tied = set()
    linked: dict[frozenset[str], list[str]] = {}
    for a, x, b, y in _EQUALITY.findall(body):
        if a == b or a not in aliases or b not in aliases:
            continue
        pair = frozenset((a, b))
        if x == y == "tenant_id":
            tied.add(pair)
        else:
            linked.setdefault(pair, []).append(f"{a}.{x} = {b}.{y}")
    found = set()
    for pair, predicates in linked.items():
        if pair not in tied:
            found.update(predicates)
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_reads_across_tenants_are_the_documented_functions(
    infra: Infra, service: str
) -> None:
    schema = await _schema(infra, service)
    assert set(schema["definers"]) == set(CROSS_TENANT.get(service, {})), (
        "a SECURITY DEFINER function reads across tenants: list it here and in docs/citus.md"
    )
    if service == "reporting":
        return  # regional aggregates: multi-shard by design
    tenant = set(schema["tenant"])
    for name, body in schema["definers"].items():
        joins = _cross_tenant_joins(body, tenant)
        allowed = {p for s, f, p in CROSS_TENANT_JOINS if (s, f) == (service, name)}
        assert joins == allowed, f"{name} correlates two organisations' rows: {joins}"


def test_the_join_check_sees_a_join_across_tenants() -> None:
    body = """SELECT count(*) FROM public.users u
              WHERE EXISTS (SELECT 1 FROM public.login_attempts a WHERE a.user_id = u.id)"""
    tenant = {"users", "login_attempts"}
    assert _cross_tenant_joins(body, tenant) == {"a.user_id = u.id"}
    tied = body.replace("a.user_id = u.id", "a.user_id = u.id AND a.tenant_id = u.tenant_id")
    assert _cross_tenant_joins(tied, tenant) == set()
