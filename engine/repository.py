"""Every query the engine runs: one small repository class per aggregate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from engine.models import (
    ApiToken,
    Deployment,
    DeploymentResource,
    Group,
    HistoryEvent,
    HumanTask,
    Incident,
    Job,
    Membership,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    User,
)


@dataclass(frozen=True)
class ScopeFilter:
    """What an actor may see: unrestricted (ops, admin) or their units, provinces, key tasks."""

    username: str
    groups: tuple[str, ...] = ()
    unrestricted: bool = False
    unit_ids: tuple[str, ...] = ()
    province_codes: tuple[str, ...] = ()
    key_tasks: tuple[str, ...] = ()


def _in_scope(model: type[ProcessInstance] | type[HumanTask],
              scope: ScopeFilter) -> ColumnElement[bool]:
    return or_(
        model.unit_id.in_(scope.unit_ids),
        model.province_code.in_(scope.province_codes),
        model.key_task.in_(scope.key_tasks),
    )


def _offered_to(scope: ScopeFilter) -> ColumnElement[bool]:
    offered = select(TaskCandidate.task_id).where(or_(
        and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(scope.groups)),
        and_(TaskCandidate.kind == "user", TaskCandidate.value == scope.username),
    ))
    return HumanTask.id.in_(offered)


def instance_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Instances in scope: own unit, province or key task, or started by the actor."""
    if scope.unrestricted:
        return ProcessInstance.id.is_not(None)
    return or_(_in_scope(ProcessInstance, scope), ProcessInstance.started_by == scope.username)


def task_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Tasks in scope: in a scoped instance, assigned to the actor, or offered to them."""
    if scope.unrestricted:
        return HumanTask.id.is_not(None)
    return or_(_in_scope(HumanTask, scope), HumanTask.assignee == scope.username,
               _offered_to(scope))


class _Repository:
    def __init__(self, session: Session, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    def add(self, row: Any) -> None:
        self.session.add(row)


class InstanceRepository(_Repository):
    def get(self, instance_id: str) -> ProcessInstance | None:
        return self.session.get(ProcessInstance, instance_id)

    def get_for_update(self, instance_id: str) -> ProcessInstance | None:
        """Lock the instance row first (lock order: instance, then its tasks and jobs)."""
        stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()

    def list(
        self,
        *,
        status: str | None = None,
        process_key: str | None = None,
        business_key: str | None = None,
        limit: int = 100,
    ) -> Sequence[ProcessInstance]:
        stmt = select(ProcessInstance).order_by(ProcessInstance.started_at.desc())
        if status:
            stmt = stmt.where(ProcessInstance.status == status)
        if process_key:
            stmt = stmt.where(ProcessInstance.process_key == process_key)
        if business_key:
            stmt = stmt.where(ProcessInstance.business_key == business_key)
        return self.session.scalars(stmt.limit(limit)).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count(ProcessInstance.id))) or 0)

    def list_scoped(
        self, scope: ScopeFilter, *, status: str | None = None, process_key: str | None = None,
        business_key: str | None = None, province_code: str | None = None,
        key_task: str | None = None, started_from: datetime | None = None,
        started_to: datetime | None = None, stuck: bool | None = None,
        after: tuple[datetime, str] | None = None, limit: int = 50,
    ) -> Sequence[ProcessInstance]:
        """Instances in the actor's scope, newest first, after a (started_at, id) cursor."""
        pi = ProcessInstance
        stmt = select(pi).where(instance_scope_clause(scope))
        for column, value in ((pi.status, status), (pi.process_key, process_key),
                              (pi.business_key, business_key),
                              (pi.province_code, province_code), (pi.key_task, key_task)):
            if value:
                stmt = stmt.where(column == value)
        if started_from is not None:
            stmt = stmt.where(pi.started_at >= started_from)
        if started_to is not None:
            stmt = stmt.where(pi.started_at < started_to)
        if stuck is not None:
            open_incident = exists().where(Incident.instance_id == pi.id,
                                           Incident.resolved_at.is_(None))
            is_stuck = or_(pi.stall_reason.is_not(None), open_incident)
            stmt = stmt.where(is_stuck if stuck else ~is_stuck)
        if after is not None:
            stmt = stmt.where(or_(pi.started_at < after[0],
                                  and_(pi.started_at == after[0], pi.id < after[1])))
        stmt = stmt.order_by(pi.started_at.desc(), pi.id.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def get_scoped(self, instance_id: str, scope: ScopeFilter) -> ProcessInstance | None:
        stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id,
                                             instance_scope_clause(scope))
        return self.session.scalars(stmt).first()


