"""Camunda executions and variable instances over our model, read from the workflows.

An instance is one execution (id = the instance id); each active token is one more, a child
of the instance's execution or, inside a subprocess, of the subprocess's execution (ids:
engine.ids). Variables are process-wide: each is one variable instance of the instance's
execution. Both live in the stored workflow, so a list first selects the instances in SQL
(scope, instance filters, sorting) and reads at most MAX_INSTANCES of them; a broader
query is refused, naming the filters that narrow it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from engine import authz, bpmn, ids
from engine.bpmn import modification
from engine.bpmn.activity_tree import ActivityNode, activity_tree
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import Incident, ProcessInstance
from engine.models.events import EventSubscription
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.messages import correlate_message
from engine.service.rest_queries import instance
from engine.service.rest_runtime import modify_variables
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    lock_instance,
    open_incident,
    record,
)
from engine.uow import UnitOfWork

MAX_INSTANCES = 500
CUSTOM = "custom:"  # kind prefix of incidents opened through create-incident


@dataclass(frozen=True)
class Execution:
    id: str
    instance: ProcessInstance
    parent_id: str | None
    node: ActivityNode | None  # None: the instance's own execution


@dataclass(frozen=True)
class VariableInstance:
    id: str
    name: str
    value: Any
    instance: ProcessInstance


def executions_of(workflow: Any, row: ProcessInstance) -> list[Execution]:
    """The instance's execution, then one per active token and subprocess scope."""
    result = [Execution(row.id, row, None, None)]

    def walk(nodes: list[ActivityNode], parent: str) -> None:
        for node in nodes:
            own = ids.execution_id(row.id, node.task_id)
            result.append(Execution(own, row, parent, node))
            walk(node.children, own)
    walk(activity_tree(workflow), row.id)
    return result


def _instances(uow: UnitOfWork, q: Query, actor: Actor) -> Sequence[ProcessInstance]:
    scope = scopes.scope_of(actor)
    rows: Sequence[ProcessInstance] = uow.queries.rows(
        "instance", Query(q.filters, q.sort, 0, MAX_INSTANCES + 1), scope)
    if len(rows) > MAX_INSTANCES:
        raise ValidationFailed(
            f"more than {MAX_INSTANCES} process instances match; narrow the query with "
            "processInstanceId(In), businessKey or processDefinitionId")
    return rows


def _page(items: list[Any], q: Query) -> list[Any]:
    end = None if q.limit is None else q.offset + q.limit
    return items[q.offset:end]


def _matches(item: Execution, local: dict[str, Any]) -> bool:
    activity = local.get("activity_id")
    if activity is not None and (item.node is None or item.node.element_id != activity):
        return False
    wanted = local.get("id")
    return wanted is None or item.id == wanted


def list_executions(uow: UnitOfWork, q: Query, local: dict[str, Any], *, actor: Actor
                    ) -> tuple[list[Execution], int]:
    """(one page, total) of executions; `q` filters instances, `local` executions."""
    found: list[Execution] = []
    for row in _instances(uow, q, actor):
        found.extend(e for e in executions_of(load_workflow(uow, row), row)
                     if _matches(e, local))
    return _page(found, q), len(found)


def get_execution(uow: UnitOfWork, execution_id: str, *, actor: Actor) -> Execution:
    """One execution of a running instance in scope."""
    instance_id = ids.instance_of_execution(execution_id)
    try:
        row = instance(uow, instance_id, actor=actor)
    except NotFound:
        raise NotFound(f"Execution with id {execution_id} does not exist") from None
    for item in executions_of(load_workflow(uow, row), row):
        if item.id == execution_id:
            return item
    raise NotFound(f"Execution with id {execution_id} does not exist")


def local_variables(uow: UnitOfWork, execution_id: str, *, actor: Actor) -> dict[str, Any]:
    """The instance's execution holds the process variables; a token holds none of its own."""
    item = get_execution(uow, execution_id, actor=actor)
    if item.node is not None:
        return {}
    return bpmn.variables(load_workflow(uow, item.instance))


def _instance_execution(uow: UnitOfWork, execution_id: str, actor: Actor) -> Execution:
    item = get_execution(uow, execution_id, actor=actor)
    if item.node is not None:
        raise InvalidState(
            "variables are process-wide here: a token's execution has no local variables; "
            f"set them on the process instance's execution {item.instance.id}")
    return item


def modify_local_variables(uow: UnitOfWork, execution_id: str, values: dict[str, Any],
                           deletions: Sequence[str], *, actor: Actor, now: datetime) -> None:
    """Set and delete variables of the instance's execution (as the instance's /variables)."""
    item = _instance_execution(uow, execution_id, actor)
    modify_variables(uow, item.instance.id, values, deletions, actor=actor, now=now)


