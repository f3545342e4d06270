"""positions: the regulations' defaults (built in, read-only) and an organisation's own;
the organisation reads its own sign-in log (activity)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edureg_shared.migrations import TENANT_PREDICATE, roles

SERVICE = "identity"

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUILT_IN = ("admin", "secretary", "teacher", "curator", "regional_admin")


def upgrade() -> None:
    op.add_column(
        "positions", sa.Column("builtin", sa.Boolean(), server_default="false", nullable=False)
    )
    # Who may hold it: staff positions are assigned; student and guardian describe what
    # those accounts reach by relationship and are never assigned.
    op.add_column(
        "positions",
        sa.Column("account_kind", sa.String(length=10), server_default="staff", nullable=False),
    )
    op.add_column(
        "positions",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.add_column("positions", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE positions SET builtin = true WHERE code IN ("
        + ", ".join(f"'{c}'" for c in BUILT_IN)
        + ")"
    )
    op.create_check_constraint(
        "account_kind", "positions", "account_kind IN ('staff', 'student', 'guardian')"
    )
    op.create_index(
        "uq_positions_title", "positions", ["tenant_id", sa.text("lower(title)")], unique=True
    )
    op.create_index("ix_user_positions_position", "user_positions", ["tenant_id", "position_id"])
    r = roles(SERVICE)
    # The organisation's administrator reads its own sign-ins (who, when, from where);
    # writes stay with the definer functions.
    op.execute(
        f"CREATE POLICY tenant_read ON login_attempts FOR SELECT TO {r.app} "
        f"USING ({TENANT_PREDICATE})"
    )
    op.execute(f"GRANT SELECT ON login_attempts TO {r.app}")
    # The region's view of how organisations use the system: counts per organisation and
    # kind of account, computed inside the database, so no name, login or address of
    # anyone ever leaves it for a regional user.
    op.execute(
        """
        CREATE FUNCTION public.region_account_statistics(p_tenants uuid[], p_since timestamptz)
        RETURNS TABLE (tenant_id uuid, kind text, accounts bigint, active bigint,
                       activated bigint, signed_in bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.kind::text, count(*),
                   count(*) FILTER (WHERE u.active),
                   count(*) FILTER (WHERE u.active AND u.password_hash IS NOT NULL
                                    AND NOT u.must_change_password),
                   count(*) FILTER (WHERE u.active AND EXISTS (
                       SELECT 1 FROM public.login_attempts a
                       WHERE a.user_id = u.id AND a.outcome = 'ok' AND a.at >= p_since))
            FROM public.users u
            WHERE u.tenant_id = ANY(p_tenants)
            GROUP BY u.tenant_id, u.kind
        $$
        """
    )
    op.execute(
        "REVOKE ALL ON FUNCTION public.region_account_statistics(uuid[], timestamptz) FROM PUBLIC"
    )
    op.execute(
        f"GRANT EXECUTE ON FUNCTION public.region_account_statistics(uuid[], timestamptz) TO {r.app}"
    )


def downgrade() -> None:
    r = roles(SERVICE)
    op.execute("DROP FUNCTION IF EXISTS public.region_account_statistics(uuid[], timestamptz)")
    op.execute(f"REVOKE SELECT ON login_attempts FROM {r.app}")
    op.execute("DROP POLICY tenant_read ON login_attempts")
    op.drop_index("ix_user_positions_position", table_name="user_positions")
    op.drop_index("uq_positions_title", table_name="positions")
    op.drop_constraint("ck_positions_account_kind", "positions")
    for column in ("updated_at", "created_at", "account_kind", "builtin"):
        op.drop_column("positions", column)
