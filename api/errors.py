"""One table from engine errors to HTTP status, and the JSON error envelope for every error."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from api.engine_rest import errors as camunda
from engine import errors

LOG = logging.getLogger("vocflow.api")

STATUS: dict[type[errors.EngineError], int] = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.InvalidState: 409,
    errors.ConcurrencyConflict: 409,
    errors.FormInvalid: 422,
    errors.ProcessDefinitionError: 422,
    errors.ValidationFailed: 400,
    errors.MessageNotCorrelated: 404,
    errors.ScriptError: 500,
    errors.Unauthenticated: 401,
    errors.TooManyAttempts: 429,
}


def status_of(exc: errors.EngineError) -> int:
    """The most specific entry of STATUS for this error's class; 500 if none."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def envelope(code: str, message: str, details: Any, status: int) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    return str(g.request_id)


def _engine_error(exc: errors.EngineError) -> Response:
    if camunda.is_camunda_path(request.path):
        return camunda.unrouted(exc)
    status = status_of(exc)
    response = envelope(exc.code, exc.message, exc.details, status)
    if isinstance(exc, errors.Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="vocflow"'
    retry = exc.details.get("retry_after")
    if status == 429 and retry:
        response.headers["Retry-After"] = str(retry)
    return response


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _http_error(exc: HTTPException) -> Response:
    """Werkzeug and webargs errors; webargs puts field messages in exc.data["messages"]."""
    if camunda.is_camunda_path(request.path):
        return camunda.unrouted(exc)
    data = getattr(exc, "data", None) or {}
    details = data.get("messages") if isinstance(data, dict) else None
    status = exc.code or 500
    response = envelope(_snake(exc.name), exc.description or exc.name, details, status)
    for key, value in (exc.get_headers() if hasattr(exc, "get_headers") else []):
        if key.lower() not in ("content-type", "content-length"):
            response.headers[key] = value
    return response


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if camunda.is_camunda_path(request.path):
        return camunda.unrouted(exc)
    rid = request_id()
    LOG.exception("unhandled error, request id %s", rid)
    return envelope("internal_error", f"internal error; request id {rid}",
                    {"request_id": rid}, 500)


def register(app: Flask) -> None:
    """Install the handlers on the app (after flask-smorest, so that ours win)."""
    app.register_error_handler(errors.EngineError, _engine_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
