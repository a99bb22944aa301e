"""Start forms of process definitions: which form, its deployed file, submitting it.

The form of a process is the camunda:formKey (or camunda:formRef) of its none start event.
A key registered in forms/ is validated on submit like a task's form; a key such as
`deployment:start.html` or `camunda-forms:deployment:start.form` names a file of the
definition's deployment. A start event's camunda:formData (or legacy formProperty) is a
generated form: drawn as JSON Schema, its fields checked on submit (generated_form_submit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import forms
from engine import bpmn
from engine.errors import NotFound, ValidationFailed
from engine.models import DeploymentResource, ProcessDefinition, ProcessInstance
from engine.service import rest_definitions
from engine.service.actors import Actor
from engine.service.generated_form_submit import start_values
from engine.service.generated_form_values import (
    FormVariable,
    form_variables,
    json_schema,
    start_generated_form,
)
from engine.service.instances import start_instance
from engine.service.tasks import validate_task_form
from engine.uow import UnitOfWork

DEPLOYMENT_PREFIXES = ("camunda-forms:deployment:", "embedded:deployment:", "deployment:")


def start_form(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor) -> bpmn.StartForm:
    """The form key and form reference of the definition's none start event."""
    del uow, actor
    return bpmn.start_form(row.source_xml, row.key)


def _generated(row: ProcessDefinition) -> bpmn.GeneratedForm | None:
    """The start event's generated form, unless a registered form key takes its place."""
    if bpmn.start_form(row.source_xml, row.key).form_key in forms.FORM_KEYS:
        return None
    return start_generated_form(row)


def start_form_variables(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor
                         ) -> list[FormVariable]:
    """The generated start form's fields with their defaults (none: no generated form)."""
    del uow, actor
    form = _generated(row)
    return form_variables(form, {}) if form is not None else []


def rendered_start_form(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor
                        ) -> dict[str, Any] | None:
    """The generated start form as JSON Schema (None: the start event has none)."""
    del uow, actor
    form = _generated(row)
    return json_schema(form, {}, row.name or row.key) if form is not None else None


def deployed_start_form(uow: UnitOfWork, row: ProcessDefinition, *, actor: Actor
                        ) -> DeploymentResource:
    """The deployed file a `deployment:` form key names (Camunda's deployed-start-form)."""
    form = bpmn.start_form(row.source_xml, row.key)
    return deployed_form(uow, row, form.form_key, form.form_ref, actor=actor)


def deployed_form(uow: UnitOfWork, row: ProcessDefinition, form_key: str | None,
                  form_ref: str | None, *, actor: Actor) -> DeploymentResource:
    """The file of the definition's deployment that a `deployment:` form key names."""
    if form_key is None and form_ref is None:
        raise ValidationFailed("One of the attributes 'formKey' and 'camunda:formRef' must "
                               "be supplied but none were set.")
    name = next((form_key[len(p):] for p in DEPLOYMENT_PREFIXES
                 if form_key and form_key.startswith(p)), None)
    if name is None:
        raise ValidationFailed(f"The form key '{form_key or form_ref}' does not "
                               "reference a deployed form.")
    found = rest_definitions.resource_named(uow, row, name, actor=actor)
    if found is None:
        raise NotFound(f"The form with the resource name '{name}' cannot be found in "
                       f"deployment with id {row.deployment_id}")
    return found


def submit(uow: UnitOfWork, row: ProcessDefinition, data: dict[str, Any],
           business_key: str | None, *, actor: Actor, now: datetime) -> ProcessInstance:
    """Start the definition with the start form's data, validated by its form (forms/, or
    the start event's generated form)."""
    form = bpmn.start_form(row.source_xml, row.key)
    generated = _generated(row)
    if generated is not None:
        data = start_values(generated, data)
    values = validate_task_form(uow, form.form_key, data, {}, actor)
    return start_instance(uow, row.id, actor, now, variables=values,
                          business_key=business_key)
