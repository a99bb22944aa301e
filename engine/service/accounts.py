"""Personal API tokens, own password changes, sign-out, and admin changes to users and groups."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from engine import authz
from engine.errors import Forbidden, FormInvalid, InvalidState, NotFound, ValidationFailed
from engine.models import ApiToken, User
from engine.service.actors import Actor
from engine.service.passwords import require_strong_password
from engine.service.runtime import record
from engine.service.signin import SignIn, sign_in
from engine.service.users import add_member, add_user, hash_password
from engine.uow import UnitOfWork

TOKEN_USE_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "vf_"  # noqa: S105 - a visible prefix, not a secret
WRONG_CURRENT = ("当前密码不正确。", "The current password is wrong.")


def end_sessions(uow: UnitOfWork, user: User, now: datetime, *,
                 revoke_tokens: bool = False) -> None:
    """End every cookie session of user (bump the generation); optionally every token too."""
    user.session_generation = (user.session_generation or 0) + 1
    if revoke_tokens:
        uow.users.revoke_tokens_of(user.id, now)


def sign_out(uow: UnitOfWork, actor: Actor, now: datetime) -> None:
    """Sign-out: every cookie session of the actor ends, on every device; tokens stay."""
    user = _user(uow, actor.username)
    end_sessions(uow, user, now)
    record(uow, None, actor, "signed_out", now)


def change_own_password(uow: UnitOfWork, current_password: str, new_password: str,
                        actor: Actor, now: datetime, *, address: str = "") -> SignIn:
    """The actor changes their own password, proving the current one.

    The current password is checked like a sign-in (throttled per account and address); a
    wrong one returns reason WRONG_PASSWORD for the caller to count (signin.record_failure,
    in a unit of work of its own) and to answer with wrong_current_password(). Success
    ends every other session and revokes every token; the returned generation is the new
    one, for the caller's own fresh session.
    """
    result = sign_in(uow, actor.username, current_password, address, now)
    if result.actor is None:
        return result
    user = _user(uow, actor.username)
    require_strong_password(new_password, "new_password", _inputs(user))
    user.password_hash = hash_password(new_password)
    end_sessions(uow, user, now, revoke_tokens=True)
    record(uow, None, actor, "password_changed", now, data={"user": actor.username})
    uow.flush()
    return SignIn(result.actor, generation=user.session_generation)


def wrong_current_password() -> FormInvalid:
    zh, en = WRONG_CURRENT
    return FormInvalid(f"current_password: {en}", details={"current_password": [f"{zh} {en}"]})


def _inputs(user: User) -> list[str]:
    """What a password must not be built from: the person's own names."""
    return [user.username, user.display_name or "", user.email or ""]


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


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get(username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return user


def create_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime, *,
                password: str | None = None, display_name: str = "",
                email: str | None = None, groups: Sequence[str] = ()) -> User:
    """Admin: a new user, with a password that passes the password rule, in groups."""
    authz.require_admin(actor)
    if password is not None:
        require_strong_password(password, "password", [username, display_name, email or ""])
    user = add_user(uow, username, now, password=password, display_name=display_name,
                    email=email)
    for group in groups:
        add_member(uow, username, group)
    record(uow, None, actor, "user_created", now, data={"user": username})
    return user


def update_user(uow: UnitOfWork, username: str, actor: Actor, now: datetime, *,
                display_name: str | None = None, email: str | None = None,
                is_active: bool | None = None, password: str | None = None,
                supervisor: str | None = None, unlock: bool = False) -> User:
    """Admin edit of a user; unlock clears the failed sign-in counters of every address.

    A password reset ends the user's sessions and revokes their tokens; disabling ends
    their sessions (tokens are refused while disabled).
    """
    authz.require_admin(actor)
    user = _user(uow, username)
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email or None
    if supervisor is not None:
        user.supervisor = supervisor or None
    if password:
        require_strong_password(password, "password", _inputs(user))
        user.password_hash = hash_password(password)
        end_sessions(uow, user, now, revoke_tokens=True)
    if is_active is not None:
        if user.is_active and not is_active and not password:
            end_sessions(uow, user, now)
        user.is_active = is_active
    if unlock or password:
        user.failed_logins = 0
        user.locked_until = None
        uow.users.clear_failures(username)
    record(uow, None, actor, "user_updated", now,
           data={"user": username, "password_reset": bool(password)})
    uow.flush()
    return user


def remove_member(uow: UnitOfWork, username: str, group_name: str, actor: Actor,
                  now: datetime) -> None:
    authz.require_admin(actor)
    user = _user(uow, username)
    group = uow.users.group(group_name)
    if group is None or not uow.users.remove_membership(user.id, group.id):
        raise InvalidState(f"{username} is not a member of {group_name}")
    record(uow, None, actor, "member_removed", now, data={"user": username, "group": group_name})
