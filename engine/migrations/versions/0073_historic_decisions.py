"""Historic decision instances: every DMN evaluation, for /history/decision-instance.

Evaluations before this revision were not kept with their inputs and outputs (the history
events of REST evaluations say only which decision and how many rules): none are made up.

Revision ID: 0073
Revises: 0071
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0073"
down_revision: str | Sequence[str] | None = "0072"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "historic_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("root_id", sa.String(36)),
        sa.Column("decision_definition_id", sa.String(200)),
        sa.Column("decision_key", sa.String(150), nullable=False),
        sa.Column("decision_name", sa.String(300)),
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE")),
        sa.Column("element_id", sa.String(200)),
        sa.Column("activity_instance_id", sa.String(250)),
        sa.Column("user_id", sa.String(120)),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("collect_result", sa.JSON()),
    )
    for column in ("root_id", "decision_definition_id", "decision_key", "instance_id",
                   "evaluated_at"):
        op.create_index(f"ix_historic_decisions_{column}", "historic_decisions", [column])


def downgrade() -> None:
    op.drop_table("historic_decisions")
