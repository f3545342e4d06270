"""a guardian is matched across organisations only with the same surname and name too

A keyed СНИЛС alone would let a mistyped number on an enrolment order hand another family's
parent access to a child. The names are compared inside the function: they never cross.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE = "identity"


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("DROP FUNCTION IF EXISTS public.guardian_by_match_key(text, uuid)")
    op.execute(
        """
        CREATE FUNCTION public.guardian_by_match_key(
            p_key text, p_except uuid, p_surname text, p_name text)
        RETURNS TABLE (tenant_id uuid, user_id uuid, login text, activated boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id, u.login::text,
                   u.password_hash IS NOT NULL AND NOT u.must_change_password
            FROM public.users u
            WHERE u.match_key = p_key AND u.home_user_id IS NULL AND u.kind = 'guardian'
              AND u.tenant_id <> p_except
              AND lower(u.surname) = lower(p_surname) AND lower(u.name) = lower(p_name)
            ORDER BY u.created_at, u.id
            LIMIT 1
        $$
        """
    )
    fn = "public.guardian_by_match_key(text, uuid, text, text)"
    op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {r.app}")


def downgrade() -> None:
    r = roles(SERVICE)
    op.execute("DROP FUNCTION IF EXISTS public.guardian_by_match_key(text, uuid, text, text)")
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
