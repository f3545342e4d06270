"""a sign-in into another organisation with the home account's password ends its back-off

`ok_elsewhere` is recorded for the home account when the person signs in to one of their
other organisations: like `ok`, it ends the count of wrong passwords before it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _failures_of(success: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION public.login_failures_of(
            p_user uuid, p_address inet, p_since timestamptz)
        RETURNS TABLE (failures bigint, last_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT count(*), max(a.at) FROM public.login_attempts a
            WHERE a.user_id = p_user AND a.address IS NOT DISTINCT FROM p_address
              AND a.outcome = 'wrong_password'
              AND a.at > GREATEST(p_since, COALESCE(
                  (SELECT max(o.at) FROM public.login_attempts o
                   WHERE o.user_id = p_user AND o.outcome IN ({success})), p_since))
        $$
    """


def upgrade() -> None:
    op.execute(_failures_of("'ok', 'ok_elsewhere'"))


def downgrade() -> None:
    op.execute(_failures_of("'ok'"))