class DefinitionRepository(_Repository):
    def get(self, definition_id: str) -> ProcessDefinition | None:
        return self.session.get(ProcessDefinition, definition_id)

    def latest(self, key: str, kind: str = "process") -> ProcessDefinition | None:
        stmt = (
            select(ProcessDefinition)
            .where(ProcessDefinition.key == key, ProcessDefinition.kind == kind)
            .order_by(ProcessDefinition.version.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def list(self, *, key: str | None = None, latest_only: bool = False,
             kind: str | None = None) -> Sequence[ProcessDefinition]:
        stmt = select(ProcessDefinition).order_by(
            ProcessDefinition.key, ProcessDefinition.version
        )
        if key:
            stmt = stmt.where(ProcessDefinition.key == key)
        if kind:
            stmt = stmt.where(ProcessDefinition.kind == kind)
        if latest_only:
            newest = (
                select(ProcessDefinition.kind, ProcessDefinition.key,
                       func.max(ProcessDefinition.version).label("v"))
                .group_by(ProcessDefinition.kind, ProcessDefinition.key)
                .subquery()
            )
            stmt = stmt.join(newest, and_(
                newest.c.kind == ProcessDefinition.kind,
                newest.c.key == ProcessDefinition.key,
                newest.c.v == ProcessDefinition.version,
            ))
        return self.session.scalars(stmt).all()

    def latest_decisions(self) -> Sequence[ProcessDefinition]:
        return self.list(kind="decision", latest_only=True)

    def keys(self, kind: str = "process") -> set[str]:
        stmt = select(ProcessDefinition.key).where(ProcessDefinition.kind == kind).distinct()
        return set(self.session.scalars(stmt).all())

    def lock_deployments(self) -> None:
        """Serialise deployments: versions are numbered under this lock."""
        if self.dialect == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(7_331_001)))

    def get_deployment(self, deployment_id: str) -> Deployment | None:
        return self.session.get(Deployment, deployment_id)

    def list_deployments(self, limit: int = 100) -> Sequence[Deployment]:
        stmt = select(Deployment).order_by(Deployment.deployed_at.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def deployment_definitions(self, deployment_id: str) -> Sequence[ProcessDefinition]:
        stmt = select(ProcessDefinition).where(ProcessDefinition.deployment_id == deployment_id)
        return self.session.scalars(stmt).all()

    def deployment_resources(self, deployment_id: str) -> Sequence[DeploymentResource]:
        stmt = select(DeploymentResource).where(DeploymentResource.deployment_id == deployment_id)
        return self.session.scalars(stmt).all()

    def latest_resource(self, name: str, deployment_name: str) -> DeploymentResource | None:
        stmt = (
            select(DeploymentResource)
            .join(Deployment, Deployment.id == DeploymentResource.deployment_id)
            .where(DeploymentResource.name == name, Deployment.name == deployment_name)
            .order_by(Deployment.deployed_at.desc(), DeploymentResource.id.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def with_timer_starts(self) -> Sequence[ProcessDefinition]:
        return [d for d in self.list(kind="process", latest_only=True) if d.timer_starts]


class TaskRepository(_Repository):
    def get(self, task_id: str) -> HumanTask | None:
        return self.session.get(HumanTask, task_id)

    def for_instance(self, instance_id: str) -> Sequence[HumanTask]:
        stmt = select(HumanTask).where(HumanTask.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(HumanTask.created_at)).all()

    def replace_candidates(self, task: HumanTask, groups: Iterable[str],
                           users: Iterable[str]) -> None:
        self.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))
        rows = [TaskCandidate(task_id=task.id, kind="group", value=g) for g in set(groups)]
        rows += [TaskCandidate(task_id=task.id, kind="user", value=u) for u in set(users)]
        self.session.add_all(rows)

    def delete(self, task: HumanTask) -> None:
        self.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))
        self.session.delete(task)

    def list_for(
        self,
        *,
        user: str | None = None,
        groups: Iterable[str] = (),
        assignee: str | None = None,
        process_key: str | None = None,
        instance_id: str | None = None,
        element_id: str | None = None,
        due_before: datetime | None = None,
        limit: int = 200,
    ) -> Sequence[HumanTask]:
        """Open tasks a user may see: assigned to them, or offered to them or their groups."""
        stmt = select(HumanTask)
        groups = list(groups)
        if user is not None or groups:
            offered = select(TaskCandidate.task_id).where(or_(
                and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(groups)),
                and_(TaskCandidate.kind == "user", TaskCandidate.value == (user or "")),
            ))
            stmt = stmt.where(or_(HumanTask.assignee == user, HumanTask.id.in_(offered)))
        if assignee is not None:
            stmt = stmt.where(HumanTask.assignee == assignee)
        if process_key:
            stmt = stmt.where(HumanTask.process_key == process_key)
        if instance_id:
            stmt = stmt.where(HumanTask.instance_id == instance_id)
        if element_id:
            stmt = stmt.where(HumanTask.element_id == element_id)
        if due_before is not None:
            stmt = stmt.where(HumanTask.due_at <= due_before)
        stmt = stmt.order_by(HumanTask.priority.desc(), HumanTask.created_at).limit(limit)
        return self.session.scalars(stmt).all()

    def overdue(self, now: datetime) -> Sequence[HumanTask]:
        stmt = select(HumanTask).where(HumanTask.due_at < now)
        return self.session.scalars(stmt).all()

    def get_scoped(self, task_id: str, scope: ScopeFilter) -> HumanTask | None:
        stmt = select(HumanTask).where(HumanTask.id == task_id, task_scope_clause(scope))
        return self.session.scalars(stmt).first()

    def _inbox(self, scope: ScopeFilter, view: str) -> Any:
        stmt = select(HumanTask).where(task_scope_clause(scope))
        if view == "mine":
            return stmt.where(HumanTask.assignee == scope.username)
        offered = and_(HumanTask.assignee.is_(None), _offered_to(scope))
        if view == "claimable":
            return stmt.where(offered)
        if view == "offered":
            return stmt.where(or_(HumanTask.assignee == scope.username, offered))
        return stmt

    def list_scoped(
        self, scope: ScopeFilter, *, view: str = "offered", process_key: str | None = None,
        key_task: str | None = None, province_code: str | None = None,
        instance_id: str | None = None, due_before: datetime | None = None,
        overdue_at: datetime | None = None, sort: str = "due", limit: int = 50,
        offset: int = 0,
    ) -> Sequence[HumanTask]:
        """The inbox: mine, claimable, offered (both) or all in scope, filtered and sorted."""
        ht = HumanTask
        stmt = self._inbox(scope, view)
        for column, value in ((ht.process_key, process_key), (ht.key_task, key_task),
                              (ht.province_code, province_code),
                              (ht.instance_id, instance_id)):
            if value:
                stmt = stmt.where(column == value)
        if due_before is not None:
            stmt = stmt.where(ht.due_at <= due_before)
        if overdue_at is not None:
            stmt = stmt.where(ht.due_at < overdue_at)
        due_order = (ht.due_at.is_(None), ht.due_at)
        order = (ht.priority.desc(), *due_order) if sort == "priority" else (
            *due_order, ht.priority.desc())
        stmt = stmt.order_by(*order, ht.created_at, ht.id).offset(offset).limit(limit)
        return self.session.scalars(stmt).all()

    def counts_scoped(self, scope: ScopeFilter, now: datetime) -> dict[str, int]:
        result = {}
        for view in ("mine", "claimable", "offered"):
            sub = self._inbox(scope, view).subquery()
            result[view] = int(self.session.scalar(select(func.count()).select_from(sub)) or 0)
        late = self._inbox(scope, "offered").where(HumanTask.due_at < now).subquery()
        result["overdue"] = int(self.session.scalar(select(func.count()).select_from(late)) or 0)
        return result


