"""The /api/v1 instance list filtered by status (and process), newest first: indexes on
(process_key, status, started_at, id) and (status, started_at, id).

With only one-column indexes on process_key and status, PostgreSQL without fresh statistics
(a bulk load, autovacuum off) ANDed the two bitmaps and sorted all matching rows: 85 ms over
100,000 finished instances; SQLite sorted every completed row for a status-only filter
(470 ms). These indexes hold the filter and the whole sort key, so both databases read the
page's rows in order and stop at the limit, whatever the statistics say. The one-column
status index is a prefix of the second and goes.

Revision ID: 0077
Revises: 0076
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0077"
down_revision: str | Sequence[str] | None = "0076"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_process_instances_key_status_started", "process_instances",
                    ["process_key", "status", "started_at", "id"])
    op.create_index("ix_process_instances_status_started", "process_instances",
                    ["status", "started_at", "id"])
    op.drop_index("ix_process_instances_status", "process_instances")


def downgrade() -> None:
    op.create_index("ix_process_instances_status", "process_instances", ["status"])
    op.drop_index("ix_process_instances_status_started", "process_instances")
    op.drop_index("ix_process_instances_key_status_started", "process_instances")
