"""Queries on users, groups, memberships and API tokens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select

from engine.models import (
    ApiToken,
    Group,
    Membership,
    User,
)
from engine.repository.base import Repository


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
