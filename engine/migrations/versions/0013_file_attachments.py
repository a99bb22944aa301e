"""File attachments: which completed task attached which file to which instance.

Revision ID: 0013
Revises: 0004 (stored_files)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_attachments",
        sa.Column("file_id", sa.String(36),
                  sa.ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("attached_by", sa.String(120), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_file_attachments_instance_id", "file_attachments", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_file_attachments_instance_id", "file_attachments")
    op.drop_table("file_attachments")
