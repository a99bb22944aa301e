"""Event subscriptions: which running instance waits for which message or signal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class EventSubscription(Base):
    """Index of a WAITING message, signal or conditional catch, kept by the projection on
    every save (a conditional one has no name: "")."""

    __tablename__ = "event_subscriptions"
    __table_args__ = (Index("ix_event_subscriptions_kind_name", "kind", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # message, signal, conditional
    name: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str | None] = mapped_column(String(200))
    correlations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
