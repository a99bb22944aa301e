"""Camunda /task/{id}/comment and /attachment: comments, and the files a task attached."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app, jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import json_body, link, routes, run
from api.engine_rest.errors import RestError
from engine import files
from engine.models import FileAttachment, StoredFile, TaskComment
from engine.service import rest_task_comments


def comment_dto(row: TaskComment) -> dict[str, Any]:
    return {"id": row.id, "userId": row.user_id, "taskId": row.task_id,
            "processInstanceId": row.instance_id, "time": variables.format_date(row.created_at),
            "message": row.message, "removalTime": None,
            "rootProcessInstanceId": row.instance_id,
            "links": [link(f"/task/{row.task_id}/comment/{row.id}")]}


@routes.get("/task/<task_id>/comment")
def task_comments(task_id: str) -> Any:
    return jsonify([comment_dto(r) for r in run(rest_task_comments.comments, task_id)])


@routes.get("/task/<task_id>/comment/<comment_id>")
def task_comment(task_id: str, comment_id: str) -> Any:
    return jsonify(comment_dto(run(rest_task_comments.comment, task_id, comment_id)))


@routes.post("/task/<task_id>/comment/create")
def create_comment(task_id: str) -> Any:
    """Only `message` is used (the instance is the task's, as in Camunda)."""
    row = run(rest_task_comments.add_comment, task_id, json_body().get("message"))
    return jsonify(comment_dto(row))


@routes.put("/task/<task_id>/comment")
def update_comment(task_id: str) -> Any:
    body = json_body()
    run(rest_task_comments.update_comment, task_id, body.get("id"), body.get("message"))
    return "", 204


@routes.delete("/task/<task_id>/comment/<comment_id>")
def delete_comment(task_id: str, comment_id: str) -> Any:
    run(rest_task_comments.delete_comments, task_id, comment_id)
    return "", 204


@routes.delete("/task/<task_id>/comment")
def delete_all_comments(task_id: str) -> Any:
    run(rest_task_comments.delete_comments, task_id, None)
    return "", 204


def attachment_dto(task_id: str, pair: tuple[FileAttachment, StoredFile]) -> dict[str, Any]:
    attached, stored = pair
    return {"id": stored.id, "name": stored.name, "description": None, "taskId": task_id,
            "type": stored.mime_type, "url": None,
            "createTime": variables.format_date(attached.attached_at), "removalTime": None,
            "rootProcessInstanceId": attached.instance_id,
            "links": [link(f"/task/{task_id}/attachment/{stored.id}")]}


@routes.get("/task/<task_id>/attachment")
def task_attachments(task_id: str) -> Any:
    return jsonify([attachment_dto(task_id, p)
                    for p in run(rest_task_comments.attachments, task_id)])


@routes.get("/task/<task_id>/attachment/<attachment_id>")
def task_attachment(task_id: str, attachment_id: str) -> Any:
    return jsonify(attachment_dto(
        task_id, run(rest_task_comments.attachment, task_id, attachment_id)))


@routes.post("/task/<task_id>/attachment/create")
def create_attachment(task_id: str) -> Any:
    """Camunda's multipart upload: the `content` part is stored in our file store; a link
    attachment (`url`) or a description has nowhere to live here and is refused."""
    settings = current_app.extensions["vocflow"]["settings"]
    part = request.files.get("content")
    if part is None:
        raise RestError("the multipart part 'content' is required (link attachments with "
                        "'url' are not supported)")
    for name in ("url", "attachment-description"):
        if request.form.get(name):
            raise RestError(f"{name} is not supported: attachments here are stored files")
    name = request.form.get("attachment-name") or part.filename or "file"
    content = part.read(settings.max_file_bytes + 1)
    pair = run(rest_task_comments.add_attachment, settings, task_id, name, content)
    return jsonify(attachment_dto(task_id, pair))


@routes.delete("/task/<task_id>/attachment/<attachment_id>")
def delete_attachment(task_id: str, attachment_id: str) -> Any:
    run(rest_task_comments.remove_attachment, task_id, attachment_id)
    return "", 204


@routes.get("/task/<task_id>/attachment/<attachment_id>/data")
def task_attachment_data(task_id: str, attachment_id: str) -> Any:
    _attached, stored = run(rest_task_comments.attachment, task_id, attachment_id)
    settings = current_app.extensions["vocflow"]["settings"]
    content = files.read_content(settings, stored)
    return Response(content, mimetype="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.name)}",
        "X-Content-Type-Options": "nosniff", "Content-Length": str(len(content))})
