"""Camunda /schema/log (GET and POST query): the schema revisions applied to the database."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.query import Spec, parse, text
from api.engine_rest.variables import format_date
from engine.service import schema_log
from engine.service.schema_log import SchemaLogEntry

SPEC = Spec(params={"version": text("version")}, sorts={"timestamp": "timestamp"})


def _dto(entry: SchemaLogEntry) -> dict[str, Any]:
    """SchemaLogEntryDto; `version` is our Alembic revision id, not a Camunda version."""
    return {"id": entry.id, "version": entry.version,
            "timestamp": format_date(entry.timestamp) if entry.timestamp else None}


@routes.get("/schema/log")
def schema_log_entries() -> Any:
    return jsonify([_dto(e) for e in run(schema_log.entries, parse(SPEC))])


@routes.post("/schema/log")
def query_schema_log() -> Any:
    return jsonify([_dto(e) for e in run(schema_log.entries, parse(SPEC, json_body()))])
