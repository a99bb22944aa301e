"""Keep the queryable projections (open tasks, jobs, stall reason) in step with a workflow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from engine import bpmn, expressions, ids
from engine.bpmn.snapshot import Snapshot
from engine.models import EventSubscription, HumanTask, Job, ProcessInstance
from engine.service import work_notice
from engine.uow import UnitOfWork
from engine.work_bell import Note

SCOPE_VARIABLES = ("province_code", "key_task", "unit_id")


@dataclass
class TaskChanges:
    """The task rows one save created and the ids of those it removed (listeners' input)."""

    keep_gone_rows: bool = False
    created: list[dict[str, Any]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    gone_rows: list[HumanTask] = field(default_factory=list)


def _text(value: str | None, data: dict[str, Any]) -> Any:
    if value is None or value == "":
        return None
    return expressions.evaluate(value, data, "text")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).split(",") if p.strip()]


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value
    else:
        result = dateparser.isoparse(str(value))
    if result.tzinfo is None:
        result = result.replace(tzinfo=ZoneInfo(expressions.PRODUCT_TZ))
    return result


def assignment(view: bpmn.UserTaskView) -> dict[str, Any]:
    """Evaluate camunda:assignee/candidate*/dueDate/priority against the task's data."""
    ext, data = view.extensions, view.data
    priority = _text(ext.get("priority"), data)
    assignee = view.assigned if view.assigned is not None else _text(ext.get("assignee"), data)
    return {
        "assignee": (str(assignee or "") or None),
        "candidate_groups": _as_list(_text(ext.get("candidateGroups"), data)),
        "candidate_users": _as_list(_text(ext.get("candidateUsers"), data)),
        "due_at": _as_datetime(_text(ext.get("dueDate"), data)),
        "follow_up_at": _as_datetime(_text(ext.get("followUpDate"), data)),
        "priority": int(priority) if priority not in (None, "") else 50,
    }


