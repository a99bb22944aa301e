"""Runtime commands of the Camunda REST API on one instance: activity tree, suspension,
deleting variables, and Camunda's process instance modification (Cockpit's move token)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import authz, bpmn, ids
from engine.bpmn import modification
from engine.bpmn.activity_tree import ActivityNode, activity_tree, flow_target, outgoing_targets
from engine.bpmn.snapshot import snapshot
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import Incident, ProcessDefinition, ProcessInstance
from engine.repository import Query
from engine.service import scopes
from engine.service.activity_runs import record_runs
from engine.service.actors import Actor
from engine.service.instances import (
    resume_instance,
    set_variables,
    suspend_instance,
    terminate_instance,
)
from engine.service.rest_queries import instance
from engine.service.runtime import advance_and_save, load_workflow, lock_instance, record
from engine.uow import UnitOfWork

BULK_LIMIT = 10_000  # instances one bulk suspension touches (each is locked in turn)


@dataclass(frozen=True)
class ActivityTree:
    """An instance's root activity instance and its active children."""

    instance: ProcessInstance
    definition: ProcessDefinition | None
    children: list[ActivityNode]
    incidents: list[Incident]  # open ones; matched to activities by task id


def activity_instances(uow: UnitOfWork, instance_id: str, *, actor: Actor) -> ActivityTree:
    """The activity-instance tree of a running instance in scope (ids: engine.ids)."""
    row = instance(uow, instance_id, actor=actor)
    workflow = load_workflow(uow, row)
    incidents = list(uow.incidents.open_for(row.id))
    failed = {i.task_id for i in incidents if i.task_id}
    return ActivityTree(row, uow.definitions.get(row.definition_id),
                        activity_tree(workflow, failed), incidents)


def flatten(nodes: Sequence[ActivityNode]) -> list[ActivityNode]:
    """Every node of a tree, parents before their children."""
    result: list[ActivityNode] = []
    for node in nodes:
        result.append(node)
        result.extend(flatten(node.children))
    return result


def set_suspended(uow: UnitOfWork, instance_id: str, suspended: bool, *, actor: Actor,
                  now: datetime) -> None:
    """Suspend or activate one instance; asking for the state it is in changes nothing."""
    row = instance(uow, instance_id, actor=actor)
    if (row.status == "suspended") == suspended:
        authz.require_manage_instance(actor, row)
        return
    (suspend_instance if suspended else resume_instance)(uow, instance_id, actor, now)


def set_suspended_by_definition(uow: UnitOfWork, suspended: bool, *,
                                definition_id: str | None = None,
                                definition_key: str | None = None, actor: Actor,
                                now: datetime) -> int:
    """Suspend or activate every runtime instance of a definition (id) or of all versions
    of a key, in scope; ops only. Locks the instances in ascending id order."""
    authz.require_ops(actor, "suspend or activate instances")
    if (definition_id is None) == (definition_key is None):
        raise ValidationFailed("give exactly one of processDefinitionId and "
                               "processDefinitionKey")
    field_name, value = (("definition_id", definition_id) if definition_id is not None
                         else ("process_key", definition_key))
    now_in = "active" if suspended else "suspended"
    rows = uow.queries.rows("instance", Query(
        filters=((field_name, "eq", value), (now_in, "eq", True)),
        sort=(("id", False),), limit=BULK_LIMIT), scopes.scope_of(actor))
    for row in rows:
        set_suspended(uow, row.id, suspended, actor=actor, now=now)
    return len(rows)


def delete_variables(uow: UnitOfWork, instance_id: str, names: Sequence[str], *,
                     actor: Actor, now: datetime) -> list[str]:
    """Remove process variables (ops, recorded); names that are not set are no error."""
    instance(uow, instance_id, actor=actor)
    authz.require_ops(actor, "edit variables")
    row = lock_instance(uow, instance_id)
    workflow = load_workflow(uow, row)
    removed = modification.delete_variables(workflow, names)
    record(uow, row.id, actor, "variables_deleted", now, data={"names": list(names),
                                                               "removed": removed})
    if removed and bpmn.has_waiting_conditions(workflow):  # one may hold now: run on
        advance_and_save(uow, row, workflow, actor, now)
    else:
        record_runs(uow, row, workflow, snapshot(workflow).tasks, now)  # seeded ones (old)
        row.state_json = bpmn.dump_state(workflow)
    uow.flush()
    return removed


