"""Submitting a generated (camunda:formData) form: each field checked the way Camunda's
FormFieldHandler.handleSubmit checks it, then the task completed or the process started.

Per field, in Camunda's order: readonly (a submitted value is refused), required (met by
a non-empty value, or by the variable already set; a legacy formProperty by its default),
the type's conversion (long from "5", boolean from "true", enum membership), then min,
max, minlength, maxlength on the converted value. A field left out takes its default
when its variable is unset and keeps its value otherwise. Values that are no field pass
through, as Camunda sets them too. Every refused field is reported at once, by label.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import forms
from engine import authz, bpmn
from engine.errors import FormInvalid
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.generated_form_values import (
    FieldError,
    default_of,
    task_generated_form,
    to_model,
)
from engine.service.runtime import load_workflow
from engine.service.tasks import Completion, complete_and_report
from engine.uow import UnitOfWork


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _limits(spec: bpmn.FormFieldSpec, value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise FieldError(forms.msg("range_min", min=_number(spec.minimum)))
        if spec.maximum is not None and value > spec.maximum:
            raise FieldError(forms.msg("range_max", max=_number(spec.maximum)))
    if isinstance(value, str):
        if spec.min_length is not None and len(value) < spec.min_length:
            raise FieldError(forms.msg("length_min", min=spec.min_length))
        if spec.max_length is not None and len(value) > spec.max_length:
            raise FieldError(forms.msg("length_max", max=spec.max_length))


def _field(spec: bpmn.FormFieldSpec, raw: Any, data: dict[str, Any]) -> tuple[bool, Any]:
    """(write?, value) for one field, or FieldError."""
    if isinstance(raw, str) and raw.strip() == "" and spec.type not in ("string", ""):
        raw = None  # an empty number, date or choice is no value (an empty text is one)
    if raw is not None and spec.readonly:
        raise FieldError(forms.msg("read_only"))
    if spec.required and (raw is None or raw == ""):
        met = (default_of(spec, data) is not None) if spec.legacy else (
            data.get(spec.name) is not None)
        if raw == "" or not met:
            raise FieldError(forms.msg("required"))
    if raw is None:
        if data.get(spec.name) is not None:
            return False, None
        value = default_of(spec, data)
        return value is not None, value
    value = to_model(spec, raw)
    _limits(spec, value)
    return True, value


def checked_values(form: bpmn.GeneratedForm, data: dict[str, Any],
                   submitted: dict[str, Any]) -> dict[str, Any]:
    """The variables a submission of the form sets; FormInvalid naming each refused field
    by its label (details: field id -> [reason], zh-CN, beside the field on the page)."""
    rest = dict(submitted)
    values: dict[str, Any] = {}
    refused: dict[str, list[str]] = {}
    for spec in form.fields:
        try:
            write, value = _field(spec, rest.pop(spec.id, None), data)
        except FieldError as exc:
            refused[spec.id] = [exc.message]
            continue
        if write:
            values[spec.name] = value
    if refused:
        titles = {spec.id: spec.title for spec in form.fields}
        reasons = "; ".join(f"{titles[name]}: {forms.messages_in('en', why[0])}"
                            for name, why in refused.items())
        raise FormInvalid(f"Cannot submit the form: {reasons}", details=refused)
    return {**rest, **values}


def task_values(uow: UnitOfWork, task_id: str, submitted: dict[str, Any], actor: Actor
                ) -> dict[str, Any]:
    """What a form submission completes the task with: checked by its generated form (the
    instance locked first, so the checks read what the completion changes); unchanged for
    a task without one. Only who may complete the task learns what its form refuses."""
    task, instance, _ = scopes.lock_visible_task(uow, task_id, actor)
    authz.require_complete(actor, task)
    if task.form_key in forms.FORM_KEYS:
        return submitted
    form = task_generated_form(uow, instance, task.element_id)
    if form is None:
        return submitted
    data = dict(bpmn.find_task(load_workflow(uow, instance), task_id).data)
    return checked_values(form, data, submitted)


def submit_and_report(uow: UnitOfWork, task_id: str, data: dict[str, Any], actor: Actor,
                      now: datetime) -> Completion:
    """The task page's submit: the generated form's checks, then complete_and_report."""
    return complete_and_report(uow, task_id, task_values(uow, task_id, data, actor),
                               actor, now)


def start_values(form: bpmn.GeneratedForm, submitted: dict[str, Any]) -> dict[str, Any]:
    """A start form's submission checked by its generated form (no variables yet)."""
    return checked_values(form, {}, submitted)

