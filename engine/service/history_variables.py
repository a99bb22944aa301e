"""Historic variables: what each instance holds now, and the updates its history recorded.

Variables live in the stored workflow, not in SQL: a query names its instances (at most
MAX_INSTANCES, in scope) and is filtered, sorted and paged here, over those instances only.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import bpmn
from engine.errors import InvalidState, NotFound
from engine.models import HistoryEvent, ProcessInstance
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.runtime import load_workflow
from engine.uow import UnitOfWork

MAX_INSTANCES = 100
# Events that set variables -> the data key holding them (None: the data is the values).
UPDATES = {"instance_started": "variables", "variables_set": "values",
           "message_received": "variables", "external_task_completed": "variables",
           "external_task_bpmn_error": "variables", "external_task_failed": "variables",
           "task_completed": None}
_MARKS = ("admin_override",)  # task_completed data that is not a form value


@dataclass(frozen=True)
class Variable:
    """One variable of an instance, as it is now."""

    instance: ProcessInstance
    name: str
    value: Any

    @property
    def instance_id(self) -> str:
        return self.instance.id


@dataclass(frozen=True)
class Update:
    """One value an event gave a variable; revision counts the variable's updates (from 1)."""

    event: HistoryEvent
    instance: ProcessInstance
    name: str
    value: Any
    revision: int

    @property
    def instance_id(self) -> str:
        return self.instance.id

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def task_id(self) -> str | None:
        return self.event.task_id if self.event.action == "task_completed" else None

    @property
    def initial(self) -> bool:
        return self.event.action == "instance_started"


def _instance_ids(q: Query) -> list[str]:
    ids: list[str] = []
    for field, op, value in q.filters:
        if field == "instance_id":
            ids += list(value) if op == "in" else [value]
    if not ids:
        raise InvalidState("processInstanceId or processInstanceIdIn is required: variables "
                           "are read from each instance's stored workflow")
    if len(set(ids)) > MAX_INSTANCES:
        raise InvalidState(f"at most {MAX_INSTANCES} process instances per query")
    return sorted(set(ids))


def _instances(uow: UnitOfWork, q: Query, actor: Actor) -> list[ProcessInstance]:
    rows = uow.queries.rows("history_instance", Query(filters=(
        ("id", "in", _instance_ids(q)),)), scopes.scope_of(actor))
    return [instance for instance, _definition in rows]


def _matches(value: Any, op: str, wanted: Any) -> bool:
    if op == "in":
        return value in wanted
    if op == "null":
        return (value is None) == bool(wanted)
    if op == "like":
        pattern = str(wanted).replace("[", "[[]").replace("%", "*").replace("_", "?")
        return value is not None and fnmatch.fnmatchcase(str(value), pattern)
    if op in ("lt", "gt"):
        return value is not None and (value < wanted if op == "lt" else value > wanted)
    return bool(value == wanted)


def _sort_key(field: str) -> Callable[[Any], Any]:
    return lambda row: (getattr(row, field) is None, getattr(row, field))


def _page(rows: list[Any], q: Query) -> list[Any]:
    """Filters (field = attribute), sorts and pages rows as the Query says."""
    kept = [r for r in rows if all(_matches(getattr(r, f), op, v) for f, op, v in q.filters)]
    for field, descending in reversed(q.sort):
        kept.sort(key=_sort_key(field), reverse=descending)
    end = None if q.limit is None else q.offset + q.limit
    return kept[q.offset:end]


def recorded_values(event: HistoryEvent) -> dict[str, Any]:
    """The variable values an event of UPDATES recorded, by name."""
    key = UPDATES[event.action]
    data = event.data or {}
    found = data.get(key) if key else {k: v for k, v in data.items() if k not in _MARKS}
    return found if isinstance(found, dict) else {}


def variables(uow: UnitOfWork, q: Query, *, actor: Actor) -> list[Variable]:
    """The variables of the named instances in scope (running or ended), filtered."""
    rows = []
    for instance in _instances(uow, q, actor):
        values = bpmn.variables(load_workflow(uow, instance))
        rows += [Variable(instance, name, value) for name, value in sorted(values.items())
                 if not name.startswith("_")]
    return _page(rows, q)


def updates(uow: UnitOfWork, q: Query, *, actor: Actor) -> list[Update]:
    """Each variable value the history recorded for the named instances, oldest first."""
    rows: list[Update] = []
    for instance in _instances(uow, q, actor):
        revisions: Counter[str] = Counter()
        for event in uow.history.for_instance(instance.id):
            if event.action not in UPDATES:
                continue
            for name, value in sorted(recorded_values(event).items()):
                revisions[name] += 1
                rows.append(Update(event, instance, name, value, revisions[name]))
    return _page(rows, q)


def variable(uow: UnitOfWork, ident: str, *, actor: Actor) -> Variable:
    """One variable by its id, '<instance id>:<name>'."""
    instance_id, _, name = ident.partition(":")
    found = variables(uow, Query(filters=(("instance_id", "eq", instance_id),
                                          ("name", "eq", name))), actor=actor) if name else []
    if not found:
        raise NotFound(f"historic variable instance with id {ident} does not exist")
    return found[0]


def update(uow: UnitOfWork, ident: str, *, actor: Actor) -> Update:
    """One variable update by its id, '<instance id>:<event id>:<name>'."""
    instance_id, _, rest = ident.partition(":")
    event_id, _, name = rest.partition(":")
    found = [u for u in updates(uow, Query(filters=(("instance_id", "eq", instance_id),
                                                    ("name", "eq", name))), actor=actor)
             if str(u.event.id) == event_id] if name else []
    if not found:
        raise NotFound(f"historic detail with id {ident} does not exist")
    return found[0]
