"""one sign-in for a person's accounts in several organisations

A person working in two schools (or, later, a guardian with children in two) has an
account in each, and signs in once with the login and password of their *home* account;
the other accounts point at it (`home_tenant_id`, `home_user_id`), carry a copy of its
login for display and have no password of their own. `auth_lookup` finds only home
accounts; `sign_in_accounts` lists a home account's accounts across organisations (ids,
kind, state, organisation name — what the organisation choice at sign-in needs).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from edureg_shared.migrations import roles

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE = "identity"


def upgrade() -> None:
    r = roles(SERVICE)
    op.add_column("users", sa.Column("home_tenant_id", UUID(as_uuid=True), nullable=True))
    op.add_column("users", sa.Column("home_user_id", UUID(as_uuid=True), nullable=True))
    op.create_check_constraint("home", "users", "(home_tenant_id IS NULL) = (home_user_id IS NULL)")
    op.drop_index("uq_users_login", table_name="users")
    op.create_index(
        "uq_users_login",
        "users",
        [sa.text("lower(login)")],
        unique=True,
        postgresql_where=sa.text("home_user_id IS NULL"),
    )
    # One account of each kind per organisation for a person.
    op.create_index(
        "uq_users_home",
        "users",
        ["home_tenant_id", "home_user_id", "tenant_id", "kind"],
        unique=True,
        postgresql_where=sa.text("home_user_id IS NOT NULL"),
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION public.auth_lookup(p_login text)
        RETURNS TABLE (tenant_id uuid, user_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id FROM public.users u
            WHERE lower(u.login) = lower(p_login) AND u.home_user_id IS NULL LIMIT 1
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION public.sign_in_accounts(p_tenant uuid, p_user uuid)
        RETURNS TABLE (tenant_id uuid, user_id uuid, kind text, active boolean,
                       organisation text, organisation_kind text, organisation_status text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id, u.kind::text, u.active,
                   coalesce(nullif(o.short_name, ''), o.name)::text, o.kind::text,
                   o.status::text
            FROM public.users u JOIN public.organisations o ON o.id = u.tenant_id
            WHERE (u.tenant_id = p_tenant AND u.id = p_user)
               OR (u.home_tenant_id = p_tenant AND u.home_user_id = p_user)
            ORDER BY 5, 1, 3
        $$
        """
    )
    # An account signing in through its home account is activated when that one is.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION public.region_account_statistics(
            p_tenants uuid[], p_since timestamptz)
        RETURNS TABLE (tenant_id uuid, kind text, accounts bigint, active bigint,
                       activated bigint, signed_in bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.kind::text, count(*),
                   count(*) FILTER (WHERE u.active),
                   count(*) FILTER (WHERE u.active AND (
                       (u.password_hash IS NOT NULL AND NOT u.must_change_password)
                       OR EXISTS (SELECT 1 FROM public.users h
                                  WHERE h.tenant_id = u.home_tenant_id
                                    AND h.id = u.home_user_id
                                    AND h.password_hash IS NOT NULL
                                    AND NOT h.must_change_password))),
                   count(*) FILTER (WHERE u.active AND EXISTS (
                       SELECT 1 FROM public.login_attempts a
                       WHERE a.user_id = u.id AND a.outcome = 'ok' AND a.at >= p_since))
            FROM public.users u
            WHERE u.tenant_id = ANY(p_tenants)
            GROUP BY u.tenant_id, u.kind
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION public.sign_in_accounts(uuid, uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.sign_in_accounts(uuid, uuid) TO {r.app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.sign_in_accounts(uuid, uuid)")
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
    op.drop_index("uq_users_home", table_name="users")
    op.drop_index("uq_users_login", table_name="users")
    op.create_index("uq_users_login", "users", [sa.text("lower(login)")], unique=True)
    op.drop_constraint("ck_users_home", "users")
    op.drop_column("users", "home_user_id")
    op.drop_column("users", "home_tenant_id")
