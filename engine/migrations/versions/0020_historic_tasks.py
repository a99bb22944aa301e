"""Historic tasks: every user task, open or ended, for Camunda's /history/task.

Open tasks are copied from human_tasks with their start; tasks completed before this
revision come from their task_completed events, with no start time and the person who
completed them as assignee (the events do not say who held the task).

Revision ID: 0020
Revises: 0002, 0003, 0006, 0008, 0009, 0013 (the heads when it was written)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0006", "0008", "0009", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = """
INSERT INTO historic_tasks (id, task_id, instance_id, process_key, element_id, name,
    assignee, due_at, follow_up_at, priority, created_at)
SELECT id, id, instance_id, process_key, element_id, name, assignee, due_at, follow_up_at,
    priority, created_at FROM human_tasks
"""
_ENDED = """
INSERT INTO historic_tasks (id, task_id, instance_id, process_key, element_id, name,
    assignee, priority, ended_at, end_reason)
SELECT e.task_id, e.task_id, e.instance_id, p.process_key, MIN(e.element_id), NULL, MIN(e.actor), 50,
    MIN(e.at), 'completed'
FROM history_events e JOIN process_instances p ON p.id = e.instance_id
WHERE e.action = 'task_completed' AND e.task_id IS NOT NULL
  AND e.task_id NOT IN (SELECT id FROM human_tasks)
GROUP BY e.task_id, e.instance_id, p.process_key
"""


def upgrade() -> None:
    op.create_table(
        "historic_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("process_key", sa.String(150), nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("assignee", sa.String(120)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("follow_up_at", sa.DateTime(timezone=True)),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_reason", sa.String(20)),
    )
    op.create_index("ix_historic_tasks_instance_id", "historic_tasks", ["instance_id"])
    op.create_index("ix_historic_tasks_task_id", "historic_tasks", ["task_id"])
    op.create_index("ix_historic_tasks_assignee", "historic_tasks", ["assignee"])
    op.create_index("ix_historic_tasks_ended_at", "historic_tasks", ["ended_at"])
    op.execute(_OPEN)
    op.execute(_ENDED)


def downgrade() -> None:
    op.drop_table("historic_tasks")
