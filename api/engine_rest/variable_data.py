"""Camunda's binary variable doors (.../variables/{name}/data): File content in and out."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request

from api.engine_rest import variables
from api.engine_rest.common import routes, run, settings
from api.engine_rest.errors import RestError
from engine.service import (
    file_variables,
    rest_actions,
    rest_executions,
    rest_task_data,
)
from engine.service.file_variables import FileContent, IncomingFile


def file_response(found: FileContent) -> Response:
    """The content as Camunda sends it (its mime type, charset from the encoding), always as a
    download: nothing a client stored is rendered in a browser on our origin."""
    mimetype = found.mimetype or "application/octet-stream"
    content_type = f"{mimetype}; charset={found.encoding}" if found.encoding else mimetype
    return Response(found.content, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
        "Content-Length": str(len(found.content))})


def posted_file(name: str) -> dict[str, IncomingFile]:
    """The multipart body of POST .../data: `data` (the content) and `valueType` (File).

    Bytes and serialized Java objects have no place here. Without a valueType Camunda takes
    Bytes; a `data` part with a file name is taken as a File instead (pycamunda sends no
    valueType: requests drops its JSON body beside the files)."""
    if request.files.get("type") is not None or request.form.get("type"):
        raise RestError("serialized Java objects (the 'type' part) are not supported")
    value_type = request.form.get("valueType")
    if value_type is None and "valueType" in request.files:
        value_type = request.files["valueType"].read(100).decode("utf-8", "replace")
    part = request.files.get("data")
    if value_type is None and part is not None and part.filename:
        value_type = "File"
    value_type = (value_type or "Bytes").strip()
    if value_type.lower() == "bytes":
        raise RestError("valueType Bytes is not supported: send valueType File (VocFlow keeps "
                        "binary values as files in its file store)")
    if value_type.lower() != "file":
        raise RestError(f"Unsupported value type {value_type!r}: only File")
    if part is None:
        raise RestError("the multipart part 'data' is required")
    content = part.read(settings().max_file_bytes + 1)
    return {name: variables.file_value(name, part.filename, part.content_type, content)}


@routes.get("/process-instance/<instance_id>/variables/<name>/data")
def instance_variable_data(instance_id: str, name: str) -> Any:
    return file_response(run(file_variables.instance_data, settings(), instance_id, name))


@routes.post("/process-instance/<instance_id>/variables/<name>/data")
def post_instance_variable_data(instance_id: str, name: str) -> Any:
    run(rest_actions.put_variables, instance_id, posted_file(name))
    return "", 204


@routes.get("/task/<task_id>/variables/<name>/data")
def task_variable_data(task_id: str, name: str) -> Any:
    return file_response(run(file_variables.task_data, settings(), task_id, name))


@routes.post("/task/<task_id>/variables/<name>/data")
def post_task_variable_data(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_variables, task_id, posted_file(name), [])
    return "", 204


@routes.get("/task/<task_id>/localVariables/<name>/data")
def task_local_variable_data(task_id: str, name: str) -> Any:
    return file_response(run(file_variables.task_data, settings(), task_id, name, local=True))


@routes.post("/task/<task_id>/localVariables/<name>/data")
def post_task_local_variable_data(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_local, task_id, posted_file(name), [])
    return "", 204


@routes.get("/execution/<execution_id>/localVariables/<name>/data")
def execution_local_variable_data(execution_id: str, name: str) -> Any:
    return file_response(run(file_variables.execution_data, settings(), execution_id, name))


@routes.post("/execution/<execution_id>/localVariables/<name>/data")
def post_execution_local_variable_data(execution_id: str, name: str) -> Any:
    run(rest_executions.modify_local_variables, execution_id, posted_file(name), [])
    return "", 204


@routes.get("/variable-instance/<variable_id>/data")
def variable_data(variable_id: str) -> Any:
    return file_response(run(file_variables.variable_instance_data, settings(), variable_id))


@routes.get("/history/variable-instance/<ident>/data")
def get_historic_variable_data(ident: str) -> Any:
    return file_response(run(file_variables.historic_variable_data, settings(), ident))


@routes.get("/history/detail/<ident>/data")
def get_historic_detail_data(ident: str) -> Any:
    return file_response(run(file_variables.historic_detail_data, settings(), ident))
