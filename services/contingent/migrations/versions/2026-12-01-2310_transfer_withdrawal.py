"""transfer requests: the sender withdraws a pending one when it cancels the expulsion

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def upgrade() -> None:
    r = roles("contingent")
    op.execute(
        f"CREATE POLICY owner_withdraws_select ON transfer_requests FOR SELECT TO {r.owner} "
        f"USING (source_tenant_id = {CURRENT})"
    )
    op.execute(
        f"CREATE POLICY owner_withdraws ON transfer_requests FOR UPDATE TO {r.owner} "
        f"USING (source_tenant_id = {CURRENT}) WITH CHECK (true)"
    )
    # The sender's second and last write into another organisation's rows: its own
    # pending requests of one order become withdrawn, and the file they carried is
    # reduced to who the student is. Returns how many of that order's requests the
    # receiver had already accepted (then nothing is withdrawn: the caller refuses).
    op.execute(
        """
        CREATE FUNCTION public.withdraw_transfer_requests(p_order uuid)
        RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            v_source uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
            v_accepted integer;
        BEGIN
            SELECT count(*) INTO v_accepted FROM public.transfer_requests
            WHERE source_tenant_id = v_source AND source_order_id = p_order
              AND status = 'accepted';
            IF v_accepted > 0 THEN
                RETURN v_accepted;
            END IF;
            UPDATE public.transfer_requests
            SET status = 'withdrawn', decided_at = now(),
                file = jsonb_build_object('student', file -> 'student',
                                          'guardians', '[]'::jsonb, 'history', '[]'::jsonb)
            WHERE source_tenant_id = v_source AND source_order_id = p_order
              AND status = 'pending';
            RETURN 0;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION public.withdraw_transfer_requests(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION public.withdraw_transfer_requests(uuid) TO {r.app}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS public.withdraw_transfer_requests(uuid)")
    op.execute("DROP POLICY IF EXISTS owner_withdraws ON transfer_requests")
    op.execute("DROP POLICY IF EXISTS owner_withdraws_select ON transfer_requests")
