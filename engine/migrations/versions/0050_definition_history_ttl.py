"""A definition's historyTimeToLive set through the REST API, over the diagram's own value.

Revision ID: 0050
Revises: the heads of the day (0002, 0003, 0006, 0008, 0009, 0013)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0050"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0006", "0008", "0009", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("process_definitions") as table:
        table.add_column(sa.Column("history_ttl_set", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        table.add_column(sa.Column("history_ttl_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definitions") as table:
        table.drop_column("history_ttl_days")
        table.drop_column("history_ttl_set")
