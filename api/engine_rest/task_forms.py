"""Camunda /task/{id}/form, /rendered-form and /submit-form over our registered and
generated (camunda:formData) forms."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from api.engine_rest import variables
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.generated_html import render
from api.engine_rest.process_definition_forms import MEDIA_TYPES
from engine.service import rest_task_forms


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
