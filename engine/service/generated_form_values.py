"""Values of generated (camunda:formData) forms: Camunda's form-type conversions, defaults,
the form as the JSON Schema our renderers draw, and the typed form variables.

Camunda's form types convert in two directions: to the model value kept as a variable
(convertToModelValue: long from "5", a date from "15/12/2026") and to the form value a
form shows (convertToFormValue: a date as dd/MM/yyyy text). A field's value is its
variable's, else its default (a `${var}` default reads that variable, as JUEL does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import forms
from engine import bpmn, expressions
from engine.models import ProcessDefinition, ProcessInstance
from engine.uow import UnitOfWork

CAMUNDA_TYPES = {"long": "Long", "boolean": "Boolean", "string": "String", "enum": "String",
                 "date": "String"}
SCHEMA_TYPES: dict[str, dict[str, str]] = {
    "long": {"type": "integer"}, "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"}}
WHOLE = re.compile(r"\s*[-+]?\d+\s*")
DEFAULT_FAILURES = (NameError, LookupError, TypeError, ValueError, AttributeError,
                    ArithmeticError, expressions.ExpressionError)


class FieldError(ValueError):
    """A value a field refuses; the message (zh-CN, forms.msg) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FormVariable:
    """One field as Camunda's form-variables answer it (type None: untyped, as stored)."""

    name: str
    type: str | None
    value: Any


def task_generated_form(uow: UnitOfWork, instance: ProcessInstance, element_id: str
                        ) -> bpmn.GeneratedForm | None:
    """The generated form of a task of the instance (None: the element has none)."""
    row = uow.definitions.get(instance.definition_id)
    return bpmn.generated_form(row.source_xml, element_id) if row is not None else None


def start_generated_form(row: ProcessDefinition) -> bpmn.GeneratedForm | None:
    """The generated form of the definition's none start event (None: none)."""
    return bpmn.start_generated_form(row.source_xml, row.key)


def _parsed_date(text: str, pattern: str) -> datetime | None:
    """The field's pattern first, then ISO 8601 (an HTML date input, a Camunda Date)."""
    try:
        return datetime.strptime(text, pattern)  # noqa: DTZ007 (a date: UTC is set after)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _date(spec: bpmn.FormFieldSpec, value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        found = _parsed_date(value.strip(), bpmn.strptime_pattern(spec.date_pattern) or "")
        if found is not None:
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    raise FieldError(forms.msg("invalid_date", pattern=spec.date_pattern))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise FieldError(forms.msg("invalid_string"))


def to_model(spec: bpmn.FormFieldSpec, value: Any) -> Any:
    """The variable a submitted (or default) value becomes; FieldError when it cannot."""
    if value is None or spec.type == "":
        return value
    if spec.type == "long":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and WHOLE.fullmatch(value):
            return int(value)
        raise FieldError(forms.msg("invalid_integer"))
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise FieldError(forms.msg("invalid_boolean"))
    if spec.type == "date":
        return _date(spec, value)
    text = _text(value)
    ids = [o.id for o in spec.options]
    if spec.type == "enum" and text not in ids:
        raise FieldError(forms.msg("one_of", choices=", ".join(ids)))
    return text


def default_of(spec: bpmn.FormFieldSpec, data: dict[str, Any]) -> Any:
    """The field's default as a model value; None when it has none or it cannot be had
    (a `${var}` of an unset variable shows an empty field rather than failing the page)."""
    text = spec.default
    if text is None:
        return None
    raw: Any = text
    if "${" in text or "#{" in text:
        try:
            raw = expressions.evaluate(text, data, "text")
        except DEFAULT_FAILURES:
            return None
    try:
        return to_model(spec, raw)
    except FieldError:
        return None


def current(spec: bpmn.FormFieldSpec, data: dict[str, Any]) -> Any:
    """The field's model value now: its variable's, else its default."""
    value = data.get(spec.name)
    if value is None:
        return default_of(spec, data)
    try:
        return to_model(spec, value)
    except FieldError:
        return value


def form_value(spec: bpmn.FormFieldSpec, value: Any) -> Any:
    """Camunda's convertToFormValue: dates as text in the field's pattern."""
    if spec.type == "date" and isinstance(value, datetime):
        return value.strftime(bpmn.strptime_pattern(spec.date_pattern) or "%d/%m/%Y")
    return value


def form_variables(form: bpmn.GeneratedForm, data: dict[str, Any]) -> list[FormVariable]:
    """Each field's current value typed as Camunda's form-variables answers it."""
    return [FormVariable(spec.id, CAMUNDA_TYPES.get(spec.type),
                         form_value(spec, current(spec, data))) for spec in form.fields]


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _property(spec: bpmn.FormFieldSpec, value: Any) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": spec.label, **SCHEMA_TYPES.get(spec.type, {
        "type": "string"}), "x-camunda-type": spec.type or "string"}
    if spec.type == "enum":
        prop["enum"] = [o.id for o in spec.options]
        prop["x-enum-labels"] = {o.id: o.name for o in spec.options}
    for key, limit in (("minimum", spec.minimum), ("maximum", spec.maximum)):
        if limit is not None:
            prop[key] = _number(limit)
    for key, length in (("minLength", spec.min_length), ("maxLength", spec.max_length)):
        if length is not None:
            prop[key] = length
    if spec.readonly:
        prop["readOnly"] = True
    if spec.type == "date":
        prop["x-date-pattern"] = spec.date_pattern
        value = value.date().isoformat() if isinstance(value, datetime) else value
    if value is not None:
        prop["default"] = value  # what the form starts with: the value now, else the default
    return prop


def json_schema(form: bpmn.GeneratedForm, data: dict[str, Any], title: str) -> dict[str, Any]:
    """The generated form in the JSON Schema shape of the registered forms (forms/), so the
    task page, rendered-form and /api/v1 draw it as they draw those."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object", "title": title,
        "properties": {spec.id: _property(spec, current(spec, data)) for spec in form.fields},
        "required": [spec.id for spec in form.fields if spec.required],
        "additionalProperties": True,
        "x-camunda-form": "generated",
    }
