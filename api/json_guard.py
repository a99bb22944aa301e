"""Refuse JSON the engine cannot store: NaN and Infinity, and nesting deeper than MAX_DEPTH.

Both reach the database only to fail there (PostgreSQL's JSON type has no NaN; a structure
900 levels deep overflows Python's stack when it is copied), so they are refused at the door
with a 400 that names where in the body the bad value is.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request

from engine.errors import ValidationFailed

MAX_DEPTH = 64


def check(value: Any, where: str = "$") -> None:
    """Raise ValidationFailed naming the path of a NaN/Infinity or of too deep nesting."""
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            name = json.dumps(item)  # NaN, Infinity or -Infinity, as the client wrote it
            raise ValidationFailed(
                f"{path}: {name} 不是可保存的数值 / {name} cannot be stored",
                details={path: [f"{name} is not a finite number"]})
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ValidationFailed(
                f"{path}: 嵌套超过 {MAX_DEPTH} 层 / nested deeper than {MAX_DEPTH} levels",
                details={path: [f"nested deeper than {MAX_DEPTH} levels"]})
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        stack.extend((v, f"{path}.{k}" if isinstance(item, dict) else f"{path}[{k}]",
                      depth + 1) for k, v in pairs)


def loads(text: str | bytes, where: str = "$") -> Any:
    """json.loads that refuses NaN/Infinity and deep nesting (ValidationFailed, not a 500)."""
    try:
        value = json.loads(text)  # NaN and Infinity load as floats: check() names their path
    except RecursionError as exc:
        raise ValidationFailed(
            f"{where}: 嵌套过深 / nested deeper than {MAX_DEPTH} levels",
            details={where: [f"nested deeper than {MAX_DEPTH} levels"]}) from exc
    check(value, where)
    return value


def _guard_body() -> None:
    if not request.is_json or not request.content_length:
        return
    try:
        loads(request.get_data(cache=True))
    except (ValueError, UnicodeDecodeError):
        return  # malformed JSON: the view's own parser answers with its 400


def init_app(app: Flask) -> None:
    """Check every JSON request body before any view (either API) reads it."""
    app.before_request(_guard_body)
