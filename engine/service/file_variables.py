"""Camunda File variables: content kept in the file store, the variable holds a reference.

A door turns a File typed value into an IncomingFile; `store_all` keeps its content in the
file store (engine.files) and puts a reference in its place before the command runs, and
`attach_stored` then attaches the files to every instance the command recorded an event of.
Reading a File variable's content goes through the instance (task, execution) the caller
may see, and only to a file attached to that instance: a reference copied into a Json
variable by hand gives nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import files
from engine.config import Settings
from engine.errors import NotFound, ValidationFailed
from engine.models import FileAttachment
from engine.service import history_variables, rest_executions, rest_queries, rest_task_data, scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork

OWNER = "camunda:variables"  # no group owns it: read through an attaching instance, or ops
REF_KEYS = frozenset({"file_id", "filename", "mimetype", "encoding", "size", "sha256"})


@dataclass(frozen=True)
class IncomingFile:
    """A File value as a client sent it, before the store keeps it."""

    filename: str
    mimetype: str | None
    encoding: str | None
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class FileContent:
    """A File variable's content and what Camunda answers about it."""

    filename: str
    mimetype: str | None
    encoding: str | None
    content: bytes


def is_ref(value: Any) -> bool:
    """Whether a variable value is a File variable's reference."""
    return isinstance(value, dict) and set(value) == REF_KEYS


def carries_files(value: Any) -> bool:
    """Whether command arguments hold an IncomingFile anywhere (dicts, lists, dataclasses)."""
    if isinstance(value, IncomingFile):
        return True
    if isinstance(value, dict):
        return any(carries_files(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(carries_files(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(carries_files(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def store_all(uow: UnitOfWork, settings: Settings, value: Any, actor: Actor, now: datetime,
              stored: list[str]) -> Any:
    """value with every IncomingFile kept in the store and replaced by its reference; the
    ids of the stored files are appended to `stored`."""
    if isinstance(value, IncomingFile):
        row = files.store_checked_elsewhere(uow, settings, OWNER, value.filename,
                                            value.content, actor.username, now)
        stored.append(row.id)
        return {"file_id": row.id, "filename": value.filename, "mimetype": value.mimetype,
                "encoding": value.encoding, "size": row.size, "sha256": row.sha256}

    def again(item: Any) -> Any:
        return store_all(uow, settings, item, actor, now, stored)

    if isinstance(value, dict):
        return {k: again(v) for k, v in value.items()}
    if isinstance(value, list):
        return [again(v) for v in value]
    if isinstance(value, tuple):
        return tuple(again(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            f.name: again(getattr(value, f.name)) for f in dataclasses.fields(value)
            if f.init})
    return value


def attach_stored(uow: UnitOfWork, stored: list[str], actor: Actor, now: datetime) -> None:
    """Attach the stored files to the instances the command changed; a command that changed
    none (a decision evaluation) has nowhere to keep a file."""
    if not stored:
        return
    instances = uow.history.touched_instances()
    if not instances:
        raise ValidationFailed("File variables are kept with a process instance; this "
                               "call sets no instance's variables",
                               details={"type": ["File"]})
    uow.product.attach(
        # task_id = the instance: a variable's file, never one task's attachment
        FileAttachment(file_id=file_id, instance_id=instance_id, task_id=instance_id,
                       attached_by=actor.username, attached_at=now)
        for file_id in sorted(set(stored)) for instance_id in instances)


def _content(uow: UnitOfWork, settings: Settings, instance_id: str, name: str, value: Any,
             what: str) -> FileContent:
    if not is_ref(value):
        raise ValidationFailed(f"Value of variable {name} of {what} is not a binary value",
                               details={name: ["not a File"]})
    row = uow.product.file(str(value["file_id"]))
    attached = {i.id for i in uow.product.instances_attaching(row.id)} if row else set()
    if row is None or instance_id not in attached:
        raise NotFound(f"the file of variable {name} of {what} does not exist")
    return FileContent(str(value["filename"]), value["mimetype"], value["encoding"],
                       files.read_content(settings, row))


def _named(values: dict[str, Any], name: str, what: str) -> Any:
    if name not in values:
        raise NotFound(f"variable {name} of {what} does not exist")
    return values[name]


def instance_data(uow: UnitOfWork, settings: Settings, instance_id: str, name: str, *,
                  actor: Actor) -> FileContent:
    """The content of a File variable of a process instance in the actor's scope."""
    what = f"process instance {instance_id}"
    value = _named(rest_queries.instance_variables(uow, instance_id, actor=actor), name, what)
    return _content(uow, settings, instance_id, name, value, what)


def task_data(uow: UnitOfWork, settings: Settings, task_id: str, name: str, *,
              actor: Actor, local: bool = False) -> FileContent:
    """The content of a File variable a task sees (local=True: only its local ones)."""
    read: Callable[..., Any] = (rest_task_data.local_variable if local
                                else rest_task_data.task_variable)
    value = read(uow, task_id, name, actor=actor)
    instance_id = scopes.visible_task(uow, task_id, actor).instance_id
    return _content(uow, settings, instance_id, name, value, f"task {task_id}")


def execution_data(uow: UnitOfWork, settings: Settings, execution_id: str, name: str, *,
                   actor: Actor) -> FileContent:
    """The content of a File variable of an execution (the instance's holds them all)."""
    what = f"execution {execution_id}"
    values = rest_executions.local_variables(uow, execution_id, actor=actor)
    instance = rest_executions.get_execution(uow, execution_id, actor=actor).instance
    return _content(uow, settings, instance.id, name, _named(values, name, what), what)


def variable_instance_data(uow: UnitOfWork, settings: Settings, variable_id: str, *,
                           actor: Actor) -> FileContent:
    item = rest_executions.get_variable(uow, variable_id, actor=actor)
    return _content(uow, settings, item.instance.id, item.name, item.value,
                    f"variable instance {variable_id}")


def historic_variable_data(uow: UnitOfWork, settings: Settings, ident: str, *,
                           actor: Actor) -> FileContent:
    item = history_variables.variable(uow, ident, actor=actor)
    return _content(uow, settings, item.instance_id, item.name, item.value,
                    f"historic variable instance {ident}")


def historic_detail_data(uow: UnitOfWork, settings: Settings, ident: str, *,
                         actor: Actor) -> FileContent:
    item = history_variables.update(uow, ident, actor=actor)
    return _content(uow, settings, item.instance_id, item.name, item.value,
                    f"historic detail {ident}")
