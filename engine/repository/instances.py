"""Queries on process instances, their incidents and their history."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm.attributes import set_committed_value

from engine.db import DEFER, STALE_VERSION
from engine.errors import ConcurrencyConflict
from engine.models import (
    ActivityRecord,
    HistoryEvent,
    Incident,
    Job,
    ProcessInstance,
)
from engine.repository.base import Repository
from engine.repository.prepared import Prepared
from engine.repository.scopes import ScopeFilter, instance_scope_clause

_INSERT_EVENT = cast(Table, HistoryEvent.__table__).insert()
_INSTANCES = cast(Table, ProcessInstance.__table__)
_INSERT_ACTIVITY = Prepared(cast(Table, ActivityRecord.__table__).insert().inline())
_WRITE_EVENTS = Prepared(_INSERT_EVENT.inline())
_BY_ID = (select(ProcessInstance).where(ProcessInstance.id == bindparam("id"))
          .execution_options(populate_existing=True))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
# PostgreSQL: the row lock alone, its answer unread (sent with the next statement); the
# SELECT after it in the same pipeline starts, and takes its snapshot, once the lock is held.
_LOCK_ONLY = (select(_INSTANCES.c.id).where(_INSTANCES.c.id == bindparam("id"))
              .with_for_update()
              .execution_options(**{DEFER: True}))
_WITH_JOBS = (select(ProcessInstance, Job)
              .outerjoin(Job, Job.instance_id == ProcessInstance.id)
              .where(ProcessInstance.id == bindparam("id"))
              .execution_options(populate_existing=True))
_EVENTS = cast(Table, HistoryEvent.__table__)


_EVENT_COLUMNS = ("instance_id", "at", "actor", "action", "element_id", "task_id", "data")


def _update_for(keys: tuple[str, ...], events: int = 0) -> Any:
    """The versioned UPDATE; on PostgreSQL with `events` history rows inserted by a CTE."""
    stmt = (_INSTANCES.update()
            .where(_INSTANCES.c.id == bindparam("w_id"),
                   _INSTANCES.c.version == bindparam("w_version"))
            .values({k: bindparam(f"v_{k}") for k in (*keys, "version")}))
    if events:
        stmt = stmt.add_cte(_events_cte(events))
    return stmt


@functools.cache
def _sqlite_update_for(keys: tuple[str, ...]) -> Prepared:
    return Prepared(_update_for(keys))


@functools.cache
def _checked_update_for(keys: tuple[str, ...], events: int = 0) -> Prepared:
    """PostgreSQL: the versioned UPDATE that checks its own row count, so that nobody waits
    for its answer and it travels with the COMMIT. A lost race makes the server fail the
    statement (a cast of STALE_VERSION and the count), raised as ConcurrencyConflict by the
    unit of work wherever the error surfaces. The count is not a constant, so the planner
    cannot fold the cast (and fail) up front."""
    updated = _update_for(keys).returning(_INSTANCES.c.id).cte("updated")
    count = func.count()
    stmt = select(sql_cast(case((count == 1, literal("1")),
                            else_=func.concat(literal(STALE_VERSION), count)), Integer)
                  ).select_from(updated)
    if events:
        stmt = stmt.add_cte(_events_cte(events))
    return Prepared(stmt)


def _events_cte(events: int) -> Any:
    if events == 1:
        return _INSERT_EVENT.values(_event_binds(0)).cte("new_events")
    # Not .values([rows]): SQLAlchemy caches no compiled form of a multi-row VALUES, so
    # the statement was compiled anew on each step. Rows from a UNION ALL go in in order.
    rows = union_all(*(select(*_event_binds(i).values()) for i in range(events)))
    return _INSERT_EVENT.from_select(_EVENT_COLUMNS, rows).cte("new_events")


def _event_binds(i: int) -> dict[str, Any]:
    return {c: bindparam(f"e{i}_{c}", type_=_EVENTS.c[c].type) for c in _EVENT_COLUMNS}


class InstanceRepository(Repository):
    def update_columns(self, instance: ProcessInstance, changes: dict[str, Any],
                       history: HistoryRepository | None = None) -> None:
        """Write changed columns of a loaded instance and bump its version.

        What the mapper's version_id_col does (WHERE version = old; a lost race raises
        ConcurrencyConflict), as one prepared statement that leaves the object clean, so
        the flush and commit that follow have nothing to do for it. An instance with other
        unsaved changes (or a new one) gets plain attribute sets for the session's flush.
        On PostgreSQL the history events still waiting in `history` go in the same
        statement (a data-modifying CTE), which checks its row count itself and is sent
        with the next statement that needs an answer (often the COMMIT).
        """
        if not changes:
            return
        state = inspect(instance)
        if not state.persistent or state.modified:
            for key, value in changes.items():
                setattr(instance, key, value)
            return
        version = instance.version
        params = {f"v_{k}": v for k, v in changes.items()}
        events = history.take_waiting() if history and self.dialect == "postgresql" else []
        for i, values in enumerate(events):
            params.update({f"e{i}_{c}": values.get(c) for c in _EVENT_COLUMNS})
        params.update(w_id=instance.id, w_version=version, v_version=version + 1)
        keys = tuple(sorted(changes))
        if self.dialect == "postgresql":
            _checked_update_for(keys, len(events)).execute(self.session, params)
        elif _sqlite_update_for(keys).rowcount(self.session, params) != 1:
            raise ConcurrencyConflict(
                "another change to this instance was saved first; reload and retry")
        for key, value in [*changes.items(), ("version", version + 1)]:
            set_committed_value(instance, key, value)

    def get(self, instance_id: str) -> ProcessInstance | None:
        return self.session.get(ProcessInstance, instance_id)

    def get_for_update(self, instance_id: str) -> ProcessInstance | None:
        """Lock the instance row first (lock order: instance, then its tasks and jobs)."""
        stmt = _BY_ID_FOR_UPDATE if self.dialect == "postgresql" else _BY_ID
        return self.session.scalars(stmt, {"id": instance_id}).first()

    def get_for_update_with_jobs(self, instance_id: str
                                 ) -> tuple[ProcessInstance | None, list[Job]]:
        """The instance, locked, and its jobs read under that lock: one round trip.

        Not one `SELECT ... FOR UPDATE OF` join: its snapshot would be taken before the lock
        wait and miss a job the previous lock holder added. The lock goes first, alone (on
        SQLite, BEGIN IMMEDIATE holds the database), and the join after it reads afresh.
        """
        if self.dialect == "postgresql":
            self.session.execute(_LOCK_ONLY, {"id": instance_id})
        rows = self.session.execute(_WITH_JOBS, {"id": instance_id}).all()
        if not rows:
            return None, []
        return rows[0][0], [job for _, job in rows if job is not None]

    def list(
        self,
        *,
        status: str | None = None,
        process_key: str | None = None,
        business_key: str | None = None,
        limit: int = 100,
    ) -> Sequence[ProcessInstance]:
        stmt = select(ProcessInstance).order_by(ProcessInstance.started_at.desc())
        if status:
            stmt = stmt.where(ProcessInstance.status == status)
        if process_key:
            stmt = stmt.where(ProcessInstance.process_key == process_key)
        if business_key:
            stmt = stmt.where(ProcessInstance.business_key == business_key)
        return self.session.scalars(stmt.limit(limit)).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(ProcessInstance.id))) or 0)

    def list_scoped(
        self, scope: ScopeFilter, *, status: str | None = None, process_key: str | None = None,
        business_key: str | None = None, province_code: str | None = None,
        key_task: str | None = None, started_from: datetime | None = None,
        started_to: datetime | None = None, stuck: bool | None = None,
        after: tuple[datetime, str] | None = None, limit: int = 50,
    ) -> Sequence[ProcessInstance]:
        """Instances in the actor's scope, newest first, after a (started_at, id) cursor."""
        pi = ProcessInstance
        stmt = select(pi).where(instance_scope_clause(scope))
        for column, value in ((pi.status, status), (pi.process_key, process_key),
                              (pi.business_key, business_key),
                              (pi.province_code, province_code), (pi.key_task, key_task)):
            if value:
                stmt = stmt.where(column == value)
        if started_from is not None:
            stmt = stmt.where(pi.started_at >= started_from)
        if started_to is not None:
            stmt = stmt.where(pi.started_at < started_to)
        if stuck is not None:
            open_incident = exists().where(Incident.instance_id == pi.id,
                                           Incident.resolved_at.is_(None))
            is_stuck = or_(pi.stall_reason.is_not(None), open_incident)
            stmt = stmt.where(is_stuck if stuck else ~is_stuck)
        if after is not None:
            stmt = stmt.where(or_(pi.started_at < after[0],
                                  and_(pi.started_at == after[0], pi.id < after[1])))
        stmt = stmt.order_by(pi.started_at.desc(), pi.id.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def delete_with_history(self, instance_ids: Sequence[str]) -> None:
        """Instances and everything they keep: tasks, jobs, incidents, activity and decision
        history, facts go by ON DELETE CASCADE; history events carry no foreign key."""
        ids = list(instance_ids)
        for stmt in (delete(HistoryEvent).where(HistoryEvent.instance_id.in_(ids)),
                     delete(ProcessInstance).where(ProcessInstance.id.in_(ids))):
            self.session.execute(stmt.execution_options(synchronize_session=False))
        self.session.expire_all()

    def get_scoped(self, instance_id: str, scope: ScopeFilter) -> ProcessInstance | None:
        stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id,
                                             instance_scope_clause(scope))
        return self.session.scalars(stmt).first()


