"""Shared helpers of the Camunda REST views: one engine command per request, JSON, links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request

import engine
from api import auth
from api.engine_rest.errors import RestError, Unauthenticated
from engine.service import Actor, file_variables
from engine.uow import UnitOfWork, UowFactory

T = TypeVar("T")


def run(command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine command as the caller (Basic, Bearer or session) in its own unit of work.

    An EngineError it raises reaches the blueprint's handler (api.engine_rest.errors), which
    answers in Camunda's shape; nobody signed in is a 401 with a Basic challenge.
    """
    factory: UowFactory = current_app.extensions["uow_factory"]
    if file_variables.carries_files((args, kwargs)):  # File variables: content to the store
        return engine.execute_storing_files(factory, settings(), _caller, command, *args,
                                            **kwargs)
    return engine.execute(factory, _caller, command, *args, **kwargs)


def settings() -> engine.Settings:
    """The app's settings (file store, limits) for commands that take them."""
    return current_app.extensions["vocflow"]["settings"]  # type: ignore[no-any-return]


def _caller(uow: UnitOfWork) -> Actor:
    who = auth.actor_from_request(uow, allow_basic=True)
    if who is None:
        raise Unauthenticated()
    return who


def json_body() -> dict[str, Any]:
    """The JSON object of the request; an empty body is {}, anything but an object is a 400."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise RestError("the request body must be a JSON object")
    return data


def raw_arg(name: str, body: dict[str, Any] | None = None) -> Any:
    """A query parameter from the URL, or (for POST queries) from the JSON body only (a POST
    query's URL carries nothing but paging), unchecked."""
    if body is not None:
        return body.get(name)
    return request.args.get(name)


def arg(name: str, body: dict[str, Any] | None = None) -> str | None:
    """A text filter; a list or object where Camunda expects a string is a 400 naming it."""
    value = raw_arg(name, body)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RestError(f"{name} must be a string, not {_kind(value)}")
    return str(value)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a Boolean"}.get(
        type(value), type(value).__name__)


def flag(value: Any, name: str = "parameter") -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if not isinstance(value, str) or value.lower() not in ("true", "false"):
        raise RestError(f"{name} must be true or false, not {value!r}")
    return value.lower() == "true"


def id_list(value: Any, name: str = "parameter") -> list[str] | None:
    """A Camunda list: a JSON array of strings, or comma-separated text in the URL."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise RestError(f"{name} must be a list of strings")
        return list(value)
    if not isinstance(value, str):
        raise RestError(f"{name} must be a list of strings, not {_kind(value)}")
    return [v for v in value.split(",") if v]


def bounded_int(body: dict[str, Any], name: str, default: int | None = None, *,
                low: int = 0, high: int = 2**31 - 1) -> int:
    """An integer field of a JSON body within [low, high]; anything else is a 400 naming it."""
    value = body.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RestError(f"{name} must be an integer")
    if not low <= value <= high:
        raise RestError(f"{name} must be between {low} and {high}, not {value}")
    return value


def base_url() -> str:
    """The URL the client used for this API: …/engine-rest or …/rest."""
    prefix = request.path.split("/", 2)[1] if request.path.count("/") >= 2 else "engine-rest"
    return f"{request.host_url.rstrip('/')}/{prefix}"


def link(path: str, rel: str = "self", method: str = "GET") -> dict[str, str]:
    return {"method": method, "href": f"{base_url()}{path}", "rel": rel}


routes = Blueprint("camunda", __name__)


IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "gif": "image/gif", "svg": "image/svg+xml"}


def diagram_response(image: Any) -> Response:
    """A deployed diagram image (a resource with .name and .content) as Camunda sends it:
    by its suffix's type, as an attachment named after the file."""
    suffix = image.name.rsplit(".", 1)[-1].lower()
    return Response(image.content, mimetype=IMAGE_TYPES.get(suffix, "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''"
                             f"{quote(image.name)}"})
