"""Password sign-in: throttled per (account, address) and per address; verified-pair cache.

The rule (the same answer, status and cost for unknown names as for known ones):
- failures are counted per (name as typed, client address): none of the first 2 waits,
  from the 3rd on each failure makes that pair wait 1, 2, 4 ... 60 s, and the 10th locks
  the pair for 15 minutes; the right password from that address is refused (429) while the
  pair waits, and a success from it clears the pair's counter;
- failures are also counted per address over all names: from the 20th on the address
  waits 1, 2, 4 ... 60 s, and the 100th locks it for 15 minutes (a password spray);
- a counter whose last failure is a day old starts again.
A wrong password from address A therefore never blocks the right one from address B.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.models import User
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.service.users import hash_password, verify_password
from engine.uow import UnitOfWork

SLOW_AFTER = 3
LOCK_AFTER = 10
ADDRESS_SLOW_AFTER = 20
ADDRESS_LOCK_AFTER = 100
LOCK_FOR = timedelta(minutes=15)
MAX_WAIT = 60
FORGET_AFTER = timedelta(days=1)
ADDRESS_WIDE = ""  # the username of an address's own counter

INVALID = "invalid"
LOCKED = "locked"
WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a secret

_DUMMY_HASH = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: an actor (and its session generation), or why not."""

    actor: Actor | None
    reason: str | None = None
    retry_after: int = 0
    generation: int = 0


@dataclass(frozen=True)
class _Verified:
    username: str
    user_id: int
    password_hash: str
    generation: int
    expires: datetime


class VerifiedCache:
    """Recently verified (username, password) pairs, for HTTP Basic at Bearer speed.

    Keyed by an HMAC of the pair under a random per-process key; the password is never
    kept. An entry only stands while the user row still has the same password hash and
    session generation (read on every hit), so a change made by any process is seen at
    once; it never bypasses the throttle, which is checked before it.
    """

    def __init__(self, seconds: float = 60.0, size: int = 1024) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = timedelta(seconds=seconds)
        self._size = size
        self._entries: OrderedDict[bytes, _Verified] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, username: str, password: str) -> bytes:
        raw = f"{len(username)}:{username}:{password}".encode()
        return hmac.new(self._key, raw, hashlib.sha256).digest()

    def __len__(self) -> int:
        return len(self._entries)

    def matches(self, username: str, password: str, user: User, now: datetime) -> bool:
        """Whether this exact pair was verified for this user's current row, recently."""
        key = self._digest(username, password)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False
            if (entry.expires > now and entry.user_id == user.id
                    and entry.password_hash == user.password_hash
                    and entry.generation == user.session_generation):
                self._entries.move_to_end(key)
                return True
            del self._entries[key]
            return False

    def remember(self, username: str, password: str, user: User, now: datetime) -> None:
        if self._ttl <= timedelta(0) or self._size <= 0 or not user.password_hash:
            return
        entry = _Verified(username, user.id, user.password_hash, user.session_generation,
                          now + self._ttl)
        key = self._digest(username, password)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def drop_user(self, username: str) -> None:
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.username == username]:
                del self._entries[key]


def _backoff(failures: int, slow_after: int, lock_after: int) -> timedelta:
    """No wait for the first few failures, then doubling waits, then a long lock."""
    if failures >= lock_after:
        return LOCK_FOR
    if failures < slow_after:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - slow_after), MAX_WAIT))


def sign_in(uow: UnitOfWork, username: str, password: str, address: str, now: datetime,
            cache: VerifiedCache | None = None) -> SignIn:
    """Check a password without writing a failure; a success clears the pair's counter.

    A wrong password returns reason WRONG_PASSWORD: the caller must then count it with
    record_failure in a unit of work that commits even though the request fails. Unknown
    and disabled names cost one argon2 verification too, and are counted the same way.
    """
    found = uow.users.password_sign_in(username, address)
    if found.locked_until is not None and found.locked_until > now:
        return SignIn(None, LOCKED, int((found.locked_until - now).total_seconds()) + 1)
    user = found.user
    if user is None or not user.is_active:
        verify_password(User(password_hash=_DUMMY_HASH), password)  # same cost as a real check
        return SignIn(None, WRONG_PASSWORD)
    if not (cache is not None and cache.matches(username, password, user, now)):
        if not verify_password(user, password):
            return SignIn(None, WRONG_PASSWORD)
        if cache is not None:
            cache.remember(username, password, user, now)
    if found.pair_counted:
        uow.users.clear_failures(username, address)
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.locked_until = None
    return SignIn(Actor(username, frozenset(found.groups)), generation=user.session_generation)


def record_failure(uow: UnitOfWork, username: str, address: str, now: datetime) -> SignIn:
    """Count one failed sign-in for (username, address) and for address: slow, then lock."""
    forget = now - FORGET_AFTER
    uow.users.prune_failures(forget, now)
    waits = []
    for name, slow, lock in ((username, SLOW_AFTER, LOCK_AFTER),
                             (ADDRESS_WIDE, ADDRESS_SLOW_AFTER, ADDRESS_LOCK_AFTER)):
        failures = uow.users.count_failure(name, address, now, forget)
        wait = _backoff(failures, slow, lock)
        if wait:
            uow.users.extend_lock(name, address, now + wait)
        waits.append(wait)
    user = uow.users.get(username)
    if user is not None:
        # What an admin sees: failures since the last success, from any address.
        user.failed_logins = (user.failed_logins or 0) + 1
        if waits[0]:
            user.locked_until = now + waits[0]
        record(uow, None, username, "sign_in_failed", now,
               data={"failures": user.failed_logins, "address": address})
    return SignIn(None, INVALID, int(max(waits).total_seconds()))


def actor_for_session(uow: UnitOfWork, username: str, generation: int) -> Actor | None:
    """The actor of a cookie issued at this session generation, or None once it moved on."""
    found = uow.users.sign_in_row(username)
    if found is None:
        return None
    user, groups = found
    if not user.is_active or user.session_generation != generation:
        return None
    return Actor(username, frozenset(groups))
