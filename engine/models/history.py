"""History tables beside the events: user tasks, decision evaluations, notes on operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class HistoricTask(Base):
    """One user task as it was created and, once ended, as it was when it left the task list.

    While the task is open, its human_tasks row holds the live assignee, due date and
    priority; the end copies them here. created_at is None only for tasks completed before
    this table existed (the migration knows their end, not their start).
    """

    __tablename__ = "historic_tasks"
    # The task's id; a task the engine opens again under its old id (a token moved back to
    # it) gets a fresh id here, task_id stays the engine's.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    process_key: Mapped[str] = mapped_column(String(150))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(Integer, default=50)
    created_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))  # completed, skipped, deleted


class OperationAnnotation(Base):
    """A note an operator put on one history event of the operation log (Camunda's
    set-annotation); the event itself stays as it was written."""

    __tablename__ = "operation_annotations"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("history_events.id", ondelete="CASCADE"), primary_key=True
    )
    annotation: Mapped[str] = mapped_column(Text)
    annotated_by: Mapped[str] = mapped_column(String(120))
    annotated_at: Mapped[datetime]


class HistoricDecision(Base):
    """One evaluation of a DMN decision (by a business rule task or by REST): Camunda's
    historic decision instance, with the inputs it saw and the outputs it gave.

    A decision required by another (a DRD) is its own row whose root_id names the
    evaluation it served. decision_definition_id is resolved when the row is written.
    """

    __tablename__ = "historic_decisions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    root_id: Mapped[str | None] = mapped_column(String(36), index=True)
    decision_definition_id: Mapped[str | None] = mapped_column(String(200), index=True)
    decision_key: Mapped[str] = mapped_column(String(150), index=True)
    decision_name: Mapped[str | None] = mapped_column(String(300))
    instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[str | None] = mapped_column(String(200))
    activity_instance_id: Mapped[str | None] = mapped_column(String(250))
    user_id: Mapped[str | None] = mapped_column(String(120))
    evaluated_at: Mapped[datetime] = mapped_column(index=True)
    removal_time: Mapped[datetime | None]  # Camunda's set-removal-time
    inputs: Mapped[list[Any]] = mapped_column(JSON)
    outputs: Mapped[list[Any]] = mapped_column(JSON)
    collect_result: Mapped[Any] = mapped_column(JSON, nullable=True)
