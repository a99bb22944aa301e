"""Queries on the product tables: stored files, construction units, the outbox."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import (
    FileAttachment,
    OutboxMessage,
    ProcessInstance,
    StoredFile,
    Unit,
)


class ProductRepository:
    """The product's tables, as `uow.product`."""

    def __init__(self, session: Session, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    # files
    def file(self, file_id: str) -> StoredFile | None:
        return self.session.get(StoredFile, file_id)

    def same_file(self, owner: str, sha256: str, name: str) -> StoredFile | None:
        stmt = select(StoredFile).where(
            StoredFile.owner == owner, StoredFile.sha256 == sha256, StoredFile.name == name
        )
        return self.session.scalars(stmt).first()

    def instances_attaching(self, file_id: str) -> Sequence[ProcessInstance]:
        """Instances a completed task of which attached the file."""
        ids = select(FileAttachment.instance_id).where(FileAttachment.file_id == file_id)
        stmt = select(ProcessInstance).where(ProcessInstance.id.in_(ids))
        return self.session.scalars(stmt).all()

    def attach(self, rows: Iterable[FileAttachment]) -> None:
        """Record attachments; one already recorded (same file, instance, task) is kept."""
        for row in rows:
            if self.session.get(FileAttachment, (row.file_id, row.instance_id,
                                                 row.task_id)) is None:
                self.session.add(row)
        self.session.flush()

    # units
    def unit(self, unit_id: str) -> Unit | None:
        return self.session.get(Unit, unit_id)

    def unit_by_credit_code(self, credit_code: str) -> Unit | None:
        stmt = select(Unit).where(Unit.credit_code == credit_code)
        return self.session.scalars(stmt).first()

    def units(self, province_code: str | None = None) -> Sequence[Unit]:
        stmt = select(Unit).order_by(Unit.province_code, Unit.name)
        if province_code:
            stmt = stmt.where(Unit.province_code == province_code)
        return self.session.scalars(stmt).all()

    # outbox
    def outbox_for_job(self, job_id: str) -> OutboxMessage | None:
        stmt = select(OutboxMessage).where(OutboxMessage.job_id == job_id)
        return self.session.scalars(stmt).first()

    def outbox_message(self, message_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, message_id)

    def outbox(self, *, template: str | None = None,
               instance_ids: Iterable[str] | None = None) -> Sequence[OutboxMessage]:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if template:
            stmt = stmt.where(OutboxMessage.template == template)
        if instance_ids is not None:
            stmt = stmt.where(OutboxMessage.instance_id.in_(list(instance_ids)))
        return self.session.scalars(stmt).all()

    # process starts
    def instances_of(self, process_key: str, statuses: Iterable[str]) -> Sequence[ProcessInstance]:
        stmt = select(ProcessInstance).where(
            ProcessInstance.process_key == process_key,
            ProcessInstance.status.in_(list(statuses)),
        ).order_by(ProcessInstance.started_at, ProcessInstance.id)
        return self.session.scalars(stmt).all()

    def existing_business_keys(self, keys: Iterable[str]) -> set[str]:
        stmt = select(ProcessInstance.business_key).where(
            ProcessInstance.business_key.in_(list(keys))
        )
        return {k for k in self.session.scalars(stmt).all() if k is not None}

    def lock_name(self, name: str) -> None:
        """Serialise work on one name until commit (PostgreSQL advisory lock).

        SQLite needs nothing: every write unit of work starts with BEGIN IMMEDIATE.
        """
        if self.dialect == "postgresql":
            key = zlib.crc32(name.encode("utf-8"))
            self.session.execute(select(func.pg_advisory_xact_lock(key)))
