"""Activities of the past: pruned finished tasks, and every activity instance for /history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class ActivityRecord(Base):
    """One BPMN activity's task as it was when the engine dropped it from the task tree."""

    __tablename__ = "activity_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(400))
    type: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(12))
    ended_at: Mapped[datetime]


class HistoricActivity(Base):
    """One run of a BPMN activity (task, event, gateway, subprocess): Camunda's historic
    activity instance, written by the step that started it and updated by the one that
    ended it (one upsert per step).

    id is the activity instance id the runtime tree shows (`{elementId}:{taskUuid}`).
    started_at is None only for runs that ended before this table existed (their start
    was not kept); the row then says so instead of guessing.
    """

    __tablename__ = "historic_activities"
    id: Mapped[str] = mapped_column(String(250), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[str | None] = mapped_column(String(250))
    execution_id: Mapped[str] = mapped_column(String(80))
    element_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str | None] = mapped_column(String(400))
    type: Mapped[str] = mapped_column(String(60))
    task_id: Mapped[str | None] = mapped_column(String(36))  # user tasks: the task's id
    assignee: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    # Indexed: the instance, the element and the start (the default order); not the end or
    # the assignee: every index is paid by every step (5 indexes cost a SQLite step ~3 ms
    # more than 3, measured interleaved at load 10)
    ended_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    canceled: Mapped[bool] = mapped_column(Boolean, default=False)
    complete_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    # orders runs of one instance begun in the same millisecond (the order they ran in)
    occurrence: Mapped[int] = mapped_column(BigInteger)