class JobRepository(_Repository):
    def get(self, job_id: str) -> Job | None:
        return self.session.get(Job, job_id)

    def for_instance(self, instance_id: str) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.instance_id == instance_id)).all()

    def delete(self, job: Job) -> None:
        self.session.delete(job)

    def list(self, *, kind: str | None = None, limit: int = 200) -> Sequence[Job]:
        stmt = select(Job).order_by(Job.due_at)
        if kind:
            stmt = stmt.where(Job.kind == kind)
        return self.session.scalars(stmt.limit(limit)).all()

    def for_definition(self, definition_id: str) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.definition_id == definition_id)).all()

    def timer_starts(self) -> Sequence[Job]:
        return self.session.scalars(select(Job).where(Job.kind == "timer_start")).all()

    def due_ids(self, kinds: Sequence[str], now: datetime, limit: int) -> Sequence[str]:
        """Ids of due, unlocked jobs; PostgreSQL skips rows other workers hold."""
        stmt = (
            select(Job.id)
            .where(Job.kind.in_(kinds), Job.due_at <= now)
            .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now))
            .where(or_(Job.retries.is_(None), Job.retries > 0))
            .order_by(Job.due_at)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list(self.session.scalars(stmt).all())

    def lease(self, job_id: str, owner: str, now: datetime, until: datetime) -> bool:
        """Claim a job with a conditional UPDATE: true for exactly one claimant."""
        stmt = (
            update(Job)
            .where(Job.id == job_id)
            .where(or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now))
            .values(lock_owner=owner, lock_expires_at=until)
        )
        result = self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)


