"""Camunda /process-instance runtime: activity-instance tree, modification, suspension,
deleting variables."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
from engine import ids
from engine.service import rest_runtime
from engine.service.rest_runtime import ActivityTree, Instruction

INSTRUCTION_TYPES = ("cancel", "startBeforeActivity", "startAfterActivity", "startTransition")
# Accepted; DELETE /process-instance/{id} honours skipCustomListeners (the open tasks'
# delete listeners), elsewhere they have no effect yet.
SKIP_FLAGS = ("skipCustomListeners", "skipIoMappings")


def _incidents(tree: ActivityTree, task_id: str | None) -> list[dict[str, Any]]:
    return [{"id": i.id, "activityId": i.element_id} for i in tree.incidents
            if task_id is None or i.task_id == task_id]


def _node_dto(tree: ActivityTree, node: Any, parent: str) -> dict[str, Any]:
    row = tree.instance
    own = ids.activity_instance_id(node.element_id, node.task_id, row.id)
    incidents = _incidents(tree, node.task_id)
    return {
        "id": own, "parentActivityInstanceId": parent, "activityId": node.element_id,
        "activityType": node.type, "activityName": node.name,
        "processInstanceId": row.id, "processDefinitionId": row.definition_id,
        "childActivityInstances": [_node_dto(tree, c, own) for c in node.children],
        "childTransitionInstances": [],
        "executionIds": [ids.execution_id(row.id, node.task_id)],
        "incidentIds": [i["id"] for i in incidents], "incidents": incidents, "name": node.name,
    }


def tree_dto(tree: ActivityTree) -> dict[str, Any]:
    """Camunda's ActivityInstanceDto: the instance is the root (no transition instances:
    VocFlow has no asynchronous continuations). An incident sits on the activity instance
    of the element that failed (a gateway too); only one whose task is gone stays here."""
    row = tree.instance
    name = tree.definition.name if tree.definition else None
    incidents = [i for i in _incidents(tree, None)
                 if not any(i["id"] == j["id"] for n in rest_runtime.flatten(tree.children)
                            for j in _incidents(tree, n.task_id))]
    return {
        "id": row.id, "parentActivityInstanceId": None, "activityId": row.definition_id,
        "activityType": "processDefinition", "activityName": name, "name": name,
        "processInstanceId": row.id, "processDefinitionId": row.definition_id,
        "childActivityInstances": [_node_dto(tree, n, row.id) for n in tree.children],
        "childTransitionInstances": [], "executionIds": [row.id],
        "incidentIds": [i["id"] for i in incidents], "incidents": incidents,
    }


@routes.get("/process-instance/<instance_id>/activity-instances")
def activity_instances(instance_id: str) -> Any:
    return jsonify(tree_dto(run(rest_runtime.activity_instances, instance_id)))


def _text(item: dict[str, Any], name: str, where: str) -> str | None:
    value = item.get(name)
    if value is not None and not isinstance(value, str):
        raise RestError(f"{where}: {name} must be a string")
    return value or None


def _instruction(item: Any, index: int) -> Instruction:
    where = f"instructions[{index}]"
    if not isinstance(item, dict):
        raise RestError(f"{where} must be an object")
    kind = item.get("type")
    if kind not in INSTRUCTION_TYPES:
        raise RestError(f"{where}: type must be one of {', '.join(INSTRUCTION_TYPES)}, "
                        f"not {kind!r}")
    known = {"type", "activityId", "activityInstanceId", "transitionId", "transitionInstanceId",
             "ancestorActivityInstanceId", "variables", "cancelCurrentActiveActivityInstances"}
    unknown = sorted(set(item) - known)
    if unknown:
        raise RestError(f"{where}: unsupported field(s) {', '.join(unknown)}")
    for unsupported in ("variables", "ancestorActivityInstanceId", "transitionInstanceId"):
        if item.get(unsupported):
            raise RestError(f"{where}: {unsupported} is not supported")
    return Instruction(kind, _text(item, "activityId", where),
                       _text(item, "activityInstanceId", where),
                       _text(item, "transitionId", where))


def modification_request(body: dict[str, Any]) -> tuple[list[Instruction], str | None]:
    """The instructions and annotation of a modification body (skip flags: accepted)."""
    unknown = sorted(set(body) - {"instructions", "annotation", *SKIP_FLAGS})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    for name in SKIP_FLAGS:
        flag(body.get(name), name)
    items = body.get("instructions")
    if not isinstance(items, list) or not items:
        raise RestError("instructions must be a non-empty list")
    annotation = body.get("annotation")
    if annotation is not None and not isinstance(annotation, str):
        raise RestError("annotation must be a string")
    return [_instruction(item, i) for i, item in enumerate(items)], annotation


@routes.post("/process-instance/<instance_id>/modification")
def modify(instance_id: str) -> Any:
    """Cancel activity instances and start activities in their place (Cockpit's move)."""
    instructions, annotation = modification_request(json_body())
    run(rest_runtime.modify, instance_id, instructions, annotation=annotation)
    return "", 204


def _suspended(body: dict[str, Any]) -> bool:
    value = flag(body.get("suspended"), "suspended")
    if value is None:
        raise RestError("suspended must be true or false")
    return value


@routes.put("/process-instance/<instance_id>/suspended")
def suspend_one(instance_id: str) -> Any:
    run(rest_runtime.set_suspended, instance_id, _suspended(json_body()))
    return "", 204


@routes.put("/process-instance/suspended")
def suspend_by_definition() -> Any:
    """By processDefinitionId, or processDefinitionKey (every version); no tenants here."""
    body = json_body()
    unknown = sorted(set(body) - {"suspended", "processDefinitionId", "processDefinitionKey",
                                  "processDefinitionWithoutTenantId"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    if body.get("processDefinitionTenantId"):
        raise RestError("processDefinitionTenantId is not supported")
    run(rest_runtime.set_suspended_by_definition, _suspended(body),
        definition_id=body.get("processDefinitionId"),
        definition_key=body.get("processDefinitionKey"))
    return "", 204


@routes.delete("/process-instance/<instance_id>/variables/<name>")
def delete_variable(instance_id: str, name: str) -> Any:
    run(rest_runtime.delete_variables, instance_id, [name])
    return "", 204


def deletions(body: dict[str, Any]) -> list[str]:
    """The `deletions` list of a variables modification."""
    value = body.get("deletions") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RestError("deletions must be a list of variable names")
    return list(value)


def query_flags() -> None:
    """DELETE's skip flags must be Booleans (skipCustomListeners is read by the view)."""
    for name in (*SKIP_FLAGS, "skipSubprocesses", "failIfNotExists"):
        flag(request.args.get(name), name)