class IncidentRepository(Repository):
    def get(self, incident_id: str) -> Incident | None:
        return self.session.get(Incident, incident_id)

    def open_for(self, instance_id: str) -> Sequence[Incident]:
        stmt = select(Incident).where(
            Incident.instance_id == instance_id, Incident.resolved_at.is_(None)
        )
        return self.session.scalars(stmt).all()

    def open_for_instances(self, instance_ids: Sequence[str]) -> Sequence[Incident]:
        """Open incidents of these instances, oldest first."""
        if not instance_ids:
            return []
        stmt = select(Incident).where(Incident.instance_id.in_(list(instance_ids)),
                                      Incident.resolved_at.is_(None))
        return self.session.scalars(stmt.order_by(Incident.created_at, Incident.id)).all()

    def list(self, *, open_only: bool = True, instance_id: str | None = None,
             limit: int = 200) -> Sequence[Incident]:
        stmt = select(Incident).order_by(Incident.created_at.desc())
        if open_only:
            stmt = stmt.where(Incident.resolved_at.is_(None))
        if instance_id:
            stmt = stmt.where(Incident.instance_id == instance_id)
        return self.session.scalars(stmt.limit(limit)).all()

    def list_scoped(self, scope: ScopeFilter, *, open_only: bool = True,
                    instance_id: str | None = None, limit: int = 200) -> Sequence[Incident]:
        """Incidents of instances in the actor's scope, newest first."""
        stmt = (
            select(Incident)
            .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
            .where(instance_scope_clause(scope))
            .order_by(Incident.created_at.desc(), Incident.id)
        )
        if open_only:
            stmt = stmt.where(Incident.resolved_at.is_(None))
        if instance_id:
            stmt = stmt.where(Incident.instance_id == instance_id)
        return self.session.scalars(stmt.limit(limit)).all()


