"""Operation annotations: an operator's note on one entry of the user operation log.

Revision ID: 0021
Revises: 0020
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operation_annotations",
        sa.Column("event_id", sa.Integer(),
                  sa.ForeignKey("history_events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("annotation", sa.Text(), nullable=False),
        sa.Column("annotated_by", sa.String(120), nullable=False),
        sa.Column("annotated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("operation_annotations")
