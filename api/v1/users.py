"""Blueprint: users, groups, memberships (admin) and personal API tokens."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import GroupSchema, TokenCreatedSchema, TokenSchema, UserSchema
from api.v1.common import current_actor, now, uow
from engine import UnitOfWork, errors, service
from engine.models import ApiToken, User
from engine.service import accounts

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


def _user_out(u: UnitOfWork, user: User) -> dict[str, Any]:
    return {**{k: getattr(user, k) for k in UserSchema().fields if k != "groups"},
            "groups": u.users.groups_of(user.id)}


def _token_out(u: UnitOfWork, token: ApiToken) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "username": accounts.token_owner(u, token),
            "created_at": token.created_at, "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at}


@blp.get("/users")
@blp.response(200, UserSchema(many=True))
def list_users() -> list[dict[str, Any]]:
    """Admin: every user with their groups."""
    with uow() as u:
        accounts.require_admin(current_actor(u))
        return [_user_out(u, user) for user in u.users.list()]


@blp.post("/users")
@blp.arguments(NewUser)
@blp.response(201, UserSchema)
def create_user(body: dict[str, Any]) -> dict[str, Any]:
    """Admin: add a user, optionally with a password and groups."""
    with uow() as u:
        user = accounts.create_user(
            u, body["username"], current_actor(u), now(), password=body.get("password"),
            display_name=body["display_name"], email=body.get("email"), groups=body["groups"])
        return _user_out(u, user)


@blp.get("/users/<username>")
@blp.response(200, UserSchema)
def get_user(username: str) -> dict[str, Any]:
    """Admin, or the user themself."""
    with uow() as u:
        actor = current_actor(u)
        if actor.username != username:
            accounts.require_admin(actor)
        user = u.users.get(username)
        if user is None:
            raise errors.NotFound(f"user {username} does not exist")
        return _user_out(u, user)


@blp.patch("/users/<username>")
@blp.arguments(UserPatch)
@blp.response(200, UserSchema)
def patch_user(body: dict[str, Any], username: str) -> dict[str, Any]:
    """Admin: change a user; unlock=true clears sign-in locks; a new password or disabling
    ends the user's sessions (a new password also revokes their tokens)."""
    with uow() as u:
        actor = current_actor(u)
        user = accounts.update_user(u, username, actor, now(), **body)
        return _user_out(u, user)


@blp.get("/groups")
@blp.response(200, GroupSchema(many=True))
def list_groups() -> Any:
    with uow() as u:
        accounts.require_admin(current_actor(u))
        return accounts.list_groups(u)


@blp.post("/groups")
@blp.arguments(NewGroup)
@blp.response(201, GroupSchema)
def create_group(body: dict[str, Any]) -> Any:
    with uow() as u:
        accounts.require_admin(current_actor(u))
        return service.ensure_group(u, body["name"], body["display_name"])


@blp.put("/groups/<group>/members/<username>")
@blp.response(204)
def add_member(group: str, username: str) -> None:
    """Admin: put a user in a group (created when new)."""
    with uow() as u:
        accounts.require_admin(current_actor(u))
        service.add_member(u, username, group)


@blp.delete("/groups/<group>/members/<username>")
@blp.response(204)
def remove_member(group: str, username: str) -> None:
    with uow() as u:
        actor = current_actor(u)
        accounts.remove_member(u, username, group, actor, now())


@blp.get("/tokens")
@blp.arguments(TokenQuery, location="query")
@blp.response(200, TokenSchema(many=True))
def list_tokens(query: dict[str, Any]) -> list[dict[str, Any]]:
    """My tokens (admin: anyone's, or all); the secret itself is never shown again."""
    with uow() as u:
        actor = current_actor(u)
        return [_token_out(u, t) for t in accounts.list_tokens(u, actor, query.get("username"))]


@blp.post("/tokens")
@blp.arguments(NewToken)
@blp.response(201, TokenCreatedSchema)
def create_token(body: dict[str, Any]) -> dict[str, Any]:
    """A personal API token for `Authorization: Bearer …`, shown once in this answer."""
    with uow() as u:
        actor = current_actor(u)
        row, plain = accounts.create_token(u, body.get("username") or actor.username,
                                           body["name"], actor, now())
        return {**_token_out(u, row), "token": plain}


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke one of my tokens (admin: anyone's)."""
    with uow() as u:
        actor = current_actor(u)
        accounts.revoke_token(u, token_id, actor, now())
