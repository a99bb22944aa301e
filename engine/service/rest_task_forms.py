"""Camunda's task forms over our registered forms: the form key, submit with the form's
validation, errors naming the field labels a person reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import forms
from engine.errors import FormInvalid, NotFound
from engine.models import DeploymentResource
from engine.service import rest_actions, scopes, start_forms
from engine.service.actors import Actor
from engine.service.scopes import TaskForm
from engine.uow import UnitOfWork


def task_form(uow: UnitOfWork, task_id: str, *, actor: Actor) -> TaskForm:
    """The task in scope with its form's JSON Schema (None: no registered form) and data."""
    return scopes.task_form(uow, task_id, actor)


def _labels(form_key: str | None, fields: list[str]) -> list[str]:
    if form_key not in forms.FORM_KEYS:
        return fields
    properties = forms.form_json_schema(str(form_key)).get("properties") or {}
    labelled = []
    for name in fields:
        title = (properties.get(name) or {}).get("title")
        labelled.append(f"{title} ({name})" if title else name)
    return labelled


def submit_form(uow: UnitOfWork, task_id: str, values: dict[str, Any], with_variables: bool,
                *, actor: Actor, now: datetime) -> dict[str, Any] | None:
    """Complete the task through its form; a refusal names each field by its label."""
    task = scopes.visible_task(uow, task_id, actor)
    try:
        return rest_actions.complete(uow, task_id, values, with_variables, actor=actor, now=now)
    except FormInvalid as exc:
        fields = [str(k) for k in exc.details if k != "_schema"] if isinstance(
            exc.details, dict) else []
        if not fields:
            raise
        raise FormInvalid(f"{exc.message}: " + ", ".join(_labels(task.form_key, fields)),
                          details=exc.details) from exc


def deployed_task_form(uow: UnitOfWork, task_id: str, *, actor: Actor) -> DeploymentResource:
    """The deployed file the task's `deployment:` form key names (Camunda's deployed-form)."""
    task = scopes.visible_task(uow, task_id, actor)
    instance = uow.instances.get(task.instance_id)
    row = uow.definitions.get(instance.definition_id) if instance else None
    if row is None:
        raise NotFound(f"the process definition of task {task_id} does not exist")
    return start_forms.deployed_form(uow, row, task.form_key, None, actor=actor)
