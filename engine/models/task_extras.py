"""Tables of what Camunda keeps beside a user task: owner and delegation, local variables,
comments, and the saved task filters of Tasklist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class TaskDetail(Base):
    """Camunda's task fields our projection has no column for; gone with the open task."""

    __tablename__ = "task_details"
    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(120), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    delegation_state: Mapped[str | None] = mapped_column(String(10))
    # Camunda's task-local variables: they live and die with the task, never reach the process
    local_variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime | None]


class TaskComment(Base):
    """A comment on a user task; kept after the task ends, as Camunda keeps it in history."""

    __tablename__ = "task_comments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class TaskFilter(Base):
    """A saved task query of one user (Camunda Tasklist's filters)."""

    __tablename__ = "task_filters"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(20), default="Task")
    name: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120), index=True)
    query: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
