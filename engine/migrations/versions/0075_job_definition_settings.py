"""Job definition settings: ops' suspension and overriding priority of a diagram's timer.

Revision ID: 0075
Revises: 0074
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0075"
down_revision: str | Sequence[str] | None = "0074"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_definition_settings",
        sa.Column("id", sa.String(450), primary_key=True),
        sa.Column("suspended", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("priority", sa.BigInteger()),
    )


def downgrade() -> None:
    op.drop_table("job_definition_settings")
