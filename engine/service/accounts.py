"""Sign-in with lockout, personal API tokens, and admin changes to users and groups."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from engine.models import ApiToken, Group, User
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.service.users import actor_for, hash_password, verify_password
from engine.uow import UnitOfWork

TOKEN_USE_RESOLUTION = timedelta(minutes=1)

SLOW_AFTER = 3
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)
TOKEN_PREFIX = "vf_"  # noqa: S105 - a visible prefix, not a secret


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: an actor, or why not and for how long to wait."""

    actor: Actor | None
    reason: str | None = None
    retry_after: int = 0


def _backoff(failures: int) -> timedelta:
    """No wait for the first few failures, then doubling waits, then a long lock."""
    if failures >= LOCK_AFTER:
        return LOCK_FOR
    if failures < SLOW_AFTER:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - SLOW_AFTER), 60))


def authenticate(uow: UnitOfWork, username: str, password: str, now: datetime) -> SignIn:
    """Check a password; failures are counted and slow, then lock, further attempts.

    Returns rather than raises so that the entry point commits the failure counter.
    """
    result = check_password(uow, username, password, now)
    if result.reason == WRONG_PASSWORD:
        return record_failure(uow, username, now)
    return result


WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a secret


def check_password(uow: UnitOfWork, username: str, password: str, now: datetime) -> SignIn:
    """Check a password without writing a failure; a success clears the failure counter.

    A wrong password returns reason WRONG_PASSWORD: the caller must then count it with
    record_failure in a unit of work that commits even though the request fails.
    """
    user = uow.users.get(username)
    if user is None or not user.is_active:
        verify_password(User(password_hash=_DUMMY_HASH), password)  # same cost as a real check
        return SignIn(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        left = int((user.locked_until - now).total_seconds()) + 1
        return SignIn(None, "locked", left)
    if not verify_password(user, password):
        return SignIn(None, WRONG_PASSWORD)
    user.failed_logins = 0
    user.locked_until = None
    return SignIn(actor_for(uow, username))


def record_failure(uow: UnitOfWork, username: str, now: datetime) -> SignIn:
    """Count one wrong password: slow, then lock, further attempts."""
    user = uow.users.get(username)
    if user is None:
        return SignIn(None, "invalid")
    user.failed_logins = (user.failed_logins or 0) + 1
    wait = _backoff(user.failed_logins)
    user.locked_until = now + wait if wait else None
    record(uow, None, username, "sign_in_failed", now, data={"failures": user.failed_logins})
    return SignIn(None, "invalid", int(wait.total_seconds()))


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(uow: UnitOfWork, username: str, name: str, actor: Actor,
                 now: datetime) -> tuple[ApiToken, str]:
    """A new personal token; the plain text is returned here and never stored."""
    if username != actor.username and not actor.in_group("admin"):
        raise Forbidden("only admin may create tokens for other users")
    user = _user(uow, username)
    if not name.strip():
        raise ValidationFailed("a token needs a name", details={"name": ["required"]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=_digest(plain),
                   created_at=now)
    uow.users.add(row)
    uow.flush()
    record(uow, None, actor, "token_created", now, data={"user": username, "token_id": row.id})
    return row, plain


def actor_for_token(uow: UnitOfWork, token: str, now: datetime) -> Actor | None:
    """The owner of a live token (and mark it used), or None."""
    found = uow.users.token_sign_in(_digest(token))
    if found is None:
        return None
    row, user, groups = found
    if row.revoked_at is not None or not user.is_active:
        return None
    # Marked at most once a minute: a write (and its commit) on every request costs more
    # than the rest of the sign-in together.
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return Actor(user.username, frozenset(groups))


def list_tokens(uow: UnitOfWork, actor: Actor, username: str | None = None
                ) -> Sequence[ApiToken]:
    """Own tokens; admin may list anyone's (username) or all (username None)."""
    if actor.in_group("admin"):
        return uow.users.tokens(_user(uow, username).id if username else None)
    return uow.users.tokens(_user(uow, actor.username).id)


def revoke_token(uow: UnitOfWork, token_id: int, actor: Actor, now: datetime) -> ApiToken:
    row = uow.users.token(token_id)
    owner = uow.users.get_by_id(row.user_id) if row else None
    if row is None or owner is None or (
            owner.username != actor.username and not actor.in_group("admin")):
        raise NotFound(f"token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = now
        record(uow, None, actor, "token_revoked", now, data={"token_id": token_id})
    return row


def token_owner(uow: UnitOfWork, token: ApiToken) -> str:
    user = uow.users.get_by_id(token.user_id)
    return user.username if user else ""


def require_admin(actor: Actor) -> None:
    if not actor.in_group("admin"):
        raise Forbidden("only members of 'admin' may manage users and groups")


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return user


def update_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime, *,
                display_name: str | None = None, email: str | None = None,
                is_active: bool | None = None, password: str | None = None,
                supervisor: str | None = None, unlock: bool = False) -> User:
    """Admin edit of a user; unlock clears the failed sign-in counter."""
    require_admin(actor)
    user = _user(uow, username)
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email or None
    if is_active is not None:
        user.is_active = is_active
    if supervisor is not None:
        user.supervisor = supervisor or None
    if password:
        user.password_hash = hash_password(password)
    if unlock or password:
        user.failed_logins = 0
        user.locked_until = None
    record(uow, None, actor, "user_updated", now, data={"user": username})
    uow.flush()
    return user


def list_groups(uow: UnitOfWork) -> Sequence[Group]:
    return uow.users.list_groups()


def remove_member(uow: UnitOfWork, username: str, group_name: str, actor: Actor,
                  now: datetime) -> None:
    require_admin(actor)
    user = _user(uow, username)
    group = uow.users.group(group_name)
    if group is None or not uow.users.remove_membership(user.id, group.id):
        raise InvalidState(f"{username} is not a member of {group_name}")
    record(uow, None, actor, "member_removed", now, data={"user": username, "group": group_name})
