"""transfers between organisations: the region's organisations (from identity's
registry events) and transfer requests, readable by the receiving organisation and (their
status) by the sending one

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from edureg_shared.migrations import roles, tenant_table

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE = "contingent"
CURRENT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def upgrade() -> None:
    r = roles(SERVICE)
    # A reference table: the region's registry as every organisation may see it (names
    # and kinds, no people). Not tenant-owned.
    op.create_table(
        "organisations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False, server_default=""),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON organisations TO {r.app}")
    # Row security on, as on every table, with a policy saying what is true of this one:
    # every organisation reads the whole registry (it is fed by identity's events).
    op.execute("ALTER TABLE organisations ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE organisations FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY region_registry ON organisations USING (true) WITH CHECK (true)")
    op.add_column("orders", sa.Column("transfer_to_organisation_id", sa.UUID(), nullable=True))
    op.add_column(
        "orders", sa.Column("file_consent", sa.Boolean(), nullable=False, server_default="false")
    )
    op.create_table(
        "transfer_requests",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("source_tenant_id", sa.UUID(), nullable=False),
        sa.Column("source_student_id", sa.UUID(), nullable=False),
        sa.Column("source_order_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("file", postgresql.JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.UUID(), nullable=True),
        sa.Column("refusal_reason", sa.String(length=500), nullable=True),
        sa.Column("enrolment_order_id", sa.UUID(), nullable=True),
        sa.Column("student_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_transfer_requests"),
        sa.UniqueConstraint(
            "tenant_id",
            "source_tenant_id",
            "source_order_id",
            "source_student_id",
            name="uq_transfer_requests_source",
        ),
    )
    op.create_index(
        "ix_transfer_requests_source_tenant_id", "transfer_requests", ["source_tenant_id"]
    )
    tenant_table("transfer_requests", service=SERVICE)
    # The sending organisation reads its own requests (the portal shows it their status).
    op.execute(
        f"CREATE POLICY source_reads ON transfer_requests FOR SELECT TO {r.app} "
        f"USING (source_tenant_id = {CURRENT})"
    )
    op.execute(
        f"CREATE POLICY owner_files ON transfer_requests FOR INSERT TO {r.owner} WITH CHECK (true)"
    )
    # Filed by the sending organisation into the receiving one's requests: the only
    # write that crosses organisations, so it is a function that checks who files it.
    op.execute(
        """
        CREATE FUNCTION public.file_transfer_request(
            p_target uuid, p_id uuid, p_student uuid, p_order uuid, p_consent boolean,
            p_file jsonb)
        RETURNS void
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            v_source uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
        BEGIN
            IF v_source IS NULL OR p_target = v_source THEN
                RAISE EXCEPTION 'transfer within one organisation' USING ERRCODE = '22023';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM public.organisations WHERE id = p_target) THEN
                RAISE EXCEPTION 'unknown organisation' USING ERRCODE = '22023';
            END IF;
            IF NOT EXISTS (
                SELECT 1 FROM public.students s
                WHERE s.tenant_id = v_source AND s.id = p_student
            ) THEN
                RAISE EXCEPTION 'unknown student' USING ERRCODE = '22023';
            END IF;
            INSERT INTO public.transfer_requests (tenant_id, id, source_tenant_id,
                source_student_id, source_order_id, status, consent, file)
            VALUES (p_target, p_id, v_source, p_student, p_order, 'pending', p_consent,
                    p_file)
            ON CONFLICT DO NOTHING;
        END
        $$
        """
    )
    signature = "public.file_transfer_request(uuid, uuid, uuid, uuid, boolean, jsonb)"
    op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {r.app}")


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS public.file_transfer_request(uuid, uuid, uuid, uuid, boolean, "
        "jsonb)"
    )
    op.drop_table("transfer_requests")
    op.drop_column("orders", "file_consent")
    op.drop_column("orders", "transfer_to_organisation_id")
    op.drop_table("organisations")
