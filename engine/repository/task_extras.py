"""Queries on what Camunda keeps beside a user task: details, candidates, comments, files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select

from engine.models import (
    FileAttachment,
    HistoryEvent,
    HumanTask,
    StoredFile,
    TaskCandidate,
    TaskComment,
    TaskDetail,
)
from engine.repository.base import Repository
from engine.repository.scopes import ScopeFilter, task_scope_clause


class TaskExtraRepository(Repository):
    def detail(self, task_id: str) -> TaskDetail | None:
        return self.session.get(TaskDetail, task_id)

    def ensure_detail(self, task_id: str) -> TaskDetail:
        """The task's detail row, created empty when it has none yet."""
        row = self.detail(task_id)
        if row is None:
            row = TaskDetail(task_id=task_id, local_variables={})
            self.session.add(row)
        return row

    def add_candidate(self, task_id: str, kind: str, value: str) -> None:
        found = self.session.get(TaskCandidate, (task_id, kind, value))
        if found is None:
            self.session.add(TaskCandidate(task_id=task_id, kind=kind, value=value))

    def remove_candidate(self, task_id: str, kind: str, value: str) -> None:
        self.session.execute(delete(TaskCandidate).where(
            TaskCandidate.task_id == task_id, TaskCandidate.kind == kind,
            TaskCandidate.value == value))

    def candidate_group_counts(self, scope: ScopeFilter) -> list[tuple[str | None, int]]:
        """Open unassigned tasks in scope per candidate group; None: tasks with no group."""
        free = (select(HumanTask.id).where(task_scope_clause(scope),
                                           HumanTask.assignee.is_(None)))
        grouped = (select(TaskCandidate.value, func.count())
                   .where(TaskCandidate.kind == "group", TaskCandidate.task_id.in_(free))
                   .group_by(TaskCandidate.value).order_by(TaskCandidate.value))
        result: list[tuple[str | None, int]] = [
            (value, int(n)) for value, n in self.session.execute(grouped).all()]
        with_group = select(TaskCandidate.task_id).where(TaskCandidate.kind == "group")
        none = self.session.scalar(select(func.count()).select_from(
            free.where(HumanTask.id.not_in(with_group)).subquery()))
        if none:
            result.insert(0, (None, int(none)))
        return result

    # --- comments ---------------------------------------------------------------------------

    def comments(self, task_id: str) -> Sequence[TaskComment]:
        stmt = select(TaskComment).where(TaskComment.task_id == task_id)
        return self.session.scalars(stmt.order_by(TaskComment.created_at,
                                                  TaskComment.id)).all()

    def instance_comments(self, instance_id: str) -> Sequence[TaskComment]:
        stmt = select(TaskComment).where(TaskComment.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(TaskComment.created_at,
                                                  TaskComment.id)).all()

    def comment(self, comment_id: str) -> TaskComment | None:
        return self.session.get(TaskComment, comment_id)

    def instance_of_task(self, task_id: str) -> str | None:
        """The instance of a task that is no longer open: by its comments, files or history."""
        for stmt in (select(TaskComment.instance_id).where(TaskComment.task_id == task_id),
                     select(FileAttachment.instance_id)
                     .where(FileAttachment.task_id == task_id,
                            FileAttachment.task_id != FileAttachment.instance_id),
                     select(HistoryEvent.instance_id).where(HistoryEvent.task_id == task_id,
                                                            HistoryEvent.instance_id.is_not(None))):
            found = self.session.scalars(stmt.limit(1)).first()
            if found is not None:
                return str(found)
        return None

    def delete_comments(self, rows: Sequence[TaskComment]) -> None:
        for row in rows:
            self.session.delete(row)

    def remove(self, row: FileAttachment) -> None:
        self.session.delete(row)

    # --- attachments ------------------------------------------------------------------------

    def attachments(self, task_id: str) -> Sequence[Any]:
        """(FileAttachment, StoredFile) pairs the task attached, oldest first (a row whose
        task is its instance holds a File variable's file: no task's attachment)."""
        stmt = (select(FileAttachment, StoredFile)
                .join(StoredFile, StoredFile.id == FileAttachment.file_id)
                .where(FileAttachment.task_id == task_id,
                       FileAttachment.task_id != FileAttachment.instance_id)
                .order_by(FileAttachment.attached_at, StoredFile.id))
        return [tuple(row) for row in self.session.execute(stmt).all()]
