"""Writes beside the history events: historic tasks (opened, ended), operation annotations."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, case, delete, exists, func, select
from sqlalchemy.orm import Session

from engine.models import HistoricTask, HumanTask, OperationAnnotation
from engine.repository.base import Repository
from engine.repository.prepared import Prepared

_TABLE = cast(Table, HistoricTask.__table__)
_COLUMNS = ("instance_id", "process_key", "element_id", "name", "assignee", "due_at",
            "follow_up_at", "priority", "created_at")


def _live(column: Any) -> Any:
    live = cast(Table, HumanTask.__table__)
    return select(column).where(live.c.id == _TABLE.c.task_id).scalar_subquery()


# Both statements built once (building and keying them cost more than running them), and
# neither needs an answer: on PostgreSQL they travel with the next statement that does.
_TAKEN = _TABLE.alias("taken")
# The row's id is the task's, unless a row has it already (a task opened again under its
# old id): then the fresh id given beside it. Decided in the INSERT, not by a SELECT first.
_OPEN = Prepared(
    _TABLE.insert().inline()
    .values(task_id=bindparam("h_task", type_=String),
            id=case((exists().where(_TAKEN.c.id == bindparam("h_task", type_=String)),
                     bindparam("h_fresh", type_=String)),
                    else_=bindparam("h_task", type_=String))))
_LIVE = cast(Table, HumanTask.__table__)
# Core, not update(HistoricTask): the ORM's bulk UPDATE copies the statement on every
# execution, and the copy's cache key is computed anew each time.


@functools.lru_cache(maxsize=64)
def _end_for(count: int) -> Prepared:
    """The end of `count` tasks (h_id0...): one bind parameter each, not an expanding IN,
    whose SQL would be rendered again on every execution."""
    return Prepared(_TABLE.update()
            .where(_TABLE.c.task_id.in_([bindparam(f"h_id{i}", type_=String)
                                         for i in range(count)]),
                   _TABLE.c.ended_at.is_(None))
            .values(ended_at=bindparam("h_now", type_=_TABLE.c.ended_at.type),
                    end_reason=bindparam("h_reason", type_=String),
                    # `by` (None: nobody) stands in for a task that had no assignee
                    assignee=func.coalesce(_live(_LIVE.c.assignee),
                                           bindparam("h_by", type_=String)),
                    due_at=_live(_LIVE.c.due_at), follow_up_at=_live(_LIVE.c.follow_up_at),
                    priority=func.coalesce(_live(_LIVE.c.priority), _TABLE.c.priority)))


class TaskHistoryRepository(Repository):
    """Each task ends once: the first end in a unit of work (a completion) wins over the
    projection's later clean-up of the same task, which then costs no statement."""

    _ended: set[str] | None = None

    def __init__(self, session: Session, dialect: str) -> None:
        super().__init__(session, dialect)
        # task id -> its assignee as this unit of work opened or ended it (for the
        # activity history of the same step, without reading it back)
        self.assignees: dict[str, str | None] = {}

    def opened(self, rows: Sequence[dict[str, Any]]) -> None:
        """Record new open tasks, given as the human_tasks rows being inserted.

        A task opened again under an id it had before (a token moved back) is a new
        historic task: it keeps its task_id and gets a fresh id of its own.
        """
        if not rows:
            return
        values = [{**{k: row[k] for k in _COLUMNS}, "h_task": row["id"],
                   "h_fresh": str(uuid.uuid4())} for row in rows]
        if self._ended:
            self._ended.difference_update(row["id"] for row in rows)
        self.assignees.update((row["id"], row["assignee"]) for row in rows)
        _OPEN.execute(self.session, values)

    def ended(self, task_ids: Sequence[str], now: datetime, reason: str,
              by: str | None = None) -> None:
        """Mark open tasks ended, copying their last assignee, dates and priority.

        `by` (who completed an unassigned task) becomes its assignee: the person who worked
        it. Call it while the human_tasks rows still exist (before the projection deletes
        them); ids without a historic row (a skipped service task) change nothing.
        """
        if self._ended is None:
            self._ended = set()
        if by is not None:
            self.assignees.update((task_id, by) for task_id in task_ids)
        ids = [task_id for task_id in task_ids if task_id not in self._ended]
        if not ids:
            return
        self._ended.update(ids)
        params = {f"h_id{i}": task_id for i, task_id in enumerate(ids)}
        _end_for(len(ids)).execute(self.session, {**params, "h_now": now, "h_reason": reason,
                                                  "h_by": by})


class AnnotationRepository(Repository):
    def annotate(self, event_id: int, annotation: str | None, by: str, now: datetime) -> None:
        """Set (or, given None, clear) the note on one operation log entry."""
        self.session.execute(delete(OperationAnnotation)
                             .where(OperationAnnotation.event_id == event_id))
        if annotation is not None:
            self.session.add(OperationAnnotation(event_id=event_id, annotation=annotation,
                                                 annotated_by=by, annotated_at=now))
