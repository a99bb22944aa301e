"""Camunda 7 error bodies: {"type", "message", "code"} with Camunda's status codes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from engine import errors

LOG = logging.getLogger(__name__)
REALM = 'Basic realm="VocFlow"'
PREFIXES = ("/engine-rest/", "/rest/")
ALLOWED_HEADERS = "authorization, content-type, accept"
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"


def is_camunda_path(path: str) -> bool:
    return path.startswith(PREFIXES) or path in ("/engine-rest", "/rest")


def add_cors(response: Any) -> Any:
    """The Modeler calls from file:// (Origin "null"): allow any origin, no cookies."""
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin") or "*"
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    response.headers.add("Vary", "Origin")
    return response


class RestError(Exception):
    """A request the Camunda REST layer refuses before reaching the engine."""

    def __init__(self, message: str, status: int = 400,
                 type_: str = "InvalidRequestException",
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type_
        self.details = details


class Unauthenticated(RestError):
    def __init__(self, message: str = "Unauthorized: credentials are required") -> None:
        super().__init__(message, 401, "AuthenticationException")


# EngineError class -> (HTTP status, Camunda exception type); first match wins.
_MAP: list[tuple[type[errors.EngineError], int, str]] = [
    (errors.Unauthenticated, 401, "AuthenticationException"),
    (errors.TooManyAttempts, 429, "AuthenticationException"),
    (errors.NotFound, 404, "InvalidRequestException"),
    (errors.Forbidden, 403, "AuthorizationException"),
    (errors.ProcessDefinitionError, 400, "ParseException"),
    (errors.FormInvalid, 400, "InvalidRequestException"),
    (errors.ValidationFailed, 400, "InvalidRequestException"),
    (errors.MessageNotCorrelated, 400, "RestException"),
    (errors.ConcurrencyConflict, 409, "OptimisticLockingException"),
    (errors.InvalidState, 400, "InvalidRequestException"),
    (errors.ScriptError, 500, "ProcessEngineException"),
]


def body(status: int, type_: str, message: str,
         details: dict[str, Any] | None = None) -> Response:
    payload: dict[str, Any] = {"type": type_, "message": message, "code": None}
    if details is not None:
        payload["details"] = details
    response = jsonify(payload)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def parse_details(error: errors.EngineError) -> dict[str, Any]:
    """Camunda's per-file parse report from ProcessDefinitionError.details["problems"]."""
    report: dict[str, Any] = {}
    for problem in error.details.get("problems", []):
        entry = report.setdefault(problem.get("file") or "unknown",
                                  {"errors": [], "warnings": []})
        element = problem.get("element_id")
        entry["errors"].append({
            "message": problem.get("message"), "line": problem.get("line") or 0,
            "column": 0, "mainBpmnElementId": element,
            "bpmnElementIds": [element] if element else [],
        })
    return report


def _form_message(error: errors.EngineError) -> str:
    fields = _field_paths(error.details)
    if not fields:
        return error.message
    return f"{error.message}: " + "; ".join(f"{path}: {msg}" for path, msg in fields)


def _field_paths(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        found: list[tuple[str, str]] = []
        for key, value in messages.items():
            found += _field_paths(value, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix or "_schema", " ".join(messages))]
    if isinstance(messages, list):
        return [p for m in messages for p in _field_paths(m, prefix)]
    return [(prefix or "_schema", str(messages))]


def _status_of(error: errors.EngineError) -> tuple[int, str]:
    for cls, status, type_ in _MAP:
        if isinstance(error, cls):
            return status, type_
    return 500, "ProcessEngineException"


def engine_error(error: errors.EngineError) -> Response:
    status, type_ = _status_of(error)
    if isinstance(error, errors.ProcessDefinitionError):
        return body(status, type_, error.message, parse_details(error))
    if isinstance(error, errors.FormInvalid):
        return body(status, type_, _form_message(error), error.details)
    return body(status, type_, error.message)


def rest_error(error: RestError) -> Response:
    return body(error.status, error.type, error.message, error.details)


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    type_ = "RestException" if status != 400 else "InvalidRequestException"
    message = error.description or error.name
    if status == 404 and request.url_rule is None:
        message = f"no Camunda REST resource {request.method} {request.path}"
    return body(status, type_, message)


def unrouted(error: Exception) -> Response:
    """An error before any view was found (unknown route, wrong method): Camunda's shape."""
    if isinstance(error, errors.EngineError):
        return add_cors(engine_error(error))
    if isinstance(error, RestError):
        return add_cors(rest_error(error))
    if isinstance(error, HTTPException):
        return add_cors(http_error(error))
    return add_cors(unexpected(error))


def unexpected(error: Exception) -> Response:
    LOG.exception("unexpected error in /engine-rest", exc_info=error)
    return body(500, "ProcessEngineException",
                f"internal error ({type(error).__name__}); see the server log")


def register(blueprint: Any) -> None:
    """Attach the Camunda error shape to every view of the blueprint."""
    blueprint.register_error_handler(errors.EngineError, engine_error)
    blueprint.register_error_handler(RestError, rest_error)
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(Exception, unexpected)
