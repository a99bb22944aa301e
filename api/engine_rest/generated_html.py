"""Camunda's generated HTML form (cam-variable-* attributes) drawn from a form's JSON Schema."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from api.engine_rest import variables

INPUT_TYPES = {"integer": ("number", "Integer"), "number": ("number", "Double"),
               "string": ("text", "String"), "boolean": ("checkbox", "Boolean")}


def _field(name: str, schema: dict[str, Any], required: bool, value: Any) -> Markup:
    """One form group: label, then an input, a select (enums) or a JSON textarea."""
    label = escape(schema.get("title") or name)
    attrs = Markup(' name="{0}" id="{0}" cam-variable-name="{0}"').format(name)
    if required:
        attrs += Markup(" required")
    locked = Markup("")
    if schema.get("readOnly"):  # shown, never sent: Camunda refuses a readonly field's value
        locked = Markup(' disabled="disabled"') if "enum" in schema or schema.get(
            "type") == "boolean" else Markup(' readonly="readonly"')
    attrs += locked
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
        if schema.get("format") == "date":
            html_type = "date"
        elif schema.get("x-camunda-type") == "long":
            cam_type = "Long"
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
    """The form as Camunda's generated HTML form (cam-variable-* attributes), values filled
    (a generated form's schema carries each field's value as its default)."""
    required = set(schema.get("required") or [])
    fields = Markup("").join(
        _field(name, spec, name in required, spec["default"] if "default" in spec
               else data.get(name))
        for name, spec in (schema.get("properties") or {}).items())
    title = escape(schema.get("title") or "")
    return str(Markup('<form class="form-horizontal" name="generatedForm" role="form">'
                      '<h3>{0}</h3>{1}</form>').format(title, fields))
