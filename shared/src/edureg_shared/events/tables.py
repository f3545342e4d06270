"""Infrastructure tables every service has: outbox, inbox and audit log.

Defined once here; a service's first migration creates them with
`edureg_shared.events.tables.create_infrastructure(service=...)`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID


def outbox(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        # Publication order; not the key, so an insert never has to read it back.
        Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", JSONB, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # The app role may only INSERT here: never ask for the generated key back.
        implicit_returning=False,
    )


def inbox(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(200), nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # Led by the tenant, as every tenant-owned key (docs/citus.md): distributed by
        # tenant_id, an event's inbox row lives on its tenant's shard.
        PrimaryKeyConstraint("tenant_id", "consumer", "event_id", name="inbox_pkey"),
    )


def audit_log(metadata: MetaData) -> Table:
    """Who did what to which object, when. Append-only for the app role."""
    return Table(
        "audit_log",
        metadata,
        Column("id", UUID(as_uuid=True), nullable=False, default=uuid.uuid4),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor_kind", String(20), nullable=False),
        Column("actor_id", UUID(as_uuid=True), nullable=True),
        Column("action", String(100), nullable=False),
        Column("entity", String(100), nullable=False),
        Column("entity_id", UUID(as_uuid=True), nullable=True),
        Column("details", JSONB, nullable=False, server_default="{}"),
        Index("ix_audit_log_tenant_entity", "tenant_id", "entity", "entity_id"),
        PrimaryKeyConstraint("tenant_id", "id", name="audit_log_pkey"),
        implicit_returning=False,
    )


def create_infrastructure(*, service: str) -> None:
    """Create outbox, inbox and audit_log with RLS inside a migration."""
    from alembic import op

    from edureg_shared.migrations import grant_sequences, outbox_table, roles, tenant_table

    md = MetaData()
    tables = [outbox(md), inbox(md), audit_log(md)]
    md.create_all(bind=op.get_bind(), tables=tables)
    outbox_table(service=service)
    tenant_table("inbox", service=service, privileges="SELECT, INSERT")
    tenant_table("audit_log", service=service, privileges="SELECT, INSERT")
    grant_sequences(service=service)
    r = roles(service)
    # Wake the relay on commit instead of making it poll hard.
    op.execute(
        """
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION outbox_notify() TO {r.app}")


def lead_keys_with_tenant() -> None:
    """Inside a migration: inbox and audit_log keyed (tenant_id, …), as every other
    tenant-owned table is, so that both distribute by tenant (docs/citus.md). The outbox
    stays keyed by event id: a queue of the service's own, read in order across tenants
    by the relay, kept local on the coordinator."""
    from alembic import op

    op.execute(
        "ALTER TABLE inbox DROP CONSTRAINT inbox_pkey, "
        "ADD CONSTRAINT inbox_pkey PRIMARY KEY (tenant_id, consumer, event_id)"
    )
    op.execute(
        "ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, "
        "ADD CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, id)"
    )


def lead_keys_with_tenant_undone() -> None:
    from alembic import op

    op.execute(
        "ALTER TABLE inbox DROP CONSTRAINT inbox_pkey, "
        "ADD CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id)"
    )
    op.execute(
        "ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, "
        "ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id)"
    )


def drop_infrastructure() -> None:
    from alembic import op

    op.execute("DROP TABLE IF EXISTS audit_log, inbox, outbox CASCADE")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify() CASCADE")
