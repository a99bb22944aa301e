"""Queries on open user tasks and their candidates (the task lists)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, false, or_, select
from sqlalchemy.orm.util import identity_key

from engine.models import (
    HumanTask,
    ProcessInstance,
    TaskCandidate,
    TaskDetail,
)
from engine.repository.base import Repository
from engine.repository.prepared import Prepared
from engine.repository.scopes import (
    ScopeFilter,
    ScopeShape,
    scope_params,
    scope_shape,
    task_scope_for,
)

_TASKS = cast(Table, HumanTask.__table__)
_CANDIDATES = cast(Table, TaskCandidate.__table__)
# Built once: building and keying a statement costs more than running it on SQLite.
_INSERT_TASK = Prepared(_TASKS.insert().inline())
_INSERT_CANDIDATE = Prepared(_CANDIDATES.insert().inline())
_BY_ID = select(HumanTask).where(HumanTask.id == bindparam("tid"))
# A task with its instance (locked on PostgreSQL: the lock order's first lock) and its
# delegation state: what a completion reads before it loads the workflow, in one statement.
_WITH_INSTANCE = (select(HumanTask, ProcessInstance, TaskDetail.delegation_state)
                  .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                  .outerjoin(TaskDetail, TaskDetail.task_id == HumanTask.id)
                  .where(HumanTask.id == bindparam("tid"))
                  .execution_options(populate_existing=True))


@functools.lru_cache(maxsize=256)
def _by_id_scoped(shape: ScopeShape) -> Any:
    return _BY_ID.where(task_scope_for(shape))


@functools.lru_cache(maxsize=512)
def _with_instance(shape: ScopeShape | None, lock: bool) -> Any:
    """_WITH_INSTANCE in a scope of this shape (None: unrestricted), locking on PostgreSQL."""
    stmt = _WITH_INSTANCE if shape is None else _WITH_INSTANCE.where(task_scope_for(shape))
    return stmt.with_for_update(of=ProcessInstance) if lock else stmt


_DELETE_TASK = Prepared(_TASKS.delete().where(_TASKS.c.id == bindparam("tid")))


class TaskRepository(Repository):
    def get(self, task_id: str) -> HumanTask | None:
        return self.session.get(HumanTask, task_id)

    def for_instance(self, instance_id: str) -> Sequence[HumanTask]:
        stmt = select(HumanTask).where(HumanTask.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(HumanTask.created_at)).all()

    def replace_candidates(self, task: HumanTask, groups: Iterable[str],
                           users: Iterable[str]) -> None:
        self.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))
        rows = [TaskCandidate(task_id=task.id, kind="group", value=g) for g in set(groups)]
        rows += [TaskCandidate(task_id=task.id, kind="user", value=u) for u in set(users)]
        self.session.add_all(rows)

    def open_ids(self, instance_id: str) -> list[str]:
        stmt = select(HumanTask.id).where(HumanTask.instance_id == instance_id)
        return list(self.session.scalars(stmt.order_by(HumanTask.created_at)).all())

    def insert_open(self, rows: list[dict[str, Any]], candidates: list[dict[str, Any]]) -> None:
        """Insert new open tasks and their candidates (Core inserts, no unit of work)."""
        _INSERT_TASK.execute(self.session, rows)
        _INSERT_CANDIDATE.execute(self.session, candidates)

    def delete_ids(self, task_ids: Sequence[str]) -> None:
        """Delete open tasks and their candidates by id; loaded rows leave the session."""
        # task_candidates.task_id is ON DELETE CASCADE (SQLite runs with foreign_keys=ON)
        _DELETE_TASK.execute(self.session, [{"tid": task_id} for task_id in task_ids])
        for task_id in task_ids:
            loaded = self.session.identity_map.get(identity_key(HumanTask, task_id))
            if loaded is not None:
                self.session.expunge(loaded)

    def delete(self, task: HumanTask) -> None:
        self.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))
        self.session.delete(task)

    def list_for(
        self,
        *,
        user: str | None = None,
        groups: Iterable[str] = (),
        assignee: str | None = None,
        process_key: str | None = None,
        instance_id: str | None = None,
        element_id: str | None = None,
        due_before: datetime | None = None,
        limit: int = 200,
    ) -> Sequence[HumanTask]:
        """Open tasks a user may see: assigned to them, or offered to them or their groups."""
        stmt = select(HumanTask)
        groups = list(groups)
        if user is not None or groups:
            offered = select(TaskCandidate.task_id).where(or_(
                and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(groups)),
                and_(TaskCandidate.kind == "user", TaskCandidate.value == (user or "")),
            ))
            # Without a user, "assignee == None" would match every unassigned task.
            mine = HumanTask.assignee == user if user is not None else false()
            stmt = stmt.where(or_(mine, HumanTask.id.in_(offered)))
        if assignee is not None:
            stmt = stmt.where(HumanTask.assignee == assignee)
        if process_key:
            stmt = stmt.where(HumanTask.process_key == process_key)
        if instance_id:
            stmt = stmt.where(HumanTask.instance_id == instance_id)
        if element_id:
            stmt = stmt.where(HumanTask.element_id == element_id)
        if due_before is not None:
            stmt = stmt.where(HumanTask.due_at <= due_before)
        stmt = stmt.order_by(HumanTask.priority.desc(), HumanTask.created_at).limit(limit)
        return self.session.scalars(stmt).all()

    def overdue(self, now: datetime) -> Sequence[HumanTask]:
        stmt = select(HumanTask).where(HumanTask.due_at < now)
        return self.session.scalars(stmt).all()

    def get_scoped_locking(self, task_id: str, scope: ScopeFilter
                           ) -> tuple[HumanTask, ProcessInstance, str | None] | None:
        """The task in scope, its instance row locked (PostgreSQL: FOR UPDATE OF the instance;
        SQLite's write transactions hold the database lock) and its delegation state."""
        lock = self.dialect == "postgresql"
        if scope.unrestricted:
            stmt, params = _with_instance(None, lock), {"tid": task_id}
        else:
            stmt = _with_instance(scope_shape(scope), lock)
            params = {"tid": task_id, **scope_params(scope)}
        row = self.session.execute(stmt, params).first()
        return None if row is None else (row[0], row[1], row[2])

    def get_scoped(self, task_id: str, scope: ScopeFilter) -> HumanTask | None:
        if scope.unrestricted:
            return self.session.scalars(_BY_ID, {"tid": task_id}).first()
        return self.session.scalars(_by_id_scoped(scope_shape(scope)),
                                    {"tid": task_id, **scope_params(scope)}).first()

