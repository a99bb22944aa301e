"""Pruned activities: the finished tasks a stored workflow no longer holds (append-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
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
