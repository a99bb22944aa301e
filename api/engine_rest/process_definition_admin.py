"""Camunda /process-definition beyond reads: tenant paths, suspend, delete, called, diagram.

A tenant-id path answers the newest version deployed with that tenant-id (we keep no
tenants; a deployment's tenant-id is a label), any other tenant-id is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.engine_rest.common import diagram_response, flag, json_body, routes, run
from api.engine_rest.definition_paths import Ref, register
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import activity_statistics, definition_dto, start_answer
from engine.service import rest_definitions

DELETE_PARAMS = ("cascade", "skipCustomListeners", "skipIoMappings")


def _tenant_dto(ref: Ref) -> dict[str, Any]:
    return definition_dto(ref.find(), ref.tenant_id)


def get_for_tenant(ref: Ref) -> Any:
    return jsonify(_tenant_dto(ref))


def xml_for_tenant(ref: Ref) -> Any:
    row = ref.find()
    return jsonify({"id": row.id, "bpmn20Xml": row.source_xml})


def start_for_tenant(ref: Ref) -> Any:
    return start_answer(ref.find().id, False)


def statistics_by_key(ref: Ref) -> Any:
    return activity_statistics(ref.find().id)


register("", ["GET"], get_for_tenant, forms=("tenant",))
register("/xml", ["GET"], xml_for_tenant, forms=("tenant",))
register("/start", ["POST"], start_for_tenant, forms=("tenant",))
register("/statistics", ["GET"], statistics_by_key, forms=("key", "tenant"))


def diagram(ref: Ref) -> Any:
    """The image deployed beside the BPMN file; 204 when there is none (Camunda's answer:
    we draw no images, the XML's BPMNDI is what clients render)."""
    image = run(rest_definitions.diagram, ref.find())
    if image is None:
        return Response(status=204)
    return diagram_response(image)


register("/diagram", ["GET"], diagram)


def _suspension(body: dict[str, Any]) -> tuple[bool, bool]:
    suspended = flag(body.get("suspended"), "suspended")
    if suspended is None:
        raise RestError("suspended must be true or false")
    if body.get("executionDate") is not None:
        raise RestError("executionDate is not supported: suspension takes effect at once")
    return suspended, bool(flag(body.get("includeProcessInstances"),
                                "includeProcessInstances"))


def suspend(ref: Ref) -> Any:
    """{suspended, includeProcessInstances}: by id one version, by key every version."""
    suspended, with_instances = _suspension(json_body())
    run(rest_definitions.suspend_by, ref.ident, suspended, with_instances, **ref.options())
    return Response(status=204)


register("/suspended", ["PUT"], suspend)


@routes.put("/process-definition/suspended")
def suspend_every_version() -> Any:
    """{processDefinitionKey, suspended, includeProcessInstances}: every version of a key."""
    body = json_body()
    key = body.get("processDefinitionKey")
    if not isinstance(key, str) or not key:
        raise RestError("processDefinitionKey is required (suspending by id is "
                        "PUT /process-definition/{id}/suspended)")
    suspended, with_instances = _suspension(body)
    run(rest_definitions.suspend_by, key, suspended, with_instances, by_key=True)
    return Response(status=204)


def delete(ref: Ref) -> Any:
    """?cascade=true also deletes the instances and their history (designer; ops too when
    some still run); without it, a definition with instances is refused with 400."""
    unknown = sorted(set(request.args) - set(DELETE_PARAMS))
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    cascade = bool(flag(request.args.get("cascade"), "cascade"))
    for name in DELETE_PARAMS[1:]:
        flag(request.args.get(name), name)  # we run no listeners or mappings on delete
    run(rest_definitions.delete_by, ref.ident, cascade, **ref.options())
    return Response(status=204)


register("", ["DELETE"], delete)


def called(ref: Ref) -> Any:
    """The processes this one's call activities name (newest versions), with the callers."""
    row = ref.find()
    rows = run(rest_definitions.called_definitions, row.id)
    return jsonify([{**definition_dto(d), "calledFromActivityIds": sorted(ids),
                     "callingProcessDefinitionId": row.id} for d, ids in rows])


register("/static-called-process-definitions", ["GET"], called, forms=("id",))


def restart(ref: Ref) -> Any:
    run(rest_definitions.refuse_restart, ref.find())
    return Response(status=204)


register("/restart", ["POST"], restart, forms=("id",))
register("/restart-async", ["POST"], restart, forms=("id",), name="restart_async")
