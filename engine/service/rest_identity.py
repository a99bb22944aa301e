"""Camunda's identity service over our accounts: users, groups, memberships, verify, policy.

Reads follow authz.directory_scope (admin sees everyone; a user sees themself, the members
of their groups and those groups); an id out of that scope is NotFound. Writes are admin
only, except a user changing their own password (proving the current one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from engine.models import Group, User
from engine.repository import Query
from engine.service import accounts, signin
from engine.service import users as memberships
from engine.service.actors import Actor
from engine.service.passwords import MIN_LENGTH, password_problem
from engine.service.runtime import record
from engine.uow import UnitOfWork


def query(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor) -> Sequence[Any]:
    """A page of users ("user") or groups ("group") the actor may see."""
    return uow.queries.rows(resource, q, authz.directory_scope(actor))


def count(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor) -> int:
    return uow.queries.count(resource, q, authz.directory_scope(actor))


def _visible(uow: UnitOfWork, resource: str, ident: str, actor: Actor, what: str) -> Any:
    rows = uow.queries.rows(resource, Query(filters=(("id", "eq", ident),), limit=1),
                            authz.directory_scope(actor))
    if not rows:
        raise NotFound(f"{what} with id {ident} does not exist")
    return rows[0]


def user(uow: UnitOfWork, user_id: str, *, actor: Actor) -> User:
    """A user the actor may see."""
    row: User = _visible(uow, "user", user_id, actor, "User")
    return row


def group(uow: UnitOfWork, group_id: str, *, actor: Actor) -> Group:
    """A group the actor may see."""
    row: Group = _visible(uow, "group", group_id, actor, "Group")
    return row


def display_name(first: str | None, last: str | None) -> str:
    """Our one display name from Camunda's first and last name."""
    return " ".join(p for p in ((first or "").strip(), (last or "").strip()) if p)


def create_user(uow: UnitOfWork, user_id: str, *, first_name: str | None,
                last_name: str | None, email: str | None, password: str | None,
                actor: Actor, now: datetime) -> User:
    """Admin: a user (our password rule applies); an existing id is refused."""
    if not user_id.strip():
        raise ValidationFailed("a user needs an id", details={"id": ["required"]})
    return accounts.create_user(uow, user_id, actor, now, password=password or None,
                                display_name=display_name(first_name, last_name),
                                email=email or None)


def update_profile(uow: UnitOfWork, user_id: str, *, new_id: str | None,
                   first_name: str | None, last_name: str | None, email: str | None,
                   actor: Actor, now: datetime) -> User:
    """Admin: names and e-mail; a user's id never changes (it is in history and tasks)."""
    user(uow, user_id, actor=actor)
    if new_id not in (None, user_id):
        raise ValidationFailed(f"the id of user {user_id} cannot change",
                               details={"id": ["immutable"]})
    name = display_name(first_name, last_name)
    return accounts.update_user(uow, user_id, actor, now, display_name=name or None,
                                email=email or "")


def delete_user(uow: UnitOfWork, user_id: str, *, actor: Actor, now: datetime) -> None:
    """Admin: remove a user, their memberships and tokens (never oneself)."""
    row = user(uow, user_id, actor=actor)
    authz.require_admin(actor)
    if row.username == actor.username:
        raise InvalidState("you cannot delete your own account")
    uow.users.delete(row)
    record(uow, None, actor, "user_deleted", now, data={"user": user_id})


def unlock_user(uow: UnitOfWork, user_id: str, *, actor: Actor, now: datetime) -> None:
    """Admin: forget the failed sign-ins that lock a user out."""
    user(uow, user_id, actor=actor)
    accounts.update_user(uow, user_id, actor, now, unlock=True)


def change_password(uow: UnitOfWork, user_id: str, password: str, proof: str, *,
                    actor: Actor, now: datetime, address: str = "") -> bool:
    """Camunda's PUT credentials: proof is the *caller's* password. False when it is wrong
    (the failure is counted, so the unit of work must commit: the door then answers 400).

    A user may change their own password; admin anyone's. Our password rule applies.
    """
    target = user(uow, user_id, actor=actor)
    if target.username == actor.username:
        result = accounts.change_own_password(uow, proof, password, actor, now,
                                              address=address)
        if result.actor is None:
            if result.reason == signin.WRONG_PASSWORD:
                signin.record_failure(uow, actor.username, address, now)
            return False
        return True
    authz.require_admin(actor, "change another user's password")
    me = uow.users.get(actor.username)
    if me is None or not memberships.verify_password(me, proof):
        signin.record_failure(uow, actor.username, address, now)
        return False
    accounts.update_user(uow, user_id, actor, now, password=password)
    return True


