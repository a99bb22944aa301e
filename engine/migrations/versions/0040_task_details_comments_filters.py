"""Task details (owner, delegation, local variables), task comments, saved task filters;
history events indexed by task.

Revision ID: 0040
Revises: the heads at the time (0002, 0003, 0006, 0008, 0009, 0013)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0006", "0008", "0009", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_details",
        sa.Column("task_id", sa.String(36),
                  sa.ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("owner", sa.String(120)),
        sa.Column("description", sa.Text()),
        sa.Column("delegation_state", sa.String(10)),
        sa.Column("local_variables", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_task_details_owner", "task_details", ["owner"])
    op.create_table(
        "task_comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(120), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_task_comments_task_id", "task_comments", ["task_id"])
    op.create_index("ix_task_comments_instance_id", "task_comments", ["instance_id"])
    op.create_table(
        "task_filters",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("resource_type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_task_filters_owner", "task_filters", ["owner"])
    # /task/{id}/comment and /attachment of an ended task find its instance by its history
    op.create_index("ix_history_events_by_task", "history_events", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_history_events_by_task", "history_events")
    op.drop_index("ix_task_filters_owner", "task_filters")
    op.drop_table("task_filters")
    op.drop_index("ix_task_comments_instance_id", "task_comments")
    op.drop_index("ix_task_comments_task_id", "task_comments")
    op.drop_table("task_comments")
    op.drop_index("ix_task_details_owner", "task_details")
    op.drop_table("task_details")
