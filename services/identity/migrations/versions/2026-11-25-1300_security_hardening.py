"""security hardening: curated groups, students' groups, the login attempts log, and
SECURITY DEFINER functions with a fixed search_path

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "identity"

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    r = roles(SERVICE)
    op.add_column("users", sa.Column("group_id", sa.UUID(), nullable=True))
    op.create_index("ix_users_tenant_id_group_id", "users", ["tenant_id", "group_id"])
    op.create_table(
        "curated_groups",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("curator_user_id", sa.UUID(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "group_id", name=op.f("pk_curated_groups")),
    )
    op.create_index(
        op.f("ix_curated_groups_tenant_id_curator_user_id"),
        "curated_groups",
        ["tenant_id", "curator_user_id"],
    )
    tenant_table("curated_groups", service=SERVICE)

    # Every login attempt, unknown logins included (they have no tenant): time, client
    # address, user agent, outcome. Reached only through the two functions below; the
    # app role holds no privilege on the table itself.
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("address", sa.dialects.postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_index("ix_login_attempts_tenant_id_at", "login_attempts", ["tenant_id", "at"])
    op.create_index("ix_login_attempts_user_id_at", "login_attempts", ["user_id", "at"])
    op.execute("ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE login_attempts FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY owner_functions ON login_attempts TO {r.owner} USING (true) WITH CHECK (true)"
    )
    op.execute(
        """
        CREATE FUNCTION public.record_login_attempt(
            p_login text, p_address inet, p_user_agent text,
            p_tenant uuid, p_user uuid, p_outcome text)
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            INSERT INTO public.login_attempts (login, address, user_agent, tenant_id, user_id, outcome)
            VALUES (left(p_login, 64), p_address, left(p_user_agent, 300), p_tenant, p_user,
                    p_outcome)
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION public.login_failures_from(p_address inet, p_since timestamptz)
        RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT count(*) FROM public.login_attempts
            WHERE address = p_address AND at >= p_since
              AND outcome IN ('wrong_password', 'unknown', 'disabled')
        $$
        """
    )
    # Wrong passwords for one account from one address since its last successful login
    # (or `p_since`): the per-account back-off is per address, so an attacker elsewhere
    # only slows themselves down. Attempts refused while locked or throttled do not
    # count: hammering a lock does not extend it.
    op.execute(
        """
        CREATE FUNCTION public.login_failures_of(p_user uuid, p_address inet, p_since timestamptz)
        RETURNS TABLE (failures bigint, last_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT count(*), max(a.at) FROM public.login_attempts a
            WHERE a.user_id = p_user AND a.address IS NOT DISTINCT FROM p_address
              AND a.outcome = 'wrong_password'
              AND a.at > GREATEST(p_since, COALESCE(
                  (SELECT max(o.at) FROM public.login_attempts o
                   WHERE o.user_id = p_user AND o.outcome = 'ok'), p_since))
        $$
        """
    )
    for fn in (
        "record_login_attempt(text, inet, text, uuid, uuid, text)",
        "login_failures_from(inet, timestamptz)",
        "login_failures_of(uuid, inet, timestamptz)",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION public.{fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{fn} TO {r.app}")

    # The login lookup: schema-qualified, and a search_path no caller can put a table of
    # the same name in front of.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION public.auth_lookup(p_login text)
        RETURNS TABLE (tenant_id uuid, user_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id FROM public.users u
            WHERE lower(u.login) = lower(p_login) LIMIT 1
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.login_failures_of(uuid, inet, timestamptz)")
    op.execute("DROP FUNCTION IF EXISTS public.login_failures_from(inet, timestamptz)")
    op.execute(
        "DROP FUNCTION IF EXISTS public.record_login_attempt(text, inet, text, uuid, uuid, text)"
    )
    op.drop_table("login_attempts")
    op.drop_table("curated_groups")
    op.drop_index("ix_users_tenant_id_group_id", table_name="users")
    op.drop_column("users", "group_id")
