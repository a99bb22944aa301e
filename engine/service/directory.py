"""Admin's directory reads and group commands (users are created in service.accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import NotFound
from engine.models import ApiToken, Group, User
from engine.service import accounts
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.service.users import add_member, ensure_group
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


def list_groups(uow: UnitOfWork, actor: Actor) -> Sequence[Group]:
    """Admin: every group."""
    authz.require_admin(actor)
    return uow.users.list_groups()


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


def create_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime,
                **fields: Any) -> UserRow:
    """accounts.create_user (admin, password rule), answered with the user's groups."""
    return _row(uow, accounts.create_user(uow, username, actor, now, **fields))


def update_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime,
                **fields: Any) -> UserRow:
    """accounts.update_user (admin; a reset ends sessions), answered with the groups."""
    return _row(uow, accounts.update_user(uow, username, actor, now, **fields))


@dataclass(frozen=True)
class TokenRow:
    """A personal token with its owner's name; `plain` only in the answer that made it."""

    token: ApiToken
    username: str
    plain: str | None = None


def list_tokens(uow: UnitOfWork, username: str | None, actor: Actor) -> list[TokenRow]:
    """My tokens (admin: anyone's, or all)."""
    return [TokenRow(t, accounts.token_owner(uow, t))
            for t in accounts.list_tokens(uow, actor, username)]


def issue_token(uow: UnitOfWork, name: str, actor: Actor, now: datetime,
                username: str | None = None) -> TokenRow:
    """A new personal token for me (admin: for username), its secret shown once."""
    owner = username or actor.username
    row, plain = accounts.create_token(uow, owner, name, actor, now)
    return TokenRow(row, owner, plain)
