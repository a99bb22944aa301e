"""Core tables: users, definitions, instances and their projections (tasks, jobs, history)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite hands back naive values, which are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetimes are not stored; pass an aware UTC time")
            value = value.astimezone(UTC)
        return value  # type: ignore[no-any-return]

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    supervisor: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    # Bumped by sign-out, a password change or reset and disabling: every cookie carries the
    # value it was issued with and is refused once it differs (engine/service/signin.py).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The pages' language this person chose (engine/service/preferences.py); None: default
    language: Mapped[str | None] = mapped_column(String(20))


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")


class Membership(Base):
    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )


class Deployment(Base):
    __tablename__ = "deployments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    tenant_id: Mapped[str | None] = mapped_column(String(100))
    deployed_by: Mapped[str | None] = mapped_column(String(120))
    deployed_at: Mapped[datetime]


class DeploymentResource(Base):
    __tablename__ = "deployment_resources"
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployments.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ProcessDefinition(Base):
    """One deployed version of a process (kind=process) or a DMN decision (kind=decision)."""

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("kind", "key", "version"),)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="process")
    key: Mapped[str] = mapped_column(String(150), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    resource_name: Mapped[str] = mapped_column(String(300))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployments.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    source_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    calls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    timer_starts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    message_starts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    deployed_at: Mapped[datetime]
    # historyTimeToLive set through the REST API (history_ttl_set), else the diagram's value
    history_ttl_set: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())
    history_ttl_days: Mapped[int | None] = mapped_column(Integer)


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(150), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))
    serializer_version: Mapped[str] = mapped_column(String(20))
    state_json: Mapped[str] = mapped_column(Text)
    bindings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    province_code: Mapped[str | None] = mapped_column(String(10), index=True)
    key_task: Mapped[str | None] = mapped_column(String(10), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    started_by: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    removal_time: Mapped[datetime | None]  # Camunda's set-removal-time; no cleanup acts on it
    stall_reason: Mapped[str | None] = mapped_column(Text)
    # What the last save left in the projection tables; None = unknown, read the tables.
    open_task_ids: Mapped[list[Any] | None] = mapped_column(JSON)
    has_jobs: Mapped[bool | None] = mapped_column(Boolean)
    has_subscriptions: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}
    # The lists' filters and their whole sort key (started_at, id): migrations 0060, 0077
    __table_args__ = (
        Index("ix_process_instances_key_started", "process_key", "started_at"),
        Index("ix_process_instances_key_status_started", "process_key", "status",
              "started_at", "id"),
        Index("ix_process_instances_status_started", "status", "started_at", "id"),
    )


class HumanTask(Base):
    """Projection of one open (READY) user task; its id is SpiffWorkflow's task uuid."""

    __tablename__ = "human_tasks"
    # Covers the task list's sort and counts (repository/inbox.py, migration 0070)
    __table_args__ = (Index("ix_human_tasks_inbox", "id", "assignee", "due_at", "priority",
                            "created_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    process_key: Mapped[str] = mapped_column(String(150), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    form_key: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    candidate_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list[Any]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    follow_up_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(Integer, default=50)
    province_code: Mapped[str | None] = mapped_column(String(10), index=True)
    key_task: Mapped[str | None] = mapped_column(String(10), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]


class TaskCandidate(Base):
    """One candidate group or user of an open task: the index behind every task list."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_kind_value_task", "kind", "value", "task_id"),)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class Job(Base):
    """Work due outside a request: a timer, an external task, a timer start of a definition."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "kind", "due_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    definition_id: Mapped[str | None] = mapped_column(ForeignKey("process_definitions.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200), index=True)
    due_at: Mapped[datetime | None]
    retries: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lock_owner: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    # Camunda's job priority (shown, set by PUT /job/{id}/priority) and a job's own
    # suspension (PUT /job/{id}/suspended): a suspended timer is not fired.
    priority: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36))
    job_id: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    error_line: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolution: Mapped[str | None] = mapped_column(String(40))
    annotation: Mapped[str | None] = mapped_column(Text)  # Camunda's incident annotation


class HistoryEvent(Base):
    """Append-only: who did what, when, with which data."""

    __tablename__ = "history_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[str | None] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