def modify_variables(uow: UnitOfWork, instance_id: str, values: dict[str, Any],
                     names: Sequence[str], *, actor: Actor, now: datetime) -> None:
    """Camunda's variables modification in one unit of work: set, then delete."""
    instance(uow, instance_id, actor=actor)
    if values:
        set_variables(uow, instance_id, values, actor, now, reason="set through /engine-rest")
    if names:
        delete_variables(uow, instance_id, names, actor=actor, now=now)


@dataclass(frozen=True)
class Instruction:
    """One of Camunda's modification instructions, as the door parsed it."""

    type: str  # cancel, startBeforeActivity, startAfterActivity, startTransition
    activity_id: str | None = None
    activity_instance_id: str | None = None
    transition_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


STARTS = ("startBeforeActivity", "startAfterActivity", "startTransition")


def modify(uow: UnitOfWork, instance_id: str, instructions: Sequence[Instruction], *,
           annotation: str | None = None, actor: Actor, now: datetime) -> None:
    """Cancel activity instances and start elements in their place (ops, recorded).

    Each start takes the place of one cancelled token (in order); a start beside the
    running tokens is refused. Cancelling every activity instance ends the instance, as
    Camunda does.
    """
    instance(uow, instance_id, actor=actor)  # out of scope or ended: NotFound first
    authz.require_ops(actor, "modify process instances")
    if not instructions:
        raise ValidationFailed("instructions: at least one instruction is required")
    row = lock_instance(uow, instance_id)
    if row.status == "suspended":
        raise InvalidState(f"process instance {instance_id} is suspended")
    workflow = load_workflow(uow, row)
    active = [n for n in flatten(activity_tree(workflow)) if not n.children]
    cancelled = _cancelled(instructions, active)
    targets = [_target(uow, row, workflow, i) for i in instructions if i.type in STARTS]
    data = {"instructions": [i.__dict__ for i in instructions], "annotation": annotation}
    if not targets and {n.task_id for n in active} <= {n.task_id for n in cancelled}:
        terminate_instance(uow, instance_id, actor, now,
                           reason=annotation or "every activity instance was cancelled")
        return
    if len(targets) > len(cancelled):
        raise InvalidState("starting an activity beside the running ones (a new concurrent "
                           "token) is not supported: cancel the activity instance it replaces "
                           "in the same modification")
    for node in cancelled[len(targets):]:
        modification.cancel_token(workflow, node.task_id)
    for node, element_id in zip(cancelled, targets, strict=False):
        modification.start_before(workflow, node.task_id, element_id)
    gone = {n.task_id for n in cancelled}
    for incident in uow.incidents.open_for(row.id):
        if incident.task_id in gone:
            incident.resolved_at, incident.resolved_by = now, actor.username
            incident.resolution = "token_moved"
    record(uow, row.id, actor, "instance_modified", now, data=data)
    advance_and_save(uow, row, workflow, actor, now)


def _cancelled(instructions: Sequence[Instruction],
               active: list[ActivityNode]) -> list[ActivityNode]:
    result: list[ActivityNode] = []
    for item in instructions:
        if item.type != "cancel":
            continue
        if item.activity_instance_id:
            task_id = ids.task_of_activity_instance(item.activity_instance_id)
            found = [n for n in active if n.task_id == task_id]
            what = f"activity instance {item.activity_instance_id}"
        elif item.activity_id:
            found = [n for n in active if n.element_id == item.activity_id]
            what = f"activity {item.activity_id}"
        else:
            raise ValidationFailed("cancel: give activityId or activityInstanceId")
        if not found:
            raise InvalidState(f"{what} is not active in this process instance")
        result.extend(n for n in found if n not in result)
    return result


def _target(uow: UnitOfWork, row: ProcessInstance, workflow: Any, item: Instruction) -> str:
    """The element a start instruction starts."""
    if item.type == "startTransition":
        if not item.transition_id:
            raise ValidationFailed("startTransition: transitionId is required")
        for definition_id in [row.definition_id, *(row.bindings or {}).values()]:
            definition = uow.definitions.get(definition_id)
            target = flow_target(definition.source_xml, item.transition_id) if definition else None
            if target:
                return target
        raise NotFound(f"sequence flow {item.transition_id} is not in the diagram")
    if not item.activity_id:
        raise ValidationFailed(f"{item.type}: activityId is required")
    if item.type == "startBeforeActivity":
        return item.activity_id
    after = outgoing_targets(workflow, item.activity_id)
    if len(after) != 1:
        raise InvalidState(f"activity {item.activity_id} has {len(after)} outgoing sequence "
                           "flows; startAfterActivity needs exactly one")
    return after[0]
