"""Camunda typed variables ({"value", "type", "valueInfo"}) to Python values and back."""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as dateparser

from api import json_guard
from api.engine_rest.errors import RestError
from engine.service.file_variables import IncomingFile, is_ref

INT32 = 2**31 - 1
INT16 = 2**15 - 1
JSON_FORMAT = "application/json"


def format_date(value: datetime | None) -> str | None:
    """Camunda's date format yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2026-11-28T04:00:00.000+0000."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}" + (
        value.strftime("%z"))


def parse_date(text: Any, name: str = "date") -> datetime:
    """A Camunda date (offset as +0200, +02:00 or Z); naive values are taken as UTC."""
    if not isinstance(text, str) or not text:
        raise RestError(f"{name}: expected a date like 2026-12-15T23:59:00.000+0800")
    try:
        value = dateparser.isoparse(text)
    except ValueError as exc:
        raise RestError(f"{name}: cannot parse date {text!r}: {exc}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _integer(value: Any, name: str, limit: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RestError(f"variable '{name}': expected an integer, got {value!r}")
    try:
        number = int(value)
    except ValueError as exc:
        raise RestError(f"variable '{name}': expected an integer, got {value!r}") from exc
    if isinstance(value, float) and number != value:
        raise RestError(f"variable '{name}': expected an integer, got {value!r}")
    if limit is not None and abs(number) > limit + 1:
        raise RestError(f"variable '{name}': {number} is out of range")
    return number


def _json_value(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json_guard.loads(value, f"variable '{name}'")
    except json.JSONDecodeError as exc:
        raise RestError(f"variable '{name}': value is not valid JSON: {exc}") from exc


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise RestError(f"variable '{name}': expected a Boolean, got {value!r}")


def _double(value: Any, name: str) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise RestError(f"variable '{name}': expected a Double, got {value!r}") from exc
    if not math.isfinite(number):
        raise RestError(f"variable '{name}': {value!r} cannot be stored (NaN and Infinity "
                        "are not JSON numbers)")
    return number


def _object(value: Any, info: dict[str, Any], name: str) -> Any:
    fmt = (info or {}).get("serializationDataFormat") or JSON_FORMAT
    if fmt != JSON_FORMAT:
        raise RestError(f"variable '{name}': only serializationDataFormat {JSON_FORMAT} "
                        f"is supported, not {fmt}")
    return _json_value(value, name)


def _info_text(info: dict[str, Any], name: str, *keys: str) -> str | None:
    for key in keys:
        value = info.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise RestError(f"variable '{name}': valueInfo.{key} must be a string")
            return value
    return None


def _file(value: Any, info: Any, name: str) -> IncomingFile:
    """A File value: base64 content; valueInfo filename, mimeType (the JS client writes
    mimetype) and encoding."""
    if not isinstance(info, dict):
        raise RestError(f"variable '{name}': valueInfo must be an object")
    if not isinstance(value, str):
        raise RestError(f"variable '{name}': a File value must be base64 text")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RestError(f"variable '{name}': the File value is not valid base64: {exc}") from exc
    return IncomingFile(_info_text(info, name, "filename") or name,
                        _info_text(info, name, "mimeType", "mimetype"),
                        _info_text(info, name, "encoding"), content)


def file_value(name: str, filename: str | None, content_type: str | None,
               content: bytes) -> IncomingFile:
    """The `data` part of a multipart POST .../data as a File value (Camunda takes the
    encoding from the part's charset)."""
    mimetype, _, params = (content_type or "").partition(";")
    encoding = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset" and val:
            encoding = val.strip('"')
    return IncomingFile(filename or name, mimetype.strip() or None, encoding, content)


def from_typed(name: str, typed: Any) -> Any:
    """One Camunda typed value as a Python value; an unknown type is a 400."""
    if not isinstance(typed, dict):
        raise RestError(f"variable '{name}': expected an object {{\"value\", \"type\"}}")
    value, kind = typed.get("value"), str(typed.get("type") or "").lower()
    if value is None or kind == "null":
        return None
    if kind == "":
        return value  # untyped: Camunda infers the type from the JSON value
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "file":
        return _file(value, typed.get("valueInfo") or {}, name)
    converters = {
        "boolean": lambda: _boolean(value, name),
        "integer": lambda: _integer(value, name, INT32),
        "short": lambda: _integer(value, name, INT16),
        "long": lambda: _integer(value, name, None),
        "double": lambda: _double(value, name),
        "date": lambda: parse_date(value, f"variable '{name}'"),
        "json": lambda: _json_value(value, name),
        "object": lambda: _object(value, typed.get("valueInfo") or {}, name),
    }
    if kind not in converters:
        raise RestError(f"variable '{name}': unsupported type {typed.get('type')!r}")
    return converters[kind]()


def from_camunda(variables: Any) -> dict[str, Any]:
    """A Camunda variables map {name: {value, type}} as plain Python values."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise RestError("variables must be a JSON object of {name: {value, type}}")
    return {str(name): from_typed(str(name), typed) for name, typed in variables.items()}


def to_typed(value: Any) -> dict[str, Any]:
    """A Python value as a Camunda typed value."""
    if value is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if is_ref(value):  # Camunda never sends a file's content unasked: GET .../data has it
        info = {"filename": value["filename"]}
        info.update({k: value[v] for k, v in (("mimeType", "mimetype"),
                                              ("encoding", "encoding")) if value[v]})
        return {"type": "File", "value": None, "valueInfo": info}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value, "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if abs(value) <= INT32 else "Long"
        return {"type": kind, "value": value, "valueInfo": {}}
    if isinstance(value, float):
        return {"type": "Double", "value": value, "valueInfo": {}}
    if isinstance(value, str):
        return {"type": "String", "value": value, "valueInfo": {}}
    if isinstance(value, datetime):
        return {"type": "Date", "value": format_date(value), "valueInfo": {}}
    if isinstance(value, date):
        return {"type": "String", "value": value.isoformat(), "valueInfo": {}}
    if isinstance(value, dict | list | tuple):
        return {"type": "Json", "value": json.dumps(value, ensure_ascii=False, default=str),
                "valueInfo": {}}
    return {"type": "String", "value": str(value), "valueInfo": {}}


def form_typed(kind: str | None, value: Any) -> dict[str, Any]:
    """A form field's value typed by its form type (Long even when small); None: as stored."""
    if kind is None:
        return to_typed(value)
    return {"type": kind, "value": value, "valueInfo": {}}


def to_camunda(values: dict[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """Python variables as a Camunda variables map (only `names`, when given)."""
    return {k: to_typed(v) for k, v in values.items()
            if (names is None or k in names) and not str(k).startswith("_")}
