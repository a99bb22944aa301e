"""Shared helpers of the Camunda REST views: unit of work, actor, JSON body, paging, links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, current_app, request

from api import auth
from api.engine_rest.errors import RestError, Unauthenticated
from engine import clock, service
from engine.models import ProcessInstance
from engine.service import Actor
from engine.uow import UnitOfWork, UowFactory

T = TypeVar("T")


def unit_of_work() -> UnitOfWork:
    """A new unit of work from the app's factory; use as `with unit_of_work() as uow:`."""
    factory: UowFactory = current_app.extensions["uow_factory"]
    return factory()


def now() -> datetime:
    return clock.now()


def actor(uow: UnitOfWork) -> Actor:
    """The caller (HTTP Basic, Bearer token or session); nobody is a 401 with a Basic challenge.

    Looked up with uow, the view's one unit of work: open it first, then call this.
    """
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
    """A query parameter from the URL, or (for POST queries) from the JSON body, unchecked."""
    if body is not None and name in body:
        return body[name]
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


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        number = int(raw)
    except ValueError as exc:
        raise RestError(f"{name} must be an integer, not {raw!r}") from exc
    if number < 0:
        raise RestError(f"{name} must not be negative")
    return number


def page(items: Sequence[T]) -> list[T]:
    """Apply Camunda's firstResult / maxResults query parameters."""
    first = _int_arg("firstResult") or 0
    limit = _int_arg("maxResults")
    return list(items[first:] if limit is None else items[first:first + limit])


def base_url() -> str:
    """The URL the client used for this API: …/engine-rest or …/rest."""
    prefix = request.path.split("/", 2)[1] if request.path.count("/") >= 2 else "engine-rest"
    return f"{request.host_url.rstrip('/')}/{prefix}"


def link(path: str, rel: str = "self", method: str = "GET") -> dict[str, str]:
    return {"method": method, "href": f"{base_url()}{path}", "rel": rel}


def may_see_instance(who: Actor, instance: ProcessInstance, uow: UnitOfWork) -> bool:
    """Ops see all; others their own starts, their scope, or instances with a task for them."""
    if who.is_ops or instance.started_by == who.username:
        return True
    scopes = {f"unit:{instance.unit_id}", f"ministry:{instance.key_task}",
              f"province:{instance.province_code}:reviewer",
              f"province:{instance.province_code}:admin"}
    if who.groups.intersection(scopes):
        return True
    return any(service.may_act(who, t) or who.username in (t.candidate_users or [])
               for t in uow.tasks.for_instance(instance.id))


def visible_instance(uow: UnitOfWork, who: Actor, instance_id: str) -> ProcessInstance:
    """The instance if the caller may see it; otherwise 404, so nothing leaks."""
    instance = uow.instances.get(instance_id)
    if instance is None or not may_see_instance(who, instance, uow):
        raise RestError(f"Process instance with id {instance_id} does not exist", 404)
    return instance


routes = Blueprint("camunda", __name__)
