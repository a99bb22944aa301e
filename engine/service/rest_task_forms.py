"""Camunda's task forms over our registered forms and generated (camunda:formData) forms:
the form key, submit with the form's validation, errors naming the field labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import forms
from engine.errors import FormInvalid, NotFound
from engine.models import DeploymentResource
from engine.service import generated_form_submit, rest_actions, scopes, start_forms
from engine.service.actors import Actor
from engine.service.generated_form_values import FormVariable
from engine.service.generated_form_values import form_variables as generated_variables
from engine.service.scopes import TaskForm
from engine.uow import UnitOfWork


def task_form(uow: UnitOfWork, task_id: str, *, actor: Actor) -> TaskForm:
    """The task in scope with its form's JSON Schema (None: no registered form) and data."""
    return scopes.task_form(uow, task_id, actor)


@dataclass(frozen=True)
class FormVariables:
    """A task's form with, for a generated form, its fields typed as Camunda types them."""

    form: TaskForm
    fields: list[FormVariable] | None  # None: no generated form


def form_variables(uow: UnitOfWork, task_id: str, *, actor: Actor) -> FormVariables:
    """Camunda's form-variables: the generated form's fields, valued now or by default."""
    form = scopes.task_form(uow, task_id, actor)
    fields = generated_variables(form.generated, form.data) if form.generated else None
    return FormVariables(form, fields)


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
    """Complete the task through its form; a refusal names each field by its label (a
    generated form's refusal names them itself)."""
    task = scopes.visible_task(uow, task_id, actor)
    values = generated_form_submit.task_values(uow, task_id, values, actor)
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
