"""`edureg-migrate replay <service>`: rebuild a service's read models from the streams.

For a service whose tables are projections of other services' events (reporting): with
the service stopped, every one of its projected tables is emptied (its inbox too, so
every event counts again; never the audit log, the outbox, or what people typed in —
the tables its `persistence.tables.ENTERED` names) and its durable consumers are deleted; on its next start the service
creates them afresh, from the first message each stream still holds, and its ordinary
consumer loop applies the whole history. The figures then are those the events give,
whatever the old tables held (docs/reports.md). Needs the service's owner role (the
tables) and the broker's admin user (the consumers).
"""

from __future__ import annotations

import importlib

from nats.aio.client import Client as NatsClient
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from edureg_shared.events.envelope import stream_name
from edureg_shared.events.manifest import ServiceManifest

# Kept whatever the service: the schema's version, the audit trail (152-FZ: who read and
# changed what), and the outbox (events not yet published).
KEEP = ("alembic_version", "audit_log", "outbox")


def entered_tables(service: str) -> tuple[str, ...]:
    """The tables of a service whose rows people typed in (no event rebuilds them):
    `ENTERED` of its `persistence.tables`, if it declares one."""
    try:
        module = importlib.import_module(f"edureg_{service}.persistence.tables")
    except ImportError:
        return ()
    return tuple(getattr(module, "ENTERED", ()))


async def empty_tables(owner_dsn: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Empty every table of the service's database but `KEEP` and `keep` (the service's
    entered tables); returns the names of those emptied."""
    engine = create_async_engine(owner_dsn)
    try:
        async with engine.begin() as conn:
            names = [
                row[0]
                for row in await conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                if row[0] not in (*KEEP, *keep)
            ]
            if names:
                await conn.execute(text(f"TRUNCATE {', '.join(sorted(names))}"))
            return sorted(names)
    finally:
        await engine.dispose()


async def reset_consumers(nc: NatsClient, manifest: ServiceManifest, prefix: str = "") -> int:
    """Delete the service's durable consumers (they come back, from the start, when the
    service starts); returns how many there were."""
    js = nc.jetstream()
    deleted = 0
    for event in manifest.consumes:
        try:
            await js.delete_consumer(
                stream_name(event.producer, prefix), manifest.consumer_name(event)
            )
        except NotFoundError:
            continue
        deleted += 1
    return deleted
