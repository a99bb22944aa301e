"""Blueprint: files: upload (size and type limits, type from content), metadata, download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.v1.common import run
from engine import errors, files
from engine.config import Settings
from engine.models import StoredFile

blp = Blueprint("files", __name__, url_prefix="/api/v1/files",
                description="Files (佐证材料与报告文件)")


class UploadForm(Schema):
    owner = fields.String(validate=validate.Length(1, 120), metadata={
        "description": "owner group (default: the uploader's unit:…)"})


class UploadFiles(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class FileRefSchema(Schema):
    file_id = fields.String(required=True)
    name = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class FileSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    mime_type = fields.String(required=True)
    owner = fields.String(required=True)
    uploaded_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)


def _settings() -> Settings:
    return current_app.extensions["vocflow"]["settings"]  # type: ignore[no-any-return]


@blp.post("")
@blp.arguments(UploadForm, location="form")
@blp.arguments(UploadFiles, location="files")
@blp.response(201, FileRefSchema)
def upload(form: dict[str, Any], parts: dict[str, Any]) -> dict[str, object]:
    """Upload one file (multipart part `file`); the answer is the reference for task data."""
    part = parts["file"]
    content = part.read(_settings().max_file_bytes + 1)
    ref = run(files.upload_file, _settings(), form.get("owner"), part.filename or "file",
              content)
    return ref.as_dict()


@blp.get("/<file_id>")
@blp.response(200, FileSchema)
def get_file(file_id: str) -> StoredFile:
    """A file's metadata, within the caller's scope (otherwise 404)."""
    return run(files.get_file, file_id)


@blp.get("/<file_id>/content")
@blp.doc(responses={"200": {"description": "the file's bytes", "content": {
    "*/*": {"schema": {"type": "string", "format": "binary"}}}}})
def download(file_id: str) -> Response:
    """The file's bytes as an attachment, with its stored type and a safe file name."""
    row = run(files.get_file, file_id)
    try:
        content = files.read_content(_settings(), row)
    except FileNotFoundError as exc:
        raise errors.NotFound(f"the content of file {file_id} is missing") from exc
    name = files.sanitize_name(row.name)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, mimetype=row.mime_type, headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Content-Length": str(len(content))})