def signal(uow: UnitOfWork, execution_id: str, values: dict[str, Any], *, actor: Actor,
           now: datetime) -> None:
    """Let a token waiting at a catch event or receive task go on, with these variables."""
    item = get_execution(uow, execution_id, actor=actor)
    authz.require_ops(actor, "signal executions")
    if item.node is None:
        raise InvalidState(f"execution {execution_id} is the process instance itself; "
                           "signal the execution of the waiting activity")
    row = lock_instance(uow, item.instance.id)
    if row.status == "suspended":
        raise InvalidState(f"process instance {row.id} is suspended")
    workflow = load_workflow(uow, row)
    modification.signal_token(workflow, item.node.task_id, values)
    record(uow, row.id, actor, "execution_signalled", now, element_id=item.node.element_id,
           task_id=item.node.task_id, data={"variables": values})
    advance_and_save(uow, row, workflow, actor, now)


def message_subscription(uow: UnitOfWork, execution_id: str, name: str, *,
                         actor: Actor) -> EventSubscription:
    """The execution's waiting catch of message `name` (the instance's: any of its own)."""
    return _waiting_catch(uow, get_execution(uow, execution_id, actor=actor), name)


def _waiting_catch(uow: UnitOfWork, item: Execution, name: str) -> EventSubscription:
    for row in uow.events.subscriptions(item.instance.id, "message", name, 100):
        if item.node is None or row.element_id == item.node.element_id:
            return row
    raise NotFound(f"Message event subscription for execution {item.id} named "
                   f"{name} does not exist")


def trigger_message(uow: UnitOfWork, execution_id: str, name: str, values: dict[str, Any],
                    *, actor: Actor, now: datetime) -> None:
    """Deliver message `name` to that waiting execution's catch (Camunda's
    messageEventReceived); the instance's own execution: to every catch of it there."""
    item = get_execution(uow, execution_id, actor=actor)
    subscription = _waiting_catch(uow, item, name)
    correlate_message(uow, name, actor, now, variables=values or None,
                      process_instance_id=subscription.instance_id, one_catch=False,
                      catch_task=item.node.task_id if item.node is not None else None)


def list_variables(uow: UnitOfWork, q: Query, local: dict[str, Any], *, actor: Actor
                   ) -> tuple[list[VariableInstance], int]:
    """(one page, total) of variable instances; `local` filters by name, type, value."""
    found: list[VariableInstance] = []
    for row in _instances(uow, q, actor):
        values = bpmn.variables(load_workflow(uow, row))
        for name in sorted(values):
            item = VariableInstance(ids.variable_instance_id(row.id, name), name,
                                    values[name], row)
            if _variable_matches(item, local):
                found.append(item)
    for key, descending in reversed(local.get("sort") or []):
        found.sort(key=partial(_sort_key, key=key), reverse=descending)
    return _page(found, q), len(found)


def _variable_matches(item: VariableInstance, local: dict[str, Any]) -> bool:
    names = local.get("names")
    if names is not None and item.name not in names:
        return False
    like = local.get("name_like")
    if like is not None and not _like(item.name, like):
        return False
    return local.get("id") in (None, item.id)


def _like(text: str, pattern: str) -> bool:
    """SQL LIKE with % and _ (Camunda's *Like parameters)."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _sort_key(item: VariableInstance, *, key: str) -> Any:
    return {"variableName": item.name, "variableType": type(item.value).__name__,
            "activityInstanceId": item.instance.id}.get(key, item.name)


def get_variable(uow: UnitOfWork, variable_id: str, *, actor: Actor) -> VariableInstance:
    parts = ids.split_variable_instance_id(variable_id)
    missing = NotFound(f"Variable instance with Id '{variable_id}' does not exist.")
    if parts is None:
        raise missing
    try:
        row = instance(uow, parts[0], actor=actor)
    except NotFound:
        raise missing from None
    values = bpmn.variables(load_workflow(uow, row))
    if parts[1] not in values:
        raise missing
    return VariableInstance(variable_id, parts[1], values[parts[1]], row)


def create_incident(uow: UnitOfWork, execution_id: str, kind: str, message: str | None,
                    configuration: str | None, *, actor: Actor, now: datetime) -> Incident:
    """Open a custom incident on a token (ops); it is resolved like any other."""
    item = get_execution(uow, execution_id, actor=actor)
    authz.require_ops(actor, "create incidents")
    if not kind:
        raise ValidationFailed("incidentType is required")
    row = lock_instance(uow, item.instance.id)
    node = item.node
    incident = open_incident(uow, row, f"{CUSTOM}{kind}", message or "", now,
                             element_id=node.element_id if node else None,
                             task_id=node.task_id if node else None,
                             error_line=configuration)
    uow.flush()
    return incident
