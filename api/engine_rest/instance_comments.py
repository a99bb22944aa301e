"""Camunda /process-instance/{id}/comment: the comments on an instance's tasks."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.task_comments import comment_dto
from engine.service import rest_task_comments


@routes.get("/process-instance/<instance_id>/comment")
def instance_comments(instance_id: str) -> Any:
    rows = run(rest_task_comments.instance_comments, instance_id)
    return jsonify([comment_dto(r) for r in rows])


@routes.put("/process-instance/<instance_id>/comment")
def update_instance_comment(instance_id: str) -> Any:
    body = json_body()
    run(rest_task_comments.update_instance_comment, instance_id, body.get("id"),
        body.get("message"))
    return "", 204


@routes.delete("/process-instance/<instance_id>/comment")
def delete_instance_comments(instance_id: str) -> Any:
    run(rest_task_comments.delete_instance_comments, instance_id, None)
    return "", 204


@routes.delete("/process-instance/<instance_id>/comment/<comment_id>")
def delete_instance_comment(instance_id: str, comment_id: str) -> Any:
    run(rest_task_comments.delete_instance_comments, instance_id, comment_id)
    return "", 204
