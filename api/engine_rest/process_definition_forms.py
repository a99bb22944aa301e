"""Camunda's start form calls on /process-definition: which form, its file, submitting it."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import flag, id_list, json_body, run
from api.engine_rest.definition_paths import Ref, register
from api.engine_rest.errors import RestError
from api.engine_rest.generated_html import render
from api.engine_rest.process_definition import instance_dto
from engine.service import start_forms

FORM_VARIABLE_PARAMS = ("variableNames", "deserializeValues")
MEDIA_TYPES = {"html": "text/html", "htm": "text/html", "form": "application/json",
               "json": "application/json", "js": "application/javascript"}


def start_form(ref: Ref) -> Any:
    """Camunda's FormDto: the start event's form key (or form reference)."""
    form = run(start_forms.start_form, ref.find())
    reference = ({"key": form.form_ref, "binding": "latest", "version": None}
                 if form.form_ref else None)
    return jsonify({"key": form.form_key, "camundaFormRef": reference, "contextPath": None})


def form_variables(ref: Ref) -> Any:
    """The generated start form's fields, typed by form type, with their defaults ({}: the
    start event has no camunda:formData)."""
    unknown = sorted(set(request.args) - set(FORM_VARIABLE_PARAMS))
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    flag(request.args.get("deserializeValues"), "deserializeValues")
    names = id_list(request.args.get("variableNames"), "variableNames")
    found = run(start_forms.start_form_variables, ref.find())
    return jsonify({v.name: variables.form_typed(v.type, v.value) for v in found
                    if names is None or v.name in names})


def rendered_form(ref: Ref) -> Any:
    """Camunda renders generated start forms only; without one its 404."""
    row = ref.find()
    schema = run(start_forms.rendered_start_form, row)
    if schema is None:
        raise RestError(f"No matching rendered start form for process definition with the "
                        f"id {row.id} found.", 404)
    return Response(render(schema, {}), mimetype="application/xhtml+xml")


def deployed_start_form(ref: Ref) -> Any:
    """The deployed file a `deployment:…` form key names, as deployed."""
    found = run(start_forms.deployed_start_form, ref.find())
    suffix = found.name.rsplit(".", 1)[-1].lower()
    return Response(found.content, mimetype=MEDIA_TYPES.get(suffix, "application/octet-stream"))


def submit_form(ref: Ref) -> Any:
    """{variables, businessKey}: start with the form's data, validated by forms/."""
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    business_key = body.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise RestError("businessKey must be a string")
    started = run(start_forms.submit, ref.find(), values, business_key or None)
    return jsonify(instance_dto(started))


register("/startForm", ["GET"], start_form)
register("/form-variables", ["GET"], form_variables)
register("/rendered-form", ["GET"], rendered_form)
register("/deployed-start-form", ["GET"], deployed_start_form)
register("/submit-form", ["POST"], submit_form)
