"""Tables of stored files (content kept on disk by sha256) and the notification outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class StoredFile(Base):
    """One upload: a name and an owner over content stored once per sha256."""

    __tablename__ = "stored_files"
    __table_args__ = (UniqueConstraint("owner", "sha256", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(120))
    owner: Mapped[str] = mapped_column(String(120), index=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A notification to send: written in the job's transaction, mailed after commit."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    template: Mapped[str] = mapped_column(String(60), index=True)
    instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    emails: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class FileAttachment(Base):
    """A file a completed task attached to an instance: the only way a file becomes
    readable through that instance (naming a file id in a variable is not enough)."""

    __tablename__ = "file_attachments"
    file_id: Mapped[str] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True, index=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    attached_by: Mapped[str] = mapped_column(String(120))
    attached_at: Mapped[datetime]