def input_parameters(extensions: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    params = extensions.get("inputParameters") or {}
    return {name: bpmn.evaluate_parameter(value, data) for name, value in params.items()}


def sync_user_tasks(
    uow: UnitOfWork, instance: ProcessInstance, snap: Snapshot, now: datetime,
    row: dict[str, Any], changes: TaskChanges | None = None,
) -> list[tuple[str, str]]:
    """Insert rows for newly ready user tasks, drop rows of tasks no longer open.

    The instance row remembers which task rows exist (open_task_ids, put in `row`, the
    instance columns to write), so an unchanged task list costs no query. Returns
    (element_id, error) for each task whose assignment could not be evaluated.
    """
    views = {v.id: v for v in snap.user_tasks}
    known = instance.open_task_ids
    if known is None:
        known = uow.tasks.open_ids(instance.id)
    gone = [task_id for task_id in known if task_id not in views]
    if gone and changes is not None:
        changes.gone.extend(gone)
        if changes.keep_gone_rows:  # delete listeners read them after the rows are gone
            changes.gone_rows.extend(t for t in map(uow.tasks.get, gone) if t is not None)
    if gone:
        uow.task_history.ended(gone, now, "deleted")  # a completion ended its task first
        uow.tasks.delete_ids(gone)
    existing = set(known)
    problems: list[tuple[str, str]] = []
    rows: list[dict[str, Any]] = []
    scope: dict[str, Any] | None = None
    for view in views.values():
        if view.id not in existing:
            if scope is None:  # the scope this step sets (save writes it to the instance later)
                scope = {k: getattr(instance, k) for k in SCOPE_VARIABLES}
                scope.update(scope_values(snap.variables()))
            rows.append(_task_row(instance, view, now, problems, scope))
    if rows and changes is not None:
        changes.created.extend(rows)
    if rows:
        if instance in uow.session.new:
            uow.flush()  # task rows reference the instance row
        uow.tasks.insert_open(rows, [
            {"task_id": row["id"], "kind": kind, "value": value}
            for row in rows
            for kind, values in (("group", row["candidate_groups"]),
                                 ("user", row["candidate_users"]))
            for value in sorted(set(values or []))
        ])
        uow.task_history.opened(rows)
    row["open_task_ids"] = list(views)
    return problems


def _task_row(instance: ProcessInstance, view: bpmn.UserTaskView, now: datetime,
              problems: list[tuple[str, str]], scope: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"assignee": None, "due_at": None, "follow_up_at": None,
                              "priority": 50}
    try:
        view.data.update(input_parameters(view.extensions, view.data))
        values.update(assignment(view))
    except expressions.UnknownProperty as exc:
        problems.append((view.element_id, f"{exc} (at user task {view.element_id}, in its "
                                          "assignment or input mapping)"))
        values.update({"candidate_groups": ["ops"], "candidate_users": []})
    except (NameError, ValueError, TypeError, KeyError, expressions.ExpressionError) as exc:
        problems.append(
            (view.element_id, f"assignment of user task cannot be evaluated: {exc}"))
        values.update({"candidate_groups": ["ops"], "candidate_users": []})
    return {
        "id": view.id, "instance_id": instance.id, "process_key": instance.process_key,
        "element_id": view.element_id, "name": view.name, "form_key": view.form_key,
        "created_at": now, **scope, **values,
    }


def sync_jobs(uow: UnitOfWork, instance: ProcessInstance, snap: Snapshot, now: datetime,
              retries: int, row: dict[str, Any]) -> None:
    """Timer and external-task jobs mirror WAITING timers and STARTED service tasks."""
    wanted: dict[str, dict[str, Any]] = {}
    for timer in snap.timers:
        wanted[timer.id] = {"kind": "timer", "element_id": timer.element_id,
                            "due_at": timer.due_at, "topic": None, "payload": {}}
    for ext in snap.external_tasks:
        wanted[ext.id] = {"kind": "external", "element_id": ext.element_id, "due_at": now,
                          "topic": ext.topic,
                          "payload": {"inputs": _safe_inputs(ext)}}
        call = _connector_call(ext)
        if call is not None:
            wanted[ext.id]["payload"]["connector"] = call
    row["has_jobs"] = bool(wanted)
    if not wanted and instance.has_jobs is False:
        return  # none wanted, none stored
    gone = []
    for job in uow.jobs.for_instance(instance.id):
        spec = wanted.pop(job.task_id or "", None)
        if spec is None or spec["kind"] != job.kind:
            gone.append(job)
        elif job.kind == "timer" and job.due_at != spec["due_at"]:
            job.due_at = spec["due_at"]
    if gone:
        uow.jobs.delete_loaded(gone)
    inherited = _job_definition_settings(uow, instance, wanted)
    for task_id, spec in wanted.items():
        uow.jobs.add(Job(
            id=str(uuid.uuid4()), instance_id=instance.id, task_id=task_id,
            retries=retries if spec["kind"] == "external" else None, created_at=now, **spec,
            **inherited.get(spec["element_id"], {}),
        ))
    work_notice.announce(uow, [
        Note(spec["topic"], instance.process_key, instance.business_key)
        for spec in wanted.values() if spec["kind"] == "external" and spec["topic"]])


def _job_definition_settings(uow: UnitOfWork, instance: ProcessInstance,
                             wanted: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """element id -> what a new timer job takes from its job definition, as ops set it
    (suspended, overriding priority); one query, only when timer jobs are made."""
    timers = {spec["element_id"] for spec in wanted.values() if spec["kind"] == "timer"}
    if not timers:
        return {}
    found = uow.job_definitions.settings(
        [ids.job_definition_id(instance.definition_id, e) or "" for e in sorted(timers)])
    inherited: dict[str, dict[str, Any]] = {}
    for element_id in timers:
        setting = found.get(ids.job_definition_id(instance.definition_id, element_id) or "")
        if setting is not None:
            inherited[element_id] = {"suspended": setting.suspended}
            if setting.priority is not None:
                inherited[element_id]["priority"] = setting.priority
    return inherited


def _safe_inputs(ext: bpmn.ExternalTaskView) -> dict[str, Any]:
    try:
        return input_parameters(ext.extensions, ext.data)
    except (NameError, ValueError, TypeError, KeyError, expressions.ExpressionError):
        return {}


def _connector_call(ext: bpmn.ExternalTaskView) -> dict[str, Any] | None:
    """A camunda:connector's input parameters evaluated where the task is reached."""
    spec = ext.extensions.get("connector")
    if not spec:
        return None
    inputs: dict[str, Any] = {}
    for name, value in (spec.get("inputParameters") or {}).items():
        try:
            inputs[name] = bpmn.evaluate_parameter(value, ext.data)
        except (NameError, ValueError, TypeError, KeyError, expressions.ExpressionError) as exc:
            return {"error": f"connector parameter '{name}' cannot be evaluated: {exc}"}
    return {"inputs": inputs, "outputs": spec.get("outputParameters") or {}}


def scope_values(variables: dict[str, Any]) -> dict[str, str]:
    """The scope variables (province, key task, unit) that are set, as column values."""
    return {name: str(variables[name]) for name in SCOPE_VARIABLES
            if variables.get(name) is not None and variables.get(name) != ""}


def scope_from(variables: dict[str, Any], instance: ProcessInstance) -> None:
    """Copy the scope variables (province, key task, unit) onto the instance row."""
    for name, value in scope_values(variables).items():
        setattr(instance, name, value)


def sync_subscriptions(uow: UnitOfWork, instance: ProcessInstance, snap: Snapshot,
                       row: dict[str, Any]) -> None:
    """Index the message and signal catches the instance waits on (for correlation)."""
    row["has_subscriptions"] = bool(snap.subscriptions)
    if not snap.subscriptions and instance.has_subscriptions is False:
        return  # none wanted, none stored
    rows = [EventSubscription(instance_id=instance.id, kind=sub.kind, name=sub.name,
                              element_id=sub.element_id, correlations=sub.correlations)
            for sub in snap.subscriptions]
    uow.events.replace_subscriptions(instance.id, rows)