class IncidentRepository(_Repository):
    def get(self, incident_id: str) -> Incident | None:
        return self.session.get(Incident, incident_id)

    def open_for(self, instance_id: str) -> Sequence[Incident]:
        stmt = select(Incident).where(
            Incident.instance_id == instance_id, Incident.resolved_at.is_(None)
        )
        return self.session.scalars(stmt).all()

    def list(self, *, open_only: bool = True, instance_id: str | None = None,
             limit: int = 200) -> Sequence[Incident]:
        stmt = select(Incident).order_by(Incident.created_at.desc())
        if open_only:
            stmt = stmt.where(Incident.resolved_at.is_(None))
        if instance_id:
            stmt = stmt.where(Incident.instance_id == instance_id)
        return self.session.scalars(stmt.limit(limit)).all()

    def list_scoped(self, scope: ScopeFilter, *, open_only: bool = True,
                    instance_id: str | None = None, limit: int = 200) -> Sequence[Incident]:
        """Incidents of instances in the actor's scope, newest first."""
        stmt = (
            select(Incident)
            .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
            .where(instance_scope_clause(scope))
            .order_by(Incident.created_at.desc(), Incident.id)
        )
        if open_only:
            stmt = stmt.where(Incident.resolved_at.is_(None))
        if instance_id:
            stmt = stmt.where(Incident.instance_id == instance_id)
        return self.session.scalars(stmt.limit(limit)).all()


class HistoryRepository(_Repository):
    def for_instance(self, instance_id: str) -> Sequence[HistoryEvent]:
        stmt = select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(HistoryEvent.id)).all()


class UserRepository(_Repository):
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

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        stmt = select(ApiToken).where(ApiToken.token_hash == token_hash)
        return self.session.scalars(stmt).first()

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def tokens(self, user_id: int | None = None) -> Sequence[ApiToken]:
        stmt = select(ApiToken).order_by(ApiToken.id)
        if user_id is not None:
            stmt = stmt.where(ApiToken.user_id == user_id)
        return self.session.scalars(stmt).all()
