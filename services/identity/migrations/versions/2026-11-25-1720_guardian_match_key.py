"""guardians matched across the region by a keyed hash of their СНИЛС

`users.match_key` is what contingent sends for a guardian (an HMAC under the region's
key: identity never holds the number). `guardian_by_match_key` finds the person's home
guardian account in another organisation, so a parent of children in two organisations
keeps one sign-in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import roles

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE = "identity"


def upgrade() -> None:
    r = roles(SERVICE)
    op.add_column("users", sa.Column("match_key", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_users_match_key",
        "users",
        ["match_key"],
        postgresql_where=sa.text("match_key IS NOT NULL AND home_user_id IS NULL"),
    )
    op.execute(
        """
        CREATE FUNCTION public.guardian_by_match_key(p_key text, p_except uuid)
        RETURNS TABLE (tenant_id uuid, user_id uuid, login text, activated boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id, u.login::text,
                   u.password_hash IS NOT NULL AND NOT u.must_change_password
            FROM public.users u
            WHERE u.match_key = p_key AND u.home_user_id IS NULL AND u.kind = 'guardian'
              AND u.tenant_id <> p_except
            ORDER BY u.created_at, u.id
            LIMIT 1
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION public.guardian_by_match_key(text, uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.guardian_by_match_key(text, uuid) TO {r.app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.guardian_by_match_key(text, uuid)")
    op.drop_index("ix_users_match_key", table_name="users")
    op.drop_column("users", "match_key")
