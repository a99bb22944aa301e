"""Camunda's task comments (kept after the task ends) and the files a task attached."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz, files
from engine.config import Settings
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import FileAttachment, HumanTask, TaskComment
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.rest_task_data import locked_task
from engine.service.runtime import record
from engine.uow import UnitOfWork

MAX_MESSAGE = 4000


def _seen_task(uow: UnitOfWork, task_id: str, actor: Actor) -> str:
    """The instance of a task the actor may read: open and in scope, or ended in a visible
    instance (its comments and files stay readable, as in Camunda's history)."""
    task: HumanTask | None = uow.tasks.get_scoped(task_id, scopes.scope_of(actor))
    if task is not None:
        return task.instance_id
    instance_id = uow.task_extras.instance_of_task(task_id)
    if instance_id is None:
        raise NotFound(f"task {task_id} does not exist")
    try:
        scopes.visible_instance(uow, instance_id, actor)
    except NotFound:
        raise NotFound(f"task {task_id} does not exist") from None
    return instance_id


def _message(message: Any) -> str:
    if not isinstance(message, str) or not message.strip():
        raise ValidationFailed("message is required", details={"message": ["required"]})
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed(f"message is longer than {MAX_MESSAGE} characters",
                               details={"message": ["too long"]})
    return message


def comments(uow: UnitOfWork, task_id: str, *, actor: Actor) -> Sequence[TaskComment]:
    _seen_task(uow, task_id, actor)
    return uow.task_extras.comments(task_id)


def comment(uow: UnitOfWork, task_id: str, comment_id: str, *, actor: Actor) -> TaskComment:
    _seen_task(uow, task_id, actor)
    row = uow.task_extras.comment(comment_id)
    if row is None or row.task_id != task_id:
        raise NotFound(f"task comment {comment_id} of task {task_id} does not exist")
    return row


def add_comment(uow: UnitOfWork, task_id: str, message: Any, *, actor: Actor,
                now: datetime) -> TaskComment:
    """Who may complete the task may comment on it."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "comment on")
    row = TaskComment(id=str(uuid.uuid4()), task_id=task.id, instance_id=task.instance_id,
                      user_id=actor.username, message=_message(message), created_at=now)
    uow.task_extras.add(row)
    record(uow, task.instance_id, actor, "task_commented", now, element_id=task.element_id,
           task_id=task.id, data={"comment_id": row.id})
    uow.flush()
    return row


def update_comment(uow: UnitOfWork, task_id: str, comment_id: Any, message: Any, *,
                   actor: Actor, now: datetime) -> None:
    if not isinstance(comment_id, str) or not comment_id:
        raise ValidationFailed("id (the comment's) is required", details={"id": ["required"]})
    row = comment(uow, task_id, comment_id, actor=actor)
    authz.require_comment_author(actor, row.user_id)
    previous, row.message = row.message, _message(message)
    record(uow, row.instance_id, actor, "task_comment_changed", now, task_id=task_id,
           data={"comment_id": row.id, "before": previous})
    uow.flush()


def delete_comments(uow: UnitOfWork, task_id: str, comment_id: str | None, *, actor: Actor,
                    now: datetime) -> None:
    """Delete one comment (its author or admin) or all of a task's comments (admin)."""
    if comment_id is None:
        _seen_task(uow, task_id, actor)
        rows = list(uow.task_extras.comments(task_id))
        authz.require_admin(actor, "delete all comments of a task")
    else:
        rows = [comment(uow, task_id, comment_id, actor=actor)]
        authz.require_comment_author(actor, rows[0].user_id)
    for row in rows:
        record(uow, row.instance_id, actor, "task_comment_deleted", now, task_id=task_id,
               data={"comment_id": row.id, "message": row.message, "by": row.user_id})
    uow.task_extras.delete_comments(rows)
    uow.flush()


def attachments(uow: UnitOfWork, task_id: str, *, actor: Actor) -> list[tuple[Any, Any]]:
    """(FileAttachment, StoredFile) of the files the task attached on completion."""
    _seen_task(uow, task_id, actor)
    return [(pair[0], pair[1]) for pair in uow.task_extras.attachments(task_id)]


def attachment(uow: UnitOfWork, task_id: str, attachment_id: str, *,
               actor: Actor) -> tuple[Any, Any]:
    for pair in attachments(uow, task_id, actor=actor):
        if pair[1].id == attachment_id:
            return pair
    raise NotFound(f"attachment {attachment_id} of task {task_id} does not exist")


def _attachment_owner(uow: UnitOfWork, task: HumanTask, actor: Actor) -> str:
    """The group that owns a file attached to the task: its instance's unit, else its
    province (the instance row has the scope; a task row may predate it)."""
    instance = uow.instances.get(task.instance_id)
    unit = task.unit_id or (instance.unit_id if instance else None)
    province = task.province_code or (instance.province_code if instance else None)
    owners = [f"unit:{unit}" if unit else None,
              f"province:{province}" if province else None]
    for owner in owners:
        if owner is not None and authz.owns_file(actor, owner):
            return owner
    raise Forbidden(f"{actor.username} may not store files for task {task.id}'s unit or "
                    "province")


def add_attachment(uow: UnitOfWork, settings: Settings, task_id: str, name: str,
                   content: bytes, *, actor: Actor, now: datetime) -> tuple[Any, Any]:
    """Store an upload and attach it to the task's instance (what a completion with a file
    does): who may complete the task may attach."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "attach files to")
    ref = files.upload_file(uow, settings, _attachment_owner(uow, task, actor), name, content,
                            actor, now)
    if any(pair[1].id == ref.file_id for pair in uow.task_extras.attachments(task.id)):
        raise ValidationFailed(f"{ref.name} is already attached to task {task.id}",
                               details={"content": ["already attached"]})
    uow.product.attach([FileAttachment(file_id=ref.file_id, instance_id=task.instance_id,
                                       task_id=task.id, attached_by=actor.username,
                                       attached_at=now)])
    record(uow, task.instance_id, actor, "task_file_attached", now,
           element_id=task.element_id, task_id=task.id, data={"file_id": ref.file_id})
    uow.flush()
    return attachment(uow, task.id, ref.file_id, actor=actor)


def remove_attachment(uow: UnitOfWork, task_id: str, attachment_id: str, *, actor: Actor,
                      now: datetime) -> None:
    """Detach a file (who attached it, or admin); the stored file stays its owner's."""
    attached, _stored = attachment(uow, task_id, attachment_id, actor=actor)
    if not (authz.is_admin(actor) or attached.attached_by == actor.username):
        raise Forbidden(f"only {attached.attached_by} (or admin) may remove this attachment")
    record(uow, attached.instance_id, actor, "task_file_detached", now, task_id=task_id,
           data={"file_id": attachment_id})
    uow.task_extras.remove(attached)
    uow.flush()


# --- the comments of a process instance (Camunda's /process-instance/{id}/comment) ---------

def instance_comments(uow: UnitOfWork, instance_id: str, *,
                      actor: Actor) -> Sequence[TaskComment]:
    """Every comment on the tasks of an instance the actor may see, oldest first."""
    scopes.visible_instance(uow, instance_id, actor)
    return uow.task_extras.instance_comments(instance_id)


def _instance_comment(uow: UnitOfWork, instance_id: str, comment_id: Any,
                      actor: Actor) -> TaskComment:
    if not isinstance(comment_id, str) or not comment_id:
        raise ValidationFailed("id (the comment's) is required", details={"id": ["required"]})
    scopes.visible_instance(uow, instance_id, actor)
    row = uow.task_extras.comment(comment_id)
    if row is None or row.instance_id != instance_id:
        raise NotFound(f"comment {comment_id} of process instance {instance_id} does not exist")
    return row


def update_instance_comment(uow: UnitOfWork, instance_id: str, comment_id: Any, message: Any,
                            *, actor: Actor, now: datetime) -> None:
    """Change a comment's message (its author or admin)."""
    row = _instance_comment(uow, instance_id, comment_id, actor)
    update_comment(uow, row.task_id, row.id, message, actor=actor, now=now)


def delete_instance_comments(uow: UnitOfWork, instance_id: str, comment_id: str | None, *,
                             actor: Actor, now: datetime) -> None:
    """Delete one comment (its author or admin) or every comment of the instance (admin)."""
    if comment_id is not None:
        row = _instance_comment(uow, instance_id, comment_id, actor)
        delete_comments(uow, row.task_id, row.id, actor=actor, now=now)
        return
    rows = list(instance_comments(uow, instance_id, actor=actor))
    authz.require_admin(actor, "delete all comments of a process instance")
    for row in rows:
        record(uow, row.instance_id, actor, "task_comment_deleted", now, task_id=row.task_id,
               data={"comment_id": row.id, "message": row.message, "by": row.user_id})
    uow.task_extras.delete_comments(rows)
    uow.flush()
