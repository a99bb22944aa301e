"""Blueprint: users, groups, memberships (admin) and personal API tokens."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import GroupSchema, TokenCreatedSchema, TokenSchema, UserSchema
from api.v1.common import run
from engine import service
from engine.service import directory

blp = Blueprint("users", __name__, url_prefix="/api/v1",
                description="Users, groups and tokens (用户与权限)")

NAME = validate.Length(min=1, max=120)


class NewUser(Schema):
    username = fields.String(required=True, validate=NAME)
    password = fields.String(validate=validate.Length(min=1, max=1024),
                             metadata={"description": "checked by the password rule"})
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    email = fields.Email(allow_none=True)
    groups = fields.List(fields.String(validate=NAME), load_default=list)


class UserPatch(Schema):
    display_name = fields.String(validate=validate.Length(max=200))
    email = fields.String(allow_none=True, validate=validate.Length(max=200))
    is_active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=1, max=1024),
                             metadata={"description": "a reset: ends the user's sessions"})
    supervisor = fields.String(allow_none=True, validate=validate.Length(max=120))
    unlock = fields.Boolean(load_default=False)


class NewGroup(Schema):
    name = fields.String(required=True, validate=NAME)
    display_name = fields.String(load_default="", validate=validate.Length(max=200))


class NewToken(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    username = fields.String(validate=NAME, metadata={"description": "admin: someone else"})


class TokenQuery(Schema):
    username = fields.String()


def _user_out(row: service.directory.UserRow) -> dict[str, Any]:
    return {**{k: getattr(row.user, k) for k in UserSchema().fields if k != "groups"},
            "groups": row.groups}


def _token_out(row: service.directory.TokenRow) -> dict[str, Any]:
    token = row.token
    out = {"id": token.id, "name": token.name, "username": row.username,
           "created_at": token.created_at, "last_used_at": token.last_used_at,
           "revoked_at": token.revoked_at}
    return {**out, "token": row.plain} if row.plain is not None else out


@blp.get("/users")
@blp.response(200, UserSchema(many=True))
def list_users() -> list[dict[str, Any]]:
    """Admin: every user with their groups."""
    return [_user_out(r) for r in run(directory.list_users)]


@blp.post("/users")
@blp.arguments(NewUser)
@blp.response(201, UserSchema)
def create_user(body: dict[str, Any]) -> dict[str, Any]:
    """Admin: add a user, optionally with a password and groups."""
    return _user_out(run(directory.create_user, body["username"],
                         password=body.get("password"), display_name=body["display_name"],
                         email=body.get("email"), groups=body["groups"]))


@blp.get("/users/<username>")
@blp.response(200, UserSchema)
def get_user(username: str) -> dict[str, Any]:
    """Admin, or the user themself."""
    return _user_out(run(directory.get_user, username))


@blp.patch("/users/<username>")
@blp.arguments(UserPatch)
@blp.response(200, UserSchema)
def patch_user(body: dict[str, Any], username: str) -> dict[str, Any]:
    """Admin: change a user; unlock=true clears a sign-in lock; a password reset ends the
    user's sessions and tokens."""
    return _user_out(run(directory.update_user, username, **body))


@blp.get("/groups")
@blp.response(200, GroupSchema(many=True))
def list_groups() -> Any:
    return run(directory.list_groups)


@blp.post("/groups")
@blp.arguments(NewGroup)
@blp.response(201, GroupSchema)
def create_group(body: dict[str, Any]) -> Any:
    return run(directory.create_group, body["name"], display_name=body["display_name"])


@blp.put("/groups/<group>/members/<username>")
@blp.response(204)
def add_member(group: str, username: str) -> None:
    """Admin: put a user in a group (created when new)."""
    run(directory.join_group, username, group)


@blp.delete("/groups/<group>/members/<username>")
@blp.response(204)
def remove_member(group: str, username: str) -> None:
    run(service.accounts.remove_member, username, group)


@blp.get("/tokens")
@blp.arguments(TokenQuery, location="query")
@blp.response(200, TokenSchema(many=True))
def list_tokens(query: dict[str, Any]) -> list[dict[str, Any]]:
    """My tokens (admin: anyone's, or all); the secret itself is never shown again."""
    return [_token_out(r) for r in run(directory.list_tokens, query.get("username"))]


@blp.post("/tokens")
@blp.arguments(NewToken)
@blp.response(201, TokenCreatedSchema)
def create_token(body: dict[str, Any]) -> dict[str, Any]:
    """A personal API token for `Authorization: Bearer …`, shown once in this answer."""
    return _token_out(run(directory.issue_token, body["name"], username=body.get("username")))


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke one of my tokens (admin: anyone's)."""
    run(service.accounts.revoke_token, token_id)
