"""Users, groups and memberships; passwords hashed with argon2."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from engine.errors import InvalidState, NotFound
from engine.models import Group, Membership, User
from engine.service.actors import Actor
from engine.uow import UnitOfWork

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return bool(_HASHER.verify(user.password_hash, password))
    except VerificationError:
        return False


def add_user(uow: UnitOfWork, username: str, now: datetime, *, password: str | None = None,
             display_name: str = "", email: str | None = None) -> User:
    if uow.users.get(username) is not None:
        raise InvalidState(f"user {username} already exists")
    user = User(username=username, display_name=display_name or username, email=email,
                password_hash=hash_password(password) if password else None,
                is_active=True, failed_logins=0, created_at=now)
    uow.users.add(user)
    uow.flush()
    return user


def ensure_group(uow: UnitOfWork, name: str, display_name: str = "") -> Group:
    group = uow.users.group(name)
    if group is None:
        group = Group(name=name, display_name=display_name or name)
        uow.users.add(group)
        uow.flush()
    return group


def add_member(uow: UnitOfWork, username: str, group_name: str) -> None:
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    group = ensure_group(uow, group_name)
    if not uow.users.is_member(user.id, group.id):
        uow.users.add(Membership(user_id=user.id, group_id=group.id))
        uow.flush()


def actor_for(uow: UnitOfWork, username: str) -> Actor:
    """The acting user with their groups; unknown users are refused."""
    user = uow.users.get(username)
    if user is None or not user.is_active:
        raise NotFound(f"user {username} does not exist or is disabled")
    return Actor(username, frozenset(uow.users.groups_of(user.id)))
