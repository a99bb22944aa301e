"""Keep the queryable projections (open tasks, jobs, stall reason) in step with a workflow."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from engine import bpmn, expressions
from engine.models import EventSubscription, HumanTask, Job, ProcessInstance, TaskCandidate
from engine.uow import UnitOfWork

SCOPE_VARIABLES = ("province_code", "key_task", "unit_id")


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
    return {
        "assignee": (str(_text(ext.get("assignee"), data) or "") or None),
        "candidate_groups": _as_list(_text(ext.get("candidateGroups"), data)),
        "candidate_users": _as_list(_text(ext.get("candidateUsers"), data)),
        "due_at": _as_datetime(_text(ext.get("dueDate"), data)),
        "follow_up_at": _as_datetime(_text(ext.get("followUpDate"), data)),
        "priority": int(priority) if priority not in (None, "") else 50,
    }


def input_parameters(extensions: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    params = extensions.get("inputParameters") or {}
    return {name: _text(text, data) for name, text in params.items()}


def sync_user_tasks(
    uow: UnitOfWork, instance: ProcessInstance, workflow: Any, now: datetime
) -> list[tuple[str, str]]:
    """Insert rows for newly ready user tasks, drop rows of tasks no longer open.

    Returns (element_id, error) for each task whose assignment could not be evaluated.
    """
    problems: list[tuple[str, str]] = []
    added: list[HumanTask] = []
    views = {v.id: v for v in bpmn.ready_user_tasks(workflow)}
    for row in uow.tasks.for_instance(instance.id):
        if row.id not in views:
            uow.tasks.delete(row)
        else:
            views.pop(row.id)
    for view in views.values():
        try:
            view.data.update(input_parameters(view.extensions, view.data))
            values = assignment(view)
        except (NameError, ValueError, TypeError, KeyError, expressions.ExpressionError) as exc:
            problems.append(
                (view.element_id, f"assignment of user task cannot be evaluated: {exc}"))
            values = {"candidate_groups": ["ops"], "candidate_users": []}
        row = HumanTask(
            id=view.id, instance_id=instance.id, process_key=instance.process_key,
            element_id=view.element_id, name=view.name, form_key=view.form_key,
            created_at=now, **{k: getattr(instance, k) for k in SCOPE_VARIABLES}, **values,
        )
        uow.tasks.add(row)
        added.append(row)
    if added:
        # One flush for the task rows (candidates reference them); a new task has no
        # candidate rows yet, so they are inserted without the delete of replace_candidates.
        uow.flush()
        for row in added:
            for kind, values in (("group", row.candidate_groups), ("user", row.candidate_users)):
                for value in sorted(set(values or [])):
                    uow.tasks.add(TaskCandidate(task_id=row.id, kind=kind, value=value))
    return problems


def sync_jobs(uow: UnitOfWork, instance: ProcessInstance, workflow: Any, now: datetime,
              retries: int) -> None:
    """Timer and external-task jobs mirror WAITING timers and STARTED service tasks."""
    wanted: dict[str, dict[str, Any]] = {}
    for timer in bpmn.waiting_timers(workflow):
        wanted[timer.id] = {"kind": "timer", "element_id": timer.element_id,
                            "due_at": timer.due_at, "topic": None, "payload": {}}
    for ext in bpmn.started_external_tasks(workflow):
        wanted[ext.id] = {"kind": "external", "element_id": ext.element_id, "due_at": now,
                          "topic": ext.topic,
                          "payload": {"inputs": _safe_inputs(ext)}}
    for job in uow.jobs.for_instance(instance.id):
        spec = wanted.pop(job.task_id or "", None)
        if spec is None or spec["kind"] != job.kind:
            uow.jobs.delete(job)
        elif job.kind == "timer" and job.due_at != spec["due_at"]:
            job.due_at = spec["due_at"]
    for task_id, spec in wanted.items():
        uow.jobs.add(Job(
            id=str(uuid.uuid4()), instance_id=instance.id, task_id=task_id,
            retries=retries if spec["kind"] == "external" else None, created_at=now, **spec,
        ))


def _safe_inputs(ext: bpmn.ExternalTaskView) -> dict[str, Any]:
    try:
        return input_parameters(ext.extensions, ext.data)
    except (NameError, ValueError, TypeError, KeyError, expressions.ExpressionError):
        return {}


def scope_from(variables: dict[str, Any], instance: ProcessInstance) -> None:
    """Copy the scope variables (province, key task, unit) onto the instance row."""
    for name in SCOPE_VARIABLES:
        value = variables.get(name)
        if value is not None and value != "":
            setattr(instance, name, str(value))


def sync_subscriptions(uow: UnitOfWork, instance: ProcessInstance, workflow: Any) -> None:
    """Index the message and signal catches the instance waits on (for correlation)."""
    rows = [EventSubscription(instance_id=instance.id, kind=sub.kind, name=sub.name,
                              element_id=sub.element_id, correlations=sub.correlations)
            for sub in bpmn.waiting_subscriptions(workflow)]
    uow.events.replace_subscriptions(instance.id, rows)
