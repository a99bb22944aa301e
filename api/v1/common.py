"""Helpers shared by the /api/v1 blueprints: the unit of work, the clock, cursors, query shapes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from engine import clock, errors, execute

__all__ = ["LimitQuery", "decode_cursor", "encode_cursor", "now", "run"]

T = TypeVar("T")


def run(command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine command for the signed-in caller in the request's unit of work."""
    factory = current_app.extensions["vocflow"]["uow_factory"]
    return execute(factory, current_actor, command, *args, **kwargs)


def now() -> datetime:
    return clock.now()


def encode_cursor(started_at: datetime, row_id: str) -> str:
    raw = f"{started_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (started_at, id) a page ends at; a malformed cursor is a 400, not a 500."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, row_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise errors.ValidationFailed("malformed cursor", details={"cursor": ["invalid"]}
                                      ) from exc
    if at.tzinfo is None:
        raise errors.ValidationFailed("malformed cursor", details={"cursor": ["invalid"]})
    return at, row_id


class LimitQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
