"""Covering indexes for the task list (待办): candidates by (kind, value, task_id) and open
tasks by (id, assignee, due_at, priority, created_at), so that a reviewer's 10,000 offered
tasks are counted and sorted from the indexes alone (repository/inbox.py).

Revision ID: 0070
Revises: 0001 (human_tasks, task_candidates)
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0070"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TASK_COLUMNS = ["id", "assignee", "due_at", "priority", "created_at"]


def upgrade() -> None:
    op.create_index("ix_task_candidates_kind_value_task", "task_candidates",
                    ["kind", "value", "task_id"])
    op.drop_index("ix_task_candidates_kind_value", "task_candidates")
    op.create_index("ix_human_tasks_inbox", "human_tasks", _TASK_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_human_tasks_inbox", "human_tasks")
    op.create_index("ix_task_candidates_kind_value", "task_candidates", ["kind", "value"])
    op.drop_index("ix_task_candidates_kind_value_task", "task_candidates")
