"""Queries on users, groups, memberships and API tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, exists, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.models import (
    ApiToken,
    Group,
    Membership,
    SignInThrottle,
    User,
)
from engine.repository.base import Repository


@dataclass(frozen=True)
class SignInRow:
    """What a password sign-in needs: the user (None: unknown), groups, throttle state."""

    user: User | None
    groups: Sequence[str]
    locked_until: datetime | None = None
    pair_counted: bool = False


class UserRepository(Repository):
    def get(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def list(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.username)).all()

    def group(self, name: str) -> Group | None:
        return self.session.scalars(select(Group).where(Group.name == name)).first()

    def groups_of(self, user_id: int) -> Sequence[str]:
        stmt = (
            select(Group.name)
            .join(Membership, Membership.group_id == Group.id)
            .where(Membership.user_id == user_id)
        )
        return sorted(self.session.scalars(stmt).all())

    def is_member(self, user_id: int, group_id: int) -> bool:
        return self.session.get(Membership, (user_id, group_id)) is not None

    def members_of(self, group_names: Iterable[str]) -> Sequence[str]:
        stmt = (
            select(User.username)
            .join(Membership, Membership.user_id == User.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.name.in_(list(group_names)), User.is_active.is_(True))
        )
        return sorted(set(self.session.scalars(stmt).all()))

    def existing_usernames(self, names: Iterable[str]) -> Sequence[str]:
        stmt = select(User.username).where(User.username.in_(list(names)),
                                           User.is_active.is_(True))
        return list(self.session.scalars(stmt).all())

    def get_by_id(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def list_groups(self) -> Sequence[Group]:
        return self.session.scalars(select(Group).order_by(Group.name)).all()

    def delete(self, row: User | Group) -> None:
        """A user or a group; memberships and tokens go with it (ON DELETE CASCADE)."""
        self.session.delete(row)
        self.session.flush()

    def remove_membership(self, user_id: int, group_id: int) -> bool:
        result = self.session.execute(delete(Membership).where(
            Membership.user_id == user_id, Membership.group_id == group_id))
        return bool(getattr(result, "rowcount", 0))

    def token_sign_in(self, token_hash: str) -> tuple[ApiToken, User, Sequence[str]] | None:
        """A token, its user and the user's groups in one round trip (every API request)."""
        stmt = (
            select(ApiToken, User, Group.name)
            .join(User, User.id == ApiToken.user_id)
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Group, Group.id == Membership.group_id)
            .where(ApiToken.token_hash == token_hash)
        )
        rows = self.session.execute(stmt).all()
        if not rows:
            return None
        token, user = rows[0][0], rows[0][1]
        return token, user, sorted(name for _, _, name in rows if name is not None)

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def tokens(self, user_id: int | None = None) -> Sequence[ApiToken]:
        stmt = select(ApiToken).order_by(ApiToken.id)
        if user_id is not None:
            stmt = stmt.where(ApiToken.user_id == user_id)
        return self.session.scalars(stmt).all()

    def revoke_tokens_of(self, user_id: int, now: datetime) -> int:
        """Revoke every live token of a user; returns how many."""
        result = self.session.execute(
            update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now).execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)

    def sign_in_row(self, username: str) -> tuple[User, Sequence[str]] | None:
        """A user and their groups in one round trip (every cookie request)."""
        found = self.password_sign_in(username, None)
        return (found.user, found.groups) if found.user is not None else None

    def password_sign_in(self, username: str, address: str | None) -> SignInRow:
        """The user, their groups and (address given) the throttle state of (username,
        address) and of address, in one round trip when the user exists (every Basic
        request); a second small query otherwise."""
        row = SignInThrottle
        columns: list[Any] = [User, Group.name]
        if address is not None:
            keys = row.address == address, row.username.in_([username, ""])
            columns += [
                select(func.max(row.locked_until)).where(*keys).scalar_subquery(),
                exists().where(row.username == username, row.address == address),
            ]
        stmt = (
            select(*columns)
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Group, Group.id == Membership.group_id)
            .where(User.username == username)
        )
        rows = self.session.execute(stmt).all()
        if rows:
            first = rows[0]
            groups = sorted(r[1] for r in rows if r[1] is not None)
            if address is None:
                return SignInRow(first[0], groups)
            return SignInRow(first[0], groups, first[2], bool(first[3]))
        if address is None:
            return SignInRow(None, [])
        throttled = self.throttle_rows(username, address)
        ends = [t.locked_until for t in throttled if t.locked_until is not None]
        return SignInRow(None, [], max(ends) if ends else None,
                         any(t.username == username for t in throttled))

    # Failed sign-in counters per (username, address) and per address (username "").

    def throttle_rows(self, username: str, address: str) -> Sequence[SignInThrottle]:
        stmt = select(SignInThrottle).where(
            SignInThrottle.address == address, SignInThrottle.username.in_([username, ""]))
        return self.session.scalars(stmt).all()

    def count_failure(self, username: str, address: str, now: datetime,
                      forget_before: datetime) -> int:
        """Add one failure atomically (concurrent attempts are never lost); the new count.

        A counter whose last failure is older than forget_before starts again at one.
        """
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        row = SignInThrottle
        stmt = insert(row).values(username=username, address=address, failures=1,
                                  locked_until=None, last_failure_at=now)
        upsert = stmt.on_conflict_do_update(
            index_elements=[row.username, row.address],
            set_={"failures": case((row.last_failure_at < forget_before, 1),
                                   else_=row.failures + 1),
                  "last_failure_at": stmt.excluded.last_failure_at},
        ).returning(row.failures)
        return int(self.session.execute(upsert).scalar_one())

    def extend_lock(self, username: str, address: str, until: datetime) -> None:
        """Lock until then, or later if a concurrent failure already locked for longer."""
        row = SignInThrottle
        stamp = literal(until, row.locked_until.type)  # stored as UTC like the column
        later = case((or_(row.locked_until.is_(None), row.locked_until < stamp), stamp),
                     else_=row.locked_until)
        self.session.execute(
            update(row).where(row.username == username, row.address == address)
            .values(locked_until=later).execution_options(synchronize_session=False))

    def clear_failures(self, username: str, address: str | None = None) -> None:
        """Forget a name's failures from one address (a success), or from all (admin)."""
        stmt = delete(SignInThrottle).where(SignInThrottle.username == username)
        if address is not None:
            stmt = stmt.where(SignInThrottle.address == address)
        self.session.execute(stmt.execution_options(synchronize_session=False))

    def prune_failures(self, forget_before: datetime, now: datetime) -> None:
        """Drop counters that no longer matter: old and not locked."""
        self.session.execute(delete(SignInThrottle).where(
            SignInThrottle.last_failure_at < forget_before,
            or_(SignInThrottle.locked_until.is_(None),
                SignInThrottle.locked_until < now)
        ).execution_options(synchronize_session=False))
