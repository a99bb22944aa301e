"""Projection hints on process_instances: open task ids, whether jobs or subscriptions exist.

Revision ID: 0005
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL means "not known": the next save reads the projection tables as before.
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.add_column(sa.Column("open_task_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("has_jobs", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("has_subscriptions", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.drop_column("has_subscriptions")
        batch_op.drop_column("has_jobs")
        batch_op.drop_column("open_task_ids")