class HistoryRepository(Repository):
    """History events wait in memory and are inserted together, in call order: before any
    read of them, with the instance's UPDATE (PostgreSQL), or just before the commit."""

    _waiting: list[dict[str, Any]] | None = None
    _touched: set[str] | None = None

    def append(self, **values: Any) -> None:
        """Queue one event; the unit of work writes what still waits before it commits."""
        if self._waiting is None:
            self._waiting = []
            self._touched = set()
        self._waiting.append(values)
        if values.get("instance_id"):
            self._touched.add(values["instance_id"])  # type: ignore[union-attr]

    def touched_instances(self) -> list[str]:
        """The instances this unit of work recorded an event of (whoever wrote them)."""
        return sorted(self._touched or ())

    def take_waiting(self) -> list[dict[str, Any]]:
        waiting = self._waiting or []
        if waiting:
            self._waiting = []
        return waiting

    def write_waiting(self) -> None:
        """Insert the waiting events in one (executemany) statement."""
        waiting = self.take_waiting()
        if waiting:
            _WRITE_EVENTS.execute(self.session, waiting)

    def for_instance(self, instance_id: str) -> Sequence[HistoryEvent]:
        self.write_waiting()
        stmt = select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(HistoryEvent.id)).all()

    def append_activities(self, instance_id: str, records: Sequence[dict[str, Any]]) -> None:
        """Record tasks pruned from the task tree (bpmn.pending records), in one INSERT."""
        if records:
            _INSERT_ACTIVITY.execute(self.session, [
                {"instance_id": instance_id, "task_id": r["task_id"],
                 "element_id": r["element_id"], "name": r["name"], "type": r["type"],
                 "state": r["state"], "ended_at": datetime.fromisoformat(r["ended_at"])}
                for r in records])

    def activities_for(self, instance_id: str) -> list[dict[str, Any]]:
        """Pruned activities of an instance, oldest first, shaped as bpmn.activity_states()."""
        ar = ActivityRecord
        stmt = (select(ar.task_id, ar.element_id, ar.name, ar.type, ar.state)
                .where(ar.instance_id == instance_id).order_by(ar.id))
        return [dict(row._mapping) for row in self.session.execute(stmt)]
