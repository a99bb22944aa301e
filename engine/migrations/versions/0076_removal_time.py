"""Removal time of a historic process instance and of a decision evaluation (Camunda's
set-removal-time); VocFlow runs no history cleanup, so nothing removes them by it yet.

Revision ID: 0076
Revises: 0075
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0076"
down_revision: str | Sequence[str] | None = "0075"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("process_instances") as batch:
        batch.add_column(sa.Column("removal_time", sa.DateTime(timezone=True)))
    with op.batch_alter_table("historic_decisions") as batch:
        batch.add_column(sa.Column("removal_time", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("historic_decisions") as batch:
        batch.drop_column("removal_time")
    with op.batch_alter_table("process_instances") as batch:
        batch.drop_column("removal_time")
