"""Admin's directory commands: users, groups and memberships, each checking the actor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from engine import authz
from engine.errors import NotFound
from engine.models import Group, User
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.service.users import add_member, add_user, ensure_group
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class UserRow:
    """A user with their group names, as every door shows it."""

    user: User
    groups: list[str]


def _row(uow: UnitOfWork, user: User) -> UserRow:
    return UserRow(user, list(uow.users.groups_of(user.id)))


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserRow]:
    """Admin: every user with their groups."""
    authz.require_admin(actor)
    return [_row(uow, user) for user in uow.users.list()]


def get_user(uow: UnitOfWork, username: str, actor: Actor) -> UserRow:
    """Admin, or the user themself."""
    if actor.username != username:
        authz.require_admin(actor)
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return _row(uow, user)


def create_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime, *,
                password: str | None = None, display_name: str = "",
                email: str | None = None, groups: Sequence[str] = ()) -> UserRow:
    """Admin: add a user, optionally with a password and groups."""
    authz.require_admin(actor)
    user = add_user(uow, username, now, password=password, display_name=display_name,
                    email=email)
    for group in groups:
        add_member(uow, username, group)
    record(uow, None, actor, "user_created", now,
           data={"user": username, "groups": list(groups)})
    return _row(uow, user)


def create_group(uow: UnitOfWork, name: str, actor: Actor, display_name: str = ""
                 ) -> Group:
    """Admin: a group (an existing one is returned as it is)."""
    authz.require_admin(actor)
    return ensure_group(uow, name, display_name)


def join_group(uow: UnitOfWork, username: str, group: str, actor: Actor,
               now: datetime) -> None:
    """Admin: put a user in a group (created when new)."""
    authz.require_admin(actor)
    add_member(uow, username, group)
    record(uow, None, actor, "member_added", now, data={"user": username, "group": group})
