"""Queries on jobs: timers, external tasks and timer starts; claims and leases."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, inspect, or_, select, update

from engine.models import (
    Job,
    ProcessInstance,
)
from engine.repository.base import Repository
from engine.repository.prepared import Prepared

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
_FREE = or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < bindparam("now"))
_DUE_TIMERS = (select(Job.id).where(Job.kind.in_(("timer", "timer_start")),
                                    Job.due_at <= bindparam("now"), _FREE,
                                    Job.suspended.is_not(True))  # PUT /job/{id}/suspended
               .order_by(Job.due_at).limit(bindparam("limit")))
_CLAIM = {  # lease due timers in one statement: read the due ones and take them
    dialect: update(Job).where(Job.id.in_(due), _FREE)
    .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("until"))
    .returning(Job.id, Job.kind, Job.instance_id, Job.due_at)
    for dialect, due in (("sqlite", _DUE_TIMERS),
                         ("postgresql", _DUE_TIMERS.with_for_update(skip_locked=True)))
}
_FOR_INSTANCE = (select(Job).where(Job.instance_id == bindparam("iid"))
                 .execution_options(populate_existing=True))
_DELETE = Prepared(cast(Table, Job.__table__).delete()
                   .where(Job.__table__.c.id == bindparam("jid")))


class JobRepository(Repository):
    _held: tuple[str, builtins.list[Job]] | None = None  # read under the lock, for one reuse

    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def for_instance(self, instance_id: str) -> Sequence[Job]:
        held, self._held = self._held, None
        if held is not None and held[0] == instance_id:
            return held[1]  # read under the instance lock, nothing changed since
        return self.session.scalars(_FOR_INSTANCE, {"iid": instance_id}).all()

    def hold(self, instance_id: str, jobs: builtins.list[Job]) -> None:
        """Jobs of the instance just read under its lock: the next for_instance() gets them."""
        self._held = (instance_id, jobs)

    def add(self, row: Job) -> None:
        self._held = None
        self.session.add(row)

    def delete(self, job: Job) -> None:
        self._held = None
        self.session.delete(job)

    def delete_loaded(self, jobs: Sequence[Job]) -> None:
        """Delete loaded jobs by id at once (prepared Core DELETE); they leave the session."""
        self._held = None
        _DELETE.execute(self.session, [{"jid": job.id} for job in jobs])
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

    def claim_due_timers(self, now: datetime, owner: str, until: datetime,
                         limit: int) -> builtins.list[tuple[str, str, str | None]]:
        """Lease up to `limit` due, free timer and timer-start jobs in one statement;
        (id, kind, instance id) of those this claimant got, soonest due first. PostgreSQL
        skips rows another claimant holds locked (SKIP LOCKED)."""
        rows = self.session.execute(_CLAIM[self.dialect], {
            "now": now, "limit": limit, "owner": owner, "until": until}).all()
        return [(row.id, row.kind, row.instance_id)
                for row in sorted(rows, key=lambda row: (row.due_at, row.id))]

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
