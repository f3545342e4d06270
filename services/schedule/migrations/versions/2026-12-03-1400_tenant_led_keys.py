"""schedule: inbox and audit log keyed by tenant first, as every tenant-owned table
(distributable by tenant_id, docs/citus.md)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

from edureg_shared.events.tables import lead_keys_with_tenant, lead_keys_with_tenant_undone

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    lead_keys_with_tenant()


def downgrade() -> None:
    lead_keys_with_tenant_undone()
