"""Sign-in hardening: a session generation per user, failed sign-ins per (user, address).

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.create_table(
        "sign_in_throttle",
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "address"),
    )
    op.create_index("ix_sign_in_throttle_last_failure_at", "sign_in_throttle",
                    ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_last_failure_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")
