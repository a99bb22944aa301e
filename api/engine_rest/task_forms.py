"""Camunda /task/{id}/form, /rendered-form and /submit-form over our registered forms."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from markupsafe import Markup, escape

from api.engine_rest import variables
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition_forms import MEDIA_TYPES
from engine.service import rest_task_forms

INPUT_TYPES = {"integer": ("number", "Integer"), "number": ("number", "Double"),
               "string": ("text", "String"), "boolean": ("checkbox", "Boolean")}


@routes.get("/task/<task_id>/deployed-form")
def task_deployed_form(task_id: str) -> Any:
    """The deployed file a `deployment:…` form key names, as deployed."""
    found = run(rest_task_forms.deployed_task_form, task_id)
    suffix = found.name.rsplit(".", 1)[-1].lower()
    return Response(found.content,
                    mimetype=MEDIA_TYPES.get(suffix, "application/octet-stream"))


@routes.get("/task/<task_id>/form")
def task_form_key(task_id: str) -> Any:
    """Camunda's FormDto: the form key (a key of our form registry, or the diagram's)."""
    form = run(rest_task_forms.task_form, task_id)
    return jsonify({"key": form.task.form_key, "contextPath": None, "camundaFormRef": None})


def _field(name: str, schema: dict[str, Any], required: bool, value: Any) -> Markup:
    """One form group: label, then an input, a select (enums) or a JSON textarea."""
    label = escape(schema.get("title") or name)
    attrs = Markup(' name="{0}" id="{0}" cam-variable-name="{0}"').format(name)
    if required:
        attrs += Markup(" required")
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if "enum" in schema:
        labels = schema.get("x-enum-labels") or {}
        options = Markup("").join(
            Markup('<option value="{0}"{2}>{1}</option>').format(
                option, labels.get(str(option), option),
                Markup(" selected") if option == value else "")
            for option in schema["enum"] if option is not None)
        control = Markup('<select class="form-control" cam-variable-type="String"{0}>'
                         '{1}</select>').format(attrs, options)
    elif kind in INPUT_TYPES:
        html_type, cam_type = INPUT_TYPES[str(kind)]
        shown = Markup(" checked") if kind == "boolean" and value else (
            Markup(' value="{0}"').format(value) if value is not None else "")
        control = Markup('<input class="form-control" type="{0}" cam-variable-type="{1}"'
                         '{2}{3}>').format(html_type, cam_type, attrs, shown)
    else:
        text = "" if value is None else variables.to_typed(value)["value"]
        control = Markup('<textarea class="form-control" cam-variable-type="Json"{0}>{1}'
                         '</textarea>').format(attrs, text)
    return Markup('<div class="form-group"><label class="control-label" for="{0}">{1}</label>'
                  '<div class="controls">{2}</div></div>').format(name, label, control)


def render(schema: dict[str, Any], data: dict[str, Any]) -> str:
    """The form as Camunda's generated HTML form (cam-variable-* attributes), values filled."""
    required = set(schema.get("required") or [])
    fields = Markup("").join(
        _field(name, spec, name in required, data.get(name))
        for name, spec in (schema.get("properties") or {}).items())
    title = escape(schema.get("title") or "")
    return str(Markup('<form class="form-horizontal" name="generatedForm" role="form">'
                      '<h3>{0}</h3>{1}</form>').format(title, fields))


@routes.get("/task/<task_id>/rendered-form")
def rendered_form(task_id: str) -> Any:
    form = run(rest_task_forms.task_form, task_id)
    if form.form_schema is None:
        raise RestError(f"No matching rendered form for task with the id {task_id} found.",
                        404)
    return Response(render(form.form_schema, form.data), mimetype="application/xhtml+xml")


@routes.post("/task/<task_id>/submit-form")
def submit_form(task_id: str) -> Any:
    """Complete through the form; a field it refuses is a 400 naming its label."""
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    result = run(rest_task_forms.submit_form, task_id, values,
                 bool(body.get("withVariablesInReturn")))
    if result is None:
        return "", 204
    return jsonify(variables.to_camunda(result))
