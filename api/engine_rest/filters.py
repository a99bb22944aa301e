"""Camunda /filter: a user's saved task queries (Tasklist's filters), run through /task's
honest query: a saved key /task does not honour is refused when the filter is saved."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import PAGING, Spec, parse, text
from api.engine_rest.task import task_dto, task_query
from engine.models import TaskFilter
from engine.service import rest_filters
from engine.service.rest_queries import Query

SPEC = Spec(
    params={"filterId": text("id"), "resourceType": text("resource_type"),
            "name": text("name"), "nameLike": text("name", "like"), "owner": text("owner")},
    sorts={"filterId": "id", "resourceType": "resource_type", "name": "name",
           "owner": "owner"},
    shaping=("itemCount",))
FIELDS = ("resourceType", "name", "owner", "query", "properties", "id", "itemCount")


def saved_query(query: dict[str, Any]) -> Query:
    """A saved (or extending) task query as /task's POST query: same names, same checks."""
    return task_query(query, paged=True)


def unpaged_query(query: dict[str, Any]) -> Query:
    return task_query(query, paged=False)


def filter_dto(row: TaskFilter, count: int | None = None) -> dict[str, Any]:
    dto: dict[str, Any] = {"id": row.id, "resourceType": row.resource_type, "name": row.name,
                           "owner": row.owner, "query": row.query,
                           "properties": row.properties}
    if count is not None:
        dto["itemCount"] = count
    return dto


def _item_count() -> bool:
    return bool(flag(request.args.get("itemCount"), "itemCount"))


@routes.get("/filter")
def list_filters() -> Any:
    q = parse(SPEC)
    rows = run(rest_filters.filters, q, unpaged_query if _item_count() else None)
    return jsonify([filter_dto(row, count) for row, count in rows])


@routes.get("/filter/count")
def count_filters() -> Any:
    return jsonify({"count": run(rest_filters.count_filters, parse(SPEC, paged=False))})


def _fields() -> dict[str, Any]:
    body = json_body()
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise RestError("unsupported filter field(s): " + ", ".join(unknown))
    return body


@routes.post("/filter/create")
def create_filter() -> Any:
    row = run(rest_filters.create_filter, _fields(), unpaged_query)
    return jsonify(filter_dto(row))


@routes.get("/filter/<filter_id>")
def get_filter(filter_id: str) -> Any:
    _only_args("itemCount")
    row = run(rest_filters.get_filter, filter_id)
    count = run(rest_filters.count_filter, filter_id, None, unpaged_query) if (
        _item_count()) else None
    return jsonify(filter_dto(row, count))


@routes.put("/filter/<filter_id>")
def update_filter(filter_id: str) -> Any:
    run(rest_filters.update_filter, filter_id, _fields(), unpaged_query)
    return "", 204


@routes.delete("/filter/<filter_id>")
def delete_filter(filter_id: str) -> Any:
    run(rest_filters.delete_filter, filter_id)
    return "", 204


def _only_args(*names: str) -> None:
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise RestError(f"unsupported query parameter(s) for {request.path}: "
                        + ", ".join(unknown))


def _extension() -> dict[str, Any] | None:
    """A POST's body extends the saved query (its keys win); a GET adds only paging."""
    _only_args(*PAGING)
    return json_body() if request.method == "POST" else None


@routes.route("/filter/<filter_id>/list", methods=["GET", "POST"])
def filter_list(filter_id: str) -> Any:
    rows = run(rest_filters.run_filter, filter_id, _extension(), saved_query)
    return jsonify([task_dto(*row) for row in rows])


@routes.route("/filter/<filter_id>/count", methods=["GET", "POST"])
def filter_count(filter_id: str) -> Any:
    return jsonify({"count": run(rest_filters.count_filter, filter_id, _extension(),
                                 unpaged_query)})


@routes.route("/filter/<filter_id>/singleResult", methods=["GET", "POST"])
def filter_single_result(filter_id: str) -> Any:
    """The one task the filter finds; none is a 204, several a 400 (Camunda's answers)."""
    _only_args()
    rows = run(rest_filters.run_filter, filter_id, _extension(), saved_query)
    if not rows:
        return "", 204
    if len(rows) > 1:
        raise RestError(f"Filter {filter_id} finds {len(rows)} tasks, not a single result")
    return jsonify(task_dto(*rows[0]))
