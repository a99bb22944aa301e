"""Event subscriptions: the index of instances waiting for a message or signal.

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("correlations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_subscriptions_instance_id", "event_subscriptions",
                    ["instance_id"])
    op.create_index("ix_event_subscriptions_kind_name", "event_subscriptions",
                    ["kind", "name"])


def downgrade() -> None:
    op.drop_index("ix_event_subscriptions_kind_name", table_name="event_subscriptions")
    op.drop_index("ix_event_subscriptions_instance_id", table_name="event_subscriptions")
    op.drop_table("event_subscriptions")
