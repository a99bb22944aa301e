"""Queries on jobs: timers, external tasks and timer starts; claims and leases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, inspect, or_, select, update

from engine.models import (
    Job,
    ProcessInstance,
)
from engine.repository.base import Repository

# Built once: building and keying a statement costs more than running it on SQLite.
_LEASE = (
    update(Job)
    .where(Job.id == bindparam("jid"))
    .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < bindparam("now")))
    .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("until"))
)
_LEASE_MANY = (
    update(Job)
    .where(Job.id.in_(bindparam("jids", expanding=True)))
    .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < bindparam("now")))
    .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("until"))
    .returning(Job.id, Job.instance_id)
)
_DELETE = cast(Table, Job.__table__).delete().where(Job.__table__.c.id == bindparam("jid"))


class JobRepository(Repository):
    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def for_instance(self, instance_id: str) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.instance_id == instance_id)).all()

    def delete(self, job: Job) -> None:
        self.session.delete(job)

    def delete_loaded(self, jobs: Sequence[Job]) -> None:
        """Delete loaded jobs by id at once (prepared Core DELETE); they leave the session."""
        params = [{"jid": job.id} for job in jobs]
        self.session.execute(_DELETE, params[0] if len(params) == 1 else params)
        for job in jobs:
            self.session.expunge(job)

    def list(self, *, kind: str | None = None, limit: int = 200) -> Sequence[Job]:
        stmt = select(Job).order_by(Job.due_at)
        if kind:
            stmt = stmt.where(Job.kind == kind)
        return self.session.scalars(stmt.limit(limit)).all()

    def for_definition(self, definition_id: str) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.definition_id == definition_id)).all()

    def timer_starts(self) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.kind == "timer_start")).all()

    def lease(self, job_id: str, owner: str, now: datetime, until: datetime) -> bool:
        """Claim a job with a conditional UPDATE: true for exactly one claimant."""
        result = self.session.execute(
            _LEASE, {"jid": job_id, "now": now, "owner": owner, "until": until})
        return bool(getattr(result, "rowcount", 0) == 1)

    def lease_many(self, job_ids: Sequence[str], owner: str, now: datetime,
                   until: datetime) -> dict[str, str | None]:
        """Claim jobs in one conditional UPDATE; {job id: instance id} of those this one got."""
        if not job_ids:
            return {}
        rows = self.session.execute(
            _LEASE_MANY, {"jids": list(job_ids), "now": now, "owner": owner, "until": until})
        return {row.id: row.instance_id for row in rows}

    def release(self, job: Job) -> None:
        """Free a fired job's lease, unless the save that followed removed the job."""
        if inspect(job).persistent:
            job.lock_owner = None
            job.lock_expires_at = None
            job.attempts = 0

    def notify(self, channel: str, payload: str) -> None:
        """PostgreSQL: NOTIFY in this transaction (delivered at its commit); else nothing."""
        if self.dialect == "postgresql":
            self.session.execute(select(func.pg_notify(channel, payload)))

    def available_external(self, topics: Sequence[str], now: datetime, limit: int = 5000
                           ) -> set[tuple[str, str, str | None, str | None]]:
        """(id, topic, process key, business key) of due, unlocked external tasks, up to
        limit."""
        stmt = (select(Job.id, Job.topic, ProcessInstance.process_key,
                       ProcessInstance.business_key)
                .join(ProcessInstance, ProcessInstance.id == Job.instance_id)
                .where(Job.kind == "external", Job.topic.in_(list(topics)), Job.due_at <= now)
                .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now))
                .where(or_(Job.retries.is_(None), Job.retries > 0))
                .limit(limit))
        return {(row.id, row.topic or "", row.process_key, row.business_key)
                for row in self.session.execute(stmt)}
