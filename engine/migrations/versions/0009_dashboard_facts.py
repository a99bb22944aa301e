"""Dashboard projections: instance_facts, project_years; history by actor (已办).

Revision ID: 0009
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance_facts",
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("process_key", sa.String(150), nullable=False),
        sa.Column("province_code", sa.String(10)),
        sa.Column("key_task", sa.String(10)),
        sa.Column("unit_id", sa.String(64)),
        sa.Column("title", sa.String(300)),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("first_year", sa.Integer()),
        sa.Column("last_year", sa.Integer()),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_instance_facts_key_years", "instance_facts",
                    ["process_key", "first_year", "last_year"])
    op.create_table(
        "project_years",
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("reported_at", sa.DateTime(timezone=True)),
        sa.Column("late", sa.Boolean()),
        sa.Column("rating", sa.String(10)),
    )
    op.create_index("ix_project_years_year", "project_years", ["year"])
    op.create_index("ix_history_events_actor_action", "history_events",
                    ["actor", "action", "id"])


def downgrade() -> None:
    op.drop_index("ix_history_events_actor_action", table_name="history_events")
    op.drop_index("ix_project_years_year", table_name="project_years")
    op.drop_table("project_years")
    op.drop_index("ix_instance_facts_key_years", table_name="instance_facts")
    op.drop_table("instance_facts")
