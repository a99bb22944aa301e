"""Sign-in tables: personal API tokens (sha256 hashes) and failed sign-in counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins of one (username, client address), or of one address (username "").

    Keyed by the name as typed, whether or not such a user exists, so that an unknown name
    is answered exactly like a known one.
    """

    __tablename__ = "sign_in_throttle"
    username: Mapped[str] = mapped_column(String(120), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
