"""identity: inbox and audit log keyed by tenant first, as every tenant-owned table
(distributable by tenant_id, docs/citus.md); sign-ins matched to accounts within their organisation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.events.tables import lead_keys_with_tenant, lead_keys_with_tenant_undone

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _statistics(sign_in_tenant: str) -> str:
    return f"""
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
                       WHERE a.user_id = u.id {sign_in_tenant}AND a.outcome = 'ok'
                         AND a.at >= p_since))
            FROM public.users u
            WHERE u.tenant_id = ANY(p_tenants)
            GROUP BY u.tenant_id, u.kind
        $$
        """


def upgrade() -> None:
    lead_keys_with_tenant()

    # A sign-in is matched to its account within the account's own organisation: the
    # correlation carries the tenant, so that it stays on one shard (docs/citus.md).
    op.execute(_statistics("AND a.tenant_id = u.tenant_id "))


def downgrade() -> None:
    op.execute(_statistics(""))
    lead_keys_with_tenant_undone()
