"""Writes beside the history events: historic tasks (opened, ended), operation annotations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from engine.models import HistoricTask, HumanTask, OperationAnnotation
from engine.repository.base import Repository

_TABLE = cast(Table, HistoricTask.__table__)
_INSERT = _TABLE.insert()
_COLUMNS = ("id", "instance_id", "process_key", "element_id", "name", "assignee", "due_at",
            "follow_up_at", "priority", "created_at")


def _live(column: Any) -> Any:
    return select(column).where(HumanTask.id == HistoricTask.task_id).scalar_subquery()


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
        ids = [row["id"] for row in rows]
        taken = set(self.session.scalars(select(HistoricTask.id).where(HistoricTask.id.in_(ids))))
        values = [{**{k: row[k] for k in _COLUMNS}, "task_id": row["id"],
                   "id": str(uuid.uuid4()) if row["id"] in taken else row["id"]} for row in rows]
        if self._ended:
            self._ended.difference_update(ids)
        self.assignees.update((row["id"], row["assignee"]) for row in rows)
        self.session.execute(_INSERT, values[0] if len(values) == 1 else values)

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
        assignee = _live(HumanTask.assignee)
        stmt = (update(HistoricTask)
                .where(HistoricTask.task_id.in_(ids), HistoricTask.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason,
                        assignee=assignee if by is None else func.coalesce(assignee, by),
                        due_at=_live(HumanTask.due_at),
                        follow_up_at=_live(HumanTask.follow_up_at),
                        priority=func.coalesce(_live(HumanTask.priority),
                                               HistoricTask.priority))
                .execution_options(synchronize_session=False))
        self.session.execute(stmt)


class AnnotationRepository(Repository):
    def annotate(self, event_id: int, annotation: str | None, by: str, now: datetime) -> None:
        """Set (or, given None, clear) the note on one operation log entry."""
        self.session.execute(delete(OperationAnnotation)
                             .where(OperationAnnotation.event_id == event_id))
        if annotation is not None:
            self.session.add(OperationAnnotation(event_id=event_id, annotation=annotation,
                                                 annotated_by=by, annotated_at=now))
