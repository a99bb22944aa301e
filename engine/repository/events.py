"""Queries for background work: event subscriptions, external-task jobs by topic, stuck signs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engine.models import Deployment, HumanTask, Job, ProcessDefinition, ProcessInstance
from engine.models.events import EventSubscription


class EventRepository:
    def __init__(self, session: Session, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    # --- subscriptions -------------------------------------------------------------------
    def replace_subscriptions(self, instance_id: str, rows: Sequence[EventSubscription]) -> None:
        self.session.execute(
            delete(EventSubscription).where(EventSubscription.instance_id == instance_id))
        self.session.add_all(list(rows))

    def waiting_for(self, kind: str, name: str) -> list[str]:
        """Ids of running instances with a WAITING catch of this message/signal, ascending."""
        stmt = (
            select(EventSubscription.instance_id)
            .join(ProcessInstance, ProcessInstance.id == EventSubscription.instance_id)
            .where(EventSubscription.kind == kind, EventSubscription.name == name)
            .where(ProcessInstance.status == "running")
            .distinct()
            .order_by(EventSubscription.instance_id)
        )
        return list(self.session.scalars(stmt).all())

    def subscriptions(self, instance_id: str | None, kind: str | None, name: str | None,
                      limit: int) -> list[EventSubscription]:
        """Subscriptions, optionally of one instance / kind / name, oldest first."""
        stmt = select(EventSubscription)
        if instance_id:
            stmt = stmt.where(EventSubscription.instance_id == instance_id)
        if kind:
            stmt = stmt.where(EventSubscription.kind == kind)
        if name:
            stmt = stmt.where(EventSubscription.name == name)
        return list(self.session.scalars(stmt.order_by(EventSubscription.id).limit(limit)))

    # --- jobs ----------------------------------------------------------------------------
    def due_external(self, topics: Sequence[str], now: datetime, limit: int, *,
                     definition_keys: Sequence[str] | None = None,
                     definition_ids: Sequence[str] | None = None,
                     business_key: str | None = None,
                     tenant_ids: Sequence[str] | None = None,
                     newest_first: bool | None = None,
                     by_priority: bool = False) -> list[str]:
        """Due, unlocked external-task jobs of these topics (SKIP LOCKED on PostgreSQL).

        The optional filters are a Camunda subscription's: only tasks of these process
        definitions (by key or id), of this business key, of these tenants (an empty list:
        without tenant); newest_first orders by creation time instead of due time;
        by_priority (Camunda's usePriority) puts the highest priority first.
        """
        stmt = (
            select(Job.id)
            .where(Job.kind == "external", Job.topic.in_(list(topics)), Job.due_at <= now)
            .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now))
            .where(or_(Job.retries.is_(None), Job.retries > 0))
        )
        instance = select(ProcessInstance.id)
        scoped = False
        for column, values in ((ProcessInstance.process_key, definition_keys),
                               (ProcessInstance.definition_id, definition_ids)):
            if values is not None:
                instance, scoped = instance.where(column.in_(list(values))), True
        if business_key is not None:
            instance, scoped = instance.where(ProcessInstance.business_key == business_key), True
        if tenant_ids is not None:
            tenant = (select(ProcessDefinition.id).join(
                Deployment, Deployment.id == ProcessDefinition.deployment_id))
            tenant = tenant.where(Deployment.tenant_id.in_(list(tenant_ids)) if tenant_ids
                                  else Deployment.tenant_id.is_(None))
            instance, scoped = instance.where(ProcessInstance.definition_id.in_(tenant)), True
        if scoped:
            stmt = stmt.where(Job.instance_id.in_(instance))
        order = (Job.due_at,) if newest_first is None else (
            Job.created_at.desc() if newest_first else Job.created_at.asc(),)
        if by_priority:
            order = (Job.priority.desc(), *order)
        stmt = stmt.order_by(*order, Job.id).limit(limit)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list(self.session.scalars(stmt).all())

    def due_timer_jobs(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(id, kind) of due, unlocked timer and timer-start jobs (SKIP LOCKED on PostgreSQL)."""
        stmt = (
            select(Job.id, Job.kind)
            .where(Job.kind.in_(("timer", "timer_start")), Job.due_at <= now,
                   Job.suspended.is_not(True))
            .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now))
            .order_by(Job.due_at)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return [(row.id, row.kind) for row in self.session.execute(stmt)]

    def fresh_job(self, job_id: str) -> Job | None:
        """Read a job again from the database (after the instance lock was taken)."""
        stmt = select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
        return self.session.scalars(stmt).first()

    def overdue_timers(self, before: datetime) -> Sequence[Job]:
        stmt = select(Job).where(Job.kind.in_(("timer", "timer_start")), Job.due_at < before)
        return self.session.scalars(stmt.order_by(Job.due_at)).all()

    def stalled(self) -> Sequence[ProcessInstance]:
        stmt = select(ProcessInstance).where(ProcessInstance.stall_reason.is_not(None))
        stmt = stmt.where(ProcessInstance.status.in_(("running", "suspended")))
        return self.session.scalars(stmt).all()

    def open_tasks(self, limit: int = 10_000) -> Sequence[HumanTask]:
        return self.session.scalars(select(HumanTask).limit(limit)).all()
