"""Event subscriptions of kind 'conditional' (Camunda's eventType for a waiting conditional
catch, boundary or event subprocess start): the kind column grows from 10 to 20 characters.

Revision ID: 0078
Revises: 0077
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0078"
down_revision: str | Sequence[str] | None = "0077"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_subscriptions") as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(10), type_=sa.String(20),
                              existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM event_subscriptions WHERE kind = 'conditional'")
    with op.batch_alter_table("event_subscriptions") as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(20), type_=sa.String(10),
                              existing_nullable=False)
