"""Camunda /user, /group and /identity over our accounts (engine.service.rest_identity)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api import auth
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Spec, many, parse, text
from engine.models import Group, User
from engine.service import rest_identity

USERS = Spec(
    params={"id": text("id"), "idIn": many("id"), "firstName": text("first_name"),
            "firstNameLike": text("first_name", "like"), "email": text("email"),
            "emailLike": text("email", "like"), "memberOfGroup": text("member_of_group"),
            "memberOfTenant": text("member_of_tenant")},
    sorts={"userId": "id", "firstName": "first_name", "email": "email"},
)
GROUPS = Spec(
    params={"id": text("id"), "idIn": many("id"), "name": text("name"),
            "nameLike": text("name", "like"), "member": text("member"),
            "memberOfTenant": text("member_of_tenant")},
    sorts={"id": "id", "name": "name"},
)


def _done() -> Response:
    return Response(status=204)


def profile_dto(row: User) -> dict[str, Any]:
    """Camunda's UserProfileDto: our one display name is the first name."""
    return {"id": row.username, "firstName": row.display_name or row.username,
            "lastName": "", "email": row.email}


def group_dto(row: Group) -> dict[str, Any]:
    return {"id": row.name, "name": row.display_name or row.name, "type": None}


def _text(body: dict[str, Any], name: str, where: str = "") -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise RestError(f"{where}{name} must be a string")
    return value


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name) or {}
    if not isinstance(value, dict):
        raise RestError(f"{name} must be an object")
    return value


@routes.get("/user")
def list_users() -> Any:
    return jsonify([profile_dto(u) for u in run(rest_identity.query, "user", parse(USERS))])


@routes.get("/user/count")
def count_users() -> Any:
    return jsonify({"count": run(rest_identity.count, "user", parse(USERS, paged=False))})


@routes.get("/user/<user_id>/profile")
def get_profile(user_id: str) -> Any:
    return jsonify(profile_dto(run(rest_identity.user, user_id)))


@routes.put("/user/<user_id>/profile")
def update_profile(user_id: str) -> Any:
    body = json_body()
    run(rest_identity.update_profile, user_id, new_id=_text(body, "id"),
        first_name=_text(body, "firstName"), last_name=_text(body, "lastName"),
        email=_text(body, "email"))
    return _done()


@routes.post("/user/create")
def create_user() -> Any:
    """{profile: {id, firstName, lastName, email}, credentials: {password}}."""
    body = json_body()
    profile, credentials = _object(body, "profile"), _object(body, "credentials")
    user_id = _text(profile, "id", "profile.")
    if not user_id:
        raise RestError("profile.id is required")
    run(rest_identity.create_user, user_id, first_name=_text(profile, "firstName", "profile."),
        last_name=_text(profile, "lastName", "profile."),
        email=_text(profile, "email", "profile."),
        password=_text(credentials, "password", "credentials."))
    return _done()


@routes.delete("/user/<user_id>")
def delete_user(user_id: str) -> Any:
    run(rest_identity.delete_user, user_id)
    return _done()


@routes.put("/user/<user_id>/credentials")
def update_credentials(user_id: str) -> Any:
    """{password, authenticatedUserPassword}: the caller proves their own password."""
    body = json_body()
    password, proof = _text(body, "password"), _text(body, "authenticatedUserPassword")
    if not password or proof is None:
        raise RestError("password and authenticatedUserPassword are required")
    if not run(rest_identity.change_password, user_id, password, proof,
               address=auth.client_address()):
        raise RestError("The given authenticated user password is not valid.")
    return _done()


@routes.post("/user/<user_id>/unlock")
def unlock_user(user_id: str) -> Any:
    run(rest_identity.unlock_user, user_id)
    return _done()


def _groups(body: dict[str, Any] | None) -> Any:
    return jsonify([group_dto(g) for g in run(rest_identity.query, "group",
                                              parse(GROUPS, body))])


def _count_groups(body: dict[str, Any] | None) -> Any:
    return jsonify({"count": run(rest_identity.count, "group",
                                 parse(GROUPS, body, paged=False))})


@routes.get("/group")
def list_groups() -> Any:
    return _groups(None)


@routes.post("/group")
def query_groups() -> Any:
    return _groups(json_body())


@routes.get("/group/count")
def count_groups() -> Any:
    return _count_groups(None)


@routes.post("/group/count")
def query_count_groups() -> Any:
    return _count_groups(json_body())


@routes.get("/group/<group_id>")
def get_group(group_id: str) -> Any:
    return jsonify(group_dto(run(rest_identity.group, group_id)))


@routes.post("/group/create")
def create_group() -> Any:
    body = json_body()
    group_id = _text(body, "id")
    if not group_id:
        raise RestError("id is required")
    run(rest_identity.create_group, group_id, _text(body, "name"))
    return _done()


@routes.put("/group/<group_id>")
def update_group(group_id: str) -> Any:
    body = json_body()
    run(rest_identity.update_group, group_id, _text(body, "id"), _text(body, "name"))
    return _done()


@routes.delete("/group/<group_id>")
def delete_group(group_id: str) -> Any:
    run(rest_identity.delete_group, group_id)
    return _done()


@routes.put("/group/<group_id>/members/<user_id>")
def add_member(group_id: str, user_id: str) -> Any:
    run(rest_identity.add_member, group_id, user_id)
    return _done()


@routes.delete("/group/<group_id>/members/<user_id>")
def remove_member(group_id: str, user_id: str) -> Any:
    run(rest_identity.remove_member, group_id, user_id)
    return _done()


@routes.get("/identity/groups")
def identity_groups() -> Any:
    user_id = request.args.get("userId")
    if not user_id:
        raise RestError("No user id was supplied")
    info = run(rest_identity.group_info, user_id)
    return jsonify({
        "groups": [{"id": g.name, "name": g.display_name or g.name} for g in info.groups],
        "groupUsers": [{**profile_dto(u), "displayName": u.display_name or u.username}
                       for u in info.members],
    })


@routes.post("/identity/verify")
def verify_user() -> Any:
    body = json_body()
    username, password = _text(body, "username"), _text(body, "password")
    if not username or password is None:
        raise RestError("Username and password are required")
    ok = run(rest_identity.verify, username, password, address=auth.client_address())
    return jsonify({"authenticatedUser": username, "authenticated": ok,
                    "tenants": None, "groups": None})


@routes.get("/identity/password-policy")
def password_policy() -> Any:
    rules = run(rest_identity.password_policy)
    return jsonify({"rules": [{"placeholder": p, "parameter": q} for p, q, _ in rules]})


@routes.post("/identity/password-policy")
def check_password() -> Any:
    """{password, profile: {id, firstName, lastName, email}}: the profile's names count."""
    body = json_body()
    password = _text(body, "password")
    if password is None:
        raise RestError("password is required")
    profile = _object(body, "profile")
    inputs = [str(v) for k, v in profile.items()
              if k in ("id", "firstName", "lastName", "email") and isinstance(v, str)]
    rules = run(rest_identity.password_policy, password, inputs)
    return jsonify({"rules": [{"placeholder": p, "parameter": q, "valid": ok}
                              for p, q, ok in rules],
                    "valid": all(ok for *_, ok in rules)})
