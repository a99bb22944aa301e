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


def arg(name: str, body: dict[str, Any] | None = None) -> Any:
    """A query filter from the URL, or (for POST queries) from the JSON body."""
    if body is not None and name in body:
        return body[name]
    return request.args.get(name)


def flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def id_list(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value).split(",") if v]


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
