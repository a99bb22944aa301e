"""Runtime REST: an incident's annotation; a job's priority and its own suspension.

Revision ID: 0030
Revises: the heads of the time (0002, 0003, 0006, 0008, 0009, 0013)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0006", "0008", "0009", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("annotation", sa.Text(), nullable=True))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("priority", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("suspended", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("suspended")
        batch.drop_column("priority")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("annotation")
