"""transfer requests: the filing function checks the order it is filed for

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The same function, now refusing anything but the sender's own expulsion order
    # naming this destination and this student: no other code path of the sender can
    # put a request (and a file) into another organisation's rows.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION public.file_transfer_request(
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
                SELECT 1 FROM public.orders o
                JOIN public.order_items i ON i.tenant_id = o.tenant_id AND i.order_id = o.id
                WHERE o.tenant_id = v_source AND o.id = p_order AND o.kind = 'expulsion'
                  AND o.reason_code = 'transfer' AND o.transfer_to_organisation_id = p_target
                  AND o.file_consent = p_consent AND i.student_id = p_student
            ) THEN
                RAISE EXCEPTION 'no such transfer expulsion' USING ERRCODE = '22023';
            END IF;
            IF NOT p_consent AND (
                jsonb_array_length(coalesce(p_file -> 'guardians', '[]'::jsonb)) > 0
                OR jsonb_array_length(coalesce(p_file -> 'history', '[]'::jsonb)) > 0
            ) THEN
                RAISE EXCEPTION 'a file without consent carries only the student'
                    USING ERRCODE = '22023';
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


def downgrade() -> None:
    pass  # the previous body is the one of revision 0005; nothing is dropped
