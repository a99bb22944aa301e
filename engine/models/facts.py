"""Dashboard projections: each product instance's state and its yearly report facts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base, HistoryEvent


class InstanceFacts(Base):
    """What the pages show of one product instance, kept by engine.service.facts on every save.

    Projects (key_task_project), provincial summaries and unit registrations; `title` is the
    project's name or the applicant unit's name; the instance counts for the years
    first_year..last_year (a project's period, or its start year before a plan exists).
    """

    __tablename__ = "instance_facts"
    __table_args__ = (
        Index("ix_instance_facts_key_years", "process_key", "first_year", "last_year"),
    )
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True
    )
    process_key: Mapped[str] = mapped_column(String(150))
    province_code: Mapped[str | None] = mapped_column(String(10))
    key_task: Mapped[str | None] = mapped_column(String(10))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(30))
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ProjectYear(Base):
    """One project's annual report for one year: when it came, whether late, its rating."""

    __tablename__ = "project_years"
    __table_args__ = (Index("ix_project_years_year", "year"),)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    reported_at: Mapped[datetime | None]
    late: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[str | None] = mapped_column(String(10))


# 已办 (what I completed) reads history by actor; the table is core's, the index is ours.
HISTORY_BY_ACTOR = Index(
    "ix_history_events_actor_action", HistoryEvent.actor, HistoryEvent.action, HistoryEvent.id
)
