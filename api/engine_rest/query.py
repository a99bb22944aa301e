"""Camunda list parameters -> an engine Query: filters, sortBy/sortOrder or sorting, paging.

Every list endpoint names the Camunda parameters it honours; any other parameter is a 400
naming it (never a silently ignored filter and a full list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request

from api.engine_rest.common import arg, flag, id_list, raw_arg
from api.engine_rest.errors import RestError
from api.engine_rest.variables import parse_date
from engine.service.rest_queries import Query

PAGING = ("firstResult", "maxResults")
SORTING = ("sortBy", "sortOrder")


@dataclass(frozen=True)
class Param:
    """A Camunda parameter as (field, operator) of the engine's query.

    kind: text, list, date, int, or flag (applies `value` when the parameter is true;
    Camunda ignores a false flag), like (text with Camunda's % wildcards).
    """

    field: str
    op: str = "eq"
    kind: str = "text"
    value: Any = True


@dataclass(frozen=True)
class Spec:
    """The parameters and sort keys one list endpoint honours."""

    params: dict[str, Param]
    sorts: dict[str, str]
    shaping: tuple[str, ...] = ()  # accepted, they only shape the answer


def text(field: str, op: str = "eq") -> Param:
    return Param(field, op, "like" if op == "like" else "text")


def many(field: str) -> Param:
    return Param(field, "in", "list")


def when(field: str, op: str, value: Any = True) -> Param:
    return Param(field, op, "flag", value)


def _value(name: str, param: Param, raw: Any) -> Any:
    if param.kind == "list":
        return id_list(raw, name)
    if param.kind == "flag":
        return flag(raw, name)
    if param.kind == "date":
        return parse_date(raw, name)
    if param.kind == "int":
        if isinstance(raw, bool):
            raise RestError(f"{name} must be an integer")
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise RestError(f"{name} must be an integer, not {raw!r}") from exc
    return arg(name, {name: raw})


def _names(body: dict[str, Any] | None) -> list[str]:
    return list(body) if body is not None else list(request.args)


def _paging() -> tuple[int, int | None]:
    numbers = []
    for name in PAGING:
        raw = request.args.get(name)
        if raw in (None, ""):
            numbers.append(None)
            continue
        try:
            number = int(raw)
        except ValueError as exc:
            raise RestError(f"{name} must be an integer, not {raw!r}") from exc
        if number < 0:
            raise RestError(f"{name} must not be negative")
        numbers.append(number)
    return numbers[0] or 0, numbers[1]


def _sorting(spec: Spec, body: dict[str, Any] | None) -> tuple[tuple[str, bool], ...]:
    pairs: list[tuple[Any, Any]] = []
    if body is not None and body.get("sorting") is not None:
        sorting = body["sorting"]
        if not isinstance(sorting, list) or not all(isinstance(s, dict) for s in sorting):
            raise RestError("sorting must be a list of {sortBy, sortOrder}")
        pairs = [(s.get("sortBy"), s.get("sortOrder")) for s in sorting]
    by, order = raw_arg("sortBy", body), raw_arg("sortOrder", body)
    if by is not None or order is not None:
        if by is None or order is None:
            raise RestError("Only a single sorting parameter specified. sortBy and sortOrder "
                            "required")
        pairs.append((by, order))
    result = []
    for by, order in pairs:
        if by not in spec.sorts:
            raise RestError(f"sortBy parameter has invalid value: {by}; one of "
                            + ", ".join(sorted(spec.sorts)))
        if order not in ("asc", "desc"):
            raise RestError(f"sortOrder parameter has invalid value: {order}")
        result.append((spec.sorts[by], order == "desc"))
    return tuple(result)


def parse(spec: Spec, body: dict[str, Any] | None = None, *, paged: bool = True) -> Query:
    """The Query a GET (URL parameters) or POST (JSON body) list request asks for."""
    allowed = set(spec.params) | set(spec.shaping) | set(SORTING) | {"sorting"}
    if body is None:
        allowed |= set(PAGING)
    unknown = [n for n in _names(body) if n not in allowed]
    if body is not None and request.method == "POST":  # a POST query's URL: paging only
        unknown += [n for n in request.args if n not in PAGING]
    if unknown:
        raise RestError(f"unsupported query parameter(s) for {request.path}: "
                        + ", ".join(sorted(unknown)))
    filters: list[tuple[str, str, Any]] = []
    for name, param in spec.params.items():
        raw = raw_arg(name, body)
        if raw is None or raw == "":
            continue
        value = _value(name, param, raw)
        if param.kind == "flag":
            if value:
                filters.append((param.field, param.op, param.value))
            continue
        filters.append((param.field, param.op, value))
    first, limit = _paging() if paged else (0, None)
    return Query(filters=tuple(filters), sort=_sorting(spec, body), offset=first, limit=limit)
