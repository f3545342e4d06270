"""reporting: large reports as background jobs (progress, attempts, a heartbeat, the file
kept), and the one function that takes the next job for a worker of any organisation

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "reporting"

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("""CREATE TABLE report_jobs (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    kind VARCHAR(40) NOT NULL,
    format VARCHAR(10) NOT NULL,
    params JSONB NOT NULL,
    status VARCHAR(20) DEFAULT 'queued' NOT NULL,
    done_steps INTEGER DEFAULT 0 NOT NULL,
    total_steps INTEGER DEFAULT 0 NOT NULL,
    attempts SMALLINT DEFAULT 0 NOT NULL,
    error VARCHAR(500),
    requested_by UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE,
    heartbeat_at TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE,
    filename VARCHAR(200),
    file BYTEA,
    CONSTRAINT pk_report_jobs PRIMARY KEY (tenant_id, id)
)""")
    op.execute(
        "CREATE INDEX ix_report_jobs_tenant_id_requested_by_created_at "
        "ON report_jobs (tenant_id, requested_by, created_at)"
    )
    op.execute("CREATE INDEX ix_report_jobs_waiting ON report_jobs (status, heartbeat_at)")
    tenant_table("report_jobs", service=SERVICE)
    op.execute(
        f"CREATE POLICY owner_jobs ON report_jobs TO {r.owner} USING (true) WITH CHECK (true)"
    )
    # A worker (of any organisation's jobs) takes the oldest waiting job, or one whose
    # worker stopped beating its heart; a job past its last attempt is failed, with the
    # given Russian message, never left "running". Returns ids only.
    op.execute("""
        CREATE FUNCTION public.claim_report_job(
            p_lease_s integer, p_max_attempts integer, p_error text)
        RETURNS TABLE (tenant_id uuid, id uuid)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        #variable_conflict use_column
        BEGIN
          UPDATE public.report_jobs
             SET status = 'failed', error = p_error, finished_at = now()
           WHERE status = 'running'
             AND heartbeat_at < now() - make_interval(secs => p_lease_s)
             AND attempts >= p_max_attempts;
          RETURN QUERY
          UPDATE public.report_jobs j
             SET status = 'running', attempts = j.attempts + 1, started_at = now(),
                 heartbeat_at = now(), done_steps = 0
           WHERE (j.tenant_id, j.id) = (
             SELECT w.tenant_id, w.id FROM public.report_jobs w
              WHERE w.status = 'queued'
                 OR (w.status = 'running'
                     AND w.heartbeat_at < now() - make_interval(secs => p_lease_s))
              ORDER BY w.created_at
              FOR UPDATE SKIP LOCKED
              LIMIT 1)
          RETURNING j.tenant_id, j.id;
        END $$
    """)
    op.execute("REVOKE ALL ON FUNCTION public.claim_report_job(integer, integer, text) FROM PUBLIC")
    op.execute(
        f"GRANT EXECUTE ON FUNCTION public.claim_report_job(integer, integer, text) TO {r.app}"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION public.claim_report_job(integer, integer, text)")
    op.execute("DROP TABLE report_jobs")
