"""Camunda /authorization: our permission model, read-only (engine.service.rest_authorizations).

The grants are a fixed table computed from authz.py, not rows: they are filtered, sorted and
paged here from the parsed Camunda query (the same parameter rules as every list).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import link, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text
from engine.service import rest_authorizations
from engine.service.rest_authorizations import RESOURCES, Grant
from engine.service.rest_queries import Query

SPEC = Spec(
    params={"id": text("id"), "type": Param("type", "eq", "int"),
            "userIdIn": many("user_id"), "groupIdIn": many("group_id"),
            "resourceType": Param("resource_type", "eq", "int"),
            "resourceId": text("resource_id")},
    sorts={"resourceType": "resource_type", "resourceId": "resource_id"},
)
CHECK_PARAMS = ("permissionName", "resourceName", "resourceType", "resourceId", "userId")


def dto(grant: Grant) -> dict[str, Any]:
    return {"links": [link(f"/authorization/{grant.id}")], "id": grant.id,
            "type": grant.type, "permissions": list(grant.permissions),
            "userId": grant.user_id, "groupId": grant.group_id,
            "resourceType": grant.resource_type, "resourceId": grant.resource_id,
            "removalTime": None, "rootProcessInstanceId": None}


def _matches(grant: Grant, q: Query) -> bool:
    for field, op, value in q.filters:
        have = getattr(grant, field)
        if (op == "in" and have not in value) or (op == "eq" and have != value):
            return False
    return True


def _select(q: Query) -> list[Grant]:
    rows = [g for g in run(rest_authorizations.grants) if _matches(g, q)]
    for field, descending in reversed(q.sort):
        rows.sort(key=lambda g, f=field: getattr(g, f), reverse=descending)
    return rows


@routes.get("/authorization")
def list_authorizations() -> Any:
    q = parse(SPEC)
    rows = _select(q)[q.offset:]
    return jsonify([dto(g) for g in (rows if q.limit is None else rows[:q.limit])])


@routes.get("/authorization/count")
def count_authorizations() -> Any:
    return jsonify({"count": len(_select(parse(SPEC, paged=False)))})


@routes.get("/authorization/<grant_id>")
def get_authorization(grant_id: str) -> Any:
    return jsonify(dto(run(rest_authorizations.grant, grant_id)))


@routes.post("/authorization/create")
def create_authorization() -> Any:
    run(rest_authorizations.refuse_change)
    return jsonify({})


@routes.put("/authorization/<grant_id>")
@routes.delete("/authorization/<grant_id>")
def change_authorization(grant_id: str) -> Any:
    run(rest_authorizations.grant, grant_id)
    run(rest_authorizations.refuse_change)
    return jsonify({})


@routes.get("/authorization/check")
def check_authorization() -> Any:
    """Is the caller authorized? permissionName, resourceName, resourceType, resourceId."""
    args = request.args
    unknown = sorted(set(args) - set(CHECK_PARAMS))
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    permission, name, kind = (args.get("permissionName"), args.get("resourceName"),
                              args.get("resourceType"))
    if not (permission and name and kind):
        raise RestError("Query parameters 'permissionName', 'resourceName' and "
                        "'resourceType' are mandatory.")
    if not kind.isdigit() or int(kind) not in RESOURCES:
        raise RestError(f"resourceType must be one of {sorted(RESOURCES)}, not {kind!r}")
    if args.get("userId"):
        raise RestError("userId is not supported: the check answers for the caller")
    resource_id = args.get("resourceId")
    authorized = run(rest_authorizations.is_authorized, permission, int(kind), resource_id)
    return jsonify({"permissionName": permission, "resourceName": name,
                    "resourceId": resource_id, "authorized": authorized})