def create_group(uow: UnitOfWork, group_id: str, name: str | None, *, actor: Actor,
                 now: datetime) -> Group:
    """Admin: a new group; an existing id is refused."""
    authz.require_admin(actor)
    if not group_id.strip():
        raise ValidationFailed("a group needs an id", details={"id": ["required"]})
    if uow.users.group(group_id) is not None:
        raise InvalidState(f"group {group_id} already exists")
    row = memberships.ensure_group(uow, group_id, name or "")
    record(uow, None, actor, "group_created", now, data={"group": group_id})
    return row


def update_group(uow: UnitOfWork, group_id: str, new_id: str | None, name: str | None, *,
                 actor: Actor, now: datetime) -> Group:
    """Admin: rename a group's display name; its id (the permission) never changes."""
    row = group(uow, group_id, actor=actor)
    authz.require_admin(actor)
    if new_id not in (None, group_id):
        raise ValidationFailed(f"the id of group {group_id} cannot change",
                               details={"id": ["immutable"]})
    row.display_name = name or group_id
    record(uow, None, actor, "group_updated", now, data={"group": group_id})
    uow.flush()
    return row


def delete_group(uow: UnitOfWork, group_id: str, *, actor: Actor, now: datetime) -> None:
    """Admin: remove a group and its memberships ('admin' itself stays)."""
    row = group(uow, group_id, actor=actor)
    authz.require_admin(actor)
    if row.name == authz.ADMIN:
        raise InvalidState("the 'admin' group cannot be deleted")
    uow.users.delete(row)
    record(uow, None, actor, "group_deleted", now, data={"group": group_id})


def add_member(uow: UnitOfWork, group_id: str, user_id: str, *, actor: Actor,
               now: datetime) -> None:
    """Admin: put a user in an existing group (already a member: nothing changes)."""
    row, member = group(uow, group_id, actor=actor), user(uow, user_id, actor=actor)
    authz.require_admin(actor)
    if not uow.users.is_member(member.id, row.id):
        memberships.add_member(uow, user_id, group_id)
        record(uow, None, actor, "member_added", now, data={"user": user_id, "group": group_id})


def remove_member(uow: UnitOfWork, group_id: str, user_id: str, *, actor: Actor,
                  now: datetime) -> None:
    """Admin: take a user out of a group (not a member: nothing changes)."""
    row, member = group(uow, group_id, actor=actor), user(uow, user_id, actor=actor)
    authz.require_admin(actor)
    if group_id == authz.ADMIN and user_id == actor.username:
        raise InvalidState("you cannot leave the 'admin' group yourself")
    if uow.users.is_member(member.id, row.id):
        accounts.remove_member(uow, user_id, group_id, actor, now)


@dataclass(frozen=True)
class GroupInfo:
    """Camunda's /identity/groups: a user's groups and every member of those groups."""

    groups: Sequence[Group]
    members: Sequence[User]


def group_info(uow: UnitOfWork, user_id: str, *, actor: Actor) -> GroupInfo:
    """Oneself, or (admin) anyone: their groups would otherwise leak beyond one's own."""
    target = user(uow, user_id, actor=actor)
    if target.username != actor.username:
        authz.require_admin(actor, "see another user's groups")
    groups = uow.queries.rows("group", Query(filters=(("member", "eq", user_id),)),
                              authz.directory_scope(actor))
    names = [g.name for g in groups]
    members = uow.queries.rows("user", Query(filters=(("member_of_group", "in", names),)),
                               authz.directory_scope(actor)) if names else []
    return GroupInfo(groups, members)


def verify(uow: UnitOfWork, username: str, password: str, *, actor: Actor, now: datetime,
           address: str = "") -> bool:
    """Whether the password is the user's: for oneself, or admin for anyone. Failures are
    counted like sign-ins (this is a password oracle otherwise), so this never raises."""
    if username != actor.username and not authz.is_admin(actor):
        raise Forbidden("only admin may verify another user's password")
    result = signin.sign_in(uow, username, password, address, now)
    if result.actor is None and result.reason == signin.WRONG_PASSWORD:
        signin.record_failure(uow, username, address, now)
    return result.actor is not None


RULES = ("PASSWORD_POLICY_LENGTH", "PASSWORD_POLICY_GUESSABLE")


def password_policy(uow: UnitOfWork, password: str | None = None,
                    user_inputs: Sequence[str] = (), *, actor: Actor
                    ) -> list[tuple[str, dict[str, str], bool | None]]:
    """Our two rules as (placeholder, parameter, passed); passed is None without password.

    The second rule is zxcvbn's (not guessable from lists, patterns or the user's names);
    a password too short is not tried against it, as the rule itself does.
    """
    del uow, actor
    problem = password_problem(password, user_inputs) if password is not None else None
    length = {"minLength": str(MIN_LENGTH)}
    guess = {"minScore": "3", "maxScore": "4"}
    if password is None:
        return [(RULES[0], length, None), (RULES[1], guess, None)]
    return [(RULES[0], length, problem != "too_short"),
            (RULES[1], guess, problem is None)]
