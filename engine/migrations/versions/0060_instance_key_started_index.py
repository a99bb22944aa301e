"""Lists of one process's instances, newest first: an index on (process_key, started_at).

Revision ID: 0060
Revises: the heads at the time (0002, 0003, 0006, 0008, 0009, 0013)
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0060"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0006", "0008", "0009", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_process_instances_key_started", "process_instances",
                    ["process_key", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_process_instances_key_started", "process_instances")
