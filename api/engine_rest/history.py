"""Camunda /history: process instances (running and ended) and incidents (open and resolved)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.incident import incident_dto
from api.engine_rest.process_instance_batch import finished_batch
from api.engine_rest.query import Param, Spec, many, parse, text, when
from api.engine_rest.variables import format_date
from engine.models import Incident, ProcessDefinition, ProcessInstance
from engine.service import history_deletion, rest_queries
from engine.service.rest_queries import Query

STATES = {"running": "ACTIVE", "suspended": "SUSPENDED", "completed": "COMPLETED",
          "terminated": "EXTERNALLY_TERMINATED"}
DATE = "date"
INSTANCE_SPEC = Spec(
    params={"processInstanceId": text("id"), "processInstanceIds": many("id"),
            "processInstanceBusinessKey": text("business_key"),
            "processInstanceBusinessKeyIn": many("business_key"),
            "processInstanceBusinessKeyLike": text("business_key", "like"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "processDefinitionKeyIn": many("process_key"),
            "processDefinitionName": text("definition_name"),
            "processDefinitionNameLike": text("definition_name", "like"),
            "startedBy": text("started_by"),
            "startedBefore": Param("started_at", "lt", DATE),
            "startedAfter": Param("started_at", "gt", DATE),
            "finishedBefore": Param("ended_at", "lt", DATE),
            "finishedAfter": Param("ended_at", "gt", DATE),
            "finished": when("finished", "true"), "unfinished": when("finished", "true", False),
            "withIncidents": when("with_incident", "true"),
            "completed": when("status", "eq", "completed"),
            "externallyTerminated": when("status", "eq", "terminated"),
            "active": when("status", "eq", "running"),
            "suspended": when("status", "eq", "suspended")},
    sorts={"instanceId": "id", "definitionId": "definition_id",
           "definitionKey": "process_key", "definitionName": "definition_name",
           "definitionVersion": "definition_version", "businessKey": "business_key",
           "startTime": "started_at", "endTime": "ended_at"},
)
INCIDENT_SPEC = Spec(
    params={"incidentId": text("id"), "processInstanceId": text("instance_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "processDefinitionKeyIn": many("process_key"),
            "activityId": text("element_id"), "failedActivityId": text("element_id"),
            "incidentMessage": text("message"),
            "incidentMessageLike": text("message", "like"), "configuration": text("job_id"),
            "open": when("open", "true"), "resolved": when("open", "true", False),
            "createTimeBefore": Param("created_at", "lt", DATE),
            "createTimeAfter": Param("created_at", "gt", DATE),
            "endTimeBefore": Param("resolved_at", "lt", DATE),
            "endTimeAfter": Param("resolved_at", "gt", DATE)},
    sorts={"incidentId": "id", "createTime": "created_at", "endTime": "resolved_at",
           "activityId": "element_id", "processInstanceId": "instance_id",
           "processDefinitionId": "definition_id", "processDefinitionKey": "process_key"},
)


def historic_instance_dto(row: ProcessInstance, definition: ProcessDefinition
                          ) -> dict[str, Any]:
    duration = (int((row.ended_at - row.started_at).total_seconds() * 1000)
                if row.ended_at else None)
    return {
        "id": row.id, "rootProcessInstanceId": row.id, "superProcessInstanceId": None,
        "superCaseInstanceId": None, "caseInstanceId": None,
        "processDefinitionName": definition.name, "processDefinitionKey": row.process_key,
        "processDefinitionVersion": definition.version,
        "processDefinitionId": row.definition_id, "businessKey": row.business_key,
        "startTime": format_date(row.started_at), "endTime": format_date(row.ended_at),
        "removalTime": format_date(row.removal_time), "durationInMillis": duration,
        "startUserId": row.started_by,
        "startActivityId": None, "deleteReason": None, "tenantId": None,
        "state": STATES.get(row.status, row.status.upper()),
    }


def historic_incident_dto(row: Incident, instance: ProcessInstance) -> dict[str, Any]:
    dto = incident_dto(row, instance)
    dto.update({"processDefinitionKey": instance.process_key,
                "createTime": dto.pop("incidentTimestamp"),
                "endTime": format_date(row.resolved_at), "removalTime": None,
                "rootProcessInstanceId": row.instance_id,
                "open": row.resolved_at is None, "deleted": False,
                "resolved": row.resolved_at is not None})
    return dto


def _instances(body: dict[str, Any] | None = None) -> Any:
    rows = run(rest_queries.query, "history_instance", parse(INSTANCE_SPEC, body))
    return jsonify([historic_instance_dto(*row) for row in rows])


def _count(resource: str, query: Query) -> Any:
    return jsonify({"count": run(rest_queries.count, resource, query)})


@routes.get("/history/process-instance")
def list_historic_instances() -> Any:
    return _instances()


@routes.post("/history/process-instance")
def query_historic_instances() -> Any:
    return _instances(json_body())


@routes.get("/history/process-instance/count")
def count_historic_instances() -> Any:
    return _count("history_instance", parse(INSTANCE_SPEC, paged=False))


@routes.post("/history/process-instance/count")
def count_historic_instances_post() -> Any:
    return _count("history_instance", parse(INSTANCE_SPEC, json_body(), paged=False))


@routes.get("/history/process-instance/<instance_id>")
def get_historic_instance(instance_id: str) -> Any:
    return jsonify(historic_instance_dto(*run(rest_queries.historic_instance, instance_id)))


@routes.get("/history/incident")
def list_historic_incidents() -> Any:
    rows = run(rest_queries.query, "history_incident", parse(INCIDENT_SPEC))
    return jsonify([historic_incident_dto(*row) for row in rows])


@routes.get("/history/incident/count")
def count_historic_incidents() -> Any:
    return _count("history_incident", parse(INCIDENT_SPEC, paged=False))


@routes.delete("/history/process-instance/<instance_id>")
def delete_historic_instance(instance_id: str) -> Any:
    """An ended instance and its history (ops); failIfNotExists=false: an unknown id is
    no error."""
    unknown = sorted(set(request.args) - {"failIfNotExists"})
    if unknown:
        raise RestError(f"unsupported query parameter(s): {', '.join(unknown)}")
    strict = flag(request.args.get("failIfNotExists"), "failIfNotExists")
    run(history_deletion.delete_instances, [instance_id], None,
        fail_if_not_exists=strict is not False)
    return "", 204


@routes.post("/history/process-instance/delete")
def delete_historic_instances() -> Any:
    """Deleted before the answer (VocFlow runs no batch jobs): a finished batch."""
    body = json_body()
    unknown = sorted(set(body) - {"historicProcessInstanceIds",
                                  "historicProcessInstanceQuery", "deleteReason",
                                  "failIfNotExists"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    query = body.get("historicProcessInstanceQuery")
    if query is not None and not isinstance(query, dict):
        raise RestError("historicProcessInstanceQuery must be an object")
    listed = id_list(body.get("historicProcessInstanceIds"), "historicProcessInstanceIds")
    if not listed and query is None:
        raise RestError("historicProcessInstanceIds or historicProcessInstanceQuery is "
                        "required")
    reason = body.get("deleteReason")
    if reason is not None and not isinstance(reason, str):
        raise RestError("deleteReason must be a string")
    strict = flag(body.get("failIfNotExists"), "failIfNotExists")
    parsed = parse(INSTANCE_SPEC, query, paged=False) if query is not None else None
    total = run(history_deletion.delete_instances, listed or [], parsed, reason=reason,
                fail_if_not_exists=strict is not False)
    return finished_batch("historic-process-instance-deletion", total)
